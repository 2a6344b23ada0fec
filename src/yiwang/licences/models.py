"""电子证照 E-licences (GB/T 36901–36905): the licence-type catalogue, issued licences with their
fixed-layout stamped document and SM2-signed data record, the holder's shares and authorisations,
and every use by a department (用证记录)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.core.models import Organisation, TimeStampedModel
from yiwang.core.protected import DigestField, ProtectedCharField, ProtectedJSONField, ProtectedTextField


class TrustLevel(models.TextChoices):
    """材料可信等级 (国办函〔2016〕108号), recorded for every material attached to a case."""

    A = "A", _("A 级：发证机关签发，可直接使用")
    B = "B", _("B 级：经工作人员核验")
    C = "C", _("C 级：用户上传，原件待核验")
    D = "D", _("D 级：申请人自行声明")


class HolderType(models.TextChoices):
    NATURAL = "natural", _("自然人")
    LEGAL = "legal", _("法人或其他组织")


class HolderCodeType(models.TextChoices):
    ID_CARD = "居民身份证", _("居民身份证")
    CREDIT_CODE = "统一社会信用代码", _("统一社会信用代码")
    PASSPORT = "护照", _("护照")
    OTHER = "其他", _("其他")


class LicenceType(TimeStampedModel):
    """证照类型 One entry of the licence catalogue (GB/T 36902).

    ``fields`` is the data schema: ``[{"name", "label", "type", "required"}]`` with type one of
    text / date / number / choice (``choices``).  ``template`` lays out the fixed-layout document:
    ``{"title": ..., "fields": [name, ...]}`` in display order (labels from the schema).
    """

    code = models.CharField(
        max_length=21, unique=True, help_text=_("证照类型代码：主管部门统一社会信用代码 + 3 位")
    )
    name = models.CharField(max_length=100)
    issuing_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="licence_types"
    )
    issuing_department_kind = models.CharField(
        max_length=100,
        blank=True,
        help_text=_("颁发部门类别, e.g. 市场监督管理部门 (when any such body issues it)"),
    )
    holder_type = models.CharField(max_length=10, choices=HolderType.choices)
    fields = models.JSONField(default=list)
    validity_years = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=_("有效期（年）；空为长期有效")
    )
    template = models.JSONField(default=dict)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("证照类型")
        verbose_name_plural = _("证照类型")

    def __str__(self) -> str:
        return self.name

    @property
    def ministry_code(self) -> str:
        return self.code[:18]


class LicenceStatus(models.TextChoices):
    VALID = "valid", _("有效")
    SUSPENDED = "suspended", _("暂停")
    REVOKED = "revoked", _("已注销")
    SUPERSEDED = "superseded", _("已变更（旧版本）")
    EXPIRED = "expired", _("已过期")


class LicenceSerial(models.Model):
    """流水号计数器 The last serial given per type, issuing body and year (locked when used)."""

    licence_type = models.ForeignKey(LicenceType, on_delete=models.CASCADE, related_name="+")
    issuer = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["licence_type", "issuer", "year"], name="licences_unique_serial_counter"
            )
        ]

    def __str__(self) -> str:
        return f"{self.licence_type_id}/{self.issuer_id}/{self.year}: {self.last}"


class Licence(TimeStampedModel):
    """电子证照 One version of an issued (or imported) licence.

    The canonical JSON of the data record (GB/T 36903 metadata + the type's fields) is signed with
    the issuing body's seal (SM2-with-SM3); the fixed-layout PDF (GB/T 36905) is stamped with the
    same seal (PAdES).  A change creates a new version and supersedes this one.
    """

    licence_type = models.ForeignKey(LicenceType, on_delete=models.PROTECT, related_name="licences")
    identifier = models.CharField(max_length=120, unique=True)
    serial = models.CharField(max_length=40)
    version = models.PositiveSmallIntegerField(default=1)
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_version"
    )
    holder_name = models.CharField(max_length=200)
    # The holder's ID number or credit code, encrypted at rest (core.protected); looked up by digest.
    holder_code = ProtectedCharField(max_length=40)
    holder_code_digest = DigestField(source="holder_code", canonical="code", db_index=True)
    holder_code_type = models.CharField(max_length=20, choices=HolderCodeType.choices)
    holder_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="licences"
    )
    issuer = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="licences"
    )
    issuer_name = models.CharField(max_length=200)
    issuer_code = models.CharField(max_length=18)
    region_code = models.CharField(max_length=12, blank=True)
    data = ProtectedJSONField(default=dict)  # the holder's data (personal data: encrypted at rest)
    issued_on = models.DateField()
    valid_from = models.DateField()
    valid_until = models.DateField(null=True, blank=True, help_text=_("空为长期有效"))
    status = models.CharField(
        max_length=12, choices=LicenceStatus.choices, default=LicenceStatus.VALID, db_index=True
    )
    status_reason = models.CharField(max_length=500, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    document = models.FileField(upload_to="licences/%Y/%m/", blank=True)
    document_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    record_json = ProtectedTextField(help_text=_("the canonical JSON that was signed"))
    data_signature = models.CharField(max_length=128, help_text=_("SM2-with-SM3 r‖s over record_json"))
    signer_public_key = models.CharField(max_length=128, help_text=_("SM2 public key that signed the record"))
    seal = models.ForeignKey(
        "seals.Seal", null=True, blank=True, on_delete=models.PROTECT, related_name="licences"
    )
    source_case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="licences"
    )
    imported = models.BooleanField(default=False)
    source_platform = models.CharField(max_length=200, blank=True)
    lock_version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-issued_on", "-pk"]
        verbose_name = _("电子证照")
        verbose_name_plural = _("电子证照")
        indexes = [models.Index(fields=["licence_type", "holder_code_digest"])]

    def __str__(self) -> str:
        return f"{self.licence_type.name} {self.identifier}"


class LicenceEvent(models.Model):
    """证照生命周期记录 One immutable lifecycle step (issue, change, suspend, resume, revoke, expire)."""

    licence = models.ForeignKey(Licence, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=20)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=500, blank=True)
    occurred_at = models.DateTimeField()

    class Meta:
        ordering = ["licence", "occurred_at", "pk"]

    def __str__(self) -> str:
        return f"{self.licence_id} {self.action}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise RuntimeError("Licence events are immutable")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class LicenceShare(TimeStampedModel):
    """亮证分享 A time-limited link for a third party; only the token's SHA-256 is stored."""

    licence = models.ForeignKey(Licence, on_delete=models.CASCADE, related_name="shares")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    view_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"share {self.public_id} of {self.licence_id}"


class LicenceShareView(models.Model):
    """One opening of a share link (who cannot be known; when and from where can)."""

    share = models.ForeignKey(LicenceShare, on_delete=models.CASCADE, related_name="views")
    viewed_at = models.DateTimeField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-viewed_at"]

    def __str__(self) -> str:
        return f"{self.share_id} {self.viewed_at}"


class LicenceUseConsent(TimeStampedModel):
    """用证授权 The holder authorises an organisation to use one licence, or every licence of a type."""

    holder_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="licence_consents"
    )
    holder_code = ProtectedCharField(max_length=40)
    holder_code_digest = DigestField(source="holder_code", canonical="code", db_index=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="licence_consents")
    licence = models.ForeignKey(
        Licence, null=True, blank=True, on_delete=models.CASCADE, related_name="consents"
    )
    licence_type = models.ForeignKey(
        LicenceType, null=True, blank=True, on_delete=models.CASCADE, related_name="consents"
    )
    valid_until = models.DateField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(licence__isnull=False) | models.Q(licence_type__isnull=False),
                name="licences_consent_names_licence_or_type",
            )
        ]

    def __str__(self) -> str:
        return f"{self.holder_code} → {self.organisation_id}"


class LicenceUseRecord(models.Model):
    """用证记录 Every use of a licence by a department: who, why, on what basis, for which case."""

    public_id = models.UUIDField(unique=True, editable=False)
    licence = models.ForeignKey(Licence, on_delete=models.PROTECT, related_name="uses")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(max_length=300)
    legal_basis = models.CharField(max_length=300, blank=True)
    consent = models.ForeignKey(
        LicenceUseConsent, null=True, blank=True, on_delete=models.PROTECT, related_name="uses"
    )
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    trust_level = models.CharField(max_length=1, choices=TrustLevel.choices, default=TrustLevel.A)
    used_at = models.DateTimeField()

    class Meta:
        ordering = ["-used_at"]
        indexes = [models.Index(fields=["licence", "used_at"])]

    def __str__(self) -> str:
        return f"{self.licence_id} used by {self.organisation_id}"
