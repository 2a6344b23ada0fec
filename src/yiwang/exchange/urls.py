from django.urls import path  # noqa: F401 - patterns are added by the pages of this app

app_name = "exchange"
urlpatterns: list = []
