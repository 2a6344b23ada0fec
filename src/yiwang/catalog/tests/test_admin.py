"""Admin: item list and change form with materials inline; actions go through the services."""

from __future__ import annotations

import pytest
from django.test import Client

from yiwang.accounts.models import User
from yiwang.catalog.models import ItemStatus
from yiwang.catalog.tests.factories import ServiceItemFactory
from yiwang.core.models import AuditEvent


@pytest.fixture
def superuser_client(client: Client, admin_user: User) -> Client:
    client.force_login(admin_user)
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
    client.force_login(manager)
    client.post(url, {"action": "publish_selected", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == ItemStatus.PUBLISHED and draft.version == 1
    assert AuditEvent.objects.filter(action="catalog.item.published", actor=manager).exists()


def test_non_staff_cannot_open_admin(client: Client, citizen: User) -> None:
    client.force_login(citizen)
    assert client.get("/admin/catalog/serviceitem/").status_code == 302
