"""一证通办 Materials taken from the e-licence store instead of being uploaded.

A material declared in the catalogue as "e-licence of type X" (``Material.source_kind = licence``
with ``licence_type_code``) is, when the applicant holds a currently valid licence of that type:

* attached automatically when the material names a legal basis for the use
  (``Material.licence_legal_basis``);
* otherwise attached only when the holder authorises the use with the application
  (``licence_authorisations``: the public ids of the licences, the "授权使用" checkbox);
* otherwise (or when the applicant has no valid licence of the type) asked for as an upload.

A file the applicant uploads for the material always wins: nothing is fetched for it.  Every use is
logged through :func:`yiwang.licences.services.use_licence_for_case` with the case number and
purpose; the attached :class:`CaseMaterial` keeps the licence, its identifier, the use record and
trust level A.  Authorising a licence that is revoked, suspended, expired or not the applicant's is
refused with a clear 4xx before anything is stored.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.cases.errors import CaseErrorCode
from yiwang.cases.models import DEFAULT_TRUST_LEVEL, Case, CaseMaterial, CaseMaterialSource
from yiwang.catalog.models import Material, MaterialSourceKind
from yiwang.core.errors import Conflict, DomainError
from yiwang.licences import services as licence_services
from yiwang.licences.models import Licence, LicenceStatus

FIELD = "licence_authorisations"


@dataclass(frozen=True)
class LicenceOffer:
    """For the apply page: a licence material and the applicant's current licence of its type."""

    material: Material
    licence: Licence | None
    automatic: bool  # the material has a legal basis: attached without asking

    @property
    def needs_authorisation(self) -> bool:
        return self.licence is not None and not self.automatic


@dataclass(frozen=True)
class LicenceChoice:
    """One material that will be taken from the licence store at submission."""

    material: Material
    licence: Licence
    legal_basis: str
    authorised: bool


def is_licence_material(material: Material) -> bool:
    return material.source_kind == MaterialSourceKind.LICENCE and bool(material.licence_type_code.strip())


def current_licence(applicant: User, licence_type_code: str) -> Licence | None:
    """The applicant's newest licence of the type that is valid today and whose record verifies."""
    today = timezone.localdate()
    candidates = (
        licence_services.wallet(applicant)
        .filter(licence_type__code=licence_type_code.strip().upper(), status=LicenceStatus.VALID)
        .exclude(valid_until__lt=today)
        .exclude(valid_from__gt=today)
    )
    for licence in candidates[:5]:
        if licence_services.data_ok(licence):
            return licence
    return None


def offers(applicant: User, materials: Iterable[Material]) -> list[LicenceOffer]:
    """What the apply page shows next to each e-licence material."""
    found = []
    for material in materials:
        if is_licence_material(material):
            found.append(
                LicenceOffer(
                    material=material,
                    licence=current_licence(applicant, material.licence_type_code),
                    automatic=bool(material.licence_legal_basis.strip()),
                )
            )
    return found


def parse_authorisations(raw: Any) -> list[str]:
    """``licence_authorisations`` from a form or JSON: a list, or one comma-separated string."""
    if raw in (None, ""):
        return []
    values = raw if isinstance(raw, list | tuple) else str(raw).split(",")
    result = []
    for value in values:
        text = str(value).strip()
        if not text:
            continue
        try:
            result.append(str(uuid.UUID(text)))
        except ValueError as exc:
            raise DomainError(
                CaseErrorCode.LICENCE_AUTHORISATION_INVALID,
                "授权使用的电子证照标识不正确",
                {FIELD: [text[:60]]},
            ) from exc
    return result


def plan(
    applicant: User,
    materials: Sequence[Material],
    uploaded_material_ids: Collection[int],
    authorisations: Collection[str],
) -> list[LicenceChoice]:
    """Decide, before anything is stored, which materials come from the licence store.

    ``materials`` are the applicable materials (情形引导 applied); ``authorisations`` the public ids
    of the licences the holder ticked.  Raises 404-like 400 for a licence that is not the
    applicant's, 409 for one that is not currently valid, 400 for one no material asks for.
    """
    licence_materials = [m for m in materials if is_licence_material(m)]
    authorised: dict[str, Licence] = {}
    if authorisations:
        held = {
            str(licence.public_id): licence
            for licence in licence_services.wallet(applicant).filter(public_id__in=list(authorisations))
        }
        wanted_codes = {m.licence_type_code.strip().upper() for m in licence_materials}
        for public_id in authorisations:
            licence = held.get(public_id)
            if licence is None:
                raise DomainError(
                    CaseErrorCode.LICENCE_AUTHORISATION_INVALID,
                    "授权使用的电子证照不存在或不属于申请人",
                    {FIELD: [public_id]},
                )
            status = licence_services.effective_status(licence)
            if status != LicenceStatus.VALID or not licence_services.data_ok(licence):
                raise Conflict(
                    f"电子证照“{licence.licence_type.name}”当前状态为“{licence_services.status_label(status)}”，"
                    "不能使用，请上传该材料",
                    code=CaseErrorCode.LICENCE_NOT_USABLE,
                    fields={FIELD: [public_id]},
                )
            if licence.licence_type.code not in wanted_codes:
                raise DomainError(
                    CaseErrorCode.LICENCE_AUTHORISATION_INVALID,
                    "该事项的申请材料不需要此类电子证照",
                    {FIELD: [public_id]},
                )
            authorised[licence.licence_type.code] = licence
    choices = []
    for material in licence_materials:
        if material.pk in uploaded_material_ids:
            continue  # the applicant chose to upload it
        code = material.licence_type_code.strip().upper()
        basis = material.licence_legal_basis.strip()
        if basis:
            licence = current_licence(applicant, code)
            if licence is not None:
                choices.append(LicenceChoice(material, licence, basis, authorised=code in authorised))
        elif code in authorised:
            choices.append(LicenceChoice(material, authorised[code], "", authorised=True))
    return choices


def _document(licence: Licence) -> tuple[bytes, str, str]:
    """The stamped PDF, or (an imported licence without one) its verified data record."""
    if licence.document:
        with licence.document.open("rb") as handle:
            return handle.read(), "application/pdf", f"{licence.identifier}.pdf"
    return licence.record_json.encode(), "application/json", f"{licence.identifier}.json"


def attach(
    case: Case, choices: Sequence[LicenceChoice], *, actor: User, stored: list[str], correction_round: int = 0
) -> list[CaseMaterial]:
    """Use each chosen licence for ``case`` (logged) and attach it as a material (inside the case's
    transaction; file names go to ``stored`` so a failed transaction removes them)."""
    attached = []
    for choice in choices:
        licence = choice.licence
        record = licence_services.use_licence_for_case(
            licence,
            case=case,
            actor=actor,
            purpose=f"办理“{case.item.name}”：{choice.material.name}",
            legal_basis=choice.legal_basis,
            authorised=choice.authorised,
        )
        content, content_type, name = _document(licence)
        material = CaseMaterial(
            case=case,
            material=choice.material,
            material_name=choice.material.name,
            original_name=name,
            content_type=content_type,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            correction_round=correction_round,
            uploaded_by=actor,
            source=CaseMaterialSource.E_LICENCE,
            trust_level=DEFAULT_TRUST_LEVEL[CaseMaterialSource.E_LICENCE],
            licence=licence,
            licence_identifier=licence.identifier,
            licence_use=record,
        )
        material.file.save(
            f"{uuid.uuid4().hex}{'.pdf' if content_type == 'application/pdf' else '.json'}",
            ContentFile(content),
            save=False,
        )
        stored.append(str(material.file.name))
        material.save()
        attached.append(material)
    return attached


def summary(choices: Iterable[LicenceChoice]) -> list[Mapping[str, str]]:
    """For the case's first event: which licences were used and on what basis."""
    return [
        {
            "material": choice.material.name,
            "licence": choice.licence.identifier,
            "basis": "legal_basis" if choice.legal_basis else "authorised",
        }
        for choice in choices
    ]
