"""事项管理工作台 The service managers' catalogue pages: list, new draft, review queue, item detail
and its actions (submit, review, publish, withdraw, revise, discard, schedule), version comparison.

Only staff holding the 事项管理员 (service_manager) role see these pages (others get 403).  Pages
are thin: every change goes through :mod:`yiwang.catalog.services`, whose DomainError becomes the
error summary of the form (with the 4xx status) or a message on the item page; the buttons offered
are :func:`yiwang.catalog.actions.allowed_actions`.  The draft editor is in
:mod:`yiwang.workbench.catalog_edit_views`, the reports in :mod:`yiwang.workbench.catalog_report_views`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from yiwang.catalog import reads, services
from yiwang.catalog.actions import ItemAction, allowed_actions
from yiwang.catalog.consistency import item_violations, region_prefix
from yiwang.catalog.errors import CatalogErrorCode
from yiwang.catalog.models import BaseItem, BaseItemStatus, ExerciseLevel, ItemStatus, ItemType, ServiceItem
from yiwang.catalog.schemas_manage import ItemCreateIn
from yiwang.core.errors import DomainError
from yiwang.core.models import Organisation
from yiwang.web.forms import parse_form
from yiwang.web.ui import current_user, error_context, field, field_errors
from yiwang.workbench.catalog_common import (
    items_in_scope,
    managed_item,
    manager_required,
    manager_scope,
    nav_context,
)

_PLACEHOLDER = UUID(int=0)


# --- list ------------------------------------------------------------------------------------------
@manager_required
def item_list(request: HttpRequest) -> HttpResponse:
    """事项清单 Every item in the manager's region, filterable by status, department, type and text;
    keyset pages of 50 rows (``?cursor=``) with the filters kept, the total from one ``COUNT``."""
    status = request.GET.get("status", "")
    department = request.GET.get("department", "")
    item_type = request.GET.get("type", "")
    query = request.GET.get("q", "").strip()[:50]
    department_id: UUID | None = None
    if department:
        try:
            department_id = UUID(department)
        except ValueError:
            department = ""
    items = reads.filter_items(
        items_in_scope(request),
        status=status if status in ItemStatus.values else "",
        department=department_id,
        item_type=item_type if item_type in ItemType.values else "",
        query=query,
    )
    detail = reverse("workbench:catalog_detail", args=[_PLACEHOLDER])
    placeholder = str(_PLACEHOLDER)
    page, rows = reads.item_list_page(
        items, request.GET.get("cursor"), lambda public_id: detail.replace(placeholder, str(public_id))
    )
    params = {
        key: value
        for key, value in (("status", status), ("department", department), ("type", item_type), ("q", query))
        if value
    }
    return render(
        request,
        "workbench/catalog/item_list.html",
        {
            **nav_context(request),
            "page": page,
            "items": rows,
            "total": reads.item_list_total(items),
            "next_query": page.next_query(params),
            "previous_query": page.previous_query(params),
            "statuses": ItemStatus.choices,
            "types": ItemType.choices,
            "departments": reads.item_list_departments(region_prefix(manager_scope(request))),
            "status_filter": status,
            "department_filter": department,
            "type_filter": item_type,
            "query": query,
        },
    )


@manager_required
def review_queue(request: HttpRequest) -> HttpResponse:
    """待我审核 Submitted drafts in the region that someone else submitted."""
    items = (
        items_in_scope(request)
        .filter(status=ItemStatus.SUBMITTED)
        .exclude(submitted_by=current_user(request))
        .select_related("implementing_body", "submitted_by", "revision_of")
        .order_by("submitted_at")
    )
    return render(
        request, "workbench/catalog/review_queue.html", {**nav_context(request), "items": list(items)}
    )


# --- create ----------------------------------------------------------------------------------------
@manager_required
def item_new(request: HttpRequest) -> HttpResponse:
    """新建实施清单 Choose the base item and the implementing body; the draft is then edited."""
    scope = manager_scope(request)
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
            item = _create_draft(request, bodies, bases)
        except DomainError as error:
            exc = error
        else:
            messages.success(request, _("已新建草稿，请完善事项信息。"))
            return redirect("workbench:catalog_edit", public_id=item.public_id)
    return render(
        request,
        "workbench/catalog/item_new.html",
        {
            **nav_context(request),
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


def _create_draft(request: HttpRequest, bodies: list[Organisation], bases: list[BaseItem]) -> ServiceItem:
    """The new-draft form read into the manage API's :class:`ItemCreateIn` (same rules as the API);
    the body and base item must be among those offered (the manager's scope, active base items)."""
    choose = _("请选择基本目录事项和实施主体")
    messages_by_field = {"implementing_body": _("请选择实施主体"), "base_item": _("请选择基本目录事项")}
    payload = parse_form(
        ItemCreateIn,
        {name: request.POST.get(name, "") for name in ("base_item", "implementing_body", "exercise_level")},
        code=CatalogErrorCode.INVALID_ITEM,
        message=choose,
        field_messages=messages_by_field,
    )
    body = next((b for b in bodies if b.public_id == payload.implementing_body), None)
    base = next((b for b in bases if b.public_id == payload.base_item), None)
    problems = {
        name: [messages_by_field[name]]
        for name, found in (("implementing_body", body), ("base_item", base))
        if found is None
    }
    if body is None or base is None:
        raise DomainError(CatalogErrorCode.INVALID_ITEM, choose, problems)
    return services.create_item(
        actor=current_user(request),
        implementing_body=body,
        base_item=base,
        exercise_level=payload.exercise_level or "",
        statutory_limit_days=base.statutory_limit_days or 20,
        committed_limit_days=min(base.statutory_limit_days or 20, 20),
    )


NEW_LABELS = {
    "base_item": ("id_base_item", gettext_noop("基本目录事项")),
    "implementing_body": ("id_implementing_body", gettext_noop("实施主体")),
    "exercise_level": ("id_exercise_level", gettext_noop("行使层级")),
    "base_code": ("id_base_item", gettext_noop("基本编码")),
}


# --- one item: detail and actions ---------------------------------------------------------------------
@manager_required
def item_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    item = managed_item(request, public_id)
    user = current_user(request)
    versions = list(reads.versions_of(item))
    revision = ServiceItem.objects.filter(revision_of=item).first() if not item.is_revision else None
    diff = (
        reads.diff_with_published(item)
        if item.status != ItemStatus.PUBLISHED and (item.version or item.is_revision)
        else []
    )
    actions = allowed_actions(user, item, has_revision=revision is not None)
    return render(
        request,
        "workbench/catalog/item_detail.html",
        {
            **nav_context(request),
            "item": item,
            "snapshot": reads.guide_snapshot(item),
            "versions": versions,
            "revision": revision,
            "reviews": list(reads.review_history(item)[:20]),
            "diff": diff,
            "violations": item_violations(item),
            **{f"can_{action}": action in actions for action in ItemAction},
            "own_submission": item.status == ItemStatus.SUBMITTED and item.submitted_by_id == user.pk,
            "now": timezone.localtime(),
        },
    )


def _error_text(exc: DomainError) -> str:
    """A refusal as one flash message: the message, then the field reasons it does not already say."""
    details = _("；").join(
        _("；").join(map(str, v)) if isinstance(v, list) else str(v) for v in exc.fields.values()
    )
    return f"{exc.message}{'：' + details if details and details not in exc.message else ''}"


def _detail(item: ServiceItem) -> str:
    return reverse("workbench:catalog_detail", args=[item.public_id])


def _action(
    request: HttpRequest,
    public_id: UUID,
    run: Callable[[ServiceItem, Any], tuple[str, str]],
    *,
    details: bool = True,
) -> HttpResponse:
    """Run one item action: ``run`` returns (success message, where to go); a refusal is flashed on
    the item page (with its field reasons unless ``details`` is off)."""
    item = managed_item(request, public_id)
    try:
        done, target = run(item, current_user(request))
    except DomainError as exc:
        messages.error(request, _error_text(exc) if details else exc.message)
        return redirect(_detail(item))
    messages.success(request, done)
    return redirect(target)


@require_POST
@manager_required
def item_submit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    def run(item: ServiceItem, user: Any) -> tuple[str, str]:
        services.submit_item(item, user, request.POST.get("comment", "")[:2000])
        return _("已提交审核，请由另一名事项管理员审核。"), _detail(item)

    return _action(request, public_id, run)


@require_POST
@manager_required
def item_review(request: HttpRequest, public_id: UUID) -> HttpResponse:
    decision = request.POST.get("decision")

    def run(item: ServiceItem, user: Any) -> tuple[str, str]:
        if decision not in ("approve", "reject"):
            raise DomainError(CatalogErrorCode.INVALID_ITEM, _("请选择审核结论"), {"decision": [_("请选择")]})
        services.review_item(
            item, user, approve=decision == "approve", comment=request.POST.get("comment", "")
        )
        return (_("审核通过。") if decision == "approve" else _("已退回修改。")), _detail(item)

    return _action(request, public_id, run)


@require_POST
@manager_required
def item_publish(request: HttpRequest, public_id: UUID) -> HttpResponse:
    def run(item: ServiceItem, user: Any) -> tuple[str, str]:
        published = services.publish_item(item, user)  # a revision: now the item it revised
        return _("已发布第 %(v)d 版。") % {"v": published.version}, _detail(published)

    return _action(request, public_id, run)


@require_POST
@manager_required
def item_withdraw(request: HttpRequest, public_id: UUID) -> HttpResponse:
    def run(item: ServiceItem, user: Any) -> tuple[str, str]:
        services.withdraw_item(item, user, reason=request.POST.get("reason", "")[:500])
        return _("已撤销发布。"), _detail(item)

    return _action(request, public_id, run)


@require_POST
@manager_required
def item_revise(request: HttpRequest, public_id: UUID) -> HttpResponse:
    def run(item: ServiceItem, user: Any) -> tuple[str, str]:
        revision = services.start_revision(item, user)
        return (
            _("已新建修订稿；发布前原版本继续对外公开。"),
            reverse("workbench:catalog_edit", args=[revision.public_id]),
        )

    return _action(request, public_id, run, details=False)


@require_POST
@manager_required
def item_discard(request: HttpRequest, public_id: UUID) -> HttpResponse:
    def run(item: ServiceItem, user: Any) -> tuple[str, str]:
        canonical = item.revision_of
        services.discard_revision(item, user)
        return _("已放弃修订稿。"), _detail(canonical)  # type: ignore[arg-type]

    return _action(request, public_id, run, details=False)


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
    def run(item: ServiceItem, user: Any) -> tuple[str, str]:
        services.schedule_item(
            item,
            user,
            publish_at=_parse_moment(request.POST.get("publish_at", ""), "publish_at"),
            withdraw_at=_parse_moment(request.POST.get("withdraw_at", ""), "withdraw_at"),
        )
        return _("定时设置已保存。"), _detail(item)

    return _action(request, public_id, run)


@manager_required
def item_compare(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """版本比对 Two versions (``?old=1&new=2``), or the draft against its published version."""
    item = managed_item(request, public_id)
    versions = list(reads.versions_of(item))
    old, new = request.GET.get("old", ""), request.GET.get("new", "")
    if old.isdigit() and new.isdigit():
        rows = reads.diff_versions(item, int(old), int(new))
        title = _("第 %(a)s 版 → 第 %(b)s 版") % {"a": old, "b": new}
    else:
        rows = reads.diff_with_published(item)
        title = _("已发布版本 → 当前草稿")
        old = new = ""
    return render(
        request,
        "workbench/catalog/compare.html",
        {
            **nav_context(request),
            "item": item,
            "rows": rows,
            "title": title,
            "versions": versions,
            "old": old,
            "new": new,
        },
    )
