"""The dashboard page (htmx filters, charts with tables, Excel link) and the big screen's access."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from yiwang.metrics import screen
from yiwang.metrics.tests.test_indicators import history
from yiwang.testing.metrics import World, make_staff
from yiwang.testing.mfa import staff_login

pytestmark = pytest.mark.django_db


def test_dashboard_page_and_its_htmx_body(
    world: World, django_assert_max_num_queries, own_sources_only
) -> None:
    history(world)
    client = staff_login(Client(), world.manager)
    page = client.get("/workbench/dashboards/", {"start": "2026-09-01", "end": "2026-09-21"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="chart-status"' in html and 'id="dashboard-data"' in html and "export.xlsx" in html
    assert world.licence.name in html  # the top items' table
    with django_assert_max_num_queries(30):
        body = client.get("/workbench/dashboards/", {"level": "item"}, HTTP_HX_REQUEST="true")
    assert body.status_code == 200 and b"<html" not in body.content
    bad = client.get("/workbench/dashboards/", {"start": "nonsense"})
    assert bad.status_code == 422 and "YYYY-MM-DD" in bad.content.decode()
    export = client.get("/workbench/dashboards/export.xlsx", {"start": "2026-09-01"})
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxml")


def test_screen_for_supervisor_roles_only(world: World) -> None:
    history(world)
    assert staff_login(Client(), world.manager).get("/screen/").status_code == 200
    clerk = staff_login(Client(), world.clerk)
    assert clerk.get("/screen/").status_code == 403
    assert clerk.get("/screen/figures/").status_code == 403
    anonymous = Client().get("/screen/")
    assert anonymous.status_code == 302 and "/workbench/login/" in anonymous["Location"]


def test_display_key_opens_the_screen_until_revoked(world: World) -> None:
    key, token = screen.create_key("一楼大厅大屏", world.manager)
    device = Client()
    page = device.get("/screen/", {"key": token})
    assert page.status_code == 200 and "figures/?key=" in page.content.decode()
    assert device.get("/screen/figures/", {"key": token}).status_code == 200
    assert device.get("/screen/regions.json", {"key": token}).json()["type"] == "FeatureCollection"
    assert device.get("/screen/", {"key": token + "x"}).status_code == 403
    screen.revoke_key(key.public_id, world.manager)
    assert device.get("/screen/figures/", {"key": token}).status_code == 403


def test_screen_snapshot_is_cached_and_cheap(
    world: World, django_assert_max_num_queries, own_sources_only
) -> None:
    history(world)
    cache.clear()
    with django_assert_max_num_queries(12):
        first = screen.payload()
    with django_assert_max_num_queries(0):
        again = screen.payload()
    assert again["computed_at"] == first["computed_at"]
    assert [row["count"] for row in first["by_status"]][-1] == 1  # one overdue open case


def test_supervisor_sees_the_region(world: World) -> None:
    history(world)
    supervisor = make_staff(world.market, "metrics_supervisor", ["supervisor"])
    from yiwang.accounts.models import StaffRoleAssignment

    StaffRoleAssignment.objects.filter(staff__user=supervisor).update(scope="region")
    body = staff_login(Client(), supervisor).get("/api/v1/dashboards/summary", {"start": "2026-09-01"}).json()
    assert body["totals"]["filed"] == 7
