"""定时发布/撤销: apply_schedule publishes approved items and withdraws published ones on time; idempotent."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.catalog import services
from yiwang.catalog.errors import CatalogErrorCode
from yiwang.catalog.models import ItemStatus, ServiceItem
from yiwang.catalog.tasks import apply_catalog_schedule
from yiwang.catalog.tests.factories import ServiceItemFactory
from yiwang.core.errors import DomainError
from yiwang.core.models import AuditEvent, Organisation

START = timezone.datetime(2026, 3, 2, 9, 0, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def approved(market_bureau: Organisation, manager: User, manager2: User) -> ServiceItem:
    item = ServiceItemFactory(implementing_body=market_bureau, status=ItemStatus.DRAFT, version=0)
    services.submit_item(item, manager)
    services.review_item(item, manager2, approve=True)
    return item


def test_scheduled_publication_and_withdrawal(approved: ServiceItem, manager: User) -> None:
    with time_machine.travel(START, tick=False):
        services.schedule_item(
            approved, manager, publish_at=START + timedelta(days=1), withdraw_at=START + timedelta(days=10)
        )
        assert services.apply_schedule() == {"published": 0, "withdrawn": 0, "failed": []}
    with time_machine.travel(START + timedelta(days=1, minutes=1), tick=False):
        assert services.apply_schedule()["published"] == 1
        assert services.apply_schedule() == {"published": 0, "withdrawn": 0, "failed": []}  # idempotent
        approved.refresh_from_db()
        assert (
            approved.status == ItemStatus.PUBLISHED and approved.version == 1 and approved.publish_at is None
        )
        event = AuditEvent.objects.get(action="catalog.item.published")
        assert event.detail["scheduled"] is True and event.actor is None
    with time_machine.travel(START + timedelta(days=10, minutes=1), tick=False):
        out = io.StringIO()
        call_command("catalog_apply_schedule", stdout=out)
        assert "定时撤销 1 个" in out.getvalue()
        call_command("catalog_apply_schedule", stdout=io.StringIO())
        approved.refresh_from_db()
        assert approved.status == ItemStatus.WITHDRAWN and approved.withdraw_at is None
        assert AuditEvent.objects.filter(action="catalog.item.withdrawn").count() == 1


def test_unapproved_items_wait(market_bureau: Organisation, manager: User) -> None:
    item = ServiceItemFactory(implementing_body=market_bureau, status=ItemStatus.DRAFT, version=0)
    with time_machine.travel(START, tick=False):
        services.schedule_item(item, manager, publish_at=START + timedelta(hours=1))
    with time_machine.travel(START + timedelta(hours=2), tick=False):
        assert services.apply_schedule()["published"] == 0
    item.refresh_from_db()
    assert item.status == ItemStatus.DRAFT


def test_failures_are_reported_not_raised(approved: ServiceItem, manager: User) -> None:
    with time_machine.travel(START, tick=False):
        services.schedule_item(approved, manager, publish_at=START + timedelta(hours=1))
    services.update_base_item(approved.base_item, actor=None, name="改名后的基本目录事项")
    with time_machine.travel(START + timedelta(hours=2), tick=False):
        result = services.apply_schedule()
    assert result["published"] == 0 and result["failed"][0]["code"] == CatalogErrorCode.INCONSISTENT_WITH_BASE


def test_task_runs_the_schedule(approved: ServiceItem, manager: User) -> None:
    with time_machine.travel(START, tick=False):
        services.schedule_item(approved, manager, publish_at=START + timedelta(hours=1))
    with time_machine.travel(START + timedelta(hours=2), tick=False):
        result = apply_catalog_schedule.enqueue()
    assert result.return_value["published"] == 1


@pytest.mark.parametrize(
    ("publish", "withdraw", "field"),
    [(-1, None, "publish_at"), (None, -1, "withdraw_at"), (5, 3, "withdraw_at")],
)
def test_schedule_validation(
    approved: ServiceItem, manager: User, publish: int | None, withdraw: int | None, field: str
) -> None:
    with time_machine.travel(START, tick=False), pytest.raises(DomainError) as exc:
        services.schedule_item(
            approved,
            manager,
            publish_at=START + timedelta(days=publish) if publish is not None else None,
            withdraw_at=START + timedelta(days=withdraw) if withdraw is not None else None,
        )
    assert exc.value.code == CatalogErrorCode.INVALID_SCHEDULE and field in exc.value.fields
