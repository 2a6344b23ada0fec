"""派单规则 Which department a ticket goes to: the active routing rules (data) matched on category,
keywords/subject tags and region; the fallback rule (the hotline centre) when none matches."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from yiwang.core.models import Organisation
from yiwang.tickets.models import RoutingRule


def _specificity(rule: RoutingRule) -> int:
    return bool(rule.category) + bool(rule.keyword) + len(rule.region_prefix)


CACHE_SECONDS = 60.0
_rules: list[RoutingRule] | None = None
_loaded_at = 0.0


def active_rules() -> list[RoutingRule]:
    """The active rules with their departments, read at most once a minute per process (and again
    at once in this process after a rule is saved: :func:`forget_rules`)."""
    global _rules, _loaded_at
    now = time.monotonic()
    if _rules is None or now - _loaded_at > CACHE_SECONDS:
        _rules = list(RoutingRule.objects.filter(is_active=True).select_related("department__region"))
        _loaded_at = now
    return _rules


def forget_rules(**_: Any) -> None:
    """Connected to RoutingRule post_save/post_delete (``TicketsConfig.ready``)."""
    global _rules
    _rules = None


def route(*, category: str, terms: Iterable[str], region_code: str) -> Organisation | None:
    """The department the rules send a ticket to (None: no rule and no fallback)."""
    words = {t.lower() for t in terms if t}
    rules = [r for r in active_rules() if r.department.is_active]
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
    fallbacks = sorted((r for r in rules if r.is_fallback), key=lambda r: (-r.priority, r.pk))
    return fallbacks[0].department if fallbacks else None


def fallback_department() -> Organisation | None:
    """兜底 The hotline centre (the active fallback rule's department)."""
    rule = (
        RoutingRule.objects.filter(is_active=True, is_fallback=True)
        .select_related("department")
        .order_by("-priority", "pk")
        .first()
    )
    return rule.department if rule else None
