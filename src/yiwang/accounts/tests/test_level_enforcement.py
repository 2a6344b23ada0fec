"""The item's required level on apply and on every later applicant action: API 403
``assurance_too_low`` with an ``upgrade_url``; pages lead to the upgrade page instead."""

from __future__ import annotations

import pytest
from django.test import Client

from yiwang.accounts.models import AssuranceLevel
from yiwang.cases.services import request_correction
from yiwang.core.models import AuditEvent
from yiwang.testing import portal as portal_factories
from yiwang.testing.mfa import staff_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(calendar, department):
    item = portal_factories.make_item(department)
    citizen = portal_factories.make_citizen("citizen")
    return item, citizen


def test_api_apply_below_the_level_is_403_with_upgrade_url(setup):
    item, citizen = setup
    item.required_assurance_level = AssuranceLevel.INTERMEDIATE
    item.save(update_fields=["required_assurance_level"])
    client = Client()
    client.force_login(citizen)
    response = client.post("/api/v1/cases", {"item_id": str(item.public_id), "form_data": "{}"})
    assert response.status_code == 403, response.content
    body = response.json()
    assert body["code"] == "assurance_too_low"
    assert body["fields"]["upgrade_url"].startswith("/my/upgrade/?level=2")
    assert AuditEvent.objects.filter(action="auth.assurance_too_low").exists()


def test_correction_and_withdraw_need_the_level_too(setup, department):
    item, citizen = setup
    case = portal_factories.apply_for(item, citizen, key="k1")
    clerk = portal_factories.make_staff(department, "clerk", ["window_clerk"], "李娜")
    request_correction(case, actor=clerk, items=[{"name": "公司章程", "reason": "缺页"}])
    item.required_assurance_level = AssuranceLevel.INTERMEDIATE
    item.save(update_fields=["required_assurance_level"])
    client = Client()
    client.force_login(citizen)
    response = client.post(
        f"/api/v1/cases/{case.public_id}/withdraw", {"reason": "x"}, content_type="application/json"
    )
    assert response.status_code == 403 and response.json()["code"] == "assurance_too_low"
    page = client.post(f"/my/cases/{case.public_id}/withdraw/", {"reason": "x"})
    assert page.status_code == 403
    assert "立即提升认证等级" in page.content.decode()  # told how to upgrade, with the link
    assert staff_login  # imported helper stays available to page tests
