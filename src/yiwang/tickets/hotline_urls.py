"""The hotline agent console (/workbench/hotline/)."""

from django.urls import URLPattern, URLResolver, path

from yiwang.tickets import hotline_views

app_name = "tickets_hotline"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", hotline_views.console, name="console"),
    path("calls/", hotline_views.record_call, name="call"),
    path("suggest/", hotline_views.suggest, name="suggest"),
    path("callers/", hotline_views.callers, name="callers"),
]
