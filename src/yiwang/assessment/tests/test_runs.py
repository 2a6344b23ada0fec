"""Runs: the scores on known source values, the ranking, missing values, re-runs of a draft and the
immutability of a published run."""

from __future__ import annotations

from decimal import Decimal

import pytest

from yiwang.assessment import services
from yiwang.assessment.models import AssessmentRun, RunStatus
from yiwang.assessment.tests.factories import published_scheme, seal
from yiwang.core.errors import DomainError

pytestmark = pytest.mark.django_db


def totals(run: AssessmentRun) -> list[tuple[str, Decimal, int]]:
    return [(r.unit_label, r.total, r.rank) for r in run.results.order_by("rank", "unit_label")]


def test_known_values_give_the_expected_ranking(world, test_sources):
    run = services.run_assessment(world.supervisor, published_scheme(world), "2026-Q3")
    assert (run.period_start.isoformat(), run.period_end.isoformat()) == ("2026-07-01", "2026-09-30")
    # on time 60 × (95-50)/50 = 54, overdue 40 × (2-20)/(0-20) = 36 → 90; 36 + 20 = 56; 12 + 0 (missing)
    assert totals(run) == [
        ("合肥市市场监督管理局", Decimal("90.00"), 1),
        ("合肥市公安局", Decimal("56.00"), 2),
        ("合肥市自然资源和规划局", Decimal("12.00"), 3),
    ]
    c = run.results.get(unit_key=world.key("c"))
    overdue = next(row for row in c.breakdown if row["source"] == "t_overdue")
    assert overdue == {
        "source": "t_overdue",
        "value": None,
        "fraction": None,
        "points": "0",
        "missing": True,
        "excluded": False,
    }
    # the snapshot keeps the inputs (the unknown key is not a unit) and the definitions
    assert run.inputs["t_ontime"][world.key("a")] == 95.0 and "not-a-unit" not in run.inputs["t_overdue"]
    assert [i["source"] for i in run.indicators] == ["t_ontime", "t_overdue"]
    assert run.indicators[1]["higher_is_better"] is False


def test_missing_values_can_be_excluded(world, test_sources):
    run = services.run_assessment(world.supervisor, published_scheme(world, missing="exclude"), "2026-Q3")
    c = run.results.get(unit_key=world.key("c"))
    assert c.total == Decimal("20.00")  # 12 of the 60 points counted, scaled to 100


def test_rerun_replaces_a_draft_and_publish_freezes(world, test_sources, django_capture_on_commit_callbacks):
    seal(world)
    scheme = published_scheme(world)
    first = services.run_assessment(world.supervisor, scheme, "2026-Q3")
    second = services.run_assessment(world.supervisor, scheme, "2026-q3")
    assert not AssessmentRun.objects.filter(pk=first.pk).exists()
    assert AssessmentRun.objects.filter(scheme=scheme).count() == 1
    published = services.publish_run(world.supervisor, second)
    assert published.status == RunStatus.PUBLISHED and published.report_sha256
    for attempt in (
        lambda: services.run_assessment(world.supervisor, scheme, "2026-Q3"),
        lambda: services.publish_run(world.supervisor, published),
    ):
        with pytest.raises(DomainError) as refused:
            attempt()
        assert refused.value.code == "assessment_run_published" and refused.value.status == 409
    assert totals(AssessmentRun.objects.get(pk=published.pk))[0][1] == Decimal("90.00")


def test_period_must_match_the_scheme(world, test_sources):
    with pytest.raises(DomainError) as refused:
        services.run_assessment(world.supervisor, published_scheme(world), "2026-09")
    assert refused.value.code == "assessment_invalid_period"


def test_publish_needs_a_seal(world, test_sources, settings):
    settings.YIWANG_REQUIRE_DOCUMENT_SEAL = True
    run = services.run_assessment(world.supervisor, published_scheme(world), "2026-Q3")
    with pytest.raises(DomainError) as refused:
        services.publish_run(world.supervisor, run)
    assert refused.value.code == "assessment_no_seal"
