"""The staff case page reads a case's events, materials and notices in a fixed number of queries:
a case with 60 events and 40 materials costs what a case with a handful costs (no N+1)."""

from __future__ import annotations

import uuid

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from yiwang.cases.models import CaseEvent, CaseMaterial
from yiwang.cases.services import accept_case
from yiwang.testing.portal import apply_for

pytestmark = pytest.mark.django_db

NOW = "2026-03-16 10:00:00+08:00"
# session, user, MFA, roles, case, audit ×3, access log, checklist, process, materials, events …
QUERY_LIMIT = 22


def grow(case, events: int, materials: int) -> None:
    """Copies of the case's last event and first material (a long history, many uploads)."""
    last = case.events.order_by("-sequence").first()
    copies = []
    for n in range(events):
        event = CaseEvent.objects.get(pk=last.pk)
        event.pk = None
        event.sequence = last.sequence + n + 1
        event.comment = f"第 {n} 条"
        copies.append(event)
    CaseEvent.objects.bulk_create(copies)
    material = case.materials.first()
    uploads = []
    for n in range(materials):
        copy = CaseMaterial.objects.get(pk=material.pk)
        copy.pk = None
        copy.public_id = uuid.uuid4()
        copy.correction_round = n % 3
        copy.superseded = n % 2 == 0
        uploads.append(copy)
    CaseMaterial.objects.bulk_create(uploads)


def page_queries(client, case) -> tuple[int, str]:
    url = reverse("workbench:case_detail", args=[case.public_id])
    client.get(url)  # warm: session, MFA device, calendar
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("accepted", [False, True], ids=["submitted", "accepted"])
def test_the_case_page_has_no_n_plus_one(
    clerk_client, item, citizen, clerk, accepted, django_assert_max_num_queries
):
    small = apply_for(item, citizen, key="small")
    large = apply_for(item, citizen, key="large")
    if accepted:
        small = accept_case(small, actor=clerk)
        large = accept_case(large, actor=clerk)
    grow(large, events=60, materials=40)
    few, _ = page_queries(clerk_client, small)
    many, html = page_queries(clerk_client, large)
    assert html.count("第 ") >= 60
    assert few == many <= QUERY_LIMIT
    with django_assert_max_num_queries(QUERY_LIMIT):
        clerk_client.get(reverse("workbench:case_detail", args=[large.public_id]))
