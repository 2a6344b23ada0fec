"""Accounts API: SMS codes, registration, API tokens, the current user."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.security import HttpBasicAuth
from pydantic import Field

from yiwang.accounts import identity, mfa, oidc, services
from yiwang.accounts.errors import AccountErrorCode
from yiwang.accounts.models import (
    AgentAuthorisation,
    AssuranceLevel,
    ClientUserMapping,
    IdentityCheck,
    LegalPerson,
    LoginChannel,
    SmsPurpose,
    User,
    mask_phone,
)
from yiwang.core import audit
from yiwang.core.errors import DomainError, NotFound

router = Router(tags=["accounts"])


class SmsCodeIn(Schema):
    phone: str = Field(min_length=1, max_length=20)
    purpose: SmsPurpose = SmsPurpose.REGISTER


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
    otp: str | None = Field(default=None, max_length=20, description="staff: TOTP or recovery code (MFA)")


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
        assurance_level=services.effective_assurance_level(user),
        assurance_level_label=str(AssuranceLevel(services.effective_assurance_level(user)).label),
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
    user = services.login_check(request, payload.username, payload.password, channel=LoginChannel.API)
    if mfa.mfa_required(user):
        if not payload.otp:
            raise DomainError(
                AccountErrorCode.MFA_REQUIRED,
                "工作人员须提供动态验证码（otp）",
                {"otp": ["必填"]},
                status=401,
            )
        if not mfa.check_token(user, payload.otp):
            audit.record("auth.mfa_failed", actor=user, obj=user, detail={"channel": "api"})
            services.register_login_failure(user.username, user=user, channel=LoginChannel.API, reason="mfa")
            raise DomainError(
                AccountErrorCode.MFA_INVALID, "动态验证码不正确", {"otp": ["动态验证码不正确"]}, status=401
            )
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


# --- login history, recovery ------------------------------------------------------------------------
class LoginRecordOut(Schema):
    occurred_at: datetime
    succeeded: bool
    channel: str
    ip_address: str | None
    reason: str


@router.get("/me/logins", response=list[LoginRecordOut], summary="My recent logins (登录记录)")
def my_logins(request: HttpRequest) -> list[LoginRecordOut]:
    return [
        LoginRecordOut(
            occurred_at=r.occurred_at,
            succeeded=r.succeeded,
            channel=r.channel,
            ip_address=r.ip_address,
            reason=r.reason,
        )
        for r in services.login_history(request.user, 50)  # type: ignore[arg-type]
    ]


class PhoneIn(Schema):
    phone: str = Field(min_length=1, max_length=20)


class RecoverIn(Schema):
    phone: str = Field(min_length=1, max_length=20)
    sms_code: str = Field(min_length=4, max_length=8)
    new_password: str = Field(min_length=1, max_length=128)


@router.post(
    "/recovery/sms", auth=None, response={202: OkOut}, summary="Send an account-recovery code (找回账户)"
)
def recovery_sms(request: HttpRequest, payload: PhoneIn) -> Status[OkOut]:
    services.send_recovery_code(payload.phone)
    return Status(202, OkOut())


@router.post("/recovery", auth=None, response=OkOut, summary="Reset the password with the recovery code")
def recover(request: HttpRequest, payload: RecoverIn) -> OkOut:
    services.recover_account(
        phone=payload.phone, sms_code=payload.sms_code, new_password=payload.new_password
    )
    return OkOut()


# --- identity checks (实名核验) -----------------------------------------------------------------------
class IdentityCheckIn(Schema):
    kind: Literal["bank_card", "face"]
    card_number: str = Field(default="", max_length=30)
    phone: str = Field(default="", max_length=11)
    sample: str = Field(default="match", max_length=40)


class IdentityCheckOut(Schema):
    id: UUID
    kind: str
    status: str
    target_level: int
    reason: str
    assurance_level: int


def _check_out(check: IdentityCheck) -> IdentityCheckOut:
    check.user.refresh_from_db()
    return IdentityCheckOut(
        id=check.public_id,
        kind=check.kind,
        status=check.status,
        target_level=check.target_level,
        reason=check.reason,
        assurance_level=services.effective_assurance_level(check.user),
    )


@router.post("/identity-checks", response={202: IdentityCheckOut}, summary="Start a bank-card or face check")
def start_identity_check(request: HttpRequest, payload: IdentityCheckIn) -> Status[IdentityCheckOut]:
    user: User = request.user  # type: ignore[assignment]
    if payload.kind == "bank_card":
        check = identity.start_bank_card_check(user, card_number=payload.card_number, phone=payload.phone)
    else:
        check = identity.start_face_check(user, sample=payload.sample)
    return Status(202, _check_out(check))


@router.get(
    "/identity-checks/{check_id}", response=IdentityCheckOut, summary="The state of an identity check"
)
def identity_check(request: HttpRequest, check_id: UUID) -> IdentityCheckOut:
    check = (
        IdentityCheck.objects.filter(public_id=check_id, user=request.user)  # type: ignore[misc]
        .select_related("user")
        .first()
    )
    if check is None:
        raise NotFound("核验记录不存在")
    return _check_out(identity.poll_check(check))


# --- agents (代办授权) --------------------------------------------------------------------------------
class AgentIn(Schema):
    company_credit_code: str | None = Field(default=None, max_length=18)
    agent_name: str = Field(min_length=1, max_length=50)
    agent_id_number: str = Field(min_length=1, max_length=30)
    valid_until: datetime
    all_items: bool = False
    items: list[UUID] = []


class AgentOut(Schema):
    id: UUID
    company_credit_code: str
    agent_name: str
    all_items: bool
    items: list[UUID]
    valid_until: datetime
    revoked_at: datetime | None


def _agent_out(a: AgentAuthorisation) -> AgentOut:
    return AgentOut(
        id=a.public_id,
        company_credit_code=a.company.credit_code,
        agent_name=a.agent.real_name,
        all_items=a.all_items,
        items=[i.public_id for i in a.items.all()],
        valid_until=a.valid_until,
        revoked_at=a.revoked_at,
    )


@router.get("/agents", response=list[AgentOut], summary="Agent authorisations of my companies")
def list_agents(request: HttpRequest) -> list[AgentOut]:
    companies = services.companies_managed_by(request.user)  # type: ignore[arg-type]
    qs = AgentAuthorisation.objects.filter(company__in=companies).select_related("company", "agent")
    return [_agent_out(a) for a in qs.prefetch_related("items")]


@router.post("/agents", response={201: AgentOut}, summary="Authorise an agent (代办授权)")
def grant_agent(request: HttpRequest, payload: AgentIn) -> Status[AgentOut]:
    user: User = request.user  # type: ignore[assignment]
    companies = services.companies_managed_by(user)
    company = next(
        (
            c
            for c in companies
            if not payload.company_credit_code or c.credit_code == payload.company_credit_code
        ),
        None,
    )
    if company is None:
        company = LegalPerson.objects.filter(credit_code=payload.company_credit_code or "").first()
        if company is None:
            raise DomainError(
                AccountErrorCode.NOT_LEGAL_REPRESENTATIVE, "您不是任何企业的法定代表人", status=403
            )
    authorisation = services.grant_agent_authorisation(
        user,
        company=company,
        agent_id_number=payload.agent_id_number,
        agent_name=payload.agent_name,
        valid_until=payload.valid_until,
        all_items=payload.all_items,
        item_public_ids=payload.items,
    )
    return Status(201, _agent_out(authorisation))


@router.post("/agents/{agent_id}/revoke", response=AgentOut, summary="Revoke an agent authorisation")
def revoke_agent(request: HttpRequest, agent_id: UUID) -> AgentOut:
    authorisation = AgentAuthorisation.objects.filter(public_id=agent_id).select_related("company").first()
    if authorisation is None:
        raise NotFound("授权不存在")
    return _agent_out(services.revoke_agent_authorisation(request.user, authorisation))  # type: ignore[arg-type]


# --- SSO user mapping (用户映射), called by department systems with their client credentials ---------------
class ClientBasicAuth(HttpBasicAuth):
    def authenticate(self, request: HttpRequest, username: str, password: str) -> Any:
        try:
            return oidc.authenticate_client(username, password)
        except DomainError:
            return None


class MappingIn(Schema):
    sub: str = Field(min_length=1, max_length=64)
    local_user_id: str = Field(min_length=1, max_length=100)


class MappingOut(Schema):
    sub: str
    local_user_id: str
    mapped_at: datetime | None


@router.post(
    "/sso/mappings", auth=ClientBasicAuth(), response=MappingOut, summary="Map a pairwise sub to a local user"
)
def create_mapping(request: HttpRequest, payload: MappingIn) -> MappingOut:
    mapping = oidc.map_user(request.auth, sub=payload.sub, local_user_id=payload.local_user_id)  # type: ignore[attr-defined]
    return MappingOut(
        sub=mapping.pairwise_sub, local_user_id=mapping.local_user_id, mapped_at=mapping.mapped_at
    )


@router.get("/sso/mappings/{sub}", auth=ClientBasicAuth(), response=MappingOut, summary="Look up a mapping")
def get_mapping(request: HttpRequest, sub: str) -> MappingOut:
    mapping = ClientUserMapping.objects.filter(application=request.auth, pairwise_sub=sub).first()  # type: ignore[attr-defined]
    if mapping is None:
        raise NotFound("映射不存在")
    return MappingOut(
        sub=mapping.pairwise_sub, local_user_id=mapping.local_user_id, mapped_at=mapping.mapped_at
    )
