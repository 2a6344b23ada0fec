"""The applicant's space under /my/: 材料库 (materials/) and 一人一档/一企一档 (file/)."""

from django.urls import URLPattern, URLResolver

app_name = "my_space"
urlpatterns: list[URLPattern | URLResolver] = []
