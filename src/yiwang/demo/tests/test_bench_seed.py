"""bench_seed: small-scale data generation."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from yiwang.cases.models import Case, CaseEvent, CaseEventType, CaseStatus
from yiwang.catalog.coding import parse_implementation_code
from yiwang.catalog.models import ItemStatus, ServiceItem
from yiwang.demo.bench_seed import BENCH_PREFIX
from yiwang.testing.cases import ServiceItemFactory, make_citizen


@pytest.fixture
def templates() -> None:
    ServiceItemFactory()
    ServiceItemFactory()
    make_citizen("bench_citizen")


@pytest.mark.django_db(transaction=True)
def test_bench_seed_small_scale(templates: None) -> None:
    out = StringIO()
    call_command("bench_seed", "--scale", "small", stdout=out)
    assert "50 items, 400 cases" in out.getvalue()

    items = ServiceItem.objects.filter(base_code__startswith=BENCH_PREFIX)
    assert items.count() == 50
    assert set(items.values_list("status", flat=True)) == {ItemStatus.PUBLISHED}
    codes = list(items.values_list("implementation_code", flat=True))
    assert len(set(codes)) == 50
    for code in codes:
        assert parse_implementation_code(code).code == code

    cases = Case.objects.filter(item__base_code__startswith=BENCH_PREFIX)
    assert cases.count() == 400
    numbers = list(cases.values_list("number", "item__implementation_code"))
    assert len({n for n, _ in numbers}) == 400
    assert all(n.startswith(code) and len(n) == 31 + 8 + 4 for n, code in numbers)
    assert len(set(cases.values_list("status", flat=True))) > 3

    assert not cases.filter(events__isnull=True).exists()
    assert (
        CaseEvent.objects.filter(case__in=cases, sequence=1, event_type=CaseEventType.APPLIED).count() == 400
    )
    for case in cases.filter(status=CaseStatus.COMPLETED)[:20]:
        assert list(case.events.values_list("to_status", flat=True))[-1] == CaseStatus.COMPLETED


@pytest.mark.django_db(transaction=True)
def test_bench_seed_refuses_when_data_exists(templates: None) -> None:
    call_command("bench_seed", "--items", "3", "--cases", "5", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("bench_seed", "--items", "3", "--cases", "5", stdout=StringIO())
    assert ServiceItem.objects.filter(base_code__startswith=BENCH_PREFIX).count() == 3


@pytest.mark.django_db
def test_bench_seed_needs_template_items() -> None:
    with pytest.raises(CommandError):
        call_command("bench_seed", "--scale", "small", stdout=StringIO())


@pytest.mark.django_db(transaction=True)
def test_seeded_numbers_of_today_are_not_given_again(templates: None) -> None:
    from django.utils import timezone

    from yiwang.cases.services import next_case_number
    from yiwang.demo.bench_seed import sync_number_sequences

    call_command("bench_seed", "--items", "3", "--cases", "5", stdout=StringIO())
    case = Case.objects.filter(item__base_code__startswith=BENCH_PREFIX).select_related("item").first()
    assert case is not None
    today = timezone.localdate()
    Case.objects.filter(pk=case.pk).update(
        number=f"{case.item.implementation_code}{today:%Y%m%d}0042", submitted_at=timezone.now()
    )
    assert sync_number_sequences() >= 1
    assert next_case_number(case.item, today).endswith("0043")
