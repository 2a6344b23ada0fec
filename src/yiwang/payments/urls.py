"""The finance view (财务) under /workbench/finance/."""

from django.urls import URLPattern, URLResolver

app_name = "finance"
urlpatterns: list[URLPattern | URLResolver] = []
