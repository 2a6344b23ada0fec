"""Pages of tickets (applicant_urls)."""

from django.urls import URLPattern, URLResolver

app_name = "tickets_applicant"
urlpatterns: list[URLPattern | URLResolver] = []
