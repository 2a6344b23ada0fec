"""Accounts API: SMS codes, registration, API tokens, the current user."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from yiwang.accounts import services
from yiwang.accounts.models import AssuranceLevel, SmsPurpose, User, mask_phone

router = Router(tags=["accounts"])


class SmsCodeIn(Schema):
    phone: str = Field(min_length=1, max_length=20)
    purpose: str = SmsPurpose.REGISTER


class RegisterIn(Schema):
    username: str = Field(min_length=3, max_length=50, pattern=r"^[A-Za-z0-9_.@-]+$")
    password: str = Field(min_length=1, max_length=128)
    real_name: str = Field(min_length=1, max_length=50)
    id_number: str = Field(min_length=1, max_length=30)
    phone: str = Field(min_length=1, max_length=20)
    sms_code: str = Field(min_length=4, max_length=8)


class TokenIn(Schema):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=128)


class TokenOut(Schema):
    token: str
    token_type: str = "Bearer"  # noqa: S105 - the OAuth token type name
    expires_in_days: int


class MeOut(Schema):
    id: UUID
    username: str
    kind: str
    display_name: str
    phone: str
    assurance_level: int
    assurance_level_label: str
    roles: list[str]


class OkOut(Schema):
    ok: bool = True


def _me(user: User) -> MeOut:
    return MeOut(
        id=user.public_id,
        username=user.username,
        kind=user.kind,
        display_name=str(user),
        phone=mask_phone(user.phone),
        assurance_level=user.assurance_level,
        assurance_level_label=str(AssuranceLevel(user.assurance_level).label),
        roles=sorted(services.staff_roles(user)),
    )


@router.post("/sms-codes", auth=None, response={202: OkOut}, summary="Send an SMS verification code")
def send_sms_code(request: HttpRequest, payload: SmsCodeIn) -> Status[OkOut]:
    services.send_verification_code(payload.phone, payload.purpose)
    return Status(202, OkOut())


@router.post("/register", auth=None, response={201: MeOut}, summary="Register a natural person (初级实名)")
def register(request: HttpRequest, payload: RegisterIn) -> Status[MeOut]:
    user = services.register_natural_person(**payload.dict())
    return Status(201, _me(user))


@router.post(
    "/token", auth=None, response={201: TokenOut}, summary="Exchange username/password for a bearer token"
)
def create_token(request: HttpRequest, payload: TokenIn) -> Status[TokenOut]:
    user = services.login_check(request, payload.username, payload.password)
    token = services.issue_api_token(user)
    return Status(201, TokenOut(token=token, expires_in_days=services.API_TOKEN_LIFETIME.days))


@router.delete("/token", response=OkOut, summary="Revoke the bearer token used for this request")
def revoke_token(request: HttpRequest) -> OkOut:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        services.revoke_api_token(request.user, header.split(" ", 1)[1].strip())  # type: ignore[arg-type]
    return OkOut()


@router.get("/me", response=MeOut, summary="The current user")
def me(request: HttpRequest) -> MeOut:
    return _me(request.user)  # type: ignore[arg-type]
