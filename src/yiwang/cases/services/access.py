"""Access to cases (办件查看): a case or document the user may see, the public status lookup, and
whom an agent (代办人) applies for.  Anything a user may not see is reported as not found."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, NamedTuple

from yiwang.accounts.errors import AccountErrorCode
from yiwang.accounts.models import AccountKind, LegalPerson, User
from yiwang.accounts.refusals import record_refusal
from yiwang.cases.models import Case, CaseDocument
from yiwang.cases.queries import visible_cases
from yiwang.catalog.models import ServiceItem
from yiwang.core import audit
from yiwang.core.compiled import CompiledRows
from yiwang.core.errors import DomainError, NotFound
from yiwang.core.models import Organisation

# The item and handling body columns a case page shows; the rest of the item (its whole guide text)
# is not read with the case.
DETAIL_ITEM_FIELDS = frozenset({"id", "public_id", "name"})
DETAIL_ORGANISATION_FIELDS = frozenset({"id", "public_id", "name"})


def applicant_acting_for(user: User, on_behalf_of: str = "") -> tuple[User, User | None]:
    """代办: resolve "apply in the name of company <credit code>" to ``(applicant, acting_agent)``.

    Without ``on_behalf_of`` the user applies for himself.  The authorisation itself (who, which
    items, until when) is checked by :func:`submit_application`; an unknown credit code is refused
    exactly like a missing authorisation so nobody can probe which companies exist.
    """
    code = (on_behalf_of or "").strip().upper()
    if not code:
        return user, None
    company = LegalPerson.objects.select_related("user").filter(credit_code=code).first()
    if company is None or user.kind != AccountKind.NATURAL:
        record_refusal(
            "agent.refused", actor=user, object_type="accounts.LegalPerson", object_id=code[:18], detail={}
        )
        raise DomainError(
            AccountErrorCode.AGENT_NOT_AUTHORISED,
            "您没有以该单位名义办理的有效授权",
            {"on_behalf_of": [code[:18]]},
            status=403,
        )
    return company.user, user


def get_case_for(user: User, public_id: Any, *, for_detail: bool = False) -> Case:
    """A case the user may see; any other case is reported as not found (no existence leak).

    ``for_detail``: read only what the detail view shows (no guide snapshot, the item's name, the
    delivery record in the same query) — for a read, not for a case about to change.
    """
    qs = visible_cases(user)
    if for_detail:
        qs = qs.select_related("delivery").defer(
            "item_snapshot",
            *(
                f"item__{f.name}"
                for f in ServiceItem._meta.concrete_fields
                if f.name not in DETAIL_ITEM_FIELDS
            ),
            *(
                f"handling_organisation__{f.name}"
                for f in Organisation._meta.concrete_fields
                if f.name not in DETAIL_ORGANISATION_FIELDS
            ),
        )
    try:
        return qs.get(public_id=public_id)
    except (Case.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("办件不存在") from exc


def case_document_for(user: User, public_id: Any, document_id: Any) -> tuple[Case, CaseDocument]:
    """A document (文书) of a case the user may see, for download; every download is audited."""
    case = get_case_for(user, public_id)
    try:
        document = CaseDocument.objects.get(case=case, public_id=document_id)
    except (CaseDocument.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("文书不存在") from exc
    audit.record("case.document_downloaded", actor=user, obj=case, detail={"kind": document.kind})
    return case, document


class PublicStatus(NamedTuple):
    """What the public status lookup answers (the StatusOut fields but the label)."""

    number: str
    item_name: str
    status: str
    submitted_at: datetime | None
    due_date: date | None
    completed_at: datetime | None


_PUBLIC_STATUS = CompiledRows("cases.public_status")
_PUBLIC_STATUS_COLUMNS = ("number", "item__name", "status", "submitted_at", "due_date", "completed_at")
_NOT_FOUND_MESSAGE = "未查询到办件，请核对办件编号和证件号后四位"


def public_status_compiled() -> CompiledRows:
    """The compiled status query (tests and checks look at its shapes)."""
    return _PUBLIC_STATUS


def public_status(number: str, id_tail: str) -> PublicStatus:
    """The public status lookup (办件查询) of the API, hit hardest of all: one statement compiled once
    per process (:mod:`yiwang.core.compiled`), the same answer and the same check as
    :func:`status_lookup` (the case number plus the last 4 characters of the applicant's ID)."""
    number = (number or "").strip()
    id_tail = (id_tail or "").strip().upper()
    if len(id_tail) != 4:
        raise NotFound(_NOT_FOUND_MESSAGE)
    rows = _PUBLIC_STATUS.rows(
        lambda: (
            Case.objects.filter(number=number)
            .order_by()
            .values_list(*_PUBLIC_STATUS_COLUMNS, "applicant_id_number")
        ),
        "one",
        {"number": number},
    )
    if not rows or not str(rows[0][-1]).upper().endswith(id_tail):
        raise NotFound(_NOT_FOUND_MESSAGE)
    return PublicStatus(*rows[0][:-1])


def status_lookup(number: str, id_tail: str) -> Case:
    """Public status lookup (办件查询) by case number plus the last 4 characters of the applicant's ID."""
    number = (number or "").strip()
    id_tail = (id_tail or "").strip().upper()
    case = (
        Case.objects.filter(number=number)
        .select_related("item")
        # what the public answer shows and the check needs, not the filed guide or form
        .only(
            "number",
            "status",
            "submitted_at",
            "due_date",
            "completed_at",
            "applicant_id_number",
            "item__name",
        )
        .first()
    )
    if case is None or len(id_tail) != 4 or not case.applicant_id_number.upper().endswith(id_tail):
        raise NotFound(_NOT_FOUND_MESSAGE)
    return case
