"""上级身份 Accounts for people and companies the trusted upstream OIDC provider (the province) names.

:func:`sign_in_federated` is called with the claims of an ID token (and userinfo) already verified by
:mod:`yiwang.accounts.upstream`.  It returns the local account linked to ``(issuer, sub)``
(:class:`~yiwang.accounts.models.FederatedIdentity`), linking or creating it at the first log-in:

* a natural person: the local account with the same ID number, else a new one (no password: it
  logs in through the province only);
* a company (``account_kind`` ``legal``): the local company with the same credit code, else a new
  one when its legal representative logs in for it (the representative is linked by his own ``sub``
  from ``acting_agent``); an agent cannot create a company that the city does not know;
* staff accounts are never created or linked this way.

The account's assurance level follows the asserted one (``assurance_level`` and ``acr`` =
``urn:yiwang:loa:<n>``, the lower when both are present), never higher: 高级实名 (3) becomes
中级实名 plus ``advanced_until`` for ``YIWANG_ADVANCED_LEVEL_MINUTES``, like a local face check.  An
existing local account is linked only when the asserted level is at least 初级实名 and at least the
account's own current level (a weaker upstream log-in never takes over a stronger local account).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from yiwang.accounts.errors import AccountErrorCode
from yiwang.accounts.models import (
    AccountKind,
    AssuranceLevel,
    FederatedIdentity,
    LegalPerson,
    LoginChannel,
    NaturalPerson,
    User,
)
from yiwang.accounts.refusals import record_refusal
from yiwang.accounts.services.assurance import effective_assurance_level
from yiwang.accounts.services.login import register_login_success
from yiwang.core import audit
from yiwang.core.errors import DomainError
from yiwang.core.identifiers import IdentifierError, validate_credit_code, validate_id_number

ACR = re.compile(r"^urn:yiwang:loa:([0-3])$")


def asserted_level(claims: Mapping[str, Any]) -> int:
    """The level the provider asserted: ``assurance_level`` and/or ``acr`` (the lower of the two);
    anonymous when neither is a valid level."""
    levels: list[int] = []
    raw = claims.get("assurance_level")
    if isinstance(raw, int) and not isinstance(raw, bool) and 0 <= raw <= 3:
        levels.append(raw)
    match = ACR.match(str(claims.get("acr") or ""))
    if match:
        levels.append(int(match.group(1)))
    return min(levels) if levels else AssuranceLevel.ANONYMOUS


def _refuse(message: str, issuer: str, subject: str, reason: str, status: int = 403) -> DomainError:
    """The refusal (audited by :func:`sign_in_federated` once its transaction is gone)."""
    return DomainError(
        AccountErrorCode.UPSTREAM_LOGIN_REFUSED,
        message,
        {"reason": [reason], "subject": subject[:100], "issuer": issuer[:200]},
        status=status,
    )


def _audit_refusal(exc: DomainError) -> None:
    fields = exc.fields or {}
    record_refusal(
        "federation.login_refused",
        object_type="accounts.FederatedIdentity",
        object_id=str(fields.get("subject") or ""),
        detail={"issuer": str(fields.get("issuer") or ""), "reason": str((fields.get("reason") or [""])[0])},
    )


def _apply_level(user: User, level: int) -> None:
    """The account's level becomes the asserted one (3 → 2 with a limited 高级 window)."""
    stored = min(level, AssuranceLevel.INTERMEDIATE)
    advanced_until = (
        timezone.now() + timedelta(minutes=settings.YIWANG_ADVANCED_LEVEL_MINUTES)
        if level >= AssuranceLevel.ADVANCED
        else None
    )
    if user.assurance_level != stored or user.advanced_until != advanced_until:
        user.assurance_level = stored
        user.advanced_until = advanced_until
        user.save(update_fields=["assurance_level", "advanced_until", "updated_at"])


def _username(issuer: str, subject: str) -> str:
    return "up_" + hashlib.sha256(f"{issuer}\n{subject}".encode()).hexdigest()[:24]


def _free_phone(phone: Any) -> str:
    phone = str(phone or "").strip()
    if len(phone) != 11 or not phone.isdigit():
        return ""
    taken = User.objects.filter(phone=phone).exclude(kind=AccountKind.STAFF).exists()
    return "" if taken else phone


def _new_user(issuer: str, subject: str, kind: str, name: str, phone: Any) -> User:
    user = User(
        username=_username(issuer, subject),
        kind=kind,
        phone=_free_phone(phone),
        display_name=name[:200],
        assurance_level=AssuranceLevel.ANONYMOUS,
    )
    if user.phone:
        user.phone_verified_at = timezone.now()
    user.set_unusable_password()  # it logs in through the upstream provider only
    user.save()
    return user


def _may_take_over(user: User, level: int) -> bool:
    return (
        user.is_active
        and user.kind != AccountKind.STAFF
        and level >= AssuranceLevel.PRIMARY
        and level >= effective_assurance_level(user)
    )


def _person(issuer: str, subject: str, claims: Mapping[str, Any], level: int) -> tuple[User, bool]:
    """The natural person's account: linked by ID number or created; returns (user, created)."""
    try:
        id_number = validate_id_number(str(claims.get("id_number") or "")).normalized
    except IdentifierError as exc:
        raise _refuse(
            "上级身份认证未提供有效的身份证号（需 identity 授权范围）", issuer, subject, "no_id_number"
        ) from exc
    person = NaturalPerson.objects.filter(id_number=id_number).select_related("user").first()
    if person is not None:
        if not _may_take_over(person.user, level):
            raise _refuse(
                "本平台已有该身份证号的账户且认证等级更高：请先在上级平台提升认证等级，或使用本平台账户登录",
                issuer,
                subject,
                "local_account_stronger",
            )
        return person.user, False
    name = str(claims.get("name") or "").strip()[:100]
    if not name:
        raise _refuse("上级身份认证未提供姓名（需 profile 授权范围）", issuer, subject, "no_name")
    user = _new_user(issuer, subject, AccountKind.NATURAL, name, claims.get("phone_number"))
    NaturalPerson.objects.create(
        user=user,
        real_name=name,
        id_number=id_number,
        verified_against_population_base=level >= AssuranceLevel.PRIMARY,
    )
    return user, True


def _company(issuer: str, subject: str, claims: Mapping[str, Any], level: int) -> tuple[User, bool]:
    try:
        credit_code = validate_credit_code(str(claims.get("credit_code") or "")).normalized
    except IdentifierError as exc:
        raise _refuse(
            "上级身份认证未提供有效的统一社会信用代码（需 company 授权范围）",
            issuer,
            subject,
            "no_credit_code",
        ) from exc
    company = LegalPerson.objects.filter(credit_code=credit_code).select_related("user").first()
    if company is not None:
        if not _may_take_over(company.user, level):
            raise _refuse(
                "本平台已有该企业账户且认证等级更高：请先在上级平台提升认证等级",
                issuer,
                subject,
                "local_account_stronger",
            )
        return company.user, False
    raw_agent = claims.get("acting_agent")
    agent: Mapping[str, Any] = raw_agent if isinstance(raw_agent, Mapping) else {}
    if agent.get("role") != "legal_representative" or not agent.get("sub"):
        raise _refuse(
            "该企业尚未在本平台登记：请由法定代表人先通过上级平台登录一次", issuer, subject, "company_unknown"
        )
    agent_claims = {"id_number": claims.get("id_number"), "name": agent.get("name", "")}
    linked = FederatedIdentity.objects.filter(issuer=issuer, subject=str(agent["sub"])).first()
    representative = (
        linked.user
        if linked is not None
        else _link(issuer, str(agent["sub"]), agent_claims, AccountKind.NATURAL, level)
    )
    if getattr(representative, "natural_person", None) is None:
        raise _refuse("法定代表人身份无效", issuer, subject, "representative_invalid")
    name = str(claims.get("company_name") or claims.get("name") or "").strip()[:200]
    user = _new_user(issuer, subject, AccountKind.LEGAL, name, claims.get("phone_number"))
    LegalPerson.objects.create(
        user=user, name=name, credit_code=credit_code, legal_representative=representative.natural_person
    )
    return user, True


def _link(issuer: str, subject: str, claims: Mapping[str, Any], kind: str, level: int) -> User:
    """The account linked to ``(issuer, subject)``, linking or creating it (inside the caller's transaction)."""
    identity = (
        FederatedIdentity.objects.select_for_update()
        .select_related("user")
        .filter(issuer=issuer, subject=subject)
        .first()
    )
    now = timezone.now()
    if identity is not None:
        user = identity.user
        if not user.is_active or user.kind == AccountKind.STAFF:
            raise _refuse("该账户已停用", issuer, subject, "account_disabled")
        identity.asserted_level = level
        identity.last_login_at = now
        identity.save(update_fields=["asserted_level", "last_login_at", "updated_at"])
    else:
        user, created = (_company if kind == AccountKind.LEGAL else _person)(issuer, subject, claims, level)
        if FederatedIdentity.objects.filter(issuer=issuer, user=user).exists():
            raise _refuse(
                "该账户已关联上级平台的另一身份",
                issuer,
                subject,
                "account_linked_to_another_subject",
                status=409,
            )
        identity = FederatedIdentity.objects.create(
            issuer=issuer, subject=subject, user=user, asserted_level=level, last_login_at=now
        )
        audit.record(
            "federation.account_created" if created else "federation.identity_linked",
            actor=user,
            obj=user,
            detail={"issuer": issuer, "asserted_level": level, "kind": user.kind},
        )
    _apply_level(user, level)
    return user


def sign_in_federated(issuer: str, claims: Mapping[str, Any]) -> User:
    """The local account for verified upstream ``claims`` (linked or created), level synchronised,
    the log-in recorded; refuses staff, missing identity data and takeovers of stronger accounts."""
    user = federated_account(issuer, claims)
    audit.record(
        "auth.login",
        actor=user,
        obj=user,
        detail={"channel": LoginChannel.UPSTREAM, "issuer": issuer, "asserted_level": asserted_level(claims)},
    )
    register_login_success(user, channel=LoginChannel.UPSTREAM)
    return user


def federated_account(issuer: str, claims: Mapping[str, Any]) -> User:
    """The local account for ``(issuer, claims["sub"])``, linked or created as at a log-in, without
    logging in (跨域通办: a case filed elsewhere for this person); refusals audited."""
    try:
        return _sign_in(issuer, claims)
    except DomainError as exc:
        _audit_refusal(exc)
        raise


def _sign_in(issuer: str, claims: Mapping[str, Any]) -> User:
    subject = str(claims.get("sub") or "")
    if not issuer or not subject or len(subject) > 255:
        raise _refuse("上级身份认证未提供用户标识", issuer, subject, "no_subject", status=400)
    kind = str(claims.get("account_kind") or AccountKind.NATURAL)
    if kind not in (AccountKind.NATURAL, AccountKind.LEGAL):
        raise _refuse("工作人员账户不能通过上级平台登录本平台", issuer, subject, "staff_not_federated")
    level = asserted_level(claims)
    try:
        with transaction.atomic():
            user = _link(issuer, subject, claims, kind, level)
    except IntegrityError as exc:  # the same first log-in twice at once: the other one won
        raise _refuse("请重新登录", issuer, subject, "concurrent_first_login", status=409) from exc
    return user
