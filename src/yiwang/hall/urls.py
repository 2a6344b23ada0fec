"""Pages of the window console (/workbench/hall/; see yiwang/urls.py for the prefix)."""

from django.urls import URLPattern, URLResolver, path

from yiwang.hall import views

app_name = "hall"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.console, name="console"),
    path("stats/", views.stats, name="stats"),
    path("windows/<uuid:window_id>/<slug:action>/", views.window_action, name="window_action"),
    path("tickets/<uuid:ticket_id>/<slug:action>/", views.ticket_action, name="ticket_action"),
]
