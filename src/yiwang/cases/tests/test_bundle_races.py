"""Two departments decide the last two sub-cases of a bundle at the same moment: the application row
lock makes exactly one of them issue the combined result (PostgreSQL: SQLite serialises writers)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from yiwang.cases import bundles
from yiwang.cases.models import BundleApplicationStatus, Case, CaseDocument
from yiwang.cases.services import accept_case, decide_case
from yiwang.cases.tests.test_bundles import (  # noqa: F401 - fixtures
    _apply,
    bundle,
    fire_department,
    fire_item,
    fire_staff,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("frozen_time")]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks (PostgreSQL)")
def test_concurrent_last_decisions_join_once(bundle, citizen, fire_item, clerk, approver, fire_staff):  # noqa: F811
    application = _apply(bundle, citizen, fire_item)
    food_case, fire_case = bundles.sub_cases(application)
    accept_case(food_case, actor=clerk)
    accept_case(fire_case, actor=fire_staff[0])
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def decide(case_pk, user):
        try:
            barrier.wait(timeout=10)
            decide_case(Case.objects.get(pk=case_pk), actor=user, approve=True)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(food_case.pk, approver)),
        threading.Thread(target=decide, args=(fire_case.pk, fire_staff[1])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    application.refresh_from_db()
    assert application.status == BundleApplicationStatus.COMPLETED
    assert CaseDocument.objects.filter(bundle_application=application).count() == 1
