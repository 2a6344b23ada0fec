"""Assessment runs: score a published scheme for a period from the indicator registry (a draft run;
a re-run replaces it), and publish it with its sealed PDF report (then it never changes)."""

from __future__ import annotations

import hashlib
import uuid
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.accounts.roles import region_prefix
from yiwang.assessment import actions, scoring
from yiwang.assessment.documents import SEAL_BOX, render_report_pdf
from yiwang.assessment.errors import AssessmentErrorCode as Code
from yiwang.assessment.models import (
    AssessmentResult,
    AssessmentRun,
    AssessmentScheme,
    RunStatus,
    SchemeStatus,
    UnitLevel,
)
from yiwang.assessment.services.schemes import higher_is_better, require_supervisor
from yiwang.core import audit
from yiwang.core.errors import Conflict, DomainError, NotFound
from yiwang.core.models import Organisation, Region
from yiwang.metrics import sources
from yiwang.seals import services as seal_services

REPORT_REASON = "发布考核评估结果"


def specs_of(scheme: AssessmentScheme) -> list[scoring.IndicatorSpec]:
    specs = []
    for indicator in scheme.indicators.all():
        source = sources.get(indicator.source)
        if source is None:
            raise DomainError(
                Code.UNKNOWN_SOURCE, f"指标来源“{indicator.source}”未注册", {"sources": [indicator.source]}
            )
        specs.append(
            scoring.IndicatorSpec(
                source=indicator.source,
                label=indicator.label or str(source.label),
                weight=indicator.weight,
                method=indicator.method,
                higher_is_better=higher_is_better(indicator.direction, source),
                floor=indicator.floor,
                target=indicator.target,
                threshold=indicator.threshold,
                cap=indicator.cap,
                missing=indicator.missing,
            )
        )
    return specs


def _as_uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def units_of(scheme: AssessmentScheme, keys: set[str]) -> dict[str, tuple[str, Organisation | None]]:
    """The units among ``keys`` inside the owner's region: key → (label, organisation)."""
    prefix = region_prefix(scheme.owner.region)
    if scheme.level == UnitLevel.DEPARTMENT:
        ids = [u for u in (_as_uuid(k) for k in keys) if u is not None]
        organisations = Organisation.objects.filter(public_id__in=ids, region__full_code__startswith=prefix)
        return {str(o.public_id): (o.name, o) for o in organisations}
    regions = Region.objects.filter(code__in=keys, full_code__startswith=prefix)
    return {r.code: (r.name, None) for r in regions}


def read_inputs(
    specs: list[scoring.IndicatorSpec], period: sources.Period, level: str
) -> dict[str, dict[str, float | None]]:
    inputs: dict[str, dict[str, float | None]] = {}
    for spec in specs:
        try:
            values = sources.values(spec.source, period, level)
        except KeyError as exc:
            raise DomainError(
                Code.UNKNOWN_SOURCE, f"指标来源“{spec.source}”未注册", {"sources": [spec.source]}
            ) from exc
        inputs[spec.source] = {str(k): (None if v is None else float(v)) for k, v in values.items()}
    return inputs


def run_assessment(user: User, scheme: AssessmentScheme, period_label: str) -> AssessmentRun:
    """Score ``scheme`` for the period (``2026-03`` / ``2026-Q1`` / ``2026`` by its kind).  A draft
    run of the same period is replaced; a published one refuses (409)."""
    require_supervisor(user)
    if not actions.manages(user, scheme):
        raise NotFound("考核方案不存在", code=Code.NOT_FOUND)
    try:
        period = scoring.parse_period(scheme.period_kind, period_label)
    except ValueError as exc:
        raise DomainError(
            Code.INVALID_PERIOD,
            "考核期间格式不对",
            {"period": [f"应为 {scheme.get_period_kind_display()} 期间"]},
        ) from exc
    label = scoring.period_label(scheme.period_kind, period.start)
    with transaction.atomic():
        scheme = (
            AssessmentScheme.objects.select_for_update().select_related("owner__region").get(pk=scheme.pk)
        )
        if scheme.status != SchemeStatus.PUBLISHED:
            raise Conflict("只能按已发布的考核方案进行考核", code=Code.NOT_PUBLISHED)
        existing = AssessmentRun.objects.select_for_update().filter(scheme=scheme, period_label=label).first()
        if existing is not None and existing.status == RunStatus.PUBLISHED:
            raise Conflict("该期间的考核结果已发布，不能重新计算", code=Code.RUN_PUBLISHED)
        specs = specs_of(scheme)
        inputs = read_inputs(specs, period, scheme.level)
        units = units_of(scheme, {key for values in inputs.values() for key in values})
        inputs = {name: {k: v for k, v in values.items() if k in units} for name, values in inputs.items()}
        scores = scoring.score(specs, inputs, sorted(units))
        replaced = ""
        if existing is not None:
            replaced = str(existing.public_id)
            existing.delete()
        run = AssessmentRun.objects.create(
            scheme=scheme,
            period_label=label,
            period_start=period.start,
            period_end=period.end,
            indicators=[spec.as_dict() for spec in specs],
            inputs=inputs,
            created_by=user,
        )
        AssessmentResult.objects.bulk_create(
            AssessmentResult(
                run=run,
                unit_key=s.unit,
                unit_label=units[s.unit][0],
                organisation=units[s.unit][1],
                total=s.total,
                rank=s.rank,
                breakdown=s.breakdown,
            )
            for s in scores
        )
        audit.record(
            "assessment.run_scored",
            actor=user,
            obj=run,
            detail={
                "scheme": str(scheme.public_id),
                "period": label,
                "units": len(scores),
                "replaced": replaced,
            },
        )
    return run


def publish_run(user: User, run: AssessmentRun) -> AssessmentRun:
    """Publish a draft run: the report is rendered and sealed with the owner's seal (409
    ``assessment_no_seal`` when seals are required and it has none); afterwards the run is frozen."""
    require_supervisor(user)
    if not actions.manages(user, run.scheme):
        raise NotFound("考核结果不存在", code=Code.NOT_FOUND)
    with transaction.atomic():
        run = AssessmentRun.objects.select_for_update().select_related("scheme__owner").get(pk=run.pk)
        if run.status != RunStatus.DRAFT:
            raise Conflict("考核结果已发布，不能再修改", code=Code.RUN_PUBLISHED)
        owner = run.scheme.owner
        seal = seal_services.organisation_seal(owner)
        if seal is None and seal_services.document_seal_required():
            raise Conflict(f"“{owner.name}”没有可用的电子印章，不能出具考核评估报告", code=Code.NO_SEAL)
        run.status = RunStatus.PUBLISHED
        run.published_by = user
        run.published_at = timezone.now()
        results = list(run.results.order_by("rank", "unit_label"))
        pdf = render_report_pdf(run, results)
        if seal is not None:
            pdf = seal_services.stamp_pdf(
                seal,
                pdf,
                user=None,
                reason=REPORT_REASON,
                reference=str(run.public_id),
                box=SEAL_BOX,
                system=True,
            )
        run.report.save(f"{run.public_id.hex}.pdf", ContentFile(pdf), save=False)
        run.report_sha256 = hashlib.sha256(pdf).hexdigest()
        run.save(
            update_fields=["status", "published_by", "published_at", "report", "report_sha256", "updated_at"]
        )
        audit.record(
            "assessment.run_published",
            actor=user,
            obj=run,
            detail={"period": run.period_label, "sealed": seal is not None, "sha256": run.report_sha256},
        )
    return run


def totals(run: AssessmentRun) -> dict[str, Decimal]:
    return {r.unit_key: r.total for r in run.results.all()}
