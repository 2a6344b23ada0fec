"""Test data of assessment: a supervisor, three departments and deterministic indicator sources."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import factory

from yiwang.accounts.models import DataScope, StaffRoleAssignment, User
from yiwang.assessment import services
from yiwang.assessment.models import AssessmentScheme, Indicator, SchemeStatus
from yiwang.core.models import Organisation
from yiwang.metrics import sources
from yiwang.testing import accounts
from yiwang.testing.cases import make_document_seal

#: The fixed values the test sources answer (unit key filled in per world): higher is better for
#: ``t_ontime`` (%), lower for ``t_overdue`` (%).
ONTIME = {"a": 95.0, "b": 80.0, "c": 60.0}
OVERDUE = {"a": 2.0, "b": 10.0, "c": None}


@dataclass
class World:
    supervisor: User
    bureau: Organisation  # the supervisor's organisation (owner of the schemes)
    a: Organisation
    b: Organisation
    c: Organisation
    clerk_a: User
    clerk_b: User

    def key(self, name: str) -> str:
        return str(getattr(self, name).public_id)


def make_world() -> World:
    bureau = accounts.organisation("合肥市数据资源局")
    supervisor = accounts.staff("supervisor", ["supervisor"], bureau, real_name="马超")
    StaffRoleAssignment.objects.filter(staff__user=supervisor).update(scope=DataScope.REGION)
    a = accounts.organisation("合肥市市场监督管理局")
    b = accounts.organisation("合肥市公安局")
    c = accounts.organisation("合肥市自然资源和规划局")
    clerk_a = accounts.staff("clerk", ["window_clerk"], a, real_name="李娜")
    clerk_b = accounts.staff("clerk_ps", ["window_clerk"], b, real_name="赵敏")
    return World(supervisor, bureau, a, b, c, clerk_a, clerk_b)


def register_test_sources(world: World) -> list[str]:
    def ontime(period: sources.Period, level: str) -> dict[str, float | None]:
        return {world.key(k): v for k, v in ONTIME.items()}

    def overdue(period: sources.Period, level: str) -> dict[str, float | None]:
        return {world.key(k): v for k, v in OVERDUE.items()} | {"not-a-unit": 1.0}

    sources.register(sources.Source("t_ontime", "按时办结率", "%", True, ontime, context="test"))
    sources.register(sources.Source("t_overdue", "超期率", "%", False, overdue, context="test"))
    return ["t_ontime", "t_overdue"]


def seal(world: World) -> Any:
    return make_document_seal(world.bureau, seal_type="official")


class SchemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssessmentScheme

    name = factory.Sequence(lambda n: f"考核方案{n}")
    level = "department"
    period_kind = "quarter"


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    source = "t_ontime"
    weight = Decimal(60)
    method = "linear"
    floor = 50.0
    target = 100.0


def published_scheme(world: World, *, missing: str = "zero") -> AssessmentScheme:
    """On-time rate 60 (linear 50 → 100), overdue rate 40 (linear 20 → 0, lower is better)."""
    scheme = services.create_scheme(
        world.supervisor,
        services.SchemeData(
            name="部门季度考核",
            indicators=[
                services.IndicatorData(source="t_ontime", weight=60, floor=50, target=100),
                services.IndicatorData(source="t_overdue", weight=40, floor=20, target=0, missing=missing),
            ],
        ),
    )
    services.publish_scheme(world.supervisor, scheme)
    scheme.refresh_from_db()
    assert scheme.status == SchemeStatus.PUBLISHED
    return scheme
