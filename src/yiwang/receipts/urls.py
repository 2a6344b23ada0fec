"""Public verification of electronic receipts under /verify/receipts/."""

from django.urls import URLPattern, URLResolver

app_name = "receipts"
urlpatterns: list[URLPattern | URLResolver] = []
