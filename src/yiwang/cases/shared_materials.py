"""一证通办 on shared data: materials filled from the sharing gateway, forms prefilled from the bases,
and the unattended 秒批 of an item whose decision table needs only shared data.

A catalogue material declared as shared data (``Material.source_kind = shared``) names the resource
it is filled from (``shared_resource_code``: a resource code, or a provider service key such as
``bases.population`` that stands for the published resource served by it) and the fields
(``shared_fields``; empty: every field the platform is granted).

The platform calls the gateway as the handling department's system: the department's
:data:`PLATFORM_CONSUMER` (a ``sharing.GatewayConsumer`` of that organisation, with its grants).
No consumer, no published resource, or a resource about another kind of subject: the material is
asked for as an upload (:func:`plan`).  Otherwise the material is filled inside the filing
transaction once the case has its number (:func:`fill`): one ``call_resource`` per material with
purpose "办理<事项>" and the case number, so the call log and the subject's 我的数据被谁使用 name the
case.  A refused call (no grant, subject not found, quota) leaves the material out — the case is
filed, the refusal stays logged, the applicant is told to supply it when the clerk asks (补正) —
never a 500.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from xml.etree import ElementTree

from django.core.files.base import ContentFile
from django.utils import timezone

from yiwang.accounts.models import AccountKind, User
from yiwang.accounts.services import applicant_identity
from yiwang.cases.models import DEFAULT_TRUST_LEVEL, Case, CaseMaterial, CaseMaterialSource
from yiwang.catalog.models import Material, MaterialSourceKind, ServiceItem
from yiwang.catalog.services.validation import register_shared_source_check
from yiwang.sharing.models import GatewayConsumer, Resource, ResourceStatus, SubjectKind
from yiwang.sharing.services import GatewayRefusal, call_resource, published_fields
from yiwang.workflow.models import ProcessDefinition

PLATFORM_CONSUMER = "一网通办平台"
DMN_NS = "{https://www.omg.org/spec/DMN/20191111/MODEL/}"


@dataclass(frozen=True)
class SharedChoice:
    """A material the platform will ask the gateway for at filing."""

    material: Material
    consumer: GatewayConsumer
    resource_code: str
    fields: list[str]
    subject: str


@dataclass(frozen=True)
class SharedOutcome:
    """What the gateway answered for one material: ``data`` (None: refused, ``message`` says why)."""

    material: Material
    resource_code: str
    call_id: str
    data: dict[str, Any] | None
    message: str = ""


def is_shared_material(material: Material) -> bool:
    return material.source_kind == MaterialSourceKind.SHARED and bool(material.shared_resource_code.strip())


def platform_consumer(organisation_id: int | None) -> GatewayConsumer | None:
    """The handling department's platform system (the consumer the platform calls the gateway as)."""
    if organisation_id is None:
        return None
    return GatewayConsumer.objects.filter(
        organisation_id=organisation_id, name=PLATFORM_CONSUMER, active=True
    ).first()


def resolve_resource(reference: str) -> Resource | None:
    """The published resource a material names: by code, else by the service key it is served by."""
    reference = (reference or "").strip()
    if not reference:
        return None
    published = Resource.objects.filter(status=ResourceStatus.PUBLISHED, published_version__isnull=False)
    return (
        published.filter(code=reference).first()
        or published.filter(service=reference).order_by("code").first()
    )


def check_source(reference: str, fields: list[str]) -> list[str]:
    """The catalogue's check of a shared-data source (connected by ``CasesConfig.ready``): the
    resource must be published and every field one of its published fields."""
    resource = resolve_resource(reference)
    if resource is None:
        return [f"共享资源“{reference[:60]}”不存在或尚未发布"]
    names = {str(field.get("name")) for field in published_fields(resource)}
    unknown = [name for name in fields if name not in names]
    if unknown:
        return [f"信息项不属于资源“{resource.name}”（{resource.code}）：{'、'.join(unknown[:20])}"]
    return []


def connect() -> None:
    """Let the catalogue check the shared-data sources of materials and form prefills."""
    register_shared_source_check(check_source)


def _subject(applicant: User, kind: str) -> str:
    _name, _id_type, number = applicant_identity(applicant)
    is_company = applicant.kind == AccountKind.LEGAL
    if kind == SubjectKind.PERSON and not is_company:
        return number
    if kind == SubjectKind.COMPANY and is_company:
        return number
    return ""


def plan(
    applicant: User, item: ServiceItem, materials: Sequence[Material], uploaded_ids: Collection[int]
) -> list[SharedChoice]:
    """Which of ``materials`` come from shared data (a file the applicant uploads always wins)."""
    wanted = [m for m in materials if is_shared_material(m) and m.pk not in uploaded_ids]
    if not wanted:
        return []
    consumer = platform_consumer(item.implementing_body_id)
    if consumer is None:
        return []
    choices = []
    for material in wanted:
        resource = resolve_resource(material.shared_resource_code)
        subject = _subject(applicant, resource.subject_kind) if resource is not None else ""
        if resource is None or not subject:
            continue
        fields = [str(name)[:64] for name in (material.shared_fields or []) if str(name).strip()][:100]
        choices.append(SharedChoice(material, consumer, resource.code, fields, subject))
    return choices


def fill(
    case: Case, choices: Sequence[SharedChoice], *, actor: User, stored: list[str]
) -> list[SharedOutcome]:
    """Inside the filing transaction, after numbering: ask the gateway for each chosen material and
    store the answer as a JSON material (source 共享数据调取, trust level A) naming the call."""
    outcomes = []
    for choice in choices:
        try:
            answer = call_resource(
                choice.consumer,
                choice.resource_code,
                choice.subject,
                choice.fields or None,
                f"办理{case.item.name}",
                case.number,
            )
        except GatewayRefusal as refusal:
            call_id = str(refusal.call.public_id) if refusal.call is not None else ""
            outcomes.append(
                SharedOutcome(choice.material, choice.resource_code, call_id, None, refusal.message)
            )
            continue
        data = answer.data or {}
        call_id = str(answer.call.public_id)
        content = json.dumps(
            {
                "material": choice.material.name,
                "resource": choice.resource_code,
                "gateway_call": call_id,
                "fetched_at": timezone.now().isoformat(),
                "data": data,
            },
            ensure_ascii=False,
            sort_keys=True,
            default=str,
        ).encode()
        row = CaseMaterial(
            case=case,
            material=choice.material,
            material_name=choice.material.name,
            original_name=f"{choice.material.name}（共享数据）.json"[:255],
            content_type="application/json",
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            uploaded_by=actor,
            source=CaseMaterialSource.SHARED_DATA,
            trust_level=DEFAULT_TRUST_LEVEL[CaseMaterialSource.SHARED_DATA],
        )
        row.file.save(f"{uuid.uuid4().hex}.json", ContentFile(content), save=False)
        stored.append(str(row.file.name))
        row.save()
        outcomes.append(SharedOutcome(choice.material, choice.resource_code, call_id, data))
    return outcomes


def summary(outcomes: Iterable[SharedOutcome]) -> list[dict[str, str]]:
    """For the case's first event: each material, its resource, the call and whether it was served."""
    return [
        {
            "material": outcome.material.name,
            "material_id": str(outcome.material.public_id),
            "resource": outcome.resource_code,
            "gateway_call": outcome.call_id,
            "result": "ok" if outcome.data is not None else "refused",
            **({"message": outcome.message} if outcome.data is None else {}),
        }
        for outcome in outcomes
    ]


def failures(outcomes: Iterable[SharedOutcome]) -> list[str]:
    """The applicant's message for each material the gateway did not fill."""
    return [
        f"“{o.material.name}”未能从共享数据调取（{o.message}），请按工作人员的补正通知上传该材料"
        for o in outcomes
        if o.data is None
    ]


# --- 秒批 on shared data -----------------------------------------------------------------------------
def shared_variables(outcomes: Iterable[SharedOutcome], today: date) -> dict[str, Any]:
    """The decision variables shared data gives: every served field by name (the first material
    that has it wins), ``age`` from a birth date on ``today``, and ``gateway_calls``."""
    variables: dict[str, Any] = {}
    calls = []
    for outcome in outcomes:
        if outcome.data is None:
            continue
        calls.append(outcome.call_id)
        for name, value in outcome.data.items():
            variables.setdefault(name, value)
    born = variables.get("birth_date")
    if isinstance(born, str):
        try:
            birth = date.fromisoformat(born[:10])
        except ValueError:
            birth = None
        if birth is not None:
            variables.setdefault(
                "age", today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
            )
    if calls:
        variables["gateway_calls"] = calls
    return variables


def decision_inputs(item: ServiceItem) -> set[str] | None:
    """The input expressions of the DMN tables of the item's process (None: no decision table)."""
    if not item.process_key:
        return None
    definition = ProcessDefinition.objects.filter(key=item.process_key).order_by("-version").first()
    if definition is None or not definition.dmn_xml.strip():
        return None
    try:
        root = ElementTree.fromstring(definition.dmn_xml)  # noqa: S314 - our own stored definition
    except ElementTree.ParseError:
        return None
    names = {
        (text.text or "").strip()
        for expression in root.iter(f"{DMN_NS}inputExpression")
        for text in expression.iter(f"{DMN_NS}text")
    }
    return {name for name in names if name} or None


def unattended_variables(
    item: ServiceItem, materials: Sequence[Material], outcomes: Sequence[SharedOutcome], today: date
) -> dict[str, Any] | None:
    """The variables to decide the case with no clerk, or None when it cannot be: the item has a
    decision table, every mandatory material came from shared data, and every input of the table
    is a shared variable."""
    inputs = decision_inputs(item)
    if not inputs or not outcomes or any(o.data is None for o in outcomes):
        return None
    served = {o.material.pk for o in outcomes}
    if any(m.mandatory and m.pk not in served for m in materials):
        return None
    variables = shared_variables(outcomes, today)
    if not inputs <= set(variables):
        return None
    return variables
