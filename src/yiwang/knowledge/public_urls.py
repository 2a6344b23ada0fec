"""Pages of knowledge (public_urls)."""

from django.urls import URLPattern, URLResolver

app_name = "knowledge_public"
urlpatterns: list[URLPattern | URLResolver] = []
