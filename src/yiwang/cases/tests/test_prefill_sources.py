"""表单预填: every source (account, profile, licence, previous application, shared data), the
applicant's consent for personal shared data before filing (logged with its purpose) and locked fields."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from yiwang.cases import prefill
from yiwang.cases.services import submit_application
from yiwang.core.errors import DomainError
from yiwang.licences import services as licence_services
from yiwang.sharing.models import CallResult, GatewayCall, PrefillConsent
from yiwang.sharing.services import current_prefill_consent, grant_prefill_consent
from yiwang.testing import licences as licence_factories
from yiwang.testing.catalog import ServiceItemFactory
from yiwang.testing.portal import make_citizen
from yiwang.testing.shared_world import make_shared_world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_time", "calendar")]


def _item(*specs: dict[str, Any], **kwargs: Any) -> Any:
    return ServiceItemFactory(
        form_fields=[{"label": spec["name"], "type": "text", "required": False, **spec} for spec in specs],
        **kwargs,
    )


def test_account_and_profile_sources():
    citizen = make_citizen("pf_citizen")
    item = _item(
        {"name": "who", "prefill": "applicant:name", "prefillLocked": "true"},
        {"name": "idno", "prefill": "applicant:id_number"},
        {"name": "mobile", "prefill": "profile:phone"},
        {"name": "real", "prefill": "profile:real_name"},
        {"name": "nothing", "prefill": "profile:unknown_field"},
    )
    found = prefill.resolve(citizen, item)
    person = citizen.natural_person
    assert found.values == {
        "who": person.real_name,
        "idno": person.id_number,
        "mobile": citizen.phone,
        "real": person.real_name,
    }
    assert (found.sources["who"].kind, found.sources["who"].label) == ("applicant", "实名账户")
    assert found.sources["mobile"].kind == "profile"
    assert prefill.locked_values(found) == {"who": person.real_name}
    assert not found.consent_needed


def test_licence_source_uses_the_valid_licence_only():
    citizen = make_citizen("pf_holder")
    issuer, _seal, approver = licence_factories.make_issuer()
    licence_type = licence_factories.make_type()
    licence = licence_factories.issue(licence_type, issuer, citizen)
    item = _item(
        {"name": "permit", "prefill": f"licence:{licence_type.code}:number"},
        {"name": "permit_id", "prefill": f"licence:{licence_type.code}:identifier"},
        {"name": "other", "prefill": "licence:NOPE:number"},
    )
    found = prefill.resolve(citizen, item)
    assert found.values == {"permit": "JY13401040012345", "permit_id": licence.identifier}
    assert found.sources["permit"].kind == "licence" and licence.identifier in found.sources["permit"].label
    licence_services.revoke_licence(licence, reason="测试注销", actor=approver)
    assert prefill.resolve(citizen, item).values == {}


def test_previous_application_of_the_same_item():
    citizen = make_citizen("pf_again")
    item = _item({"name": "shop", "prefill": "previous:"}, {"name": "note"}, materials=[])
    assert prefill.resolve(citizen, item).values == {}
    case = submit_application(
        applicant=citizen, item=item, form_data={"shop": "包河小吃", "note": "x"}, files={}
    )
    found = prefill.resolve(citizen, item)
    assert found.values == {"shop": "包河小吃"}
    assert found.sources["shop"].kind == "previous" and case.number in found.sources["shop"].label
    other = make_citizen("pf_stranger")
    assert prefill.resolve(other, item).values == {}  # only the applicant's own cases


def test_shared_non_personal_field_served_and_logged_with_purpose():
    w = make_shared_world()
    found = prefill.resolve(w.citizen, w.item)
    assert found.values["region"] == w.citizen.natural_person.id_number[:6]
    source = found.sources["region"]
    assert (source.kind, source.label, source.resource_code) == ("shared", "人口基础信息", w.resource.code)
    call = GatewayCall.objects.get(public_id=source.gateway_call)
    assert call.result == CallResult.OK and call.purpose == f"办理{w.item.name}（预填申请表）"
    assert call.consent is None and call.case_number == ""


def _personal_world() -> Any:
    w = make_shared_world()
    w.item.form_fields = [
        *w.item.form_fields,
        {"name": "birth", "label": "出生日期", "type": "text", "prefill": "bases.population:birth_date"},
    ]
    w.item.save(update_fields=["form_fields"])
    return w


def test_personal_shared_data_needs_consent_before_filing():
    w = _personal_world()
    found = prefill.resolve(w.citizen, w.item)
    assert "birth" not in found.values and found.consent_needed
    assert found.consent_resources == [w.resource.code]
    # no call went out for the personal field (the region's own call did)
    assert all("birth_date" not in call.fields for call in GatewayCall.objects.all())


def test_consent_allows_the_call_and_is_recorded_on_it():
    w = _personal_world()
    consent = grant_prefill_consent(
        w.citizen, purpose=f"办理{w.item.name}（预填申请表）", item_ref=str(w.item.public_id)
    )
    assert current_prefill_consent(w.citizen, item_ref=str(w.item.public_id)) == consent
    found = prefill.resolve(w.citizen, w.item, consent=consent)
    assert found.values["birth"] and not found.consent_needed
    call = GatewayCall.objects.get(public_id=found.sources["birth"].gateway_call)
    assert call.consent == consent and call.result == CallResult.OK and call.subject_user == w.citizen
    assert "预填申请表" in call.purpose
    from yiwang.core.models import AuditEvent

    assert AuditEvent.objects.filter(action="sharing.prefill_consent.granted").exists()


def test_consent_lapses_and_only_the_subject_may_give_it():
    w = _personal_world()
    consent = grant_prefill_consent(w.citizen, purpose="预填", item_ref=str(w.item.public_id))
    PrefillConsent.objects.filter(pk=consent.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    consent.refresh_from_db()
    found = prefill.resolve(w.citizen, w.item, consent=consent)
    assert "birth" not in found.values  # refused by the gateway (logged)
    assert GatewayCall.objects.filter(
        result=CallResult.REFUSED, error_code="gateway_case_number_required"
    ).exists()
    stranger = make_citizen("pf_other")
    foreign = grant_prefill_consent(stranger, purpose="预填", item_ref=str(w.item.public_id))
    assert "birth" not in prefill.resolve(w.citizen, w.item, consent=foreign).values
    with pytest.raises(DomainError):
        grant_prefill_consent(w.citizen, purpose="  ")
