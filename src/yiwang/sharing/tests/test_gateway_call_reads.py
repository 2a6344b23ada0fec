"""The gateway call's reads (ADR 0015): one statement for the resource and the grant, published
field definitions remembered per version, one transaction for the quotas and the log — and every
change (revocation, retirement, a new version, a new day) seen on the very next call."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import caches

from yiwang.sharing import call_reads, services
from yiwang.sharing.models import GatewayCall, GatewayUsage, Grant
from yiwang.sharing.tests.gateway_factories import POPULATION_FIELDS, GatewayWorld, make_gateway_world

PURPOSE = "企业登记核验"


@pytest.fixture(autouse=True)
def _clear_counters():
    caches["default"].clear()


@pytest.fixture
def gw(world) -> GatewayWorld:
    return make_gateway_world(world)


def call(gw: GatewayWorld, fields: list[str], case_number: str = "") -> services.GatewayAnswer:
    return services.call_resource(gw.consumer, gw.resource.code, gw.subject, fields, PURPOSE, case_number)


def test_a_steady_call_runs_a_handful_of_statements(gw, django_assert_max_num_queries):
    call(gw, ["gender"])  # the first call of the day creates the quota counters
    # target (resource + grant), the provider's lookup, and one transaction: UPDATE counters, INSERT log
    with django_assert_max_num_queries(6):
        answer = call(gw, ["gender", "household_region"])
    assert set(answer.data or {}) == {"gender", "household_region"}
    assert set(GatewayUsage.objects.values_list("count", flat=True)) == {2}


def test_counters_are_exact_and_start_again_each_day(gw, frozen):
    for _ in range(3):
        call(gw, ["gender"])
    assert sorted(GatewayUsage.objects.values_list("count", flat=True)) == [3, 3]
    first_day = GatewayUsage.objects.values_list("day", flat=True).first()
    frozen.shift(timedelta(days=1))
    call(gw, ["gender"])
    counts = sorted(GatewayUsage.objects.values_list("day", "count"))
    assert counts == [
        (first_day, 3),
        (first_day, 3),
        (first_day + timedelta(days=1), 1),
        (first_day + timedelta(days=1), 1),
    ]
    assert GatewayCall.objects.filter(result="ok").count() == 4


def test_a_revoked_grant_refuses_the_next_call(gw, world):
    call(gw, ["gender"])
    grant = Grant.objects.get(resource=gw.resource)
    services.revoke_grant(grant, actor=world.police_official, reason="停止合作")
    with pytest.raises(services.GatewayRefusal) as refused:
        call(gw, ["gender"])
    assert refused.value.code == "gateway_no_grant"


def test_a_retired_resource_is_gone_on_the_next_call(gw, world):
    call(gw, ["gender"])
    services.retire_resource(gw.resource, actor=world.police_official, reason="数据迁移")
    with pytest.raises(services.GatewayRefusal) as refused:
        call(gw, ["gender"])
    assert refused.value.status == 404


def test_a_new_published_version_is_used_on_the_next_call(gw, world):
    call(gw, ["household_region"])
    gw.resource.refresh_from_db()
    without_region = [f for f in POPULATION_FIELDS if f["name"] != "household_region"]
    definition = {
        "name": gw.resource.name,
        "service": gw.resource.service,
        "subject_kind": "person",
        "share_type": gw.resource.share_type,
        "share_conditions": gw.resource.share_conditions,
    }
    resource = services.update_resource(
        gw.resource, actor=world.police_official, definition=definition, fields=without_region
    )
    call(gw, ["household_region"])  # v2 is a draft: consumers keep v1
    services.submit_resource(resource, actor=world.police_official)
    services.review_resource(resource, actor=world.reviewer, approve=True)
    with pytest.raises(services.GatewayRefusal) as refused:
        call(gw, ["household_region"])
    assert refused.value.code == "gateway_fields_not_granted"


def test_over_quota_is_refused_and_counts_nothing_more(world):
    gw = make_gateway_world(world, quota_per_day=2)
    call(gw, ["gender"])
    call(gw, ["gender"])
    with pytest.raises(services.GatewayRefusal) as refused:
        call(gw, ["gender"])
    assert refused.value.status == 429
    assert sorted(GatewayUsage.objects.values_list("count", flat=True)) == [2, 2]


def test_the_off_switch_gives_the_same_answers(gw, settings, django_assert_max_num_queries):
    settings.YIWANG_GATEWAY_CALL_READS = False
    call(gw, ["gender"])
    with django_assert_max_num_queries(7):  # the version's fields are read again
        answer = call(gw, ["gender"])
    assert answer.data == call_reads_free_answer(gw)


def call_reads_free_answer(gw: GatewayWorld) -> dict:
    call_reads.forget()
    return call(gw, ["gender"]).data or {}
