"""demo_history: a case history for dashboards, big screen and supervision, once."""

from __future__ import annotations

from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from yiwang.cases.models import Case, CaseStatus
from yiwang.demo.history import HISTORY_USER_PREFIX
from yiwang.metrics.models import CaseAggregate
from yiwang.supervision.models import SupervisionWarning
from yiwang.supervision.services import install_defaults
from yiwang.testing.cases import ServiceItemFactory, make_citizen

NOW = datetime(2026, 9, 21, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.mark.django_db
def test_history_is_loaded_once_with_aggregates_and_warnings() -> None:
    ServiceItemFactory()
    ServiceItemFactory()
    citizen = make_citizen("named_citizen")
    install_defaults()
    with time_machine.travel(NOW, tick=False):
        out = StringIO()
        call_command("demo_history", stdout=out)
        assert "240 cases" in out.getvalue()
        again = StringIO()
        call_command("demo_history", stdout=again)
        assert "already loaded" in again.getvalue()
    history = Case.objects.filter(applicant__username__startswith=HISTORY_USER_PREFIX)
    assert history.count() == 240
    assert not Case.objects.filter(applicant=citizen).exists()
    oldest = min(history.values_list("submitted_at", flat=True))
    assert oldest >= NOW - timedelta(days=90)
    assert {CaseStatus.COMPLETED, CaseStatus.ACCEPTED} <= set(history.values_list("status", flat=True))
    assert CaseAggregate.objects.exists()
    assert SupervisionWarning.objects.filter(kind="time_red").exists()
