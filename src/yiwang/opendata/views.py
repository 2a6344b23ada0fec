"""Public pages of the open-data portal (/open-data/): catalogue with search and themes, dataset
pages with downloads, DCAT-AP JSON-LD, and the bulk-access keys of a logged-in user."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from yiwang.core.errors import DomainError
from yiwang.core.paging import paginate
from yiwang.opendata import dcat, reads, services
from yiwang.opendata.actions import allowed_actions
from yiwang.opendata.api import download
from yiwang.opendata.models import Dataset, DatasetTheme
from yiwang.web.ui import domain_errors

PER_PAGE = 20
JSONLD = "application/ld+json"


def _dataset(public_id: UUID) -> Dataset:
    dataset = reads.dataset(public_id)
    if dataset is None:
        raise Http404
    return dataset


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")[:100]
    theme = request.GET.get("theme", "")
    theme = theme if theme in DatasetTheme.values else ""
    page = paginate(request, reads.search_datasets(q, theme), PER_PAGE)
    return render(
        request,
        "opendata/index.html",
        {"page": page, "datasets": page.object_list, "q": q, "theme": theme, "themes": reads.themes()},
    )


@require_GET
def dataset_page(request: HttpRequest, public_id: UUID) -> HttpResponse:
    dataset = _dataset(public_id)
    return render(
        request,
        "opendata/dataset.html",
        {
            "dataset": dataset,
            "distributions": list(dataset.distributions.all()),
            "actions": allowed_actions(request.user, dataset),
        },
    )


@require_GET
@domain_errors
def dataset_download(request: HttpRequest, public_id: UUID, fmt: str) -> HttpResponse:
    return download(request, _dataset(public_id), fmt)  # type: ignore[return-value]


@require_GET
def catalog_jsonld(request: HttpRequest) -> HttpResponse:
    datasets = list(reads.public_datasets().order_by("pk")[:1000])
    document = dcat.catalogue_document(datasets, request.build_absolute_uri("/"))
    return JsonResponse(document, content_type=JSONLD, json_dumps_params={"ensure_ascii": False})


@require_GET
def dataset_jsonld(request: HttpRequest, public_id: UUID) -> HttpResponse:
    document = dcat.dataset_document(_dataset(public_id), request.build_absolute_uri("/"))
    return JsonResponse(document, content_type=JSONLD, json_dumps_params={"ensure_ascii": False})


@require_GET
def licence(request: HttpRequest) -> HttpResponse:
    return render(request, "opendata/licence.html")


@login_required
def keys(request: HttpRequest) -> HttpResponse:
    issued = None
    if request.method == "POST":
        try:
            issued = services.issue_key(actor=request.user, name=request.POST.get("name", "")[:100])  # type: ignore[arg-type]
        except DomainError as exc:
            flash.error(request, exc.message)
    rows = [
        (key, allowed_actions(request.user, key), services.usage_today(key))
        for key in reads.keys_of(request.user)[:50]
    ]
    return render(request, "opendata/keys.html", {"rows": rows, "issued": issued})


@require_POST
@login_required
def key_revoke(request: HttpRequest, public_id: UUID) -> HttpResponse:
    key = reads.keys_of(request.user).filter(public_id=public_id).first()
    if key is None:
        raise Http404
    try:
        services.revoke_key(key, actor=request.user)  # type: ignore[arg-type]
        flash.success(request, _("密钥已吊销"))
    except DomainError as exc:
        flash.error(request, exc.message)
    return redirect("opendata:keys")
