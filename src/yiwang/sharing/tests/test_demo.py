"""The sharing demo: loads through the services, and a second run changes nothing."""

from __future__ import annotations

import pytest

from yiwang.core.identifiers import make_credit_code
from yiwang.demo.content import AREA_CODE, ORGANISATIONS
from yiwang.demo.sharing import load_sharing_demo
from yiwang.sharing import reads
from yiwang.sharing.models import Grant, RequestStatus, Resource, ResourceStatus, ShareRequest
from yiwang.testing.catalog import OrganisationFactory
from yiwang.testing.portal import seed_test_calendar

pytestmark = pytest.mark.django_db


def test_sharing_demo_is_idempotent(frozen):
    seed_test_calendar()
    for spec in ORGANISATIONS:
        if spec["key"] in ("market", "police", "nrp", "gov_service", "data"):
            OrganisationFactory(
                name=spec["name"],
                short_name=spec["short_name"],
                credit_code=make_credit_code("1", spec["entity_type"], AREA_CODE, spec["org_body"]),
            )
    first = load_sharing_demo()
    assert len(first.accounts) == 5 and first.resources == 6 and first.requests == 2
    assert Resource.objects.filter(status=ResourceStatus.PUBLISHED).count() == 6
    assert set(Resource.objects.values_list("service", flat=True)) >= {
        "bases.population",
        "bases.legal_person",
        "bases.geography",
        "licences.index",
    }
    pending = ShareRequest.objects.get(resource__service="bases.population")
    assert pending.status == RequestStatus.PENDING
    grant = Grant.objects.get()
    assert reads.active_grant(grant.consumer, grant.resource) == grant
    second = load_sharing_demo()
    assert (second.accounts, second.catalogues, second.resources, second.requests) == ([], 0, 0, 0)
