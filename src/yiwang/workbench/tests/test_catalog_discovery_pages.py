"""Workbench pages of the discovery work: search synonyms and catalogue import/export (managers only)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from yiwang.catalog.models import ServiceItem, Synonym
from yiwang.testing.fixtures import logged_in
from yiwang.testing.portal import make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client(department):  # type: ignore[no-untyped-def]
    return logged_in(make_staff(department, "catalog_manager", ["service_manager"]))


PAGES = [
    ("get", "workbench:catalog_synonyms", {}),
    ("get", "workbench:catalog_io", {}),
    ("get", "workbench:catalog_export", {"fmt": "json"}),
]


@pytest.mark.parametrize(("method", "name", "kwargs"), PAGES)
def test_only_service_managers(client, clerk_client, citizen_client, method, name, kwargs) -> None:  # type: ignore[no-untyped-def]
    url = reverse(name, kwargs=kwargs)
    assert client.get(url).status_code == 302  # to the workbench login
    assert clerk_client.get(url).status_code in (302, 403)  # 403, or first the staff second factor
    assert citizen_client.get(url).status_code in (302, 403)


def test_synonym_delete_needs_a_manager(clerk_client) -> None:  # type: ignore[no-untyped-def]
    synonym = Synonym.objects.get(term="低保")
    response = clerk_client.post(reverse("workbench:catalog_synonym_delete", args=[synonym.public_id]))
    assert response.status_code in (302, 403) and Synonym.objects.filter(pk=synonym.pk).exists()


def test_manager_adds_edits_and_deletes_a_synonym(manager_client) -> None:  # type: ignore[no-untyped-def]
    url = reverse("workbench:catalog_synonyms")
    page = manager_client.get(url)
    assert page.status_code == 200 and "最低生活保障" in page.content.decode()
    bad = manager_client.post(url, {"term": "", "equivalents": ""})
    assert bad.status_code == 400 and "请至少填写一个同义词" in bad.content.decode()
    response = manager_client.post(
        url, {"term": "开饭店", "equivalents": "食品经营许可 餐饮", "is_active": "1"}
    )
    assert response.status_code == 302
    synonym = Synonym.objects.get(term="开饭店")
    assert synonym.equivalents == ["食品经营许可", "餐饮"] and synonym.is_active
    edit = reverse("workbench:catalog_synonym_edit", args=[synonym.public_id])
    assert manager_client.get(edit).status_code == 200
    manager_client.post(edit, {"term": "开饭店", "equivalents": "食品经营许可"})
    synonym.refresh_from_db()
    assert synonym.equivalents == ["食品经营许可"] and not synonym.is_active
    manager_client.post(reverse("workbench:catalog_synonym_delete", args=[synonym.public_id]))
    assert not Synonym.objects.filter(term="开饭店").exists()


def test_export_and_import_pages(manager_client, item) -> None:  # type: ignore[no-untyped-def]
    xlsx = manager_client.get(reverse("workbench:catalog_export", args=["xlsx"]))
    assert xlsx.status_code == 200 and "attachment" in xlsx["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(xlsx.content))
    assert workbook["事项"]["A2"].value == item.name
    body = json.loads(manager_client.get(reverse("workbench:catalog_export", args=["json"])).content)
    assert body["items"][0]["事项名称"] == item.name
    assert manager_client.get(reverse("workbench:catalog_export", args=["csv"])).status_code == 400
    url = reverse("workbench:catalog_io")
    ok = manager_client.post(url, {"file": SimpleUploadedFile("catalog.xlsx", xlsx.content)})
    assert ok.status_code == 302
    assert ServiceItem.objects.filter(revision_of=item).exists()
    body["items"][0]["承诺办结时限"] = 999
    bad = manager_client.post(
        url, {"file": SimpleUploadedFile("bad.json", json.dumps(body, ensure_ascii=False).encode())}
    )
    html = bad.content.decode()
    assert bad.status_code == 400 and "第 1 行 承诺办结时限：不能大于法定办结时限" in html
    wrong = manager_client.post(url, {"file": SimpleUploadedFile("x.txt", b"hello")})
    assert wrong.status_code == 400
