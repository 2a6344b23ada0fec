"""Staff workbench API (/api/v1/workbench): the to-do, a case's detail and the actions on it.

Every action has one shape (:func:`_act`): the staff member reads the case he may see, one service
function acts on it (locking it and comparing ``lock_version``), and the answer is the case's detail
as it now is.  Reads come from :mod:`yiwang.cases.reads`.

Operation ids keep the names they had when these endpoints lived in ``cases/api.py``
(``yiwang_cases_api_<function>``): generated clients depend on them.
"""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from yiwang.accounts.models import User
from yiwang.cases import delivery as delivery_services
from yiwang.cases import personal_data, reads, services, variants
from yiwang.cases.models import Case
from yiwang.cases.schemas import (
    ActionIn,
    CaseDetailOut,
    CaseMaterialOut,
    CasePageOut,
    CommitmentApproveIn,
    CorrectionIn,
    DecideIn,
    ExtensionDecideIn,
    ExtensionRequestIn,
    GapAcceptIn,
    HandoverIn,
    RefuseIn,
    SpecialEndIn,
    SpecialStartIn,
    VerifyIn,
)
from yiwang.core.errors import PermissionDenied
from yiwang.core.paging import PageIn
from yiwang.core.personal_data import check_unmask

staff_router = Router(tags=["workbench"])


def _op(name: str) -> str:
    """The operation id an endpoint had in ``cases/api.py``."""
    return f"yiwang_cases_api_{name}"


def _staff_user(request: HttpRequest) -> User:
    """The caller, if he holds a staff role; anyone else is refused (403)."""
    user: User = request.user  # type: ignore[assignment]
    if not services.staff_roles(user):
        raise PermissionDenied("仅工作人员可访问工作台")
    return user


def _staff_case(request: HttpRequest, case_id: UUID) -> tuple[User, Case]:
    user = _staff_user(request)
    return user, services.get_case_for(user, case_id)


def _act(
    request: HttpRequest,
    case_id: UUID,
    action: Callable[[Case, User], object],
    *,
    refresh: bool = True,
) -> CaseDetailOut:
    """Run ``action(case, actor)`` on a case the staff member may see and answer its detail.

    The detail is of the case the service returns (or of the one it was given), read again from the
    database unless ``refresh`` is False — for services that return the case they saved."""
    user, case = _staff_case(request, case_id)
    result = action(case, user)
    target = result if isinstance(result, Case) else case
    if refresh:
        target.refresh_from_db()
    # The applicant's personal data is masked in staff answers (cases/personal_data.py).
    return personal_data.masked_detail(reads.detail(target), target)


@staff_router.get("/todo", response=CasePageOut, summary="Staff to-do list (待办)", operation_id=_op("todo"))
def todo(request: HttpRequest, paging: Query[PageIn]) -> HttpResponse:
    return reads.todo_page(_staff_user(request), paging.offset, paging.limit)


@staff_router.get(
    "/cases/{case_id}",
    response=CaseDetailOut,
    summary="Case detail for staff",
    operation_id=_op("staff_case_detail"),
)
def staff_case_detail(
    request: HttpRequest, case_id: UUID, unmask: bool = False, purpose: str = ""
) -> HttpResponse:
    """Personal data is masked; ``unmask=true`` with a ``purpose`` shows it in full to staff holding
    ``core.view_personal_data_unmasked`` (else 403). Every answer is recorded in the access log."""
    user = _staff_user(request)
    response = reads.detail_response(user, case_id)
    shown_purpose = None
    if unmask:
        shown_purpose = check_unmask(
            user,
            purpose=purpose,
            object_type="cases.Case",
            object_id=str(case_id),
            fields=personal_data.DETAIL_FIELDS,
        )
    return personal_data.staff_detail_response(user, case_id, response, purpose=shown_purpose)


@staff_router.post(
    "/cases/{case_id}/accept", response=CaseDetailOut, summary="Accept (受理)", operation_id=_op("accept")
)
def accept(request: HttpRequest, case_id: UUID, payload: ActionIn) -> CaseDetailOut:
    return _act(
        request,
        case_id,
        lambda case, actor: services.accept_case(
            case, actor=actor, comment=payload.comment, expected_version=payload.lock_version
        ),
        refresh=False,
    )


@staff_router.post(
    "/cases/{case_id}/refuse-acceptance",
    response=CaseDetailOut,
    summary="Refuse to accept (不予受理)",
    operation_id=_op("refuse_acceptance"),
)
def refuse_acceptance(request: HttpRequest, case_id: UUID, payload: RefuseIn) -> CaseDetailOut:
    return _act(
        request,
        case_id,
        lambda case, actor: services.refuse_acceptance(
            case, actor=actor, reason=payload.reason, expected_version=payload.lock_version
        ),
        refresh=False,
    )


@staff_router.post(
    "/cases/{case_id}/request-correction",
    response=CaseDetailOut,
    summary="One-time correction notice (一次性告知)",
    operation_id=_op("request_correction"),
)
def request_correction(request: HttpRequest, case_id: UUID, payload: CorrectionIn) -> CaseDetailOut:
    def act(case: Case, actor: User) -> None:
        services.request_correction(
            case,
            actor=actor,
            items=[item.dict() for item in payload.items],
            comment=payload.comment,
            expected_version=payload.lock_version,
        )

    return _act(request, case_id, act)


@staff_router.post(
    "/cases/{case_id}/decide",
    response=CaseDetailOut,
    summary="Approve or refuse (审批), completing the case",
    operation_id=_op("decide"),
)
def decide(request: HttpRequest, case_id: UUID, payload: DecideIn) -> CaseDetailOut:
    return _act(
        request,
        case_id,
        lambda case, actor: services.decide_case(
            case,
            actor=actor,
            approve=payload.approve,
            comment=payload.comment,
            expected_version=payload.lock_version,
        ),
        refresh=False,
    )


@staff_router.post(
    "/cases/{case_id}/materials/{material_id}/verify",
    response=CaseMaterialOut,
    summary="Verify a material against the original (核验, trust level C → B)",
    operation_id=_op("verify_material"),
)
def verify_material(request: HttpRequest, case_id: UUID, material_id: UUID) -> CaseMaterialOut:
    user, case = _staff_case(request, case_id)
    material = services.verify_material(case, material_id, actor=user)
    return reads.material_out(case, material)


@staff_router.post(
    "/cases/{case_id}/handover",
    response=CaseDetailOut,
    summary="Record the result handover (送达交接)",
    operation_id=_op("handover"),
)
def handover(request: HttpRequest, case_id: UUID, payload: HandoverIn) -> CaseDetailOut:
    def act(case: Case, actor: User) -> None:
        delivery_services.record_handover(
            case,
            actor=actor,
            recipient_name=payload.recipient_name,
            recipient_signature=payload.recipient_signature,
            tracking_number=payload.tracking_number,
        )

    return _act(request, case_id, act)


# --- variants (cases/variants.py) ----------------------------------------------------------------
@staff_router.post(
    "/cases/{case_id}/accept-with-gap",
    response=CaseDetailOut,
    summary="容缺受理",
    operation_id=_op("accept_with_gap"),
)
def accept_with_gap(request: HttpRequest, case_id: UUID, payload: GapAcceptIn) -> CaseDetailOut:
    return _act(
        request,
        case_id,
        lambda case, actor: variants.accept_with_gap(
            case,
            actor=actor,
            items=[item.dict() for item in payload.items],
            days=payload.days,
            comment=payload.comment,
            expected_version=payload.lock_version,
        ),
    )


@staff_router.post(
    "/cases/{case_id}/approve-on-commitment",
    response=CaseDetailOut,
    summary="告知承诺 approval",
    operation_id=_op("approve_on_commitment"),
)
def approve_on_commitment(request: HttpRequest, case_id: UUID, payload: CommitmentApproveIn) -> CaseDetailOut:
    return _act(
        request,
        case_id,
        lambda case, actor: variants.approve_on_commitment(
            case,
            actor=actor,
            comment=payload.comment,
            verification_days=payload.verification_days,
            expected_version=payload.lock_version,
        ),
    )


@staff_router.post(
    "/cases/{case_id}/verify-commitment",
    response=CaseDetailOut,
    summary="承诺核查 / 撤销许可",
    operation_id=_op("verify_commitment"),
)
def verify_commitment(request: HttpRequest, case_id: UUID, payload: VerifyIn) -> CaseDetailOut:
    return _act(
        request,
        case_id,
        lambda case, actor: variants.verify_commitment(
            case,
            actor=actor,
            truthful=payload.truthful,
            comment=payload.comment,
            expected_version=payload.lock_version,
        ),
    )


@staff_router.get(
    "/verifications",
    response=CasePageOut,
    summary="待核查 commitment verifications",
    operation_id=_op("verifications"),
)
def verifications(request: HttpRequest, paging: Query[PageIn]) -> HttpResponse:
    qs = variants.verification_todo(_staff_user(request))
    return reads.summary_page(qs, paging.offset, paging.limit)


@staff_router.post(
    "/cases/{case_id}/extension",
    response=CaseDetailOut,
    summary="延长申请",
    operation_id=_op("request_extension"),
)
def request_extension(request: HttpRequest, case_id: UUID, payload: ExtensionRequestIn) -> CaseDetailOut:
    def act(case: Case, actor: User) -> None:
        variants.request_extension(
            case, actor=actor, days=payload.days, reason=payload.reason, expected_version=payload.lock_version
        )

    return _act(request, case_id, act)


@staff_router.post(
    "/cases/{case_id}/extension/decide",
    response=CaseDetailOut,
    summary="延长审批",
    operation_id=_op("decide_extension"),
)
def decide_extension(request: HttpRequest, case_id: UUID, payload: ExtensionDecideIn) -> CaseDetailOut:
    return _act(
        request,
        case_id,
        lambda case, actor: variants.decide_extension(
            case,
            actor=actor,
            approve=payload.approve,
            comment=payload.comment,
            expected_version=payload.lock_version,
        ),
    )


@staff_router.post(
    "/cases/{case_id}/special-procedures",
    response=CaseDetailOut,
    summary="特别程序开始",
    operation_id=_op("start_special"),
)
def start_special(request: HttpRequest, case_id: UUID, payload: SpecialStartIn) -> CaseDetailOut:
    def act(case: Case, actor: User) -> None:
        variants.start_special_procedure(
            case, actor=actor, kind=payload.kind, reason=payload.reason, expected_version=payload.lock_version
        )

    return _act(request, case_id, act)


@staff_router.post(
    "/cases/{case_id}/special-procedures/end",
    response=CaseDetailOut,
    summary="特别程序结束",
    operation_id=_op("end_special"),
)
def end_special(request: HttpRequest, case_id: UUID, payload: SpecialEndIn) -> CaseDetailOut:
    def act(case: Case, actor: User) -> None:
        variants.end_special_procedure(
            case, actor=actor, result=payload.result, expected_version=payload.lock_version
        )

    return _act(request, case_id, act)


@staff_router.post(
    "/cases/{case_id}/terminate", response=CaseDetailOut, summary="终止", operation_id=_op("terminate")
)
def terminate(request: HttpRequest, case_id: UUID, payload: RefuseIn) -> CaseDetailOut:
    return _act(
        request,
        case_id,
        lambda case, actor: variants.terminate_case(
            case, actor=actor, reason=payload.reason, expected_version=payload.lock_version
        ),
    )
