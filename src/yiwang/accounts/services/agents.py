"""Legal persons and their agents (法人、代办授权): company registration, granting and checking authorisations.

Authorised service items belong to the catalog; they are resolved through the authorisation's own
relation, so accounts does not depend on the catalog app.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from yiwang.accounts.errors import AccountErrorCode
from yiwang.accounts.models import (
    AccountKind,
    AgentAuthorisation,
    AssuranceLevel,
    LegalPerson,
    NaturalPerson,
    SmsPurpose,
    User,
)
from yiwang.accounts.reads import companies_managed_by
from yiwang.accounts.refusals import record_refusal
from yiwang.accounts.services.assurance import effective_assurance_level, upgrade_url
from yiwang.accounts.services.registration import create_legal_person_account
from yiwang.accounts.services.sms_codes import check_verification_code
from yiwang.core import audit
from yiwang.core.errors import CoreErrorCode, DomainError
from yiwang.core.identifiers import validate_id_number, validate_phone


def register_company(
    representative: User,
    *,
    username: str,
    password: str,
    name: str,
    credit_code: str,
    phone: str,
    sms_code: str,
) -> User:
    """法人注册 A verified natural person registers the company he legally represents.

    The representative must have at least 初级实名 (checked against the population base); the
    company starts at the representative's level, at most 中级实名.
    """
    person = getattr(representative, "natural_person", None)
    if person is None or representative.kind != AccountKind.NATURAL:
        raise DomainError(
            AccountErrorCode.NOT_LEGAL_REPRESENTATIVE, "只有自然人账户可以作为法定代表人注册企业", status=403
        )
    if effective_assurance_level(representative) < AssuranceLevel.PRIMARY:
        record_refusal("account.company_refused", actor=representative, detail={"reason": "level"})
        raise DomainError(
            AccountErrorCode.REPRESENTATIVE_NOT_VERIFIED,
            "法定代表人须先完成实名认证（初级及以上）",
            {"upgrade_url": upgrade_url(AssuranceLevel.PRIMARY)},
            status=403,
        )
    phone = validate_phone(phone)
    check_verification_code(phone, sms_code, SmsPurpose.REGISTER)
    return create_legal_person_account(
        username=username,
        password=password,
        name=name,
        credit_code=credit_code,
        legal_representative=person,
        phone=phone,
        assurance_level=min(int(representative.assurance_level), AssuranceLevel.INTERMEDIATE),
        actor=representative,
    )


def require_company_manager(actor: User, company: LegalPerson) -> None:
    if company.pk not in {c.pk for c in companies_managed_by(actor)}:
        record_refusal(
            "agent.manage_refused",
            actor=actor,
            object_type="accounts.LegalPerson",
            object_id=company.credit_code,
        )
        raise DomainError(
            AccountErrorCode.NOT_LEGAL_REPRESENTATIVE,
            "只有企业本身或其法定代表人可以管理代办授权",
            status=403,
        )


def authorised_item_model() -> Any:
    """The service-item model an authorisation may name (the catalog's, through the relation)."""
    return AgentAuthorisation.items.rel.model


def grant_agent_authorisation(
    actor: User,
    *,
    company: LegalPerson,
    agent_id_number: str,
    agent_name: str,
    valid_until: Any,
    all_items: bool = False,
    item_public_ids: Sequence[Any] = (),
) -> AgentAuthorisation:
    """代办授权 The company (or its legal representative) authorises a registered natural person."""
    require_company_manager(actor, company)
    id_info = validate_id_number(agent_id_number)
    agent = NaturalPerson.objects.filter(id_number=id_info.normalized).select_related("user").first()
    if agent is None or agent.real_name != agent_name.strip():
        raise DomainError(
            AccountErrorCode.AGENT_INVALID,
            "代办人须是已注册的自然人，且姓名与身份证号一致",
            {"agent_id_number": ["未找到该代办人或姓名不一致"]},
        )
    if effective_assurance_level(agent.user) < AssuranceLevel.PRIMARY:
        raise DomainError(
            AccountErrorCode.AGENT_INVALID, "代办人须先完成实名认证", {"agent_id_number": ["代办人未实名"]}
        )
    if valid_until <= timezone.now():
        raise DomainError(
            CoreErrorCode.VALIDATION_ERROR, "授权有效期须晚于当前时间", {"valid_until": ["须晚于当前时间"]}
        )
    items: list[Any] = []
    if not all_items:
        wanted = {str(pid) for pid in item_public_ids if str(pid).strip()}
        if not wanted:
            raise DomainError(
                CoreErrorCode.VALIDATION_ERROR, "请选择授权事项，或授权全部事项", {"items": ["至少一项"]}
            )
        try:
            items = list(authorised_item_model().objects.filter(public_id__in=wanted))
        except (ValueError, DjangoValidationError) as exc:
            raise DomainError(
                CoreErrorCode.VALIDATION_ERROR, "事项编号不正确", {"items": ["事项编号不正确"]}
            ) from exc
        if len(items) != len(wanted):
            raise DomainError(
                CoreErrorCode.VALIDATION_ERROR, "部分授权事项不存在", {"items": ["部分事项不存在"]}
            )
    with transaction.atomic():
        authorisation = AgentAuthorisation.objects.create(
            company=company, agent=agent, all_items=all_items, valid_until=valid_until, granted_by=actor
        )
        if items:
            authorisation.items.set(items)
        audit.record(
            "agent.authorised",
            actor=actor,
            obj=authorisation,
            detail={
                "company": company.credit_code,
                "agent": str(agent.user.public_id),
                "all_items": all_items,
                "items": [str(i.public_id) for i in items],
                "valid_until": valid_until.isoformat(),
            },
        )
    return authorisation


def revoke_agent_authorisation(actor: User, authorisation: AgentAuthorisation) -> AgentAuthorisation:
    """撤销代办授权 Effective at once, for every channel and every connected system."""
    require_company_manager(actor, authorisation.company)
    with transaction.atomic():
        locked = AgentAuthorisation.objects.select_for_update().get(pk=authorisation.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at", "updated_at"])
            audit.record(
                "agent.revoked", actor=actor, obj=locked, detail={"company": locked.company.credit_code}
            )
    return locked


def active_authorisations(agent: User, company: LegalPerson) -> QuerySet[AgentAuthorisation]:
    return AgentAuthorisation.objects.filter(
        company=company,
        agent__user=agent,
        revoked_at__isnull=True,
        valid_until__gt=timezone.now(),
    )


def check_agent_may_act(
    agent: User, company: User | LegalPerson, item: Any = None
) -> AgentAuthorisation | None:
    """代办校验 May ``agent`` act in ``company``'s name (for ``item``, if given)?

    The legal representative may always act (returns ``None``); an agent needs an authorisation
    that is neither revoked nor expired and covers the item (returns it).  Anything else is refused
    with ``agent_not_authorised`` (403) and an audit record.
    """
    legal = company.legal_person if isinstance(company, User) else company
    person = getattr(agent, "natural_person", None)
    if person is not None and legal.legal_representative_id == person.pk:
        return None
    for authorisation in active_authorisations(agent, legal).prefetch_related("items"):
        if item is None or authorisation.all_items:
            return authorisation
        allowed = {i.pk for i in authorisation.items.all()}
        if item.pk in allowed or (getattr(item, "revision_of_id", None) in allowed):
            return authorisation
    record_refusal(
        "agent.refused",
        actor=agent,
        object_type="accounts.LegalPerson",
        object_id=legal.credit_code,
        detail={"item": str(getattr(item, "public_id", "")) if item is not None else ""},
    )
    raise DomainError(
        AccountErrorCode.AGENT_NOT_AUTHORISED,
        f"您没有以“{legal.name}”名义办理该事项的有效授权（可能未授权、已过期或已撤销）",
        {"company": [legal.credit_code]},
        status=403,
    )
