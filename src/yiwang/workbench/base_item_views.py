"""基本目录 Base items for service managers: list, define, edit and retire (workbench pages).

The pages call :mod:`yiwang.catalog.services`; a change to a base item shows up at once in the
四级四同 report for every implementation item derived from it.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from yiwang.catalog import services
from yiwang.catalog.consistency import region_prefix
from yiwang.catalog.errors import CatalogErrorCode
from yiwang.catalog.models import BaseItem, BaseItemStatus, ExerciseLevel, ItemType
from yiwang.catalog.schemas_manage import BaseItemIn
from yiwang.core.errors import Conflict, DomainError
from yiwang.core.models import Region
from yiwang.web.forms import parse_form
from yiwang.web.ui import current_user, error_context, field, field_errors
from yiwang.workbench.catalog_common import manager_required, manager_scope, save_and_redirect

EDIT_FIELDS = (
    "name",
    "item_type",
    "exercise_level",
    "legal_basis",
    "legal_basis_url",
    "statutory_limit_days",
)
LABELS = {
    "code": ("id_code", gettext_noop("基本编码")),
    "name": ("id_name", gettext_noop("事项名称")),
    "item_type": ("id_item_type", gettext_noop("事项类型")),
    "exercise_level": ("id_exercise_level", gettext_noop("行使层级")),
    "legal_basis": ("id_legal_basis", gettext_noop("设定依据")),
    "legal_basis_url": ("id_legal_basis_url", gettext_noop("设定依据链接")),
    "statutory_limit_days": ("id_statutory_limit_days", gettext_noop("法定办结时限（工作日）")),
}


def _controls(values: dict[str, str], exc: DomainError | None, *, with_code: bool) -> list[dict[str, Any]]:
    controls = []
    if with_code:
        controls.append(
            field(
                "code",
                _("基本编码"),
                value=values.get("code", ""),
                required=True,
                errors=field_errors(exc, "code"),
                maxlength=12,
                help=_("不超过12位，按编码规则（docs/catalogue-coding.md）；编码一经使用不再复用"),
            )
        )
    controls += [
        field(
            "name",
            _("事项名称"),
            value=values.get("name", ""),
            required=True,
            errors=field_errors(exc, "name"),
            maxlength=200,
        ),
        field(
            "item_type",
            _("事项类型"),
            type="select",
            value=values.get("item_type", ""),
            required=True,
            errors=field_errors(exc, "item_type"),
            choices=[(k, str(v)) for k, v in ItemType.choices],
        ),
        field(
            "exercise_level",
            _("行使层级"),
            type="select",
            value=values.get("exercise_level", ""),
            required=True,
            errors=field_errors(exc, "exercise_level"),
            choices=[(k, str(v)) for k, v in ExerciseLevel.choices],
        ),
        field(
            "legal_basis",
            _("设定依据"),
            type="textarea",
            value=values.get("legal_basis", ""),
            required=True,
            errors=field_errors(exc, "legal_basis"),
        ),
        field(
            "legal_basis_url",
            _("设定依据链接"),
            value=values.get("legal_basis_url", ""),
            errors=field_errors(exc, "legal_basis_url"),
            maxlength=500,
        ),
        field(
            "statutory_limit_days",
            _("法定办结时限（工作日）"),
            type="number",
            value=values.get("statutory_limit_days", ""),
            errors=field_errors(exc, "statutory_limit_days"),
            min=0,
        ),
    ]
    return controls


def _parsed(values: dict[str, str], *, code: str, region: Region | None) -> dict[str, Any]:
    """The form read into the manage API's :class:`BaseItemIn` (same rules as the API): the
    ``base_item`` service arguments (an empty time limit means none)."""
    payload = parse_form(
        BaseItemIn,
        {**values, "code": code, "defining_region": region.code if region else ""},
        blank_is_missing=("statutory_limit_days",),
        code=CatalogErrorCode.INVALID_ITEM,
        message=_("表单填写有误"),
        field_messages={"statutory_limit_days": _("应为非负整数")},
    )
    return payload.model_dump(exclude={"code", "defining_region"})


def _posted(request: HttpRequest, names: tuple[str, ...]) -> dict[str, str]:
    return {name: request.POST.get(name, "").strip()[:2000] for name in names}


@manager_required
def base_item_list(request: HttpRequest) -> HttpResponse:
    """基本目录: the base items defined in the manager's region (and above, read-only), and a form to
    define a new one at his region's level."""
    user = current_user(request)
    region = manager_scope(request)
    exc: DomainError | None = None
    values: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        values = _posted(request, ("code", *EDIT_FIELDS))

        def save() -> str:
            base = services.create_base_item(
                actor=user,
                defining_region=region,
                code=values["code"],
                **_parsed(values, code=values["code"], region=region),
            )
            return _("已新增基本目录事项 %(code)s。") % {"code": base.code}

        done, exc = save_and_redirect(request, save, "workbench:catalog_base_items")
        if done is not None:
            return done
        status = exc.status if exc else 200
    query = request.GET.get("q", "").strip()[:50]
    prefix = region_prefix(region)
    bases = BaseItem.objects.select_related("defining_region").order_by("code")
    if query:
        bases = bases.filter(name__icontains=query) | bases.filter(code__startswith=query)
    rows = [
        {
            "base": base,
            "editable": base.defining_region is not None
            and base.defining_region.full_code.startswith(prefix),
        }
        for base in bases[:300]
    ]
    return render(
        request,
        "workbench/catalog/base_items.html",
        {
            "rows": rows,
            "query": query,
            "region": region,
            "controls": _controls(values, exc, with_code=True),
            "error": error_context(exc, LABELS) if exc else None,
        },
        status=status,
    )


@manager_required
def base_item_edit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    base = services.get_base_item(public_id)
    user = current_user(request)
    services.require_base_manager(user, base.defining_region)
    exc: DomainError | None = None
    status = 200
    values = {name: "" if getattr(base, name) is None else str(getattr(base, name)) for name in EDIT_FIELDS}
    if request.method == "POST":
        values = _posted(request, EDIT_FIELDS)

        def save() -> str:
            if base.status != BaseItemStatus.ACTIVE:
                raise Conflict(_("已废止的基本目录事项不能修改"), code=CatalogErrorCode.INVALID_TRANSITION)
            services.update_base_item(
                base, actor=user, **_parsed(values, code=base.code, region=base.defining_region)
            )
            return _("已保存；派生的实施清单如与之不一致，将出现在四级四同检查中。")

        done, exc = save_and_redirect(request, save, "workbench:catalog_base_items")
        if done is not None:
            return done
        status = exc.status if exc else 200
    derived = list(
        base.implementations.filter(revision_of__isnull=True)
        .select_related("implementing_body")
        .order_by("implementation_code")[:100]
    )
    return render(
        request,
        "workbench/catalog/base_item_edit.html",
        {
            "base": base,
            "derived": derived,
            "controls": _controls(values, exc, with_code=False),
            "error": error_context(exc, LABELS) if exc else None,
        },
        status=status,
    )


@require_POST
@manager_required
def base_item_retire(request: HttpRequest, public_id: UUID) -> HttpResponse:
    base = services.get_base_item(public_id)
    services.retire_base_item(base, actor=current_user(request), reason=request.POST.get("reason", "")[:500])
    messages.success(request, _("已废止基本目录事项 %(code)s；其编码不再复用。") % {"code": base.code})
    return redirect("workbench:catalog_base_items")
