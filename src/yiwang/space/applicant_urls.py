"""The applicant's space under /my/: 材料库 (materials/) and 一人一档/一企一档 (file/)."""

from django.urls import URLPattern, URLResolver, path

from yiwang.space import views

app_name = "my_space"
urlpatterns: list[URLPattern | URLResolver] = [
    path("materials/", views.materials, name="materials"),
    path("materials/<uuid:public_id>/", views.material_detail, name="material"),
    path("materials/<uuid:public_id>/download/", views.material_download, name="material_download"),
    path("materials/<uuid:public_id>/delete/", views.material_delete, name="material_delete"),
    path("file/", views.my_file, name="file"),
]
