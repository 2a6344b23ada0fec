"""Cataloguing and review: only the provider's data officials write a resource, a catalogue reviewer
of another organisation publishes it (never its provider), and publishing keeps a version."""

from __future__ import annotations

import pytest

from yiwang.core.errors import DomainError
from yiwang.core.models import AuditEvent
from yiwang.sharing import services
from yiwang.sharing.actions import allowed_actions
from yiwang.sharing.models import CatalogueKind, ResourceStatus, ResourceVersion
from yiwang.sharing.tests.factories import PERSON_FIELDS, draft_resource, published_resource

pytestmark = pytest.mark.django_db


def test_resource_code_is_provider_credit_code_and_sequence(world):
    first = draft_resource(world.police_official)
    second = draft_resource(world.police_official, name="户籍迁移信息")
    assert first.code == f"{world.police.credit_code}-00001"
    assert second.code == f"{world.police.credit_code}-00002"
    assert first.status == ResourceStatus.DRAFT and first.version == 1 and first.published_version is None
    assert [f.name for f in first.fields.all()] == [f["name"] for f in PERSON_FIELDS]


def test_only_the_providers_data_officials_catalogue_its_resources(world):
    with pytest.raises(DomainError) as clerk:
        draft_resource(world.market_clerk)
    assert clerk.value.code == "sharing_role_required"
    with pytest.raises(DomainError) as other:
        services.create_resource(
            actor=world.market_official,
            provider=world.police,
            definition={"name": "人口"},
            fields=PERSON_FIELDS,
        )
    assert other.value.code == "sharing_not_provider"
    assert other.value.status == 403


def test_no_share_needs_its_legal_basis(world):
    with pytest.raises(DomainError) as refused:
        draft_resource(world.police_official, share_type="none")
    assert "no_share_basis" in refused.value.fields
    resource = draft_resource(world.police_official, share_type="none", no_share_basis="《保守国家秘密法》")
    assert resource.no_share_basis


def test_bad_field_names_are_refused(world):
    with pytest.raises(DomainError) as bad:
        draft_resource(world.police_official, fields=[{"name": "Bad Name", "label": "x"}])
    assert bad.value.code == "sharing_invalid_fields"
    with pytest.raises(DomainError):
        draft_resource(
            world.police_official, fields=[{"name": "a", "label": "x"}, {"name": "a", "label": "y"}]
        )


def test_department_catalogues_belong_to_their_department(world):
    own = services.create_catalogue(
        actor=world.market_official,
        kind=CatalogueKind.DEPARTMENT,
        code="BM-SCJG",
        name="市场监管局目录",
        organisation=world.market,
    )
    assert own.organisation == world.market
    with pytest.raises(DomainError) as other:
        services.create_catalogue(
            actor=world.market_official,
            kind=CatalogueKind.DEPARTMENT,
            code="BM-GA",
            name="公安局目录",
            organisation=world.police,
        )
    assert other.value.status == 403
    with pytest.raises(DomainError) as base:
        services.create_catalogue(actor=world.market_official, kind=CatalogueKind.BASE, code="JC2", name="x")
    assert base.value.code == "sharing_not_reviewer"
    with pytest.raises(DomainError) as duplicate:
        services.create_catalogue(actor=world.reviewer, kind=CatalogueKind.BASE, code="JC", name="x")
    assert duplicate.value.code == "sharing_duplicate_code"
    with pytest.raises(DomainError):  # a police resource may not go into the market's catalogue
        services.create_resource(
            actor=world.police_official,
            provider=world.police,
            definition={"name": "人口"},
            fields=PERSON_FIELDS,
            catalogue_ids=[own.public_id],
        )


def test_submit_review_and_publish_keeps_a_version(world):
    resource = draft_resource(world.police_official)
    assert "submit" in allowed_actions(world.police_official, resource)
    resource = services.submit_resource(resource, actor=world.police_official)
    assert resource.status == ResourceStatus.IN_REVIEW
    assert "review" in allowed_actions(world.reviewer, resource)
    assert "review" not in allowed_actions(world.police_official, resource)
    resource = services.review_resource(resource, actor=world.reviewer, approve=True, note="符合编目要求")
    assert resource.status == ResourceStatus.PUBLISHED
    assert resource.published_version == 1
    version = ResourceVersion.objects.get(resource=resource)
    assert version.number == 1
    assert version.published_by == world.reviewer
    assert [f["name"] for f in version.snapshot["fields"]] == [f["name"] for f in PERSON_FIELDS]
    assert version.snapshot["share_type"] == "conditional"
    assert AuditEvent.objects.filter(
        action="sharing.resource_published", object_id=str(resource.public_id)
    ).exists()


def test_no_self_review(world):
    resource = draft_resource(world.police_official)
    services.submit_resource(resource, actor=world.police_official)
    # the provider's own official, even with region scope, may not review it
    from yiwang.testing.clients import make_region_staff

    police_manager = make_region_staff(world.police, "sh_police_region", ("data_official",))
    for actor in (world.police_official, police_manager, world.market_official):
        with pytest.raises(DomainError) as refused:
            services.review_resource(resource, actor=actor, approve=True)
        assert refused.value.status == 403
    assert "review" not in allowed_actions(police_manager, resource)


def test_a_reviewer_does_not_review_what_he_submitted(world):
    from yiwang.testing.clients import make_region_staff

    bureau_official = make_region_staff(world.data_bureau, "sh_bureau2", ("data_official",))
    resource = draft_resource(bureau_official, name="政务数据目录")
    services.submit_resource(resource, actor=bureau_official)
    with pytest.raises(DomainError) as own:
        services.review_resource(resource, actor=world.reviewer, approve=True)
    assert own.value.code == "sharing_self_review"


def test_return_needs_a_note_and_goes_back_to_draft(world):
    resource = draft_resource(world.police_official)
    services.submit_resource(resource, actor=world.police_official)
    with pytest.raises(DomainError) as no_note:
        services.review_resource(resource, actor=world.reviewer, approve=False)
    assert no_note.value.code == "sharing_reason_required"
    resource = services.review_resource(resource, actor=world.reviewer, approve=False, note="补充更新周期")
    assert resource.status == ResourceStatus.DRAFT
    assert resource.review_note == "补充更新周期"
    assert not ResourceVersion.objects.filter(resource=resource).exists()


def test_editing_a_published_resource_starts_the_next_version(world):
    resource = published_resource(world.police_official, world.reviewer)
    edited = services.update_resource(
        resource,
        actor=world.police_official,
        definition={"name": "人口基础信息（第二版）", "share_type": "conditional"},
        fields=[*PERSON_FIELDS, {"name": "address", "label": "住址", "sensitivity": "personal"}],
    )
    assert edited.status == ResourceStatus.DRAFT
    assert edited.version == 2
    assert edited.published_version == 1  # consumers keep version 1
    assert services.published_fields(edited)[-1]["name"] == "household_region"
    services.submit_resource(edited, actor=world.police_official)
    with pytest.raises(DomainError) as in_review:
        services.update_resource(
            edited, actor=world.police_official, definition={"name": "x"}, fields=PERSON_FIELDS
        )
    assert in_review.value.code == "sharing_invalid_transition"
    edited = services.review_resource(edited, actor=world.reviewer, approve=True)
    assert edited.published_version == 2
    assert ResourceVersion.objects.filter(resource=edited).count() == 2
    assert services.published_fields(edited)[-1]["name"] == "address"


def test_retire(world):
    resource = published_resource(world.police_official, world.reviewer)
    with pytest.raises(DomainError):
        services.retire_resource(resource, actor=world.police_official, reason=" ")
    resource = services.retire_resource(resource, actor=world.police_official, reason="数据源停止维护")
    assert resource.status == ResourceStatus.RETIRED
    assert "request" not in allowed_actions(world.market_official, resource)
