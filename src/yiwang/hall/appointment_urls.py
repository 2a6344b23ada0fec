"""Appointments in the workbench (/workbench/hall/appointments/)."""

from django.urls import URLPattern, URLResolver, path

from yiwang.hall import appointment_views as views

app_name = "hall_appointments"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("book/", views.book, name="book"),
    path("<uuid:appointment_id>/", views.detail, name="detail"),
    path("<uuid:appointment_id>/cancel/", views.cancel, name="cancel"),
    path("blocks/<uuid:block_id>/decision/", views.decide, name="decide"),
]
