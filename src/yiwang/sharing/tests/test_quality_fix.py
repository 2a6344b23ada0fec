"""The fix of a quality ticket flows into the base: through an exchange feed package of the provider's
system (the ticket records the package, which is its batch), or as values entered by the provider's
data official (applied with apply_updates in the batch ``quality-<ticket id>``)."""

from __future__ import annotations

import json
import uuid

import pytest

from yiwang.bases.models import BaseChange, Person
from yiwang.bases.services import apply_feed_package, authorise_feed
from yiwang.core.errors import DomainError
from yiwang.exchange.handlers import ReceivedPackage
from yiwang.exchange.models import ExchangeNode, IncomingPackage, IncomingState
from yiwang.sharing import services
from yiwang.sharing.tests.factories import ask, published_resource
from yiwang.testing import bases

pytestmark = pytest.mark.django_db


@pytest.fixture
def granted(world):
    """The police's population resource (served from the population base), granted to the market."""
    resource = published_resource(world.police_official, world.reviewer, service="bases.population")
    share_request = ask(world.market_official, resource, ["gender", "household_region"])
    services.decide_request(share_request, actor=world.police_official, decision="approve")
    return resource


@pytest.fixture
def accepted(world, granted):
    person = bases.person(household_region="340104")
    ticket = services.report_by_staff(
        actor=world.market_clerk,
        resource=granted,
        subject=person.id_number,
        fields=["household_region"],
        claimed_value={"household_region": "340103"},
        description="户籍已迁至庐阳区",
    )
    return services.accept_ticket(ticket, actor=world.police_official), person


def _node(node_id: str) -> ExchangeNode:
    return ExchangeNode.objects.create(node_id=node_id, name=node_id, base_url="http://127.0.0.1:9")


def _applied_feed(node: ExchangeNode, records: list[dict[str, object]], sequence: int = 1) -> str:
    """A feed package as the exchange applies it: the stored package and its handler run."""
    package = IncomingPackage.objects.create(
        sender=node,
        kind="bases.population.feed",
        sequence=sequence,
        size=1,
        sha256="0" * 64,
        state=IncomingState.APPLIED,
    )
    apply_feed_package(
        ReceivedPackage(
            package_id=str(package.public_id),
            sender=node.node_id,
            kind=package.kind,
            sequence=sequence,
            created_at="2026-09-21T10:00:00+08:00",
            entries={"records.json": json.dumps(records).encode()},
        )
    )
    return str(package.public_id)


def test_the_fix_names_the_feed_package_of_the_providers_system(world, accepted):
    ticket, person = accepted
    police_node = _node("340100-gaj")
    authorise_feed(node=police_node, base="population", organisation=world.police)
    record = {"id_number": person.id_number, "household_region": "340103", "version": person.version + 1}
    package_id = _applied_feed(police_node, [record])
    with pytest.raises(DomainError) as unknown:
        services.fix_ticket(ticket, actor=world.police_official, note="已更正", package_id=str(uuid.uuid4()))
    assert "package_id" in unknown.value.fields
    with pytest.raises(DomainError) as malformed:
        services.fix_ticket(ticket, actor=world.police_official, note="已更正", package_id="PKG-1")
    assert "package_id" in malformed.value.fields
    fixed = services.fix_ticket(
        ticket, actor=world.police_official, note="已按迁移登记更正", package_id=package_id
    )
    assert (fixed.fix_package_id, fixed.fix_batch_id) == (package_id, package_id)
    person.refresh_from_db()
    assert person.household_region == "340103" and person.source == world.police


def test_a_package_of_another_department_or_without_the_subject_does_not_close_it(world, accepted):
    ticket, person = accepted
    market_node = _node("340100-scjg")
    authorise_feed(node=market_node, base="population", organisation=world.market)
    record = {"id_number": person.id_number, "household_region": "340103", "version": person.version + 1}
    by_market = _applied_feed(market_node, [record])
    police_node = _node("340100-gaj")
    authorise_feed(node=police_node, base="population", organisation=world.police)
    other = bases.person()
    without_subject = _applied_feed(
        police_node, [{"id_number": other.id_number, "address": "庐阳区", "version": other.version + 1}]
    )
    for package_id in (by_market, without_subject):
        with pytest.raises(DomainError) as refused:
            services.fix_ticket(ticket, actor=world.police_official, note="已更正", package_id=package_id)
        assert "package_id" in refused.value.fields
    ticket.refresh_from_db()
    assert ticket.status == "accepted"


def test_the_official_enters_the_corrected_value_and_the_base_changes(world, accepted):
    ticket, person = accepted
    with pytest.raises(DomainError) as not_provider:
        services.fix_ticket_with_values(
            ticket,
            actor=world.market_official,
            subject=person.id_number,
            values={"household_region": "340103"},
            note="x",
        )
    assert not_provider.value.status == 403
    for subject, values, field in (
        (bases.id_number(), {"household_region": "340103"}, "subject"),
        (person.id_number, {"address": "庐阳区"}, "values"),  # not a field of the ticket
        (person.id_number, {"household_region": "340104"}, "values"),  # the same value
    ):
        with pytest.raises(DomainError) as refused:
            services.fix_ticket_with_values(
                ticket, actor=world.police_official, subject=subject, values=values, note="已更正"
            )
        assert field in refused.value.fields
    fixed = services.fix_ticket_with_values(
        ticket,
        actor=world.police_official,
        subject=person.id_number,
        values={"household_region": "340103"},
        note="已按迁移登记更正",
    )
    batch = f"quality-{ticket.public_id}"
    assert fixed.status == "fixed" and fixed.fix_batch_id == batch and fixed.fix_package_id == ""
    stored = Person.objects.get(pk=person.pk)
    assert (stored.household_region, stored.version, stored.source) == (
        "340103",
        person.version + 1,
        world.police,
    )
    assert list(BaseChange.objects.filter(batch_id=batch).values_list("fields", flat=True)) == [
        ["household_region"]
    ]


def test_fix_values_through_the_api_and_the_page(world, accepted):
    from yiwang.testing.fixtures import logged_in

    ticket, person = accepted
    api = logged_in(world.police_official)
    url = f"/api/v1/sharing/quality/tickets/{ticket.public_id}/fix-values"
    bad = api.post(
        url, {"subject": person.id_number, "values": {}, "note": "x"}, content_type="application/json"
    )
    assert bad.status_code == 422 and set(bad.json()) == {"code", "message", "fields"}
    not_a_field = api.post(
        url,
        {"subject": person.id_number, "values": {"address": "庐阳区"}, "note": "x"},
        content_type="application/json",
    )
    assert not_a_field.status_code == 400 and "values" in not_a_field.json()["fields"]
    page = api
    detail = page.get(f"/workbench/sharing/quality/{ticket.public_id}/")
    assert "平台录入更正值" in detail.content.decode()
    done = page.post(
        f"/workbench/sharing/quality/{ticket.public_id}/fix_values/",
        {"subject": person.id_number, "value_household_region": "340103", "text": "已按迁移登记更正"},
    )
    assert done.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "fixed" and ticket.fix_batch_id == f"quality-{ticket.public_id}"
    assert Person.objects.get(pk=person.pk).household_region == "340103"
    again = api.post(
        url,
        {"subject": person.id_number, "values": {"household_region": "340102"}, "note": "x"},
        content_type="application/json",
    )
    assert again.status_code == 409
