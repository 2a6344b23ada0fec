"""Unified case numbers (办件编号): one daily serial per implementation code, gap-free, taken late in
the filing transaction; concurrent filings of one item get distinct consecutive numbers."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connection

from yiwang.accounts.models import User
from yiwang.cases import queues
from yiwang.cases.models import Case, CaseDelivery, CaseEvent
from yiwang.cases.services import next_case_number, submit_application
from yiwang.cases.tests.factories import ServiceItemFactory, submit_case
from yiwang.catalog.models import ServiceItem
from yiwang.core.errors import DomainError

pytestmark = pytest.mark.usefixtures("frozen_time")


@pytest.mark.django_db
def test_numbers_follow_the_documented_format_and_count_per_day(item: ServiceItem, citizen: User) -> None:
    first, second = submit_case(item, citizen), submit_case(item, citizen)
    prefix = f"{item.implementation_code}20260921"
    assert first.number == f"{prefix}0001" and second.number == f"{prefix}0002"
    assert len(first.number) == 43
    assert next_case_number(item, date(2026, 9, 22)) == f"{item.implementation_code}202609220001"
    other = ServiceItemFactory(implementing_body=item.implementing_body)
    assert submit_case(other, citizen).number.endswith("0001")
    # what the stored row says is what the applicant, the events and the audit trail see
    stored = Case.objects.get(pk=first.pk)
    assert stored.number == first.number and not stored.number.startswith("PENDING")


@pytest.mark.django_db
def test_a_refused_filing_uses_no_number(item: ServiceItem, citizen: User) -> None:
    from yiwang.cases.tests.factories import pdf_upload

    submit_case(item, citizen)
    files = {str(m.public_id): [pdf_upload()] for m in item.materials.filter(mandatory=True)}
    with pytest.raises(DomainError) as refused:
        submit_application(
            applicant=citizen,
            item=item,
            form_data={"shop_name": "小店"},
            files=files,
            record_delivery=True,
            delivery_method="courier",  # a courier without an address is refused
        )
    assert refused.value.code == "delivery_invalid" and "delivery_address" in refused.value.fields
    assert Case.objects.count() == 1 and not CaseDelivery.objects.exists()
    assert submit_case(item, citizen).number.endswith("0002")


@pytest.mark.django_db
def test_the_delivery_choice_is_filed_with_the_case(item: ServiceItem, citizen: User) -> None:
    from yiwang.cases.tests.factories import pdf_upload

    files = {str(m.public_id): [pdf_upload()] for m in item.materials.filter(mandatory=True)}
    case = submit_application(
        applicant=citizen,
        item=item,
        form_data={"shop_name": "小店"},
        files=files,
        record_delivery=True,
        delivery_method="courier",
        delivery_address="合肥市蜀山区长江西路 1 号",
        delivery_phone="13800000000",
    )
    delivery = CaseDelivery.objects.get(case=case)
    assert (delivery.method, delivery.address, delivery.recipient_phone) == (
        "courier",
        "合肥市蜀山区长江西路 1 号",
        "13800000000",
    )
    assert CaseEvent.objects.get(case=case).sequence == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_filings_of_one_item_get_consecutive_numbers(item: ServiceItem, citizen: User) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers (PostgreSQL)")
    filings = 6
    barrier = threading.Barrier(filings)
    numbers: list[str] = []
    errors: list[BaseException] = []

    def file_one() -> None:
        try:
            barrier.wait(timeout=10)
            numbers.append(submit_case(item, citizen).number)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=file_one) for _ in range(filings)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(n[-4:] for n in numbers) == [f"{i:04d}" for i in range(1, filings + 1)]
    # The department's queue counter took every filing exactly once.
    assert queues.drift() == [] and queues.total(item.implementing_body_id, {"submitted"}) == filings


@pytest.fixture
def caching(settings: object) -> object:
    from django.core.cache import cache

    settings.YIWANG_CATALOG_CACHE_SECONDS = 60  # type: ignore[attr-defined]
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db
@pytest.mark.usefixtures("caching")
def test_the_filed_guide_snapshot_is_read_once_per_version(item: ServiceItem, citizen: User) -> None:
    from yiwang.catalog.services import guide_snapshot

    first = submit_case(item, citizen)
    assert first.item_snapshot == guide_snapshot(item)
    second = submit_case(item, citizen)
    assert second.item_snapshot == first.item_snapshot
    # a new version of the item (its key changes) is snapshotted afresh
    ServiceItem.objects.filter(pk=item.pk).update(version=item.version + 1, name="新名称")
    item.refresh_from_db()
    third = submit_case(item, citizen)
    assert third.item_snapshot["name"] == "新名称" and third.item_snapshot["version"] == item.version
