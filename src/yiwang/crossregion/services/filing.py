"""跨域通办 提交 Filing a case here for a peer's item: checked here against the item as the peer described
it, sent as one signed exchange package ``crossregion.filing``, numbered by the peer.

The package (docs/crossregion.md) holds ``filing.json`` — the filing id, the item, the form data, the
applicant (name, ID number, the subject the peer sees for this person through SSO with its issuer,
assurance level, phone) and the list of materials — and one entry per file (``materials/<n>``).
It is pushed at once (here, or by the exchange's on-commit task, which the request waits a little for:
``YIWANG_CROSSREGION_WAIT_SECONDS``, 10); when the peer cannot be reached the exchange retries
(``exchange_sync``) and :func:`settle_pending` (run by ``crossregion_refresh``) reads the receipt later.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from oauth2_provider.models import get_application_model

from yiwang.accounts.models import AccountKind, User
from yiwang.accounts.oidc import subject_for
from yiwang.accounts.services import applicant_identity, effective_assurance_level
from yiwang.cases.uploads import check_upload
from yiwang.catalog.forms import validate_submission
from yiwang.core import audit
from yiwang.core.errors import DomainError
from yiwang.crossregion.errors import CrossregionErrorCode
from yiwang.crossregion.models import RemoteCase, RemoteCaseState, RemoteItem
from yiwang.exchange.models import OutgoingPackage, OutgoingState
from yiwang.exchange.services import build_package, push_package

logger = logging.getLogger("yiwang.crossregion")
FILING_KIND = "crossregion.filing"


def _identity(user: User, item: RemoteItem, issuer: str) -> dict[str, Any]:
    """The applicant as the handling instance will know them: the subject its SSO client sees."""
    if user.kind not in (AccountKind.NATURAL, AccountKind.LEGAL):
        raise DomainError(CrossregionErrorCode.FORBIDDEN, "工作人员账户不能申请办件", status=403)
    application = (
        get_application_model().objects.filter(client_id=item.region.sso_client_id).first()
        if item.region.sso_client_id
        else None
    )
    if application is None or not issuer:
        raise DomainError(
            CrossregionErrorCode.IDENTITY_UNAVAILABLE,
            "该地区平台尚未接入本平台统一身份认证，暂不能跨域申请",
            status=409,
        )
    name, _id_type, id_number = applicant_identity(user)
    identity: dict[str, Any] = {
        "issuer": issuer,
        "sub": subject_for(application, user),
        "account_kind": user.kind,
        "name": name,
        "id_number": id_number,
        "phone_number": user.phone,
        "assurance_level": effective_assurance_level(user),
    }
    if user.kind == AccountKind.LEGAL:
        identity.update(company_name=name, credit_code=id_number)
        representative = user.legal_person.legal_representative
        identity["id_number"] = representative.id_number
        identity["acting_agent"] = {
            "sub": subject_for(application, representative.user),
            "name": representative.real_name,
            "role": "legal_representative",
        }
    return identity


def _check_materials(
    item: RemoteItem, files: Mapping[str, Sequence[UploadedFile]]
) -> list[tuple[dict[str, Any], Any]]:
    """Every file checked like the portal's uploads; every mandatory material present."""
    materials = {m["id"]: m for m in item.materials}
    checked: list[tuple[dict[str, Any], Any]] = []
    for key, uploads in files.items():
        material = materials.get(str(key))
        if material is None:
            raise DomainError(
                CrossregionErrorCode.UNKNOWN_MATERIAL, "上传的材料不属于该事项", {str(key): ["未知材料"]}
            )
        checked.extend((material, check_upload(upload, str(key))) for upload in uploads)
    present = {material["id"] for material, _ in checked}
    missing = {
        m["id"]: [f"缺少必要材料：{m['name']}"]
        for m in item.materials
        if m["mandatory"] and m["id"] not in present
    }
    if missing:
        names = "、".join(m["name"] for m in item.materials if m["id"] in missing)
        raise DomainError(CrossregionErrorCode.MISSING_MATERIALS, f"以下必要材料尚未上传：{names}", missing)
    return checked


def file_remote_case(
    *,
    applicant: User,
    item: RemoteItem,
    form_data: Mapping[str, Any],
    files: Mapping[str, Sequence[UploadedFile]],
    issuer: str,
) -> RemoteCase:
    """Check, build the signed filing package and the :class:`RemoteCase`, push it; the case comes back
    registered with the peer's number, refused with its reason, or still sending (retried)."""
    if not item.available or not item.region.node.active:
        raise DomainError(CrossregionErrorCode.ITEM_NOT_OPEN, "该事项暂不支持跨域办理", status=409)
    identity = _identity(applicant, item, issuer)
    clean = validate_submission(item.form_definition, form_data, error_code=CrossregionErrorCode.FORM_INVALID)
    checked = _check_materials(item, files)
    filing_id = uuid.uuid4()
    entries: dict[str, bytes] = {}
    listed = []
    for n, (material, upload) in enumerate(checked, start=1):
        name = f"materials/{n}.{upload.extension}"
        upload.upload.seek(0)
        entries[name] = upload.upload.read()
        listed.append(
            {"entry": name, "material": material["id"], "name": upload.original_name, "sha256": upload.sha256}
        )
    filing = {
        "filing_id": str(filing_id),
        "item": {"id": str(item.remote_id), "code": item.code, "name": item.name},
        "form_data": clean,
        "applicant": identity,
        "materials": listed,
        "submitted_at": timezone.now().isoformat(),
    }
    entries["filing.json"] = json.dumps(filing, ensure_ascii=False, sort_keys=True).encode()
    with transaction.atomic():
        package = build_package(FILING_KIND, item.region.node, entries, actor=applicant)
        case = RemoteCase.objects.create(
            public_id=filing_id,
            item=item,
            applicant=applicant,
            package=package,
            form_data=clean,
            submitted_at=timezone.now(),
        )
        audit.record(
            "crossregion.case_filed",
            actor=applicant,
            obj=case,
            detail={"node": item.region.node.node_id, "item": item.code, "materials": len(listed)},
        )
    _deliver(package)
    return settle(case)


def _deliver(package: OutgoingPackage) -> None:
    """Push now — or, when the exchange pushes on commit (a task), wait a little for that push: two
    senders of one package at once would race (the exchange's ``_claim`` admits a second sender)."""
    if not getattr(settings, "YIWANG_EXCHANGE_PUSH_ON_COMMIT", True):
        try:
            push_package(package)
        except DomainError as exc:  # e.g. a receipt that does not verify: the sync job tries again
            logger.warning(
                "crossregion filing package %s not settled now: %s", package.public_id, exc.message
            )
        return
    deadline = time.monotonic() + float(getattr(settings, "YIWANG_CROSSREGION_WAIT_SECONDS", 10))
    while time.monotonic() < deadline:
        state = OutgoingPackage.objects.filter(pk=package.pk).values_list("state", flat=True).first()
        if state in (OutgoingState.APPLIED, OutgoingState.REFUSED, OutgoingState.FAILED):
            return
        time.sleep(0.2)


def settle(case: RemoteCase) -> RemoteCase:
    """Read the package's receipt: the peer's case number, or the refusal and its reason."""
    if case.state != RemoteCaseState.SENDING or case.package_id is None:
        return case
    package = OutgoingPackage.objects.get(pk=case.package_id)
    if package.state not in (OutgoingState.APPLIED, OutgoingState.REFUSED):
        return case
    receipt = package.receipt or {}
    with transaction.atomic():
        locked = RemoteCase.objects.select_for_update().get(pk=case.pk)
        if locked.state != RemoteCaseState.SENDING:
            return locked
        raw = receipt.get("result")
        result: dict[str, Any] = raw if isinstance(raw, dict) else {}
        if package.state == OutgoingState.APPLIED and result.get("case_number") and not result.get("refused"):
            locked.state = RemoteCaseState.REGISTERED
            locked.number = str(result["case_number"])[:60]
            locked.remote_case_id = str(result.get("case_id", ""))[:36]
            if not locked.status:
                locked.status = str(result.get("status", ""))[:30]
                locked.status_label = str(result.get("status_label", ""))[:60]
        else:
            locked.state = RemoteCaseState.REFUSED
            answer = result if result.get("refused") else receipt
            locked.refused_code = str(answer.get("code") or "refused")[:60]
            reason = answer.get("message") or package.last_error or "对方未受理登记"
            locked.refused_reason = str(reason)[:500]
        locked.save(
            update_fields=[
                "state",
                "number",
                "remote_case_id",
                "status",
                "status_label",
                "refused_code",
                "refused_reason",
                "updated_at",
            ]
        )
        audit.record(
            "crossregion.case_settled",
            obj=locked,
            detail={"state": locked.state, "number": locked.number, "code": locked.refused_code},
        )
    return locked


def settle_pending() -> int:
    """Settle every case still sending whose package has closed (after retries by ``exchange_sync``)."""
    pending = RemoteCase.objects.filter(
        state=RemoteCaseState.SENDING, package__state__in=[OutgoingState.APPLIED, OutgoingState.REFUSED]
    )
    return sum(1 for case in pending if settle(case).state != RemoteCaseState.SENDING)
