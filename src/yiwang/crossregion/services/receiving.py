"""跨域通办 收件 At the handling instance: a ``crossregion.filing`` package becomes a case of ours.

The exchange calls :func:`receive_filing` inside the transaction that marks the package applied (once
per package id, in order).  The applicant is the local account linked to the upstream identity
``(issuer, sub)`` (created if missing, exactly as at an SSO log-in, :func:`federated_account`); the case
is filed through ``cases.services.file_application`` (the item's own checks: open, online, assurance
level, form, materials) on the channel 跨域通办, and the sender is recorded (:class:`ReceivedFiling`).
A refusal is the package's result (the sender's receipt carries the code and message).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from yiwang.accounts.services import federated_account
from yiwang.cases.models import Case
from yiwang.cases.services import file_application
from yiwang.catalog.models import ServiceItem
from yiwang.core import audit, request_context
from yiwang.core.errors import DomainError
from yiwang.crossregion.errors import CrossregionErrorCode
from yiwang.crossregion.models import TONGBAN_CHANNEL, ReceivedFiling
from yiwang.crossregion.reads import OPEN_ELSEWHERE
from yiwang.crossregion.services.status import announce_filed
from yiwang.exchange.handlers import ReceivedPackage


def _malformed(message: str) -> DomainError:
    return DomainError(CrossregionErrorCode.MALFORMED_FILING, message, status=422)


def _parse(package: ReceivedPackage) -> dict[str, Any]:
    try:
        filing = json.loads(package.entries["filing.json"])
        uuid.UUID(str(filing["filing_id"]))
        uuid.UUID(str(filing["item"]["id"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise _malformed("跨域申请包缺少 filing.json 或内容不完整") from exc
    if not isinstance(filing.get("applicant"), dict) or not isinstance(filing.get("form_data"), dict):
        raise _malformed("跨域申请包缺少申请人或申请表")
    return filing  # type: ignore[no-any-return]


def _result(case: Case) -> dict[str, Any]:
    return {
        "case_number": case.number,
        "case_id": str(case.public_id),
        "status": case.status,
        "status_label": str(case.get_status_display()),
    }


def receive_filing(package: ReceivedPackage) -> dict[str, Any]:
    """The exchange handler of ``crossregion.filing``; returns the case number for the receipt, or the
    refusal (``{"refused": true, "code", "message", "fields"}``).  A refusal is a result, not a refused
    package: the (sender, kind) stream is applied in order, so a refused package would hold back every
    later filing of the sender; what the refused filing wrote is rolled back (its savepoint)."""
    try:
        with transaction.atomic():
            return _receive(package)
    except DomainError as exc:
        audit.record(
            "crossregion.filing_refused",
            object_type="exchange.IncomingPackage",
            object_id=package.package_id,
            detail={"sender": package.sender, "code": str(exc.code)},
        )
        return {"refused": True, "code": str(exc.code), "message": exc.message, "fields": exc.fields or {}}


def _receive(package: ReceivedPackage) -> dict[str, Any]:
    filing = _parse(package)
    filing_id = uuid.UUID(str(filing["filing_id"]))
    earlier = ReceivedFiling.objects.filter(filing_id=filing_id).select_related("case").first()
    if earlier is not None:  # the same filing in a new package (resent by hand): the same case
        if earlier.sender != package.sender:
            raise _malformed("跨域申请标识已被其他节点使用")
        return _result(earlier.case)
    item = ServiceItem.objects.filter(public_id=filing["item"]["id"]).first()
    if item is None or item.tongban_range not in {r.value for r in OPEN_ELSEWHERE}:
        raise DomainError(
            CrossregionErrorCode.ITEM_NOT_OPEN, "该事项不在本地区跨域通办范围内或已撤销", status=409
        )
    identity = filing["applicant"]
    trusted = str(settings.YIWANG_UPSTREAM_OIDC_ISSUER or "").rstrip("/")
    if not trusted or str(identity.get("issuer", "")).rstrip("/") != trusted:
        raise DomainError(
            CrossregionErrorCode.IDENTITY_UNTRUSTED,
            "申请人身份不是本平台信任的统一身份认证签发的",
            status=422,
        )
    applicant = federated_account(trusted, identity)
    files: dict[str, list[SimpleUploadedFile]] = {}
    for listed in filing.get("materials") or []:
        try:
            content = package.entries[str(listed["entry"])]
            name = str(listed["name"])
            material = str(listed["material"])
        except (KeyError, TypeError) as exc:
            raise _malformed("跨域申请包的材料清单与条目不符") from exc
        files.setdefault(material, []).append(SimpleUploadedFile(name, content))
    ctx = request_context.RequestContext(channel=TONGBAN_CHANNEL)
    with request_context.use_context(ctx):
        case, _existed = file_application(
            applicant=applicant,
            item=item,
            form_data=filing["form_data"],
            files=files,
            idempotency_key=f"crossregion:{filing_id}",
        )
    received = ReceivedFiling.objects.create(
        filing_id=filing_id, sender=package.sender, case=case, package_id=uuid.UUID(package.package_id)
    )
    announce_filed(received)  # 申请 (and an at-once decision) happened before the case was known as received
    audit.record(
        "crossregion.filing_received",
        actor=applicant,
        obj=case,
        detail={"sender": package.sender, "filing_id": str(filing_id), "number": case.number},
    )
    return _result(case)
