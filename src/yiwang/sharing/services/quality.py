"""Data-quality tickets (数据纠错): report → accept → fix / reject, with comments and deadlines.

Who reports: the staff of a consumer department (an organisation holding an active grant on the
resource), about any subject; or an applicant about his own record only (the subject is taken from
his account, never typed).  Who answers: only the data officials of the resource's provider.  The
deadline is ``YIWANG_SHARING_QUALITY_DAYS`` working days (default 5) after the report, at the end of
that day.  Messages go out on commit.

The fix flows into the base (更正回流): either the provider's own system sends the corrected record in
a feed package through the exchange (``bases.<base>.feed``, batch id = package id) and the official
closes the ticket naming that package (:func:`fix_ticket` checks it was applied and carried the
subject), or the official enters the corrected values here (:func:`fix_ticket_with_values`): they are
applied to the base with ``apply_updates`` as the provider, in a batch named after the ticket
(``quality-<ticket id>``), and the ticket is closed in the same transaction."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from yiwang.accounts.models import AccountKind, User
from yiwang.accounts.services import staff_roles
from yiwang.bases.models import BaseChange, BaseKind, Company, Person
from yiwang.bases.services import FEED_KINDS, apply_updates, feed_source
from yiwang.core import audit
from yiwang.core.calendar import add_working_days
from yiwang.core.errors import Conflict, CoreErrorCode, DomainError, PermissionDenied
from yiwang.core.identifiers import IdentifierError, validate_credit_code, validate_id_number
from yiwang.core.masking import mask_id_number
from yiwang.core.protected import protected_digest
from yiwang.exchange.models import IncomingPackage, IncomingState
from yiwang.sharing import reads
from yiwang.sharing.errors import SharingErrorCode
from yiwang.sharing.models.catalogue import Resource, ResourceStatus, SubjectKind
from yiwang.sharing.models.quality import (
    OPEN_STATUSES,
    QualityComment,
    QualityTicket,
    ReporterKind,
    TicketStatus,
)
from yiwang.sharing.services.notify import notify_officials, notify_users
from yiwang.sharing.services.permissions import (
    is_catalogue_manager,
    is_official_of,
    official_organisation_id,
    require_official_of,
)
from yiwang.sharing.services.requests import published_fields

MAX_VALUE = 500
FEED_BASES = (BaseKind.POPULATION, BaseKind.LEGAL_PERSON)
STAFF_LINK = "/workbench/sharing/quality/{}/"
APPLICANT_LINK = "/my/data-quality/{}/"


def quality_days() -> int:
    return int(getattr(settings, "YIWANG_SHARING_QUALITY_DAYS", 5))


def quality_due_at(start: datetime) -> datetime:
    """The end of the ``quality_days()``-th working day after ``start`` (local time)."""
    day = add_working_days(timezone.localdate(start), quality_days())
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def _invalid(message: str, field: str) -> DomainError:
    return DomainError(CoreErrorCode.VALIDATION_ERROR, message, {field: [message]})


def _subject(kind: str, key: str) -> tuple[str, str]:
    """(digest, masked) of a subject key of the resource's kind; ("", "") for resources without one."""
    try:
        if kind == SubjectKind.PERSON:
            number = validate_id_number(str(key)).normalized
            return protected_digest(number, "code"), mask_id_number(number)
        if kind == SubjectKind.COMPANY:
            code = validate_credit_code(str(key)).normalized
            return protected_digest(code, "code"), code
    except (IdentifierError, TypeError, ValueError):
        raise _invalid("主体标识（公民身份号码或统一社会信用代码）不正确", "subject") from None
    return "", ""


def _values(
    resource: Resource, fields: list[str], claimed: Mapping[str, Any], reported: Mapping[str, Any]
) -> tuple[list[str], dict[str, str], dict[str, str]]:
    available = {str(f.get("name")) for f in published_fields(resource)}
    names = list(dict.fromkeys(str(n) for n in fields))
    unknown = sorted(set(names) - available)
    if not names or unknown:
        raise DomainError(
            SharingErrorCode.INVALID_FIELDS,
            "请选择资源中存在的信息项" if unknown else "请至少选择一个信息项",
            {"fields": unknown or ["必填"]},
        )

    def clean(values: Mapping[str, Any], field: str) -> dict[str, str]:
        out = {str(k): str(v).strip()[:MAX_VALUE] for k, v in values.items()}
        if set(out) - set(names):
            raise _invalid("只能填写所选信息项的值", field)
        return out

    claimed_values, reported_values = clean(claimed, "claimed_value"), clean(reported, "reported_value")
    if not claimed_values or any(not v for v in claimed_values.values()):
        raise _invalid("请填写正确的值", "claimed_value")
    return names, claimed_values, reported_values


def _check_resource(resource: Resource) -> None:
    if resource.published_version is None or resource.status == ResourceStatus.RETIRED:
        raise Conflict("资源未发布或已停用", code=SharingErrorCode.NOT_PUBLISHED)


def _create(
    *,
    actor: User,
    resource: Resource,
    kind: str,
    organisation_id: int | None,
    subject: tuple[str, str],
    fields: list[str],
    claimed: Mapping[str, Any],
    reported: Mapping[str, Any],
    description: str,
) -> QualityTicket:
    names, claimed_values, reported_values = _values(resource, fields, claimed, reported)
    now = timezone.now()
    with transaction.atomic():
        ticket = QualityTicket.objects.create(
            resource=resource,
            provider_id=resource.provider_id,
            subject_digest=subject[0],
            subject_masked=subject[1],
            fields=names,
            claimed_value=claimed_values,
            reported_value=reported_values,
            description=description.strip()[:2000],
            reporter=actor,
            reporter_kind=kind,
            reporter_organisation_id=organisation_id,
            due_at=quality_due_at(now),
        )
        audit.record(
            "sharing.quality_reported",
            actor=actor,
            obj=ticket,
            detail={"resource": resource.code, "fields": names, "reporter_kind": kind},
        )
        notify_officials(
            resource.provider_id,
            title=f"数据纠错：{resource.name}",
            body=f"收到一条纠错，涉及信息项 {', '.join(names)}，请在 {timezone.localtime(ticket.due_at):%Y-%m-%d} 前处理。",
            link=STAFF_LINK.format(ticket.public_id),
        )
    return ticket


def report_by_staff(
    *,
    actor: User,
    resource: Resource,
    subject: str,
    fields: list[str],
    claimed_value: Mapping[str, Any],
    reported_value: Mapping[str, Any] | None = None,
    description: str = "",
) -> QualityTicket:
    """使用部门纠错 Staff of an organisation holding an active grant on the resource report a wrong value."""
    if actor is None or not staff_roles(actor):
        raise PermissionDenied("仅工作人员可以提交纠错", code=SharingErrorCode.ROLE_REQUIRED)
    _check_resource(resource)
    organisation_id = actor.staff_profile.organisation_id
    if organisation_id == resource.provider_id or reads.active_grant(organisation_id, resource) is None:
        raise PermissionDenied("只有获得该资源共享授权的使用部门可以纠错", code=SharingErrorCode.NOT_SHARED)
    return _create(
        actor=actor,
        resource=resource,
        kind=ReporterKind.STAFF,
        organisation_id=organisation_id,
        subject=_subject(resource.subject_kind, subject),
        fields=fields,
        claimed=claimed_value,
        reported=reported_value or {},
        description=description,
    )


def applicant_subject(actor: User) -> tuple[str, str]:
    """(subject kind, key) of an applicant's own record: his ID number, or his company's credit code."""
    if actor.kind == AccountKind.NATURAL and hasattr(actor, "natural_person"):
        return SubjectKind.PERSON, actor.natural_person.id_number
    if actor.kind == AccountKind.LEGAL and hasattr(actor, "legal_person"):
        return SubjectKind.COMPANY, actor.legal_person.credit_code
    raise PermissionDenied("仅实名登记的个人或法人可以对本人数据纠错")


def report_by_applicant(
    *,
    actor: User,
    resource: Resource,
    fields: list[str],
    claimed_value: Mapping[str, Any],
    reported_value: Mapping[str, Any] | None = None,
    description: str = "",
) -> QualityTicket:
    """本人纠错 A citizen (or company) reports wrong data about himself; the subject is his own."""
    kind, key = applicant_subject(actor)
    _check_resource(resource)
    if resource.subject_kind != kind:
        raise _invalid("该资源不记录您本人的数据", "resource")
    return _create(
        actor=actor,
        resource=resource,
        kind=ReporterKind.APPLICANT,
        organisation_id=None,
        subject=_subject(kind, key),
        fields=fields,
        claimed=claimed_value,
        reported=reported_value or {},
        description=description,
    )


def _link(ticket: QualityTicket) -> str:
    template = APPLICANT_LINK if ticket.reporter_kind == ReporterKind.APPLICANT else STAFF_LINK
    return template.format(ticket.public_id)


def _transition(ticket: QualityTicket, actor: User, allowed: tuple[str, ...], what: str) -> QualityTicket:
    require_official_of(actor, ticket.provider, what)
    locked = QualityTicket.objects.select_for_update().select_related("resource").get(pk=ticket.pk)
    if locked.status not in allowed:
        raise Conflict(
            f"工单当前状态为“{locked.get_status_display()}”，不能{what}",
            code=SharingErrorCode.INVALID_TRANSITION,
        )
    return locked


def accept_ticket(ticket: QualityTicket, *, actor: User) -> QualityTicket:
    """受理 The provider acknowledges the report and will check its data."""
    with transaction.atomic():
        locked = _transition(ticket, actor, (TicketStatus.OPEN,), "受理")
        locked.status, locked.accepted_at, locked.accepted_by = TicketStatus.ACCEPTED, timezone.now(), actor
        locked.lock_version += 1
        locked.save(update_fields=["status", "accepted_at", "accepted_by", "lock_version", "updated_at"])
        audit.record("sharing.quality_accepted", actor=actor, obj=locked)
        notify_users(
            [locked.reporter_id], title=f"您的数据纠错已受理：{locked.resource.name}", link=_link(locked)
        )
    return locked


def _base_of(resource: Resource) -> str:
    """The base a resource is served from (``bases.population`` → ``population``), or ""."""
    prefix, _, base = resource.service.partition(".")
    return base if prefix == "bases" and base in FEED_BASES else ""


def _check_package(ticket: QualityTicket, package_id: str) -> None:
    """The named package must be a feed of the resource's base, applied, from a node authorised to
    feed it as the ticket's provider."""
    try:
        public_id = UUID(package_id)
    except ValueError:
        raise _invalid("交换包编号格式不正确", "package_id") from None
    base = _base_of(ticket.resource)
    kinds = [f"bases.{base}.feed"] if base else sorted(FEED_KINDS)
    package = (
        IncomingPackage.objects.select_related("sender")
        .filter(public_id=public_id, kind__in=kinds, state=IncomingState.APPLIED)
        .first()
    )
    if package is None:
        raise _invalid("没有已处理的此基础库供数交换包", "package_id")
    source = feed_source(package.sender.node_id, FEED_KINDS[package.kind])
    if source is None or source.organisation_id != ticket.provider_id:
        raise _invalid("该交换包不是本资源提供部门的供数", "package_id")


def _close_fixed(locked: QualityTicket, actor: User, note: str, batch_id: str, package_id: str) -> None:
    if batch_id:
        changes = BaseChange.objects.filter(batch_id=batch_id)
        if locked.subject_digest:
            changes = changes.filter(subject_digest=locked.subject_digest)
        if not changes.exists():
            raise _invalid(
                "该批次中没有此主体的更新记录", "package_id" if batch_id == package_id else "batch_id"
            )
    now = timezone.now()
    locked.status, locked.closed_at, locked.closed_by = TicketStatus.FIXED, now, actor
    locked.resolution, locked.fix_batch_id, locked.fix_package_id = note[:2000], batch_id, package_id
    locked.lock_version += 1
    locked.save(
        update_fields=[
            "status",
            "closed_at",
            "closed_by",
            "resolution",
            "fix_batch_id",
            "fix_package_id",
            "lock_version",
            "updated_at",
        ]
    )
    audit.record(
        "sharing.quality_fixed",
        actor=actor,
        obj=locked,
        detail={"batch_id": batch_id, "package_id": package_id, "overdue": now > locked.due_at},
    )
    notify_users(
        [locked.reporter_id],
        title=f"您反映的数据已更正：{locked.resource.name}",
        body=note,
        link=_link(locked),
    )


def fix_ticket(
    ticket: QualityTicket, *, actor: User, note: str, batch_id: str = "", package_id: str = ""
) -> QualityTicket:
    """已更正 The provider corrected its data at the source.  ``package_id`` names the exchange feed
    package that carried the corrected record (applied, from the provider's authorised node, holding
    this ticket's subject; its batch id is the package id); ``batch_id`` a bases batch otherwise."""
    note, batch_id, package_id = note.strip(), batch_id.strip()[:64], package_id.strip()[:64]
    if not note:
        raise _invalid("请填写更正说明", "note")
    if package_id:
        if batch_id and batch_id != package_id:
            raise _invalid("经交换包更正时，批次号即交换包编号", "batch_id")
        batch_id = package_id
    with transaction.atomic():
        locked = _transition(ticket, actor, (TicketStatus.ACCEPTED,), "办结更正")
        if package_id:
            _check_package(locked, package_id)
        _close_fixed(locked, actor, note, batch_id, package_id)
    return locked


def ticket_fixable_with_values(ticket: QualityTicket) -> bool:
    """Whether the provider may close the ticket by entering the values (a ticket about a record of
    the population or legal-person base; other resources are corrected at the source system)."""
    return bool(_base_of(ticket.resource) and ticket.subject_digest)


def fix_ticket_with_values(
    ticket: QualityTicket, *, actor: User, subject: str, values: Mapping[str, Any], note: str
) -> QualityTicket:
    """已更正（平台录入） The provider's data official enters the corrected ``values`` of the ticket's
    fields for ``subject`` (the ID number or credit code, checked against the ticket): they are applied
    to the base as the provider with ``apply_updates`` in the batch ``quality-<ticket id>``, the next
    version of the record, and the ticket is closed with that batch, in one transaction."""
    require_official_of(actor, ticket.provider, "办结更正")
    note = note.strip()
    if not note:
        raise _invalid("请填写更正说明", "note")
    base = _base_of(ticket.resource)
    if not base or not ticket.subject_digest:
        raise _invalid("该资源不由人口或法人基础库提供，请经交换系统更正", "values")
    digest, _masked = _subject(ticket.resource.subject_kind, subject)
    if digest != ticket.subject_digest:
        raise _invalid("主体标识与工单不符", "subject")
    clean = {str(k): v for k, v in values.items()}
    if not clean or set(clean) - set(ticket.fields):
        raise _invalid("只能更正工单所列信息项", "values")
    batch_id = f"quality-{ticket.public_id}"
    with transaction.atomic():
        locked = _transition(ticket, actor, (TicketStatus.ACCEPTED,), "办结更正")
        key_field, model = ("id_number", Person) if base == "population" else ("credit_code", Company)
        key = (
            validate_id_number(subject).normalized
            if base == "population"
            else validate_credit_code(subject).normalized
        )
        current = model.objects.filter(**{key_field: key}).values_list("version", flat=True).first()
        if current is None:
            raise _invalid("基础库中没有此主体", "subject")
        report = apply_updates(
            base,
            [{key_field: key, "version": current + 1, **clean}],
            source=locked.provider,
            batch_id=batch_id,
        )
        if report.stale:  # another correction got there first: look again
            raise Conflict("该记录刚被更新，请刷新后重试", code=SharingErrorCode.INVALID_TRANSITION)
        if not report.changes:
            raise _invalid("更正值与基础库现有数据相同", "values")
        _close_fixed(locked, actor, note, batch_id, "")
    return locked


def reject_ticket(ticket: QualityTicket, *, actor: User, reason: str) -> QualityTicket:
    """不予更正 The provider's data is right: the reason is told to the reporter."""
    reason = reason.strip()
    if not reason:
        raise DomainError(SharingErrorCode.REASON_REQUIRED, "请填写不予更正的理由", {"reason": ["必填"]})
    with transaction.atomic():
        locked = _transition(ticket, actor, OPEN_STATUSES, "作出不予更正决定")
        locked.status, locked.closed_at, locked.closed_by = TicketStatus.REJECTED, timezone.now(), actor
        locked.resolution = reason[:2000]
        locked.lock_version += 1
        locked.save(
            update_fields=["status", "closed_at", "closed_by", "resolution", "lock_version", "updated_at"]
        )
        audit.record("sharing.quality_rejected", actor=actor, obj=locked, detail={"reason": reason[:200]})
        notify_users(
            [locked.reporter_id],
            title=f"您的数据纠错不予更正：{locked.resource.name}",
            body=reason,
            link=_link(locked),
        )
    return locked


def comment_on_ticket(ticket: QualityTicket, *, actor: User, body: str) -> QualityComment:
    """留言 The reporter or the provider's data officials, while the ticket is open."""
    body = body.strip()
    if not body:
        raise _invalid("请填写留言内容", "body")
    if "comment" not in ticket_actions(actor, ticket):
        raise PermissionDenied("您不能在此工单留言", code=SharingErrorCode.NOT_PROVIDER)
    with transaction.atomic():
        comment = QualityComment.objects.create(ticket=ticket, author=actor, body=body[:2000])
        audit.record("sharing.quality_commented", actor=actor, obj=ticket)
        if actor.pk == ticket.reporter_id:
            notify_officials(
                ticket.provider_id, title="数据纠错有新留言", link=STAFF_LINK.format(ticket.public_id)
            )
        else:
            notify_users([ticket.reporter_id], title="您的数据纠错有新留言", link=_link(ticket))
    return comment


# --- what a user may do, and what he may see ------------------------------------------------------
def ticket_actions(user: Any, ticket: QualityTicket) -> frozenset[str]:
    """``accept``, ``fix``, ``reject`` (the provider's data officials) and ``comment``."""
    actions: set[str] = set()
    if not getattr(user, "is_authenticated", False) or ticket.status not in OPEN_STATUSES:
        return frozenset()
    if is_official_of(user, ticket.provider_id):
        actions |= {"reject", "comment"}
        actions.add("accept" if ticket.status == TicketStatus.OPEN else "fix")
    if ticket.reporter_id == user.pk:
        actions.add("comment")
    return frozenset(actions)


def _base() -> QuerySet[QualityTicket]:
    return QualityTicket.objects.select_related("resource", "provider", "reporter_organisation")


def staff_tickets(user: Any) -> QuerySet[QualityTicket]:
    """工作台 A catalogue manager sees all; a data official his provider's; staff their department's reports."""
    if not staff_roles(user):
        return QualityTicket.objects.none()
    if is_catalogue_manager(user):
        return _base()
    mine = Q(reporter_organisation_id=user.staff_profile.organisation_id)
    provider = official_organisation_id(user)
    if provider is not None:
        mine |= Q(provider_id=provider)
    return _base().filter(mine)


def applicant_tickets(user: Any) -> QuerySet[QualityTicket]:
    return _base().filter(reporter_id=user.pk, reporter_kind=ReporterKind.APPLICANT)


def overdue(tickets: QuerySet[QualityTicket], at: datetime | None = None) -> QuerySet[QualityTicket]:
    return tickets.filter(status__in=OPEN_STATUSES, due_at__lt=at or timezone.now()).order_by("due_at", "pk")


def ticket_statistics(user: Any, at: datetime | None = None) -> list[dict[str, Any]]:
    """By provider: open, accepted, overdue, fixed and rejected tickets (of what ``user`` may see)."""
    now = at or timezone.now()
    rows = (
        staff_tickets(user)
        .values("provider_id", "provider__name")
        .annotate(
            open=Count("pk", filter=Q(status=TicketStatus.OPEN)),
            accepted=Count("pk", filter=Q(status=TicketStatus.ACCEPTED)),
            overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES, due_at__lt=now)),
            fixed=Count("pk", filter=Q(status=TicketStatus.FIXED)),
            rejected=Count("pk", filter=Q(status=TicketStatus.REJECTED)),
        )
        .order_by("provider__name", "provider_id")
    )
    return [
        {
            "provider": row["provider__name"],
            **{key: row[key] for key in ("open", "accepted", "overdue", "fixed", "rejected")},
        }
        for row in rows
    ]
