"""Verification: by identifier and by uploaded PDF; revocation, suspension, expiry and changes are
seen at once; tampered PDFs and tampered data records are detected."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from yiwang.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from yiwang.licences import services
from yiwang.licences.identifiers import make_identifier
from yiwang.licences.models import Licence, LicenceStatus
from yiwang.licences.tests import factories
from yiwang.seals import services as seal_services

pytestmark = pytest.mark.django_db


def test_fresh_licence_verifies(licence):
    result = services.verify_identifier(licence.identifier, check_document=True)
    assert result.ok and result.current and result.data_ok and result.signature_ok
    assert result.masked_holder_code.endswith(licence.holder_code[-4:])
    assert licence.holder_code[:6] not in result.masked_holder_code


def test_unknown_and_malformed_identifiers(licence):
    with pytest.raises(DomainError) as excinfo:
        services.verify_identifier(licence.identifier[:-1] + ("0" if licence.identifier[-1] != "0" else "1"))
    assert excinfo.value.code == "licence_invalid_identifier"
    other = make_identifier(licence.licence_type.code, licence.issuer_code, "99999", 1)
    with pytest.raises(NotFound):
        services.verify_identifier(other)


def test_revocation_is_seen_at_once(licence, approver):
    services.revoke_licence(licence, actor=approver, reason="以欺骗手段取得许可")
    result = services.verify_identifier(licence.identifier)
    assert not result.ok and not result.current
    assert result.status == LicenceStatus.REVOKED
    with pytest.raises(Conflict):
        services.resume_licence(licence, actor=approver)


def test_suspend_and_resume(licence, approver):
    services.suspend_licence(licence, actor=approver, reason="立案调查")
    assert services.verify_identifier(licence.identifier).status == LicenceStatus.SUSPENDED
    services.resume_licence(licence, actor=approver, reason="调查结束")
    assert services.verify_identifier(licence.identifier).ok


def test_reason_is_required_and_only_the_issuer_may_act(licence, approver):
    with pytest.raises(DomainError) as excinfo:
        services.revoke_licence(licence, actor=approver, reason=" ")
    assert "reason" in excinfo.value.fields
    _, _, stranger = factories.make_issuer("合肥市卫生健康委员会")
    with pytest.raises(PermissionDenied):
        services.suspend_licence(licence, actor=stranger, reason="x")


def test_expiry_is_computed_at_request_time(licence):
    assert licence.valid_until is not None
    with time_machine.travel(licence.valid_until, tick=False):
        assert services.verify_identifier(licence.identifier).ok
    with time_machine.travel(date(licence.valid_until.year, 12, 31), tick=False):
        result = services.verify_identifier(licence.identifier)
        assert result.status == LicenceStatus.EXPIRED and not result.ok
        assert services.expire_due_licences() == 1
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.EXPIRED


def test_change_creates_a_new_version_and_supersedes_the_old(licence, approver):
    new = services.change_licence(
        licence, actor=approver, reason="经营场所变更", data={"address": "合肥市蜀山区长江西路 2 号"}
    )
    assert new.version == 2 and new.serial == licence.serial
    assert new.identifier.split(".")[-2] == "002"
    assert new.previous_id == licence.pk
    assert services.verify_identifier(new.identifier, check_document=True).ok
    old = services.verify_identifier(licence.identifier)
    assert old.status == LicenceStatus.SUPERSEDED and not old.ok
    assert new.data["address"] == "合肥市蜀山区长江西路 2 号"


def test_uploaded_pdf_verifies_and_tampering_is_detected(licence):
    pdf = services.document_bytes(licence)
    result = services.verify_document(pdf)
    assert result.ok and result.document_matches
    tampered = bytearray(pdf)
    index = tampered.find(b"/Title")
    tampered[index + 8] = (tampered[index + 8] + 1) % 256
    result = services.verify_document(bytes(tampered))
    assert not result.ok
    assert result.signature_ok is False


def test_another_stamped_pdf_is_not_the_licence(licence, seal):
    from yiwang.licences.documents import render_licence_pdf

    forged_layout = services.licence_layout(licence)
    forged_layout.rows = [("许可证编号", "伪造")]
    forged = seal_services.stamp_pdf(
        seal, render_licence_pdf(forged_layout), user=None, reason="x", system=True
    )
    result = services.verify_document(forged)
    assert result.signature_ok  # genuinely stamped ...
    assert result.document_matches is False and not result.ok  # ... but not the document issued


def test_not_a_pdf(db):
    result = services.verify_document(b"hello")
    assert not result.ok and result.error


def test_tampered_data_record_is_detected(licence):
    Licence.objects.filter(pk=licence.pk).update(data={**licence.data, "area": 9999})
    result = services.verify_identifier(licence.identifier)
    assert not result.data_ok and not result.ok
