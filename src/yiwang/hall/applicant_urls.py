"""Pages of the hall (see yiwang/urls.py for the prefix)."""

from django.urls import URLPattern, URLResolver

app_name = "my_appointments"
urlpatterns: list[URLPattern | URLResolver] = []
