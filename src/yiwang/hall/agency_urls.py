"""帮办代办 pages of the workbench (/workbench/hall/agency/; see yiwang/urls.py for the prefix)."""

from django.urls import URLPattern, URLResolver, path

from yiwang.hall import agency_views as views

app_name = "hall_agency"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("record/", views.record, name="record"),
    path("<uuid:authorisation_id>/", views.detail, name="detail"),
    path("<uuid:authorisation_id>/revoke/", views.revoke, name="revoke"),
    path("<uuid:authorisation_id>/apply/", views.apply, name="apply"),
]
