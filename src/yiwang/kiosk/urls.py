"""Pages of the self-service kiosk under /kiosk/."""

from django.urls import URLPattern, URLResolver

app_name = "kiosk"
urlpatterns: list[URLPattern | URLResolver] = []
