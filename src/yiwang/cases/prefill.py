"""表单预填 Prefilling an item's application form for one applicant, with where each value came from.

A leaf component of the item's e-form (``form_definition``; the legacy flat ``form_fields`` when an item
has none) binds a source in its custom properties: ``properties.prefill`` =

- ``applicant:<name|id_number|phone|email>`` — the real-name account;
- ``profile:<field>`` — the natural person's (``real_name``, ``id_number``, ``phone``, ``email``) or the
  company's (``name``, ``credit_code``, ``legal_representative``, ``phone``, ``email``) profile;
- ``licence:<licence type code>:<field>`` — the applicant's valid e-licence of that type (its data field, or
  ``identifier``/``holder_name``/``issuer_name``/``issued_on``/``valid_until``), via yiwang.licences;
- ``previous:`` — the same key in the applicant's latest application of the same item (any version);
- ``<resource code or service>:<field>`` — shared data through the sharing gateway, called as the
  handling department's platform system with the purpose "办理<事项>（预填申请表）" (logged).  Personal
  fields need a case number — before filing there is none, so they are asked for only with the
  applicant's explicit consent (:func:`yiwang.sharing.services.grant_prefill_consent`, the
  "授权调取共享数据预填" button); without it the answer says ``consent_needed``.

``properties.prefillLocked: "true"``: the law does not let the applicant change the value (e.g. name
and ID number from the population base); the filing keeps the prefilled value
(:func:`locked_values`, passed to ``validate_submission(prefilled_locked=...)``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from yiwang.accounts.models import AccountKind, User
from yiwang.accounts.services import applicant_identity
from yiwang.cases.models import Case
from yiwang.cases.shared_materials import platform_consumer, resolve_resource
from yiwang.catalog.forms import leaves
from yiwang.catalog.models import ServiceItem
from yiwang.licences.models import LicenceStatus, LicenceType
from yiwang.licences.services import wallet
from yiwang.sharing.models import PrefillConsent, Resource, ResourceStatus, SubjectKind
from yiwang.sharing.services import GatewayRefusal, call_resource, current_prefill_consent, published_fields
from yiwang.sharing.services.subscriptions import granted_fields

APPLICANT_FIELDS = ("name", "id_number", "phone", "email")
PERSON_PROFILE_FIELDS = ("real_name", "id_number", "phone", "email")
COMPANY_PROFILE_FIELDS = ("name", "credit_code", "legal_representative", "phone", "email")
LICENCE_META_FIELDS = ("identifier", "holder_name", "issuer_name", "issued_on", "valid_until")
SKIPPED_TYPES = frozenset({"datagrid", "file"})


@dataclass(frozen=True)
class Binding:
    """One form field bound to a source (``target`` is the ``properties.prefill`` text)."""

    key: str
    target: str
    locked: bool = False


@dataclass(frozen=True)
class PrefillSource:
    """A prefilled value and where it came from (``kind``: applicant, profile, licence, previous or
    shared; ``label``: what the apply page shows; ``locked``: the applicant cannot change it)."""

    value: Any
    kind: str
    label: str
    locked: bool = False
    resource_code: str = ""
    gateway_call: str = ""


@dataclass
class Prefill:
    """What the form is prefilled with, and whether personal shared data waits for consent."""

    sources: dict[str, PrefillSource] = field(default_factory=dict)
    consent_needed: bool = False
    consent_resources: list[str] = field(default_factory=list)

    @property
    def values(self) -> dict[str, Any]:
        return {key: source.value for key, source in self.sources.items()}


def _truthy(value: Any) -> bool:
    return value is True or str(value).strip().lower() in ("true", "1", "yes")


def bindings(item: ServiceItem) -> list[Binding]:
    """The prefill bindings of the item's form, in form order."""
    definition = getattr(item, "form_definition", None)
    found: list[Binding] = []
    if isinstance(definition, dict) and definition.get("components"):
        for leaf in leaves(definition, with_tables=False):
            component = leaf.component
            if component.get("type") in SKIPPED_TYPES:
                continue
            raw_props = component.get("properties")
            props: Mapping[str, Any] = raw_props if isinstance(raw_props, dict) else {}
            target = str(props.get("prefill") or "").strip()
            key = str(component.get("key") or "")
            if key and target:
                found.append(Binding(key, target, _truthy(props.get("prefillLocked"))))
        return found
    for spec in item.form_fields or []:  # a form that predates the e-form definition
        if isinstance(spec, dict) and spec.get("prefill") and spec.get("name"):
            found.append(Binding(str(spec["name"]), str(spec["prefill"]), _truthy(spec.get("prefillLocked"))))
    return found


def locked_for(applicant: User, item: ServiceItem) -> dict[str, Any]:
    """At filing: the locked fields' values, resolved again on the server (the applicant's consent for
    this item, when he gave one, still stands for personal shared data)."""
    if not any(binding.locked for binding in bindings(item)):
        return {}
    consent = current_prefill_consent(applicant, item_ref=str(item.public_id))
    return locked_values(resolve(applicant, item, consent=consent, only_locked=True))


def locked_values(prefill: Prefill) -> dict[str, Any]:
    """The values the applicant may not change (for ``validate_submission(prefilled_locked=...)``)."""
    return {key: source.value for key, source in prefill.sources.items() if source.locked}


# --- the sources ------------------------------------------------------------------------------------------
def _identity(applicant: User) -> dict[str, Any]:
    name, _id_type, number = applicant_identity(applicant)
    return {"name": name, "id_number": number, "phone": applicant.phone, "email": applicant.email}


def _profile(applicant: User) -> dict[str, Any]:
    common = {"phone": applicant.phone, "email": applicant.email}
    company = getattr(applicant, "legal_person", None) if applicant.kind == AccountKind.LEGAL else None
    if company is not None:
        representative = company.legal_representative
        return {
            "name": company.name,
            "credit_code": company.credit_code,
            "legal_representative": getattr(getattr(representative, "natural_person", None), "real_name", "")
            if representative is not None
            else "",
            **common,
        }
    person = getattr(applicant, "natural_person", None)
    if person is not None:
        return {"real_name": person.real_name, "id_number": person.id_number, **common}
    return common


def _licence_value(applicant: User, type_code: str, name: str, today: date) -> tuple[Any, str] | None:
    for licence in wallet(applicant).filter(licence_type__code=type_code, status=LicenceStatus.VALID):
        if licence.valid_until is not None and licence.valid_until < today:
            continue
        if name in LICENCE_META_FIELDS:
            value = getattr(licence, name)
            value = value.isoformat() if isinstance(value, date) else value
        else:
            value = (licence.data or {}).get(name)
        if value in (None, ""):
            return None
        return value, f"{licence.licence_type.name}（{licence.identifier}）"
    return None


def _previous(applicant: User, item: ServiceItem) -> tuple[dict[str, Any], str] | None:
    """The applicant's latest case of the same item (the published item or a revision of it)."""
    base = item.revision_of_id or item.pk
    case = (
        Case.objects.filter(applicant=applicant, item_id=base)
        .order_by("-submitted_at", "-pk")
        .only("form_data", "number")
        .first()
    )
    if case is None:
        return None
    return dict(case.form_data or {}), _("上次申请（%(number)s）") % {"number": case.number}


def subject_of(applicant: User, kind: str) -> str:
    """The applicant as the subject of a resource about ``kind`` (a person or a company), or ""."""
    _name, _id_type, number = applicant_identity(applicant)
    is_company = applicant.kind == AccountKind.LEGAL
    if (kind == SubjectKind.PERSON and not is_company) or (kind == SubjectKind.COMPANY and is_company):
        return str(number or "")
    return ""


def _shared(
    result: Prefill,
    applicant: User,
    item: ServiceItem,
    pairs: Mapping[str, list[tuple[Binding, str]]],
    *,
    consent: PrefillConsent | None,
    purpose_case: str,
) -> None:
    consumer = platform_consumer(item.implementing_body_id) if pairs else None
    for source, bound in pairs.items():
        resource = resolve_resource(source)
        subject = subject_of(applicant, resource.subject_kind) if resource is not None else ""
        if consumer is None or resource is None or not subject:
            continue
        asked = sorted({name for _b, name in bound})
        published = {str(f.get("name")): f for f in published_fields(resource)}
        personal = any(
            published.get(name, {}).get("is_personal")
            or published.get(name, {}).get("sensitivity") == "personal"
            for name in asked
        )
        if personal and not purpose_case and consent is None:
            result.consent_needed = True
            result.consent_resources.append(resource.code)
            continue
        try:
            answer = call_resource(
                consumer,
                resource.code,
                subject,
                asked,
                f"办理{item.name}（预填申请表）",
                purpose_case,
                consent=consent if personal and not purpose_case else None,
            )
        except GatewayRefusal:
            continue  # logged by the gateway; the applicant fills them in
        data: Mapping[str, Any] = answer.data or {}
        call_id = str(answer.call.public_id)
        for binding, name in bound:
            if data.get(name) not in (None, ""):
                result.sources[binding.key] = PrefillSource(
                    data[name], "shared", resource.name, binding.locked, resource.code, call_id
                )


def resolve(
    applicant: User,
    item: ServiceItem,
    *,
    consent: PrefillConsent | None = None,
    purpose_case: str = "",
    only_locked: bool = False,
) -> Prefill:
    """Every bound field of ``item``'s form that a source can fill for ``applicant`` (``only_locked``:
    just the fields the applicant may not change)."""
    result = Prefill()
    found = [binding for binding in bindings(item) if binding.locked or not only_locked]
    if not found:
        return result
    identity: dict[str, Any] | None = None
    profile: dict[str, Any] | None = None
    previous: tuple[dict[str, Any], str] | bool | None = False
    today = timezone.localdate()
    shared: dict[str, list[tuple[Binding, str]]] = {}
    for binding in found:
        source, _sep, rest = binding.target.partition(":")
        value: Any = None
        label = ""
        kind = source
        if source == "applicant":
            identity = identity if identity is not None else _identity(applicant)
            value, label = identity.get(rest), _("实名账户")
        elif source == "profile":
            profile = profile if profile is not None else _profile(applicant)
            value, label = profile.get(rest), _("个人/企业资料")
        elif source == "licence":
            type_code, _sep2, name = rest.partition(":")
            found_licence = _licence_value(applicant, type_code, name, today) if type_code and name else None
            if found_licence is not None:
                value, label = found_licence
        elif source == "previous":
            if previous is False:
                previous = _previous(applicant, item)
            if isinstance(previous, tuple):
                value, label = previous[0].get(binding.key), previous[1]
        elif rest:
            shared.setdefault(source, []).append((binding, rest))
            continue
        if value not in (None, "", [], {}):
            result.sources[binding.key] = PrefillSource(value, kind, label, binding.locked)
    _shared(result, applicant, item, shared, consent=consent, purpose_case=purpose_case)
    return result


# --- what the builder offers ------------------------------------------------------------------------------
APPLICANT_LABELS = {
    "name": gettext_noop("姓名"),
    "id_number": gettext_noop("证件号码"),
    "phone": gettext_noop("手机号码"),
    "email": gettext_noop("电子邮箱"),
}
PROFILE_LABELS = {
    "real_name": gettext_noop("个人·姓名"),
    "id_number": gettext_noop("个人·身份证号码"),
    "name": gettext_noop("企业·名称"),
    "credit_code": gettext_noop("企业·统一社会信用代码"),
    "legal_representative": gettext_noop("企业·法定代表人"),
    "phone": gettext_noop("联系电话"),
    "email": gettext_noop("电子邮箱"),
}
LICENCE_META_LABELS = {
    "identifier": gettext_noop("证照编号"),
    "holder_name": gettext_noop("持证主体"),
    "issuer_name": gettext_noop("发证机关"),
    "issued_on": gettext_noop("发证日期"),
    "valid_until": gettext_noop("有效期至"),
}


def available_bindings(item: ServiceItem) -> list[dict[str, str]]:
    """Every ``properties.prefill`` binding the catalogue accepts for ``item`` and the platform can
    serve, for the builder's 预填来源 select: ``[{"value", "label", "group"}]`` in a fixed order —
    the real-name account, the profile, each active licence type's fields, the previous application,
    and the fields of published shared resources the item's department may read through its
    platform system (its grants, its own resources, unconditional non-personal fields)."""
    options: list[dict[str, str]] = [
        {"value": f"applicant:{name}", "label": f"{_('实名账户')}·{_(label)}", "group": _("实名账户")}
        for name, label in APPLICANT_LABELS.items()
    ]
    options += [
        {"value": f"profile:{name}", "label": f"{_('个人/企业资料')}·{_(label)}", "group": _("个人/企业资料")}
        for name, label in PROFILE_LABELS.items()
    ]
    for licence_type in (
        LicenceType.objects.filter(is_active=True).order_by("code").only("code", "name", "fields")
    ):
        names = {name: _(label) for name, label in LICENCE_META_LABELS.items()}
        for spec in licence_type.fields or []:
            if isinstance(spec, dict) and spec.get("name"):
                names.setdefault(str(spec["name"]), str(spec.get("label") or spec["name"]))
        options += [
            {
                "value": f"licence:{licence_type.code}:{name}",
                "label": f"{licence_type.name}·{label}",
                "group": _("电子证照：%(name)s") % {"name": licence_type.name},
            }
            for name, label in names.items()
        ]
    options.append(
        {"value": "previous:", "label": _("上次申请本事项时填写的同名字段"), "group": _("上次申请")}
    )
    consumer = platform_consumer(item.implementing_body_id)
    if consumer is not None:
        resources = (
            Resource.objects.filter(status=ResourceStatus.PUBLISHED, published_version__isnull=False)
            .order_by("code")
            .only("code", "name", "provider_id", "share_type", "status", "published_version")
        )
        for resource in resources:
            allowed = granted_fields(consumer, resource)
            if not allowed:
                continue
            labels = {
                str(f.get("name")): str(f.get("label") or f.get("name")) for f in published_fields(resource)
            }
            options += [
                {
                    "value": f"{resource.code}:{name}",
                    "label": f"{resource.name}·{labels.get(name, name)}",
                    "group": _("共享数据：%(name)s") % {"name": resource.name},
                }
                for name in sorted(allowed, key=list(labels).index)
            ]
    return options
