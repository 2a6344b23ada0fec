"""The big screen (视窗系统) of the service centre under /screen/."""

from django.urls import URLPattern, URLResolver

app_name = "screen"
urlpatterns: list[URLPattern | URLResolver] = []
