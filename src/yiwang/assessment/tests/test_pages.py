"""The workbench pages: schemes with the indicator editor, the run with chart and tables, and who
gets which page."""

from __future__ import annotations

import pytest

from yiwang.assessment import services
from yiwang.assessment.models import AssessmentScheme
from yiwang.assessment.tests.factories import published_scheme
from yiwang.testing.fixtures import logged_in

pytestmark = pytest.mark.django_db


def test_supervisor_edits_a_scheme_on_the_page(world, test_sources):
    client = logged_in(world.supervisor)
    created = client.post(
        "/workbench/assessment/schemes/", {"name": "月度考核", "level": "department", "period_kind": "month"}
    )
    assert created.status_code == 302
    scheme = AssessmentScheme.objects.get(name="月度考核")
    page = client.get(created["Location"])
    assert page.status_code == 200 and 'id="indicator-editor"' in page.content.decode()
    form = {
        "name": "月度考核",
        "level": "department",
        "period_kind": "month",
        "lock_version": "0",
        "ind-0-source": "t_ontime",
        "ind-0-weight": "70",
        "ind-0-method": "linear",
        "ind-0-floor": "50",
        "ind-0-target": "100",
        "ind-0-cap": "100",
        "ind-0-missing": "zero",
        "ind-1-source": "t_overdue",
        "ind-1-weight": "20",
        "ind-1-method": "threshold",
        "ind-1-threshold": "5",
        "ind-1-cap": "100",
        "ind-1-missing": "exclude",
    }
    assert client.post(f"/workbench/assessment/schemes/{scheme.public_id}/", form).status_code == 302
    refused = client.post(f"/workbench/assessment/schemes/{scheme.public_id}/publish/")
    assert refused.status_code == 400 and "90" in refused.content.decode()
    form["ind-1-weight"] = "30"
    form["lock_version"] = "1"
    assert client.post(f"/workbench/assessment/schemes/{scheme.public_id}/", form).status_code == 302
    assert client.post(f"/workbench/assessment/schemes/{scheme.public_id}/publish/").status_code == 302
    ran = client.post(f"/workbench/assessment/schemes/{scheme.public_id}/run/", {"period": "2026-09"})
    assert ran.status_code == 302
    html = client.get(ran["Location"]).content.decode()
    assert 'id="chart-totals"' in html and 'id="ranking"' in html and 'id="breakdown"' in html
    assert 'id="export-xlsx"' in html and 'id="publish-run"' in html
    assert "合肥市市场监督管理局" in html


def test_staff_see_only_published_runs_of_their_department(
    world, test_sources, django_assert_max_num_queries
):
    run = services.run_assessment(world.supervisor, published_scheme(world), "2026-Q3")
    clerk = logged_in(world.clerk_a)
    assert clerk.get("/workbench/assessment/schemes/").status_code == 403
    assert clerk.get(f"/workbench/assessment/runs/{run.public_id}/").status_code == 404
    run.status = "published"
    run.save(update_fields=["status"])
    html = clerk.get(f"/workbench/assessment/runs/{run.public_id}/").content.decode()
    assert "合肥市市场监督管理局" in html and "合肥市公安局" not in html and 'id="export-xlsx"' not in html
    with django_assert_max_num_queries(20):
        assert clerk.get("/workbench/assessment/").status_code == 200
