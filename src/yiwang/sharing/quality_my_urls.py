"""The applicant's data-quality pages (本人数据纠错); mounted at /my/data-quality/."""

from django.urls import path

from yiwang.sharing import quality_views

app_name = "sharing_quality_mine"
urlpatterns = [
    path("", quality_views.my_quality, name="list"),
    path("<uuid:public_id>/", quality_views.my_quality_detail, name="detail"),
]
