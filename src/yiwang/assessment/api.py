"""JSON API of assessment (mounted at /api/v1/supervision/assessment): the indicator sources, the
schemes (supervisors), the runs and their exports.  Every error answers ``{"code", "message",
"fields"}``; what a user cannot see is a 404."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from yiwang.accounts.models import User
from yiwang.assessment import actions, exports, reads, services
from yiwang.assessment.errors import AssessmentErrorCode as Code
from yiwang.assessment.models import AssessmentResult, AssessmentRun, AssessmentScheme
from yiwang.assessment.schemas import (
    AssessmentIndicatorOut,
    AssessmentResultOut,
    AssessmentRunIn,
    AssessmentRunOut,
    AssessmentRunPageOut,
    AssessmentSchemeIn,
    AssessmentSchemeOut,
    AssessmentSchemePageOut,
    AssessmentSourceOut,
)
from yiwang.assessment.services.schemes import require_supervisor
from yiwang.core import audit
from yiwang.core.errors import DomainError, NotFound
from yiwang.core.paging import PageIn
from yiwang.metrics import sources
from yiwang.web.ui import current_user

router = Router(tags=["assessment"])


def _require_staff(user: User) -> None:
    if not actions.is_staff(user):
        raise DomainError(Code.FORBIDDEN, "只有工作人员可以查看考核评估", status=403)


def _scheme(user: User, scheme_id: UUID) -> AssessmentScheme:
    require_supervisor(user)
    scheme = reads.visible_schemes(user).filter(public_id=scheme_id).first()
    if scheme is None:
        raise NotFound("考核方案不存在", code=Code.NOT_FOUND)
    return scheme


def _run(user: User, run_id: UUID) -> AssessmentRun:
    _require_staff(user)
    run = reads.visible_runs(user).filter(public_id=run_id).first()
    if run is None or "view" not in actions.run_actions(user, run):
        raise NotFound("考核结果不存在", code=Code.NOT_FOUND)
    return run


def scheme_out(user: User, scheme: AssessmentScheme) -> AssessmentSchemeOut:
    indicators = list(scheme.indicators.all())
    return AssessmentSchemeOut(
        id=scheme.public_id,
        family=scheme.family,
        version=scheme.version,
        name=scheme.name,
        description=scheme.description,
        level=scheme.level,
        period_kind=scheme.period_kind,
        status=scheme.status,
        status_label=str(scheme.get_status_display()),
        owner=scheme.owner.name,
        weights_total=sum((i.weight for i in indicators), start=Decimal(0)),
        indicators=[
            AssessmentIndicatorOut(
                source=i.source,
                weight=i.weight,
                method=i.method,
                label=i.label,
                direction=i.direction,
                floor=i.floor,
                target=i.target,
                threshold=i.threshold,
                cap=i.cap,
                missing=i.missing,
            )
            for i in indicators
        ],
        lock_version=scheme.lock_version,
        published_at=scheme.published_at,
        allowed_actions=sorted(actions.scheme_actions(user, scheme)),
    )


def result_out(result: AssessmentResult) -> AssessmentResultOut:
    return AssessmentResultOut(
        unit=result.unit_key,
        label=result.unit_label,
        total=result.total,
        rank=result.rank,
        breakdown=result.breakdown,  # type: ignore[arg-type]
    )


def run_out(user: User, run: AssessmentRun, *, with_results: bool = True) -> AssessmentRunOut:
    results = list(reads.visible_results(user, run)) if with_results else []
    return AssessmentRunOut(
        id=run.public_id,
        scheme=run.scheme.public_id,
        scheme_name=run.scheme.name,
        scheme_version=run.scheme.version,
        level=run.scheme.level,
        period=run.period_label,
        period_start=run.period_start,
        period_end=run.period_end,
        status=run.status,
        status_label=str(run.get_status_display()),
        published_at=run.published_at,
        units=len(results),
        indicators=run.indicators,
        results=[result_out(r) for r in results],
        allowed_actions=sorted(actions.run_actions(user, run)),
    )


def _data(payload: AssessmentSchemeIn) -> services.SchemeData:
    return services.SchemeData(
        name=payload.name,
        description=payload.description,
        level=payload.level,
        period_kind=payload.period_kind,
        indicators=[services.IndicatorData(**item.dict()) for item in payload.indicators],
    )


@router.get(
    "/sources", response=list[AssessmentSourceOut], summary="Indicator sources (指标来源) a scheme may use"
)
def list_sources(request: HttpRequest) -> list[AssessmentSourceOut]:
    require_supervisor(current_user(request))
    return [
        AssessmentSourceOut(
            name=s.name,
            label=str(s.label),
            unit=s.unit,
            higher_is_better=s.higher_is_better,
            levels=list(s.levels),
            context=s.context,
        )
        for s in sources.all_sources()
    ]


@router.get(
    "/schemes", response=AssessmentSchemePageOut, summary="Assessment schemes (考核方案), supervisors only"
)
def list_schemes(request: HttpRequest, paging: Query[PageIn]) -> dict[str, Any]:
    user = current_user(request)
    require_supervisor(user)
    schemes = reads.visible_schemes(user).prefetch_related("indicators").order_by("name", "-version")
    return {"count": schemes.count(), "results": [scheme_out(user, s) for s in paging.window(schemes)]}


@router.post("/schemes", response={201: AssessmentSchemeOut}, summary="Create a draft scheme")
def create_scheme(request: HttpRequest, payload: AssessmentSchemeIn) -> tuple[int, AssessmentSchemeOut]:
    user = current_user(request)
    scheme = services.create_scheme(user, _data(payload))
    return 201, scheme_out(user, scheme)


@router.get(
    "/schemes/{uuid:scheme_id}", response=AssessmentSchemeOut, summary="One scheme with its indicators"
)
def get_scheme(request: HttpRequest, scheme_id: UUID) -> AssessmentSchemeOut:
    user = current_user(request)
    return scheme_out(user, _scheme(user, scheme_id))


@router.put(
    "/schemes/{uuid:scheme_id}",
    response=AssessmentSchemeOut,
    summary="Replace a draft's fields and indicators",
)
def update_scheme(request: HttpRequest, scheme_id: UUID, payload: AssessmentSchemeIn) -> AssessmentSchemeOut:
    user = current_user(request)
    scheme = services.update_scheme(user, _scheme(user, scheme_id), _data(payload), payload.lock_version)
    return scheme_out(user, scheme)


@router.post(
    "/schemes/{uuid:scheme_id}/publish",
    response=AssessmentSchemeOut,
    summary="Publish a draft (weights sum 100)",
)
def publish_scheme(request: HttpRequest, scheme_id: UUID) -> AssessmentSchemeOut:
    user = current_user(request)
    return scheme_out(user, services.publish_scheme(user, _scheme(user, scheme_id)))


@router.post(
    "/schemes/{uuid:scheme_id}/retire", response=AssessmentSchemeOut, summary="Retire a published scheme"
)
def retire_scheme(request: HttpRequest, scheme_id: UUID) -> AssessmentSchemeOut:
    user = current_user(request)
    return scheme_out(user, services.retire_scheme(user, _scheme(user, scheme_id)))


@router.post(
    "/schemes/{uuid:scheme_id}/versions", response={201: AssessmentSchemeOut}, summary="New draft version"
)
def new_version(request: HttpRequest, scheme_id: UUID) -> tuple[int, AssessmentSchemeOut]:
    user = current_user(request)
    return 201, scheme_out(user, services.new_version(user, _scheme(user, scheme_id)))


@router.get(
    "/runs", response=AssessmentRunPageOut, summary="Assessment runs (考核结果) I may see, without rows"
)
def list_runs(request: HttpRequest, paging: Query[PageIn]) -> dict[str, Any]:
    user = current_user(request)
    _require_staff(user)
    runs = reads.visible_runs(user).order_by("-period_start", "-created_at")
    page = list(paging.window(runs))
    return {"count": runs.count(), "results": [run_out(user, r, with_results=False) for r in page]}


@router.post(
    "/runs",
    response={201: AssessmentRunOut},
    summary="Score a published scheme for a period (re-run replaces a draft)",
)
def create_run(request: HttpRequest, payload: AssessmentRunIn) -> tuple[int, AssessmentRunOut]:
    user = current_user(request)
    run = services.run_assessment(user, _scheme(user, payload.scheme), payload.period)
    return 201, run_out(user, run)


@router.get("/runs/{uuid:run_id}", response=AssessmentRunOut, summary="A run with its ranking and breakdown")
def get_run(request: HttpRequest, run_id: UUID) -> AssessmentRunOut:
    user = current_user(request)
    return run_out(user, _run(user, run_id))


@router.post(
    "/runs/{uuid:run_id}/publish", response=AssessmentRunOut, summary="Publish a run with its sealed report"
)
def publish_run(request: HttpRequest, run_id: UUID) -> AssessmentRunOut:
    user = current_user(request)
    run = _run(user, run_id)
    return run_out(user, services.publish_run(user, run))


def _export_run(user: User, run_id: UUID) -> AssessmentRun:
    run = _run(user, run_id)
    if "export" not in actions.run_actions(user, run):
        raise DomainError(Code.FORBIDDEN, "只有监察人员可以导出考核结果", status=403)
    return run


@router.get(
    "/runs/{uuid:run_id}/xlsx", url_name="assessment_xlsx", summary="The run as Excel (ranking + breakdown)"
)
def run_xlsx(request: HttpRequest, run_id: UUID) -> HttpResponse:
    user = current_user(request)
    run = _export_run(user, run_id)
    data = exports.as_xlsx(run, list(run.results.order_by("rank", "unit_label")))
    audit.record("assessment.exported", actor=user, obj=run, detail={"format": "xlsx"})
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="assessment-{run.period_label}.xlsx"'
    return response


@router.get(
    "/runs/{uuid:run_id}/pdf", url_name="assessment_pdf", summary="The sealed report of a published run"
)
def run_pdf(request: HttpRequest, run_id: UUID) -> HttpResponse:
    user = current_user(request)
    run = _export_run(user, run_id)
    data = reads.report_bytes(run)
    if not data:
        raise NotFound("考核评估报告尚未生成（结果发布后生成）", code=Code.NOT_FOUND)
    audit.record("assessment.exported", actor=user, obj=run, detail={"format": "pdf"})
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="assessment-{run.period_label}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
