"""Pages of tickets for staff (/workbench/tickets/): the queue and a ticket with its actions."""

from django.urls import URLPattern, URLResolver, path

from yiwang.tickets import views

app_name = "tickets"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.queue, name="queue"),
    path("<uuid:ticket_id>/", views.detail, name="detail"),
    path("<uuid:ticket_id>/<str:action>/", views.action, name="action"),
]
