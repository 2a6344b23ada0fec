"""材料收取 Pickup of paper originals chosen when filing: the apply page offers it for items that ask
for originals, a pickup courier order (applicant → department) is placed after the filing, the case
page shows it with its timeline; a bad address is refused before filing, a carrier refusal never
undoes the application."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from yiwang.cases.courier import case_orders, request_materials_pickup
from yiwang.cases.models import Case
from yiwang.core.errors import DomainError
from yiwang.logistics.models import OrderKind, OrderStatus
from yiwang.testing import portal
from yiwang.testing.clients import token_client
from yiwang.testing.fixtures import logged_in
from yiwang.testing.logistics import TOWNSHIP

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

ADDRESS = "安徽省合肥市蜀山区三里庵街道长江西路 100 号"


def _post(item, **extra):
    names = portal.materials_by_name(item)
    return {
        "field_company_name": "合肥徽创科技有限公司",
        "field_registered_capital": "100",
        "field_business_scope": "软件开发",
        "field_company_type": "有限责任公司",
        "delivery_method": "window",
        "idempotency_key": "pickup-1",
        **{
            f"material_{m.public_id}": portal.pdf_upload(f"{m.name}.pdf")
            for m in names.values()
            if m.mandatory
        },
        **extra,
    }


def test_apply_page_offers_pickup_only_for_originals(fake_carrier, department, calendar, citizen, item):
    page = logged_in(citizen).get(reverse("portal:apply", args=[item.public_id])).content.decode()
    assert 'name="pickup_originals"' in page and 'name="pickup_address"' in page
    copies_only = portal.make_item(
        department,
        name="复印件事项",
        materials=[{"name": "身份证复印件", "mandatory": True, "originals": 0, "copies": 1}],
    )
    page = logged_in(citizen).get(reverse("portal:apply", args=[copies_only.public_id])).content.decode()
    assert 'name="pickup_originals"' not in page


def test_pickup_chosen_when_filing_places_a_pickup_order(fake_carrier, citizen, item):
    client = logged_in(citizen)
    answer = client.post(
        reverse("portal:apply", args=[item.public_id]),
        _post(item, pickup_originals="1", pickup_address=ADDRESS),
    )
    assert answer.status_code == 302
    case = Case.objects.get(applicant=citizen)
    (order,) = case_orders(case)
    assert order.kind == OrderKind.PICKUP and order.status == OrderStatus.SUBMITTED
    assert order.sender_region == TOWNSHIP and order.sender_address == ADDRESS
    assert order.recipient_region == "3401" and order.owner_id == citizen.pk
    assert order.reference_label == case.number
    assert request_materials_pickup(case, address=ADDRESS) == order  # once per case
    page = client.get(answer["Location"]).content.decode()
    assert "材料收取" in page and order.waybill_number in page


def test_a_bad_pickup_address_is_refused_before_filing(fake_carrier, citizen, item):
    answer = logged_in(citizen).post(
        reverse("portal:apply", args=[item.public_id]),
        _post(item, pickup_originals="1", pickup_address="南京市玄武区中山路 1 号"),
    )
    assert answer.status_code == 400 and "无法识别所在区县" in answer.content.decode()
    assert not Case.objects.exists()


def test_a_carrier_refusal_keeps_the_application(fake_carrier, citizen, item):
    fake_carrier.refused_regions.add("340100")  # the fake checks the recipient: the department
    answer = logged_in(citizen).post(
        reverse("portal:apply", args=[item.public_id]),
        _post(item, pickup_originals="1", pickup_address=ADDRESS),
        follow=True,
    )
    case = Case.objects.get(applicant=citizen)
    assert answer.status_code == 200 and "未能下单" in answer.content.decode()
    (order,) = case_orders(case)
    assert order.status == OrderStatus.CREATED and order.last_error


def test_pickup_not_chosen_or_not_offered_places_nothing(fake_carrier, department, citizen, item):
    logged_in(citizen).post(reverse("portal:apply", args=[item.public_id]), _post(item))
    assert case_orders(Case.objects.get(applicant=citizen)) == []
    with pytest.raises(DomainError):
        request_materials_pickup(Case.objects.get(applicant=citizen), address="短")


def _api_data(item, **extra):
    names = portal.materials_by_name(item)
    return {
        "item_id": str(item.public_id),
        "form_data": json.dumps(
            {
                "company_name": "合肥徽创科技有限公司",
                "registered_capital": "100",
                "business_scope": "软件开发",
                "company_type": "有限责任公司",
            }
        ),
        **{
            f"material_{m.public_id}": portal.pdf_upload(f"{m.name}.pdf")
            for m in names.values()
            if m.mandatory
        },
        **extra,
    }


def test_api_apply_with_a_pickup_address(fake_carrier, citizen, item):
    client = token_client(citizen)
    refused = client.post("/api/v1/cases", _api_data(item, pickup_address="南京市玄武区中山路 1 号"))
    assert refused.status_code == 400 and refused.json()["fields"]["pickup_address"]
    assert not Case.objects.exists()
    answer = client.post("/api/v1/cases", _api_data(item, pickup_address=ADDRESS))
    assert answer.status_code == 201, answer.content
    (order,) = case_orders(Case.objects.get(applicant=citizen))
    assert order.kind == OrderKind.PICKUP and order.status == OrderStatus.SUBMITTED
    mine = client.get("/api/v1/logistics/orders").json()
    assert [o["id"] for o in mine["items"]] == [str(order.public_id)]
