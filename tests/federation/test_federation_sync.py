"""省市协同 across real processes: a case filed at the city is at the province within 60 s.

The city's console runs ``federation_sync``'s ``push_changes`` every few seconds as the scheduler does
every ``YIWANG_FEDERATION_SYNC_SECONDS`` (the 5 s lag kept); the province's web process applies the
signed packages; the case is counted in the province's own database."""

from __future__ import annotations

import time

import pytest

pytestmark = pytest.mark.federation

FILE_CASE = """
from django.utils import timezone
from yiwang.cases.models import Case, CaseEvent
from yiwang.testing.cases import ServiceItemFactory, make_citizen

item = ServiceItemFactory(materials=[])
citizen = make_citizen("fed_sync_citizen")
now = timezone.now()
case = Case.objects.create(
    number=f"{item.implementation_code}20261207000001", item=item, item_version=1, item_snapshot={},
    handling_organisation=item.implementing_body, applicant=citizen, applicant_name="张伟",
    applicant_id_type="身份证", applicant_id_number="340104198803150011", channel="web",
    status="submitted", submitted_at=now,
)
CaseEvent.objects.create(case=case, sequence=1, event_type="applied", to_status="submitted",
                         actor_label="张伟", channel="web", occurred_at=now)
result = case.number
"""

SYNC = """
from yiwang.federation.services import push_changes
result = [str(p.state) for p in push_changes()]
"""


def test_a_city_case_appears_at_the_province_within_60_seconds(fed):
    number = fed.city.python(FILE_CASE)
    started = time.monotonic()
    seen = 0
    while time.monotonic() - started < 60 and not seen:
        states = fed.city.python(SYNC)
        assert "refused" not in states and "failed" not in states, states
        seen = fed.province.scalar("SELECT count(*) FROM federation_federatedcase WHERE number = ?", number)
        if not seen:
            time.sleep(3)
    elapsed = time.monotonic() - started
    assert seen == 1, f"not at the province after {elapsed:.0f} s"
    assert elapsed < 60
    row = fed.province.query(
        "SELECT applicant_masked, status, last_dataset FROM federation_federatedcase WHERE number = ?", number
    )
    assert row == [("张*", "submitted", "application")]
    # Nothing more to send: a second run builds no package, the province still holds it once.
    assert fed.city.python(SYNC) == []
    assert fed.province.scalar("SELECT count(*) FROM federation_federatedcase") == 1
