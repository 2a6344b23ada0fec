from __future__ import annotations

import pytest

from yiwang.testing.cases import OrganisationFactory, make_staff
from yiwang.workflow import services


@pytest.fixture
def definitions(db):
    return {definition.key: definition for definition in services.install_default_definitions()}


@pytest.fixture
def market(db):
    return OrganisationFactory(name="合肥市市场监督管理局", short_name="市场监管局")


@pytest.fixture
def health(db):
    return OrganisationFactory(name="合肥市卫生健康委员会", short_name="卫健委")


@pytest.fixture
def fire(db):
    return OrganisationFactory(name="合肥市消防救援支队", short_name="消防支队")


@pytest.fixture
def clerk(market):
    return make_staff(market, "clerk", ("window_clerk",))


@pytest.fixture
def clerk2(market):
    return make_staff(market, "clerk2", ("window_clerk",))


@pytest.fixture
def handler(market):
    return make_staff(market, "handler", ("handler",))


@pytest.fixture
def approver(market):
    return make_staff(market, "approver", ("approver",))
