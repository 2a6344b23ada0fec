"""Account creation (开户): natural persons, legal persons, staff, self-registration and walk-in applicants."""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from yiwang.accounts import identity
from yiwang.accounts.errors import AccountErrorCode
from yiwang.accounts.models import (
    THREE_ADMIN_ROLES,
    AccountKind,
    AssuranceLevel,
    LegalPerson,
    NaturalPerson,
    SmsPurpose,
    StaffProfile,
    StaffRole,
    StaffRoleAssignment,
    User,
)
from yiwang.accounts.reads import applicant_identity, find_applicant
from yiwang.accounts.services.assurance import company_assurance_level
from yiwang.accounts.services.sms_codes import check_verification_code
from yiwang.bases.errors import BasesErrorCode
from yiwang.bases.reads import CompanyCheckOutcome, check_company
from yiwang.core import audit
from yiwang.core.errors import CoreErrorCode, DomainError
from yiwang.core.identifiers import (
    IdentifierError,
    validate_credit_code,
    validate_id_number,
    validate_phone,
)
from yiwang.core.models import Organisation


def validate_new_password(password: str, user: User | None = None) -> None:
    """Refuse (``weak_password``) a password the password policy does not accept."""
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise DomainError(
            AccountErrorCode.WEAK_PASSWORD, "密码不符合要求", {"password": list(exc.messages)}
        ) from exc


def refuse_if_taken(
    taken: bool, code: AccountErrorCode, message: str, field: str, field_message: str
) -> None:
    """409 ``code`` on ``field`` when the identifier is already registered."""
    if taken:
        raise DomainError(code, message, {field: [field_message]}, status=409)


def create_user_account(
    *, username: str, password: str, kind: str, phone: str, display_name: str, assurance_level: int
) -> User:
    """The login account itself: a free username and phone, a password the policy accepts."""
    refuse_if_taken(
        User.objects.filter(username=username).exists(),
        AccountErrorCode.USERNAME_TAKEN,
        "用户名已被使用",
        "username",
        "用户名已被使用",
    )
    refuse_if_taken(
        bool(phone)
        and kind != AccountKind.STAFF
        and User.objects.filter(phone=phone).exclude(kind=AccountKind.STAFF).exists(),
        AccountErrorCode.PHONE_TAKEN,
        "手机号已注册",
        "phone",
        "手机号已注册",
    )
    user = User(
        username=username,
        kind=kind,
        phone=phone,
        display_name=display_name,
        assurance_level=assurance_level,
        phone_verified_at=timezone.now() if phone else None,
    )
    validate_new_password(password, user)
    user.set_password(password)
    user.save()
    return user


def create_natural_person_account(
    *,
    username: str,
    password: str,
    real_name: str,
    id_number: str,
    phone: str,
    assurance_level: int = AssuranceLevel.PRIMARY,
    actor: User | None = None,
) -> User:
    """Create a natural-person account (自然人) with a verified real name."""
    id_info = validate_id_number(id_number)
    phone = validate_phone(phone)
    real_name = real_name.strip()
    if not real_name:
        raise DomainError(CoreErrorCode.VALIDATION_ERROR, "请填写真实姓名", {"real_name": ["必填"]})
    try:
        with transaction.atomic():
            refuse_if_taken(
                NaturalPerson.objects.filter(id_number=id_info.normalized).exists(),
                AccountErrorCode.ID_NUMBER_TAKEN,
                "该身份证号已注册",
                "id_number",
                "该身份证号已注册",
            )
            user = create_user_account(
                username=username,
                password=password,
                kind=AccountKind.NATURAL,
                phone=phone,
                display_name=real_name,
                assurance_level=assurance_level,
            )
            NaturalPerson.objects.create(user=user, real_name=real_name, id_number=id_info.normalized)
            audit.record(
                "account.natural_created", actor=actor, obj=user, detail={"assurance_level": assurance_level}
            )
    except IntegrityError as exc:  # a concurrent registration took the same username/phone/ID
        raise DomainError(AccountErrorCode.USERNAME_TAKEN, "账户信息已被注册", status=409) from exc
    return user


def create_legal_person_account(
    *,
    username: str,
    password: str,
    name: str,
    credit_code: str,
    legal_representative: NaturalPerson,
    phone: str,
    assurance_level: int = AssuranceLevel.PRIMARY,
    actor: User | None = None,
) -> User:
    """Create a legal-person account (法人) bound to its legal representative.

    The legal-person base is consulted (:func:`check_against_legal_person_base`): a company it
    confirms may get its representative's current level up to 高级实名; one it does not know keeps
    ``assurance_level``."""
    code = validate_credit_code(credit_code).normalized
    phone = validate_phone(phone)
    if check_against_legal_person_base(code, name, legal_representative):
        assurance_level = company_assurance_level(assurance_level, legal_representative.user)
    with transaction.atomic():
        refuse_if_taken(
            LegalPerson.objects.filter(credit_code=code).exists(),
            AccountErrorCode.CREDIT_CODE_TAKEN,
            "该统一社会信用代码已注册",
            "credit_code",
            "已注册",
        )
        user = create_user_account(
            username=username,
            password=password,
            kind=AccountKind.LEGAL,
            phone=phone,
            display_name=name,
            assurance_level=assurance_level,
        )
        LegalPerson.objects.create(
            user=user, name=name, credit_code=code, legal_representative=legal_representative
        )
        audit.record(
            "account.legal_created",
            actor=actor,
            obj=user,
            detail={"credit_code": code, "assurance_level": assurance_level},
        )
    return user


def check_against_legal_person_base(credit_code: str, name: str, representative: NaturalPerson) -> bool:
    """法人库比对 ``True`` when the legal-person base confirms an active (存续/在业) company of this
    name represented by this person; ``False`` when it does not know the code (or the company moved
    away); refuses a revoked or cancelled company, another company's name, or another representative."""
    verdict = check_company(
        credit_code,
        name,
        representative_name=representative.real_name,
        representative_id_number=representative.id_number,
    )
    if verdict.outcome == CompanyCheckOutcome.CLOSED:
        raise DomainError(
            BasesErrorCode.COMPANY_CLOSED,
            "法人库显示该统一社会信用代码对应的单位已被吊销或注销，不能注册法人账户",
            {"credit_code": ["该单位已吊销或注销"]},
        )
    if verdict.outcome == CompanyCheckOutcome.NAME_MISMATCH:
        raise DomainError(
            BasesErrorCode.COMPANY_NAME_MISMATCH,
            f"单位名称与法人库登记的名称（{verdict.registered_name}）不一致，请核对营业执照",
            {"name": ["与法人库登记的名称不一致"]},
        )
    if verdict.outcome == CompanyCheckOutcome.NOT_REPRESENTATIVE:
        raise DomainError(
            AccountErrorCode.NOT_LEGAL_REPRESENTATIVE,
            "法人库登记的法定代表人不是您，只有法定代表人本人可以注册法人账户",
            {"credit_code": ["法定代表人与法人库登记不一致"]},
            status=403,
        )
    return verdict.outcome == CompanyCheckOutcome.VERIFIED


def create_staff_account(
    *,
    username: str,
    password: str,
    real_name: str,
    organisation: Organisation,
    roles: Sequence[str],
    phone: str = "",
    is_superuser: bool = False,
    actor: User | None = None,
) -> User:
    """Create a staff account (工作人员) in an organisation with the given roles."""
    unknown = [role for role in roles if role not in StaffRole.values]
    if unknown:
        raise DomainError(
            CoreErrorCode.VALIDATION_ERROR, f"未知角色：{', '.join(unknown)}", {"roles": unknown}
        )
    if len(set(roles) & THREE_ADMIN_ROLES) > 1:
        raise DomainError(
            AccountErrorCode.ROLE_SEPARATION,
            "系统管理员、安全管理员、安全审计员三个角色不得由同一人兼任",
            {"roles": list(roles)},
            status=409,
        )
    if phone:
        phone = validate_phone(phone)
    with transaction.atomic():
        user = create_user_account(
            username=username,
            password=password,
            kind=AccountKind.STAFF,
            phone=phone,
            display_name=real_name,
            assurance_level=AssuranceLevel.INTERMEDIATE,
        )
        if is_superuser or set(roles) & THREE_ADMIN_ROLES:
            user.is_staff = True
            user.is_superuser = is_superuser
            user.save(update_fields=["is_staff", "is_superuser", "updated_at"])
        profile = StaffProfile.objects.create(user=user, organisation=organisation, real_name=real_name)
        StaffRoleAssignment.objects.bulk_create(
            [StaffRoleAssignment(staff=profile, role=role) for role in roles]
        )
        audit.record(
            "account.staff_created",
            actor=actor,
            obj=user,
            detail={"organisation": organisation.name, "roles": list(roles)},
        )
    return user


def register_natural_person(
    *, username: str, password: str, real_name: str, id_number: str, phone: str, sms_code: str
) -> User:
    """Self-registration (注册): SMS-verified phone + ID number, checked against the population base.

    The account starts anonymous (匿名); the population-base check (人口库比对) raises it to 初级实名
    when the provider confirms the name and ID number — at once if the provider answers at once,
    otherwise when the check task or the user's status page polls the answer.
    """
    validate_id_number(id_number)
    phone = validate_phone(phone)
    validate_new_password(password, User(username=username, display_name=real_name))
    check_verification_code(phone, sms_code, SmsPurpose.REGISTER)
    # After the SMS code, so that the population base cannot be probed without a phone: refuses a
    # number registered to another name or to a deceased person.
    identity.population_base_verdict(real_name.strip(), id_number)
    user = create_natural_person_account(
        username=username,
        password=password,
        real_name=real_name,
        id_number=id_number,
        phone=phone,
        assurance_level=AssuranceLevel.ANONYMOUS,
    )
    identity.start_population_check(user)
    user.refresh_from_db()
    return user


# --- walk-in applicants (现场办理的线下申请人) ---------------------------------------------------------
def _identity_invalid(message: str, field: str, value: str) -> DomainError:
    return DomainError(AccountErrorCode.APPLICANT_IDENTITY_INVALID, message, {field: [value]})


def walk_in_applicant(*, clerk: User, name: str, id_number: str, phone: str = "") -> User:
    """The account a walk-in application is filed for: the existing citizen or company, or a new
    offline applicant record (线下申请人).

    The clerk checked the identity document in person; the name must match the one on record.  A new
    record is a natural-person account with no password (it cannot log in) and no online assurance
    level, marked as not verified against the population base.  The caller checks the clerk's role.
    """
    name = (name or "").strip()
    if not name:
        raise _identity_invalid("请填写申请人姓名", "applicant_name", "必填")
    existing = find_applicant(id_number)
    if existing is not None:
        if applicant_identity(existing)[0] != name:
            raise _identity_invalid(
                "申请人姓名与该证件号码登记的姓名不一致，请核对证件", "applicant_name", "与登记信息不一致"
            )
        return existing
    value = (id_number or "").strip().upper()
    try:
        number = validate_id_number(value).normalized
    except IdentifierError as exc:
        try:
            validate_credit_code(value)
        except IdentifierError:
            raise _identity_invalid(str(exc), "applicant_id_number", str(exc)) from exc
        raise _identity_invalid(
            "该单位尚未注册法人账户，请引导其先办理法人注册",
            "applicant_id_number",
            "未注册的统一社会信用代码",
        ) from exc
    phone = (phone or "").strip()
    if phone and (len(phone) != 11 or not phone.isdigit()):
        raise _identity_invalid("手机号不正确", "applicant_phone", phone[:20])
    if phone and User.objects.filter(phone=phone).exclude(kind=AccountKind.STAFF).exists():
        phone = ""  # the number belongs to another account: notify nobody rather than the wrong person
    try:
        with transaction.atomic():
            user = User(
                username=f"offline_{number}_{secrets.token_hex(3)}",
                kind=AccountKind.NATURAL,
                phone=phone,
                display_name=name,
                assurance_level=AssuranceLevel.ANONYMOUS,
            )
            user.set_unusable_password()
            user.save()
            NaturalPerson.objects.create(
                user=user, real_name=name, id_number=number, verified_against_population_base=False
            )
            audit.record(
                "account.offline_applicant_created", actor=clerk, obj=user, detail={"channel": "window"}
            )
    except IntegrityError:  # registered a moment ago by someone else
        existing = find_applicant(number)
        if existing is None:
            raise
        return existing
    return user
