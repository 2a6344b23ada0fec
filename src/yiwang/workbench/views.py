"""Staff workbench (业务办理): to-do list, case review and the acceptance/correction/decision actions.

Every action form carries the case's ``lock_version``; the service compares it with the row it
locks, so a page left open while a colleague acted gets a clear conflict instead of a second,
contradicting decision.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar
from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from pydantic import BaseModel, ValidationError

from yiwang.accounts.errors import AccountErrorCode
from yiwang.accounts.models import LoginChannel
from yiwang.accounts.services import login_check
from yiwang.cases import downloads, variants
from yiwang.cases.actions import allowed_actions
from yiwang.cases.clock import gap_overdue
from yiwang.cases.models import Case, CaseStatus, ExtensionStatus, SpecialProcedureKind
from yiwang.cases.process import case_for_task_holder, process_of
from yiwang.cases.schemas import (
    ActionIn,
    CommitmentApproveIn,
    CorrectionIn,
    DecideIn,
    ExtensionDecideIn,
    ExtensionRequestIn,
    GapAcceptIn,
    RefuseIn,
    SpecialEndIn,
    SpecialStartIn,
    VerifyIn,
)
from yiwang.cases.services import (
    accept_case,
    case_queryset_for_events,
    decide_case,
    get_case_for,
    materials_of,
    refuse_acceptance,
    request_correction,
    verify_material,
)
from yiwang.catalog.forms import snapshot_display
from yiwang.core import audit
from yiwang.core.errors import CoreErrorCode, DomainError, NotFound
from yiwang.seals.services import lacks_document_seal
from yiwang.web.forms import validation_fields
from yiwang.web.ui import (
    current_user,
    domain_errors,
    download_response,
    error_context,
    field,
    field_errors,
    is_staff_user,
    safe_next,
    staff_required,
)
from yiwang.workbench import personal_data as personal
from yiwang.workbench.todo_views import due_state
from yiwang.workflow import services as workflow
from yiwang.workflow.models import ProcessInstance, WorkItemStatus

View = TypeVar("View", bound=Callable[..., HttpResponseBase])
Input = TypeVar("Input", bound=BaseModel)

# A case still waiting for a notice or a decision (文书) from its handling body.
OPEN_FOR_DOCUMENTS = {CaseStatus.SUBMITTED, CaseStatus.CORRECTION_REQUIRED, CaseStatus.ACCEPTED}

_NO_ID = UUID(int=0)  # stands for a material id in the download links' common prefix


# --- login ---------------------------------------------------------------------------------------
def login_view(request: HttpRequest) -> HttpResponse:
    """工作人员登录. Applicant accounts are refused here (they log in on the portal)."""
    if is_staff_user(request.user) and request.method == "GET":
        return redirect("workbench:todo" if request.user.is_verified() else "workbench:mfa")  # type: ignore[union-attr]
    exc: DomainError | None = None
    username = ""
    status = 200
    if request.method == "POST":
        username = request.POST.get("username", "").strip()[:150]
        try:
            user = login_check(
                request, username, request.POST.get("password", ""), channel=LoginChannel.WORKBENCH
            )
            if not is_staff_user(user):
                audit.record("auth.workbench_refused", actor=user, obj=user)
                raise DomainError(
                    AccountErrorCode.NOT_STAFF, _("该账户不是工作人员账户，请在门户登录。"), status=403
                )
        except DomainError as error:
            exc, status = error, error.status
        else:
            login(request, user)
            # Second factor next: verify (or enrol) a TOTP code, then on to where the user was going.
            target = reverse("workbench:mfa")
            next_url = safe_next(request, "")
            if next_url:
                target += "?" + urlencode({"next": next_url})
            return HttpResponseRedirect(target)
    return render(
        request,
        "workbench/login.html",
        {
            "controls": [
                field(
                    "username",
                    _("工号/用户名"),
                    value=username,
                    required=True,
                    autocomplete="username",
                    errors=field_errors(exc, "username"),
                ),
                field("password", _("密码"), type="password", required=True, autocomplete="current-password"),
            ],
            "error": error_context(exc) if exc else None,
            "next": safe_next(request, ""),
        },
        status=status,
    )


# --- one case ------------------------------------------------------------------------------------
def process_context(user: Any, case: Case, process: ProcessInstance | None) -> dict[str, Any]:
    """流程: the process diagram with the active tasks highlighted, and the tasks I can act on."""
    if process is None:
        return {"process": None}
    items = list(
        process.work_items.select_related("organisation", "assignee", "completed_by").order_by("created_at")
    )
    active = [item for item in items if item.status in workflow.OPEN_STATUSES]
    for item in items:
        result = item.result if isinstance(item.result, dict) else {}
        opinion = result.get("opinion")
        item.comment_text = (  # type: ignore[attr-defined]
            opinion.get("comment", "")
            if isinstance(opinion, dict)
            else str(result.get("comment") or opinion or "")
        )
    my_tasks = [
        item
        for item in active
        if item.assignee_id == user.pk
        or (item.status == WorkItemStatus.OPEN and workflow.eligible(user, item))
    ]
    return {
        "process": process,
        "process_items": items,
        "my_tasks": my_tasks,
        "active_elements": sorted({item.task_name for item in active}),
        "active_titles": sorted({item.title for item in active}),
        # an element still active (e.g. a 会签 waiting for another department) is shown as active
        "done_elements": sorted(
            {item.task_name for item in items if item.status == WorkItemStatus.COMPLETED}
            - {item.task_name for item in active}
        ),
    }


def _form_display(case: Case, unmasked: bool = False) -> list[dict[str, Any]]:
    """The form data by the definition the case was filed under (labels, sections, tables, 元)."""
    return snapshot_display(case.item_snapshot, personal.form_values(case, unmasked=unmasked))


def case_context(
    request: HttpRequest,
    case: Case,
    *,
    exc: DomainError | None = None,
    action: str = "",
    unmasked: bool = False,
) -> dict[str, Any]:
    user = current_user(request)
    post = request.POST if action else {}
    item_materials = list(case.item.materials.all())
    notices = list(case.correction_notices.order_by("round"))
    process = process_of(case)
    ever_accepted = case.accepted_at is not None  # nothing to load for a case not yet accepted
    procedures = list(case.special_procedures.all()) if ever_accepted else []
    extensions = list(case.extensions.select_related("requested_by")) if ever_accepted else []
    # What this user may do here, decided once (cases/actions.py); the template offers exactly these.
    actions = allowed_actions(user, case, process=process, procedures=procedures, extensions=extensions)
    checked = set(post.getlist("material")) if action == "correction" and hasattr(post, "getlist") else set()

    def errs(key: str, for_action: str) -> list[str]:
        return field_errors(exc, key) if action == for_action else []

    correction_rows = [
        {
            "material": material,
            "checked": str(material.public_id) in checked,
            "reason": field(
                f"reason_{material.public_id}",
                _("补正原因：%(name)s") % {"name": material.name},
                value=post.get(f"reason_{material.public_id}", ""),
                maxlength=300,
            ),
        }
        for material in item_materials
    ]
    return {
        "case": case,
        "actions": {str(allowed) for allowed in actions},
        # Personal data masked unless unmasked on request (workbench/personal_data.py).
        **personal.applicant_shown(case, unmasked=unmasked),
        "form_display": _form_display(case, unmasked),
        "material_base": reverse("workbench:material", args=[case.public_id, _NO_ID]).removesuffix(
            f"{_NO_ID}/"
        ),
        "materials": list(materials_of(case)),
        "events": list(case_queryset_for_events(case)),
        # The open notice is the last unresolved one of the list (one query for both).
        "notice": next((n for n in reversed(notices) if n.resolved_at is None), None),
        "notices": notices,
        "due_info": due_state(case, timezone.localdate()),
        # 文书用印: without a usable seal the body cannot issue the notice or decision (the service refuses).
        "seal_missing": case.status in OPEN_FOR_DOCUMENTS and lacks_document_seal(case.handling_organisation),
        **process_context(user, case, process),
        "accept_comment": field(
            "comment",
            _("受理意见（选填）"),
            type="textarea",
            value=post.get("comment", "") if action == "accept" else "",
            field_id="id_accept_comment",
            rows=2,
            maxlength=1000,
        ),
        "refuse_reason": field(
            "reason",
            _("不予受理理由"),
            type="textarea",
            required=True,
            value=post.get("reason", "") if action == "refuse" else "",
            errors=errs("reason", "refuse"),
            field_id="id_refuse_reason",
            rows=3,
            maxlength=1000,
        ),
        "correction_rows": correction_rows,
        "correction_errors": errs("items", "correction"),
        "other_name": field(
            "other_name",
            _("其他需补正事项"),
            value=post.get("other_name", "") if action == "correction" else "",
            help=_("不属于上列材料的问题，例如申请表某项填写有误"),
            maxlength=200,
        ),
        "other_reason": field(
            "other_reason",
            _("其他事项的补正要求"),
            value=post.get("other_reason", "") if action == "correction" else "",
            maxlength=300,
        ),
        "correction_comment": field(
            "comment",
            _("补充说明（选填）"),
            type="textarea",
            value=post.get("comment", "") if action == "correction" else "",
            field_id="id_correction_comment",
            rows=2,
            maxlength=1000,
        ),
        "decide_comment": field(
            "comment",
            _("审批意见"),
            type="textarea",
            value=post.get("comment", "") if action == "decide" else "",
            errors=errs("comment", "decide"),
            help=_("不予批准时必须说明理由"),
            field_id="id_decide_comment",
            rows=3,
            maxlength=1000,
        ),
        "error": error_context(exc) if exc else None,
        "error_action": action,
        "gap_overdue": gap_overdue(case),
        "special_procedures": procedures,
        "extensions": extensions,
        "special_kinds": SpecialProcedureKind.choices,
        "open_procedure": next((p for p in procedures if p.ended_at is None), None),
        "pending_extension": next((x for x in extensions if x.status == ExtensionStatus.PENDING), None),
        "extension_limit": variants.extension_limit(case),
        "item_materials": item_materials,
    }


@staff_required
@domain_errors
def case_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user = current_user(request)
    case = case_for_task_holder(user, public_id)
    # Reading an applicant's personal data is logged (MLPS level 3): audit + the access log the
    # applicant sees; the full data only on an explicit, permitted request with a purpose.
    purpose = personal.unmask_request(request, user, case)
    audit.record("case.viewed", actor=user, obj=case, detail={"number": case.number})
    personal.record_case_read(user, case, purpose=purpose)
    return render(
        request, "workbench/case_detail.html", case_context(request, case, unmasked=purpose is not None)
    )


def _expected_version(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("lock_version", ""))
    except ValueError as exc:
        raise DomainError(
            CoreErrorCode.VALIDATION_ERROR, _("页面缺少版本信息，请刷新后重试"), {"lock_version": [_("必填")]}
        ) from exc


# Value rules (a required text, a non-empty list, a range) that the services state in the words the
# pages have always shown: a form failing only these is passed on, and the service refuses it.
_SERVICE_WORDED = {"missing", "string_too_short", "too_short", "greater_than_equal", "less_than_equal"}


def _payload(schema: type[Input], values: dict[str, Any], *, service_checked: Iterable[str] = ()) -> Input:
    """An action form's values validated by the API's input schema (cases/schemas.py).

    A failure only on fields in ``service_checked`` with a value rule the service checks too (see
    ``_SERVICE_WORDED``) leaves the refusal to the service; a malformed value (not a whole number,
    too long) is a ``validation_error`` with the page's messages.
    """
    try:
        return schema.model_validate(values)
    except ValidationError as exc:
        checked = set(service_checked)
        errors = exc.errors()
        if all(
            error["type"] in _SERVICE_WORDED
            and error["loc"]
            and str(error["loc"][0]) in checked
            and values.get(str(error["loc"][0])) is not None
            for error in errors
        ):
            return schema.model_construct(**values)
        whole_numbers = any(error["type"] == "int_parsing" for error in errors)
        raise DomainError(
            CoreErrorCode.VALIDATION_ERROR,
            _("请填写整数") if whole_numbers else _("请检查填写的内容"),
            validation_fields(exc, type_messages={"int_parsing": _("应为整数"), "missing": _("必填")}),
        ) from exc


def _text(request: HttpRequest, name: str) -> str:
    return request.POST.get(name, "").strip()


def _int_or_missing(request: HttpRequest, name: str) -> dict[str, int | str]:
    """A number control: blank counts as not given (the schema's default or "required" applies)."""
    value = _text(request, name)
    if not value:
        return {}
    try:
        return {name: int(value)}
    except ValueError:
        return {name: value}  # the schema reports it (int_parsing)


def _act(request: HttpRequest, public_id: UUID, action: str, run: Callable[[Case, int], str]) -> HttpResponse:
    user = current_user(request)
    case = get_case_for(user, public_id)
    try:
        done = run(case, _expected_version(request))
    except DomainError as exc:
        case.refresh_from_db()
        return render(
            request,
            "workbench/case_detail.html",
            case_context(request, case, exc=exc, action=action),
            status=exc.status,
        )
    messages.success(request, done)
    return redirect("workbench:case_detail", public_id=case.public_id)


@require_POST
@staff_required
@domain_errors
def accept(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user = current_user(request)

    def run(case: Case, version: int) -> str:
        payload = _payload(ActionIn, {"comment": _text(request, "comment")})
        accepted = accept_case(case, actor=user, comment=payload.comment, expected_version=version)
        return _("已受理，承诺办结日期 %(due)s。") % {"due": accepted.due_date}

    return _act(request, public_id, "accept", run)


@require_POST
@staff_required
@domain_errors
def refuse(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user = current_user(request)

    def run(case: Case, version: int) -> str:
        payload = _payload(RefuseIn, {"reason": _text(request, "reason")}, service_checked=["reason"])
        refuse_acceptance(case, actor=user, reason=payload.reason, expected_version=version)
        return _("已作出不予受理决定，通知书已生成。")

    return _act(request, public_id, "refuse", run)


def correction_items(request: HttpRequest) -> list[dict[str, str]]:
    """一次性告知: every checked material with its reason, plus the optional free-text line."""
    items = [
        {"material_id": material_id, "name": "", "reason": _text(request, f"reason_{material_id}")}
        for material_id in request.POST.getlist("material")
    ]
    other_name = _text(request, "other_name")
    if other_name:
        items.append({"material_id": "", "name": other_name, "reason": _text(request, "other_reason")})
    return items


@require_POST
@staff_required
@domain_errors
def correction(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """一次性告知: every checked material with its reason, plus an optional free-text line, in one notice."""
    user = current_user(request)

    def run(case: Case, version: int) -> str:
        payload = _payload(
            CorrectionIn,
            {"items": correction_items(request), "comment": _text(request, "comment")},
            service_checked=["items"],
        )
        notice = request_correction(
            case,
            actor=user,
            items=[dict(item) for item in payload.items],
            comment=payload.comment,
            expected_version=version,
        )
        return _("已一次性告知申请人补正 %(n)d 项，补正期限 %(deadline)s。") % {
            "n": len(notice.items),
            "deadline": notice.deadline,
        }

    return _act(request, public_id, "correction", run)


# The two submit buttons of a yes/no form (name → value → the schema's boolean).
DECISIONS = {"approve": True, "refuse": False}
YES_NO = {"yes": True, "no": False}


@require_POST
@staff_required
@domain_errors
def decide(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user = current_user(request)

    def run(case: Case, version: int) -> str:
        approve = DECISIONS.get(request.POST.get("decision", ""))
        if approve is None:
            raise DomainError(
                CoreErrorCode.VALIDATION_ERROR, _("请选择批准或不予批准"), {"decision": [_("必选")]}
            )
        payload = _payload(DecideIn, {"approve": approve, "comment": _text(request, "comment")})
        decide_case(
            case, actor=user, approve=payload.approve, comment=payload.comment, expected_version=version
        )
        return _("已批准并办结，结果文书已生成。") if payload.approve else _("已作出不予批准决定并办结。")

    return _act(request, public_id, "decide", run)


@require_POST
@staff_required
@domain_errors
def material_verify(request: HttpRequest, public_id: UUID, material_id: UUID) -> HttpResponse:
    """核验材料: the clerk has checked an uploaded material against the original (可信等级 C → B)."""
    user = current_user(request)
    case = get_case_for(user, public_id)
    material = verify_material(case, material_id, actor=user)
    messages.success(request, _("已核验“%(name)s”，可信等级为 B 级。") % {"name": material.material_name})
    return redirect("workbench:case_detail", public_id=case.public_id)


def _variant_run(request: HttpRequest, action: str, user: Any) -> Callable[[Case, int], str] | None:
    """容缺受理, 告知承诺, 承诺核查, 延长, 特别程序, 终止: the form's values through the API's schema, then the service."""
    text = _text(request, "text")
    if action == "gap":

        def gap(case: Case, version: int) -> str:
            items = [
                {"material_id": key, "reason": _text(request, f"gap_reason_{key}")}
                for key in request.POST.getlist("material")
            ]
            payload = _payload(
                GapAcceptIn,
                {"items": items, **_int_or_missing(request, "days"), "comment": text},
                service_checked=["items", "days"],
            )
            accepted = variants.accept_with_gap(
                case,
                actor=user,
                items=[dict(item) for item in payload.items],
                days=payload.days,
                comment=payload.comment,
                expected_version=version,
            )
            return _("已容缺受理，容缺材料补齐期限 %(d)s。") % {"d": accepted.gap_deadline}

        return gap
    if action == "commitment":

        def commitment(case: Case, version: int) -> str:
            payload = _payload(CommitmentApproveIn, {"comment": text})
            variants.approve_on_commitment(
                case, actor=user, comment=payload.comment, expected_version=version
            )
            return _("已按告知承诺批准，请在核查期限内完成核查。")

        return commitment
    if action == "verify":

        def verify(case: Case, version: int) -> str:
            truthful = YES_NO.get(request.POST.get("truthful", ""), False)
            payload = _payload(VerifyIn, {"truthful": truthful, "comment": text})
            variants.verify_commitment(
                case, actor=user, truthful=payload.truthful, comment=payload.comment, expected_version=version
            )
            return _("核查属实，许可维持。") if payload.truthful else _("承诺不实，已撤销许可。")

        return verify
    if action == "extend":

        def extend(case: Case, version: int) -> str:
            payload = _payload(
                ExtensionRequestIn,
                {**_int_or_missing(request, "days"), "reason": text},
                service_checked=["days", "reason"],
            )
            variants.request_extension(
                case, actor=user, days=payload.days, reason=payload.reason, expected_version=version
            )
            return _("已提交延长申请，待负责人批准。")

        return extend
    if action == "extension-decide":

        def extension_decide(case: Case, version: int) -> str:
            approve = YES_NO.get(request.POST.get("approve", ""), False)
            payload = _payload(ExtensionDecideIn, {"approve": approve, "comment": text})
            variants.decide_extension(
                case, actor=user, approve=payload.approve, comment=payload.comment, expected_version=version
            )
            return _("已批准延长。") if payload.approve else _("已不予批准延长。")

        return extension_decide
    if action == "special-start":

        def special_start(case: Case, version: int) -> str:
            payload = _payload(
                SpecialStartIn,
                {"kind": _text(request, "kind"), "reason": text},
                service_checked=["kind", "reason"],
            )
            variants.start_special_procedure(
                case, actor=user, kind=payload.kind, reason=payload.reason, expected_version=version
            )
            return _("特别程序已开始，办理时限暂停计算。")

        return special_start
    if action == "special-end":

        def special_end(case: Case, version: int) -> str:
            payload = _payload(SpecialEndIn, {"result": text}, service_checked=["result"])
            variants.end_special_procedure(case, actor=user, result=payload.result, expected_version=version)
            return _("特别程序已结束，办理时限恢复计算。")

        return special_end
    if action == "terminate":

        def terminate(case: Case, version: int) -> str:
            payload = _payload(RefuseIn, {"reason": text}, service_checked=["reason"])
            variants.terminate_case(case, actor=user, reason=payload.reason, expected_version=version)
            return _("办件已终止。")

        return terminate
    return None


@require_POST
@staff_required
@domain_errors
def variant(request: HttpRequest, public_id: UUID, action: str) -> HttpResponse:
    """容缺受理, 告知承诺, 承诺核查, 延长, 特别程序, 终止: one form each on the case page."""
    run = _variant_run(request, action, current_user(request))

    def unknown(case: Case, version: int) -> str:
        raise NotFound(_("未知操作"))

    return _act(request, public_id, action, run or unknown)


# --- downloads -----------------------------------------------------------------------------------
@staff_required
@domain_errors
def material_download(request: HttpRequest, public_id: UUID, material_id: UUID) -> HttpResponseBase:
    user = current_user(request)
    case = case_for_task_holder(user, public_id)
    return download_response(downloads.material_download(case, material_id, staff=user))


@staff_required
@domain_errors
def result_download(request: HttpRequest, public_id: UUID) -> HttpResponseBase:
    return download_response(downloads.result_download(current_user(request), public_id))
