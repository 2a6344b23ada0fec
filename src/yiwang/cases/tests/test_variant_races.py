"""Two approvers deciding the same extension, two handlers starting a special procedure at once:
exactly one wins, the other gets a clear conflict, nothing is applied twice."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from yiwang.cases import variants
from yiwang.cases.models import Case, CaseEvent, SpecialProcedure
from yiwang.cases.services import accept_case
from yiwang.cases.tests.factories import make_staff, submit_case
from yiwang.core.errors import Conflict

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("frozen_time")]


def race(run: Callable[[object], object], users: list[object]) -> list[str]:
    barrier = threading.Barrier(len(users))
    outcomes: list[str] = []

    def act(user: object) -> None:
        try:
            barrier.wait(timeout=10)
            run(user)
            outcomes.append("won")
        except Conflict as exc:
            outcomes.append(str(exc.code))
        finally:
            connection.close()

    threads = [threading.Thread(target=act, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_two_approvers_decide_one_extension(item, citizen, clerk, department):
    handler = make_staff(department, "handler", ("handler",))
    heads = [make_staff(department, f"head{n}", ("approver",)) for n in range(2)]
    case = accept_case(submit_case(item, citizen), actor=clerk)
    variants.request_extension(case, actor=handler, days=10, reason="现场核查")
    version = Case.objects.get(pk=case.pk).lock_version
    outcomes = race(
        lambda user: variants.decide_extension(
            Case.objects.get(pk=case.pk), actor=user, approve=True, expected_version=version
        ),
        heads,
    )
    assert sorted(outcomes) == ["stale_case", "won"]
    assert CaseEvent.objects.filter(case=case, event_type="extension_approved").count() == 1
    assert Case.objects.get(pk=case.pk).extension_days == 10


def test_two_handlers_start_a_special_procedure(item, citizen, clerk, department):
    handlers = [make_staff(department, f"handler{n}", ("handler",)) for n in range(2)]
    case = accept_case(submit_case(item, citizen), actor=clerk)
    outcomes = race(
        lambda user: variants.start_special_procedure(
            Case.objects.get(pk=case.pk), actor=user, kind="testing", reason="送检"
        ),
        handlers,
    )
    assert sorted(outcomes) == ["invalid_transition", "won"]
    assert SpecialProcedure.objects.filter(case=case).count() == 1
