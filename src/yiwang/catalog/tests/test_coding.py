"""事项编码: base and implementation codes, validation, the register of issued codes (never reused)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from hypothesis import given
from hypothesis import strategies as st

from yiwang.accounts.models import User
from yiwang.catalog import coding, services
from yiwang.catalog.errors import CatalogErrorCode
from yiwang.catalog.models import BaseItem, CodeKind, IssuedCode, ItemStatus, ServiceItem
from yiwang.catalog.tests.factories import BaseItemFactory, ServiceItemFactory
from yiwang.core.errors import DomainError
from yiwang.core.identifiers import CREDIT_CODE_ALPHABET, make_credit_code
from yiwang.core.models import Organisation

CREDIT = make_credit_code("1", "1", "340100", "00302001")
BASE_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

credit_codes = st.builds(
    make_credit_code,
    st.sampled_from("123456789"),
    st.sampled_from("123"),
    st.sampled_from(["110000", "340100", "340104", "440524", "650102"]),
    st.text(alphabet=CREDIT_CODE_ALPHABET, min_size=8, max_size=8),
)
base_codes = st.text(alphabet=BASE_ALPHABET, min_size=1, max_size=12)
levels = st.sampled_from("1234567")


@given(credit=credit_codes, level=levels, base=base_codes)
def test_implementation_code_round_trip(credit: str, level: str, base: str) -> None:
    code = coding.make_implementation_code(credit, level, base)
    assert len(code) == 31
    parts = coding.parse_implementation_code(code)
    assert parts.credit_code == credit and parts.level == level
    assert parts.padded_base_code == base.rjust(12, "0") == coding.padded_base_code(base)
    assert coding.implementation_code_matches(code, credit, level, base)


@given(base=base_codes)
def test_variants_pad_to_the_same_code(base: str) -> None:
    variants = coding.base_code_variants(base)
    assert {coding.padded_base_code(v) for v in variants} == {coding.padded_base_code(base)}
    assert base in variants or (base.lstrip("0") == "" and set(base) == {"0"})


@given(text=st.text(max_size=20))
def test_base_code_charset(text: str) -> None:
    stripped = text.strip().upper()
    valid = 1 <= len(stripped) <= 12 and all(ch in BASE_ALPHABET for ch in stripped)
    if valid:
        assert coding.normalise_base_code(text) == stripped
    else:
        with pytest.raises(DomainError) as exc:
            coding.normalise_base_code(text)
        assert exc.value.code == CatalogErrorCode.INVALID_BASE_CODE


@given(credit=credit_codes, position=st.integers(0, 17), replacement=st.sampled_from(CREDIT_CODE_ALPHABET))
def test_a_mistyped_credit_code_is_refused(credit: str, position: int, replacement: str) -> None:
    broken = credit[:position] + replacement + credit[position + 1 :]
    if broken == credit:
        return
    with pytest.raises(DomainError) as exc:
        coding.make_implementation_code(broken, "3", "117001")
    assert exc.value.code == CatalogErrorCode.INVALID_CREDIT_CODE


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("", "31"),
        (f"{CREDIT}3000000117001X", "31"),
        (f"{CREDIT[:-1]}0" + "3000000117001", "校验"),
        (f"{CREDIT}8000000117001", "层级"),
        (f"{CREDIT}30000001170-1", "基本编码"),
    ],
)
def test_parse_rejects(code: str, problem: str) -> None:
    with pytest.raises(DomainError) as exc:
        coding.parse_implementation_code(code)
    assert exc.value.code == CatalogErrorCode.INVALID_IMPLEMENTATION_CODE
    assert problem in exc.value.message + str(exc.value.fields)


def test_base_codes_are_registered_and_never_reused(db: None) -> None:
    base = services.create_base_item(
        actor=None,
        code="117001",
        name="食品经营许可",
        item_type="01",
        legal_basis="《食品安全法》",
        exercise_level="7",
    )
    assert IssuedCode.objects.get(kind=CodeKind.BASE).code == "000000117001"
    for code in ("117001", "0117001", "000000117001"):
        with pytest.raises(DomainError) as exc:
            services.create_base_item(
                actor=None, code=code, name="x", item_type="01", legal_basis="y", exercise_level="7"
            )
        assert exc.value.code == CatalogErrorCode.CODE_ALREADY_USED
    # even once the base item is gone, its code stays taken
    BaseItem.objects.filter(pk=base.pk).delete()
    with pytest.raises(DomainError) as exc:
        services.create_base_item(
            actor=None, code="117001", name="x", item_type="01", legal_basis="y", exercise_level="7"
        )
    assert exc.value.code == CatalogErrorCode.CODE_ALREADY_USED


def test_implementation_codes_are_registered_on_publication(market_bureau: Organisation) -> None:
    item = ServiceItemFactory(
        implementing_body=market_bureau, base_code="117001", status=ItemStatus.DRAFT, version=0
    )
    services.publish_item(item, None)
    code = item.implementation_code
    assert coding.code_owner(CodeKind.IMPLEMENTATION, code) == item.public_id
    services.withdraw_item(item, None)
    # withdrawn, the code stays its own: nobody else may take it ...
    with pytest.raises(DomainError) as exc:
        coding.ensure_code_available(CodeKind.IMPLEMENTATION, code, BaseItemFactory().public_id)
    assert exc.value.code == CatalogErrorCode.CODE_ALREADY_USED and exc.value.status == 409
    # ... even if its row were gone (a new draft with the same parts is refused by the register)
    ServiceItem.objects.filter(pk=item.pk).update(implementation_code="0" * 31)
    with pytest.raises(DomainError) as exc:
        services.create_item(
            actor=None,
            implementing_body=market_bureau,
            base_item=item.base_item,
            exercise_level="3",
            statutory_limit_days=20,
            committed_limit_days=5,
        )
    assert exc.value.code == CatalogErrorCode.CODE_ALREADY_USED
    # the item itself may be published again under its own code
    ServiceItem.objects.filter(pk=item.pk).update(implementation_code=code)
    item.refresh_from_db()
    services.publish_item(item, None)
    assert item.status == ItemStatus.PUBLISHED and item.version == 2


def test_database_enforces_one_live_row_per_code(market_bureau: Organisation) -> None:
    item = ServiceItemFactory(implementing_body=market_bureau)
    copy = ServiceItem(
        name=item.name,
        base_code=item.base_code,
        implementation_code=item.implementation_code,
        item_type="01",
        exercise_level="3",
        implementing_body=market_bureau,
        region=item.region,
        legal_basis=item.legal_basis,
        statutory_limit_days=20,
        committed_limit_days=5,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()
    copy.revision_of = item  # a revision draft shares its item's code ...
    copy.save()
    second = ServiceItem(
        **{
            f.attname: getattr(copy, f.attname)
            for f in ServiceItem._meta.concrete_fields
            if f.name not in ("id", "public_id")
        }
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()  # ... but an item has at most one open revision


def test_register_refuses_another_owner(db: None) -> None:
    base = BaseItemFactory()
    coding.register_code(CodeKind.IMPLEMENTATION, "X" * 31, base.public_id)
    coding.register_code(CodeKind.IMPLEMENTATION, "X" * 31, base.public_id)  # idempotent
    with pytest.raises(DomainError):
        coding.register_code(CodeKind.IMPLEMENTATION, "X" * 31, BaseItemFactory().public_id)
    assert IssuedCode.objects.filter(code="X" * 31).count() == 1


def test_managers_need_a_base_item(market_bureau: Organisation, manager: User) -> None:
    with pytest.raises(DomainError) as exc:
        services.create_item(
            actor=manager,
            implementing_body=market_bureau,
            base_code="999999",
            name="无目录事项",
            item_type="01",
            legal_basis="x",
            exercise_level="3",
            statutory_limit_days=5,
            committed_limit_days=5,
        )
    assert exc.value.code == CatalogErrorCode.BASE_ITEM_REQUIRED
    base = BaseItemFactory(code="999999", name="有目录事项", legal_basis="《某法》")
    item = services.create_item(
        actor=manager,
        implementing_body=market_bureau,
        base_item=base,
        exercise_level="3",
        statutory_limit_days=5,
        committed_limit_days=5,
    )
    assert (item.name, item.base_code, item.legal_basis, item.base_item) == (
        "有目录事项",
        "999999",
        "《某法》",
        base,
    )


def test_data_migration_links_existing_items_to_base_items(market_bureau: Organisation) -> None:
    import importlib

    from django.apps import apps

    migration = importlib.import_module("yiwang.catalog.migrations.0003_base_items_from_existing")
    first = ServiceItemFactory(implementing_body=market_bureau, base_code="117001", name="食品经营许可")
    second = ServiceItemFactory(base_code="117001", name="食品经营许可（县级）")
    ServiceItem.objects.update(base_item=None)
    BaseItem.objects.all().delete()
    migration.forwards(apps, None)
    migration.forwards(apps, None)  # idempotent
    base = BaseItem.objects.get(code="117001")
    assert base.name == "食品经营许可"  # from the first item
    assert set(base.implementations.all()) == {first, second}
    assert IssuedCode.objects.filter(kind=CodeKind.BASE, code="000000117001").exists()
    assert IssuedCode.objects.filter(kind=CodeKind.IMPLEMENTATION, code=second.implementation_code).exists()
