"""My appointments (/my/appointments/): book, list, detail (QR), cancel, reschedule, appeal."""

from django.urls import URLPattern, URLResolver, path

from yiwang.hall import applicant_views as views

app_name = "my_appointments"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.my_list, name="list"),
    path("book/", views.book, name="book"),
    path("<uuid:appointment_id>/", views.detail, name="detail"),
    path("<uuid:appointment_id>/cancel/", views.cancel, name="cancel"),
    path("<uuid:appointment_id>/reschedule/", views.reschedule, name="reschedule"),
    path("blocks/<uuid:block_id>/appeal/", views.appeal, name="appeal"),
]
