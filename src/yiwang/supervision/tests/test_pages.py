"""The workbench pages: the warning list (filters, htmx rows), detail with actions, rules, cards."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from yiwang.supervision.models import SupervisionRule, SupervisionWarning
from yiwang.supervision.scan import run_scan
from yiwang.testing.fixtures import logged_in
from yiwang.testing.supervision import NOW, World, make_case

pytestmark = pytest.mark.usefixtures("rules")


@pytest.fixture
def warning(world: World) -> SupervisionWarning:
    make_case(world.item, world.citizen, submitted_at=NOW - timedelta(days=9), due_date=date(2026, 9, 18))
    run_scan()
    return SupervisionWarning.objects.get()


def test_warning_list_and_detail(
    world: World, warning: SupervisionWarning, django_assert_max_num_queries
) -> None:
    client = logged_in(world.handler)
    client.get("/workbench/supervision/")
    with django_assert_max_num_queries(20):
        page = client.get("/workbench/supervision/", {"level": "red"})
    assert warning.case.number in page.content.decode()
    rows = client.get("/workbench/supervision/", {"level": "yellow"}, HTTP_HX_REQUEST="true")
    assert "<html" not in rows.content.decode() and warning.case.number not in rows.content.decode()
    detail = client.get(f"/workbench/supervision/warnings/{warning.public_id}/")
    assert "签收" in detail.content.decode()
    done = client.post(f"/workbench/supervision/warnings/{warning.public_id}/acknowledge/")
    assert done.status_code == 302
    warning.refresh_from_db()
    assert warning.status == "acknowledged"
    other = logged_in(world.other_clerk)
    assert other.get(f"/workbench/supervision/warnings/{warning.public_id}/").status_code == 404
    assert warning.case.number not in other.get("/workbench/supervision/").content.decode()


def test_rules_pages(world: World) -> None:
    rule = SupervisionRule.objects.get(kind="time_yellow")
    client = logged_in(world.supervisor)
    assert rule.name in client.get("/workbench/supervision/rules/").content.decode()
    saved = client.post(
        f"/workbench/supervision/rules/{rule.public_id}/",
        {"name": rule.name, "t_share": "0.7", "active": "on", "comment": "收紧"},
    )
    assert saved.status_code == 302
    rule.refresh_from_db()
    assert rule.version == 2 and rule.thresholds == {"share": 0.7}
    refused = logged_in(world.handler).post(
        f"/workbench/supervision/rules/{rule.public_id}/", {"t_share": "0.5"}
    )
    assert refused.status_code == 403


def test_cards_pages(world: World) -> None:
    supervisor = logged_in(world.supervisor)
    issued = supervisor.post(
        "/workbench/supervision/cards/",
        {
            "department": str(world.department.public_id),
            "colour": "red",
            "period_start": "2026-09-01",
            "period_end": "2026-09-30",
            "reason": "超期",
        },
    )
    assert issued.status_code == 302
    handler = logged_in(world.handler)
    page = handler.get("/workbench/supervision/cards/").content.decode()
    assert "申诉理由" in page
    from yiwang.supervision.models import Card

    card = Card.objects.get()
    handler.post(f"/workbench/supervision/cards/{card.public_id}/appeal/", {"text": "有误"})
    supervisor.post(f"/workbench/supervision/cards/{card.public_id}/uphold/", {"text": "维持"})
    card.refresh_from_db()
    assert card.status == "upheld"
