"""loaddemo: idempotent, fast, and the content is valid (codes, limits, materials, accounts)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from yiwang.accounts.models import LegalPerson, NaturalPerson, StaffProfile, User
from yiwang.catalog.models import ItemStatus, ServiceItem
from yiwang.catalog.search import search_items
from yiwang.catalog.services import guide_snapshot
from yiwang.core.demo_accounts import DEMO_ACCOUNTS
from yiwang.core.identifiers import validate_credit_code, validate_id_number
from yiwang.core.models import AuditEvent, CalendarYear, Organisation, Region
from yiwang.demo.shared_items import ITEMS as SHARED_ITEMS
from yiwang.proactive.models import Rule, RuleStatus
from yiwang.space.models import StoredMaterial

pytestmark = pytest.mark.django_db

HAS_REGION_DATA = (settings.YIWANG_REGION_DATA_DIR / "cities.json").exists()


def loaddemo(*args: str) -> str:
    out = io.StringIO()
    call_command("loaddemo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo_loaded(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """One load for the module (rolled back at its end; each test runs in a savepoint of it): the
    tests read what it made, and the second run (idempotence) changes nothing anyway."""
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")),
        transaction.atomic(),
    ):
        output = loaddemo("--skip-regions")
        yield output
        transaction.set_rollback(True)


@pytest.fixture
def loaded(demo_loaded: str, db: None) -> str:
    return demo_loaded


def counts() -> dict[str, int]:
    return {
        "regions": Region.objects.count(),
        "organisations": Organisation.objects.count(),
        "items": ServiceItem.objects.count(),
        "users": User.objects.count(),
        "calendar": CalendarYear.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def test_second_run_changes_nothing_and_says_so(loaded: str) -> None:
    assert "Demo data loaded" in loaded
    before = counts()
    output = loaddemo("--skip-regions")
    assert counts() == before
    assert "Nothing changed" in output and "未作任何更改" in output
    assert "新增 0，未变 46" in output


def test_published_items_across_departments(loaded: str) -> None:
    items = ServiceItem.objects.filter(status=ItemStatus.PUBLISHED)
    assert items.count() >= 30
    assert items.values("implementing_body").distinct().count() >= 6
    assert Organisation.objects.filter(region__full_code="340100000000").count() >= 8
    assert not ServiceItem.objects.exclude(status=ItemStatus.PUBLISHED).exists()
    # 一证通办 (demo/shared_items.py): a few items get their shared-data materials in a revision
    assert set(items.exclude(name__in=SHARED_ITEMS).values_list("version", flat=True)) == {1}
    assert set(items.filter(name__in=SHARED_ITEMS).values_list("version", flat=True)) == {2}


def test_codes_and_limits_are_valid(loaded: str) -> None:
    for organisation in Organisation.objects.all():
        assert validate_credit_code(organisation.credit_code).normalized == organisation.credit_code
        assert organisation.credit_code[2:8] == "340100"
    for item in ServiceItem.objects.select_related("implementing_body"):
        code = item.implementation_code
        assert len(code) == 31, item.name
        assert code[:18] == item.implementing_body.credit_code
        assert code[18] == item.exercise_level == "3"
        assert code[19:] == item.base_code.rjust(12, "0")
        assert item.committed_limit_days <= item.statutory_limit_days, item.name
        assert item.legal_basis and item.conditions and item.process_description and item.result_name
        assert not item.fee_required or item.fee_basis, item.name
        assert item.visits_required in (0, 1)


def test_guides_are_complete_and_searchable(loaded: str) -> None:
    for item in ServiceItem.objects.select_related("implementing_body", "region").prefetch_related(
        "materials"
    ):
        guide = guide_snapshot(item)
        json.dumps(guide, ensure_ascii=False)
        assert 2 <= len(guide["materials"]) <= 6, item.name
        assert 2 <= len(guide["form_fields"]) <= 5, item.name
        assert all(field["name"] and field["label"] for field in guide["form_fields"])
        found, _ = search_items(item.name)
        assert found[0] == item, item.name
    assert ServiceItem.objects.filter(case_kind="1").exists()
    assert ServiceItem.objects.filter(required_assurance_level=2).exists()
    assert ServiceItem.objects.filter(fee_required=True).count() >= 2
    assert search_items("我想办理营业执照")[1] >= 2
    assert search_items("低保")[0][0].name == "最低生活保障申请"
    assert search_items("gtgsh")[0][0].name == "个体工商户设立登记"


def test_demo_accounts(loaded: str) -> None:
    for account in DEMO_ACCOUNTS:
        user = User.objects.get(username=account.username)
        assert user.check_password(account.password)
        assert user.kind == account.kind
    citizen = NaturalPerson.objects.get(user__username="citizen")
    info = validate_id_number(citizen.id_number)
    assert citizen.real_name == "张伟" and citizen.id_number.startswith("34010419900512")
    assert info.normalized == citizen.id_number
    assert citizen.user.phone == "13800000001" and citizen.user.assurance_level == 2
    company = LegalPerson.objects.get(user__username="company")
    assert company.name == "合肥徽创科技有限公司" and company.legal_representative == citizen
    assert company.credit_code.startswith("91340100")
    validate_credit_code(company.credit_code)

    def staff(username: str) -> tuple[str, set[str]]:
        profile = StaffProfile.objects.get(user__username=username)
        return profile.organisation.name, {role.role for role in profile.roles.all()}

    assert staff("clerk") == ("合肥市市场监督管理局", {"window_clerk"})
    assert staff("approver") == ("合肥市市场监督管理局", {"handler", "approver"})
    assert staff("manager") == ("合肥市数据资源局", {"service_manager"})
    assert staff("clerk_ps") == ("合肥市公安局", {"window_clerk"})
    assert staff("approver_ps") == ("合肥市公安局", {"handler", "approver"})
    assert staff("clerk_ca") == ("合肥市民政局", {"window_clerk"})
    assert staff("approver_ca") == ("合肥市民政局", {"handler", "approver"})
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff and staff("admin")[1] == {"admin"}


def test_calendar_is_seeded(loaded: str) -> None:
    assert set(CalendarYear.objects.values_list("year", flat=True)) >= set(range(2020, 2026))
    # A year not announced yet is counted provisionally by the platform, never stored as official.
    assert not CalendarYear.objects.filter(source="demo-provisional").exists()


def test_items_derive_from_base_items_and_are_consistent(loaded: str) -> None:
    from yiwang.catalog.consistency import consistency_report
    from yiwang.catalog.models import BaseItem, ServiceItemVersion
    from yiwang.catalog.quality import quality_issues

    assert not ServiceItem.objects.filter(base_item__isnull=True).exists()
    assert BaseItem.objects.count() == ServiceItem.objects.values("base_code").distinct().count()
    assert consistency_report() == []
    published = ServiceItem.objects.filter(status=ItemStatus.PUBLISHED).count()
    assert ServiceItemVersion.objects.count() == published + len(SHARED_ITEMS)  # 一证通办: a 2nd version
    assert not [issue for issue in quality_issues() if issue.kind in ("invalid_code", "legal_basis_link")]
    assert User.objects.filter(username="manager2", staff_profile__roles__role="service_manager").exists()


def test_food_licence_item_yields_its_licence(loaded: str) -> None:
    """办结出证: the demo 食品经营许可 items name the 食品经营许可证 type, and a case's form maps onto
    valid licence data."""
    from types import SimpleNamespace

    from django.utils import timezone

    from yiwang.cases.licence_issuing import case_licence_data
    from yiwang.licences import services as licence_services
    from yiwang.licences.models import LicenceType

    items = ServiceItem.objects.filter(base_code="000117001000")
    assert items.exists()
    for item in items:
        licence_type = licence_services.licence_type_for_item(item)
        assert licence_type is not None and licence_type.name == "食品经营许可证"
    individual = ServiceItem.objects.filter(base_code="000107001000")  # 个体工商户设立登记: 营业执照
    assert all(licence_services.licence_type_for_item(i).name == "营业执照" for i in individual)  # type: ignore[union-attr]
    licence_type = LicenceType.objects.get(name="食品经营许可证")
    case = SimpleNamespace(
        number="C-1",
        item=items.first(),
        applicant_name="合肥徽味餐饮有限公司",
        applicant_id=None,  # no account: 法定代表人 falls back to the applicant's name
        handling_organisation=items.first().implementing_body,  # type: ignore[union-attr]
        completed_at=timezone.now(),
        form_data={
            "shop_name": "徽味小馆",
            "business_address": "合肥市蜀山区长江西路 1 号",
            "business_category": "餐饮服务经营者",
            "business_items": "热食类食品制售",
        },
    )
    data = licence_services.validate_data(licence_type, case_licence_data(licence_type, case))
    assert data["address"] == "合肥市蜀山区长江西路 1 号"
    assert data["category"] == "餐饮服务经营者"
    assert data["items"] == "热食类食品制售"
    assert data["number"] == "C-1"


def test_demo_citizen_has_a_material_store_and_rules_are_active(loaded: str) -> None:
    """材料库 and 主动服务 in the demo: the citizen's stored 居民户口簿 is tied to the catalogue material the
    apply page offers it for, and the demo rules are active (loaded once, not again on the second run)."""
    citizen = User.objects.get(username="citizen")
    stored = StoredMaterial.objects.filter(owner=citizen, deleted_at__isnull=True)
    assert {"居民户口簿", "居民身份证复印件", "学历证书"} <= set(stored.values_list("name", flat=True))
    assert stored.get(name="居民户口簿").material is not None
    assert Rule.objects.filter(status=RuleStatus.ACTIVE).count() >= 3
