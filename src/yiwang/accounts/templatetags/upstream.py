"""``{% load upstream %}{% upstream_login_button %}``: the "使用{name}登录" button of the log-in page,
shown only when an upstream OIDC provider is configured (docs/identity.md)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import reverse

from yiwang.accounts import upstream

register = template.Library()


@register.inclusion_tag("accounts/_upstream_login.html", takes_context=True)
def upstream_login_button(context: Any, next_url: str = "") -> dict[str, Any]:
    if not upstream.configured():
        return {"upstream_login_url": ""}
    url = reverse("accounts_upstream:login")
    if next_url:
        url += "?" + urlencode({"next": next_url})
    return {"upstream_login_url": url, "upstream_name": upstream.display_name()}
