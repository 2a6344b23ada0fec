"""The console pages: nodes and packages, deliveries and dead letters with the replay buttons."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from yiwang.exchange.models import DeliveryState, OutgoingPackage, OutgoingState, WebhookDelivery
from yiwang.exchange.services import build_package, enqueue_webhook
from yiwang.exchange.tests.factories import endpoint, identity, node_row
from yiwang.testing.cases import OrganisationFactory, make_staff
from yiwang.testing.mfa import staff_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(db: None) -> Any:
    return OrganisationFactory()


@pytest.fixture
def official(org: Any) -> Client:
    return staff_login(Client(), make_staff(org, "p_official", ("data_official",)))


@pytest.fixture
def dead(db: None) -> list[WebhookDelivery]:
    target = endpoint("http://127.0.0.1:9/hook")
    rows = [enqueue_webhook(target, "t", {"n": n}, f"evt-{n}") for n in range(3)]
    WebhookDelivery.objects.update(state=DeliveryState.DEAD)
    return rows


def test_the_overview_lists_nodes_and_packages(official, django_assert_max_num_queries):
    node_row(identity("340000-province"), role="parent")
    with django_assert_max_num_queries(14):
        page = official.get("/workbench/exchange/")
    assert page.status_code == 200
    assert "340000-province" in page.content.decode()
    assert official.get("/workbench/exchange/?out=nonsense&in_page=999").status_code == 200


def test_a_clerk_is_refused(org):
    clerk = staff_login(Client(), make_staff(org, "p_clerk", ("window_clerk",)))
    assert clerk.get("/workbench/exchange/").status_code == 403
    assert clerk.get("/workbench/exchange/deliveries/").status_code == 403


def test_dead_letters_show_a_replay_button_that_works(official, dead, django_assert_max_num_queries):
    with django_assert_max_num_queries(14):
        page = official.get("/workbench/exchange/deliveries/?state=dead")
    body = page.content.decode()
    assert page.status_code == 200 and body.count("/replay/") == 4  # three rows and the bulk button
    answer = official.post(f"/workbench/exchange/deliveries/{dead[0].public_id}/replay/")
    assert answer.status_code == 302
    assert WebhookDelivery.objects.get(pk=dead[0].pk).state == DeliveryState.PENDING
    official.post("/workbench/exchange/deliveries/replay/")
    assert not WebhookDelivery.objects.filter(state=DeliveryState.DEAD).exists()


def test_a_failed_package_shows_a_retry_button_that_queues_it_again(official, as_node, province, city):
    as_node(province)
    package = build_package("test.feed", node_row(city), {"a.txt": b"a"})
    OutgoingPackage.objects.filter(pk=package.pk).update(state=OutgoingState.FAILED, attempts=12)
    page = official.get("/workbench/exchange/")
    assert f"/outgoing/{package.public_id}/retry/" in page.content.decode()
    assert official.post(f"/workbench/exchange/outgoing/{package.public_id}/retry/").status_code == 302
    package.refresh_from_db()
    assert package.state == OutgoingState.READY and package.attempts == 0
    again = official.post(f"/workbench/exchange/outgoing/{package.public_id}/retry/", follow=True)
    assert "只能重新发送发送失败的交换包" in again.content.decode()
