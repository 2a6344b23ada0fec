"""省市协同 across real processes: a case filed at the city is at the province within 60 s, and a
licence issued in the city verifies at the province (the federated licence index, docs/federation.md).

The city's console runs ``federation_sync``'s ``push_changes`` as the scheduler does every
``YIWANG_FEDERATION_SYNC_SECONDS`` (the lag kept); the province's web process applies the signed
packages; what arrived is read in the province's own database and on its public /verify/ page."""

from __future__ import annotations

import time

import pytest

pytestmark = pytest.mark.federation

FILE_CASE = """
from django.utils import timezone
from yiwang.cases.models import Case, CaseEvent
from yiwang.core.models import Organisation
from yiwang.testing.cases import ServiceItemFactory, make_citizen
from yiwang.testing.catalog import OrganisationFactory

# the console may have been started again since an earlier test: no sequence number used twice
OrganisationFactory.reset_sequence(Organisation.objects.count() + 2000)
ServiceItemFactory.reset_sequence(Organisation.objects.count() + 2000)
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

ISSUE_LICENCE = """
from yiwang.core.models import Organisation
from yiwang.seals import services as seals
from yiwang.testing.catalog import OrganisationFactory
from yiwang.testing.licences import issue, make_staff, make_type

OrganisationFactory.reset_sequence(Organisation.objects.count() + 3000)
issuer = OrganisationFactory(name="合肥市市场监督管理局（联邦测试）")
manager = make_staff(issuer, "fed_seal_manager", ("service_manager",))
admin = make_staff(issuer, "fed_seal_admin", ("admin",))
seal = seals.apply_for_seal(organisation=issuer, name="证照专用章", seal_type="certificate", actor=manager)
seals.review_seal(seal, actor=admin, approve=True)
seals.make_seal(seal, actor=admin)
seals.file_seal(seal, actor=admin)
seals.issue_seal(seal, actor=admin)  # the 证照专用章 the licence's PDF is sealed with
licence = issue(make_type(), issuer)
result = [licence.identifier, licence.status]
"""

SYNC = """
from yiwang.federation.services import push_changes
result = [str(p.state) for p in push_changes()]
"""


def _sync_until(fed, seen, seconds: float = 60.0) -> float:  # type: ignore[no-untyped-def]
    """``push_changes`` at the city (as its scheduler does) until ``seen()``; returns the seconds taken."""
    started = time.monotonic()
    while True:
        states = fed.city.python(SYNC)
        assert "refused" not in states and "failed" not in states, states
        if seen():
            return time.monotonic() - started
        assert time.monotonic() - started < seconds, f"not at the province after {seconds:.0f} s"
        time.sleep(0.2)


def test_a_city_case_appears_at_the_province_within_60_seconds(fed):
    number = fed.city.python(FILE_CASE)

    def at_province() -> int:
        return fed.province.scalar("SELECT count(*) FROM federation_federatedcase WHERE number = ?", number)

    elapsed = _sync_until(fed, at_province)
    assert at_province() == 1 and elapsed < 60
    row = fed.province.query(
        "SELECT applicant_masked, status, last_dataset FROM federation_federatedcase WHERE number = ?", number
    )
    assert row == [("张*", "submitted", "application")]
    # Nothing more to send: a second run builds no package, the province still holds it once.
    assert fed.city.python(SYNC) == []
    assert fed.province.scalar("SELECT count(*) FROM federation_federatedcase WHERE number = ?", number) == 1


def test_a_licence_issued_in_the_city_verifies_at_the_province(fed):
    province, city = fed.province, fed.city
    identifier, status = city.python(ISSUE_LICENCE)
    assert status == "valid"
    # Not known at the province before the city reports it.
    assert province.get(f"/verify/{identifier}/")[0] == 404

    def indexed() -> int:
        return province.scalar(
            "SELECT count(*) FROM federation_federatedlicence WHERE identifier = ?", identifier
        )

    _sync_until(fed, indexed)
    status_code, body = province.get(f"/verify/{identifier}/")
    page = body.decode()
    assert status_code == 200, page[:500]
    assert city.config.name in page  # answered from the index: issued by the city's platform
    assert "合肥市市场监督管理局（联邦测试）" in page and "食品经营许可证" in page
    assert "张*" in page and "11010519491231002X" not in page  # the holder masked
    print(f"licence {identifier}: issued in the city, verified at the province ({status_code})")
