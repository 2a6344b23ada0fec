"""情形引导 of the demo's 个体工商户设立登记 (issue 16 point 12): acting through an agent makes the
power of attorney required, and the 自有/租赁 answer changes the premises document asked for."""

from __future__ import annotations

import pytest

from yiwang.cases.services import submit_application
from yiwang.catalog.models import ServiceItem
from yiwang.catalog.scenarios import applicable, define_scenarios
from yiwang.catalog.tests.factories import ServiceItemFactory
from yiwang.core.errors import DomainError
from yiwang.core.models import Organisation
from yiwang.demo.content import items_market
from yiwang.demo.content.discovery import SCENARIOS
from yiwang.testing.cases import make_citizen, pdf_upload

pytestmark = pytest.mark.django_db

NAME = "个体工商户设立登记"
ATTORNEY = "委托代理人身份证明及授权委托书"
GENERAL = "经营场所使用相关文件"
OWNED = "经营场所产权证明"
LEASE = "经营场所租赁合同"


@pytest.fixture
def item(market_bureau: Organisation) -> ServiceItem:
    spec = next(spec for spec in items_market.ITEMS if spec["name"] == NAME)
    item = ServiceItemFactory(name=NAME, implementing_body=market_bureau, materials=spec["materials"])
    definition = SCENARIOS[NAME]
    define_scenarios(item, actor=None, questions=definition["questions"], conditions=definition["conditions"])
    return ServiceItem.objects.get(pk=item.pk)


def _required(result) -> dict[str, bool]:  # type: ignore[no-untyped-def]
    return {material.name: material.mandatory for material in result.materials}


def test_agent_makes_the_power_of_attorney_required(item: ServiceItem) -> None:
    by_agent = _required(applicable(item, {"agent": "agent", "premises": "own"}))
    assert by_agent[ATTORNEY] is True
    by_self = _required(applicable(item, {"agent": "self", "premises": "own"}))
    assert ATTORNEY not in by_self
    # the item's own material is untouched (the flag is per answer set)
    assert item.materials.get(name=ATTORNEY).mandatory is False


def test_premises_answer_changes_the_material_list(item: ServiceItem) -> None:
    owned = _required(applicable(item, {"agent": "self", "premises": "own"}))
    rented = _required(applicable(item, {"agent": "self", "premises": "rented"}))
    assert owned != rented
    assert owned.get(OWNED) is True and LEASE not in owned and GENERAL not in owned
    assert rented.get(LEASE) is True and OWNED not in rented and GENERAL not in rented
    # no answer yet: nothing is ruled out, and the general entry is the one required
    unanswered = _required(applicable(item, {}))
    assert unanswered[GENERAL] is True and unanswered[OWNED] is False and unanswered[LEASE] is False


def test_application_by_an_agent_without_the_power_of_attorney_is_refused(item: ServiceItem) -> None:
    applicant = make_citizen("agent_case_applicant")
    materials = {m.name: m for m in item.materials.all()}
    required_by_self = [m.name for m in applicable(item, {"agent": "self", "premises": "rented"}).materials]
    files = {str(materials[name].public_id): [pdf_upload()] for name in required_by_self}
    form = {"business_scope": "日用百货零售", "business_address": "合肥市蜀山区", "capital": 3}
    with pytest.raises(DomainError) as refused:
        submit_application(
            applicant=applicant,
            item=item,
            form_data=form,
            files=files,
            scenario_answers={"agent": "agent", "premises": "rented"},
        )
    assert refused.value.code == "missing_materials"
    assert str(materials[ATTORNEY].public_id) in refused.value.fields
    files[str(materials[ATTORNEY].public_id)] = [pdf_upload()]
    case = submit_application(
        applicant=applicant,
        item=item,
        form_data=form,
        files=files,
        scenario_answers={"agent": "agent", "premises": "rented"},
    )
    assert {m.material.name for m in case.materials.select_related("material")} >= {ATTORNEY, LEASE}
