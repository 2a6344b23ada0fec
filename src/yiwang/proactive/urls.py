"""Managers' pages of proactive services (/workbench/proactive/): rules, reach, objections."""

from django.urls import URLPattern, URLResolver

app_name = "proactive"
urlpatterns: list[URLPattern | URLResolver] = []
