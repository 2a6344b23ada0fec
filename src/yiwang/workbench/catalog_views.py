"""事项管理工作台 The service managers' catalogue pages: list, edit, review, compare, publish, quality, statistics.

Only staff holding the 事项管理员 (service_manager) role see these pages (others get 403).  Pages
are thin: every change goes through :mod:`yiwang.catalog.services`, whose DomainError becomes the
error summary of the form (with the 4xx status) or a message on the item page.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any, TypeVar, cast
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from yiwang.accounts.models import AssuranceLevel
from yiwang.catalog import services
from yiwang.catalog.consistency import consistency_report, region_prefix
from yiwang.catalog.errors import CatalogErrorCode
from yiwang.catalog.models import (
    BaseItem,
    BaseItemStatus,
    CaseKind,
    ExerciseLevel,
    HandlingForm,
    ItemStatus,
    ItemType,
    MaterialForm,
    MaterialSourceKind,
    OnlineDepthStep,
    ServiceItem,
    ServiceObject,
    SpecialProcedureKind,
    TongbanRange,
)
from yiwang.catalog.quality import KIND_LABELS, catalogue_statistics, quality_issues
from yiwang.catalog.scenarios import define_scenarios, scenario_definition
from yiwang.core.errors import DomainError, PermissionDenied
from yiwang.core.models import Organisation, Region
from yiwang.core.paging import paginate
from yiwang.web.ui import current_user, error_context, field, field_errors, is_staff_user, render_error

View = TypeVar("View", bound=Callable[..., HttpResponseBase])

PAGE_SIZE = 30
EXTRA_ROWS = 2  # blank rows offered for new materials, fees, FAQ entries


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "error.html",
        {"error_title": _("无权访问"), "error_message": _("事项管理仅限事项管理员使用。"), "status": 403},
        status=403,
    )


def manager_required(view: View) -> View:
    """Service managers only: anonymous users go to the workbench login, everybody else gets 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("workbench:login"))
        if not is_staff_user(request.user) or not services.is_service_manager(request.user):
            return _forbidden(request)
        if not getattr(request.user, "is_verified", lambda: True)():
            # 多因素认证: staff pass the second factor before any workbench page.
            try:
                target = reverse("workbench:mfa")
            except NoReverseMatch:
                target = reverse("workbench:login")
            return redirect_to_login(request.get_full_path(), target)
        try:
            return view(request, *args, **kwargs)
        except DomainError as exc:
            return render_error(request, exc)

    return cast(View, wrapper)


def _scope(request: HttpRequest) -> Region:
    """The region the manager acts for (his organisation's region and everything below it)."""
    return current_user(request).staff_profile.organisation.region  # type: ignore[no-any-return]


def _items_in_scope(request: HttpRequest) -> QuerySet[ServiceItem]:
    return ServiceItem.objects.filter(region__full_code__startswith=region_prefix(_scope(request)))


def _item(request: HttpRequest, public_id: UUID) -> ServiceItem:
    item = services.get_item(public_id)
    services.require_manager(current_user(request), item.region)
    return item


def _nav(request: HttpRequest) -> dict[str, Any]:
    items = _items_in_scope(request)
    return {
        "review_count": items.filter(status=ItemStatus.SUBMITTED)
        .exclude(submitted_by=current_user(request))
        .count(),
    }


# --- list ------------------------------------------------------------------------------------------
@manager_required
def item_list(request: HttpRequest) -> HttpResponse:
    """事项清单 Every item in the manager's region, filterable by status, department, type and text."""
    items = _items_in_scope(request).select_related("implementing_body", "revision_of")
    status = request.GET.get("status", "")
    department = request.GET.get("department", "")
    item_type = request.GET.get("type", "")
    query = request.GET.get("q", "").strip()[:50]
    if status in ItemStatus.values:
        items = items.filter(status=status)
    if department:
        try:
            items = items.filter(implementing_body__public_id=UUID(department))
        except ValueError:
            department = ""
    if item_type in ItemType.values:
        items = items.filter(item_type=item_type)
    if query:
        items = items.filter(
            Q(name__icontains=query) | Q(implementation_code__icontains=query) | Q(base_code__icontains=query)
        )
    page_obj = paginate(request, items.order_by("implementing_body__name", "name", "pk"), PAGE_SIZE)
    params = [("status", status), ("department", department), ("type", item_type), ("q", query)]
    departments = Organisation.objects.filter(
        region__full_code__startswith=region_prefix(_scope(request)), service_items__isnull=False
    ).distinct()
    return render(
        request,
        "workbench/catalog/item_list.html",
        {
            **_nav(request),
            "page_obj": page_obj,
            "items": list(page_obj.object_list),
            "statuses": ItemStatus.choices,
            "types": ItemType.choices,
            "departments": list(departments.order_by("name")),
            "status_filter": status,
            "department_filter": department,
            "type_filter": item_type,
            "query": query,
            "page_query": "".join(f"{k}={v}&" for k, v in params if v),
        },
    )


@manager_required
def review_queue(request: HttpRequest) -> HttpResponse:
    """待我审核 Submitted drafts in the region that someone else submitted."""
    items = (
        _items_in_scope(request)
        .filter(status=ItemStatus.SUBMITTED)
        .exclude(submitted_by=current_user(request))
        .select_related("implementing_body", "submitted_by", "revision_of")
        .order_by("submitted_at")
    )
    return render(request, "workbench/catalog/review_queue.html", {**_nav(request), "items": list(items)})


# --- create ----------------------------------------------------------------------------------------
@manager_required
def item_new(request: HttpRequest) -> HttpResponse:
    """新建实施清单 Choose the base item and the implementing body; the draft is then edited."""
    scope = _scope(request)
    bodies = list(
        Organisation.objects.filter(
            region__full_code__startswith=region_prefix(scope), is_active=True
        ).order_by("name")
    )
    bases = list(BaseItem.objects.filter(status=BaseItemStatus.ACTIVE).order_by("code"))
    exc: DomainError | None = None
    post = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        try:
            body = next((b for b in bodies if str(b.public_id) == post.get("implementing_body")), None)
            base = next((b for b in bases if str(b.public_id) == post.get("base_item")), None)
            problems = {}
            if body is None:
                problems["implementing_body"] = [_("请选择实施主体")]
            if base is None:
                problems["base_item"] = [_("请选择基本目录事项")]
            if problems:
                raise DomainError(CatalogErrorCode.INVALID_ITEM, _("请选择基本目录事项和实施主体"), problems)
            assert body is not None and base is not None
            item = services.create_item(
                actor=current_user(request),
                implementing_body=body,
                base_item=base,
                exercise_level=post.get("exercise_level", ""),
                statutory_limit_days=base.statutory_limit_days or 20,
                committed_limit_days=min(base.statutory_limit_days or 20, 20),
            )
        except DomainError as error:
            exc = error
        else:
            messages.success(request, _("已新建草稿，请完善事项信息。"))
            return redirect("workbench:catalog_edit", public_id=item.public_id)
    return render(
        request,
        "workbench/catalog/item_new.html",
        {
            **_nav(request),
            "error": error_context(exc, NEW_LABELS) if exc else None,
            "controls": [
                field(
                    "base_item",
                    _("基本目录事项"),
                    type="select",
                    required=True,
                    value=post.get("base_item", ""),
                    choices=[(str(b.public_id), f"{b.code} {b.name}") for b in bases],
                    errors=field_errors(exc, "base_item"),
                ),
                field(
                    "implementing_body",
                    _("实施主体"),
                    type="select",
                    required=True,
                    value=post.get("implementing_body", ""),
                    choices=[(str(b.public_id), b.name) for b in bodies],
                    errors=field_errors(exc, "implementing_body"),
                ),
                field(
                    "exercise_level",
                    _("行使层级"),
                    type="select",
                    required=True,
                    value=post.get("exercise_level", ""),
                    choices=[(code, str(text)) for code, text in ExerciseLevel.choices],
                    errors=field_errors(exc, "exercise_level"),
                ),
            ],
        },
        status=exc.status if exc else 200,
    )


NEW_LABELS = {
    "base_item": ("id_base_item", gettext_noop("基本目录事项")),
    "implementing_body": ("id_implementing_body", gettext_noop("实施主体")),
    "exercise_level": ("id_exercise_level", gettext_noop("行使层级")),
    "base_code": ("id_base_item", gettext_noop("基本编码")),
}


# --- edit ------------------------------------------------------------------------------------------
TEXT_FIELDS: list[tuple[str, str, str, int]] = [
    # name, label, type, maxlength (0 = textarea without limit)
    ("legal_basis_url", gettext_noop("设定依据链接"), "url", 500),
    ("authority_division", gettext_noop("权限划分"), "textarea", 0),
    ("exercise_content", gettext_noop("行使内容"), "textarea", 0),
    ("jurisdiction", gettext_noop("管辖范围"), "textarea", 0),
    ("conditions", gettext_noop("受理条件"), "textarea", 0),
    ("process_description", gettext_noop("办理流程"), "textarea", 0),
    ("joint_bodies", gettext_noop("联办机构"), "textarea", 0),
    ("intermediary_services", gettext_noop("中介服务"), "textarea", 0),
    ("quantity_limits", gettext_noop("数量限制"), "textarea", 0),
    ("limit_note", gettext_noop("时限说明"), "text", 300),
    ("fee_description", gettext_noop("收费标准（概述）"), "textarea", 0),
    ("fee_basis", gettext_noop("收费依据（概述）"), "textarea", 0),
    ("result_name", gettext_noop("审批结果名称"), "text", 200),
    ("place", gettext_noop("办理地点"), "text", 300),
    ("office_hours", gettext_noop("办理时间"), "text", 200),
    ("consult_phone", gettext_noop("咨询电话"), "text", 60),
    ("supervise_phone", gettext_noop("监督投诉电话"), "text", 60),
    ("online_url", gettext_noop("网上办理地址"), "url", 500),
    ("keywords", gettext_noop("检索关键词（空格分隔）"), "text", 300),
]
NUMBER_FIELDS = [
    ("statutory_limit_days", gettext_noop("法定办结时限（工作日）")),
    ("committed_limit_days", gettext_noop("承诺办结时限（工作日）")),
    ("visits_required", gettext_noop("到办事现场次数")),
]
FLAG_FIELDS = [
    ("fee_required", gettext_noop("收费")),
    ("online_apply", gettext_noop("支持网上申请")),
    ("appointment_supported", gettext_noop("支持预约")),
    ("online_payment_supported", gettext_noop("支持网上支付")),
    ("express_supported", gettext_noop("支持快递")),
]
SELECT_FIELDS: list[tuple[str, str, Any]] = [
    ("exercise_level", gettext_noop("行使层级"), ExerciseLevel.choices),
    ("case_kind", gettext_noop("办件类型"), CaseKind.choices),
    (
        "required_assurance_level",
        gettext_noop("认证等级要求"),
        [(code, text) for code, text in AssuranceLevel.choices if code > 0],
    ),
    ("tongban_range", gettext_noop("通办范围"), TongbanRange.choices),
]
CODE_LIST_FIELDS: list[tuple[str, str, Any]] = [
    ("handling_forms", gettext_noop("办理形式"), HandlingForm.choices),
    ("online_depth", gettext_noop("网办深度"), OnlineDepthStep.choices),
    ("service_objects", gettext_noop("服务对象"), ServiceObject.choices),
]
ALL_LABELS: dict[str, tuple[str, str]] = {
    str(spec[0]): (f"id_{spec[0]}", str(spec[1]))
    for spec in [*TEXT_FIELDS, *NUMBER_FIELDS, *FLAG_FIELDS, *SELECT_FIELDS, *CODE_LIST_FIELDS]
}
ALL_LABELS.update(
    {
        "form_fields": ("id_form_fields", gettext_noop("申请表字段")),
        "name": ("basic", gettext_noop("事项名称")),
        "item_type": ("basic", gettext_noop("事项类型")),
        "legal_basis": ("basic", gettext_noop("设定依据")),
        "base_code": ("basic", gettext_noop("基本编码")),
        "materials": ("materials", gettext_noop("申请材料")),
        "fee_items": ("fees", gettext_noop("收费项目")),
        "faq": ("faq", gettext_noop("常见问题")),
        "special_procedures": ("special", gettext_noop("特别程序")),
    }
)


def _int(post: Any, name: str, errors: dict[str, list[str]], default: int | None = None) -> int | None:
    raw = (post.get(name) or "").strip()
    if not raw:
        if default is None:
            errors[name] = [_("请填写整数")]
        return default
    try:
        value = int(raw)
    except ValueError:
        errors[name] = [_("请填写整数")]
        return default
    if not 0 <= value <= 9999:
        errors[name] = [_("应在0至9999之间")]
    return value


def _rows(post: Any, prefix: str, keys: tuple[str, ...]) -> list[dict[str, str]]:
    """The inline rows ``{prefix}-{n}-{key}`` in order; rows marked for deletion are skipped."""
    count = _int(post, f"{prefix}-count", {}, 0) or 0
    rows = []
    for index in range(min(count, 200)):
        if post.get(f"{prefix}-{index}-delete"):
            continue
        row = {key: (post.get(f"{prefix}-{index}-{key}") or "").strip() for key in keys}
        rows.append(row)
    return rows


MATERIAL_KEYS = (
    "public_id",
    "name",
    "description",
    "source",
    "source_kind",
    "licence_type_code",
    "shared_resource_code",
    "licence_legal_basis",
    "mandatory",
    "originals",
    "copies",
    "material_form",
)


def parse_item_form(post: Any, base: BaseItem | None) -> dict[str, Any]:
    """The ``update_item`` arguments from the edit form (form-level problems raise DomainError)."""
    errors: dict[str, list[str]] = {}
    fields: dict[str, Any] = {name: post.get(name, "") for name, *_r in TEXT_FIELDS}
    for name, _label in NUMBER_FIELDS:
        fields[name] = _int(post, name, errors)
    for name, _label in FLAG_FIELDS:
        fields[name] = bool(post.get(name))
    for name, _label, _choices in SELECT_FIELDS:
        fields[name] = post.get(name, "")
    fields["required_assurance_level"] = _int(post, "required_assurance_level", errors)
    for name, _label, _choices in CODE_LIST_FIELDS:
        fields[name] = post.getlist(name)
    if base is not None:  # 四级四同: the four fields follow the base item
        fields.update(name=base.name, item_type=base.item_type, legal_basis=base.legal_basis)
    try:
        fields["form_fields"] = json.loads(post.get("form_fields") or "[]")
    except json.JSONDecodeError:
        errors["form_fields"] = [_("申请表字段应为 JSON 数组")]
    materials = []
    for index, row in enumerate(r for r in _rows(post, "material", MATERIAL_KEYS) if r["name"]):
        material: dict[str, Any] = {
            **{key: row[key] for key in MATERIAL_KEYS if key not in ("mandatory", "originals", "copies")},
            "mandatory": bool(row["mandatory"]),
            "order": index + 1,
        }
        material["public_id"] = material["public_id"] or None
        for key in ("originals", "copies"):
            try:
                material[key] = int(row[key] or 0)
            except ValueError:
                errors[f"materials.{index}"] = [_("份数应为整数")]
        materials.append(material)
    fee_items = [
        r for r in _rows(post, "fee", ("name", "standard", "legal_basis")) if r["name"] or r["standard"]
    ]
    fields["faq"] = [r for r in _rows(post, "faq", ("question", "answer")) if r["question"] or r["answer"]]
    special = []
    for row in _rows(post, "special", ("kind", "name", "limit_days", "note")):
        if not row["name"]:
            continue
        entry: dict[str, Any] = {"kind": row["kind"] or "2", "name": row["name"], "note": row["note"]}
        entry["limit_days"] = int(row["limit_days"]) if row["limit_days"].isdigit() else None
        special.append(entry)
    fields["special_procedures"] = special
    if errors:
        raise DomainError(CatalogErrorCode.INVALID_ITEM, _("表单填写有误"), errors)
    return {"fields": fields, "materials": materials, "fee_items": fee_items}


def _editable(item: ServiceItem) -> bool:
    return item.status in (ItemStatus.DRAFT, ItemStatus.WITHDRAWN)


def _edit_context(
    request: HttpRequest, item: ServiceItem, exc: DomainError | None, *, item_form_posted: bool | None = None
) -> dict[str, Any]:
    posted = request.method == "POST" if item_form_posted is None else item_form_posted
    post = request.POST if posted else None

    def value(name: str) -> Any:
        if post is not None:
            return post.get(name, "")
        return getattr(item, name)

    text = [
        field(
            name,
            _(label),
            type="textarea" if kind == "textarea" else "text",
            value=value(name),
            rows=3,
            maxlength=maxlength or None,
            errors=field_errors(exc, name),
            inputmode="url" if kind == "url" else None,
        )
        for name, label, kind, maxlength in TEXT_FIELDS
    ]
    numbers = [
        # a string, so that 0 is shown as "0" (the field template treats a falsy value as empty)
        field(
            name,
            _(label),
            type="number",
            value=str(value(name)),
            required=True,
            errors=field_errors(exc, name),
        )
        for name, label in NUMBER_FIELDS
    ]
    flags = [
        field(
            name,
            _(label),
            type="checkbox",
            value=bool(post.get(name)) if post is not None else getattr(item, name),
        )
        for name, label in FLAG_FIELDS
    ]
    frozen = item.version > 0 or item.is_revision
    selects = [
        field(
            name,
            _(label),
            type="select",
            value=str(value(name)),
            choices=choices,
            required=True,
            errors=field_errors(exc, name),
            disabled=(name == "exercise_level" and frozen),
        )
        for name, label, choices in SELECT_FIELDS
    ]
    code_lists = [
        {
            "name": name,
            "label": _(label),
            "errors": field_errors(exc, name),
            "options": [
                {
                    "value": code,
                    "label": text_label,
                    "checked": code in (post.getlist(name) if post is not None else getattr(item, name)),
                    "id": f"id_{name}_{code}",
                }
                for code, text_label in choices
            ],
        }
        for name, label, choices in CODE_LIST_FIELDS
    ]
    if post is not None:
        materials = _rows(post, "material", MATERIAL_KEYS)
        fees = _rows(post, "fee", ("name", "standard", "legal_basis"))
        faq = _rows(post, "faq", ("question", "answer"))
        special = _rows(post, "special", ("kind", "name", "limit_days", "note"))
        form_fields_json = post.get("form_fields", "")
    else:
        materials = [
            {key: getattr(m, key) for key in MATERIAL_KEYS} | {"obj": m} for m in item.materials.all()
        ]
        fees = [
            {"name": f.name, "standard": f.standard, "legal_basis": f.legal_basis}
            for f in item.fee_items.all()
        ]
        faq = list(item.faq or [])
        special = list(item.special_procedures or [])
        form_fields_json = json.dumps(item.form_fields or [], ensure_ascii=False, indent=2)
    blank_material: dict[str, Any] = dict.fromkeys(MATERIAL_KEYS, "") | {
        "mandatory": True,
        "source_kind": "upload",
    }
    materials = [*materials, *([blank_material] * EXTRA_ROWS)]
    fees = [*fees, *([{"name": "", "standard": "", "legal_basis": ""}] * EXTRA_ROWS)]
    faq = [*faq, *([{"question": "", "answer": ""}] * EXTRA_ROWS)]
    special = [*special, *([{"kind": "2", "name": "", "limit_days": "", "note": ""}] * 1)]
    return {
        **_nav(request),
        "item": item,
        "base": item.base_item,
        "frozen": frozen,
        "level_label": item.get_exercise_level_display(),
        "error": error_context(exc, ALL_LABELS) if exc else None,
        "text_controls": text,
        "number_controls": numbers,
        "flag_controls": flags,
        "select_controls": selects,
        "code_lists": code_lists,
        "materials": materials,
        "fees": fees,
        "faq": faq,
        "special": special,
        "form_fields_json": form_fields_json,
        "form_fields_errors": field_errors(exc, "form_fields"),
        "material_forms": MaterialForm.choices,
        "source_kinds": MaterialSourceKind.choices,
        "special_kinds": SpecialProcedureKind.choices,
        "row_errors": {key: msgs for key, msgs in (exc.fields if exc else {}).items() if "." in str(key)},
    }


# --- 情形引导 scenario editor (a section of the edit page with its own form) ---------------------
OPTION_LISTS = ("adds_materials", "removes_materials", "adds_conditions", "removes_conditions")


def parse_scenario_form(post: Any) -> dict[str, Any]:
    """``define_scenarios`` arguments from the scenario form.

    ``scenario-conditions`` has one condition per line; question ``i`` is ``q-{i}-key/text/help_text``
    with options ``q-{i}-o-{j}-value/label`` and the checked materials/conditions as repeated
    ``q-{i}-o-{j}-adds_materials`` (etc.) values.  Blank questions and options are skipped; a
    question marked ``q-{i}-delete`` is removed.
    """
    conditions = [
        line.strip() for line in (post.get("scenario-conditions") or "").splitlines() if line.strip()
    ]
    questions = []
    for q in range(min(_int(post, "q-count", {}, 0) or 0, 40)):
        prefix = f"q-{q}"
        key = (post.get(f"{prefix}-key") or "").strip()
        text = (post.get(f"{prefix}-text") or "").strip()
        if post.get(f"{prefix}-delete") or (not key and not text):
            continue
        options = []
        for o in range(min(_int(post, f"{prefix}-option-count", {}, 0) or 0, 20)):
            oprefix = f"{prefix}-o-{o}"
            value = (post.get(f"{oprefix}-value") or "").strip()
            label = (post.get(f"{oprefix}-label") or "").strip()
            if not value and not label:
                continue
            option: dict[str, Any] = {"value": value, "label": label}
            for name in OPTION_LISTS:
                option[name] = [v for v in post.getlist(f"{oprefix}-{name}") if v]
            options.append(option)
        questions.append(
            {
                "key": key,
                "text": text,
                "help_text": (post.get(f"{prefix}-help_text") or "").strip(),
                "options": options,
            }
        )
    return {"questions": questions, "conditions": conditions}


def _scenario_context(item: ServiceItem, post: Any | None = None) -> dict[str, Any]:
    """The scenario editor rows: the saved (or just posted) questions plus a blank one, each with
    two blank options, and the materials and conditions an option can select."""
    definition = parse_scenario_form(post) if post is not None else scenario_definition(item)
    blank_option = {"value": "", "label": "", **{name: [] for name in OPTION_LISTS}}
    questions = [
        {**question, "options": [*question["options"], blank_option, blank_option]}
        for question in definition["questions"]
    ]
    questions.append({"key": "", "text": "", "help_text": "", "options": [blank_option, blank_option]})
    return {
        "scenario_questions": questions,
        "scenario_conditions": definition["conditions"],
        "scenario_conditions_text": "\n".join(definition["conditions"]),
        "scenario_materials": [material.name for material in item.materials.all()],
    }


@require_POST
@manager_required
def item_scenarios(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """保存情形引导 Replace the draft's (or revision draft's) scenario questions and conditions."""
    item = _item(request, public_id)
    try:
        if not _editable(item):
            raise DomainError(
                CatalogErrorCode.ITEM_NOT_EDITABLE,
                _("该事项处于“%(status)s”状态，不能编辑；已发布的事项请新建修订稿。")
                % {"status": item.get_status_display()},
                status=409,
            )
        define_scenarios(item, actor=current_user(request), **parse_scenario_form(request.POST))
    except DomainError as exc:
        context = _edit_context(request, item, None, item_form_posted=False)
        context.update(_scenario_context(item, request.POST))
        context["scenario_error"] = exc
        context["scenario_row_errors"] = exc.fields
        return render(request, "workbench/catalog/item_edit.html", context, status=exc.status)
    messages.success(request, _("情形引导已保存。"))
    return redirect(reverse("workbench:catalog_edit", args=[item.public_id]) + "#scenarios")


@manager_required
def item_edit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """编辑草稿 All fields, materials, fee items, FAQ and special procedures on one page."""
    item = _item(request, public_id)
    if not _editable(item):
        return render_error(
            request,
            DomainError(
                CatalogErrorCode.ITEM_NOT_EDITABLE,
                _("该事项处于“%(status)s”状态，不能编辑；已发布的事项请新建修订稿。")
                % {"status": item.get_status_display()},
                status=409,
            ),
        )
    exc: DomainError | None = None
    if request.method == "POST":
        try:
            parsed = parse_item_form(request.POST, item.base_item)
            if item.version > 0 or item.is_revision:
                parsed["fields"].pop("exercise_level", None)
            services.update_item(
                item,
                actor=current_user(request),
                materials=parsed["materials"],
                fee_items=parsed["fee_items"],
                **parsed["fields"],
            )
            _save_files(request, item)
        except DomainError as error:
            exc = error
        else:
            messages.success(request, _("草稿已保存。"))
            return redirect("workbench:catalog_detail", public_id=item.public_id)
    return render(
        request,
        "workbench/catalog/item_edit.html",
        {**_edit_context(request, item, exc), **_scenario_context(item)},
        status=exc.status if exc else 200,
    )


def _save_files(request: HttpRequest, item: ServiceItem) -> None:
    user = current_user(request)
    if "result_sample" in request.FILES:
        services.set_item_file(item, actor=user, field="result_sample", upload=request.FILES["result_sample"])
    materials = {str(m.public_id): m for m in item.materials.all()}
    for key, upload in request.FILES.items():
        parts = key.split("__")
        if len(parts) == 3 and parts[0] == "file" and parts[1] in materials:
            services.set_item_file(
                item, actor=user, field=parts[2], upload=upload, material=materials[parts[1]]
            )


# --- one item: detail and actions ---------------------------------------------------------------------
@manager_required
def item_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    item = _item(request, public_id)
    user = current_user(request)
    versions = list(services.versions_of(item))
    revision = ServiceItem.objects.filter(revision_of=item).first() if not item.is_revision else None
    diff = (
        services.diff_with_published(item)
        if item.status != ItemStatus.PUBLISHED and (item.version or item.is_revision)
        else []
    )
    return render(
        request,
        "workbench/catalog/item_detail.html",
        {
            **_nav(request),
            "item": item,
            "snapshot": services.guide_snapshot(item),
            "versions": versions,
            "revision": revision,
            "reviews": list(services.review_history(item)[:20]),
            "diff": diff,
            "violations": services.item_violations(item),
            "can_edit": _editable(item),
            "can_submit": item.status == ItemStatus.DRAFT,
            "can_review": services.can_review(user, item),
            "own_submission": item.status == ItemStatus.SUBMITTED and item.submitted_by_id == user.pk,
            "can_publish": item.status in (ItemStatus.APPROVED, ItemStatus.WITHDRAWN),
            "can_withdraw": item.status == ItemStatus.PUBLISHED,
            "can_revise": item.status == ItemStatus.PUBLISHED and revision is None and not item.is_revision,
            "can_discard": item.is_revision and item.status == ItemStatus.DRAFT,
            "can_schedule": item.status != ItemStatus.WITHDRAWN,
            "now": timezone.localtime(),
        },
    )


def _action(request: HttpRequest, public_id: UUID, run: Callable[[ServiceItem, Any], str]) -> HttpResponse:
    item = _item(request, public_id)
    try:
        done = run(item, current_user(request))
    except DomainError as exc:
        details = _("；").join(
            _("；").join(map(str, v)) if isinstance(v, list) else str(v) for v in exc.fields.values()
        )
        messages.error(
            request, f"{exc.message}{'：' + details if details and details not in exc.message else ''}"
        )
        return redirect("workbench:catalog_detail", public_id=item.public_id)
    messages.success(request, done)
    return redirect("workbench:catalog_detail", public_id=item.public_id)


@require_POST
@manager_required
def item_submit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    def run(item: ServiceItem, user: Any) -> str:
        services.submit_item(item, user, request.POST.get("comment", "")[:2000])
        return _("已提交审核，请由另一名事项管理员审核。")

    return _action(request, public_id, run)


@require_POST
@manager_required
def item_review(request: HttpRequest, public_id: UUID) -> HttpResponse:
    decision = request.POST.get("decision")

    def run(item: ServiceItem, user: Any) -> str:
        if decision not in ("approve", "reject"):
            raise DomainError(CatalogErrorCode.INVALID_ITEM, _("请选择审核结论"), {"decision": [_("请选择")]})
        services.review_item(
            item, user, approve=decision == "approve", comment=request.POST.get("comment", "")
        )
        return _("审核通过。") if decision == "approve" else _("已退回修改。")

    return _action(request, public_id, run)


@require_POST
@manager_required
def item_publish(request: HttpRequest, public_id: UUID) -> HttpResponse:
    item = _item(request, public_id)
    try:
        published = services.publish_item(item, current_user(request))
    except DomainError as exc:
        details = _("；").join(
            _("；").join(map(str, v)) if isinstance(v, list) else str(v) for v in exc.fields.values()
        )
        messages.error(
            request, f"{exc.message}{'：' + details if details and details not in exc.message else ''}"
        )
        return redirect("workbench:catalog_detail", public_id=public_id)
    messages.success(request, _("已发布第 %(v)d 版。") % {"v": published.version})
    return redirect("workbench:catalog_detail", public_id=published.public_id)


@require_POST
@manager_required
def item_withdraw(request: HttpRequest, public_id: UUID) -> HttpResponse:
    def run(item: ServiceItem, user: Any) -> str:
        services.withdraw_item(item, user, reason=request.POST.get("reason", "")[:500])
        return _("已撤销发布。")

    return _action(request, public_id, run)


@require_POST
@manager_required
def item_revise(request: HttpRequest, public_id: UUID) -> HttpResponse:
    item = _item(request, public_id)
    try:
        revision = services.start_revision(item, current_user(request))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("workbench:catalog_detail", public_id=public_id)
    messages.success(request, _("已新建修订稿；发布前原版本继续对外公开。"))
    return redirect("workbench:catalog_edit", public_id=revision.public_id)


@require_POST
@manager_required
def item_discard(request: HttpRequest, public_id: UUID) -> HttpResponse:
    item = _item(request, public_id)
    canonical = item.revision_of
    try:
        services.discard_revision(item, current_user(request))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("workbench:catalog_detail", public_id=public_id)
    messages.success(request, _("已放弃修订稿。"))
    return redirect("workbench:catalog_detail", public_id=canonical.public_id)  # type: ignore[union-attr]


def _parse_moment(raw: str, field_name: str) -> datetime | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    moment = parse_datetime(raw)
    if moment is None:
        raise DomainError(
            CatalogErrorCode.INVALID_SCHEDULE, _("时间格式不正确"), {field_name: [_("时间格式不正确")]}
        )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


@require_POST
@manager_required
def item_schedule(request: HttpRequest, public_id: UUID) -> HttpResponse:
    def run(item: ServiceItem, user: Any) -> str:
        services.schedule_item(
            item,
            user,
            publish_at=_parse_moment(request.POST.get("publish_at", ""), "publish_at"),
            withdraw_at=_parse_moment(request.POST.get("withdraw_at", ""), "withdraw_at"),
        )
        return _("定时设置已保存。")

    return _action(request, public_id, run)


@manager_required
def item_compare(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """版本比对 Two versions (``?old=1&new=2``), or the draft against its published version."""
    item = _item(request, public_id)
    versions = list(services.versions_of(item))
    old, new = request.GET.get("old", ""), request.GET.get("new", "")
    if old.isdigit() and new.isdigit():
        rows = services.diff_versions(item, int(old), int(new))
        title = _("第 %(a)s 版 → 第 %(b)s 版") % {"a": old, "b": new}
    else:
        rows = services.diff_with_published(item)
        title = _("已发布版本 → 当前草稿")
        old = new = ""
    return render(
        request,
        "workbench/catalog/compare.html",
        {
            **_nav(request),
            "item": item,
            "rows": rows,
            "title": title,
            "versions": versions,
            "old": old,
            "new": new,
        },
    )


# --- reports ----------------------------------------------------------------------------------------
def _report_region(request: HttpRequest) -> Region:
    scope = _scope(request)
    code = request.GET.get("region", "").strip()
    if code:
        region = Region.objects.filter(code=code).first()
        if region is None or not services.region_covers(scope, region):
            raise PermissionDenied(_("该行政区划不在您的管理范围内"), code=CatalogErrorCode.NOT_IN_SCOPE)
        return region
    return scope


@manager_required
def consistency(request: HttpRequest) -> HttpResponse:
    """四级四同一致性报告."""
    region = _report_region(request)
    violations = consistency_report(region)
    return render(
        request,
        "workbench/catalog/consistency.html",
        {
            **_nav(request),
            "region": region,
            "violations": violations,
            "item_count": len({v.item_public_id for v in violations}),
        },
    )


@manager_required
def quality(request: HttpRequest) -> HttpResponse:
    """数据质量检查."""
    region = _report_region(request)
    kind = request.GET.get("kind", "")
    issues = quality_issues(region)
    counts = dict.fromkeys(KIND_LABELS, 0)
    for issue in issues:
        counts[issue.kind] += 1
    if kind in KIND_LABELS:
        issues = [issue for issue in issues if issue.kind == kind]
    return render(
        request,
        "workbench/catalog/quality.html",
        {
            **_nav(request),
            "region": region,
            "issues": issues[:500],
            "truncated": len(issues) > 500,
            "total": len(issues),
            "kinds": [(k, label, counts[k]) for k, label in KIND_LABELS.items()],
            "kind_filter": kind,
        },
    )


@manager_required
def statistics(request: HttpRequest) -> HttpResponse:
    """事项统计 By department, type and online depth; ECharts with a table fallback."""
    region = _report_region(request)
    stats = catalogue_statistics(region)
    return render(
        request, "workbench/catalog/statistics.html", {**_nav(request), "region": region, "stats": stats}
    )
