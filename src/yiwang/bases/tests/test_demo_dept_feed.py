"""The demo department system's "推送人口库更新": its stateless pusher (yiwang_demo_dept.feeds) sends a
signed package over real HTTP to the platform (live server), which applies it to the population base
as 合肥市公安局; a lost sequence file is recovered from the platform's 409."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import time_machine

from yiwang.bases import reads
from yiwang.bases.models import Person
from yiwang.demo.dept_feed import (
    DEMO_DEPT_EXCHANGE_NODE_ID,
    DEMO_DEPT_EXCHANGE_SM2_PRIVATE_KEY,
    DEMO_PLATFORM_NODE_ID,
    load_demo_dept_feed,
)
from yiwang.exchange.identity import NodeIdentity, generate_identity
from yiwang.testing.accounts import organisation
from yiwang_demo_dept.feeds import Platform, push_population_update

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel("2026-12-01 10:00:00+08:00", tick=True) as traveller:
        yield traveller


def test_the_department_system_pushes_births_to_the_population_base(live_server, settings, tmp_path: Path):
    settings.MEDIA_ROOT = tmp_path / "media"
    platform_identity = generate_identity(DEMO_PLATFORM_NODE_ID)
    settings.YIWANG_EXCHANGE_NODE_ID = platform_identity.node_id
    settings.YIWANG_EXCHANGE_SM2_PRIVATE_KEY = platform_identity.sm2_private_key
    police = organisation("合肥市公安局")
    load_demo_dept_feed()
    dept = NodeIdentity(DEMO_DEPT_EXCHANGE_NODE_ID, DEMO_DEPT_EXCHANGE_SM2_PRIVATE_KEY)
    platform = Platform(DEMO_PLATFORM_NODE_ID, live_server.url)
    state = tmp_path / "dept.json"

    first = push_population_update(dept, platform, state)
    assert (first["state"], first["sequence"], first["result"]["created"]) == ("applied", 1, 1)
    state.unlink()  # the department system lost its sequence: the platform's 409 tells where it is
    second = push_population_update(dept, platform, state)
    # Sent under the next sequence; its count of births started again too, so the same record: stale.
    assert (second["state"], second["sequence"], second["result"]["stale"]) == ("applied", 2, 1)
    person = Person.objects.get()
    assert person.source == police and person.version == 1
    found = reads.lookup_person(person.id_number, ["name", "birth_date", "household_region"])
    assert found == {"name": first["name"], "birth_date": "2026-12-01", "household_region": "340104"}
