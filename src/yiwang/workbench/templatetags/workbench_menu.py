"""``{% workbench_menu as menu %}``: the workbench navigation of the current staff member."""

from __future__ import annotations

from typing import Any

from django import template

from yiwang.workbench.menu import Menu
from yiwang.workbench.menu import workbench_menu as build_menu

register = template.Library()


@register.simple_tag(takes_context=True)
def workbench_menu(context: Any) -> Menu:
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    return build_menu(context.get("staff_role_names") or (), getattr(match, "view_name", "") or "")
