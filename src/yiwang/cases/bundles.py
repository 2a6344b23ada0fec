"""一件事 bundle applications: one merged form → one sub-case per member item → one combined result.

* Split (拆分): the merged form's values are spread onto each member item's form by the bundle's field
  mappings (catalog/bundles.py); each material is uploaded once (材料去重) and shared with every
  member that needs it.  All member applications are validated first and filed in one transaction:
  either every sub-case exists (each with its own case number, handled by its own body) or none.
* Join (汇总): every terminal transition of a sub-case re-derives the application's status; when the
  last sub-case ends, one combined result (结果告知书 listing each item's outcome, stamped by the lead
  body, i.e. the first member's) is issued, delivered once and the applicant is notified.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.accounts.services import applicant_identity
from yiwang.cases.documents import issue_document
from yiwang.cases.errors import CaseErrorCode
from yiwang.cases.models import (
    TERMINAL_STATUSES,
    BundleApplication,
    BundleApplicationStatus,
    BundleCase,
    Case,
    CaseEvent,
    CaseOutcome,
    CaseStatus,
    DeliveryMethod,
    DocumentKind,
)
from yiwang.cases.notifications import notify_bundle
from yiwang.cases.queries import visible_cases
from yiwang.cases.services.applicants import check_applicant
from yiwang.cases.services.delivery import validate_choice
from yiwang.cases.services.filing import submit_application
from yiwang.cases.services.materials import validate_application
from yiwang.cases.transitions import require_staff_role
from yiwang.catalog.bundles import bundle_materials, split_form_data
from yiwang.catalog.models import Bundle, BundleMember
from yiwang.core import audit
from yiwang.core.errors import DomainError, NotFound

TERMINAL_EVENTS = {"completed", "not_accepted", "withdrawn", "terminated"}


def _selected_members(bundle: Bundle, optional_items: Sequence[str] | None) -> list[BundleMember]:
    chosen = {str(item_id) for item_id in optional_items or []}
    members = [m for m in bundle.members.all() if not m.optional or str(m.item.public_id) in chosen]
    if not members:
        raise DomainError(CaseErrorCode.BUNDLE_NOT_AVAILABLE, "该一件事没有可办理的事项", status=409)
    return members


def split_application(
    bundle: Bundle,
    members: Sequence[BundleMember],
    form_data: Mapping[str, Any],
    member_forms: Mapping[str, Mapping[str, Any]],
    files: Mapping[str, Sequence[UploadedFile]],
) -> dict[int, tuple[dict[str, Any], dict[str, list[UploadedFile]]]]:
    """拆分 ``{member pk: (item form, {item material public id: files})}``.

    ``files`` is keyed by the bundle material key (:func:`catalog.bundles.bundle_materials`); one
    upload goes to every member that asks for that material.
    """
    rows = {row.key: row for row in bundle_materials(bundle)}
    unknown = [key for key in files if key not in rows]
    if unknown:
        raise DomainError(
            CaseErrorCode.UNKNOWN_MATERIAL, "上传的材料不属于该一件事", {k: ["未知材料"] for k in unknown}
        )
    forms = split_form_data(bundle, form_data)
    result: dict[int, tuple[dict[str, Any], dict[str, list[UploadedFile]]]] = {}
    for member in members:
        item_id = str(member.item.public_id)
        form = {**dict(member_forms.get(item_id, {})), **forms.get(item_id, {})}
        member_files: dict[str, list[UploadedFile]] = {}
        for key, uploads in files.items():
            for material in rows[key].materials:
                if material.item_id == member.item_id:
                    member_files[str(material.public_id)] = list(uploads)
        result[member.pk] = (form, member_files)
    return result


def apply_bundle(
    *,
    applicant: User,
    bundle: Bundle,
    form_data: Mapping[str, Any],
    files: Mapping[str, Sequence[UploadedFile]],
    member_forms: Mapping[str, Mapping[str, Any]] | None = None,
    optional_items: Sequence[str] | None = None,
    delivery_method: str = DeliveryMethod.ELECTRONIC,
    delivery_address: str = "",
) -> BundleApplication:
    """申请一件事: validate every member's application (all problems at once), then file them together."""
    method, address, _phone = validate_choice(delivery_method, delivery_address)
    members = _selected_members(bundle, optional_items)
    parts = split_application(bundle, members, form_data, member_forms or {}, files)
    errors: dict[str, list[str]] = {}
    for member in members:
        form, member_files = parts[member.pk]
        try:
            check_applicant(applicant, member.item)
            validate_application(member.item, form, member_files)
        except DomainError as exc:
            if exc.status not in (400, 422) and exc.code != CaseErrorCode.FORM_INVALID:
                raise
            for name, messages in exc.fields.items():
                errors[f"{member.item.public_id}.{name}"] = [f"{member.item.name}：{m}" for m in messages]
    if errors:
        raise DomainError(CaseErrorCode.FORM_INVALID, "一件事申请表填写不完整或缺少材料", errors)
    name, _type, id_number = applicant_identity(applicant)
    with transaction.atomic():
        application = BundleApplication.objects.create(
            bundle=bundle,
            applicant=applicant,
            applicant_name=name,
            applicant_id_number=id_number,
            form_data=dict(form_data),
            delivery_method=method,
            delivery_address=address,
            submitted_at=timezone.now(),
        )
        for member in members:
            form, member_files = parts[member.pk]
            case = submit_application(
                applicant=applicant,
                item=member.item,
                form_data=form,
                files=member_files,
                delivery_method=DeliveryMethod.ELECTRONIC,
            )
            BundleCase.objects.create(application=application, member=member, case=case)
        audit.record(
            "bundle.applied",
            actor=applicant,
            obj=application,
            detail={"bundle": bundle.code, "sub_cases": len(members)},
        )
    return application


def visible_applications(user: User) -> QuerySet[BundleApplication]:
    """An applicant sees his own; staff see those with a sub-case in their scope."""
    qs = BundleApplication.objects.select_related("bundle")
    if not user.is_authenticated:
        return qs.none()
    if user.kind == "staff":
        return qs.filter(sub_cases__case__in=visible_cases(user)).distinct()
    return qs.filter(applicant=user)


def get_application_for(user: User, public_id: Any) -> BundleApplication:
    try:
        return visible_applications(user).get(public_id=public_id)
    except (BundleApplication.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("一件事申请不存在") from exc


def with_details(qs: QuerySet[BundleApplication]) -> QuerySet[BundleApplication]:
    """Sub-cases and documents prefetched: a list costs a fixed number of queries."""
    return qs.prefetch_related(
        Prefetch(
            "sub_cases",
            queryset=BundleCase.objects.select_related("case__item", "case__handling_organisation").order_by(
                "member__order", "pk"
            ),
        ),
        "documents",
    )


def sub_cases(application: BundleApplication) -> list[Case]:
    if "sub_cases" in getattr(application, "_prefetched_objects_cache", {}):
        return [link.case for link in application.sub_cases.all()]
    return [
        link.case
        for link in application.sub_cases.select_related(
            "case__item", "case__handling_organisation"
        ).order_by("member__order", "pk")
    ]


def derive_status(cases: Sequence[Case]) -> str:
    """一件事状态 from the sub-cases: in progress until all are terminal; then completed (all
    approved), refused (none approved), partially refused, or withdrawn (all withdrawn)."""
    if any(case.status not in TERMINAL_STATUSES for case in cases):
        return BundleApplicationStatus.IN_PROGRESS
    if all(case.status == CaseStatus.WITHDRAWN for case in cases):
        return BundleApplicationStatus.WITHDRAWN
    approved = [case for case in cases if case.outcome == CaseOutcome.APPROVED]
    if len(approved) == len(cases):
        return BundleApplicationStatus.COMPLETED
    return BundleApplicationStatus.PARTIALLY_REFUSED if approved else BundleApplicationStatus.REFUSED


def _outcome_label(case: Case) -> str:
    if case.status == CaseStatus.WITHDRAWN:
        return "已撤回"
    if case.status == CaseStatus.NOT_ACCEPTED:
        return f"不予受理（{case.decision_comment}）"
    if case.outcome == CaseOutcome.APPROVED:
        return "准予" + (f"，结果：{case.item.result_name}" if case.item.result_name else "")
    return (
        f"不予批准（理由：{case.decision_comment}）"
        if case.decision_comment
        else str(case.get_status_display())
    )


def join(application: BundleApplication) -> BundleApplication:
    """汇总 Re-derive the status; when every sub-case has ended, issue the combined result once."""
    locked = BundleApplication.objects.select_for_update().select_related("bundle").get(pk=application.pk)
    cases = sub_cases(locked)
    status = derive_status(cases)
    if status == locked.status or locked.completed_at is not None:
        return locked
    locked.status = status
    if status == BundleApplicationStatus.IN_PROGRESS:
        locked.save(update_fields=["status", "updated_at"])
        return locked
    locked.completed_at = timezone.now()
    if locked.delivery_method == DeliveryMethod.ELECTRONIC:  # 电子送达 with the combined result
        locked.delivered_at = locked.completed_at
        locked.delivery_record = {
            "method": DeliveryMethod.ELECTRONIC,
            "recipient_name": locked.applicant_name,
        }
    locked.save(update_fields=["status", "completed_at", "delivered_at", "delivery_record", "updated_at"])
    if status != BundleApplicationStatus.WITHDRAWN:
        lines = [
            f"{n}. {case.item.name}（{case.number}）：{_outcome_label(case)}"
            for n, case in enumerate(cases, 1)
        ]
        refused = [case for case in cases if case.outcome != CaseOutcome.APPROVED]
        first = cases[0]
        issue_document(
            DocumentKind.BUNDLE_RESULT,
            {
                "bundle": locked.bundle.name,
                "applicant": locked.applicant_name,
                "submitted_on": f"{timezone.localtime(locked.submitted_at):%Y年%m月%d日}",
                "outcomes": "\n".join(lines),
                "refusal_note": (
                    "其中未获准予的事项，其决定书载明理由及申请行政复议、提起行政诉讼的权利和期限。"
                    if refused
                    else ""
                ),
            },
            organisation=first.handling_organisation,
            number=first.number,
            bundle_application=locked,
        )
    audit.record("bundle.completed", actor=None, obj=locked, detail={"status": status})
    application_id = locked.pk

    def _enqueue() -> None:
        notify_bundle.enqueue(application_id)

    transaction.on_commit(_enqueue)
    return locked


@receiver(post_save, sender=CaseEvent, dispatch_uid="cases.bundles.join")
def _sub_case_event(sender: object, instance: CaseEvent, created: bool, **kwargs: Any) -> None:
    if not created or instance.event_type not in TERMINAL_EVENTS:
        return
    link = BundleCase.objects.filter(case_id=instance.case_id).select_related("application").first()
    if link is not None:
        join(link.application)


def record_bundle_handover(
    application: BundleApplication,
    *,
    actor: User,
    recipient_name: str,
    recipient_signature: str = "",
    tracking_number: str = "",
) -> BundleApplication:
    """一次送达 The combined result handed over once (window pickup or courier) by a clerk of the lead
    body (the first member's)."""
    with transaction.atomic():
        locked = BundleApplication.objects.select_for_update().get(pk=application.pk)
        cases = sub_cases(locked)
        require_staff_role(actor, cases[0], ["window_clerk"])
        if locked.completed_at is None or locked.delivered_at is not None:
            raise DomainError(CaseErrorCode.INVALID_TRANSITION, "该一件事尚未全部办结或已送达", status=409)
        record = {
            "method": locked.delivery_method,
            "handed_over_by": str(actor.public_id),
            "recipient_name": (recipient_name or "").strip()[:100],
            "recipient_signature": (recipient_signature or "").strip()[:100],
            "tracking_number": (tracking_number or "").strip()[:40],
        }
        if not record["recipient_name"] or (
            locked.delivery_method == DeliveryMethod.COURIER and not record["tracking_number"]
        ):
            raise DomainError(
                CaseErrorCode.DELIVERY_INVALID,
                "送达交接信息不完整",
                {"recipient_name": ["必填"], "tracking_number": ["快递送达必填"]},
            )
        locked.delivered_at = timezone.now()
        locked.delivery_record = record
        locked.save(update_fields=["delivered_at", "delivery_record", "updated_at"])
        audit.record("bundle.delivered", actor=actor, obj=locked, detail=record)
    return locked
