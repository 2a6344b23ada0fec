from django.urls import path

from yiwang.opendata import views

app_name = "opendata"
urlpatterns = [
    path("", views.index, name="index"),
    path("catalog.jsonld", views.catalog_jsonld, name="catalog_jsonld"),
    path("licence/", views.licence, name="licence"),
    path("keys/", views.keys, name="keys"),
    path("keys/<uuid:public_id>/revoke/", views.key_revoke, name="key_revoke"),
    path("datasets/<uuid:public_id>/", views.dataset_page, name="dataset"),
    path("datasets/<uuid:public_id>.jsonld", views.dataset_jsonld, name="dataset_jsonld"),
    path("datasets/<uuid:public_id>/download/<str:fmt>/", views.dataset_download, name="download"),
]
