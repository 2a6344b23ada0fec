"""Pages under /workbench/assessment/: runs (every staff member sees the published results of his
department; supervisors all of theirs), and for supervisors the schemes with the indicator editor,
the run form, publishing and the exports (the API's downloads)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages as flash
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yiwang.accounts.models import User
from yiwang.assessment import actions, reads, scoring, services
from yiwang.assessment.errors import AssessmentErrorCode as Code
from yiwang.assessment.models import (
    AssessmentRun,
    AssessmentScheme,
    Direction,
    MissingPolicy,
    PeriodKind,
    ScoringMethod,
    UnitLevel,
)
from yiwang.core.errors import DomainError
from yiwang.core.paging import paginate
from yiwang.metrics import sources
from yiwang.web.ui import current_user, domain_errors, error_context, staff_required

PER_PAGE = 50
BLANK_ROWS = 2
MAX_ROWS = 30


def _forbidden() -> DomainError:
    return DomainError(Code.FORBIDDEN, _("只有监察人员可以管理考核方案"), status=403)


def _scheme(user: User, scheme_id: UUID) -> AssessmentScheme:
    if not actions.is_supervisor(user):
        raise _forbidden()
    scheme = reads.visible_schemes(user).filter(public_id=scheme_id).first()
    if scheme is None:
        raise Http404(_("考核方案不存在"))
    return scheme


def _run(user: User, run_id: UUID) -> AssessmentRun:
    run = reads.visible_runs(user).filter(public_id=run_id).first()
    if run is None or "view" not in actions.run_actions(user, run):
        raise Http404(_("考核结果不存在"))
    return run


@staff_required
def run_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    runs = reads.visible_runs(user).order_by("-period_start", "-created_at")
    page = paginate(request.GET, runs, PER_PAGE)
    return render(
        request,
        "assessment/run_list.html",
        {"page": page, "runs": page.object_list, "supervisor": actions.is_supervisor(user)},
    )


def _source_choices() -> list[tuple[str, str]]:
    return [
        (s.name, _("%(label)s（%(unit)s）") % {"label": s.label, "unit": s.unit})
        for s in sources.all_sources()
    ]


def _choices() -> dict[str, Any]:
    return {
        "levels": UnitLevel.choices,
        "period_kinds": PeriodKind.choices,
        "methods": ScoringMethod.choices,
        "directions": Direction.choices,
        "missing_policies": MissingPolicy.choices,
        "source_choices": _source_choices(),
    }


@staff_required
@domain_errors
def scheme_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if not actions.is_supervisor(user):
        raise _forbidden()
    context: dict[str, Any] = {"action": "", **_choices()}
    status = 200
    if request.method == "POST":
        try:
            scheme = services.create_scheme(
                user,
                services.SchemeData(
                    name=request.POST.get("name", "")[:100],
                    level=request.POST.get("level", ""),
                    period_kind=request.POST.get("period_kind", ""),
                    description=request.POST.get("description", "")[:2000],
                ),
            )
        except DomainError as exc:
            if exc.status == 403:
                raise
            context |= {"action": "create", "error": error_context(exc), "form": request.POST}
            status = exc.status
        else:
            flash.success(request, _("已建立考核方案草稿，请添加指标"))
            return redirect("assessment:scheme", scheme_id=scheme.public_id)
    schemes = reads.visible_schemes(user).prefetch_related("indicators").order_by("name", "-version")
    page = paginate(request.GET, schemes, PER_PAGE)
    context |= {"page": page, "schemes": page.object_list}
    return render(request, "assessment/scheme_list.html", context, status=status)


def _indicator_rows(post: Any) -> list[services.IndicatorData]:
    rows = []
    for index in range(MAX_ROWS):
        prefix = f"ind-{index}-"
        source = post.get(prefix + "source", "").strip()[:60]
        if not source:
            continue

        def number(name: str, prefix: str = prefix) -> float | None:
            raw = post.get(prefix + name, "").strip()
            try:
                return float(raw) if raw else None
            except ValueError:
                return None

        cap = number("cap")
        rows.append(
            services.IndicatorData(
                source=source,
                weight=post.get(prefix + "weight", "").strip()[:10] or "0",
                method=post.get(prefix + "method", ScoringMethod.LINEAR),
                label=post.get(prefix + "label", "")[:100],
                direction=post.get(prefix + "direction", ""),
                floor=number("floor"),
                target=number("target"),
                threshold=number("threshold"),
                cap=int(cap) if cap is not None and 1 <= cap <= 200 else 100,
                missing=post.get(prefix + "missing", MissingPolicy.ZERO),
            )
        )
    return rows


def _editor_context(user: User, scheme: AssessmentScheme, **extra: Any) -> dict[str, Any]:
    indicators = list(scheme.indicators.all())
    today = timezone.localdate()
    return {
        "scheme": scheme,
        "indicators": indicators,
        "blank_rows": range(len(indicators), len(indicators) + BLANK_ROWS),
        "weights_total": sum(i.weight for i in indicators),
        "scheme_actions": actions.scheme_actions(user, scheme),
        "default_period": scoring.previous_period_label(scheme.period_kind, today),
        "runs": list(scheme.runs.order_by("-period_start")[:20]),
        **_choices(),
        **extra,
    }


@staff_required
@domain_errors
def scheme_detail(request: HttpRequest, scheme_id: UUID) -> HttpResponse:
    user = current_user(request)
    scheme = _scheme(user, scheme_id)
    if request.method == "POST":
        data = services.SchemeData(
            name=request.POST.get("name", "")[:100],
            level=request.POST.get("level", ""),
            period_kind=request.POST.get("period_kind", ""),
            description=request.POST.get("description", "")[:2000],
            indicators=_indicator_rows(request.POST),
        )
        lock = request.POST.get("lock_version", "")
        try:
            services.update_scheme(user, scheme, data, int(lock) if lock.isdigit() else None)
        except DomainError as exc:
            if exc.status == 403:
                raise
            context = _editor_context(user, scheme, action="edit", error=error_context(exc))
            return render(request, "assessment/scheme_detail.html", context, status=exc.status)
        flash.success(request, _("已保存考核方案"))
        return redirect("assessment:scheme", scheme_id=scheme.public_id)
    return render(request, "assessment/scheme_detail.html", _editor_context(user, scheme))


def _scheme_action(request: HttpRequest, scheme_id: UUID, name: str) -> HttpResponse:
    user = current_user(request)
    scheme = _scheme(user, scheme_id)
    try:
        if name == "publish":
            services.publish_scheme(user, scheme)
            flash.success(request, _("已发布考核方案"))
        elif name == "retire":
            services.retire_scheme(user, scheme)
            flash.success(request, _("已停用考核方案"))
        elif name == "version":
            copy = services.new_version(user, scheme)
            flash.success(request, _("已建立新版本草稿"))
            return redirect("assessment:scheme", scheme_id=copy.public_id)
        else:
            run = services.run_assessment(user, scheme, request.POST.get("period", "")[:10])
            flash.success(request, _("已完成考核计算（草稿）"))
            return redirect("assessment:run", run_id=run.public_id)
    except DomainError as exc:
        if exc.status == 403:
            raise
        context = _editor_context(user, scheme, action=name, error=error_context(exc))
        return render(request, "assessment/scheme_detail.html", context, status=exc.status)
    return redirect("assessment:scheme", scheme_id=scheme.public_id)


@require_POST
@staff_required
@domain_errors
def scheme_publish(request: HttpRequest, scheme_id: UUID) -> HttpResponse:
    return _scheme_action(request, scheme_id, "publish")


@require_POST
@staff_required
@domain_errors
def scheme_retire(request: HttpRequest, scheme_id: UUID) -> HttpResponse:
    return _scheme_action(request, scheme_id, "retire")


@require_POST
@staff_required
@domain_errors
def scheme_version(request: HttpRequest, scheme_id: UUID) -> HttpResponse:
    return _scheme_action(request, scheme_id, "version")


@require_POST
@staff_required
@domain_errors
def scheme_run(request: HttpRequest, scheme_id: UUID) -> HttpResponse:
    return _scheme_action(request, scheme_id, "run")


def _run_context(user: User, run: AssessmentRun, **extra: Any) -> dict[str, Any]:
    results = list(reads.visible_results(user, run))
    rows = []
    for result in results:
        points = {row["source"]: row for row in result.breakdown}
        rows.append((result, [points.get(i["source"], {}) for i in run.indicators]))
    chart = {
        "units": [r.unit_label for r in results],
        "totals": [float(r.total) for r in results],
        "label": _("总分"),
    }
    return {
        "run": run,
        "rows": rows,
        "run_actions": actions.run_actions(user, run),
        "supervisor": actions.is_supervisor(user),
        "chart": chart,
        **extra,
    }


@staff_required
def run_detail(request: HttpRequest, run_id: UUID) -> HttpResponse:
    user = current_user(request)
    return render(request, "assessment/run_detail.html", _run_context(user, _run(user, run_id)))


@require_POST
@staff_required
@domain_errors
def run_publish(request: HttpRequest, run_id: UUID) -> HttpResponse:
    user = current_user(request)
    run = _run(user, run_id)
    if "publish" not in actions.run_actions(user, run) and run.status == "draft":
        raise _forbidden()
    try:
        if request.POST.get("rerun"):
            run = services.run_assessment(user, run.scheme, run.period_label)
            flash.success(request, _("已重新计算"))
        else:
            services.publish_run(user, run)
            flash.success(request, _("已发布考核结果并生成加盖电子印章的报告"))
    except DomainError as exc:
        if exc.status == 403:
            raise
        context = _run_context(user, run, error=error_context(exc))
        return render(request, "assessment/run_detail.html", context, status=exc.status)
    return redirect("assessment:run", run_id=run.public_id)
