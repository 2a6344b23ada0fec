"""Pages of 跨域通办 at the filing instance: the peers' items, the application form, my remote cases."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from yiwang.accounts.oidc import issuer as oidc_issuer
from yiwang.catalog.forms import parse_post, render_nodes
from yiwang.core.errors import DomainError
from yiwang.crossregion import reads, services
from yiwang.crossregion.api import FIELD_PREFIX, MATERIAL_PREFIX
from yiwang.crossregion.models import RemoteItem
from yiwang.web.ui import applicant_required, current_user, domain_errors, error_context


def _item(item_id: UUID) -> RemoteItem:
    item = reads.remote_items().filter(public_id=item_id).first()
    if item is None:
        raise Http404("no such remote item")
    return item


def index(request: HttpRequest) -> HttpResponse:
    """可跨域办理的事项, grouped by region."""
    regions: dict[str, list[RemoteItem]] = {}
    for item in reads.remote_items():
        regions.setdefault(item.region.name or item.region.node.node_id, []).append(item)
    return render(request, "crossregion/index.html", {"regions": sorted(regions.items())})


@applicant_required
@domain_errors
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, item_id: UUID) -> HttpResponse:
    item = _item(item_id)
    values: dict[str, Any] = {}
    exc: DomainError | None = None
    status = 200
    if request.method == "POST":
        values = parse_post(item.form_definition, request.POST, FIELD_PREFIX)
        files = {m["id"]: request.FILES.getlist(MATERIAL_PREFIX + m["id"]) for m in item.materials}
        try:
            case = services.file_remote_case(
                applicant=current_user(request),
                item=item,
                form_data=values,
                files={key: chosen for key, chosen in files.items() if chosen},
                issuer=oidc_issuer(request),
            )
        except DomainError as error:
            exc, status = error, error.status
        else:
            return redirect("crossregion:case", case_id=case.public_id)
    context = {
        "item": item,
        "form_nodes": render_nodes(
            item.form_definition, values, exc.fields if exc is not None else {}, prefix=FIELD_PREFIX
        ),
        "materials": [
            {
                **m,
                "input": MATERIAL_PREFIX + m["id"],
                "errors": (exc.fields or {}).get(m["id"], []) if exc else [],
            }
            for m in item.materials
        ],
        "error": error_context(exc) if exc is not None else None,
    }
    return render(request, "crossregion/apply.html", context, status=status)


@applicant_required
def mine(request: HttpRequest) -> HttpResponse:
    cases = reads.my_remote_cases(current_user(request))[:200]
    return render(request, "crossregion/mine.html", {"cases": cases})


@applicant_required
def case_detail(request: HttpRequest, case_id: UUID) -> HttpResponse:
    case = reads.my_remote_cases(current_user(request)).filter(public_id=case_id).first()
    if case is None:
        raise Http404("no such remote case")
    return render(request, "crossregion/case.html", {"case": case})
