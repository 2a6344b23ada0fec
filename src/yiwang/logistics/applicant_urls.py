"""The applicant's postage page under /logistics/postage/<order id>/pay/."""

from django.urls import URLPattern, URLResolver, path

from yiwang.logistics import applicant_views

app_name = "logistics_postage"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", applicant_views.postage_page, name="pay"),
    path("start/", applicant_views.postage_start, name="start"),
]
