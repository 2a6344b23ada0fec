from typing import Any

from django.apps import AppConfig


def paygate_form_origins(request: Any) -> list[str]:
    """CSP ``form-action``: a pay page's 网上支付 form (``/cases/<id>/pay/``, the postage page
    ``/logistics/postage/<id>/pay/``) ends in a redirect to the gateway's cashier, and browsers
    check ``form-action`` on that redirect: the pay pages allow the gateway's origin."""
    if request is not None and "/pay/" not in getattr(request, "path", ""):
        return []
    from urllib.parse import urlsplit

    from yiwang.payments import conf

    parts = urlsplit(conf.paygate_url())
    return [f"{parts.scheme}://{parts.netloc}"] if parts.scheme in ("http", "https") else []


class PaymentsConfig(AppConfig):
    name = "yiwang.payments"
    label = "payments"
    verbose_name = "统一支付 Payments"

    def ready(self) -> None:
        from yiwang.core.security_headers import register_form_action_source

        register_form_action_source(paygate_form_origins)
