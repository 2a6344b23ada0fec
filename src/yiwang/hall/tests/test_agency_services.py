"""帮办代办 Recording an authorisation (validation, evidence hash, principal resolved), revoking,
expiry, applying on the principal's behalf (帮办 by hall staff; 代办 by a citizen agent, who then follows
the case while authorised) and the refusals."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from yiwang.accounts.models import InboxMessage, NaturalPerson
from yiwang.cases.models import Case
from yiwang.cases.services.applicants import check_case_party
from yiwang.core.errors import DomainError, NotFound
from yiwang.core.models import AuditEvent
from yiwang.hall.models import AgencyAuthorisation, AgencyKind, AgencyStatus
from yiwang.hall.services import agency
from yiwang.hall.tests.queue_helpers import sign_in
from yiwang.testing.portal import PDF_BYTES, pdf_upload

TODAY = date(2026, 12, 7)
PRINCIPAL_ID = "11010519491231002X"
FORM = {"company_name": "合肥测试公司", "registered_capital": "10", "company_type": "有限责任公司"}


def record(world: Any, **extra: Any) -> AgencyAuthorisation:
    fields: dict[str, Any] = {
        "recorded_by": world.clerk,
        "hall": world.hall,
        "kind": AgencyKind.HELP,
        "principal_name": "王芳",
        "principal_id_number": PRINCIPAL_ID,
        "principal_phone": "13900001111",
        "agent": world.police_clerk,
        "valid_from": TODAY,
        "valid_until": TODAY + timedelta(days=30),
        "evidence": pdf_upload("授权书.pdf"),
    }
    fields.update(extra)
    return agency.record_authorisation(**fields)


def test_record_help_creates_the_offline_principal_and_hashes_the_evidence(world: Any) -> None:
    a = record(world, item_public_ids=[world.police_item.public_id])
    assert a.status == AgencyStatus.ACTIVE and a.kind == AgencyKind.HELP
    assert a.evidence_sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    assert a.evidence.name.endswith(".pdf")
    person = NaturalPerson.objects.get(id_number=PRINCIPAL_ID)
    assert a.principal == person.user and a.recorded_by == world.clerk
    assert a.item_public_ids == [str(world.police_item.public_id)]
    assert AuditEvent.objects.filter(action="hall.agency.recorded", object_id=str(a.public_id)).exists()


def test_record_agency_for_an_existing_citizen(world: Any) -> None:
    citizen = world.citizen
    a = record(
        world,
        kind=AgencyKind.AGENCY,
        principal_name=citizen.natural_person.real_name,
        principal_id_number=citizen.natural_person.id_number,
        agent=world.citizen2,
    )
    assert a.principal == citizen and a.agent == world.citizen2


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"principal_id_number": "110105194912310021"}, "principal_id_number"),
        ({"principal_phone": "12345"}, "principal_phone"),
        ({"principal_name": " "}, "principal_name"),
        ({"valid_from": TODAY - timedelta(days=1)}, "valid_from"),
        ({"valid_until": TODAY + timedelta(days=366)}, "valid_until"),
        ({"valid_until": TODAY - timedelta(days=1), "valid_from": TODAY}, "valid_until"),
        ({"item_public_ids": ["not-a-uuid"]}, "item_public_ids"),
        ({"kind": "other"}, "kind"),
        ({"agent": "citizen"}, "agent"),  # a help agent must be hall staff
        ({"kind": AgencyKind.AGENCY, "agent": "police_clerk"}, "agent"),  # an agency agent is a person
        ({"kind": AgencyKind.AGENCY, "agent": "citizen2", "evidence": None}, "evidence"),
        ({"evidence": SimpleUploadedFile("a.exe", b"MZ...")}, "evidence"),
        ({"evidence": SimpleUploadedFile("a.pdf", b"not a pdf at all")}, "evidence"),
    ],
)
def test_record_validation(world: Any, extra: dict[str, Any], field: str) -> None:
    if isinstance(extra.get("agent"), str):
        extra = {**extra, "agent": getattr(world, extra["agent"])}
    with pytest.raises(DomainError) as exc:
        record(world, **extra)
    assert field in exc.value.fields
    assert not AgencyAuthorisation.objects.exists()


def test_a_full_year_is_allowed_and_only_hall_staff_record(world: Any) -> None:
    assert record(world, valid_until=date(2027, 12, 7)).valid_until == date(2027, 12, 7)
    for user in (world.manager, world.agent, world.citizen):
        with pytest.raises(DomainError) as exc:
            record(world, recorded_by=user)
        assert exc.value.status == 403


def test_principal_is_told_after_commit(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        a = record(
            world,
            kind=AgencyKind.AGENCY,
            principal_name=world.citizen.natural_person.real_name,
            principal_id_number=world.citizen.natural_person.id_number,
            agent=world.citizen2,
        )
    message = InboxMessage.objects.get(user=world.citizen, title="代办授权")
    assert a.valid_until.isoformat() in message.body


def test_revoke_by_staff_or_principal_and_not_by_the_agent(world: Any) -> None:
    a = record(
        world,
        kind=AgencyKind.AGENCY,
        principal_name=world.citizen.natural_person.real_name,
        principal_id_number=world.citizen.natural_person.id_number,
        agent=world.citizen2,
    )
    with pytest.raises(DomainError) as exc:
        agency.revoke(authorisation=a, actor=world.citizen2, reason="不想了")
    assert exc.value.status == 403
    with pytest.raises(DomainError):
        agency.revoke(authorisation=a, actor=world.citizen, reason="")
    agency.revoke(authorisation=a, actor=world.citizen, reason="本人已到场")
    a.refresh_from_db()
    assert a.status == AgencyStatus.REVOKED and a.revoked_at is not None
    with pytest.raises(DomainError) as exc:
        agency.revoke(authorisation=a, actor=world.clerk, reason="再次")
    assert exc.value.status == 409
    other = record(world)
    agency.revoke(authorisation=other, actor=world.general_clerk, reason="登记错误")
    assert AuditEvent.objects.filter(action="hall.agency.revoked").count() == 2


def test_expiry_by_date(world: Any, frozen: Any) -> None:
    a = record(world, valid_until=TODAY + timedelta(days=2))
    assert agency.expire_overdue() == 0
    frozen.move_to("2026-12-09 23:00+08:00")
    assert agency.expire_overdue() == 0  # the last day still counts
    frozen.move_to("2026-12-10 08:00+08:00")
    assert agency.expire_overdue() == 1
    a.refresh_from_db()
    assert a.status == AgencyStatus.EXPIRED
    assert AuditEvent.objects.filter(action="hall.agency.expired", object_id=str(a.public_id)).exists()


def test_help_applies_at_the_window_and_records_the_case(world: Any) -> None:
    a = record(world, item_public_ids=[world.police_item.public_id])
    case = agency.apply_on_behalf(
        authorisation=a, agent=world.police_clerk, item=world.police_item, form_data=FORM, files={}
    )
    assert case.applicant == a.principal and case.registered_by == world.police_clerk
    assert case.handling_organisation == world.police
    a.refresh_from_db()
    assert a.case_public_ids == [str(case.public_id)]
    event = AuditEvent.objects.get(action="hall.agency.applied")
    assert event.detail["principal"] == str(a.principal.public_id)
    assert event.detail["agent"] == str(world.police_clerk.public_id)
    # an idempotent retry records nothing more
    again = agency.apply_on_behalf(
        authorisation=a,
        agent=world.police_clerk,
        item=world.police_item,
        form_data=FORM,
        files={},
        idempotency_key="k1",
    )
    same = agency.apply_on_behalf(
        authorisation=a,
        agent=world.police_clerk,
        item=world.police_item,
        form_data=FORM,
        files={},
        idempotency_key="k1",
    )
    assert same.pk == again.pk and Case.objects.count() == 2
    a.refresh_from_db()
    assert len(a.case_public_ids) == 2


def test_help_by_a_general_window_clerk_for_any_item(world: Any) -> None:
    a = record(world, agent=world.general_clerk)
    sign_in(world.window_general, world.general_clerk)
    case = agency.apply_on_behalf(
        authorisation=a, agent=world.general_clerk, item=world.police_item, form_data=FORM, files={}
    )
    assert case.handling_organisation == world.police


def _refused(a: AgencyAuthorisation, agent: Any, item: Any) -> DomainError:
    with pytest.raises(DomainError) as exc:
        agency.apply_on_behalf(authorisation=a, agent=agent, item=item, form_data=FORM, files={})
    assert exc.value.status == 403
    return exc.value


def test_refusals(world: Any, frozen: Any) -> None:
    a = record(world, item_public_ids=[world.police_item.public_id], valid_until=TODAY + timedelta(days=1))
    assert _refused(a, world.clerk, world.police_item).code == "hall_agency_invalid"  # not the agent
    _refused(a, world.police_clerk, world.market_item)  # another item
    frozen.move_to("2026-12-09 09:00+08:00")
    _refused(a, world.police_clerk, world.police_item)  # expired
    a.refresh_from_db()
    assert a.status == AgencyStatus.EXPIRED
    frozen.move_to("2026-12-07 09:00+08:00")
    b = record(world)
    agency.revoke(authorisation=b, actor=world.clerk, reason="撤销")
    _refused(b, world.police_clerk, world.police_item)  # revoked
    later = record(world, valid_from=TODAY + timedelta(days=3), valid_until=TODAY + timedelta(days=5))
    _refused(later, world.police_clerk, world.police_item)  # not yet valid
    assert Case.objects.count() == 0
    assert AuditEvent.objects.filter(action="hall.agency.refused").count() >= 4


def test_a_citizen_agent_applies_for_a_natural_person_and_follows_the_case(world: Any) -> None:
    a = record(
        world,
        kind=AgencyKind.AGENCY,
        principal_name=world.citizen.natural_person.real_name,
        principal_id_number=world.citizen.natural_person.id_number,
        agent=world.citizen2,
        item_public_ids=[world.market_item.public_id],
    )
    files = {
        str(m.public_id): [pdf_upload(f"{m.name}.pdf")]
        for m in world.market_item.materials.all()
        if m.mandatory
    }
    case = agency.apply_on_behalf(
        authorisation=a, agent=world.citizen2, item=world.market_item, form_data=FORM, files=files
    )
    assert case.applicant == world.citizen and case.acting_agent == world.citizen2
    assert check_case_party(case, world.citizen2)["acting_agent_id"] == world.citizen2.pk
    # another item is not covered; after revocation the agent no longer sees the case
    _refused(a, world.citizen2, world.police_item)
    agency.revoke(authorisation=a, actor=world.citizen, reason="不再委托")
    with pytest.raises(NotFound):
        check_case_party(case, world.citizen2)
    assert check_case_party(case, world.citizen) == {}


def test_without_an_authorisation_a_citizen_cannot_act_for_another(world: Any) -> None:
    from yiwang.cases.services.filing import submit_application

    with pytest.raises(DomainError) as exc:
        submit_application(
            applicant=world.citizen,
            acting_agent=world.citizen2,
            item=world.market_item,
            form_data=FORM,
            files={},
        )
    assert exc.value.status == 403
