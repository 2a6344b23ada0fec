"""Workbench actions: accept, refuse, the one-time correction notice, approve/refuse; stale pages
get a conflict message; roles and departments are enforced."""

from __future__ import annotations

import pytest
from django.urls import reverse

from yiwang.cases.models import CaseStatus, CorrectionNotice
from yiwang.cases.services import accept_case, request_correction, supply_correction
from yiwang.testing.fixtures import logged_in
from yiwang.testing.portal import apply_for, materials_by_name, pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(item, citizen):
    return apply_for(item, citizen)


def _post(client, name, case, **data):
    data.setdefault("lock_version", str(case.lock_version))
    return client.post(reverse(f"workbench:{name}", args=[case.public_id]), data)


def test_accept(clerk_client, case):
    response = _post(clerk_client, "accept", case, comment="材料齐全")
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED
    assert case.due_date is not None
    page = clerk_client.get(response["Location"]).content.decode()
    assert "已受理" in page


def test_stale_lock_version_gives_a_conflict_message(clerk_client, case, clerk):
    stale = case.lock_version
    accept_case(case, actor=clerk)  # a colleague acted meanwhile
    case.refresh_from_db()
    response = _post(clerk_client, "refuse", case, lock_version=str(stale), reason="材料不全")
    assert response.status_code == 409
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "办件当前状态为“审查中”，不能执行此操作（可能已被他人处理）" in html
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED


def test_stale_version_on_the_same_state_says_refresh(clerk_client, case, clerk, citizen):
    page_version = case.lock_version
    # Another clerk sends a correction notice and the citizen answers it: same state, newer version.
    names = materials_by_name(case.item)
    request_correction(
        case, actor=clerk, items=[{"material_id": str(names["公司章程"].public_id), "reason": "x"}]
    )
    case.refresh_from_db()
    supply_correction(case, applicant=citizen, files={str(names["公司章程"].public_id): [pdf_upload()]})
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED and case.lock_version != page_version
    response = _post(clerk_client, "accept", case, lock_version=str(page_version), comment="我的意见")
    assert response.status_code == 409
    html = response.content.decode()
    assert "办件已被更新，请刷新后重试" in html
    assert f'name="lock_version" value="{case.lock_version}"' in html  # the re-rendered page is current
    assert "我的意见" in html  # what the clerk typed is kept
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED


def test_missing_lock_version_is_a_400(clerk_client, case):
    response = clerk_client.post(reverse("workbench:accept", args=[case.public_id]), {})
    assert response.status_code == 400
    assert "版本信息" in response.content.decode()


def test_refuse_needs_a_reason(clerk_client, case):
    response = _post(clerk_client, "refuse", case, reason="  ")
    assert response.status_code == 400
    html = response.content.decode()
    assert "不予受理须说明理由" in html
    assert 'id="id_refuse_reason-error"' in html
    response = _post(clerk_client, "refuse", case, reason="不属于本部门职权范围")
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.NOT_ACCEPTED
    assert case.result_document


def test_correction_lists_every_checked_material_and_the_other_line_in_one_notice(clerk_client, case):
    names = materials_by_name(case.item)
    charter, address = names["公司章程"], names["住所使用证明"]
    response = _post(
        clerk_client,
        "correction",
        case,
        material=[str(charter.public_id), str(address.public_id)],
        **{
            f"reason_{charter.public_id}": "缺少签字",
            f"reason_{address.public_id}": "复印件不清晰",
            f"reason_{names['委托书'].public_id}": "unchecked, ignored",
            "other_name": "经营范围表述",
            "other_reason": "请按规范填写",
            "comment": "一次性告知",
        },
    )
    assert response.status_code == 302
    notice = CorrectionNotice.objects.get(case=case)
    assert [entry["name"] for entry in notice.items] == ["公司章程", "住所使用证明", "经营范围表述"]
    assert [entry["reason"] for entry in notice.items] == ["缺少签字", "复印件不清晰", "请按规范填写"]
    case.refresh_from_db()
    assert case.status == CaseStatus.CORRECTION_REQUIRED
    # No second list for the same submission: the action forms are gone and a replay conflicts.
    html = clerk_client.get(reverse("workbench:case_detail", args=[case.public_id])).content.decode()
    assert reverse("workbench:correction", args=[case.public_id]) not in html
    again = _post(clerk_client, "correction", case, material=[str(charter.public_id)])
    assert again.status_code == 409
    assert CorrectionNotice.objects.filter(case=case).count() == 1


def test_empty_correction_is_refused_and_keeps_the_input(clerk_client, case):
    names = materials_by_name(case.item)
    response = _post(
        clerk_client, "correction", case, **{f"reason_{names['公司章程'].public_id}": "写了原因但没勾选"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "一次性列明" in html
    assert "写了原因但没勾选" in html
    assert 'id="correction-error"' in html


def test_approver_approves_and_refuses(approver_client, item, citizen, clerk):
    approved = accept_case(apply_for(item, citizen, key="a"), actor=clerk)
    response = _post(approver_client, "decide", approved, decision="approve", comment="同意")
    assert response.status_code == 302
    approved.refresh_from_db()
    assert approved.status == CaseStatus.COMPLETED and approved.outcome == "approved"

    refused = accept_case(apply_for(item, citizen, key="b"), actor=clerk)
    response = _post(approver_client, "decide", refused, decision="refuse", comment="")
    assert response.status_code == 400
    assert "不予批准须说明理由" in response.content.decode()
    response = _post(approver_client, "decide", refused, decision="refuse", comment="不符合条件")
    assert response.status_code == 302
    refused.refresh_from_db()
    assert refused.outcome == "refused"
    assert _post(approver_client, "decide", refused, decision="maybe").status_code in {400, 409}


def test_clerk_cannot_decide_and_approver_cannot_accept(clerk_client, approver_client, case, clerk):
    response = _post(approver_client, "accept", case)
    assert response.status_code == 403
    assert "没有执行此操作的角色" in response.content.decode()
    accept_case(case, actor=clerk)
    case.refresh_from_db()
    response = _post(clerk_client, "decide", case, decision="approve")
    assert response.status_code == 403


def test_clerk_of_another_department_cannot_act(foreign_clerk, case):
    client = logged_in(foreign_clerk)
    for action in ("accept", "refuse", "correction", "decide"):
        assert _post(client, action, case, reason="x", decision="approve").status_code == 404
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED


def test_actions_are_post_only(clerk_client, case):
    assert clerk_client.get(reverse("workbench:accept", args=[case.public_id])).status_code == 405
