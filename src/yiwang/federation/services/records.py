"""上报记录 The records a city packs for its province, one builder per kind.

Each builder takes the next batch of changed source rows strictly after a cursor in ``(change time,
pk)`` order and returns the records with the cursor of the last row.  Personal data is reduced to
what the province needs: names masked, ID numbers masked plus an SM3 digest (never the plain number).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from yiwang.cases import datasets
from yiwang.cases.models import Case, CaseEvent, CaseEventType, CaseMaterial
from yiwang.catalog.models import ItemStatus, ServiceItem
from yiwang.core.crypto import sm3_hex
from yiwang.core.masking import mask_id_number, mask_name, mask_text
from yiwang.licences.models import Licence
from yiwang.licences.services.records import effective_status
from yiwang.ratings.models import Rating, RatingLevel, SubjectKind

HOLDER_DIGEST_PREFIX = "yiwang-federation/1:"
NATURAL_ID_TYPES = {"身份证", "居民身份证"}


def version_of(at: datetime, pk: int) -> str:
    """``source_version``: the change time (UTC, fixed width) and the pk, ordered as text."""
    return f"{at.astimezone(UTC).strftime('%Y%m%dT%H%M%S.%f')}|{pk:020d}"


def _ts(value: Any) -> str | None:
    """GB/T 7408 extended local time, as the dataset records write it."""
    return None if value is None else str(timezone.localtime(value).isoformat(timespec="seconds"))


def holder_digest(code: str) -> str:
    """SM3 of an ID number or credit code under the federation's (public) prefix: the province can
    match a holder whose number it is given, but reads no number from the index."""
    return sm3_hex((HOLDER_DIGEST_PREFIX + (code or "").strip().upper()).encode())


@dataclass
class Batch:
    records: dict[str, list[dict[str, Any]]]  # entry name (without .json) → records
    count: int  # source rows taken (what the cap counts)
    last: tuple[datetime, int] | None  # the cursor after this batch


def after(qs: QuerySet[Any], field: str, cursor: tuple[datetime | None, int]) -> QuerySet[Any]:
    last_at, last_pk = cursor
    if last_at is None:
        return qs
    return qs.filter(Q(**{f"{field}__gt": last_at}) | Q(**{field: last_at, "pk__gt": last_pk}))


def _masked_application(record: dict[str, Any], case: Case) -> dict[str, Any]:
    number = case.applicant_id_number or ""
    record["申请人证件号码"] = mask_id_number(number)
    record["申请人证件号码SM3"] = holder_digest(number)
    if case.applicant_id_type in NATURAL_ID_TYPES:
        record["申请人名称"] = mask_name(case.applicant_name)
    return record


def applicant_masked(case: Case) -> str:
    if case.applicant_id_type in NATURAL_ID_TYPES:
        return mask_name(case.applicant_name)
    return case.applicant_name


# --- cases ---------------------------------------------------------------------------------------
def case_batch(cursor: tuple[datetime | None, int], *, until: datetime, limit: int) -> Batch:
    """The case events after ``cursor`` (up to ``until``) as GB/T 39046 dataset records, with one
    summary per case touched (its state now)."""
    events = list(
        after(CaseEvent.objects.filter(occurred_at__lte=until), "occurred_at", cursor)
        .select_related("case", "case__item", "case__handling_organisation")
        .order_by("occurred_at", "pk")[:limit]
    )
    applied = {e.case_id for e in events if e.event_type == CaseEventType.APPLIED}
    materials: dict[int, list[CaseMaterial]] = defaultdict(list)
    for material in CaseMaterial.objects.filter(case_id__in=applied).order_by("material_name", "pk"):
        materials[material.case_id].append(material)
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in datasets.DATASETS}
    summaries: dict[int, dict[str, Any]] = {}
    for event in events:
        case = event.case
        version = version_of(event.occurred_at, event.pk)
        if event.event_type == CaseEventType.APPLIED:
            rows["application"].append(
                _masked_application(datasets.application_record(case, materials[case.pk]), case)
            )
        if event.event_type in datasets.ACCEPTANCE_EVENTS:
            rows["acceptance"].append(datasets.acceptance_record(case, event))
        rows["process"].append(datasets.process_record(case, event))
        if event.event_type in datasets.SPECIAL_EVENTS:
            rows["special_procedure"].append(datasets.special_procedure_record(case, event))
        if event.event_type in datasets.COMPLETION_EVENTS:
            rows["completion"].append(datasets.completion_record(case, event))
        summaries[case.pk] = {
            "办件编号": case.number,
            "实施编码": case.item.implementation_code,
            "事项名称": case.item.name,
            "基本编码": case.item.base_code,
            "实施主体名称": case.handling_organisation.name,
            "申请人": applicant_masked(case),
            "办件状态": case.status,
            "办理渠道": case.channel,
            "申请时间": _ts(case.submitted_at),
            "受理时间": _ts(case.accepted_at),
            "办结时间": _ts(case.completed_at),
            "承诺办结日期": case.due_date.isoformat() if case.due_date else None,
            "最近环节时间": _ts(event.occurred_at),
            "source_version": version,
        }
    records = {**rows, "cases": list(summaries.values())}
    last = (events[-1].occurred_at, events[-1].pk) if events else None
    return Batch(records, len(events), last)


# --- licences ------------------------------------------------------------------------------------
def licence_record(licence: Licence) -> dict[str, Any]:
    return {
        "identifier": licence.identifier,
        "serial": licence.serial,
        "version": licence.version,
        "type_code": licence.licence_type.code,
        "type_name": licence.licence_type.name,
        "holder_masked": mask_name(licence.holder_name)
        if licence.holder_code_type in NATURAL_ID_TYPES
        else licence.holder_name,
        "holder_code_masked": mask_id_number(licence.holder_code),
        "holder_code_sm3": holder_digest(licence.holder_code),
        "issuer_name": licence.issuer_name,
        "issuer_code": licence.issuer_code,
        "region_code": licence.region_code,
        "issued_on": licence.issued_on.isoformat(),
        "valid_from": licence.valid_from.isoformat(),
        "valid_until": licence.valid_until.isoformat() if licence.valid_until else None,
        "status": effective_status(licence),
        "document_sha256": licence.document_sha256,
        "record_sm3": sm3_hex((licence.record_json or "").encode()),
        "source_version": version_of(licence.updated_at, licence.pk),
    }


def licence_batch(cursor: tuple[datetime | None, int], *, until: datetime, limit: int) -> Batch:
    rows = list(
        after(Licence.objects.filter(updated_at__lte=until), "updated_at", cursor)
        .select_related("licence_type")
        .order_by("updated_at", "pk")[:limit]
    )
    last = (rows[-1].updated_at, rows[-1].pk) if rows else None
    return Batch({"licences": [licence_record(r) for r in rows]}, len(rows), last)


# --- ratings -------------------------------------------------------------------------------------
def rating_batch(cursor: tuple[datetime | None, int], *, until: datetime, limit: int) -> Batch:
    rows = list(
        after(Rating.objects.filter(updated_at__lte=until), "updated_at", cursor)
        .select_related("invitation__organisation", "invitation__item")
        .order_by("updated_at", "pk")[:limit]
    )
    case_ids = [r.invitation.subject_id for r in rows if r.invitation.subject_kind == SubjectKind.CASE]
    numbers = dict(Case.objects.filter(public_id__in=case_ids).values_list("public_id", "number"))
    records = []
    for r in rows:
        inv = r.invitation
        records.append(
            {
                "rating_id": str(r.public_id),
                "subject_kind": inv.subject_kind,
                "case_number": numbers.get(inv.subject_id, ""),
                "item_code": inv.item.implementation_code if inv.item else "",
                "item_name": inv.item.name if inv.item else "",
                "department": inv.organisation.name,
                "department_code": inv.organisation.credit_code,
                "area_code": inv.region_code,
                "channel": r.channel,
                "level": r.level,
                "level_label": str(RatingLevel(r.level).label),
                "reasons": list(r.reasons or []),
                "comment": mask_text(r.comment or ""),
                "is_default": r.is_default,
                "rated_at": _ts(r.rated_at),
                "source_version": version_of(r.updated_at, r.pk),
            }
        )
    last = (rows[-1].updated_at, rows[-1].pk) if rows else None
    return Batch({"ratings": records}, len(rows), last)


# --- catalogue -----------------------------------------------------------------------------------
CATALOGUE_STATUSES = (ItemStatus.PUBLISHED, ItemStatus.WITHDRAWN)


def catalogue_items(region_prefix: str = "") -> QuerySet[ServiceItem]:
    items = ServiceItem.objects.filter(status__in=CATALOGUE_STATUSES)
    if region_prefix:
        items = items.filter(region__full_code__startswith=region_prefix)
    return items


def catalogue_record(item: ServiceItem, version: str) -> dict[str, Any]:
    return {
        "implementation_code": item.implementation_code,
        "base_code": item.base_code,
        "name": item.name,
        "item_type": item.item_type,
        "legal_basis": item.legal_basis,
        "statutory_limit_days": item.statutory_limit_days,
        "committed_limit_days": item.committed_limit_days,
        "fee_required": item.fee_required,
        "tongban_range": item.tongban_range,
        "department": item.implementing_body.name if item.implementing_body_id else "",
        "status": item.status,
        "version": item.version,
        "source_version": version,
    }


def catalogue_batch(
    cursor: tuple[datetime | None, int], *, until: datetime, limit: int, region_prefix: str = ""
) -> Batch:
    """The items changed after ``cursor``; for each implementation code its current row (the
    published one if there is one, else the latest), so a revision never reads as a withdrawal."""
    items = catalogue_items(region_prefix)
    changed = list(
        after(items.filter(updated_at__lte=until), "updated_at", cursor)
        .order_by("updated_at", "pk")
        .values_list("updated_at", "pk", "implementation_code")[:limit]
    )
    codes = {code for _, _, code in changed}
    current: dict[str, ServiceItem] = {}
    for item in (
        items.filter(implementation_code__in=codes)
        .select_related("implementing_body")
        .order_by("updated_at", "pk")
    ):
        held = current.get(item.implementation_code)
        if held is None or held.status != ItemStatus.PUBLISHED or item.status == ItemStatus.PUBLISHED:
            current[item.implementation_code] = item
    version = {code: version_of(at, pk) for at, pk, code in changed}  # the last change per code
    records = [catalogue_record(current[code], version[code]) for code in sorted(current)]
    last = (changed[-1][0], changed[-1][1]) if changed else None
    return Batch({"catalogue": records}, len(changed), last)


BUILDERS: dict[str, Callable[..., Batch]] = {
    "federation.cases": case_batch,
    "federation.licences": licence_batch,
    "federation.ratings": rating_batch,
    "federation.catalogue": catalogue_batch,
}
