"""告知承诺 with an e-licence: the licence issued at approval is revoked with the approval when the
verification finds the commitment false."""

from __future__ import annotations

import pytest
import time_machine

from yiwang.cases import services as case_services
from yiwang.cases import variants
from yiwang.cases.models import CaseStatus
from yiwang.cases.tests.factories import ServiceItemFactory, make_staff
from yiwang.core.calendar import seed_calendar
from yiwang.licences.models import Licence, LicenceStatus
from yiwang.testing import licences as factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel("2026-03-16 10:00:00+08:00", tick=False) as traveller:
        yield traveller


def test_false_commitment_revokes_the_licence(django_capture_on_commit_callbacks):
    seed_calendar([2026])
    issuer, _seal, _ = factories.make_issuer()
    licence_type = factories.make_type()
    citizen = factories.make_citizen("holder")
    staff = make_staff(issuer, "decider", ("window_clerk", "handler", "approver"))
    item = ServiceItemFactory(
        implementing_body=issuer,
        materials=[],
        commitment_approval=True,
        result_licence_type_code=licence_type.code,
        form_fields=[
            {"name": "address", "label": "经营场所", "type": "text", "required": True},
            {"name": "category", "label": "主体业态", "type": "text", "required": True},
            {"name": "area", "label": "经营面积（平方米）", "type": "number", "required": False},
        ],
    )
    with django_capture_on_commit_callbacks(execute=True):
        case = case_services.submit_application(
            applicant=citizen,
            item=item,
            form_data={"address": "合肥市包河区徽州大道 1 号", "category": "餐饮服务经营者", "area": 80},
            files={},
        )
        case = case_services.accept_case(case, actor=staff)
        case = variants.approve_on_commitment(case, actor=staff)
    licence = Licence.objects.get(source_case=case)
    assert licence.status == LicenceStatus.VALID
    revoked = variants.verify_commitment(case, actor=staff, truthful=False, comment="无实际经营场所")
    assert revoked.status == CaseStatus.REVOKED
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.REVOKED
    event = case.events.order_by("-sequence").first()
    assert event.data["licences"] == [str(licence.public_id)]
