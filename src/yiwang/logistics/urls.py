"""Staff logistics pages (waybills, courier orders) under /workbench/logistics/."""

from django.urls import URLPattern, URLResolver

app_name = "logistics"
urlpatterns: list[URLPattern | URLResolver] = []
