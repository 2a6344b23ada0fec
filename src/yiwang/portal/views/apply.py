"""在线申请 The online application form of an item: form fields, one upload per material, delivery."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from yiwang.accounts.models import AssuranceLevel
from yiwang.accounts.services import companies_for_agent
from yiwang.cases import courier, delivery, licence_materials, shared_materials
from yiwang.cases import held as held_uploads
from yiwang.cases import prefill as prefilling
from yiwang.cases.models import DeliveryMethod, HeldUpload
from yiwang.cases.services import applicant_acting_for, submit_application
from yiwang.catalog.forms import Source, definition_of, leaves, parse_post, render_nodes
from yiwang.catalog.models import Material, ServiceItem, ServiceObject
from yiwang.catalog.scenarios import PARAM_PREFIX, answers_from_params, applicable
from yiwang.catalog.services import get_published_item
from yiwang.core.errors import DomainError
from yiwang.portal.forms import upload_control
from yiwang.sharing.services import current_prefill_consent, grant_prefill_consent
from yiwang.space.models import StoredMaterial
from yiwang.space.services import plan_reuse
from yiwang.space.services import reuse as store_reuse
from yiwang.web.ui import (
    applicant_required,
    current_user,
    domain_errors,
    error_context,
    field_errors,
)

FIELD_PREFIX = "field_"
MATERIAL_PREFIX = "material_"
STORE_PREFIX = "store_"  # 材料库复用: store_<material public id> = the chosen store entry's public id


def form_controls(
    item: ServiceItem,
    values: dict[str, Any],
    exc: DomainError | None,
    sources: dict[str, Source] | None = None,
) -> list[dict[str, Any]]:
    """The item's application form (电子表单) as the nodes of the shared partial ``forms/_form.html``
    (``sources``: where prefilled values came from, and which the applicant may not change)."""
    return render_nodes(
        definition_of(item.form_definition, item.form_fields),
        values,
        exc.fields if exc is not None else {},
        prefix=FIELD_PREFIX,
        sources=sources or {},
    )


def prefill_consent(request: HttpRequest, item: ServiceItem) -> HttpResponse:
    """授权调取共享数据预填: the applicant's consent recorded (audited), then the form again, prefilled."""
    user = current_user(request)
    grant_prefill_consent(
        user,
        purpose=f"办理{item.name}（预填申请表）",
        resource_codes=prefilling.resolve(user, item).consent_resources,
        item_ref=str(item.public_id),
    )
    messages.success(request, _("已授权本次申请调取您的共享数据预填申请表（30 分钟内有效）。"))
    query = urlencode([(k, v) for k, v in request.POST.items() if k.startswith(PARAM_PREFIX)])
    return redirect(reverse("portal:apply", args=[item.public_id]) + (f"?{query}" if query else ""))


def material_controls(
    materials: list[Material],
    exc: DomainError | None,
    offers: list[licence_materials.LicenceOffer] | None = None,
    authorised: Collection[str] = (),
    held: Mapping[str, Sequence[HeldUpload]] | None = None,
    stored: Mapping[int, Sequence[StoredMaterial]] | None = None,
    chosen: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """One upload control per material; an e-licence material the applicant holds (一证通办) shows
    the licence (taken automatically, or with the "授权使用" checkbox) and its upload is optional.
    A material with fitting entries in the applicant's store (材料库) offers them ("use the one you
    have", ``stored``; ``chosen`` the choices of a refused submit) and its upload is optional."""
    by_material = {offer.material.pk: offer for offer in offers or []}
    controls = []
    for material in materials:
        key = str(material.public_id)
        hint = material.description or ""
        offer = by_material.get(material.pk)
        from_store = offer is not None and offer.licence is not None
        shared = shared_materials.is_shared_material(material)  # 一证通办: filled at filing
        in_store = list((stored or {}).get(material.pk, ()))
        if shared:
            hint = _("将从共享数据自动调取，无需上传；调取不到时请上传。")
        controls.append(
            {
                "material": material,
                "offer": offer,
                "authorised": from_store and str(offer.licence.public_id) in authorised,  # type: ignore[union-attr]
                "stored": in_store,
                "store_field": STORE_PREFIX + key,
                "chosen": (chosen or {}).get(key, ""),
                "control": upload_control(
                    MATERIAL_PREFIX + key,
                    material.name,
                    slot=key,
                    errors=field_errors(exc, key),
                    required=material.mandatory and not from_store and not shared and not in_store,
                    help=hint
                    if not from_store
                    else _("已可从电子证照库调取；如上传文件，则以上传的文件为准。"),
                    held=(held or {}).get(key, ()),
                ),
            }
        )
    return controls


def error_labels(item: ServiceItem, materials: list[Material]) -> dict[str, tuple[str, str]]:
    labels: dict[str, tuple[str, str]] = {}
    for spec in item.form_fields or []:
        name = str(spec.get("name") or "")
        labels[name] = (f"id_{FIELD_PREFIX}{name}", str(spec.get("label") or name))
    for material in materials:
        labels[str(material.public_id)] = (f"id_{MATERIAL_PREFIX}{material.public_id}", material.name)
    labels["delivery_method"] = ("delivery-electronic", _("送达方式"))
    labels["scenario"] = ("scenario-summary", _("办理情形"))
    labels[licence_materials.FIELD] = ("licence-error", _("电子证照授权"))
    return labels


def uploaded_files(request: HttpRequest, materials: list[Material]) -> dict[str, list[UploadedFile]]:
    files: dict[str, list[UploadedFile]] = {}
    for material in materials:
        chosen = request.FILES.getlist(MATERIAL_PREFIX + str(material.public_id))
        if chosen:
            files[str(material.public_id)] = chosen
    return files


def form_files(request: HttpRequest, item: ServiceItem) -> dict[str, list[UploadedFile]]:
    """附件字段 The files chosen for the form's file fields (inputs ``field_<key>``), by component key."""
    files: dict[str, list[UploadedFile]] = {}
    for leaf in leaves(definition_of(item.form_definition, item.form_fields), with_tables=False):
        chosen = request.FILES.getlist(FIELD_PREFIX + leaf.key) if leaf.type == "file" else []
        if chosen:
            files[leaf.key] = chosen
    return files


def item_serves_legal_persons(item: ServiceItem) -> bool:
    legal = {ServiceObject.ENTERPRISE, ServiceObject.INSTITUTION, ServiceObject.SOCIAL_ORGANISATION}
    return not item.service_objects or bool(legal.intersection(item.service_objects))


def delivery_choices(item: ServiceItem) -> list[tuple[str, str]]:
    choices = [(DeliveryMethod.ELECTRONIC.value, str(DeliveryMethod.ELECTRONIC.label))]
    choices.append((DeliveryMethod.WINDOW.value, str(DeliveryMethod.WINDOW.label)))
    if item.express_supported:
        choices.append((DeliveryMethod.COURIER.value, str(DeliveryMethod.COURIER.label)))
    return choices


def _order_pickup(request: HttpRequest, case: Any, address: str) -> None:
    """材料收取 after filing: a refusal does not undo the application (originals at the window)."""
    try:
        courier.request_materials_pickup(case, address=address)
    except DomainError as error:
        messages.warning(request, _("快递上门收取材料未能下单: %(reason)s") % {"reason": error.message})
    else:
        messages.info(request, _("已预约快递上门收取纸质材料原件, 可在办件详情查看物流进度。"))


@domain_errors
@applicant_required
def apply(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """在线申请.  For an item with scenario questions (情形引导) the applicant first answers them
    (carried as ``s_<key>`` parameters from the guide, or asked here); the form then asks only for
    the materials that apply, and the answers go with the application."""
    item = get_published_item(public_id)
    user = current_user(request)
    params = request.POST if request.method == "POST" else request.GET
    scenario = applicable(item, answers_from_params(params))
    if scenario.has_questions and not scenario.complete and request.method != "POST":
        return render(
            request,
            "portal/apply_scenario.html",
            {"item": item, "scenario": scenario, "asked": bool(scenario.answers) or "asked" in request.GET},
        )
    materials = scenario.materials
    exc: DomainError | None = None
    values: dict[str, Any] = {}
    idempotency_key = uuid.uuid4().hex  # also the draft key the files of a refused submit are held under
    held: dict[str, list[HeldUpload]] = {}
    on_behalf_of = ""
    delivery_method = DeliveryMethod.ELECTRONIC.value
    authorised: list[str] = []
    chosen: dict[str, str] = {}
    licence_holder = user  # whose wallet the e-licence offers come from (the company when 代办)
    status = 200
    sources: dict[str, Source] = {}
    consent_needed = False
    if request.method == "POST" and request.POST.get("prefill_consent"):
        return prefill_consent(request, item)
    if request.method == "POST":
        # 预填锁定: the locked fields stay marked (the filing keeps the server's value anyway)
        sources = {b.key: Source(_("预填"), True) for b in prefilling.bindings(item) if b.locked}
        values = parse_post(definition_of(item.form_definition, item.form_fields), request.POST, FIELD_PREFIX)
        idempotency_key = request.POST.get("idempotency_key", "")[:100] or idempotency_key
        draft = held_uploads.draft_key(idempotency_key)
        files, held = held_uploads.collect(
            user, draft, uploaded_files(request, materials), request.POST.getlist(held_uploads.REMOVE_FIELD)
        )
        delivery_method = request.POST.get("delivery_method", delivery_method)
        on_behalf_of = request.POST.get("on_behalf_of", "")
        authorised = [value[:40] for value in request.POST.getlist(licence_materials.FIELD)][:50]
        chosen = {
            str(m.public_id): request.POST.get(STORE_PREFIX + str(m.public_id), "")[:40] for m in materials
        }
        delivery_address = request.POST.get("delivery_address", "").strip()[:300]
        pickup = request.POST.get("pickup_originals") == "1" and courier.wants_originals(item)
        pickup_address = request.POST.get("pickup_address", "").strip()[:200]
        try:
            delivery.validate_choice(delivery_method, delivery_address)
            if pickup:  # 材料收取: checked before filing, ordered after
                courier.validate_pickup_address(pickup_address)
            applicant, acting_agent = applicant_acting_for(user, on_behalf_of)
            licence_holder = applicant
            reused = plan_reuse(applicant, materials, store_reuse.parse_choices(chosen.items()))
            case = submit_application(
                applicant=applicant,
                acting_agent=acting_agent,
                item=item,
                form_data=values,
                files=files,
                idempotency_key=idempotency_key,
                delivery_method=delivery_method,
                scenario_answers=answers_from_params(request.POST) if scenario.has_questions else None,
                licence_authorisations=licence_materials.parse_authorisations(authorised),
                record_delivery=True,
                delivery_address=delivery_address,
                reused_materials=reused,
                form_files=form_files(request, item),
            )
        except DomainError as error:
            exc = error
            status = error.status
        else:
            held_uploads.discard(user, draft)
            if pickup:
                _order_pickup(request, case, pickup_address)
            messages.success(
                request,
                _("申请已提交，办件编号：%(number)s。请留意短信和站内消息。") % {"number": case.number},
            )
            return redirect("portal:case_detail", public_id=case.public_id)
    else:  # 预填 (cases/prefill.py): account, profile, licences, the last application, shared data
        found = prefilling.resolve(
            user, item, consent=current_prefill_consent(user, item_ref=str(item.public_id))
        )
        values = found.values
        sources = {key: Source(source.label, source.locked) for key, source in found.sources.items()}
        consent_needed = found.consent_needed

    return render(
        request,
        "portal/apply.html",
        {
            "item": item,
            "scenario": scenario,
            "scenario_params": [(PARAM_PREFIX + key, value) for key, value in scenario.answers.items()],
            "form_controls": form_controls(item, values, exc, sources),
            "consent_needed": consent_needed,
            "material_controls": material_controls(
                materials,
                exc,
                licence_materials.offers(licence_holder, materials),
                authorised,
                held,
                stored=store_reuse.offers(licence_holder, materials),
                chosen=chosen,
            ),
            "licence_errors": field_errors(exc, licence_materials.FIELD),
            "delivery_choices": delivery_choices(item),
            "delivery_method": delivery_method,
            "delivery_errors": field_errors(exc, "delivery_method"),
            "delivery_address": request.POST.get("delivery_address", ""),
            "delivery_address_errors": field_errors(exc, "delivery_address"),
            "pickup_offered": courier.wants_originals(item),
            "pickup_originals": request.POST.get("pickup_originals") == "1",
            "pickup_address": request.POST.get("pickup_address", ""),
            "pickup_address_errors": field_errors(exc, "pickup_address"),
            "idempotency_key": idempotency_key,
            # 代办: a natural person who represents or is authorised by companies may apply in their name.
            "companies": companies_for_agent(user) if item_serves_legal_persons(item) else [],
            "on_behalf_of": on_behalf_of,
            "error": error_context(exc, error_labels(item, materials)) if exc else None,
            "assurance_too_low": user.assurance_level < item.required_assurance_level,
            "required_level_label": AssuranceLevel(item.required_assurance_level).label,
            "files_held": bool(held),
            "prefilled": [
                (str(spec.get("label") or spec.get("name")), sources[str(spec.get("name"))].label)
                for spec in item.form_fields or []
                if str(spec.get("name")) in sources and request.method != "POST"
            ],
        },
        status=status,
    )
