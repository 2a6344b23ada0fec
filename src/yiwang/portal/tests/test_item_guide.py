"""The item guide (办事指南): every guide field, the materials table and the "在线办理" button."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from yiwang.catalog.models import FeeItem, ItemStatus, TongbanRange
from yiwang.portal.tests import factories

pytestmark = pytest.mark.django_db


def test_guide_shows_every_field(client, item, django_assert_max_num_queries):
    item.fee_required = True
    item.fee_description = "工本费 10 元"
    item.fee_basis = "《收费标准文件》"
    item.save()
    # the item's stamp with its stored document (none yet), the item with its body, materials and
    # fee items, and storing the rendered document (ADR 0014)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("portal:item_guide", args=[item.public_id]))
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        item.name,
        "行政许可",  # type
        item.implementing_body.name,
        "公司法",  # legal basis
        "完全民事行为能力",  # conditions
        "公司章程",  # materials
        "原件 0 份 / 复印件 1 份",
        "必需",
        "15 个工作日",  # statutory limit
        "3 个工作日",  # committed limit
        "工本费 10 元",
        "《收费标准文件》",
        "0 次",  # visits
        "窗口办理",  # handling forms
        "结果信息反馈",  # online depth
        "全程网办",
        "初级实名",  # assurance level
        item.place,
        item.office_hours,
        item.consult_phone,
        item.implementation_code,
        "在线办理",
    ):
        assert text in html, text
    assert reverse("portal:apply", args=[item.public_id]) in html
    assert '<th scope="col">' in html and '<th scope="row">' in html


def test_guide_shows_fee_items_faq_tongban_and_special_procedures(
    client, item, django_assert_max_num_queries
):
    item.fee_required = True
    item.tongban_range = TongbanRange.PROVINCE
    item.joint_bodies = "市场监督管理局、税务局"
    item.faq = [{"question": "可以委托他人办理吗？", "answer": "可以，须提交授权委托书。"}, {"bad": "row"}]
    item.special_procedures = [{"kind": "1", "name": "专家评审", "limit_days": 10, "note": "不计入办理时限"}]
    item.save()
    FeeItem.objects.create(
        item=item, name="证照工本费", standard="每证 10 元", legal_basis="《行政事业性收费目录》", order=1
    )
    with django_assert_max_num_queries(6):
        response = client.get(reverse("portal:item_guide", args=[item.public_id]))
    html = response.content.decode()
    assert response.status_code == 200
    for text in (
        "通办范围",
        str(TongbanRange.PROVINCE.label),
        "市场监督管理局、税务局",
        "证照工本费",
        "每证 10 元",
        "《行政事业性收费目录》",
        'id="faq"',
        "可以委托他人办理吗？",
        "可以，须提交授权委托书。",
        "专家评审",
        "10 个工作日",
        "不计入办理时限",
    ):
        assert text in html, text
    assert html.count('class="faq-entry"') == 1  # the malformed FAQ row is skipped, not rendered empty


def test_guide_without_faq_has_no_faq_section(client, item):
    html = client.get(reverse("portal:item_guide", args=[item.public_id])).content.decode()
    assert 'id="faq"' not in html and 'href="#faq"' not in html


def test_draft_and_unknown_items_are_not_found(client, item):
    draft = factories.make_item(item.implementing_body, name="草稿事项", status=ItemStatus.DRAFT)
    response = client.get(reverse("portal:item_guide", args=[draft.public_id]))
    assert response.status_code == 404
    assert "事项不存在或未发布" in response.content.decode()
    assert client.get(reverse("portal:item_guide", args=[uuid.uuid4()])).status_code == 404
    assert client.get("/items/not-a-uuid/").status_code == 404


def test_window_only_item_has_no_online_button(client, item):
    item.online_apply = False
    item.save()
    html = client.get(reverse("portal:item_guide", args=[item.public_id])).content.decode()
    assert reverse("portal:apply", args=[item.public_id]) not in html
    assert "暂不支持网上申请" in html
