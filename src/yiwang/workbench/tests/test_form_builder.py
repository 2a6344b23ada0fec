"""电子表单设计器: the builder page, saving through the catalogue (errors keyed by component → 4xx),
the preview by our own renderer, versions shown, and who may use it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from yiwang.catalog.models import ItemStatus, ServiceItem
from yiwang.catalog.services import start_revision
from yiwang.core.models import AuditEvent
from yiwang.testing.catalog import ServiceItemFactory, login_verified, make_citizen
from yiwang.testing.clients import make_region_staff

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
