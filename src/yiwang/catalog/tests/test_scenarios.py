"""情形引导: applicable conditions and materials for every answer path; definition; cases; API."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yiwang.catalog.errors import CatalogErrorCode
from yiwang.catalog.models import ItemStatus, ScenarioQuestion, ServiceItem
from yiwang.catalog.scenarios import (
    answers_from_params,
    applicable,
    define_scenarios,
    resolve_answers,
    scenario_definition,
)
from yiwang.catalog.tests.factories import ServiceItemFactory
from yiwang.core.errors import DomainError
from yiwang.core.models import AuditEvent, Organisation

pytestmark = pytest.mark.django_db

MATERIALS = ["申请书", "经营者身份证明", "经营场所使用证明", "授权委托书及受托人身份证明", "设备布局文件"]
QUESTIONS = [
    {
        "key": "apply_type",
        "text": "首次申请还是延续？",
        "options": [
            {"value": "first", "label": "首次申请"},
            {
                "value": "renewal",
                "label": "延续",
                "removes_materials": ["设备布局文件"],
                "adds_conditions": ["延续申请应在有效期届满前提出"],
            },
        ],
    },
    {
        "key": "agent",
        "text": "本人办理还是委托代理人？",
        "options": [
            {"value": "self", "label": "本人办理"},
            {
                "value": "agent",
                "label": "委托代理人",
                "adds_materials": ["授权委托书及受托人身份证明"],
                "adds_conditions": ["代理人须具有完全民事行为能力"],
            },
        ],
    },
    {
        "key": "premises",
        "text": "经营场所是自有还是租赁？",
        "options": [
            {"value": "own", "label": "自有"},
            {"value": "rented", "label": "租赁"},
            {"value": "none", "label": "无固定场所", "removes_materials": ["经营场所使用证明"]},
        ],
    },
]
CONDITIONS = ["延续申请应在有效期届满前提出", "代理人须具有完全民事行为能力"]


@pytest.fixture
def item(market_bureau: Organisation) -> ServiceItem:
    item = ServiceItemFactory(name="食品经营许可", implementing_body=market_bureau, materials=MATERIALS)
    define_scenarios(item, actor=None, questions=QUESTIONS, conditions=CONDITIONS)
    return ServiceItem.objects.get(pk=item.pk)


def names(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [material.name for material in result.materials]


def test_no_answers_shows_everything_that_could_apply(item: ServiceItem) -> None:
    result = applicable(item, {})
    assert result.has_questions and not result.complete
    assert names(result) == MATERIALS
    assert [q.key for q in result.questions] == ["apply_type", "agent", "premises"]


def test_first_application_by_the_holder(item: ServiceItem) -> None:
    result = applicable(item, {"apply_type": "first", "agent": "self", "premises": "own"})
    assert result.complete
    assert names(result) == ["申请书", "经营者身份证明", "经营场所使用证明", "设备布局文件"]
    assert result.conditions == []
    assert [m.name for m in result.excluded_materials] == ["授权委托书及受托人身份证明"]


def test_renewal_by_an_agent_without_premises(item: ServiceItem) -> None:
    result = applicable(item, {"apply_type": "renewal", "agent": "agent", "premises": "none"})
    assert names(result) == ["申请书", "经营者身份证明", "授权委托书及受托人身份证明"]
    assert [c.text for c in result.conditions] == CONDITIONS
    assert result.answer_labels() == [
        {"key": "apply_type", "question": "首次申请还是延续？", "value": "renewal", "answer": "延续"},
        {"key": "agent", "question": "本人办理还是委托代理人？", "value": "agent", "answer": "委托代理人"},
        {"key": "premises", "question": "经营场所是自有还是租赁？", "value": "none", "answer": "无固定场所"},
    ]


def test_unknown_answers_are_ignored(item: ServiceItem) -> None:
    result = applicable(item, {"agent": "robot", "nonsense": "x"})
    assert result.answers == {} and names(result) == MATERIALS


def test_item_without_questions_keeps_every_material(market_bureau: Organisation) -> None:
    plain = ServiceItemFactory(implementing_body=market_bureau, materials=["甲", "乙"])
    result = applicable(plain, {"agent": "agent"})
    assert not result.has_questions and result.complete
    assert names(result) == ["甲", "乙"]


def test_params_round_trip() -> None:
    assert answers_from_params({"s_agent": "agent", "q": "x", "s_": "", "s_premises": "own"}) == {
        "agent": "agent",
        "premises": "own",
    }


ANSWER_SETS = st.fixed_dictionaries(
    {},
    optional={
        "apply_type": st.sampled_from(["first", "renewal", "bogus"]),
        "agent": st.sampled_from(["self", "agent", ""]),
        "premises": st.sampled_from(["own", "rented", "none"]),
    },
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answers=ANSWER_SETS)
def test_every_answer_set_gives_a_consistent_list(item: ServiceItem, answers: dict[str, str]) -> None:
    result = applicable(item, answers)
    listed = names(result)
    assert listed == [name for name in MATERIALS if name in listed]  # item order, no duplicates
    assert set(listed) | {m.name for m in result.excluded_materials} == set(MATERIALS)
    assert not set(listed) & {m.name for m in result.excluded_materials}
    chosen = result.answers
    if chosen.get("apply_type") == "renewal":
        assert "设备布局文件" not in listed
    if chosen.get("premises") == "none":
        assert "经营场所使用证明" not in listed
    if result.complete:
        assert ("授权委托书及受托人身份证明" in listed) == (chosen["agent"] == "agent")
    else:
        assert "授权委托书及受托人身份证明" in listed  # nothing is ruled out before every answer
    assert {"申请书", "经营者身份证明"} <= set(listed)


def test_every_complete_path_has_a_fixed_count(item: ServiceItem) -> None:
    counts = {}
    for combo in itertools.product(["first", "renewal"], ["self", "agent"], ["own", "rented", "none"]):
        answers = dict(zip(["apply_type", "agent", "premises"], combo, strict=True))
        counts[combo] = len(applicable(item, answers).materials)
    assert counts[("first", "agent", "own")] == 5
    assert counts[("renewal", "self", "none")] == 2
    assert len(counts) == 12


def test_resolve_answers_requires_every_question(item: ServiceItem) -> None:
    with pytest.raises(DomainError) as exc:
        resolve_answers(item, {"agent": "agent", "premises": "nope", "extra": "1"})
    assert exc.value.code == CatalogErrorCode.SCENARIO_ANSWERS_INVALID
    assert set(exc.value.fields) == {"scenario.apply_type", "scenario.premises", "scenario.extra"}
    assert resolve_answers(item, {"apply_type": "first", "agent": "self", "premises": "own"}).complete


def test_definition_is_validated(market_bureau: Organisation) -> None:
    item = ServiceItemFactory(implementing_body=market_bureau, materials=["申请书"], status=ItemStatus.DRAFT)
    bad = [
        {
            "key": "Agent",
            "text": "x",
            "options": [{"value": "a", "label": "A", "adds_materials": ["不存在的材料"]}],
        },
        {
            "key": "q2",
            "text": "y",
            "options": [
                {"value": "a", "label": "A", "adds_materials": ["申请书"], "removes_materials": ["申请书"]},
                {"value": "a", "label": "B", "adds_conditions": ["未定义"]},
            ],
        },
    ]
    with pytest.raises(DomainError) as exc:
        define_scenarios(item, actor=None, questions=bad)
    assert exc.value.code == CatalogErrorCode.INVALID_SCENARIO
    assert "questions.0" in exc.value.fields
    assert any("既增加又去掉" in m for m in exc.value.fields["questions.1.options.0"])
    assert exc.value.fields["questions.1.options"] == ["选项标识重复"]
    assert not ScenarioQuestion.objects.filter(item=item).exists()


def test_definition_is_audited_and_replaces(item: ServiceItem) -> None:
    assert AuditEvent.objects.filter(action="catalog.scenarios.defined").count() == 1
    definition = scenario_definition(item)
    assert definition["conditions"] == CONDITIONS
    assert [q["key"] for q in definition["questions"]] == ["apply_type", "agent", "premises"]
    define_scenarios(item, actor=None, questions=definition["questions"][:1], conditions=CONDITIONS[:1])
    assert ScenarioQuestion.objects.filter(item=item).count() == 1


def test_only_managers_define_and_not_on_published_items(
    item: ServiceItem, clerk, manager, wuhu_manager
) -> None:  # type: ignore[no-untyped-def]
    for actor in (clerk, wuhu_manager):
        with pytest.raises(DomainError) as exc:
            define_scenarios(item, actor=actor, questions=[])
        assert exc.value.status == 403
    with pytest.raises(DomainError) as exc:
        define_scenarios(item, actor=manager, questions=[])
    assert exc.value.code == CatalogErrorCode.ITEM_NOT_EDITABLE


def test_guide_query_count_is_fixed(item: ServiceItem, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    fresh = ServiceItem.objects.prefetch_related("materials").get(pk=item.pk)
    with django_assert_max_num_queries(8):
        applicable(fresh, {"agent": "agent"})


# --- API -----------------------------------------------------------------------------------------
def test_api_scenarios_is_public(client, item: ServiceItem) -> None:  # type: ignore[no-untyped-def]
    url = f"/api/v1/catalog/items/{item.public_id}/scenarios"
    body = client.get(url, {"s_apply_type": "renewal", "s_agent": "agent", "s_premises": "own"}).json()
    assert body["complete"] is True
    assert [m["name"] for m in body["materials"]] == [
        "申请书",
        "经营者身份证明",
        "经营场所使用证明",
        "授权委托书及受托人身份证明",
    ]
    assert body["questions"][1]["param"] == "s_agent"
    assert client.get("/api/v1/catalog/items/not-a-uuid/scenarios").status_code == 404


def test_api_scenarios_of_a_draft_is_404(client, market_bureau: Organisation) -> None:  # type: ignore[no-untyped-def]
    draft = ServiceItemFactory(implementing_body=market_bureau, status=ItemStatus.DRAFT)
    response = client.get(f"/api/v1/catalog/items/{draft.public_id}/scenarios")
    assert response.status_code == 404
    assert response.json()["code"] == CatalogErrorCode.ITEM_NOT_FOUND
