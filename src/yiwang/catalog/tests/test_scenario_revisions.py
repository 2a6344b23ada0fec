"""情形引导 as versioned item content: copied into a revision draft, edited there (service and
workbench page), shown in the field-level diff, published onto the item; versions and cases keep theirs."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from django.test import Client

from yiwang.accounts.models import User
from yiwang.cases.services import submit_application
from yiwang.catalog import services
from yiwang.catalog.errors import CatalogErrorCode
from yiwang.catalog.models import (
    ItemStatus,
    ScenarioOption,
    ScenarioQuestion,
    ServiceItem,
    ServiceItemVersion,
)
from yiwang.catalog.models.versions import ImmutableVersionError
from yiwang.catalog.scenarios import applicable, define_scenarios, scenario_definition
from yiwang.catalog.tests.factories import ServiceItemFactory, login_verified
from yiwang.core.errors import DomainError
from yiwang.core.models import Organisation
from yiwang.testing.cases import make_citizen as make_applicant

pytestmark = pytest.mark.django_db

W = "/workbench/catalog"
MATERIALS = ["申请书", "经营场所使用证明", "授权委托书"]
CONDITIONS = ["代理人须具有完全民事行为能力"]
QUESTIONS: list[dict[str, Any]] = [
    {
        "key": "agent",
        "text": "本人办理还是委托代理人？",
        "options": [
            {"value": "self", "label": "本人办理"},
            {
                "value": "agent",
                "label": "委托代理人",
                "adds_materials": ["授权委托书"],
                "adds_conditions": CONDITIONS,
            },
        ],
    }
]


@pytest.fixture
def item(market_bureau: Organisation) -> ServiceItem:
    item = ServiceItemFactory(name="食品经营许可", implementing_body=market_bureau, materials=MATERIALS)
    define_scenarios(item, actor=None, questions=QUESTIONS, conditions=CONDITIONS)
    return ServiceItem.objects.get(pk=item.pk)


@pytest.fixture
def revision(item: ServiceItem, manager: User) -> ServiceItem:
    return services.start_revision(item, manager)


def edited_questions() -> list[dict[str, Any]]:
    questions = copy.deepcopy(QUESTIONS)
    questions[0]["text"] = "由谁办理？"
    questions[0]["options"][1]["adds_materials"] = ["授权委托书", "经营场所使用证明"]
    questions.append(
        {
            "key": "premises",
            "text": "有无固定经营场所？",
            "options": [
                {"value": "yes", "label": "有"},
                {"value": "no", "label": "无", "removes_materials": ["经营场所使用证明"]},
            ],
        }
    )
    return questions


def publish(revision: ServiceItem, manager: User, manager2: User) -> ServiceItem:
    services.submit_item(revision, manager)
    services.review_item(revision, manager2, approve=True)
    return services.publish_item(revision, manager)


def test_revision_copies_the_scenarios_onto_its_own_materials(
    item: ServiceItem, revision: ServiceItem
) -> None:
    assert scenario_definition(revision) == scenario_definition(item)
    option = ScenarioOption.objects.get(question__item=revision, value="agent")
    assert {m.item_id for m in option.adds_materials.all()} == {revision.pk}
    assert {c.item_id for c in option.adds_conditions.all()} == {revision.pk}
    assert ScenarioQuestion.objects.filter(item=item).count() == 1


def test_manager_edits_the_revision_and_the_published_item_is_untouched(
    item: ServiceItem, revision: ServiceItem, manager: User
) -> None:
    before = scenario_definition(item)
    define_scenarios(revision, actor=manager, questions=edited_questions(), conditions=CONDITIONS)
    assert [q["key"] for q in scenario_definition(revision)["questions"]] == ["agent", "premises"]
    assert scenario_definition(ServiceItem.objects.get(pk=item.pk)) == before
    with pytest.raises(DomainError) as refused:
        define_scenarios(item, actor=manager, questions=edited_questions(), conditions=CONDITIONS)
    assert refused.value.code == CatalogErrorCode.ITEM_NOT_EDITABLE


def test_scenarios_under_review_are_frozen(revision: ServiceItem, manager: User) -> None:
    services.submit_item(revision, manager)
    with pytest.raises(DomainError) as refused:
        define_scenarios(revision, actor=manager, questions=[], conditions=[])
    assert refused.value.code == CatalogErrorCode.ITEM_NOT_EDITABLE


def test_diff_shows_scenario_changes(revision: ServiceItem, manager: User) -> None:
    define_scenarios(
        revision,
        actor=manager,
        questions=edited_questions(),
        conditions=[*CONDITIONS, "延续申请应在届满前提出"],
    )
    rows = {row.field: row for row in services.diff_with_published(revision)}
    assert rows["scenarios.agent.text"].old == "本人办理还是委托代理人？"
    assert rows["scenarios.agent.text"].new == "由谁办理？"
    materials_row = rows["scenarios.agent.agent.adds_materials"]
    assert materials_row.old == "授权委托书" and "经营场所使用证明" in materials_row.new
    assert (
        rows["scenarios.premises"].change == "added" and "有无固定经营场所" in rows["scenarios.premises"].new
    )
    assert rows["scenarios.conditions.延续申请应在届满前提出"].change == "added"
    assert all(row.field.startswith("scenarios") for row in rows.values())


def test_publishing_replaces_the_scenarios_and_versions_stay_immutable(
    item: ServiceItem, revision: ServiceItem, manager: User, manager2: User
) -> None:
    old_definition = scenario_definition(item)
    revision_pk = revision.pk
    define_scenarios(revision, actor=manager, questions=edited_questions(), conditions=CONDITIONS)
    published = publish(revision, manager, manager2)

    assert published.pk == item.pk and published.version == 2
    fresh = ServiceItem.objects.get(pk=item.pk)
    definition = scenario_definition(fresh)
    assert [q["text"] for q in definition["questions"]] == ["由谁办理？", "有无固定经营场所？"]
    # Options point to the published item's own materials (the revision row is gone).
    assert not ServiceItem.objects.filter(pk=revision_pk).exists()
    assert not ScenarioQuestion.objects.filter(item_id=revision_pk).exists()
    option = ScenarioOption.objects.get(question__item=fresh, value="no")
    assert [m.item_id for m in option.removes_materials.all()] == [fresh.pk]
    assert [m.name for m in applicable(fresh, {"agent": "self", "premises": "no"}).materials] == ["申请书"]

    v1 = ServiceItemVersion.objects.get(item=fresh, version=1)
    v2 = ServiceItemVersion.objects.get(item=fresh, version=2)
    assert v1.snapshot["scenarios"] == old_definition
    assert v2.snapshot["scenarios"] == definition
    assert any(row.field == "scenarios.premises" for row in services.diff_versions(fresh, 1, 2))
    v1.snapshot["scenarios"] = {}
    with pytest.raises(ImmutableVersionError):
        v1.save()


def test_cases_keep_the_scenarios_of_their_version(
    item: ServiceItem, revision: ServiceItem, manager: User, manager2: User
) -> None:
    applicant = make_applicant("scenario_applicant")
    materials = {m.name: m for m in item.materials.all()}
    from yiwang.testing.cases import pdf_upload

    case = submit_application(
        applicant=applicant,
        item=item,
        form_data={},
        files={
            str(materials[name].public_id): [pdf_upload()]
            for name in ("申请书", "经营场所使用证明", "授权委托书")
        },
        scenario_answers={"agent": "agent"},
    )
    define_scenarios(revision, actor=manager, questions=edited_questions(), conditions=CONDITIONS)
    publish(revision, manager, manager2)
    case.refresh_from_db()
    assert case.item_version == 1
    assert case.item_snapshot["scenarios"]["questions"][0]["text"] == "本人办理还是委托代理人？"
    assert case.scenario_answers == [
        {"key": "agent", "question": "本人办理还是委托代理人？", "value": "agent", "answer": "委托代理人"}
    ]


# --- the workbench edit page ---------------------------------------------------------------------
def scenario_post(questions: list[dict[str, Any]], conditions: list[str]) -> dict[str, Any]:
    data: dict[str, Any] = {"scenario-conditions": "\n".join(conditions), "q-count": len(questions)}
    for i, question in enumerate(questions):
        data[f"q-{i}-key"] = question["key"]
        data[f"q-{i}-text"] = question["text"]
        data[f"q-{i}-option-count"] = len(question["options"]) + 1  # plus a blank row
        for j, option in enumerate(question["options"]):
            data[f"q-{i}-o-{j}-value"] = option["value"]
            data[f"q-{i}-o-{j}-label"] = option["label"]
            for name in ("adds_materials", "removes_materials", "adds_conditions", "removes_conditions"):
                if option.get(name):
                    data[f"q-{i}-o-{j}-{name}"] = option[name]
    return data


def test_edit_page_shows_and_saves_the_revision_scenarios(revision: ServiceItem, manager: User) -> None:
    client = login_verified(Client(), manager)
    page = client.get(f"{W}/{revision.public_id}/edit/").content.decode()
    assert 'id="scenario-form"' in page and "本人办理还是委托代理人？" in page
    assert 'name="q-0-o-1-adds_materials" value="授权委托书" checked' in page

    response = client.post(
        f"{W}/{revision.public_id}/scenarios/", scenario_post(edited_questions(), CONDITIONS)
    )
    assert response.status_code == 302
    saved = scenario_definition(ServiceItem.objects.get(pk=revision.pk))
    assert [q["key"] for q in saved["questions"]] == ["agent", "premises"]
    assert saved["questions"][1]["options"][1]["removes_materials"] == ["经营场所使用证明"]
    compare = client.get(f"{W}/{revision.public_id}/compare/").content.decode()
    assert "有无固定经营场所？" in compare
    detail = client.get(f"{W}/{revision.public_id}/").content.decode()
    assert "由谁办理？" in detail and "有无固定经营场所？" in detail


def test_edit_page_reports_bad_scenarios(revision: ServiceItem, manager: User) -> None:
    client = login_verified(Client(), manager)
    bad = edited_questions()
    bad[1]["options"][1]["removes_materials"] = ["不存在的材料"]
    response = client.post(f"{W}/{revision.public_id}/scenarios/", scenario_post(bad, CONDITIONS))
    assert response.status_code == 400
    assert "情形引导设置不正确" in response.content.decode()
    assert [q["key"] for q in scenario_definition(revision)["questions"]] == ["agent"]


def test_scenario_endpoint_authorisation(
    item: ServiceItem, revision: ServiceItem, clerk: User, citizen: User, wuhu_manager: User, manager: User
) -> None:
    data = scenario_post(edited_questions(), CONDITIONS)
    for user in (clerk, citizen, wuhu_manager):
        assert login_verified(Client(), user).post(
            f"{W}/{revision.public_id}/scenarios/", data
        ).status_code in (
            403,
            404,
        )
    assert Client().post(f"{W}/{revision.public_id}/scenarios/", data).status_code == 302  # to login
    published = login_verified(Client(), manager).post(f"{W}/{item.public_id}/scenarios/", data)
    assert published.status_code == 409
    assert login_verified(Client(), manager).get(f"{W}/{revision.public_id}/scenarios/").status_code == 405
    assert [q["key"] for q in scenario_definition(revision)["questions"]] == ["agent"]
    assert ServiceItem.objects.get(pk=item.pk).status == ItemStatus.PUBLISHED


def test_manage_api_edits_the_revision_scenarios(
    item: ServiceItem, revision: ServiceItem, manager: User
) -> None:
    client = login_verified(Client(), manager)
    url = f"/api/v1/catalog/manage/items/{revision.public_id}/scenarios"
    assert client.get(url).json() == scenario_definition(item)
    response = client.put(
        url, {"conditions": CONDITIONS, "questions": edited_questions()}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert [q["key"] for q in response.json()["questions"]] == ["agent", "premises"]
    bad = client.put(
        url,
        {"conditions": [], "questions": [{"key": "Bad Key", "text": "x", "options": []}]},
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["code"] == CatalogErrorCode.INVALID_SCENARIO
    frozen = client.put(
        f"/api/v1/catalog/manage/items/{item.public_id}/scenarios",
        {"conditions": [], "questions": []},
        content_type="application/json",
    )
    assert frozen.status_code == 409
    diff = client.get(f"/api/v1/catalog/manage/items/{revision.public_id}/diff").json()
    assert any(row["field"] == "scenarios.premises" for row in diff["rows"])
