"""Pages of ratings (public_urls)."""

from django.urls import URLPattern, URLResolver

app_name = "ratings_public"
urlpatterns: list[URLPattern | URLResolver] = []
