"""One case in my space: timeline, the one-time correction notice and its upload form, withdrawal,
and permission-checked downloads."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from yiwang.cases.models import CaseStatus, CorrectionNotice
from yiwang.cases.services import accept_case, decide_case, request_correction
from yiwang.portal.tests.factories import PNG_BYTES, apply_for, materials_by_name, pdf_upload
from yiwang.testing.fixtures import logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(item, citizen):
    return apply_for(item, citizen)


@pytest.fixture
def notice_case(case, clerk):
    names = materials_by_name(case.item)
    request_correction(
        case,
        actor=clerk,
        items=[
            {"material_id": str(names["公司章程"].public_id), "reason": "缺少全体股东签字"},
            {"material_id": str(names["住所使用证明"].public_id), "reason": "复印件不清晰"},
            {"material_id": "", "name": "经营范围表述", "reason": "请按规范表述填写"},
        ],
        comment="请一次性补齐",
    )
    case.refresh_from_db()
    return case


def test_case_page_shows_number_status_dates_and_timeline(
    citizen_client, case, django_assert_max_num_queries
):
    # session, user, case, 5 lists, documents, licences, the payment order, the courier orders
    with django_assert_max_num_queries(14):
        response = citizen_client.get(reverse("portal:case_detail", args=[case.public_id]))
    assert response.status_code == 200
    html = response.content.decode()
    assert case.number in html
    assert "待受理" in html
    assert "承诺办结日期" in html and "法定办结日期" in html
    assert 'class="timeline"' in html and "申请" in html
    assert "合肥徽创科技有限公司" in html  # the form data
    assert reverse("portal:case_withdraw", args=[case.public_id]) in html


def test_another_users_case_is_not_found(case, other_citizen):
    client = logged_in(other_citizen)
    for name in ("portal:case_detail", "portal:case_result"):
        response = client.get(reverse(name, args=[case.public_id]))
        assert response.status_code == 404
        assert "办件不存在" in response.content.decode()
    material = case.materials.first()
    assert (
        client.get(reverse("portal:case_material", args=[case.public_id, material.public_id])).status_code
        == 404
    )
    assert client.post(reverse("portal:case_withdraw", args=[case.public_id])).status_code == 404
    assert client.get(reverse("portal:case_detail", args=[uuid.uuid4()])).status_code == 404


def test_anonymous_user_is_sent_to_login(client, case):
    response = client.get(reverse("portal:case_detail", args=[case.public_id]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:login"))


def test_notice_lists_every_item_with_an_upload_per_material(citizen_client, notice_case):
    html = citizen_client.get(reverse("portal:case_detail", args=[notice_case.public_id])).content.decode()
    names = materials_by_name(notice_case.item)
    assert "补正材料一次性告知书" in html
    for text in ("缺少全体股东签字", "复印件不清晰", "经营范围表述", "请按规范表述填写", "请一次性补齐"):
        assert text in html
    assert f'name="material_{names["公司章程"].public_id}"' in html
    assert f'name="material_{names["住所使用证明"].public_id}"' in html
    assert reverse("portal:case_correction", args=[notice_case.public_id]) in html


def test_supplying_the_correction_sends_the_case_back_to_the_window(citizen_client, notice_case):
    names = materials_by_name(notice_case.item)
    response = citizen_client.post(
        reverse("portal:case_correction", args=[notice_case.public_id]),
        {
            f"material_{names['公司章程'].public_id}": pdf_upload("新章程.pdf"),
            f"material_{names['住所使用证明'].public_id}": pdf_upload("住所.png", PNG_BYTES),
            "comment": "已补齐",
        },
    )
    assert response.status_code == 302
    notice_case.refresh_from_db()
    assert notice_case.status == CaseStatus.SUBMITTED
    assert notice_case.materials.filter(correction_round=1).count() == 2
    assert "补正材料已提交" in citizen_client.get(response["Location"]).content.decode()


def test_incomplete_correction_names_what_is_missing(citizen_client, notice_case):
    names = materials_by_name(notice_case.item)
    response = citizen_client.post(
        reverse("portal:case_correction", args=[notice_case.public_id]),
        {f"material_{names['公司章程'].public_id}": pdf_upload("新章程.pdf"), "comment": "先传一个"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "住所使用证明" in html and "尚未上传" in html
    assert f'id="id_material_{names["住所使用证明"].public_id}-error"' in html
    assert "先传一个" in html
    notice_case.refresh_from_db()
    assert notice_case.status == CaseStatus.CORRECTION_REQUIRED


def test_withdraw(citizen_client, case):
    response = citizen_client.post(
        reverse("portal:case_withdraw", args=[case.public_id]), {"reason": "信息填错"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.WITHDRAWN
    again = citizen_client.post(
        reverse("portal:case_withdraw", args=[case.public_id]), {"reason": "再撤一次"}
    )
    assert again.status_code == 409
    assert "不能执行此操作" in again.content.decode()


def test_result_download_for_the_applicant_only(citizen_client, case, clerk, approver, other_citizen):
    assert citizen_client.get(reverse("portal:case_result", args=[case.public_id])).status_code == 404
    accept_case(case, actor=clerk)
    decide_case(case, actor=approver, approve=True, comment="同意")
    page = citizen_client.get(reverse("portal:case_detail", args=[case.public_id])).content.decode()
    assert "已办结" in page and "下载结果文书" in page
    response = citizen_client.get(reverse("portal:case_result", args=[case.public_id]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert (
        logged_in(other_citizen).get(reverse("portal:case_result", args=[case.public_id])).status_code == 404
    )


def test_own_material_download(citizen_client, case):
    material = case.materials.first()
    response = citizen_client.get(reverse("portal:case_material", args=[case.public_id, material.public_id]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def decided(item, citizen, clerk, approver, key: str):
    case = apply_for(item, citizen, key=key)
    accept_case(case, actor=clerk)
    decide_case(case, actor=approver, approve=True, comment="同意")
    case.refresh_from_db()
    return case


def add_history(case, clerk, n: int) -> None:
    """``n`` more events, materials and documents and ``n`` resolved correction rounds, in bulk."""
    last = case.events.order_by("-sequence").first()
    material = case.materials.first()
    documents = list(case.documents.all())
    events, materials, copies = [], [], []
    for _ in range(n):
        last.pk, last.sequence = None, last.sequence + 1
        events.append(type(last)(**{f.attname: getattr(last, f.attname) for f in last._meta.concrete_fields}))
        material.pk, material.public_id = None, uuid.uuid4()
        materials.append(
            type(material)(
                **{f.attname: getattr(material, f.attname) for f in material._meta.concrete_fields}
            )
        )
        for document in documents:
            document.pk, document.public_id = None, uuid.uuid4()
            copies.append(
                type(document)(
                    **{f.attname: getattr(document, f.attname) for f in document._meta.concrete_fields}
                )
            )
    type(last).objects.bulk_create(events)
    type(material).objects.bulk_create(materials)
    type(documents[0]).objects.bulk_create(copies)
    CorrectionNotice.objects.bulk_create(
        CorrectionNotice(
            case=case,
            round=i + 1,
            items=[{"material_id": "", "name": "补正", "reason": "理由"}],
            issued_by=clerk,
            deadline=timezone.localdate(),
            resolved_at=timezone.now(),
        )
        for i in range(n)
    )


def page_queries(client, case) -> tuple[int, str]:
    url = reverse("portal:case_detail", args=[case.public_id])
    client.get(url)  # the session settles
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_case_page_queries_do_not_grow_with_its_history(citizen_client, item, citizen, clerk, approver):
    """No N+1: a case with 30 events, materials, documents and correction rounds more costs the same
    queries as a fresh decided case."""
    short = decided(item, citizen, clerk, approver, "short")
    long = decided(item, citizen, clerk, approver, "long")
    documents = long.documents.count()
    add_history(long, clerk, 30)
    few, _html = page_queries(citizen_client, short)
    many, html = page_queries(citizen_client, long)
    # session, user, case, 2 prefetches, 4 lists, the payment order, the courier orders
    assert few == many <= 11, (few, many)
    assert html.count('class="case-document"') == documents * 31
    assert html.count("<li>") >= 30  # the timeline
