"""The finance view (财务) under /workbench/finance/."""

from django.urls import URLPattern, URLResolver, path

from yiwang.payments import views

app_name = "finance"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.order_list, name="orders"),
    path("orders/<uuid:order_id>/", views.order_detail, name="order"),
    path("orders/<uuid:order_id>/refund/", views.order_refund, name="refund"),
    path("orders/<uuid:order_id>/offline/", views.order_offline, name="offline"),
]
