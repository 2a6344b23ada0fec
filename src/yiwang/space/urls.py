"""Staff pages of the space: the files of a person or company (/workbench/files/<subject>/)."""

from django.urls import URLPattern, URLResolver, path

from yiwang.space import views

app_name = "space"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.staff_search, name="search"),
    path("<uuid:subject_id>/", views.staff_file, name="file"),
]
