"""Assurance levels: population-base check at registration, bank-card and face checks through the
(simulated, asynchronous) providers with failures and timeouts, counter verification, and the
level enforced on every applicant action (apply, correction, withdraw)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from yiwang.accounts import identity
from yiwang.accounts.models import AssuranceLevel, IdentityCheckStatus
from yiwang.accounts.tasks import poll_identity_check
from yiwang.accounts.tests import factories
from yiwang.core.errors import DomainError
from yiwang.core.identifiers import make_id_number
from yiwang.core.models import AuditEvent, PersonalDataAccess

pytestmark = pytest.mark.django_db


def test_population_check_gives_primary_level():
    person = factories.citizen(level=AssuranceLevel.ANONYMOUS)
    check = identity.start_population_check(person)
    person.refresh_from_db()
    assert check.status == IdentityCheckStatus.PASSED
    assert person.assurance_level == AssuranceLevel.PRIMARY
    assert person.natural_person.verified_against_population_base


def test_population_base_not_found_fails():
    person = factories.citizen(level=AssuranceLevel.ANONYMOUS, sequence=999)
    check = identity.start_population_check(person)
    assert check.status == IdentityCheckStatus.FAILED and "未找到" in check.reason
    person.refresh_from_db()
    assert person.assurance_level == AssuranceLevel.ANONYMOUS


def test_bank_card_check_is_asynchronous(settings):
    settings.YIWANG_IDENTITY_SIMULATED_DELAY_SECONDS = 3
    person = factories.citizen()
    check = identity.start_bank_card_check(person, card_number="6222020200112233445", phone="")
    assert check.status == IdentityCheckStatus.PENDING
    with time_machine.travel(timezone.now() + timedelta(seconds=5)):
        poll_identity_check.call(check.pk)  # the task polls the provider
    check.refresh_from_db()
    person.refresh_from_db()
    assert check.status == IdentityCheckStatus.PASSED
    assert person.assurance_level == AssuranceLevel.INTERMEDIATE


def test_bank_card_mismatch_and_timeout(settings):
    person = factories.citizen()
    failed = identity.start_bank_card_check(person, card_number="6222020200112230000", phone="")
    assert failed.status == IdentityCheckStatus.FAILED
    silent = identity.start_bank_card_check(person, card_number="6222020200112239999", phone="")
    assert silent.status == IdentityCheckStatus.PENDING
    with time_machine.travel(
        timezone.now() + timedelta(seconds=settings.YIWANG_IDENTITY_CHECK_TIMEOUT_SECONDS + 1)
    ):
        identity.poll_check(silent)
    silent.refresh_from_db()
    assert silent.status == IdentityCheckStatus.TIMEOUT
    person.refresh_from_db()
    assert person.assurance_level == AssuranceLevel.PRIMARY
    assert AuditEvent.objects.filter(action="identity.check_timeout").exists()


def test_face_check_gives_advanced_level_for_a_while():
    from yiwang.accounts.services import effective_assurance_level

    person = factories.citizen(level=AssuranceLevel.INTERMEDIATE)
    identity.start_face_check(person, sample="match")
    person.refresh_from_db()
    assert effective_assurance_level(person) == AssuranceLevel.ADVANCED
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        assert effective_assurance_level(person) == AssuranceLevel.INTERMEDIATE


def test_counter_verification_by_a_window_clerk():
    person = factories.citizen()
    clerk = factories.staff("clerk", ["window_clerk"])
    handler = factories.staff("handler", ["handler"])
    with pytest.raises(DomainError):
        identity.verify_at_counter(handler, person, document_number=person.natural_person.id_number)
    with pytest.raises(DomainError) as mismatch:
        identity.verify_at_counter(
            clerk, person, document_number=make_id_number("340104", date(1980, 1, 1), 11)
        )
    assert mismatch.value.code == "identity_mismatch"  # type: ignore[attr-defined]
    identity.verify_at_counter(clerk, person, document_number=person.natural_person.id_number)
    person.refresh_from_db()
    assert person.assurance_level == AssuranceLevel.INTERMEDIATE


def test_upgrade_pages(client):
    person = factories.citizen()
    client.force_login(person)
    page = client.get("/my/upgrade/?level=2&next=/my/cases/")
    assert (
        page.status_code == 200
        and "银行卡核验" in page.content.decode()
        and "中级实名" in page.content.decode()
    )
    response = client.post(
        "/my/upgrade/bank-card/", {"card_number": "6222020200112233445", "level": "2", "next": "/my/cases/"}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.assurance_level == AssuranceLevel.INTERMEDIATE
    assert "继续办理" in client.get("/my/upgrade/?level=2&next=/my/cases/").content.decode()


def test_counter_page_for_clerks(client):
    from yiwang.testing.mfa import staff_login

    person = factories.citizen()
    clerk = factories.staff("clerk", ["window_clerk"])
    staff_login(client, clerk)
    number = person.natural_person.id_number
    assert person.real_name if hasattr(person, "real_name") else True
    page = client.get(f"/workbench/identity/?document_number={number}")
    html = page.content.decode()
    # The name is masked (#19) and the look-up is in the person's 个人信息查阅记录.
    assert page.status_code == 200 and '<dd id="account-name">张*</dd>' in html and "张伟" not in html
    assert PersonalDataAccess.objects.filter(subject=person, actor=clerk, object_type="account").exists()
    client.post("/workbench/identity/", {"document_number": number})
    person.refresh_from_db()
    assert person.assurance_level == AssuranceLevel.INTERMEDIATE
