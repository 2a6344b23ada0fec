"""Workbench panels for the clock and the case variants (容缺, 告知承诺, 延长, 特别程序, 终止)."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from yiwang.cases.models import CaseStatus
from yiwang.cases.services import accept_case
from yiwang.testing.fixtures import logged_in
from yiwang.testing.portal import apply_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel("2026-09-21 10:00:00+08:00", tick=False) as traveller:
        yield traveller


def test_special_procedure_and_termination_from_the_case_page(approver, item, citizen, clerk):
    case = accept_case(apply_for(item, citizen), actor=clerk)
    client = logged_in(approver)
    page = client.get(reverse("workbench:case_detail", args=[case.public_id])).content.decode()
    assert "办理时限" in page and "启动特别程序" in page and "申请延长办理期限" in page and "终止办理" in page
    url = reverse("workbench:variant", args=[case.public_id, "special-start"])
    response = client.post(url, {"lock_version": case.lock_version, "kind": "testing", "text": "送检"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.clock_paused
    page = client.get(reverse("workbench:case_detail", args=[case.public_id])).content.decode()
    assert "计时暂停" in page and "结束特别程序" in page
    stale = client.post(
        reverse("workbench:variant", args=[case.public_id, "special-end"]),
        {"lock_version": case.lock_version - 1, "text": "合格"},
    )
    assert stale.status_code == 409
    client.post(
        reverse("workbench:variant", args=[case.public_id, "special-end"]),
        {"lock_version": case.lock_version, "text": "检测合格"},
    )
    case.refresh_from_db()
    response = client.post(
        reverse("workbench:variant", args=[case.public_id, "terminate"]),
        {"lock_version": case.lock_version, "text": "申请人主体资格灭失"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.TERMINATED


def test_clerk_gap_acceptance_form(clerk, item, citizen):
    case = apply_for(item, citizen)
    client = logged_in(clerk)
    page = client.get(reverse("workbench:case_detail", args=[case.public_id])).content.decode()
    assert "容缺受理" in page and "终止办理" not in page
    material = item.materials.filter(mandatory=False).first() or item.materials.first()
    response = client.post(
        reverse("workbench:variant", args=[case.public_id, "gap"]),
        {"lock_version": case.lock_version, "material": [str(material.public_id)], "days": "3"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED and case.gap_items[0]["name"] == material.name
    empty = client.post(reverse("workbench:variant", args=[case.public_id, "nope"]), {"lock_version": "1"})
    assert empty.status_code == 404
