"""电子表单设计器 The visual builder of an item's application form (Form.io's open-source builder).

The page loads the draft's ``form_definition`` into ``Formio.builder`` with our palette (static/yiwang/js/
form-builder.js); 保存 posts the definition as JSON and goes through :func:`yiwang.catalog.services.
update_item` like every other field of the draft (so revisions, versions and review carry it); the
catalogue's :func:`~yiwang.catalog.forms.normalise_definition` is the one judge of a definition and its
errors come back as ``{"code", "message", "fields"}`` keyed by the component.  The edit dialog's
预填来源 select lists the bindings the server accepts for this item (:func:`yiwang.cases.prefill.
available_bindings`, served as JSON in the page: ``#builder-prefill-sources``).  预览 renders the unsaved
definition with OUR renderer (``render_nodes`` + ``forms/_form.html``) at PC or mobile width through htmx.

Only service managers whose region covers the item (``manager_required`` + ``managed_item``) may use it,
and only while the item may be edited (:func:`yiwang.catalog.actions.is_editable`).

Content-Security-Policy: the builder runs with ``script-src 'self'`` (no ``'unsafe-eval'``: Form.io's
evaluator is switched to its no-eval mode); its templates write ``style=`` attributes, so this page alone
allows inline style attributes (ADR 0019).
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from yiwang.cases.prefill import available_bindings
from yiwang.catalog import services
from yiwang.catalog.actions import is_editable
from yiwang.catalog.errors import CatalogErrorCode
from yiwang.catalog.forms import normalise_definition, render_nodes
from yiwang.catalog.models import ServiceItem
from yiwang.core.errors import DomainError
from yiwang.core.security_headers import content_security_policy
from yiwang.web.ui import current_user, render_error
from yiwang.workbench.catalog_common import managed_item, manager_required, nav_context

#: The largest definition accepted from the builder (bytes of JSON; 500 components fit easily).
MAX_BODY = 2_000_000
PREVIEW_WIDTHS = ("pc", "mobile")


#: The texts of form-builder.js, translated here and handed to it as #builder-strings.
BUILDER_STRINGS: tuple[str, ...] = (
    gettext_noop("基本"),
    gettext_noop("金额（元）"),
    gettext_noop("日期"),
    gettext_noop("政务"),
    gettext_noop("身份证号"),
    gettext_noop("统一社会信用代码"),
    gettext_noop("联系电话"),
    gettext_noop("地址"),
    gettext_noop("行政区划"),
    gettext_noop("民族"),
    gettext_noop("国籍"),
    gettext_noop("所属行业"),
    gettext_noop("附件"),
    gettext_noop("布局"),
    gettext_noop("分组"),
    gettext_noop("表格"),
    gettext_noop("说明文字"),
    gettext_noop("当…时显示/隐藏"),
    gettext_noop("显示"),
    gettext_noop("隐藏"),
    gettext_noop("当字段"),
    gettext_noop("选择本表单中的另一个字段；不选则始终显示"),
    gettext_noop("（无条件，始终显示）"),
    gettext_noop("的值等于"),
    gettext_noop("预填来源"),
    gettext_noop("申请人打开申请表时从该来源自动填写"),
    gettext_noop("（不预填）"),
    gettext_noop("不可修改（依法以预填值为准）"),
    gettext_noop("字段类别"),
    gettext_noop("普通文本"),
    gettext_noop("电话"),
    gettext_noop("代码表（选填，替代上面的选项）"),
    gettext_noop("（不用代码表）"),
    gettext_noop("行政区划 GB/T 2260"),
    gettext_noop("民族 GB/T 3304"),
    gettext_noop("国籍 GB/T 2659"),
    gettext_noop("行业 GB/T 4754"),
    gettext_noop("正在保存…"),
    gettext_noop("保存失败，请稍后重试"),
)


def builder_csp(request: HttpRequest) -> str:
    """The platform's policy plus inline style attributes (Form.io's templates set ``style=``)."""
    policy = content_security_policy(request)
    return policy.replace("style-src 'self'", "style-src 'self'; style-src-attr 'unsafe-inline'", 1)


def version_label(item: ServiceItem) -> str:
    """Which version the builder edits: a revision of version N, or a draft of version N+1."""
    if item.is_revision:
        base = item.revision_of
        return _("修订稿（发布后替换第 %(version)s 版）") % {
            "version": base.version if base else item.version
        }
    if item.version:
        return _("第 %(version)s 版（已撤回，保存后成为草稿）") % {"version": item.version}
    return _("草稿（尚未发布）")


def _not_editable(item: ServiceItem) -> DomainError:
    return DomainError(
        CatalogErrorCode.ITEM_NOT_EDITABLE,
        _("该事项处于“%(status)s”状态，不能编辑表单；已发布的事项请新建修订稿。")
        % {"status": item.get_status_display()},
        status=409,
    )


def _error_json(exc: DomainError) -> JsonResponse:
    return JsonResponse(
        {"code": str(exc.code), "message": str(exc.message), "fields": exc.fields or {}}, status=exc.status
    )


def _definition_of(item: ServiceItem) -> dict[str, Any]:
    definition = getattr(item, "form_definition", None)
    if isinstance(definition, dict) and isinstance(definition.get("components"), list):
        return definition
    return {"display": "form", "components": []}


@manager_required
def form_builder(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """电子表单设计器 The builder page of a draft (or revision draft)."""
    item = managed_item(request, public_id)
    if not is_editable(item):
        return render_error(request, _not_editable(item))
    response = render(
        request,
        "workbench/catalog/form_builder.html",
        {
            **nav_context(request),
            "item": item,
            "definition": _definition_of(item),
            "prefill_sources": available_bindings(item),
            "builder_strings": {text: _(text) for text in BUILDER_STRINGS},
            "version_label": version_label(item),
        },
    )
    response["Content-Security-Policy"] = builder_csp(request)
    return response


def _read_definition(request: HttpRequest) -> Any:
    if len(request.body) > MAX_BODY:
        raise DomainError(
            CatalogErrorCode.INVALID_ITEM,
            _("表单定义过大"),
            {"form_definition": [_("表单定义过大")]},
            status=413,
        )
    try:
        payload = json.loads(request.body or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise DomainError(
            CatalogErrorCode.INVALID_ITEM, _("表单定义不是有效的 JSON"), {"form_definition": [_("应为 JSON")]}
        ) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("definition"), dict):
        raise DomainError(
            CatalogErrorCode.INVALID_ITEM,
            _("表单定义格式不正确"),
            {"form_definition": [_('应为 {"definition": {"components": [...]}}')]},
        )
    return payload["definition"]


@require_POST
@manager_required
def form_builder_save(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """保存表单 JSON ``{"definition": {...}}`` → the draft's ``form_definition`` through the catalogue."""
    item = managed_item(request, public_id)
    try:
        if not is_editable(item):
            raise _not_editable(item)
        definition = _read_definition(request)
        services.update_item(item, actor=current_user(request), form_definition=definition)
    except DomainError as exc:
        return _error_json(exc)
    item.refresh_from_db(fields=["form_definition", "form_fields", "status"])
    return JsonResponse(
        {
            "saved": True,
            "message": _("表单已保存。"),
            "fields": len(item.form_fields or []),
            "version": version_label(item),
        }
    )


@require_POST
@manager_required
def form_builder_preview(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """预览 The posted (unsaved) definition rendered by the platform's own form renderer (htmx)."""
    item = managed_item(request, public_id)
    width = request.POST.get("width", "pc")
    if width not in PREVIEW_WIDTHS:
        width = "pc"
    context: dict[str, Any] = {"item": item, "width": width, "nodes": None, "error": None}
    status = 200
    try:
        raw = json.loads(request.POST.get("definition") or "{}")
        definition = normalise_definition(raw)
        context["nodes"] = render_nodes(definition, {}, {})
    except json.JSONDecodeError:
        context["error"] = {"message": _("表单定义不是有效的 JSON"), "fields": {}}
        status = 400
    except DomainError as exc:
        context["error"] = {"message": exc.message, "fields": exc.fields or {}}
        status = exc.status
    return render(request, "workbench/catalog/_form_preview.html", context, status=status)
