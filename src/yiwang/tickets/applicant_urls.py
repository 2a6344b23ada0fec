"""The applicant's tickets (/my/tickets/): file, list, detail, rate."""

from django.urls import URLPattern, URLResolver, path

from yiwang.tickets import views

app_name = "tickets_applicant"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.my_tickets, name="list"),
    path("<uuid:ticket_id>/", views.my_ticket, name="detail"),
    path("<uuid:ticket_id>/rate/", views.my_rate, name="rate"),
]
