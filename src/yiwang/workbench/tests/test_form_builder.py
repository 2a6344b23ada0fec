"""电子表单设计器: the builder page, saving through the catalogue (errors keyed by component → 4xx),
the preview by our own renderer, versions shown, and who may use it."""

from __future__ import annotations

import json
from typing import Any

import pytest
import time_machine
from pytest_django import DjangoAssertNumQueries

from yiwang.catalog.models import ItemStatus, ServiceItem
from yiwang.catalog.services import start_revision
from yiwang.core.models import AuditEvent
from yiwang.testing import licences as licence_factories
from yiwang.testing.catalog import ServiceItemFactory, login_verified, make_citizen
from yiwang.testing.clients import make_region_staff
from yiwang.testing.licences import FOOD_FIELDS
from yiwang.testing.shared_world import make_shared_world

pytestmark = [pytest.mark.django_db]

DEFINITION: dict[str, Any] = {
    "display": "form",
    "components": [
        {
            "type": "textfield",
            "key": "shopName",
            "label": "店名",
            "input": True,
            "validate": {"required": True},
        },
        {
            "type": "radio",
            "key": "hasBranch",
            "label": "有分店",
            "input": True,
            "values": [{"label": "是", "value": "yes"}, {"label": "否", "value": "no"}],
        },
        {
            "type": "textfield",
            "key": "branchName",
            "label": "分店名称",
            "input": True,
            "conditional": {"show": True, "when": "hasBranch", "eq": "yes"},
            "properties": {"prefill": "previous:"},
        },
    ],
}


@pytest.fixture
def draft() -> ServiceItem:
    item = ServiceItemFactory(status=ItemStatus.DRAFT, version=0)
    return item


@pytest.fixture
def manager(draft: ServiceItem) -> Any:
    return make_region_staff(draft.implementing_body, "fb_manager", ("service_manager",))


def _save(client: Any, item: ServiceItem, body: Any) -> Any:
    return client.post(
        f"/workbench/catalog/{item.public_id}/form/save/",
        data=json.dumps(body) if not isinstance(body, bytes) else body,
        content_type="application/json",
    )


def test_page_shows_builder_and_the_version(client, draft, manager):
    login_verified(client, manager)
    response = client.get(f"/workbench/catalog/{draft.public_id}/form/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="form-builder"' in page and "vendor/formio/formio.full.min.js" in page
    assert "草稿（尚未发布）" in page and 'id="builder-definition"' in page
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-eval" not in policy
    assert "style-src-attr 'unsafe-inline'" in policy
    edit = client.get(f"/workbench/catalog/{draft.public_id}/edit/").content.decode()
    assert f"/workbench/catalog/{draft.public_id}/form/" in edit and 'name="form_fields"' not in edit


def test_save_goes_through_the_catalogue(client, draft, manager):
    login_verified(client, manager)
    response = _save(client, draft, {"definition": DEFINITION})
    assert response.status_code == 200, response.content
    assert response.json()["saved"] is True
    draft.refresh_from_db()
    assert [c["key"] for c in draft.form_definition["components"]] == ["shopName", "hasBranch", "branchName"]
    assert [f["name"] for f in draft.form_fields] == ["shopName", "hasBranch", "branchName"]  # derived
    assert AuditEvent.objects.filter(action="catalog.item.updated").exists()


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        {"definition": "x"},
        {"components": []},
        {
            "definition": {
                "components": [{"type": "textfield", "key": "a"}, {"type": "textfield", "key": "a"}]
            }
        },
        {"definition": {"components": [{"type": "htmlelement", "key": "x"}]}},
        {"definition": {"components": [{"type": "textfield", "key": "1bad"}]}},
        {
            "definition": {
                "components": [
                    {
                        "type": "textfield",
                        "key": "a",
                        "conditional": {"show": True, "when": "ghost", "eq": "1"},
                    }
                ]
            }
        },
    ],
)
def test_bad_definitions_answer_4xx_with_fields(client, draft, manager, body):
    login_verified(client, manager)
    response = _save(client, draft, body)
    assert 400 <= response.status_code < 500
    answer = response.json()
    assert answer["code"] and answer["message"] and answer["fields"]
    assert all(key.startswith("form_definition") for key in answer["fields"])


def test_preview_renders_with_our_renderer(client, draft, manager):
    login_verified(client, manager)
    url = f"/workbench/catalog/{draft.public_id}/form/preview/"
    response = client.post(url, {"definition": json.dumps(DEFINITION), "width": "mobile"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "form-preview-mobile" in page and "店名" in page and "field_shopName" in page
    bad = client.post(url, {"definition": json.dumps({"components": [{"type": "nope", "key": "x"}]})})
    assert bad.status_code == 400 and "alert" in bad.content.decode()
    draft.refresh_from_db()
    assert not (draft.form_definition or {}).get("components")  # a preview saves nothing


def test_published_item_is_not_edited_but_its_revision_is(client, manager, draft):
    draft.status = ItemStatus.PUBLISHED
    draft.version = 3
    draft.save(update_fields=["status", "version"])
    login_verified(client, manager)
    assert client.get(f"/workbench/catalog/{draft.public_id}/form/").status_code == 409
    assert _save(client, draft, {"definition": DEFINITION}).status_code == 409
    revision = start_revision(draft, manager)
    page = client.get(f"/workbench/catalog/{revision.public_id}/form/").content.decode()
    assert "第 3 版" in page


def test_only_managers_of_the_item_region(client, draft):
    citizen = make_citizen("fb_citizen")
    client.force_login(citizen)
    assert client.get(f"/workbench/catalog/{draft.public_id}/form/").status_code == 403
    assert _save(client, draft, {"definition": DEFINITION}).status_code == 403
    client.logout()
    assert client.get(f"/workbench/catalog/{draft.public_id}/form/").status_code == 302
    clerk = make_region_staff(draft.implementing_body, "fb_clerk", ("window_clerk",))
    login_verified(client, clerk)
    assert client.get(f"/workbench/catalog/{draft.public_id}/form/").status_code == 403
    assert _save(client, draft, {"definition": DEFINITION}).status_code == 403


# --- 预填来源 and 条件显示 as the edit dialog writes them ------------------------------------------------
def _page_sources(page: str) -> list[dict[str, str]]:
    marker = '<script id="builder-prefill-sources" type="application/json">'
    start = page.index(marker) + len(marker)
    return json.loads(page[start : page.index("</script>", start)])


@time_machine.travel("2031-03-02 10:00:00+08:00", tick=False)
def test_prefill_select_lists_the_bindings_the_server_accepts(
    client: Any, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    licence_type = licence_factories.make_type()
    shared = make_shared_world()
    item = shared.item
    ServiceItem.objects.filter(pk=item.pk).update(status=ItemStatus.DRAFT, version=0)
    manager = make_region_staff(item.implementing_body, "fb_prefill_manager", ("service_manager",))
    login_verified(client, manager)
    with django_assert_max_num_queries(40):
        response = client.get(f"/workbench/catalog/{item.public_id}/form/")
    assert response.status_code == 200
    values = [s["value"] for s in _page_sources(response.content.decode())]
    assert values[:4] == ["applicant:name", "applicant:id_number", "applicant:phone", "applicant:email"]
    assert "profile:credit_code" in values and "previous:" in values
    assert f"licence:{licence_type.code}:identifier" in values
    assert f"licence:{licence_type.code}:{FOOD_FIELDS[0]['name']}" in values
    code = shared.resource.code
    granted = {v.split(":", 1)[1] for v in values if v.startswith(f"{code}:")}
    assert granted == {"name", "household_region", "status", "birth_date"}  # the grant, not gender/id_number
    # every offered binding is accepted by the catalogue when saved
    components = [
        {
            "type": "textfield",
            "key": f"f{n}",
            "label": f"字段{n}",
            "input": True,
            "properties": {"prefill": value},
        }
        for n, value in enumerate(values)
    ]
    saved = _save(client, item, {"definition": {"display": "form", "components": components}})
    assert saved.status_code == 200, saved.content


def test_dialog_condition_and_prefill_are_stored_as_the_contract_says(client, draft, manager):
    login_verified(client, manager)
    sources = _page_sources(client.get(f"/workbench/catalog/{draft.public_id}/form/").content.decode())
    assert "licence:" not in "".join(s["value"] for s in sources)  # no licence types, no platform system
    components = [dict(c) for c in DEFINITION["components"]]
    components[0] = {**components[0], "properties": {"prefill": "applicant:name", "prefillLocked": "true"}}
    components[2] = {**components[2], "conditional": {"show": "true", "when": "hasBranch", "eq": "yes"}}
    response = _save(client, draft, {"definition": {"display": "form", "components": components}})
    assert response.status_code == 200, response.content
    draft.refresh_from_db()
    stored = {c["key"]: c for c in draft.form_definition["components"]}
    assert stored["shopName"]["properties"] == {"prefill": "applicant:name", "prefillLocked": "true"}
    assert stored["branchName"]["conditional"] == {"show": True, "when": "hasBranch", "eq": "yes"}
    hidden = {**components[2], "conditional": {"show": "false", "when": "hasBranch", "eq": "no"}}
    _save(client, draft, {"definition": {"components": [components[1], hidden]}})
    draft.refresh_from_db()
    assert draft.form_definition["components"][1]["conditional"]["show"] is False
    bad = {**components[0], "properties": {"prefill": "applicant:salary"}}
    answer = _save(client, draft, {"definition": {"components": [bad]}})
    assert answer.status_code == 400 and "form_definition.shopName.prefill" in answer.json()["fields"]
