"""The finance view (财务) under /workbench/finance/."""

from django.urls import URLPattern, URLResolver, path

from yiwang.payments import reconciliation_views as recon
from yiwang.payments import views

app_name = "finance"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.order_list, name="orders"),
    path("orders/<uuid:order_id>/", views.order_detail, name="order"),
    path("orders/<uuid:order_id>/refund/", views.order_refund, name="refund"),
    path("orders/<uuid:order_id>/offline/", views.order_offline, name="offline"),
    path("reconciliation/", recon.run_list, name="reconciliation"),
    path("reconciliation/run/", recon.run_start, name="reconciliation_start"),
    path("reconciliation/<uuid:run_id>/", recon.run_report, name="reconciliation_run"),
    path(
        "reconciliation/<uuid:run_id>/export.<str:fmt>",
        recon.run_export,
        name="reconciliation_export",
    ),
    path("reconciliation/items/<uuid:item_id>/propose/", recon.item_propose, name="reconciliation_propose"),
    path(
        "reconciliation/corrections/<uuid:correction_id>/decide/",
        recon.correction_decide,
        name="reconciliation_decide",
    ),
]
