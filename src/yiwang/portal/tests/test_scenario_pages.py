"""情形引导 on the guide page (htmx and without JavaScript) and in the application form."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from yiwang.cases.models import Case
from yiwang.cases.services import submit_application
from yiwang.catalog.scenarios import define_scenarios
from yiwang.portal.tests.factories import materials_by_name, pdf_upload

pytestmark = pytest.mark.django_db

QUESTIONS = [
    {
        "key": "agent",
        "text": "本人办理还是委托代理人办理？",
        "options": [
            {"value": "self", "label": "本人办理"},
            {
                "value": "agent",
                "label": "委托代理人办理",
                "adds_materials": ["委托书"],
                "adds_conditions": ["代理人须持有授权委托书"],
            },
        ],
    },
    {
        "key": "premises",
        "text": "是否有固定住所？",
        "options": [
            {"value": "own", "label": "有"},
            {"value": "virtual", "label": "集群注册（无实体住所）", "removes_materials": ["住所使用证明"]},
        ],
    },
]
FORM = {
    "field_company_name": "合肥徽创科技有限公司",
    "field_registered_capital": "100",
    "field_business_scope": "软件开发",
    "field_company_type": "有限责任公司",
    "delivery_method": "electronic",
}


@pytest.fixture
def scenario_item(item):  # type: ignore[no-untyped-def]
    define_scenarios(item, actor=None, questions=QUESTIONS, conditions=["代理人须持有授权委托书"])
    return item


def material_rows(html: str) -> list[str]:
    section = html[html.index('id="materials"') :]
    section = section[: section.index("</section>")]
    return [name.strip() for name in re.findall(r'<th scope="row">([^<\n]+)', section)]


def test_guide_without_answers_lists_every_material_and_the_questions(client, scenario_item) -> None:  # type: ignore[no-untyped-def]
    html = client.get(reverse("portal:item_guide", args=[scenario_item.public_id])).content.decode()
    assert "情形引导" in html and 'name="s_agent"' in html and 'name="s_premises"' in html
    assert material_rows(html) == ["公司登记（备案）申请书", "公司章程", "住所使用证明", "委托书"]
    assert 'id="apply-with-scenario"' not in html


def test_guide_with_get_answers_works_without_javascript(client, scenario_item) -> None:  # type: ignore[no-untyped-def]
    url = reverse("portal:item_guide", args=[scenario_item.public_id])
    html = client.get(url, {"s_agent": "self", "s_premises": "virtual"}).content.decode()
    assert material_rows(html) == ["公司登记（备案）申请书", "公司章程"]
    assert "代理人须持有授权委托书" not in html
    assert 'value="self" checked' in html
    assert (
        f"{reverse('portal:apply', args=[scenario_item.public_id])}?s_agent=self&amp;s_premises=virtual"
        in html
    )
    agent = client.get(url, {"s_agent": "agent", "s_premises": "own"}).content.decode()
    assert material_rows(agent) == ["公司登记（备案）申请书", "公司章程", "住所使用证明", "委托书"]
    assert "代理人须持有授权委托书" in agent


def test_htmx_request_returns_only_the_scenario_block(client, scenario_item) -> None:  # type: ignore[no-untyped-def]
    url = reverse("portal:item_guide", args=[scenario_item.public_id])
    response = client.get(url, {"s_agent": "self", "s_premises": "own"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.startswith('<div id="scenario-block">')
    assert "<header" not in html
    assert material_rows(html) == ["公司登记（备案）申请书", "公司章程", "住所使用证明"]


def test_guide_of_an_item_without_questions_is_unchanged(client, item) -> None:  # type: ignore[no-untyped-def]
    html = client.get(reverse("portal:item_guide", args=[item.public_id])).content.decode()
    assert 'id="scenario"' not in html
    assert material_rows(html) == ["公司登记（备案）申请书", "公司章程", "住所使用证明", "委托书"]


def test_apply_asks_the_questions_first(citizen_client, scenario_item) -> None:  # type: ignore[no-untyped-def]
    url = reverse("portal:apply", args=[scenario_item.public_id])
    html = citizen_client.get(url).content.decode()
    assert 'id="scenario-next"' in html and 'name="material_' not in html
    partial = citizen_client.get(url, {"s_agent": "self", "asked": "1"}).content.decode()
    assert 'id="scenario-incomplete"' in partial


def test_apply_form_asks_only_for_applicable_materials(citizen_client, scenario_item) -> None:  # type: ignore[no-untyped-def]
    names = materials_by_name(scenario_item)
    url = reverse("portal:apply", args=[scenario_item.public_id])
    html = citizen_client.get(url, {"s_agent": "self", "s_premises": "virtual"}).content.decode()
    assert f'name="material_{names["公司章程"].public_id}"' in html
    assert f'name="material_{names["住所使用证明"].public_id}"' not in html
    assert f'name="material_{names["委托书"].public_id}"' not in html
    assert '<input type="hidden" name="s_agent" value="self">' in html
    assert "集群注册（无实体住所）" in html


def test_submit_without_the_excluded_mandatory_material(
    citizen_client, scenario_item, citizen, media_root
) -> None:  # type: ignore[no-untyped-def]
    names = materials_by_name(scenario_item)
    data = {
        **FORM,
        "idempotency_key": "scenario-1",
        "s_agent": "self",
        "s_premises": "virtual",
        f"material_{names['公司登记（备案）申请书'].public_id}": pdf_upload("申请书.pdf"),
        f"material_{names['公司章程'].public_id}": pdf_upload("章程.pdf"),
    }
    response = citizen_client.post(reverse("portal:apply", args=[scenario_item.public_id]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    case = Case.objects.get(applicant=citizen)
    assert [row["value"] for row in case.scenario_answers] == ["self", "virtual"]
    assert case.scenario_answers[1]["answer"] == "集群注册（无实体住所）"


def test_mandatory_material_still_required_when_it_applies(
    citizen_client, scenario_item, citizen, media_root
) -> None:  # type: ignore[no-untyped-def]
    names = materials_by_name(scenario_item)
    data = {
        **FORM,
        "idempotency_key": "scenario-2",
        "s_agent": "self",
        "s_premises": "own",
        f"material_{names['公司登记（备案）申请书'].public_id}": pdf_upload("申请书.pdf"),
        f"material_{names['公司章程'].public_id}": pdf_upload("章程.pdf"),
    }
    response = citizen_client.post(reverse("portal:apply", args=[scenario_item.public_id]), data)
    assert response.status_code == 400
    assert "住所使用证明" in response.content.decode()
    assert not Case.objects.filter(applicant=citizen).exists()


def test_service_refuses_incomplete_or_forged_answers(scenario_item, citizen, media_root) -> None:  # type: ignore[no-untyped-def]
    from yiwang.core.errors import DomainError

    names = materials_by_name(scenario_item)
    files = {
        str(names["公司登记（备案）申请书"].public_id): [pdf_upload()],
        str(names["公司章程"].public_id): [pdf_upload()],
    }
    form = {
        "company_name": "甲",
        "registered_capital": "1",
        "company_type": "有限责任公司",
        "business_scope": "x",
    }
    with pytest.raises(DomainError) as exc:
        submit_application(
            applicant=citizen,
            item=scenario_item,
            form_data=form,
            files=files,
            scenario_answers={"agent": "self"},
        )
    assert exc.value.code == "scenario_answers_invalid"
    # a material that does not apply to the chosen situation cannot be smuggled in
    files[str(names["委托书"].public_id)] = [pdf_upload()]
    with pytest.raises(DomainError) as exc:
        submit_application(
            applicant=citizen,
            item=scenario_item,
            form_data=form,
            files=files,
            scenario_answers={"agent": "self", "premises": "virtual"},
        )
    assert exc.value.code == "unknown_material"
    # without answers the plain rule holds: every mandatory material of the item
    del files[str(names["委托书"].public_id)]
    with pytest.raises(DomainError) as exc:
        submit_application(applicant=citizen, item=scenario_item, form_data=form, files=files)
    assert "住所使用证明" in exc.value.message
