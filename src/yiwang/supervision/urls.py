"""Pages of supervision."""

from django.urls import URLPattern, URLResolver

app_name = "supervision"
urlpatterns: list[URLPattern | URLResolver] = []
