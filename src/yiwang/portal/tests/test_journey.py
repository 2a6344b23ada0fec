"""The whole journey through the pages with the test client: apply → correction → accept → approve."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from yiwang.accounts.models import InboxMessage, User
from yiwang.cases.models import Case, CaseStatus
from yiwang.portal.tests.factories import PASSWORD, materials_by_name, pdf_upload
from yiwang.testing.mfa import verify_mfa

pytestmark = pytest.mark.django_db


def _lock_version(html: str) -> str:
    match = re.search(r'name="lock_version" value="(\d+)"', html)
    assert match, "action form without lock_version"
    return match.group(1)


def test_journey_through_the_pages(
    client, item, citizen, clerk, approver, django_capture_on_commit_callbacks
):
    names = materials_by_name(item)

    # The citizen searches, opens the guide and applies.
    assert item.name in client.get(reverse("portal:search"), {"q": "营业执照"}).content.decode()
    guide = client.get(reverse("portal:item_guide", args=[item.public_id])).content.decode()
    apply_url = reverse("portal:apply", args=[item.public_id])
    assert apply_url in guide
    login = client.post(
        reverse("portal:login"), {"username": "citizen", "password": PASSWORD, "next": apply_url}
    )
    assert login["Location"] == apply_url
    form = client.get(apply_url).content.decode()
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', form).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            apply_url,
            {
                "idempotency_key": key,
                "field_company_name": "合肥徽创科技有限公司",
                "field_registered_capital": "100",
                "field_company_type": "有限责任公司",
                "delivery_method": "electronic",
                f"material_{names['公司登记（备案）申请书'].public_id}": pdf_upload(),
                f"material_{names['公司章程'].public_id}": pdf_upload(),
                f"material_{names['住所使用证明'].public_id}": pdf_upload(),
            },
        )
    case = Case.objects.get(applicant=citizen)
    case_url = reverse("portal:case_detail", args=[case.public_id])
    assert response["Location"] == case_url
    assert case.number in client.get(case_url).content.decode()
    client.post(reverse("portal:logout"))

    # The clerk asks for two materials in one notice.
    client.post(reverse("workbench:login"), {"username": "clerk", "password": PASSWORD})
    verify_mfa(client, User.objects.get(username="clerk"))  # the second factor
    todo = client.get(reverse("workbench:todo")).content.decode()
    assert case.number in todo
    staff_url = reverse("workbench:case_detail", args=[case.public_id])
    page = client.get(staff_url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("workbench:correction", args=[case.public_id]),
            {
                "lock_version": _lock_version(page),
                "material": [str(names["公司章程"].public_id), str(names["住所使用证明"].public_id)],
                f"reason_{names['公司章程'].public_id}": "缺少签字",
                f"reason_{names['住所使用证明'].public_id}": "不清晰",
            },
        )
    assert response.status_code == 302
    client.post(reverse("portal:logout"))

    # The citizen uploads both.
    client.post(reverse("portal:login"), {"username": "citizen", "password": PASSWORD})
    page = client.get(case_url).content.decode()
    assert "缺少签字" in page and "不清晰" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("portal:case_correction", args=[case.public_id]),
            {
                f"material_{names['公司章程'].public_id}": pdf_upload("章程v2.pdf"),
                f"material_{names['住所使用证明'].public_id}": pdf_upload("住所v2.pdf"),
            },
        )
    assert response.status_code == 302
    client.post(reverse("portal:logout"))

    # The clerk accepts, the approver approves.
    client.post(reverse("workbench:login"), {"username": "clerk", "password": PASSWORD})
    verify_mfa(client, User.objects.get(username="clerk"))  # the second factor
    page = client.get(staff_url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            client.post(
                reverse("workbench:accept", args=[case.public_id]), {"lock_version": _lock_version(page)}
            ).status_code
            == 302
        )
    client.post(reverse("portal:logout"))
    client.post(reverse("workbench:login"), {"username": "approver", "password": PASSWORD})
    verify_mfa(client, User.objects.get(username="approver"))  # the second factor
    page = client.get(staff_url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("workbench:decide", args=[case.public_id]),
            {"lock_version": _lock_version(page), "decision": "approve", "comment": "同意"},
        )
    assert response.status_code == 302
    client.post(reverse("portal:logout"))

    # The citizen sees the completed timeline, downloads the result and has a message per step.
    client.post(reverse("portal:login"), {"username": "citizen", "password": PASSWORD})
    page = client.get(case_url).content.decode()
    for label in ("补正告知", "补正材料提交", "受理", "批准", "办结"):
        assert label in page
    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED and case.outcome == "approved"
    result = client.get(reverse("portal:case_result", args=[case.public_id]))
    assert b"".join(result.streaming_content).startswith(b"%PDF")
    assert InboxMessage.objects.filter(user=citizen).count() == 6  # five steps and the 好差评 invitation
    assert case.number in client.get(reverse("portal:messages")).content.decode()
