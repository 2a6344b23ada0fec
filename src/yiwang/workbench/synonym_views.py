"""同义词维护 Search synonyms for service managers: list, add, edit, delete (workbench pages).

The pages call :mod:`yiwang.catalog.services` (synonyms); a change takes effect on the next search.
"""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from yiwang.catalog.models import Synonym
from yiwang.catalog.services import delete_synonym, get_synonym, save_synonym
from yiwang.core.errors import DomainError
from yiwang.web.ui import current_user, error_context, field, field_errors
from yiwang.workbench.catalog_common import manager_required, save_and_redirect


def _controls(values: dict[str, str], exc: DomainError | None) -> list[dict[str, object]]:
    return [
        field(
            "term",
            _("词条"),
            value=values.get("term", ""),
            required=True,
            errors=field_errors(exc, "term"),
            maxlength=50,
            help=_("群众常用的说法，例如：低保"),
        ),
        field(
            "equivalents",
            _("同义词"),
            value=values.get("equivalents", ""),
            required=True,
            errors=field_errors(exc, "equivalents"),
            maxlength=500,
            help=_("多个词用空格或顿号分隔，例如：最低生活保障"),
        ),
        field("note", _("备注"), value=values.get("note", ""), maxlength=200),
        field("is_active", _("启用"), type="checkbox", value=values.get("is_active", "1")),
    ]


LABELS = {
    "term": ("id_term", gettext_noop("词条")),
    "equivalents": ("id_equivalents", gettext_noop("同义词")),
}


def _posted(request: HttpRequest) -> dict[str, str]:
    return {key: request.POST.get(key, "") for key in ("term", "equivalents", "note", "is_active")}


def _save(request: HttpRequest, values: dict[str, str], synonym: Synonym | None = None) -> str:
    saved = save_synonym(
        actor=current_user(request),
        synonym=synonym,
        term=values["term"],
        equivalents=values["equivalents"],
        note=values["note"],
        is_active=values["is_active"] == "1",
    )
    return _("已保存同义词“%(term)s”。") % {"term": saved.term}


@manager_required
def synonym_list(request: HttpRequest) -> HttpResponse:
    """同义词列表 and the form to add one."""
    exc: DomainError | None = None
    values: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        values = _posted(request)
        done, exc = save_and_redirect(request, lambda: _save(request, values), "workbench:catalog_synonyms")
        if done is not None:
            return done
        status = exc.status if exc else 200
    query = request.GET.get("q", "").strip()[:50]
    synonyms = Synonym.objects.all().order_by("term")
    if query:
        synonyms = synonyms.filter(term__icontains=query) | synonyms.filter(equivalents__icontains=query)
    return render(
        request,
        "workbench/catalog_io/synonyms.html",
        {
            "synonyms": list(synonyms[:500]),
            "query": query,
            "controls": _controls(values or {"is_active": "1"}, exc),
            "error": error_context(exc, LABELS) if exc else None,
        },
        status=status,
    )


@manager_required
def synonym_edit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    synonym = get_synonym(public_id)
    exc: DomainError | None = None
    status = 200
    values = {
        "term": synonym.term,
        "equivalents": "、".join(synonym.equivalents),
        "note": synonym.note,
        "is_active": "1" if synonym.is_active else "",
    }
    if request.method == "POST":
        values = _posted(request)
        done, exc = save_and_redirect(
            request, lambda: _save(request, values, synonym), "workbench:catalog_synonyms"
        )
        if done is not None:
            return done
        status = exc.status if exc else 200
    return render(
        request,
        "workbench/catalog_io/synonym_edit.html",
        {
            "synonym": synonym,
            "controls": _controls(values, exc),
            "error": error_context(exc, LABELS) if exc else None,
        },
        status=status,
    )


@require_POST
@manager_required
def synonym_delete(request: HttpRequest, public_id: UUID) -> HttpResponse:
    synonym = get_synonym(public_id)
    term = synonym.term
    delete_synonym(synonym, actor=current_user(request))
    messages.success(request, _("已删除同义词“%(term)s”。") % {"term": term})
    return redirect("workbench:catalog_synonyms")
