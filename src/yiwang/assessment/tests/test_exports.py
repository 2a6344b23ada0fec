"""Exports: the Excel workbook (ranking and breakdown sheets) and the sealed PDF report (pyHanko)."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from yiwang.assessment import reads, services
from yiwang.assessment.tests.factories import published_scheme, seal
from yiwang.seals import services as seal_services
from yiwang.testing.fixtures import logged_in

pytestmark = pytest.mark.django_db


def test_xlsx_has_ranking_and_breakdown(world, test_sources):
    run = services.run_assessment(world.supervisor, published_scheme(world), "2026-Q3")
    response = logged_in(world.supervisor).get(f"/api/v1/supervision/assessment/runs/{run.public_id}/xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    ranking, breakdown = book.worksheets[0], book.worksheets[1]
    rows = list(ranking.iter_rows(values_only=True))
    assert rows[1][:3] == (1, "合肥市市场监督管理局", 90.0)
    assert rows[3][:3] == (3, "合肥市自然资源和规划局", 12.0) and rows[3][4] is None
    assert breakdown.max_row == 1 + 3 * 2


def test_published_report_is_sealed(world, test_sources):
    stamp = seal(world)
    run = services.publish_run(
        world.supervisor, services.run_assessment(world.supervisor, published_scheme(world), "2026-Q3")
    )
    data = reads.report_bytes(run)
    assert data.startswith(b"%PDF")
    report = seal_services.verify_pdf(data)
    assert report.ok, report
    signature = report.signatures[0]
    assert signature.intact and signature.valid and signature.covers_whole_document
    assert signature.organisation == world.bureau.name and signature.seal_id == str(stamp.public_id)
    client = logged_in(world.supervisor)
    response = client.get(f"/api/v1/supervision/assessment/runs/{run.public_id}/pdf")
    assert response.status_code == 200 and response.content == data
    # the department staff see their row, but do not export
    clerk = logged_in(world.clerk_a)
    assert clerk.get(f"/api/v1/supervision/assessment/runs/{run.public_id}/pdf").status_code == 403
