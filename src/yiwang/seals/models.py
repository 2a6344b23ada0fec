"""E-seals (电子印章): the platform CA, seals with their keys and certificates, lifecycle events,
authorised users and every stamping."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.core.models import Organisation, TimeStampedModel


class AuthorityKind(models.TextChoices):
    ROOT = "root", _("根 CA")
    INTERMEDIATE = "intermediate", _("中级 CA")
    EXTERNAL = "external", _("外部信任 CA（互认）")


class CertificateAuthority(TimeStampedModel):
    """证书认证机构 The platform's own root and intermediate CA, and imported trusted CAs."""

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=15, choices=AuthorityKind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    certificate_pem = models.TextField()
    private_key_encrypted = models.TextField(
        blank=True, help_text=_("AES-GCM encrypted PKCS#8; empty for imported CAs")
    )
    fingerprint_sha256 = models.CharField(max_length=64, unique=True)
    crl_number = models.PositiveIntegerField(default=0, help_text=_("number of the last CRL issued"))
    crl_der = models.BinaryField(null=True, blank=True, help_text=_("the last CRL issued (DER)"))
    crl_next_update = models.DateTimeField(null=True, blank=True)
    is_trusted = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "created_at"]
        verbose_name = _("证书认证机构")
        verbose_name_plural = _("证书认证机构")

    def __str__(self) -> str:
        return f"{self.name}（{self.get_kind_display()}）"


class SealType(models.TextChoices):
    OFFICIAL = "official", _("公章")
    ADMINISTRATIVE_APPROVAL = "approval", _("行政审批专用章")
    CONTRACT = "contract", _("合同专用章")
    FINANCE = "finance", _("财务专用章")
    CERTIFICATE = "certificate", _("证照专用章")


class SealStatus(models.TextChoices):
    APPLIED = "applied", _("已申请")
    APPROVED = "approved", _("审核通过")
    REJECTED = "rejected", _("审核不通过")
    MADE = "made", _("已制作")
    FILED = "filed", _("已备案")
    ISSUED = "issued", _("已启用")
    LOST = "lost", _("已挂失")
    DESTROYED = "destroyed", _("已销毁")


class Seal(TimeStampedModel):
    """电子印章 An organisation's e-seal: an ECDSA P-256 key and certificate for PDF stamping (PAdES)
    and an SM2 key for signatures over data records (SM2-with-SM3)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="seals")
    name = models.CharField(max_length=200)
    seal_type = models.CharField(max_length=20, choices=SealType.choices, default=SealType.OFFICIAL)
    status = models.CharField(
        max_length=15, choices=SealStatus.choices, default=SealStatus.APPLIED, db_index=True
    )
    code = models.CharField(
        max_length=40, unique=True, null=True, blank=True, help_text=_("印章编码, set at filing")
    )
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(max_length=300, blank=True)
    certificate_pem = models.TextField(blank=True)
    certificate_serial = models.CharField(max_length=64, blank=True, db_index=True)
    issuer = models.ForeignKey(
        CertificateAuthority, null=True, blank=True, on_delete=models.PROTECT, related_name="seals"
    )
    private_key_encrypted = models.TextField(blank=True)
    sm2_public_key = models.CharField(max_length=128, blank=True)
    sm2_private_key_encrypted = models.TextField(blank=True)
    appearance_pdf = models.FileField(upload_to="seals/appearance/", blank=True)
    image = models.FileField(upload_to="seals/images/", blank=True, help_text=_("uploaded seal image (PNG)"))
    valid_until = models.DateTimeField(null=True, blank=True)
    lock_version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["organisation__name", "name"]
        verbose_name = _("电子印章")
        verbose_name_plural = _("电子印章")

    def __str__(self) -> str:
        return f"{self.organisation.name} · {self.name}"


class SealEvent(models.Model):
    """印章生命周期记录 One immutable lifecycle step."""

    seal = models.ForeignKey(Seal, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=30)
    from_status = models.CharField(max_length=15, blank=True)
    to_status = models.CharField(max_length=15)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(blank=True)
    occurred_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["seal", "occurred_at", "pk"]

    def __str__(self) -> str:
        return f"{self.seal_id} {self.action}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise RuntimeError("Seal events are immutable")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class SealAuthorisation(TimeStampedModel):
    """用印授权 A user allowed to stamp with a seal until a date."""

    seal = models.ForeignKey(Seal, on_delete=models.CASCADE, related_name="authorisations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="seal_authorisations"
    )
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    valid_until = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["seal", "user"])]

    def __str__(self) -> str:
        return f"{self.user} → {self.seal}"


class StampRecord(models.Model):
    """用印记录 Every stamping: who, which seal, which document (hashes before and after), why."""

    public_id = models.UUIDField(unique=True, editable=False)
    seal = models.ForeignKey(Seal, on_delete=models.PROTECT, related_name="stampings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    document_sha256 = models.CharField(max_length=64)
    signed_sha256 = models.CharField(max_length=64)
    reason = models.CharField(max_length=300)
    reference = models.CharField(max_length=100, blank=True, help_text=_("case number, licence id, ..."))
    stamped_at = models.DateTimeField()

    class Meta:
        ordering = ["-stamped_at"]

    def __str__(self) -> str:
        return f"{self.seal_id} {self.document_sha256[:12]}"


class RevokedCertificate(models.Model):
    """A certificate revoked by one of our CAs, published in its CRL."""

    authority = models.ForeignKey(CertificateAuthority, on_delete=models.PROTECT, related_name="revocations")
    serial = models.CharField(max_length=64)
    reason = models.CharField(max_length=30)
    revoked_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["authority", "serial"], name="seals_unique_revocation")
        ]

    def __str__(self) -> str:
        return f"{self.authority_id}:{self.serial}"
