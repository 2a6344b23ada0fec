"""Event-time checks (实时监察): run on ``case_event_recorded`` inside every case transition.

Only the rules relevant to the event's type are evaluated, from the per-process rule cache
(:data:`yiwang.supervision.ruleset.CACHE`: one indexed read of the generation row per relevant
event).  A terminal event closes the case's time warnings (their condition cleared); a handover
closes ``result_not_handed_over``.  Everything runs in the transition's transaction; the
recipients are told after commit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Exists, OuterRef, Q

from yiwang.accounts.models import StaffRole
from yiwang.accounts.roles import in_scope
from yiwang.cases.models import Case, CaseEvent, CaseMaterial, CaseStatus
from yiwang.catalog.models import Material
from yiwang.supervision import ruleset
from yiwang.supervision.models import RuleKind
from yiwang.supervision.services.warnings import close_cleared, raise_warnings

TERMINAL_EVENTS = {
    "completed",
    "withdrawn",
    "terminated",
    "not_accepted",
    "correction_timed_out",
    "approval_revoked",
}
HANDOVER_EVENTS = {"delivered", "dispatched"}
TIME_KINDS = (RuleKind.TIME_YELLOW, RuleKind.TIME_RED)

# The status a case must have left for the event to be in order.
DECISION_EVENTS = {"approved", "refused", "completed"}
ACCEPT_FROM = {CaseStatus.SUBMITTED, CaseStatus.CORRECTION_REQUIRED, ""}


def on_case_event(sender: Any, case: Case, event: CaseEvent, **kwargs: Any) -> None:
    etype = event.event_type
    if etype in TERMINAL_EVENTS:
        close_cleared(case.pk, TIME_KINDS)
    if etype in HANDOVER_EVENTS:
        close_cleared(case.pk, (RuleKind.RESULT_NOT_HANDED_OVER,))
    kinds = ruleset.EVENT_KINDS.get(etype)
    if not kinds:
        return
    rules = ruleset.CACHE.snapshot()
    if not rules:
        return
    region_code: str | None = None
    found: list[tuple[ruleset.CachedRule, dict[str, Any]]] = []
    for kind in kinds:
        candidates = rules.get(kind, ())
        if not candidates:
            continue
        if region_code is None and any(r.region_prefix is not None for r in candidates):
            region_code = case.handling_organisation.region.full_code
        rule = ruleset.effective_rule(
            candidates, case.item_id, case.handling_organisation_id, region_code or ""
        )
        if rule is None:
            continue
        detail = CHECKS[kind](case, event, rule)
        if detail is not None:
            found.append((rule, {"event": etype, "sequence": event.sequence, **detail}))
    raise_warnings(case, found)


def steps_out_of_order(case: Case, event: CaseEvent, rule: ruleset.CachedRule) -> dict[str, Any] | None:
    etype = event.event_type
    if etype == "accepted" and event.from_status not in ACCEPT_FROM:
        return {"reason": "accepted_from", "from_status": event.from_status}
    if etype in DECISION_EVENTS and case.accepted_at is None:
        return {"reason": "decided_before_acceptance"}
    if etype in HANDOVER_EVENTS and case.completed_at is None:
        return {"reason": "delivered_before_completion"}
    return None


def accepted_without_materials(
    case: Case, event: CaseEvent, rule: ruleset.CachedRule
) -> dict[str, Any] | None:
    # One statement: the item's mandatory materials the case has no current material for (by id or,
    # for materials renamed since, by name).
    provided = CaseMaterial.objects.filter(case_id=case.pk, superseded=False).filter(
        Q(material_id=OuterRef("pk")) | Q(material_name=OuterRef("name"))
    )
    absent = (
        Material.objects.filter(item_id=case.item_id, mandatory=True)
        .annotate(present=Exists(provided))
        .filter(present=False)
        .values_list("pk", "name")
    )
    gap_ids = {g.get("material_id") for g in (case.gap_items or []) if isinstance(g, dict)}
    missing = [name for pk, name in absent if pk not in gap_ids]
    return {"missing": sorted(missing)[:20]} if missing else None


def decision_by_unauthorised(case: Case, event: CaseEvent, rule: ruleset.CachedRule) -> dict[str, Any] | None:
    actor = event.actor
    if actor is None:  # an automatic decision (秒批) by a decision table
        return None
    if in_scope(actor, case.handling_organisation_id, [StaffRole.APPROVER]):
        return None
    return {"actor": event.actor_label}


def repeated_corrections(case: Case, event: CaseEvent, rule: ruleset.CachedRule) -> dict[str, Any] | None:
    rounds = CaseEvent.objects.filter(case_id=case.pk, event_type="correction_requested").count()
    limit = int(rule.thresholds.get("rounds", 2))
    return {"rounds": rounds} if rounds >= limit else None


def refusal_without_reason(case: Case, event: CaseEvent, rule: ruleset.CachedRule) -> dict[str, Any] | None:
    if (event.comment or "").strip() or (case.decision_comment or "").strip():
        return None
    return {"reason": "no_reason"}


CHECKS: dict[str, Callable[[Case, CaseEvent, ruleset.CachedRule], dict[str, Any] | None]] = {
    RuleKind.STEPS_OUT_OF_ORDER: steps_out_of_order,
    RuleKind.ACCEPTED_WITHOUT_MATERIALS: accepted_without_materials,
    RuleKind.DECISION_BY_UNAUTHORISED: decision_by_unauthorised,
    RuleKind.REPEATED_CORRECTIONS: repeated_corrections,
    RuleKind.REFUSAL_WITHOUT_REASON: refusal_without_reason,
}
