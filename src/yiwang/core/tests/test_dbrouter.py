"""Read routing to a replica: catalogue reads go to ``replica`` when it is configured."""

from __future__ import annotations

import pytest
from django.db import connections

from yiwang.accounts.models import User
from yiwang.cases.models import Case
from yiwang.catalog.models import Material, ServiceItem
from yiwang.core.dbrouter import ReplicaRouter
from yiwang.core.models import Organisation


@pytest.fixture
def replica(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(connections.databases, "replica", dict(connections.databases["default"]))


def test_without_replica_the_router_has_no_opinion() -> None:
    assert "replica" not in connections.databases
    assert ReplicaRouter().db_for_read(ServiceItem) is None


@pytest.mark.usefixtures("replica")
def test_catalogue_reads_go_to_the_replica_the_rest_to_the_primary() -> None:
    router = ReplicaRouter()
    assert router.db_for_read(ServiceItem) == "replica"
    assert router.db_for_read(Material) == "replica"
    assert router.db_for_read(Organisation) == "replica"
    assert router.db_for_read(Case) == "default"
    assert router.db_for_read(User) == "default"
    assert router.db_for_write(ServiceItem) == "default"
    assert router.allow_migrate("replica", "catalog") is False
    assert router.allow_migrate("default", "catalog") is True


@pytest.mark.django_db
@pytest.mark.usefixtures("replica")
def test_reads_inside_a_transaction_stay_on_the_primary() -> None:
    from django.db import transaction

    with transaction.atomic():
        assert ReplicaRouter().db_for_read(ServiceItem) == "default"
