"""Pages of tickets (hotline_urls)."""

from django.urls import URLPattern, URLResolver

app_name = "tickets_hotline"
urlpatterns: list[URLPattern | URLResolver] = []
