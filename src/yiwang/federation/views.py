"""省市协同 pages (/workbench/federation/): the overview (province: per child; city: what it sent and
what flowed back), the lists in keyset pages of 50 with filters, a case's detail and a sync button."""

from __future__ import annotations

from collections import Counter
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yiwang.core.keyset import keyset_page
from yiwang.exchange.identity import configured_identity
from yiwang.exchange.models import ExchangeNode, NodeRole
from yiwang.federation import reads
from yiwang.federation.actions import allowed_actions, require_read, require_sync
from yiwang.federation.models import BackflowType
from yiwang.federation.services import federation_role, push_backflow, push_changes
from yiwang.web.ui import domain_errors, staff_required

PER_PAGE = 50
CASE_STATUSES = (
    "submitted",
    "correction_required",
    "accepted",
    "not_accepted",
    "completed",
    "withdrawn",
    "terminated",
    "revoked",
)


def _list(
    request: HttpRequest, template: str, qs: Any, ordering: tuple[str, ...], **context: Any
) -> HttpResponse:
    page = keyset_page(qs, ordering, request.GET.get("cursor"), size=PER_PAGE)
    return render(
        request,
        template,
        {
            "page": page,
            "rows": page.rows,
            "next_query": page.next_query(request.GET),
            "previous_query": page.previous_query(request.GET),
            "children": list(ExchangeNode.objects.filter(role=NodeRole.CHILD).order_by("node_id")),
            "node": request.GET.get("node", "")[:64],
            "q": request.GET.get("q", "")[:120].strip(),
            **context,
        },
    )


@staff_required
@domain_errors
def overview(request: HttpRequest) -> HttpResponse:
    require_read(request.user)
    return render(
        request,
        "federation/overview.html",
        {
            "role": federation_role(),
            "children": reads.province_overview(),
            "sent": reads.city_overview(),
            "backflow": reads.backflow_counts(),
            "actions": allowed_actions(request.user),
        },
    )


@staff_required
@domain_errors
def cases(request: HttpRequest) -> HttpResponse:
    require_read(request.user)
    status = request.GET.get("status", "")
    status = status if status in CASE_STATUSES else ""
    node = request.GET.get("node", "")[:64]
    q = request.GET.get("q", "")[:120].strip()
    return _list(
        request,
        "federation/cases.html",
        reads.cases(node=node, status=status, q=q),
        reads.CASE_ORDER,
        status=status,
        statuses=CASE_STATUSES,
    )


@staff_required
@domain_errors
def case_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    require_read(request.user)
    case = reads.case_detail(public_id)
    return render(
        request,
        "federation/case_detail.html",
        {"case": case, "events": reads.case_events(case), "datasets": reads.case_datasets(case)},
    )


@staff_required
@domain_errors
def licences(request: HttpRequest) -> HttpResponse:
    require_read(request.user)
    status = request.GET.get("status", "")
    status = status if status in ("valid", "suspended", "revoked", "superseded", "expired") else ""
    node = request.GET.get("node", "")[:64]
    q = request.GET.get("q", "")[:120].strip()
    return _list(
        request,
        "federation/licences.html",
        reads.licences(node=node, status=status, q=q),
        reads.LICENCE_ORDER,
        status=status,
    )


@staff_required
@domain_errors
def ratings(request: HttpRequest) -> HttpResponse:
    require_read(request.user)
    raw = request.GET.get("level", "")
    level = int(raw) if raw in ("1", "2", "3", "4", "5") else None
    node = request.GET.get("node", "")[:64]
    q = request.GET.get("q", "")[:120].strip()
    return _list(
        request,
        "federation/ratings.html",
        reads.ratings(node=node, level=level, q=q),
        reads.RATING_ORDER,
        level=level,
    )


@staff_required
@domain_errors
def findings(request: HttpRequest) -> HttpResponse:
    require_read(request.user)
    state = request.GET.get("state", "open")
    state = state if state in ("open", "resolved", "all") else "open"
    node = request.GET.get("node", "")[:64]
    return _list(
        request,
        "federation/findings.html",
        reads.findings(node=node, state=state),
        reads.FINDING_ORDER,
        state=state,
    )


@staff_required
@domain_errors
def backflow(request: HttpRequest) -> HttpResponse:
    require_read(request.user)
    record_type = request.GET.get("type", "")
    record_type = record_type if record_type in BackflowType.values else ""
    return _list(
        request,
        "federation/backflow.html",
        reads.backflow(record_type=record_type),
        reads.BACKFLOW_ORDER,
        record_type=record_type,
        types=BackflowType.choices,
    )


@require_POST
@staff_required
@domain_errors
def sync(request: HttpRequest) -> HttpResponseBase:
    require_sync(request.user)
    role = federation_role()
    if role not in ("city", "province"):
        messages.info(request, _("本平台未配置为省级或市级节点，无需同步。"))
    elif configured_identity() is None:
        messages.error(request, _("本节点未配置交换身份，无法同步。"))
    else:
        packages = push_changes() if role == "city" else push_backflow()
        states = Counter(p.get_state_display() for p in packages)
        summary = _(", ").join(f"{state} {n}" for state, n in states.items())
        text = _("已生成交换包 %(n)s 个。") % {"n": len(packages)}
        if summary:
            text += _("（%(summary)s）") % {"summary": summary}
        messages.success(request, text)
    return redirect("federation:overview")
