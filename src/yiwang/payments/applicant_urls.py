"""The applicant's payment pages under /cases/<case id>/pay/."""

from django.urls import URLPattern, URLResolver

app_name = "payments"
urlpatterns: list[URLPattern | URLResolver] = []
