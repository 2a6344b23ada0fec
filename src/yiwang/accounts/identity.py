"""Identity checks (实名核验) through provider interfaces: population base, bank card, face.

Real providers (公安人口库 via the sharing platform, 银联/银行四要素, 活体人脸比对) answer
asynchronously: the platform submits a request, gets a reference (流水号) and later polls for the
answer.  Each kind has a :class:`Protocol`; ``settings.YIWANG_IDENTITY_PROVIDERS`` selects the
implementation.  The simulated providers below behave like real ones — a delay before the answer,
refusals and providers that never answer (timeouts) — with outcomes fixed by the input, so the demo
and the tests can show every path (see docs/identity.md):

* population base: an ID number whose sequence code (digits 15-17) is ``999`` is not found, ``998``
  never answers; any other ID number passes.
* bank card: a card ending in ``0000`` does not match the person, ``9999`` never answers.
* face: the sample ``mismatch`` does not match, ``no_response`` never answers, ``match`` passes.

Before the configured population provider is asked, the platform's own population base
(:mod:`yiwang.bases`) is consulted: a citizen found there with the same name answers at once
(provider ``bases-population``); one found with another name, or deceased, is refused
(:func:`population_base_verdict`); one not found goes to the configured provider as before.

A check is completed by :func:`poll_check`, called by the ``poll_identity_check`` task and by the
status page the person is looking at; a check still pending after its deadline times out.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

from yiwang.accounts.errors import AccountErrorCode
from yiwang.accounts.models import (
    AccountKind,
    AssuranceLevel,
    IdentityCheck,
    IdentityCheckKind,
    IdentityCheckStatus,
    User,
)
from yiwang.accounts.refusals import record_refusal
from yiwang.accounts.roles import roles_of
from yiwang.bases.errors import BasesErrorCode
from yiwang.bases.reads import PersonCheckOutcome, check_person
from yiwang.core import audit
from yiwang.core.errors import CoreErrorCode, DomainError, PermissionDenied

POLL_INTERVAL = timedelta(seconds=5)


class Outcome(StrEnum):
    PENDING = "pending"
    PASSED = "passed"
    FAILED = "failed"


@dataclass(frozen=True)
class ProviderAnswer:
    outcome: Outcome
    reason: str = ""


class PopulationBaseVerifier(Protocol):
    """人口库比对: is there a citizen with this name and ID number?"""

    name: str

    def submit(self, *, real_name: str, id_number: str) -> str: ...

    def poll(self, reference: str) -> ProviderAnswer: ...


class BankCardVerifier(Protocol):
    """银行卡四要素核验: name, ID number, card number and the card's reserved phone."""

    name: str

    def submit(self, *, real_name: str, id_number: str, card_number: str, phone: str) -> str: ...

    def poll(self, reference: str) -> ProviderAnswer: ...


class FaceVerifier(Protocol):
    """活体人脸核验: the live face against the population-base photo of this ID number."""

    name: str

    def submit(self, *, real_name: str, id_number: str, sample: str) -> str: ...

    def poll(self, reference: str) -> ProviderAnswer: ...


# --- simulated providers -------------------------------------------------------------------------
class _Simulated:
    """The reference carries the decided outcome and the submission time, so any process can poll."""

    name = "simulated"

    def _reference(self, outcome: str) -> str:
        return f"sim:{outcome}:{time.time():.3f}:{uuid.uuid4().hex[:12]}"

    def poll(self, reference: str) -> ProviderAnswer:
        try:
            _, outcome, submitted, _ = reference.split(":")
            submitted_at = float(submitted)
        except ValueError:
            return ProviderAnswer(Outcome.FAILED, "无效的核验流水号")
        if (
            outcome == "never"
            or time.time() - submitted_at < settings.YIWANG_IDENTITY_SIMULATED_DELAY_SECONDS
        ):
            return ProviderAnswer(Outcome.PENDING)
        if outcome == "pass":
            return ProviderAnswer(Outcome.PASSED)
        return ProviderAnswer(
            Outcome.FAILED,
            {"notfound": "人口库中未找到该身份信息", "mismatch": "核验信息不一致"}.get(outcome, "核验未通过"),
        )


class SimulatedPopulationBase(_Simulated):
    name = "simulated-population"

    def submit(self, *, real_name: str, id_number: str) -> str:
        sequence = id_number[14:17]
        return self._reference({"999": "notfound", "998": "never"}.get(sequence, "pass"))


class SimulatedBankCard(_Simulated):
    name = "simulated-bank-card"

    def submit(self, *, real_name: str, id_number: str, card_number: str, phone: str) -> str:
        return self._reference({"0000": "mismatch", "9999": "never"}.get(card_number[-4:], "pass"))


class SimulatedFaceCheck(_Simulated):
    name = "simulated-face"

    def submit(self, *, real_name: str, id_number: str, sample: str) -> str:
        return self._reference({"mismatch": "mismatch", "no_response": "never"}.get(sample, "pass"))


class PopulationBaseRecords:
    """人口基础库 The platform's own population base: confirms at once (only used once
    :func:`population_base_verdict` found the citizen with the same name)."""

    name = "bases-population"

    def submit(self, *, real_name: str, id_number: str) -> str:
        return f"bases:{uuid.uuid4().hex[:12]}"

    def poll(self, reference: str) -> ProviderAnswer:
        return ProviderAnswer(Outcome.PASSED)


def population_base_verdict(real_name: str, id_number: str) -> bool:
    """人口库比对 ``True`` when the population base knows this living citizen by this name, ``False``
    when it does not know the ID number; refuses (400) a number registered to another name or to
    a deceased person."""
    verdict = check_person(real_name, id_number)
    if verdict.outcome == PersonCheckOutcome.NAME_MISMATCH:
        raise DomainError(
            AccountErrorCode.IDENTITY_MISMATCH,
            "姓名与人口库中该公民身份号码登记的姓名不一致，请核对后重新填写",
            {"real_name": ["与人口库登记的姓名不一致"]},
        )
    if verdict.outcome == PersonCheckOutcome.DECEASED:
        raise DomainError(
            BasesErrorCode.PERSON_DECEASED,
            "人口库显示该公民身份号码的持有人已死亡，不能以此身份注册",
            {"id_number": ["该身份已注销（死亡）"]},
        )
    return verdict.outcome == PersonCheckOutcome.VERIFIED


def _provider_for(check: IdentityCheck) -> PopulationBaseVerifier | BankCardVerifier | FaceVerifier:
    if check.provider == PopulationBaseRecords.name:
        return PopulationBaseRecords()
    return get_provider(check.kind)


def get_provider(kind: str) -> PopulationBaseVerifier | BankCardVerifier | FaceVerifier:
    provider = import_string(settings.YIWANG_IDENTITY_PROVIDERS[kind])()
    return provider  # type: ignore[no-any-return]


# --- services ------------------------------------------------------------------------------------
def _person(user: User) -> tuple[str, str]:
    person = getattr(user, "natural_person", None)
    if person is None or user.kind != AccountKind.NATURAL:
        raise DomainError(
            AccountErrorCode.LEVEL_NOT_APPLICABLE,
            "该核验方式仅适用于自然人账户；法人请到窗口核验",
            status=403,
        )
    return person.real_name, person.id_number


def _pending_of(user: User, kind: str) -> IdentityCheck | None:
    return IdentityCheck.objects.filter(user=user, kind=kind, status=IdentityCheckStatus.PENDING).first()


def _create_check(
    user: User, kind: str, target: int, provider_name: str, reference: str, masked: str
) -> IdentityCheck:
    with transaction.atomic():
        check = IdentityCheck.objects.create(
            user=user,
            kind=kind,
            target_level=target,
            provider=provider_name,
            reference=reference,
            masked_input=masked,
            deadline=timezone.now() + timedelta(seconds=settings.YIWANG_IDENTITY_CHECK_TIMEOUT_SECONDS),
        )
        audit.record("identity.check_started", actor=user, obj=check, detail={"kind": kind, "target": target})
        check_id = check.pk
        transaction.on_commit(lambda: _enqueue_poll(check_id))
    poll_check(check)  # a provider that answers at once completes the check now
    check.refresh_from_db()
    return check


def _enqueue_poll(check_id: int) -> None:
    poll_identity_check.enqueue(check_id)


def start_population_check(user: User) -> IdentityCheck:
    """人口库比对 → 初级实名 (part of registration)."""
    real_name, id_number = _person(user)
    provider: PopulationBaseVerifier | BankCardVerifier | FaceVerifier = PopulationBaseRecords()
    if not population_base_verdict(real_name, id_number):
        provider = get_provider(IdentityCheckKind.POPULATION)
    reference = provider.submit(real_name=real_name, id_number=id_number)  # type: ignore[call-arg]
    return _create_check(
        user, IdentityCheckKind.POPULATION, AssuranceLevel.PRIMARY, provider.name, reference, ""
    )


def start_bank_card_check(user: User, *, card_number: str, phone: str) -> IdentityCheck:
    """银行卡核验 → 中级实名 (needs 初级实名 first)."""
    real_name, id_number = _person(user)
    _require_primary(user)
    card_number = "".join(ch for ch in card_number if ch.isdigit())
    if not 12 <= len(card_number) <= 19:
        raise DomainError(
            CoreErrorCode.VALIDATION_ERROR, "请输入 12–19 位银行卡号", {"card_number": ["银行卡号格式不正确"]}
        )
    if _pending_of(user, IdentityCheckKind.BANK_CARD):
        raise DomainError(
            AccountErrorCode.IDENTITY_CHECK_PENDING, "已有一项银行卡核验正在进行，请稍候", status=409
        )
    provider = get_provider(IdentityCheckKind.BANK_CARD)
    reference = provider.submit(  # type: ignore[call-arg]
        real_name=real_name, id_number=id_number, card_number=card_number, phone=phone or user.phone
    )
    return _create_check(
        user,
        IdentityCheckKind.BANK_CARD,
        AssuranceLevel.INTERMEDIATE,
        provider.name,
        reference,
        f"尾号 {card_number[-4:]}",
    )


def start_face_check(user: User, *, sample: str) -> IdentityCheck:
    """人脸核验 → 中级实名, or, for an intermediate account, 高级实名 for a limited time (按次)."""
    real_name, id_number = _person(user)
    _require_primary(user)
    if _pending_of(user, IdentityCheckKind.FACE):
        raise DomainError(
            AccountErrorCode.IDENTITY_CHECK_PENDING, "已有一项人脸核验正在进行，请稍候", status=409
        )
    target = (
        AssuranceLevel.ADVANCED
        if user.assurance_level >= AssuranceLevel.INTERMEDIATE
        else AssuranceLevel.INTERMEDIATE
    )
    provider = get_provider(IdentityCheckKind.FACE)
    reference = provider.submit(real_name=real_name, id_number=id_number, sample=sample[:40])  # type: ignore[call-arg]
    return _create_check(user, IdentityCheckKind.FACE, target, provider.name, reference, "")


def _require_primary(user: User) -> None:
    if user.assurance_level < AssuranceLevel.PRIMARY:
        raise DomainError(
            AccountErrorCode.LEVEL_NOT_APPLICABLE, "请先完成人口库比对（初级实名）后再提升等级", status=409
        )


def poll_check(check: IdentityCheck) -> IdentityCheck:
    """Ask the provider for the answer; apply it, or time the check out after its deadline."""
    if check.status != IdentityCheckStatus.PENDING:
        return check
    answer = _provider_for(check).poll(check.reference)
    now = timezone.now()
    if answer.outcome == Outcome.PENDING and now < check.deadline:
        return check
    with transaction.atomic():
        locked = IdentityCheck.objects.select_for_update().select_related("user").get(pk=check.pk)
        if locked.status != IdentityCheckStatus.PENDING:
            return locked
        if answer.outcome == Outcome.PASSED:
            locked.status = IdentityCheckStatus.PASSED
            _apply_level(locked.user, locked.kind, locked.target_level)
        elif answer.outcome == Outcome.FAILED:
            locked.status = IdentityCheckStatus.FAILED
            locked.reason = answer.reason[:200]
        else:
            locked.status = IdentityCheckStatus.TIMEOUT
            locked.reason = "核验服务未在规定时间内答复，请稍后重试"
        locked.completed_at = now
        locked.save(update_fields=["status", "reason", "completed_at", "updated_at"])
        audit.record(
            f"identity.check_{locked.status}",
            actor=locked.user,
            obj=locked,
            detail={"kind": locked.kind, "target": locked.target_level, "reason": locked.reason},
        )
    return locked


@task()
def poll_identity_check(check_id: int) -> str:
    """Poll the provider until the check is answered or times out (re-enqueues itself).

    Defined next to :func:`poll_check` (which it runs) so that starting a check can enqueue it
    without an import circle; :mod:`yiwang.accounts.tasks` lists it with the app's other tasks."""
    check = IdentityCheck.objects.filter(pk=check_id).first()
    if check is None:
        return "missing"
    check = poll_check(check)
    if check.status == IdentityCheckStatus.PENDING:
        backend_supports_later = getattr(poll_identity_check.get_backend(), "supports_defer", False)
        if backend_supports_later:
            poll_identity_check.using(run_after=timezone.now() + POLL_INTERVAL).enqueue(check_id)
    return str(check.status)


def _apply_level(user: User, kind: str, target: int) -> None:
    user = User.objects.select_for_update().get(pk=user.pk)
    fields = ["updated_at"]
    if target == AssuranceLevel.ADVANCED and kind == IdentityCheckKind.FACE:
        user.advanced_until = timezone.now() + timedelta(minutes=settings.YIWANG_ADVANCED_LEVEL_MINUTES)
        fields.append("advanced_until")
    elif user.assurance_level < target:
        user.assurance_level = target
        fields.append("assurance_level")
    if kind == IdentityCheckKind.POPULATION:
        user.natural_person.verified_against_population_base = True
        user.natural_person.save(update_fields=["verified_against_population_base", "updated_at"])
    user.save(update_fields=fields)
    audit.record("account.level_raised", actor=user, obj=user, detail={"kind": kind, "level": target})


def retry_population_check(user: User) -> IdentityCheck:
    """Retry a failed or timed-out population-base check (e.g. after the provider was down)."""
    if user.assurance_level >= AssuranceLevel.PRIMARY:
        raise DomainError(AccountErrorCode.LEVEL_NOT_APPLICABLE, "您已完成人口库比对", status=409)
    if _pending_of(user, IdentityCheckKind.POPULATION):
        raise DomainError(AccountErrorCode.IDENTITY_CHECK_PENDING, "人口库比对正在进行，请稍候", status=409)
    return start_population_check(user)


def verify_at_counter(clerk: User, user: User, *, document_number: str, note: str = "") -> IdentityCheck:
    """窗口核验 → 中级实名: the clerk holds the person's ID card (or the business licence) and types
    its number; it must match the account.  Only window clerks may do this."""
    if "window_clerk" not in roles_of(clerk):
        record_refusal(
            "identity.counter_refused",
            actor=clerk,
            object_type="accounts.User",
            object_id=str(user.public_id),
        )
        raise PermissionDenied("只有窗口人员可以进行窗口核验")
    if user.kind == AccountKind.NATURAL and hasattr(user, "natural_person"):
        expected = user.natural_person.id_number
    elif user.kind == AccountKind.LEGAL and hasattr(user, "legal_person"):
        expected = user.legal_person.credit_code
    else:
        raise DomainError(AccountErrorCode.LEVEL_NOT_APPLICABLE, "该账户不能进行窗口核验", status=409)
    if document_number.strip().upper() != expected.upper():
        record_refusal(
            "identity.counter_mismatch",
            actor=clerk,
            object_type="accounts.User",
            object_id=str(user.public_id),
        )
        raise DomainError(
            AccountErrorCode.IDENTITY_MISMATCH,
            "证件号码与账户登记的信息不一致",
            {"document_number": ["与账户信息不一致，请核对证件"]},
        )
    with transaction.atomic():
        check = IdentityCheck.objects.create(
            user=user,
            kind=IdentityCheckKind.COUNTER,
            status=IdentityCheckStatus.PASSED,
            target_level=AssuranceLevel.INTERMEDIATE,
            provider="counter",
            reason=note[:200],
            deadline=timezone.now(),
            completed_at=timezone.now(),
            verified_by=clerk,
        )
        audit.record(
            "identity.counter_verified", actor=clerk, obj=check, detail={"user": str(user.public_id)}
        )
        _apply_level(user, IdentityCheckKind.COUNTER, AssuranceLevel.INTERMEDIATE)
    return check
