"""The applicant's payment pages under /cases/<case id>/pay/."""

from django.urls import URLPattern, URLResolver, path

from yiwang.payments import applicant_views

app_name = "payments"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", applicant_views.pay_page, name="pay"),
    path("status/", applicant_views.pay_status, name="status"),
    path("start/", applicant_views.pay_start, name="start"),
    path("renew/", applicant_views.pay_renew, name="renew"),
]
