"""派单规则 Which department a ticket goes to: the active routing rules (data) matched on category,
keywords/subject tags and region; the fallback rule (the hotline centre) when none matches."""

from __future__ import annotations

from collections.abc import Iterable

from yiwang.core.models import Organisation
from yiwang.tickets.models import RoutingRule


def _specificity(rule: RoutingRule) -> int:
    return bool(rule.category) + bool(rule.keyword) + len(rule.region_prefix)


def route(*, category: str, terms: Iterable[str], region_code: str) -> Organisation | None:
    """The department the rules send a ticket to (None: no rule and no fallback)."""
    words = {t.lower() for t in terms if t}
    rules = list(RoutingRule.objects.filter(is_active=True).select_related("department"))
    matching = [
        r
        for r in rules
        if not r.is_fallback
        and (not r.category or r.category == category)
        and (not r.keyword or r.keyword.lower() in words)
        and (not r.region_prefix or (region_code or "").startswith(r.region_prefix))
    ]
    if matching:
        matching.sort(key=lambda r: (-r.priority, -_specificity(r), r.pk))
        return matching[0].department
    return fallback_department()


def fallback_department() -> Organisation | None:
    """兜底 The hotline centre (the active fallback rule's department)."""
    rule = (
        RoutingRule.objects.filter(is_active=True, is_fallback=True)
        .select_related("department")
        .order_by("-priority", "pk")
        .first()
    )
    return rule.department if rule else None
