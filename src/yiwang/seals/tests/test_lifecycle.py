"""Seal lifecycle rules: order of steps, separation of applicant and reviewer, audit of every step."""

from __future__ import annotations

import pytest

from yiwang.core.audit import verify_chain
from yiwang.core.errors import Conflict, PermissionDenied
from yiwang.core.models import AuditEvent
from yiwang.seals import services
from yiwang.seals.models import RevokedCertificate, SealEvent, SealStatus
from yiwang.testing.cases import OrganisationFactory, make_staff

pytestmark = pytest.mark.django_db


def test_full_lifecycle_is_recorded(organisation, manager, seal_admin, clerk):
    seal = services.apply_for_seal(organisation=organisation, name="公章", actor=manager)
    assert seal.status == SealStatus.APPLIED
    seal = services.review_seal(seal, actor=seal_admin, approve=True, comment="同意")
    seal = services.make_seal(seal, actor=seal_admin)
    assert seal.certificate_pem.startswith("-----BEGIN CERTIFICATE-----")
    assert seal.private_key_encrypted.startswith("aesgcm1:")
    assert len(seal.sm2_public_key) == 128
    assert seal.appearance_pdf.open("rb").read().startswith(b"%PDF")
    seal = services.file_seal(seal, actor=seal_admin)
    assert seal.code.startswith(organisation.credit_code)
    seal = services.issue_seal(seal, actor=seal_admin)
    services.authorise_user(seal, user=clerk, actor=manager)
    seal = services.report_loss(seal, actor=manager, reason="密钥介质遗失")
    assert RevokedCertificate.objects.filter(serial=seal.certificate_serial).exists()
    seal = services.destroy_seal(seal, actor=seal_admin, reason="挂失后销毁")
    assert seal.private_key_encrypted == ""
    actions = list(SealEvent.objects.filter(seal=seal).values_list("action", flat=True))
    assert actions == ["apply", "review", "make", "file", "issue", "report_loss", "destroy"]
    assert AuditEvent.objects.filter(action__startswith="seal.").count() >= 8
    assert verify_chain().ok


def test_steps_out_of_order_are_refused(organisation, manager, seal_admin):
    seal = services.apply_for_seal(organisation=organisation, name="公章", actor=manager)
    with pytest.raises(Conflict) as excinfo:
        services.make_seal(seal, actor=seal_admin)
    assert excinfo.value.code == "seal_invalid_transition"
    with pytest.raises(Conflict):
        services.issue_seal(seal, actor=seal_admin)


def test_applicant_cannot_review_own_application(organisation, seal_admin):
    seal = services.apply_for_seal(organisation=organisation, name="公章", actor=seal_admin)
    with pytest.raises(PermissionDenied) as excinfo:
        services.review_seal(seal, actor=seal_admin, approve=True)
    assert excinfo.value.code == "seal_self_review"


def test_rejected_seal_cannot_be_made(organisation, manager, seal_admin):
    seal = services.apply_for_seal(organisation=organisation, name="公章", actor=manager)
    seal = services.review_seal(seal, actor=seal_admin, approve=False, comment="名称不规范")
    assert seal.status == SealStatus.REJECTED
    with pytest.raises(Conflict):
        services.make_seal(seal, actor=seal_admin)


def test_roles_and_scope(organisation, clerk, manager):
    with pytest.raises(PermissionDenied) as excinfo:
        services.apply_for_seal(organisation=organisation, name="公章", actor=clerk)
    assert excinfo.value.code == "seal_role_required"
    other = OrganisationFactory(name="合肥市公安局")
    with pytest.raises(PermissionDenied) as excinfo:
        services.apply_for_seal(organisation=other, name="公章", actor=manager)
    assert excinfo.value.code == "seal_not_in_scope"
    seal = services.apply_for_seal(organisation=organisation, name="公章", actor=manager)
    with pytest.raises(PermissionDenied):
        services.review_seal(seal, actor=manager, approve=True)


def test_only_own_staff_can_be_authorised(issued_seal, manager):
    outsider = make_staff(OrganisationFactory(name="合肥市民政局"), "outsider", ("window_clerk",))
    with pytest.raises(Exception) as excinfo:
        services.authorise_user(issued_seal, user=outsider, actor=manager)
    assert getattr(excinfo.value, "code", "") == "seal_not_in_scope"


def test_uploaded_image_must_be_png(organisation, manager, seal_admin):
    seal = services.apply_for_seal(organisation=organisation, name="公章", actor=manager)
    services.review_seal(seal, actor=seal_admin, approve=True)
    with pytest.raises(Exception) as excinfo:
        services.make_seal(seal, actor=seal_admin, image_png=b"GIF89a")
    assert getattr(excinfo.value, "code", "") == "invalid_seal_image"
