"""基本目录 workbench pages: managers of the defining region define, edit and retire base items."""

from __future__ import annotations

import pytest
from django.test import Client

from yiwang.accounts.models import User
from yiwang.catalog.consistency import consistency_report
from yiwang.catalog.models import BaseItem, BaseItemStatus, ServiceItem
from yiwang.catalog.tests.factories import BaseItemFactory, ServiceItemFactory, login_verified
from yiwang.core.models import AuditEvent, Organisation, Region

W = "/workbench/catalog/base-items"


@pytest.fixture
def local_base(hefei: Region) -> BaseItem:
    return BaseItemFactory(code="117009", name="户外广告设置许可", defining_region=hefei)


def _form(**overrides: str) -> dict[str, str]:
    data = {
        "code": "117010",
        "name": "城市道路挖掘许可",
        "item_type": "01",
        "exercise_level": "3",
        "legal_basis": "《城市道路管理条例》第三十条",
        "legal_basis_url": "https://flk.npc.gov.cn/",
        "statutory_limit_days": "20",
    }
    data.update(overrides)
    return data


def test_manager_defines_a_base_item_at_his_region(manager: User, hefei: Region) -> None:
    client = login_verified(Client(), manager)
    assert client.get(f"{W}/").status_code == 200
    response = client.post(f"{W}/", _form())
    assert response.status_code == 302
    base = BaseItem.objects.get(name="城市道路挖掘许可")
    assert base.defining_region == hefei and base.statutory_limit_days == 20
    assert AuditEvent.objects.filter(action="catalog.base_item.created").exists()
    # the code is registered: defining it again is refused with the form kept
    again = client.post(f"{W}/", _form(name="另一个事项"))
    assert again.status_code == 409
    assert "另一个事项" in again.content.decode()


def test_bad_input_is_refused_field_by_field(manager: User) -> None:
    client = login_verified(Client(), manager)
    response = client.post(f"{W}/", _form(legal_basis="", statutory_limit_days="很多"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "statutory_limit_days" in html and "城市道路挖掘许可" in html
    assert not BaseItem.objects.filter(name="城市道路挖掘许可").exists()


def test_editing_a_base_item_surfaces_derived_items_in_the_consistency_report(
    manager: User, local_base: BaseItem, market_bureau: Organisation, hefei: Region
) -> None:
    item: ServiceItem = ServiceItemFactory(
        implementing_body=market_bureau,
        base_item=local_base,
        base_code=local_base.code,
        name=local_base.name,
        legal_basis=local_base.legal_basis,
    )
    client = login_verified(Client(), manager)
    page = client.get(f"{W}/{local_base.public_id}/")
    assert page.status_code == 200 and item.implementation_code in page.content.decode()
    data = _form(name="户外广告设施设置许可", legal_basis=local_base.legal_basis)
    data.pop("code")
    assert client.post(f"{W}/{local_base.public_id}/", data).status_code == 302
    local_base.refresh_from_db()
    assert local_base.name == "户外广告设施设置许可"
    report = consistency_report(hefei)
    assert item.implementation_code in {v.implementation_code for v in report}


def test_retire_keeps_the_code_and_blocks_edits(manager: User, local_base: BaseItem) -> None:
    client = login_verified(Client(), manager)
    assert client.post(f"{W}/{local_base.public_id}/retire/", {"reason": "法规废止"}).status_code == 302
    local_base.refresh_from_db()
    assert local_base.status == BaseItemStatus.RETIRED
    data = _form()
    data.pop("code")
    assert client.post(f"{W}/{local_base.public_id}/", data).status_code == 409
    assert client.post(f"{W}/", _form(code=local_base.code)).status_code == 409  # never reused


def test_managers_of_other_regions_and_other_staff_cannot_edit(
    wuhu_manager: User, clerk: User, local_base: BaseItem
) -> None:
    other = login_verified(Client(), wuhu_manager)
    assert other.get(f"{W}/{local_base.public_id}/").status_code == 403
    assert other.post(f"{W}/{local_base.public_id}/retire/").status_code == 403
    staff = login_verified(Client(), clerk)
    assert staff.get(f"{W}/").status_code == 403
    assert Client().get(f"{W}/").status_code == 302
    local_base.refresh_from_db()
    assert local_base.status == BaseItemStatus.ACTIVE
