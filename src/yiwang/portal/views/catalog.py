"""Home, item search and the item guide (办事指南)."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import render
from django.template.loader import get_template, render_to_string
from django.utils import translation
from django.utils.http import http_date
from django.utils.safestring import mark_safe

from yiwang.catalog import cache as catalog_cache
from yiwang.catalog import guide_documents
from yiwang.catalog.models import (
    ExerciseLevel,
    HandlingForm,
    ItemStatus,
    OnlineDepthStep,
    ServiceItem,
    ServiceObject,
    Theme,
)
from yiwang.catalog.reads import published_stamp
from yiwang.catalog.scenarios import PARAM_PREFIX, answers_from_params, applicable
from yiwang.catalog.search import search_items
from yiwang.catalog.services import get_published_item
from yiwang.core.models import Organisation
from yiwang.core.paging import page_number
from yiwang.web.ui import domain_errors

SEARCH_PAGE_SIZE = 10
HOT_WORDS = ("营业执照", "身份证", "社保卡", "公积金", "食品经营许可", "低保")


def _departments() -> list[Organisation]:
    """The department facet with item counts: an aggregate over every published item (~110 ms at
    100,000 items), so it is cached per catalogue generation (publish/withdraw invalidate it)."""

    def compute() -> list[Organisation]:
        published = Q(service_items__status=ItemStatus.PUBLISHED)
        return list(
            Organisation.objects.filter(is_active=True)
            .annotate(item_count=Count("service_items", filter=published))
            .filter(item_count__gt=0)
            .order_by("name")
        )

    return catalog_cache.cached("departments", "facet", compute)


def home(request: HttpRequest) -> HttpResponse:
    popular = list(
        ServiceItem.objects.filter(status=ItemStatus.PUBLISHED)
        .select_related("implementing_body")
        .order_by("-application_count", "name")[:8]
    )
    departments = _departments()
    return render(
        request,
        "portal/home.html",
        {
            "popular": popular,
            "departments": departments,
            "item_total": sum(getattr(d, "item_count", 0) for d in departments),
            "hot_words": HOT_WORDS,
        },
    )


SEARCH_FILTERS = ("department", "theme", "object", "level", "full")


def search(request: HttpRequest) -> HttpResponse:
    """事项检索: full page, or only the results list for an htmx request (live search).

    Filters: 实施部门 (department), 主题 (theme), 服务对象 (object), 行使层级 (level), 全程网办 (full=1).
    """
    query = request.GET.get("q", "").strip()[:100]
    chosen = {name: request.GET.get(name, "").strip()[:40] for name in SEARCH_FILTERS}
    number = page_number(request.GET.get("page"), per_page=SEARCH_PAGE_SIZE)

    def page_of(number: int) -> tuple[list[Any], int]:
        return search_items(
            query,
            department=chosen["department"] or None,
            theme=chosen["theme"] or None,
            service_object=chosen["object"] or None,
            level=chosen["level"] or None,
            fully_online=chosen["full"] == "1",
            limit=SEARCH_PAGE_SIZE,
            offset=(number - 1) * SEARCH_PAGE_SIZE,
        )

    items, total = page_of(number)
    page_obj = Paginator(range(total), SEARCH_PAGE_SIZE).get_page(number)
    if page_obj.number != number and total:  # past the last page: show the last page (clamped)
        items, total = page_of(page_obj.number)
    params = [("q", query)] if query else []
    params += [(name, value) for name, value in chosen.items() if value]
    context: dict[str, Any] = {
        "query": query,
        "department_id": chosen["department"],
        "filters": chosen,
        "items": items,
        "total": total,
        "page_obj": page_obj,
        "page_query": urlencode(params) + "&" if params else "",
    }
    if request.headers.get("HX-Request") and not request.headers.get("HX-Boosted"):
        return render(request, "portal/_search_results.html", context)
    context["departments"] = _departments()
    context["themes"] = Theme.choices
    context["service_objects"] = ServiceObject.choices
    context["levels"] = ExerciseLevel.choices
    return render(request, "portal/search.html", context)


def _labels(codes: list[str], enum: Any) -> list[str]:
    labels = dict(enum.choices)
    return [str(labels.get(code, code)) for code in codes or []]


def _guide_context(item: ServiceItem, scenario: Any) -> dict[str, Any]:
    return {
        "item": item,
        "scenario": scenario,
        "materials": scenario.materials,
        "apply_query": urlencode({PARAM_PREFIX + k: v for k, v in scenario.answers.items()}),
        "handling_forms": _labels(item.handling_forms, HandlingForm),
        "online_depth": _labels(item.online_depth, OnlineDepthStep),
        "service_objects": _labels(item.service_objects, ServiceObject),
        "fee_items": list(item.fee_items.all()),
        "faq": [entry for entry in item.faq or [] if isinstance(entry, dict) and entry.get("question")],
        "special_procedures": [entry for entry in item.special_procedures or [] if isinstance(entry, dict)],
    }


def _guide_etag(request: HttpRequest, parts: list[Any]) -> str:
    """The page's validator: the guide as published (``parts``, with the catalogue generation) plus
    what the page around it depends on for this visitor — its cookies (who is logged in, the CSRF
    secret of its forms, the display mode); the language is in ``parts``."""
    variant = [parts, catalog_cache.generation(), request.headers.get("Cookie", "")]
    digest = hashlib.sha256(json.dumps(variant, sort_keys=True, default=str).encode()).hexdigest()[:32]
    return f'"{digest}"'


# The templates a guide's body is rendered from: their digest is part of a stored document's stamp,
# so a deployment that changes them re-renders every guide on its next visit.
GUIDE_BODY_TEMPLATES = ("portal/_item_guide_body.html", "portal/_guide_scenario.html")


@lru_cache(maxsize=1)
def guide_templates_digest() -> str:
    digest = hashlib.sha256()
    for name in GUIDE_BODY_TEMPLATES:
        digest.update(getattr(get_template(name), "template").source.encode())  # noqa: B009 - not in the stubs
    return digest.hexdigest()[:16]


def guide_stamp(version: int, updated_at: Any) -> str:
    """What a stored guide document is rendered from: the item's version and last change, and the
    templates (:func:`guide_templates_digest`)."""
    return f"{version}:{updated_at.isoformat()}:{guide_templates_digest()}"


def render_guide_body(public_id: Any, answers: dict[str, str]) -> tuple[str, str]:
    """The guide's title and body HTML for ``answers``, rendered without the request: nothing in it
    depends on the visitor, since it is stored and shared by every visitor."""
    item = get_published_item(public_id)
    context = _guide_context(item, applicable(item, answers))
    return item.name, render_to_string("portal/_item_guide_body.html", context)


def guide_body(public_id: UUID, answers: dict[str, str]) -> tuple[str, Any, list[Any], str]:
    """``(title, updated_at, cache parts, html)`` of the guide as published.  Without answers the body
    is the stored document (ADR 0014; rendered and stored on a miss); with answers, or with the
    documents off, it comes from the catalogue cache (per item version and catalogue generation)."""
    language = translation.get_language()
    if not answers and guide_documents.enabled():
        stored = guide_documents.stored_guide(public_id, language)
        stamp = guide_stamp(stored.version, stored.updated_at)
        if stored.current(stamp):
            return stored.title or "", stored.updated_at, [str(public_id), stamp, language], stored.html or ""
        title, html = render_guide_body(public_id, answers)
        guide_documents.store_guide(stored.pk, language, stamp, title, html)
        return title, stored.updated_at, [str(public_id), stamp, language], html
    pk, version, updated_at = published_stamp(public_id)
    parts = [str(public_id), pk, version, updated_at, language, sorted(answers.items())]
    title, html = catalog_cache.cached("guide-page", parts, lambda: render_guide_body(public_id, answers))
    return title, updated_at, parts, html


@domain_errors
def item_guide(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """办事指南, with the scenario questions (情形引导): answers come as ``s_<key>`` GET parameters,
    so the page works without JavaScript; with htmx only the scenario block is swapped.

    A published guide is a document: its body is rendered once per (item version, last change,
    language, templates) and stored (ADR 0014), so a visit costs one indexed query and the page's
    frame; answers' variants are cached per catalogue generation.  The page carries an ETag (and
    Last-Modified) and answers 304 to a matching If-None-Match.  The item's row is read on every
    request, so a publish, revision or withdrawal is seen at once by every worker."""
    answers = answers_from_params(request.GET)
    if request.headers.get("HX-Request"):
        item = get_published_item(public_id)
        scenario = applicable(item, answers)
        if scenario.has_questions:
            return render(request, "portal/_guide_scenario.html", _guide_context(item, scenario))
    title, updated_at, parts, html = guide_body(public_id, answers)
    etag = _guide_etag(request, parts)
    if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = render(
            request, "portal/item_guide.html", {"item_name": title, "guide_body": mark_safe(html)}
        )
    response["ETag"] = etag
    response["Last-Modified"] = http_date(updated_at.timestamp())
    response["Cache-Control"] = "private, no-cache"
    return response
