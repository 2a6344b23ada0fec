"""Case detail snapshots (办件详情快照): a stored detail is served only while it is exactly what a fresh
rendering would give, whoever changed the case and however; visibility is checked on every read."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone, translation
from ninja.responses import NinjaJSONEncoder

from yiwang.accounts.models import User
from yiwang.cases import detail_cache, services, variants
from yiwang.cases.models import (
    Case,
    CaseDelivery,
    CaseDetailSnapshot,
    CaseDocument,
    CaseEvent,
    CaseMaterial,
    CorrectionNotice,
    SpecialProcedure,
)
from yiwang.cases.reads import detail
from yiwang.cases.tests.conftest import FROZEN_NOW, token_client
from yiwang.cases.tests.factories import ServiceItemFactory, make_citizen, make_staff, pdf_upload, submit_case
from yiwang.catalog.models import ServiceItem
from yiwang.core.models import CalendarDay, Organisation

# Committed transactions, as in production: on PostgreSQL a case filed by the reader's own (test)
# transaction is never stored (its later changes in that transaction skip the bumps).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("frozen_time")]


def url(case: Case) -> str:
    return f"/api/v1/cases/{case.public_id}"


def snapshot(case: Case) -> CaseDetailSnapshot | None:
    return CaseDetailSnapshot.objects.filter(case_id=case.pk).first()


def is_current(case: Case) -> bool:
    row = snapshot(case)
    return row is not None and bool(row.body) and row.built_revision == row.revision


def fresh(case: Case) -> dict[str, Any]:
    """What a rendering from the models gives now."""
    return json.loads(json.dumps(detail(Case.objects.get(pk=case.pk)).model_dump(), cls=NinjaJSONEncoder))


def read(client: Client, case: Case) -> dict[str, Any]:
    response = client.get(url(case))
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


@pytest.fixture
def case(item: ServiceItem, citizen: User) -> Case:
    return submit_case(item, citizen)


@pytest.fixture
def citizen_client(citizen: User) -> Client:
    return token_client(citizen)


# --- the stored body is the fresh rendering -------------------------------------------------------
def test_second_read_is_served_from_the_snapshot(
    case: Case, citizen_client: Client, django_assert_num_queries: Any
) -> None:
    first = read(citizen_client, case)
    assert is_current(case)
    # token + user (one statement), then the case with its visibility columns and the snapshot
    with django_assert_num_queries(2):
        second = read(citizen_client, case)
    assert first == second == fresh(case)


def test_staff_and_applicant_share_one_snapshot(case: Case, citizen_client: Client, clerk: User) -> None:
    applicant_view = read(citizen_client, case)
    staff_view = token_client(clerk).get(f"/api/v1/workbench/cases/{case.public_id}")
    assert staff_view.status_code == 200
    # The same body, with the personal data masked for staff (cases/personal_data.py).
    personal = {"applicant_name", "form_data", "delivery"}
    staff = staff_view.json()
    assert staff["applicant_name"] != applicant_view["applicant_name"]
    assert {k: v for k, v in staff.items() if k not in personal} == {
        k: v for k, v in applicant_view.items() if k not in personal
    }


# --- anything the detail shows, changed by any means, makes it miss -------------------------------
def _transition(case: Case, clerk: User) -> None:
    services.accept_case(case, actor=clerk)


def _queryset_update_of_the_case(case: Case, clerk: User) -> None:
    Case.objects.filter(pk=case.pk).update(decision_comment="另行说明")


def _raw_sql_on_the_case(case: Case, clerk: User) -> None:
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_case SET applicant_name = %s WHERE id = %s", ["改名", case.pk])


def _new_event(case: Case, clerk: User) -> None:
    services.request_correction(case, actor=clerk, items=[{"name": "营业执照", "reason": "模糊"}])


def _material_changed(case: Case, clerk: User) -> None:
    CaseMaterial.objects.create(
        case=case,
        material_name="补充材料",
        original_name="a.pdf",
        content_type="application/pdf",
        size=3,
        sha256="0" * 64,
        file=pdf_upload(),
        uploaded_by=case.applicant,
    )


def _delivery_changed(case: Case, clerk: User) -> None:
    CaseDelivery.objects.update_or_create(
        case=case, defaults={"method": "courier", "address": "合肥市蜀山区长江西路 1 号"}
    )


def _document_added(case: Case, clerk: User) -> None:
    CaseDocument.objects.create(
        case=case, kind="acceptance", title="受理通知书", sha256="1" * 64, file=pdf_upload()
    )


def _notice_edited(case: Case, clerk: User) -> None:
    _new_event(case, clerk)
    read(token_client(case.applicant), case)  # stored again after the correction request
    CorrectionNotice.objects.filter(case=case).update(comment="请加盖公章")


def _special_procedure_ended(case: Case, clerk: User) -> None:
    accepted = services.accept_case(case, actor=clerk)
    handler = make_staff(case.handling_organisation, "handler_sp", ("handler", "approver"))
    variants.start_special_procedure(accepted, actor=handler, kind="hearing", reason="听证")
    read(token_client(case.applicant), case)
    SpecialProcedure.objects.filter(case=case).update(result="听证结束")


def _event_deleted(case: Case, clerk: User) -> None:
    # Events are immutable in the platform; a deletion by hand must still void the body.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM cases_caseevent WHERE case_id = %s AND sequence = 1", [case.pk])


CHANGES = [
    _transition,
    _queryset_update_of_the_case,
    _raw_sql_on_the_case,
    _new_event,
    _material_changed,
    _delivery_changed,
    _document_added,
    _notice_edited,
    _special_procedure_ended,
    _event_deleted,
]


@pytest.mark.parametrize("change", CHANGES, ids=[c.__name__.strip("_") for c in CHANGES])
def test_any_change_makes_the_next_read_fresh(
    change: Any, case: Case, citizen_client: Client, clerk: User
) -> None:
    before = read(citizen_client, case)
    assert is_current(case)
    change(Case.objects.get(pk=case.pk), clerk)
    assert not is_current(case)
    after = read(citizen_client, case)
    assert after == fresh(case)
    assert after != before
    assert is_current(case)


def test_item_and_department_renames_show_at_once(
    case: Case, citizen_client: Client, item: ServiceItem, department: Organisation
) -> None:
    read(citizen_client, case)
    ServiceItem.objects.filter(pk=item.pk).update(name="新事项名称")
    assert read(citizen_client, case)["item_name"] == "新事项名称"
    Organisation.objects.filter(pk=department.pk).update(name="合肥市数据资源局")
    assert read(citizen_client, case)["handling_organisation"] == "合肥市数据资源局"


def test_the_next_day_recomputes_the_clock(
    case: Case, citizen_client: Client, clerk: User, frozen_time: time_machine.Coordinates
) -> None:
    services.accept_case(case, actor=clerk)
    today = read(citizen_client, case)
    frozen_time.shift(timedelta(days=1))
    tomorrow = read(citizen_client, case)
    assert tomorrow == fresh(case)
    assert tomorrow["working_days_left"] == today["working_days_left"] - 1


def test_a_calendar_change_shows_at_once(case: Case, citizen_client: Client, clerk: User) -> None:
    services.accept_case(case, actor=clerk)
    before = read(citizen_client, case)
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert CalendarDay.objects.filter(date=tomorrow).count() == 0  # a plain working day
    CalendarDay.objects.create(date=tomorrow, kind="holiday", name="临时假日")
    after = read(citizen_client, case)
    assert after == fresh(case)
    assert after["working_days_left"] == before["working_days_left"] - 1


def test_each_language_gets_its_own_rendering(case: Case, citizen_client: Client) -> None:
    chinese = read(citizen_client, case)
    english = citizen_client.get(url(case), headers={"Accept-Language": "en"}).json()
    assert chinese["status_label"] == "待受理"
    with translation.override("en"):
        assert english == fresh(case)
    assert english["status_label"] != chinese["status_label"]
    assert read(citizen_client, case)["status_label"] == "待受理"


def test_cases_with_extensions_are_never_stored(case: Case, citizen_client: Client, clerk: User) -> None:
    accepted = services.accept_case(case, actor=clerk)
    handler = make_staff(case.handling_organisation, "handler_x", ("handler", "approver"))
    variants.request_extension(accepted, actor=handler, days=5, reason="需现场核查")
    body = read(citizen_client, case)
    assert [x["days"] for x in body["extensions"]] == [5]
    assert not is_current(case)
    User.objects.filter(pk=handler.pk).update(first_name="新名")
    assert read(citizen_client, case) == fresh(case)


# --- concurrency: a change between a reader's read and its store ----------------------------------
def test_a_change_committed_while_a_reader_renders_is_not_hidden(case: Case, clerk: User) -> None:
    citizen = case.applicant
    seen_revision: list[int] = []

    def slow_build() -> tuple[bytes, bool]:
        row = snapshot(case)
        seen_revision.append(row.revision if row else 0)
        stale = json.dumps(detail(Case.objects.get(pk=case.pk)).model_dump(), cls=NinjaJSONEncoder).encode()
        services.accept_case(Case.objects.get(pk=case.pk), actor=clerk)  # lands before the store
        return stale, True

    detail_cache.detail_response(citizen, case.public_id, slow_build)
    assert not is_current(case)
    body = read(token_client(citizen), case)
    assert body["status"] == "accepted" and body == fresh(case)


# --- visibility is checked on every read, from the same statement ----------------------------------
def test_no_one_else_reads_a_stored_detail(
    case: Case, citizen_client: Client, other_citizen: User, foreign_clerk: User
) -> None:
    read(citizen_client, case)
    assert is_current(case)
    for outsider in (other_citizen,):
        response = token_client(outsider).get(url(case))
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    response = token_client(foreign_clerk).get(f"/api/v1/workbench/cases/{case.public_id}")
    assert response.status_code == 404
    assert Client().get(url(case)).status_code == 401


def test_may_see_agrees_with_visible_cases(
    item: ServiceItem,
    citizen: User,
    other_citizen: User,
    clerk: User,
    foreign_clerk: User,
    department: Organisation,
    other_department: Organisation,
) -> None:
    other_item = ServiceItemFactory(implementing_body=other_department)
    cases = [
        submit_case(item, citizen),
        submit_case(other_item, other_citizen),
        submit_case(item, other_citizen),
    ]
    superuser = make_staff(department, "root", ("window_clerk",))
    User.objects.filter(pk=superuser.pk).update(is_superuser=True)
    viewers = [citizen, other_citizen, clerk, foreign_clerk, User.objects.get(pk=superuser.pk)]
    viewers.append(make_citizen("nobody_agent"))
    for viewer in viewers:
        visible = set(services.visible_cases(viewer).values_list("pk", flat=True))
        for c in cases:
            got = detail_cache.may_see(viewer, c.applicant_id, c.acting_agent_id, c.handling_organisation_id)
            assert got == (c.pk in visible), (viewer.username, c.number)


# --- triggers --------------------------------------------------------------------------------------
def test_triggers_are_installed_after_migrate() -> None:
    names = {name for name, _table in detail_cache.installed_triggers(connection)}
    tables = {table for _name, table in detail_cache.installed_triggers(connection)}
    assert {m._meta.db_table for m in detail_cache.CHILD_MODELS} <= tables
    assert "cases_case" in tables
    assert all(name.startswith(detail_cache.TRIGGER_PREFIX) for name in names)


def test_suspended_triggers_come_back(case: Case, citizen_client: Client) -> None:
    before = detail_cache.installed_triggers(connection)
    with detail_cache.triggers_suspended():
        assert detail_cache.installed_triggers(connection) == set()
    assert detail_cache.installed_triggers(connection) == before
    read(citizen_client, case)
    Case.objects.filter(pk=case.pk).update(decision_comment="x")
    assert not is_current(case)


def test_a_filing_leaves_no_snapshot_row_behind_on_postgresql(item: ServiceItem, citizen: User) -> None:
    with transaction.atomic():
        case = submit_case(item, citizen)
        # Read inside the filing's own transaction: nothing is stored on PostgreSQL.
        read(token_client(citizen), case)
        if connection.vendor == "postgresql":
            assert snapshot(case) is None
    if connection.vendor == "postgresql":
        # Created, numbered, given its delivery and first event in one transaction: no reader could
        # have seen it, so the triggers skip it.
        assert snapshot(case) is None
    CaseEvent.objects.filter(case=case).update(comment="补记")
    row = snapshot(case)
    assert row is not None and row.revision >= 1


def test_old_bodies_are_cleared(case: Case, citizen_client: Client) -> None:
    read(citizen_client, case)
    assert detail_cache.clear_old_bodies(timezone.localdate()) == 0
    assert detail_cache.clear_old_bodies(timezone.localdate() + timedelta(days=1)) == 1
    row = snapshot(case)
    assert row is not None and row.body == "" and row.revision >= 0
    assert read(citizen_client, case) == fresh(case)


def test_bad_ids_are_404_not_500(citizen_client: Client, case: Case) -> None:
    assert citizen_client.get("/api/v1/cases/00000000-0000-0000-0000-000000000000").status_code == 404
    assert citizen_client.get("/api/v1/cases/not-a-uuid").status_code in (404, 422)
    assert FROZEN_NOW.year == 2026


def test_the_daily_command_clears_and_reinstalls(case: Case, citizen_client: Client) -> None:
    from io import StringIO

    from django.core.management import call_command

    read(citizen_client, case)
    detail_cache.drop_triggers()
    out = StringIO()
    with time_machine.travel(FROZEN_NOW + timedelta(days=1)):
        call_command("clear_detail_snapshots", "--reinstall", stdout=out)
    assert "1" in out.getvalue()
    assert {t for _n, t in detail_cache.installed_triggers(connection)} >= {"cases_case", "cases_caseevent"}
    assert snapshot(case) is not None and not is_current(case)
