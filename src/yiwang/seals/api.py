"""E-seal API (/api/v1/seals): lifecycle for seal administrators, stamping for authorised staff,
public verification of stamped PDFs and the CAs' revocation lists."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile as NinjaUploadedFile
from pydantic import Field

from yiwang.accounts.models import User
from yiwang.accounts.services import staff_roles
from yiwang.core.errors import CoreErrorCode, DomainError, NotFound, PermissionDenied
from yiwang.core.models import Organisation
from yiwang.core.paging import PageIn
from yiwang.seals import services
from yiwang.seals.actions import allowed_actions
from yiwang.seals.errors import SealErrorCode
from yiwang.seals.models import CertificateAuthority, Seal, SealType, StampRecord

router = Router(tags=["seals"])
MAX_PDF_BYTES = 20 * 1024 * 1024


class SealOut(Schema):
    id: UUID
    name: str
    seal_type: str
    status: str
    status_label: str
    organisation: str
    code: str | None
    certificate_serial: str
    sm2_public_key: str
    valid_until: datetime | None
    lock_version: int


class SealDetailOut(SealOut):
    allowed_actions: list[str] = Field(
        default_factory=list,
        description="What the caller may do with the seal now (review_approve, make, stamp, destroy, ...)",
    )


class SealIn(Schema):
    organisation_id: UUID
    name: str = Field(min_length=1, max_length=200)
    seal_type: SealType = SealType.OFFICIAL
    purpose: str = Field(default="", max_length=300)


class SealReviewIn(Schema):
    approve: bool
    comment: str = Field(default="", max_length=1000)


class SealReasonIn(Schema):
    reason: str = Field(min_length=1, max_length=500)


class AuthoriseIn(Schema):
    username: str = Field(min_length=1, max_length=150)
    valid_until: datetime | None = None


class StampOut(Schema):
    id: UUID
    seal: str
    user: str
    document_sha256: str
    signed_sha256: str
    reason: str
    reference: str
    stamped_at: datetime


class SealSignatureOut(Schema):
    field_name: str
    ok: bool
    intact: bool
    valid: bool
    trusted: bool
    revoked: bool
    covers_whole_document: bool
    signer: str
    signed_at: datetime | None
    seal_id: str | None
    seal_name: str
    organisation: str


class SealVerificationOut(Schema):
    ok: bool
    error: str
    signatures: list[SealSignatureOut]


class TrustedCaIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    pem: str = Field(min_length=1, max_length=20000)


class AuthorityOut(Schema):
    id: UUID
    name: str
    kind: str
    fingerprint_sha256: str


def _user(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not staff_roles(user):
        raise PermissionDenied("仅工作人员可管理电子印章")
    return user


def _visible(user: User) -> QuerySet[Seal]:
    qs = Seal.objects.select_related("organisation")
    if "admin" in staff_roles(user):
        return qs
    return qs.filter(organisation_id=user.staff_profile.organisation_id)


def _seal(user: User, seal_id: UUID) -> Seal:
    seal = _visible(user).filter(public_id=seal_id).first()
    if seal is None:
        raise NotFound("印章不存在")
    return seal


def _out(seal: Seal) -> SealOut:
    return SealOut(
        id=seal.public_id,
        name=seal.name,
        seal_type=seal.seal_type,
        status=seal.status,
        status_label=str(seal.get_status_display()),
        organisation=seal.organisation.name,
        code=seal.code,
        certificate_serial=seal.certificate_serial,
        sm2_public_key=seal.sm2_public_key,
        valid_until=seal.valid_until,
        lock_version=seal.lock_version,
    )


def _pdf_bytes(upload: UploadedFile) -> bytes:
    if (upload.size or 0) > MAX_PDF_BYTES:
        raise DomainError(
            SealErrorCode.INVALID_PDF, "文件超过 20 MB 上限", {"file": ["文件过大"]}, status=413
        )
    return upload.read()


@router.get("", response=list[SealOut], summary="Seals of my organisation (all for seal administrators)")
def list_seals(request: HttpRequest) -> list[SealOut]:
    return [_out(seal) for seal in _visible(_user(request)).order_by("organisation__name", "name")[:500]]


@router.post("", response={201: SealOut}, summary="Apply for a seal (申请)")
def apply(request: HttpRequest, payload: SealIn) -> Status[SealOut]:
    organisation = Organisation.objects.filter(public_id=payload.organisation_id).first()
    if organisation is None:
        raise NotFound("机构不存在")
    seal = services.apply_for_seal(
        organisation=organisation,
        name=payload.name,
        seal_type=payload.seal_type,
        purpose=payload.purpose,
        actor=_user(request),
    )
    return Status(201, _out(seal))


@router.get("/{uuid:seal_id}", response=SealDetailOut, summary="Seal detail")
def detail(request: HttpRequest, seal_id: UUID) -> SealDetailOut:
    user = _user(request)
    seal = _seal(user, seal_id)
    return SealDetailOut(**_out(seal).model_dump(), allowed_actions=sorted(allowed_actions(user, seal)))


@router.post("/{uuid:seal_id}/review", response=SealOut, summary="Review (审核)")
def review(request: HttpRequest, seal_id: UUID, payload: SealReviewIn) -> SealOut:
    user = _user(request)
    return _out(
        services.review_seal(
            _seal(user, seal_id), actor=user, approve=payload.approve, comment=payload.comment
        )
    )


@router.post("/{uuid:seal_id}/make", response=SealOut, summary="Make (制作): keys, certificate, appearance")
def make(request: HttpRequest, seal_id: UUID, image: NinjaUploadedFile | None = File(None)) -> SealOut:
    user = _user(request)
    image_png = image.read() if image is not None else None
    return _out(services.make_seal(_seal(user, seal_id), actor=user, image_png=image_png))


@router.post("/{uuid:seal_id}/file", response=SealOut, summary="File (备案)")
def file_(request: HttpRequest, seal_id: UUID) -> SealOut:
    user = _user(request)
    return _out(services.file_seal(_seal(user, seal_id), actor=user))


@router.post("/{uuid:seal_id}/issue", response=SealOut, summary="Issue (启用)")
def issue(request: HttpRequest, seal_id: UUID) -> SealOut:
    user = _user(request)
    return _out(services.issue_seal(_seal(user, seal_id), actor=user))


@router.post(
    "/{uuid:seal_id}/authorisations", response={201: SealOut}, summary="Authorise a user to stamp (用印授权)"
)
def authorise(request: HttpRequest, seal_id: UUID, payload: AuthoriseIn) -> Status[SealOut]:
    user = _user(request)
    seal = _seal(user, seal_id)
    target = User.objects.filter(username=payload.username).first()
    if target is None:
        raise DomainError(CoreErrorCode.VALIDATION_ERROR, "用户不存在", {"username": ["未找到"]}, status=404)
    services.authorise_user(seal, user=target, actor=user, valid_until=payload.valid_until)
    return Status(201, _out(seal))


@router.post("/{uuid:seal_id}/report-loss", response=SealOut, summary="Report loss (挂失)")
def report_loss(request: HttpRequest, seal_id: UUID, payload: SealReasonIn) -> SealOut:
    user = _user(request)
    return _out(services.report_loss(_seal(user, seal_id), actor=user, reason=payload.reason))


@router.post("/{uuid:seal_id}/destroy", response=SealOut, summary="Destroy (销毁)")
def destroy(request: HttpRequest, seal_id: UUID, payload: SealReasonIn) -> SealOut:
    user = _user(request)
    return _out(services.destroy_seal(_seal(user, seal_id), actor=user, reason=payload.reason))


@router.post(
    "/{uuid:seal_id}/stamp", summary="Stamp a PDF with the visible seal (用印); returns the signed PDF"
)
def stamp(
    request: HttpRequest,
    seal_id: UUID,
    file: NinjaUploadedFile = File(...),
    reason: str = Form(..., min_length=1, max_length=200),
    reference: str = Form("", max_length=100),
) -> HttpResponse:
    user = _user(request)
    signed = services.stamp_pdf(
        _seal(user, seal_id), _pdf_bytes(file), user=user, reason=reason, reference=reference
    )
    response = HttpResponse(signed, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="stamped.pdf"'
    return response


@router.get("/{uuid:seal_id}/stampings", response=list[StampOut], summary="Stamping log (用印记录)")
def stampings(request: HttpRequest, seal_id: UUID, paging: Query[PageIn]) -> list[StampOut]:
    seal = _seal(_user(request), seal_id)
    records = paging.window(StampRecord.objects.filter(seal=seal).select_related("user"))
    return [
        StampOut(
            id=r.public_id,
            seal=seal.name,
            user=str(r.user) if r.user else "系统",
            document_sha256=r.document_sha256,
            signed_sha256=r.signed_sha256,
            reason=r.reason,
            reference=r.reference,
            stamped_at=r.stamped_at,
        )
        for r in records
    ]


@router.post("/verify", auth=None, response=SealVerificationOut, summary="Verify the seals on a PDF (public)")
def verify(request: HttpRequest, file: NinjaUploadedFile = File(...)) -> SealVerificationOut:
    report = services.verify_pdf(_pdf_bytes(file))
    return SealVerificationOut(
        ok=report.ok,
        error=report.error,
        signatures=[SealSignatureOut(ok=s.ok, **s.__dict__) for s in report.signatures],
    )


@router.get("/authorities/{uuid:authority_id}/crl", auth=None, summary="Certificate revocation list (DER)")
def crl(request: HttpRequest, authority_id: UUID) -> HttpResponse:
    authority = CertificateAuthority.objects.filter(public_id=authority_id).first()
    if authority is None or not authority.private_key_encrypted:
        raise NotFound("CA 不存在")
    return HttpResponse(services.crl_der(authority), content_type="application/pkix-crl")


@router.post(
    "/trusted-authorities", response={201: AuthorityOut}, summary="Trust another platform's CA (互认)"
)
def trust(request: HttpRequest, payload: TrustedCaIn) -> Status[AuthorityOut]:
    authority = services.import_trusted_ca(payload.pem, name=payload.name, actor=_user(request))
    return Status(
        201,
        AuthorityOut(
            id=authority.public_id,
            name=authority.name,
            kind=authority.kind,
            fingerprint_sha256=authority.fingerprint_sha256,
        ),
    )
