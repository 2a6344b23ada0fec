"""办结出证: a case completed (办结) with approval yields its e-licence after the commit.

Cases sit above licences: this module is the edge between them.  It receives ``case_completed``
(connected in :meth:`yiwang.cases.apps.CasesConfig.ready`), enqueues :func:`issue_case_licence` once the
completion is committed (nothing on a rollback, and a failure there never undoes the completion), and
turns the completed case into the plain values :func:`yiwang.licences.services.issue_licence` takes.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from yiwang.cases.models import Case, CaseOutcome, CaseStatus
from yiwang.cases.signals import case_completed
from yiwang.licences import services as licence_services
from yiwang.licences.models import Licence, LicenceType


def on_case_completed(sender: Any, case: Case, actor: Any = None, **kwargs: Any) -> None:
    """Enqueue the licence issuance once the completion is committed (nothing on a rollback)."""
    if case.outcome != CaseOutcome.APPROVED or not getattr(case.item, "result_licence_type_code", ""):
        return
    case_id = case.pk
    transaction.on_commit(lambda: issue_case_licence.enqueue(case_id))


def connect() -> None:
    case_completed.connect(on_case_completed, dispatch_uid="licences.issue_on_case_completed")


@task()
def issue_case_licence(case_id: int) -> None:
    """办结出证: issue the licence a completed case yields (idempotent)."""
    issue_for_case(Case.objects.get(pk=case_id))


def legal_representative(case: Case) -> str:
    """法定代表人（负责人）: a company's registered legal representative, never the company's own
    name; a natural person (e.g. 个体工商户经营者) is his own."""
    legal = getattr(case.applicant, "legal_person", None) if case.applicant_id else None
    if legal is not None:
        representative = getattr(legal, "legal_representative", None)
        return str(getattr(representative, "real_name", "") or "")
    return str(case.applicant_name)


def case_licence_data(licence_type: LicenceType, case: Case) -> dict[str, Any]:
    """Build the licence data from the case (see :func:`yiwang.licences.services.licence_data_from`):
    the well-known names take the case number, the item, the applicant, the handling body, and a
    date field takes the completion date."""
    completed = timezone.localdate(case.completed_at) if case.completed_at else timezone.localdate()
    known: dict[str, Any] = {
        "number": case.number,
        "case_number": case.number,
        "item": case.item.name,
        "item_name": case.item.name,
        "holder": case.applicant_name,
        "holder_name": case.applicant_name,
        "applicant_name": case.applicant_name,
        "name": case.applicant_name,
        "legal_representative": legal_representative(case),
        "issuer": case.handling_organisation.name,
        "handling_organisation": case.handling_organisation.name,
    }
    return licence_services.licence_data_from(
        licence_type, form=case.form_data or {}, known=known, completed_on=completed
    )


def issue_for_case(case: Case) -> Licence | None:
    """办结出证 Issue the e-licence a completed, approved case yields, stamped with the handling
    body's seal; ``None`` when the case yields none.  Idempotent: one licence per case (the case row
    is locked while checking)."""
    with transaction.atomic():
        locked = (
            Case.objects.select_for_update(of=("self",))
            .select_related("item", "handling_organisation", "applicant")
            .get(pk=case.pk)
        )
        if locked.status != CaseStatus.COMPLETED or locked.outcome != CaseOutcome.APPROVED:
            return None
        licence_type = licence_services.licence_type_for_item(locked.item)
        if licence_type is None:
            return None
        existing = licence_services.issued_for_source_case(locked.pk)
        if existing is not None:
            return existing
        completed = timezone.localdate(locked.completed_at) if locked.completed_at else None
        return licence_services.issue_licence(
            licence_type,
            holder_name=locked.applicant_name,
            holder_code=locked.applicant_id_number,
            holder_code_type=licence_services.holder_code_type_for(locked.applicant_id_type),
            issuer=locked.handling_organisation,
            data=case_licence_data(licence_type, locked),
            holder_user=locked.applicant,
            source_case_id=locked.pk,
            source_reference=locked.number,
            issued_on=completed,
        )
