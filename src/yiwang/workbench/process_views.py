"""流程管理 (service managers): process definitions with their versions, the BPMN viewer, uploading a
new version (variant) and assigning a process to an implementation item."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from pydantic import BaseModel

from yiwang.accounts.services import staff_roles
from yiwang.accounts.staff import organisations_in_scope
from yiwang.catalog.models import ServiceItem
from yiwang.core.errors import CoreErrorCode, DomainError, NotFound, PermissionDenied
from yiwang.web.ui import current_user, domain_errors, error_context, staff_required
from yiwang.workbench.task_views import parse_choice
from yiwang.workflow import services as workflow
from yiwang.workflow.models import ProcessDefinition


class AssignItemForm(BaseModel):
    """启用流程 on the page: the implementation item to run this process."""

    item: UUID


def _manager(request: HttpRequest) -> Any:
    user = current_user(request)
    if "service_manager" not in staff_roles(user):
        raise PermissionDenied(_("流程管理仅限事项管理员"))
    return user


def _items(user: Any) -> list[ServiceItem]:
    return list(
        ServiceItem.objects.filter(implementing_body__in=organisations_in_scope(user, ["service_manager"]))
        .order_by("name")
        .only("public_id", "name", "process_key", "version")[:300]
    )


@staff_required
@domain_errors
def process_list(request: HttpRequest) -> HttpResponse:
    """流程定义 list and the upload form (a file or pasted BPMN XML)."""
    user = _manager(request)
    exc: DomainError | None = None
    status = 200
    posted = {"key": "", "name": "", "bpmn_xml": ""}
    if request.method == "POST":
        upload = request.FILES.get("bpmn_file")
        xml = request.POST.get("bpmn_xml", "")
        if upload is not None:
            xml = upload.read(workflow.MAX_BPMN_BYTES + 1).decode("utf-8", errors="replace")
        posted = {"key": request.POST.get("key", ""), "name": request.POST.get("name", ""), "bpmn_xml": xml}
        try:
            definition = workflow.upload_variant(
                key=posted["key"], name=posted["name"], bpmn_xml=xml, actor=user
            )
        except DomainError as error:
            exc, status = error, error.status
        else:
            messages.success(
                request,
                _("已发布流程 %(key)s 第 %(v)d 版") % {"key": definition.key, "v": definition.version},
            )
            return redirect("workbench:process_detail", key=definition.key)
    keys = ProcessDefinition.objects.values("key").annotate(latest=Max("version")).order_by("key")
    latest = {
        (d.key, d.version): d
        for d in ProcessDefinition.objects.filter(version__in={k["latest"] for k in keys}).only(
            "key", "version", "name", "created_at"
        )
    }
    rows = [latest[(k["key"], k["latest"])] for k in keys if (k["key"], k["latest"]) in latest]
    return render(
        request,
        "workbench/processes.html",
        {
            "definitions": rows,
            "posted": posted,
            "error": error_context(exc) if exc else None,
            "error_fields": (exc.fields or {}).get("bpmn_xml", []) if exc else [],
        },
        status=status,
    )


@staff_required
@domain_errors
def process_detail(request: HttpRequest, key: str) -> HttpResponse:
    """One process: its versions, the diagram of a version, and the items that use it."""
    user = _manager(request)
    versions = list(ProcessDefinition.objects.filter(key=key).order_by("-version"))
    if not versions:
        raise NotFound(_("流程定义不存在"))
    if request.method == "POST":
        try:
            form = parse_choice(AssignItemForm, request, _("请选择事项"), "item")
            item = ServiceItem.objects.filter(public_id=form.item).first()
            if item is None:
                raise DomainError(CoreErrorCode.VALIDATION_ERROR, _("请选择事项"), {"item": [_("必选")]})
            workflow.assign_process(item, key=key, actor=user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("已为“%(name)s”启用该流程") % {"name": item.name})
        return redirect("workbench:process_detail", key=key)
    try:
        wanted = int(request.GET.get("version", versions[0].version))
    except ValueError:
        wanted = versions[0].version
    shown = next((v for v in versions if v.version == wanted), versions[0])
    items = _items(user)
    return render(
        request,
        "workbench/process_detail.html",
        {
            "key": key,
            "versions": versions,
            "shown": shown,
            "items": items,
            "using": [i for i in items if (i.process_key or "standard") == key],
        },
    )
