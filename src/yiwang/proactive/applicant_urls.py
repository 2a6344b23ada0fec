"""The recipient's pages (/my/proactive/): pushes and grants received, objections, push settings."""

from django.urls import URLPattern, URLResolver

app_name = "my_proactive"
urlpatterns: list[URLPattern | URLResolver] = []
