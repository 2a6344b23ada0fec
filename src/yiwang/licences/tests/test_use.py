"""Use by departments (一证通办): legal basis or holder authorisation, refusals audited, every use logged."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine

from yiwang.core.errors import DomainError, PermissionDenied
from yiwang.core.models import AuditEvent
from yiwang.licences import services
from yiwang.licences.models import LicenceUseRecord, TrustLevel
from yiwang.licences.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def user_dept(db):
    from yiwang.testing.cases import OrganisationFactory

    dept = OrganisationFactory(name="合肥市住房保障和房产管理局")
    clerk = factories.make_staff(dept, "housing_clerk", ("window_clerk",))
    return dept, clerk


def test_use_with_legal_basis_is_logged(licence, user_dept):
    dept, clerk = user_dept
    record = services.use_licence(
        licence,
        organisation=dept,
        user=clerk,
        purpose="公租房申请审核",
        legal_basis="《公共租赁住房管理办法》第七条",
    )
    assert record.trust_level == TrustLevel.A
    assert record.consent is None
    assert AuditEvent.objects.filter(action="licence.use", object_id=str(licence.public_id)).exists()
    assert list(licence.uses.all()) == [record]


def test_use_without_basis_or_consent_is_refused_and_audited(licence, user_dept):
    dept, clerk = user_dept
    with pytest.raises(DomainError) as excinfo:
        services.use_licence(licence, organisation=dept, user=clerk, purpose="随便看看")
    assert excinfo.value.status == 403
    assert excinfo.value.code == "licence_use_refused"
    assert not LicenceUseRecord.objects.exists()
    assert AuditEvent.objects.filter(action="licence.use_refused").exists()


def test_holder_consent_allows_use_until_revoked_or_expired(licence, citizen, user_dept):
    dept, clerk = user_dept
    consent = services.grant_consent(
        citizen, organisation=dept, licence=licence, valid_until=date.today() + timedelta(days=10)
    )
    record = services.use_licence(licence, organisation=dept, user=clerk, purpose="公租房申请审核")
    assert record.consent == consent
    with time_machine.travel(date.today() + timedelta(days=11)), pytest.raises(DomainError):
        services.use_licence(licence, organisation=dept, user=clerk, purpose="再次调用")
    services.revoke_consent(consent, user=citizen)
    with pytest.raises(DomainError):
        services.use_licence(licence, organisation=dept, user=clerk, purpose="再次调用")


def test_consent_for_a_type_covers_the_holders_licences_of_that_type(licence, citizen, user_dept):
    dept, clerk = user_dept
    services.grant_consent(
        citizen, organisation=dept, licence_type=licence.licence_type, valid_until=date.today()
    )
    assert services.use_licence(licence, organisation=dept, user=clerk, purpose="审核").consent is not None


def test_consent_for_another_department_does_not_help(licence, citizen, user_dept, issuer):
    dept, clerk = user_dept
    services.grant_consent(citizen, organisation=issuer, licence=licence, valid_until=date.today())
    with pytest.raises(DomainError):
        services.use_licence(licence, organisation=dept, user=clerk, purpose="审核")


def test_consent_rules(licence, citizen, user_dept):
    dept, _ = user_dept
    with pytest.raises(DomainError):
        services.grant_consent(citizen, organisation=dept, valid_until=date.today())
    with pytest.raises(DomainError):
        services.grant_consent(
            citizen, organisation=dept, licence=licence, valid_until=date.today() - timedelta(days=1)
        )
    stranger = factories.make_citizen("stranger")
    with pytest.raises(DomainError):
        services.grant_consent(stranger, organisation=dept, licence=licence, valid_until=date.today())


def test_only_staff_of_the_using_organisation(licence, citizen, user_dept, issuer):
    dept, clerk = user_dept
    with pytest.raises(PermissionDenied):
        services.use_licence(licence, organisation=dept, user=citizen, purpose="x", legal_basis="y")
    with pytest.raises(PermissionDenied):
        services.use_licence(licence, organisation=issuer, user=clerk, purpose="x", legal_basis="y")


def test_lookup_is_audited_and_masks_nothing_it_does_not_return(licence, user_dept):
    _, clerk = user_dept
    found = services.lookup_for_use(clerk, holder_code=licence.holder_code, licence_type=licence.licence_type)
    assert found == [licence]
    event = AuditEvent.objects.get(action="licence.lookup")
    assert licence.holder_code not in str(event.detail)
