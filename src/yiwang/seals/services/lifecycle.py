"""The seal lifecycle (印章生命周期): apply → review → make → file (备案) → issue → (authorise users)
→ report loss → destroy.  Every step is an immutable :class:`SealEvent` plus an audit record; losing or
destroying a seal revokes its certificate, which the CRL and verification reflect at once."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.core import audit
from yiwang.core.crypto import encrypt_secret, sm2_generate_keypair
from yiwang.core.errors import Conflict, CoreErrorCode, DomainError, PermissionDenied
from yiwang.core.models import Organisation
from yiwang.seals import ca
from yiwang.seals.appearance import render_seal_pdf
from yiwang.seals.errors import SealErrorCode
from yiwang.seals.models import (
    CertificateAuthority,
    RevokedCertificate,
    Seal,
    SealAuthorisation,
    SealEvent,
    SealStatus,
    SealType,
)
from yiwang.seals.services.authority import (
    ensure_platform_ca,
    publication_links,
)
from yiwang.seals.services.permissions import (
    SEAL_ADMIN_ROLES,
    SEAL_APPLICANT_ROLES,
    SM2_PURPOSE,
    require_roles,
)


def transition(
    seal: Seal, allowed: Iterable[str], to_status: str, action: str, actor: User | None, comment: str = ""
) -> Seal:
    locked = Seal.objects.select_for_update().select_related("organisation").get(pk=seal.pk)
    if locked.status not in set(allowed):
        raise Conflict(
            f"印章当前状态为“{locked.get_status_display()}”，不能{action}",
            code=SealErrorCode.INVALID_TRANSITION,
        )
    from_status = locked.status
    locked.status = to_status
    locked.lock_version += 1
    locked.save(update_fields=["status", "lock_version", "updated_at"])
    SealEvent.objects.create(
        seal=locked, action=action, from_status=from_status, to_status=to_status, actor=actor, comment=comment
    )
    audit.record(
        f"seal.{action}",
        actor=actor,
        obj=locked,
        detail={"from": from_status, "to": to_status, "comment": comment[:300]},
    )
    return locked


def apply_for_seal(
    *,
    organisation: Organisation,
    name: str,
    seal_type: str = SealType.OFFICIAL,
    purpose: str = "",
    actor: User,
) -> Seal:
    """申请: a seal for an organisation."""
    require_roles(actor, SEAL_APPLICANT_ROLES, organisation)
    if seal_type not in SealType.values:
        raise DomainError(CoreErrorCode.VALIDATION_ERROR, "印章类型不正确", {"seal_type": [seal_type]})
    name = name.strip()
    if not name:
        raise DomainError(CoreErrorCode.VALIDATION_ERROR, "请填写印章名称", {"name": ["必填"]})
    with transaction.atomic():
        seal = Seal.objects.create(
            organisation=organisation, name=name, seal_type=seal_type, purpose=purpose, applied_by=actor
        )
        SealEvent.objects.create(
            seal=seal, action="apply", to_status=seal.status, actor=actor, comment=purpose
        )
        audit.record(
            "seal.apply", actor=actor, obj=seal, detail={"organisation": organisation.name, "name": name}
        )
    return seal


def review_seal(seal: Seal, *, actor: User, approve: bool, comment: str = "") -> Seal:
    """审核: someone other than the applicant approves or rejects."""
    require_roles(actor, SEAL_ADMIN_ROLES)
    if seal.applied_by_id == actor.pk:
        raise PermissionDenied("申请人不能审核自己的印章申请", code=SealErrorCode.SELF_REVIEW)
    with transaction.atomic():
        return transition(
            seal,
            {SealStatus.APPLIED},
            SealStatus.APPROVED if approve else SealStatus.REJECTED,
            "review",
            actor,
            comment,
        )


def make_seal(seal: Seal, *, actor: User, image_png: bytes | None = None) -> Seal:
    """制作: key pairs, the certificate from the platform CA, and the seal appearance."""
    require_roles(actor, SEAL_ADMIN_ROLES)
    if image_png is not None and not image_png.startswith(b"\x89PNG\r\n\x1a\n"):
        raise DomainError(SealErrorCode.INVALID_IMAGE, "印章图片须为 PNG 格式", {"image": ["须为 PNG"]})
    issuer = ensure_platform_ca()
    with transaction.atomic():
        locked = transition(seal, {SealStatus.APPROVED}, SealStatus.MADE, "make", actor)
        issued = ca.issue(
            ca.load_pem(issuer.certificate_pem),
            ca.decrypt_key(issuer.private_key_encrypted),
            common_name=f"{locked.organisation.name}{locked.name}",
            organisation=locked.organisation.name,
            unit=locked.organisation.credit_code,
            links=publication_links("issuing"),
        )
        sm2_pair = sm2_generate_keypair()
        locked.issuer = issuer
        locked.certificate_pem = issued.certificate_pem
        locked.certificate_serial = f"{issued.certificate.serial_number:x}"
        locked.private_key_encrypted = issued.encrypted_key
        locked.sm2_public_key = sm2_pair.public_key_hex
        locked.sm2_private_key_encrypted = encrypt_secret(sm2_pair.private_key_hex.encode(), SM2_PURPOSE)
        locked.valid_until = issued.certificate.not_valid_after_utc
        locked.appearance_pdf.save(
            f"{locked.public_id.hex}.pdf",
            ContentFile(render_seal_pdf(locked.organisation.name, locked.name)),
            save=False,
        )
        if image_png is not None:
            locked.image.save(f"{locked.public_id.hex}.png", ContentFile(image_png), save=False)
        locked.save(
            update_fields=[
                "issuer",
                "certificate_pem",
                "certificate_serial",
                "private_key_encrypted",
                "sm2_public_key",
                "sm2_private_key_encrypted",
                "valid_until",
                "appearance_pdf",
                "image",
                "updated_at",
            ]
        )
    return locked


def file_seal(seal: Seal, *, actor: User) -> Seal:
    """备案: the seal gets its registered code (印章编码)."""
    require_roles(actor, SEAL_ADMIN_ROLES)
    with transaction.atomic():
        locked = transition(seal, {SealStatus.MADE}, SealStatus.FILED, "file", actor)
        locked.code = f"{locked.organisation.credit_code}{locked.pk:06d}"
        locked.save(update_fields=["code", "updated_at"])
    return locked


def issue_seal(seal: Seal, *, actor: User) -> Seal:
    """启用: from now on authorised users can stamp with it."""
    require_roles(actor, SEAL_ADMIN_ROLES)
    with transaction.atomic():
        return transition(seal, {SealStatus.FILED}, SealStatus.ISSUED, "issue", actor)


def authorise_user(
    seal: Seal, *, user: User, actor: User, valid_until: datetime | None = None
) -> SealAuthorisation:
    """用印授权: a staff member of the seal's organisation may stamp with it."""
    require_roles(actor, SEAL_APPLICANT_ROLES, seal.organisation)
    if seal.status != SealStatus.ISSUED:
        raise Conflict("只有已启用的印章可以授权", code=SealErrorCode.SEAL_NOT_USABLE)
    if not hasattr(user, "staff_profile") or user.staff_profile.organisation_id != seal.organisation_id:
        raise DomainError(
            SealErrorCode.NOT_IN_SCOPE, "只能授权本单位工作人员用印", {"user": [user.username]}, status=403
        )
    with transaction.atomic():
        grant = SealAuthorisation.objects.create(
            seal=seal, user=user, granted_by=actor, valid_until=valid_until
        )
        audit.record(
            "seal.authorise", actor=actor, obj=seal, detail={"user": user.username, "until": str(valid_until)}
        )
    return grant


def revoke_authorisation(grant: SealAuthorisation, *, actor: User) -> None:
    require_roles(actor, SEAL_APPLICANT_ROLES, grant.seal.organisation)
    with transaction.atomic():
        SealAuthorisation.objects.filter(pk=grant.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        audit.record(
            "seal.authorisation_revoked", actor=actor, obj=grant.seal, detail={"user": grant.user.username}
        )


def revoke_certificate(seal: Seal, reason: str) -> None:
    if seal.issuer_id and seal.certificate_serial:
        RevokedCertificate.objects.get_or_create(
            authority_id=seal.issuer_id,
            serial=seal.certificate_serial,
            defaults={"reason": reason, "revoked_at": timezone.now()},
        )
        # The kept CRL is out of date: the next request issues one with the next CRL number.
        CertificateAuthority.objects.filter(pk=seal.issuer_id).update(crl_der=None, crl_next_update=None)


def report_loss(seal: Seal, *, actor: User, reason: str) -> Seal:
    """挂失: the certificate is revoked; nothing can be stamped with the seal any more."""
    require_roles(actor, SEAL_APPLICANT_ROLES, seal.organisation)
    with transaction.atomic():
        locked = transition(
            seal,
            {SealStatus.ISSUED, SealStatus.FILED, SealStatus.MADE},
            SealStatus.LOST,
            "report_loss",
            actor,
            reason,
        )
        revoke_certificate(locked, "keyCompromise")
    return locked


def destroy_seal(seal: Seal, *, actor: User, reason: str = "") -> Seal:
    """销毁: keys are erased and the certificate revoked."""
    require_roles(actor, SEAL_ADMIN_ROLES)
    with transaction.atomic():
        locked = transition(
            seal,
            {SealStatus.ISSUED, SealStatus.FILED, SealStatus.MADE, SealStatus.LOST, SealStatus.REJECTED},
            SealStatus.DESTROYED,
            "destroy",
            actor,
            reason,
        )
        revoke_certificate(locked, "cessationOfOperation")
        locked.private_key_encrypted = ""
        locked.sm2_private_key_encrypted = ""
        locked.save(update_fields=["private_key_encrypted", "sm2_private_key_encrypted", "updated_at"])
    return locked
