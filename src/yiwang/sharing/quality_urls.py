"""Workbench pages of data-quality tickets; mounted at /workbench/sharing/quality/."""

from django.urls import path

from yiwang.sharing import quality_views

app_name = "sharing_quality"
urlpatterns = [
    path("", quality_views.quality_list, name="list"),
    path("new/", quality_views.quality_new, name="new"),
    path("<uuid:public_id>/", quality_views.quality_detail, name="detail"),
    path("<uuid:public_id>/<slug:action>/", quality_views.quality_action, name="action"),
]
