from django.http import HttpRequest, HttpResponse
from django.urls import path, re_path

from yiwang_demo_paygate import api, pages
from yiwang_demo_paygate.errors import GatewayError

IDENT = r"(?P<{}>[A-Za-z0-9_-]{{1,64}})"

urlpatterns = [
    path("", pages.home, name="home"),
    path("healthz", pages.healthz, name="healthz"),
    path("api/pay/orders", api.create_order),
    re_path(rf"^api/pay/orders/{IDENT.format('order_no')}$", api.order_detail),
    re_path(rf"^api/pay/orders/{IDENT.format('order_no')}/close$", api.close_order),
    path("api/pay/refunds", api.create_refund),
    re_path(rf"^api/pay/refunds/{IDENT.format('refund_no')}$", api.refund_detail),
    re_path(r"^api/pay/statements/(?P<day>[0-9]{4}-[0-9]{2}-[0-9]{2})$", api.statement_file),
    path("api/sim/behaviour", api.sim_behaviour),
    path("api/sim/notifications", api.sim_notifications),
    re_path(r"^pay/(?P<trade_no>PG[0-9]{1,20})$", pages.pay_page, name="pay"),
    re_path(r"^pay/(?P<trade_no>PG[0-9]{1,20})/h5$", pages.h5_page, name="pay-h5"),
]


def handler404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return api.answer(GatewayError(404, "not_found", "接口不存在").body(), 404)
    return HttpResponse("404 未找到", status=404, content_type="text/plain; charset=utf-8")


def handler500(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return api.answer(GatewayError(500, "internal_error", "网关内部错误").body(), 500)
    return HttpResponse("500 网关内部错误", status=500, content_type="text/plain; charset=utf-8")
