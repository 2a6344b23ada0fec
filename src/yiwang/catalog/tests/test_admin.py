"""Admin: item list and change form with materials inline; actions go through the services."""

from __future__ import annotations

import pytest
from django.test import Client

from yiwang.accounts.models import User
from yiwang.catalog.models import ItemStatus
from yiwang.catalog.tests.factories import ServiceItemFactory, login_verified
from yiwang.core.models import AuditEvent


@pytest.fixture
def superuser_client(client: Client, admin_user: User) -> Client:
    login_verified(client, admin_user)
    return client


def test_changelist_and_change_form(superuser_client: Client, db: None) -> None:
    item = ServiceItemFactory(name="结婚登记", materials=["居民身份证", "合影照片"])
    response = superuser_client.get("/admin/catalog/serviceitem/")
    assert response.status_code == 200 and "结婚登记" in response.content.decode()
    response = superuser_client.get(f"/admin/catalog/serviceitem/{item.pk}/change/")
    assert response.status_code == 200
    assert "合影照片" in response.content.decode()  # materials inline (read-only while published)


def test_admin_actions_use_services(superuser_client: Client, manager: User, db: None) -> None:
    draft = ServiceItemFactory(status=ItemStatus.DRAFT, version=0)
    url = "/admin/catalog/serviceitem/"
    # the superuser is a system administrator, not a 事项管理员: separation of duties refuses it
    superuser_client.post(url, {"action": "publish_selected", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == ItemStatus.DRAFT

    manager.is_staff = True
    manager.is_superuser = True
    manager.save()
    client = Client()
    login_verified(client, manager)
    draft.status = ItemStatus.APPROVED  # reviewed by another manager (see test_versions)
    draft.save(update_fields=["status"])
    client.post(url, {"action": "publish_selected", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == ItemStatus.PUBLISHED and draft.version == 1
    assert AuditEvent.objects.filter(action="catalog.item.published", actor=manager).exists()


def test_non_staff_cannot_open_admin(client: Client, citizen: User) -> None:
    client.force_login(citizen)
    assert client.get("/admin/catalog/serviceitem/").status_code == 302


def test_saving_a_draft_derives_code_and_search_fields(superuser_client: Client, db: None) -> None:
    draft = ServiceItemFactory(name="旧名称", status=ItemStatus.DRAFT, version=0, materials=["申请书"])
    material = draft.materials.get()
    data = {
        "name": "护士执业注册",
        "base_code": "abc123",
        "item_type": "01",
        "exercise_level": "3",
        "implementing_body": draft.implementing_body_id,
        "region": draft.region_id,
        "legal_basis": "《护士条例》第七条、第八条",
        "conditions": "通过护士执业资格考试",
        "process_description": "申请—审核—注册",
        "statutory_limit_days": 20,
        "committed_limit_days": 5,
        "visits_required": 0,
        "handling_forms": '["2"]',
        "online_depth": '["1", "2"]',
        "service_objects": '["1"]',
        "case_kind": "2",
        "required_assurance_level": 1,
        "form_fields": "[]",
        "faq": "[]",
        "special_procedures": "[]",
        "tongban_range": "9",
        "materials-TOTAL_FORMS": 1,
        "materials-INITIAL_FORMS": 1,
        "materials-MIN_NUM_FORMS": 0,
        "materials-MAX_NUM_FORMS": 1000,
        "materials-0-id": material.pk,
        "materials-0-item": draft.pk,
        "materials-0-order": 1,
        "materials-0-name": "护士执业注册申请审核表",
        "materials-0-mandatory": "on",
        "materials-0-originals": 1,
        "materials-0-copies": 0,
        "materials-0-material_form": "electronic",
    }
    response = superuser_client.post(f"/admin/catalog/serviceitem/{draft.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    draft.refresh_from_db()
    assert draft.base_code == "ABC123"
    assert draft.implementation_code == f"{draft.implementing_body.credit_code}3000000ABC123"
    assert "hushizhiyezhuce" in draft.search_text and "护士执业注册申请审核表" in draft.search_text
    assert AuditEvent.objects.filter(action="catalog.item.admin_saved").exists()

    data["committed_limit_days"] = 30  # more than the statutory limit: refused by the model constraint
    response = superuser_client.post(f"/admin/catalog/serviceitem/{draft.pk}/change/", data)
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.committed_limit_days == 5
