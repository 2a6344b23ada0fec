"""The rule set: default rules, threshold validation, and the per-process cache the checks read.

The cache holds the active rules by kind; it is reloaded when the generation number in
:class:`RuleGeneration` differs from the one it was loaded at (every rule change bumps it), so a
transition costs one indexed read of that row instead of reading every rule.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import F

from yiwang.core.errors import DomainError
from yiwang.supervision.errors import SupervisionErrorCode
from yiwang.supervision.models import RuleGeneration, RuleKind, SupervisionRule, WarningLevel

# kind -> (level, {threshold: (default, minimum, maximum)})
KIND_SPECS: dict[str, tuple[str, dict[str, tuple[float, float, float]]]] = {
    RuleKind.TIME_YELLOW: (WarningLevel.YELLOW, {"share": (0.8, 0.05, 0.99)}),
    RuleKind.TIME_RED: (WarningLevel.RED, {}),
    RuleKind.STEPS_OUT_OF_ORDER: (WarningLevel.RED, {}),
    RuleKind.ACCEPTED_WITHOUT_MATERIALS: (WarningLevel.YELLOW, {}),
    RuleKind.DECISION_BY_UNAUTHORISED: (WarningLevel.RED, {}),
    RuleKind.REPEATED_CORRECTIONS: (WarningLevel.YELLOW, {"rounds": (2, 1, 20)}),
    RuleKind.LONG_SPECIAL_PROCEDURE: (WarningLevel.YELLOW, {"working_days": (30, 1, 365)}),
    RuleKind.REFUSAL_WITHOUT_REASON: (WarningLevel.RED, {}),
    RuleKind.RESULT_NOT_HANDED_OVER: (
        WarningLevel.YELLOW,
        {"working_days": (5, 1, 60), "lookback_days": (60, 1, 366)},
    ),
    RuleKind.LICENCE_NOT_ISSUED: (
        WarningLevel.YELLOW,
        {"hours": (24, 1, 720), "lookback_days": (60, 1, 366)},
    ),
}

DEFAULT_NAMES = {kind: str(RuleKind(kind).label) for kind in KIND_SPECS}

# Which case events each anomaly rule looks at (the event-time checks).
EVENT_KINDS: dict[str, tuple[str, ...]] = {
    "accepted": (RuleKind.ACCEPTED_WITHOUT_MATERIALS, RuleKind.STEPS_OUT_OF_ORDER),
    "approved": (RuleKind.DECISION_BY_UNAUTHORISED, RuleKind.STEPS_OUT_OF_ORDER),
    "refused": (
        RuleKind.DECISION_BY_UNAUTHORISED,
        RuleKind.REFUSAL_WITHOUT_REASON,
        RuleKind.STEPS_OUT_OF_ORDER,
    ),
    "not_accepted": (RuleKind.REFUSAL_WITHOUT_REASON,),
    "completed": (RuleKind.STEPS_OUT_OF_ORDER,),
    "correction_requested": (RuleKind.REPEATED_CORRECTIONS,),
    "dispatched": (RuleKind.STEPS_OUT_OF_ORDER,),
    "delivered": (RuleKind.STEPS_OUT_OF_ORDER,),
}
# Rules the scan evaluates (conditions that change with time and clear by themselves).
SCAN_KINDS = (
    RuleKind.TIME_YELLOW,
    RuleKind.TIME_RED,
    RuleKind.LONG_SPECIAL_PROCEDURE,
    RuleKind.RESULT_NOT_HANDED_OVER,
    RuleKind.LICENCE_NOT_ISSUED,
)


def validate_thresholds(kind: str, raw: dict[str, Any] | None) -> dict[str, float]:
    """The thresholds of ``kind`` with defaults filled in (400 ``invalid_thresholds`` otherwise)."""
    if kind not in KIND_SPECS:
        raise DomainError(SupervisionErrorCode.INVALID_THRESHOLDS, "未知的规则类型", {"kind": [kind]})
    spec = KIND_SPECS[kind][1]
    raw = raw or {}
    unknown = sorted(set(raw) - set(spec))
    if unknown:
        raise DomainError(SupervisionErrorCode.INVALID_THRESHOLDS, "未知的阈值", {"thresholds": unknown})
    out: dict[str, float] = {}
    for key, (default, low, high) in spec.items():
        value = raw.get(key, default)
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = float("nan")
        if not (low <= number <= high):
            raise DomainError(
                SupervisionErrorCode.INVALID_THRESHOLDS,
                "阈值超出范围",
                {key: [f"{low}–{high}"]},
            )
        out[key] = int(number) if float(default).is_integer() and number.is_integer() else number
    return out


@dataclass(frozen=True)
class CachedRule:
    id: int
    kind: str
    version: int
    level: str
    thresholds: dict[str, Any]
    item_id: int | None
    department_id: int | None
    region_prefix: str | None

    def applies(self, item_id: int, department_id: int, region_code: str) -> bool:
        if self.item_id is not None and self.item_id != item_id:
            return False
        if self.department_id is not None and self.department_id != department_id:
            return False
        return self.region_prefix is None or region_code.startswith(self.region_prefix)

    @property
    def precedence(self) -> tuple[int, int]:
        return precedence(self.item_id, self.department_id, self.region_prefix, self.id)


def precedence(
    item_id: int | None, department_id: int | None, region_prefix: str | None, pk: int
) -> tuple[int, int]:
    """How specific a rule's scope is, then its id: of the rules of one kind that apply to a case only
    the one with the highest precedence counts (an item rule over a department rule over a region rule,
    a county over its city, any scoped rule over the global one; the newer of two equal scopes)."""
    return ((item_id is not None) * 100 + (department_id is not None) * 50 + len(region_prefix or ""), pk)


def effective_rule(
    rules: Iterable[CachedRule], item_id: int, department_id: int, region_code: str
) -> CachedRule | None:
    """The one rule of a kind that governs a case: the applicable rule with the highest precedence."""
    best: CachedRule | None = None
    for rule in rules:
        if rule.applies(item_id, department_id, region_code) and (
            best is None or rule.precedence > best.precedence
        ):
            best = rule
    return best


def region_prefix_of(full_code: str, level: int) -> str:
    return full_code[: {2: 2, 3: 4, 4: 6, 5: 9}.get(level, 12)]


class RuleCache:
    """The active rules by kind, reloaded when the generation changes.

    The generation row is read at most once per ``YIWANG_SUPERVISION_RULES_CHECK_SECONDS`` (default
    1 s; 0 reads it on every transition): a rule changed in another process applies to this one's
    transitions within that time, a rule changed in this process at once (``bump_generation``
    forgets the reading).  docs/adr/0018-rule-generation-read-once-a-second.md."""

    def __init__(self) -> None:
        self.generation: tuple[int, str] | None = None
        self.by_kind: dict[str, list[CachedRule]] = {}
        self.checked_at = -1.0
        self.lock = threading.Lock()

    def snapshot(self) -> dict[str, list[CachedRule]]:
        """The active rules by kind: the generation read when the last reading is older than the
        check interval, a reload when it changed."""
        now = time.monotonic()
        interval = float(getattr(settings, "YIWANG_SUPERVISION_RULES_CHECK_SECONDS", 1.0))
        if self.checked_at >= 0 and now - self.checked_at < interval:
            return self.by_kind
        current = current_generation()
        if current != self.generation:
            with self.lock:
                self.by_kind = load_rules() if current is not None else {}
                self.generation = current
        self.checked_at = now
        return self.by_kind

    def forget(self) -> None:
        """Read the generation again at the next transition (a rule changed here; a test ended)."""
        self.checked_at = -1.0

    def rules(self, kind: str) -> list[CachedRule]:
        return self.snapshot().get(kind, [])


def current_generation() -> tuple[int, str] | None:
    """(generation, token): the token is new on every bump, so a database rebuilt with the same
    generation number (tests, a restore) never matches a cache loaded from another one."""
    row = RuleGeneration.objects.filter(pk=1).values_list("generation", "token").first()
    return None if row is None else (int(row[0]), str(row[1]))


def bump_generation() -> None:
    """Called in the transaction of every rule change."""
    CACHE.forget()
    updated = RuleGeneration.objects.filter(pk=1).update(generation=F("generation") + 1, token=uuid.uuid4())
    if not updated:
        RuleGeneration.objects.get_or_create(pk=1, defaults={"generation": 1, "token": uuid.uuid4()})


def load_rules() -> dict[str, list[CachedRule]]:
    by_kind: dict[str, list[CachedRule]] = {}
    rows = SupervisionRule.objects.filter(active=True).select_related("scope_region")
    for rule in rows:
        region = rule.scope_region
        by_kind.setdefault(rule.kind, []).append(
            CachedRule(
                id=rule.pk,
                kind=rule.kind,
                version=rule.version,
                level=rule.level,
                thresholds=dict(rule.thresholds or {}),
                item_id=rule.scope_item_id,
                department_id=rule.scope_department_id,
                region_prefix=region_prefix_of(region.full_code, region.level) if region else None,
            )
        )
    return by_kind


CACHE = RuleCache()
