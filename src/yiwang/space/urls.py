"""Staff pages of the space: the files of a person or company (/workbench/files/<subject>/)."""

from django.urls import URLPattern, URLResolver

app_name = "space"
urlpatterns: list[URLPattern | URLResolver] = []
