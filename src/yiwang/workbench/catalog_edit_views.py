"""编辑草稿 The draft editor of the 事项管理 pages: every field, materials, fee items, FAQ, special
procedures, files, and the 情形引导 section with its own form.

The form is read into the manage API's schemas (:class:`~yiwang.catalog.schemas_manage.ItemFormIn`,
:class:`~yiwang.catalog.schemas_manage.ScenariosIn`) and saved through the same services as the API,
so a rule about an input is written once; the pydantic and service errors are shown next to the
controls (row errors above the form).
"""

from __future__ import annotations

import json
import re
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from yiwang.accounts.models import AssuranceLevel
from yiwang.catalog import services
from yiwang.catalog.actions import is_editable
from yiwang.catalog.errors import CatalogErrorCode
from yiwang.catalog.models import (
    BaseItem,
    CaseKind,
    ExerciseLevel,
    HandlingForm,
    MaterialForm,
    MaterialSourceKind,
    OnlineDepthStep,
    ServiceItem,
    ServiceObject,
    SpecialProcedureKind,
    TongbanRange,
)
from yiwang.catalog.scenarios import define_scenarios, scenario_definition
from yiwang.catalog.schemas_manage import ItemFormIn, MaterialIn, ScenariosIn
from yiwang.core.errors import DomainError
from yiwang.web.forms import validate_form
from yiwang.web.ui import current_user, error_context, field, field_errors, render_error
from yiwang.workbench.catalog_common import managed_item, manager_required, nav_context

EXTRA_ROWS = 2  # blank rows offered for new materials, fees, FAQ entries
MAX_ROWS = 200

# --- the edit form ------------------------------------------------------------------------------------------
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


def _count(post: Any, name: str, cap: int) -> int:
    """A row counter of the form (hidden input); anything but a small number counts as none."""
    raw = (post.get(name) or "").strip()
    return min(int(raw), cap) if raw.isdigit() else 0


def _rows(post: Any, prefix: str, keys: tuple[str, ...]) -> list[dict[str, str]]:
    """The inline rows ``{prefix}-{n}-{key}`` in order; rows marked for deletion are skipped."""
    rows = []
    for index in range(_count(post, f"{prefix}-count", MAX_ROWS)):
        if post.get(f"{prefix}-{index}-delete"):
            continue
        row = {key: (post.get(f"{prefix}-{index}-{key}") or "").strip() for key in keys}
        rows.append(row)
    return rows


#: The material row of the form: the fields of the API's :class:`MaterialIn` (order is the row's place).
MATERIAL_KEYS = tuple(name for name in MaterialIn.model_fields if name != "order")
#: The form's own wording of the schema's errors (as before the form used the API's schema).
NUMBER_MESSAGES = {
    "int_parsing": gettext_noop("请填写整数"),
    "missing": gettext_noop("请填写整数"),
    "greater_than_equal": gettext_noop("应在0至9999之间"),
    "less_than_equal": gettext_noop("应在0至9999之间"),
}


def item_form_values(post: Any, base: BaseItem | None) -> dict[str, Any]:
    """The edit form as the data of :class:`ItemFormIn` (rows collected, blank rows dropped)."""
    values: dict[str, Any] = {name: post.get(name, "") for name, *_r in TEXT_FIELDS}
    for name, _label, _choices in SELECT_FIELDS:
        values[name] = post.get(name, "")
    for name in (*(name for name, _label in NUMBER_FIELDS), "required_assurance_level"):
        raw = (post.get(name) or "").strip()
        if raw:
            values[name] = raw
        else:
            values.pop(name, None)
    for name, _label in FLAG_FIELDS:
        values[name] = bool(post.get(name))
    for name, _label, _choices in CODE_LIST_FIELDS:
        values[name] = post.getlist(name)
    if base is not None:  # 四级四同: the four fields follow the base item
        values.update(name=base.name, item_type=base.item_type, legal_basis=base.legal_basis)
    if "form_fields" in post:  # the page edits the form in the builder (form_builder_views); JSON still works
        try:
            values["form_fields"] = json.loads(post.get("form_fields") or "[]")
        except json.JSONDecodeError:
            values["form_fields"] = "invalid"  # not a list: the schema refuses it (see FORM_MESSAGES)
    values["materials"] = [
        {
            **{
                key: row[key]
                for key in MATERIAL_KEYS
                if key not in ("mandatory", "originals", "copies", "shared_fields")
            },
            # 共享数据信息项: field names separated by commas, 、 or spaces
            "shared_fields": [name for name in re.split(r"[\s,，、;；]+", row["shared_fields"]) if name],
            "public_id": row["public_id"] or None,
            "mandatory": bool(row["mandatory"]),
            "originals": row["originals"] or 0,
            "copies": row["copies"] or 0,
            "order": index + 1,
        }
        for index, row in enumerate(r for r in _rows(post, "material", MATERIAL_KEYS) if r["name"])
    ]
    values["fee_items"] = [
        r for r in _rows(post, "fee", ("name", "standard", "legal_basis")) if r["name"] or r["standard"]
    ]
    values["faq"] = [r for r in _rows(post, "faq", ("question", "answer")) if r["question"] or r["answer"]]
    values["special_procedures"] = [
        {
            "kind": row["kind"] or "2",
            "name": row["name"],
            "note": row["note"],
            "limit_days": int(row["limit_days"]) if row["limit_days"].isdigit() else None,
        }
        for row in _rows(post, "special", ("kind", "name", "limit_days", "note"))
        if row["name"]
    ]
    return values


def parse_item_form(post: Any, base: BaseItem | None) -> ItemFormIn:
    """The edit form validated by the manage API's rules (errors raise DomainError)."""
    values = item_form_values(post, base)
    field_messages = {"form_fields": _("申请表字段应为 JSON 数组")}
    for index in range(len(values["materials"])):
        for key in ("originals", "copies"):
            field_messages[f"materials.{index}.{key}"] = _("份数应为整数")
    return validate_form(
        ItemFormIn,
        values,
        code=CatalogErrorCode.INVALID_ITEM,
        message=_("表单填写有误"),
        field_messages=field_messages,
        type_messages={key: _(text) for key, text in NUMBER_MESSAGES.items()},
    )


def _not_editable(item: ServiceItem) -> DomainError:
    return DomainError(
        CatalogErrorCode.ITEM_NOT_EDITABLE,
        _("该事项处于“%(status)s”状态，不能编辑；已发布的事项请新建修订稿。")
        % {"status": item.get_status_display()},
        status=409,
    )


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
    else:
        materials = [
            {key: getattr(m, key) for key in MATERIAL_KEYS}
            | {"obj": m, "shared_fields": "、".join(m.shared_fields or [])}
            for m in item.materials.all()
        ]
        fees = [
            {"name": f.name, "standard": f.standard, "legal_basis": f.legal_basis}
            for f in item.fee_items.all()
        ]
        faq = list(item.faq or [])
        special = list(item.special_procedures or [])
    blank_material: dict[str, Any] = dict.fromkeys(MATERIAL_KEYS, "") | {
        "mandatory": True,
        "source_kind": "upload",
    }
    materials = [*materials, *([blank_material] * EXTRA_ROWS)]
    fees = [*fees, *([{"name": "", "standard": "", "legal_basis": ""}] * EXTRA_ROWS)]
    faq = [*faq, *([{"question": "", "answer": ""}] * EXTRA_ROWS)]
    special = [*special, *([{"kind": "2", "name": "", "limit_days": "", "note": ""}] * 1)]
    return {
        **nav_context(request),
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
        "form_summary": [  # read-only: the form is edited in the builder (电子表单设计)
            {
                "label": str(spec.get("label") or spec.get("name") or ""),
                "name": str(spec.get("name") or ""),
                "type": str(spec.get("component") or spec.get("type") or ""),
                "required": bool(spec.get("required")),
                "prefill": str(spec.get("prefill") or ""),
            }
            for spec in item.form_fields or []
            if isinstance(spec, dict)
        ],
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
    for q in range(_count(post, "q-count", 40)):
        prefix = f"q-{q}"
        key = (post.get(f"{prefix}-key") or "").strip()
        text = (post.get(f"{prefix}-text") or "").strip()
        if post.get(f"{prefix}-delete") or (not key and not text):
            continue
        options = []
        for o in range(_count(post, f"{prefix}-option-count", 20)):
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
    item = managed_item(request, public_id)
    try:
        if not is_editable(item):
            raise _not_editable(item)
        payload = validate_form(
            ScenariosIn,
            parse_scenario_form(request.POST),
            code=CatalogErrorCode.INVALID_SCENARIO,
            message=_("表单填写有误"),
        )
        define_scenarios(
            item, actor=current_user(request), questions=payload.questions, conditions=payload.conditions
        )
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
    item = managed_item(request, public_id)
    if not is_editable(item):
        return render_error(request, _not_editable(item))
    exc: DomainError | None = None
    if request.method == "POST":
        try:
            fields, materials, fee_items = parse_item_form(request.POST, item.base_item).service_arguments()
            if item.version > 0 or item.is_revision:
                fields.pop("exercise_level", None)
            services.update_item(
                item, actor=current_user(request), materials=materials, fee_items=fee_items, **fields
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
