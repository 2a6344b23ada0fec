"""Data-quality tickets: the lifecycle, deadlines in working days (frozen time), only the provider
fixes, a citizen only about himself, fixes matched with the feed batch, statistics, notifications."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from yiwang.accounts.models import InboxMessage
from yiwang.bases.services import apply_updates
from yiwang.core.errors import DomainError
from yiwang.core.models import AuditEvent
from yiwang.sharing import services
from yiwang.sharing.models import QualityTicket, TicketStatus
from yiwang.sharing.services.quality import (
    applicant_tickets,
    overdue,
    staff_tickets,
    ticket_actions,
    ticket_statistics,
)
from yiwang.sharing.tests.factories import ask, published_resource
from yiwang.testing import bases
from yiwang.testing.cases import make_citizen

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
ID_NUMBER = "340104199005120018"


@pytest.fixture
def granted(world):
    """The police's population resource, granted to the market regulator."""
    resource = published_resource(world.police_official, world.reviewer)
    share_request = ask(world.market_official, resource, ["gender", "household_region"])
    services.decide_request(share_request, actor=world.police_official, decision="approve")
    return resource


def _staff_report(world, resource, **kwargs):
    values = {
        "actor": world.market_clerk,
        "resource": resource,
        "subject": bases.id_number(),
        "fields": ["household_region"],
        "claimed_value": {"household_region": "340103"},
        "reported_value": {"household_region": "340104"},
        "description": "户籍已迁至庐阳区",
    }
    return services.report_by_staff(**{**values, **kwargs})


def test_lifecycle_open_accepted_fixed_with_notifications(world, granted, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = _staff_report(world, granted)
    assert ticket.status == TicketStatus.OPEN and ticket.provider == world.police
    assert ticket.reporter_organisation == world.market
    assert InboxMessage.objects.filter(user=world.police_official).count() == 1
    assert ticket_actions(world.police_official, ticket) == {"accept", "reject", "comment"}
    assert ticket_actions(world.market_clerk, ticket) == {"comment"}
    assert ticket_actions(world.market_official, ticket) == frozenset()
    with django_capture_on_commit_callbacks(execute=True):
        accepted = services.accept_ticket(ticket, actor=world.police_official)
        services.comment_on_ticket(accepted, actor=world.market_clerk, body="请尽快核实")
        fixed = services.fix_ticket(accepted, actor=world.police_official, note="已按迁移登记更正")
    assert accepted.status == TicketStatus.ACCEPTED and fixed.status == TicketStatus.FIXED
    assert fixed.resolution == "已按迁移登记更正" and fixed.closed_by == world.police_official
    assert ticket_actions(world.police_official, fixed) == frozenset()
    assert InboxMessage.objects.filter(user=world.market_clerk).count() == 2  # accepted, fixed
    assert list(
        AuditEvent.objects.filter(object_id=str(ticket.public_id))
        .order_by("sequence")
        .values_list("action", flat=True)
    ) == [
        "sharing.quality_reported",
        "sharing.quality_accepted",
        "sharing.quality_commented",
        "sharing.quality_fixed",
    ]
    with pytest.raises(DomainError) as again:
        services.reject_ticket(fixed, actor=world.police_official, reason="晚了")
    assert again.value.code == "sharing_invalid_transition"


def test_values_are_encrypted_and_the_subject_is_a_digest(world, granted):
    subject = bases.id_number()
    ticket = _staff_report(world, granted, subject=subject)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT subject_digest, subject_masked, claimed_value, reported_value, description "
            "FROM sharing_qualityticket WHERE id = %s",
            [ticket.pk],
        )
        row = " ".join(str(v) for v in cursor.fetchone())
    assert subject not in row and "340103" not in row and "庐阳区" not in row
    assert ticket.subject_masked.endswith(subject[-4:]) and "*" in ticket.subject_masked
    loaded = QualityTicket.objects.get(pk=ticket.pk)
    assert loaded.claimed_value == {"household_region": "340103"}
    # Every protected column of the ticket and of its comments holds ciphertext (core's rule).
    services.comment_on_ticket(ticket, actor=world.police_official, body="已核实，户籍地为庐阳区")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reported_value, claimed_value, description FROM sharing_qualityticket WHERE id = %s",
            [ticket.pk],
        )
        stored = cursor.fetchone()
        cursor.execute("SELECT body FROM sharing_qualitycomment WHERE ticket_id = %s", [ticket.pk])
        stored = (*stored, *[row[0] for row in cursor.fetchall()])
    assert all(str(value).startswith("yw1$") for value in stored if value), stored


def test_reject_needs_a_reason_and_only_the_provider_answers(world, granted):
    ticket = _staff_report(world, granted)
    for actor in (world.market_official, world.market_clerk, world.reviewer):
        with pytest.raises(DomainError) as refused:
            services.accept_ticket(ticket, actor=actor)
        assert refused.value.status == 403
    with pytest.raises(DomainError) as refused:
        services.reject_ticket(ticket, actor=world.police_official, reason=" ")
    assert refused.value.code == "sharing_reason_required"
    with pytest.raises(DomainError) as refused:
        services.fix_ticket(ticket, actor=world.police_official, note="未受理不能办结")
    assert refused.value.code == "sharing_invalid_transition"
    rejected = services.reject_ticket(ticket, actor=world.police_official, reason="登记信息无误")
    assert rejected.status == TicketStatus.REJECTED and rejected.resolution == "登记信息无误"


def test_only_a_consumer_with_a_grant_reports_fields_of_the_resource(world, granted):
    with pytest.raises(DomainError) as refused:
        _staff_report(world, granted, actor=world.police_official)  # the provider itself
    assert refused.value.status == 403
    other = make_citizen("q_no_staff")
    with pytest.raises(DomainError):
        _staff_report(world, granted, actor=other)
    with pytest.raises(DomainError) as refused:
        _staff_report(world, granted, fields=["not_a_field"], claimed_value={"not_a_field": "x"})
    assert refused.value.code == "sharing_invalid_fields"
    with pytest.raises(DomainError) as refused:
        _staff_report(world, granted, subject="12345")
    assert "subject" in refused.value.fields
    with pytest.raises(DomainError) as refused:
        _staff_report(world, granted, claimed_value={"gender": "male"})
    assert "claimed_value" in refused.value.fields


def test_a_citizen_reports_only_about_himself(world, granted):
    citizen = make_citizen("q_citizen")
    ticket = services.report_by_applicant(
        actor=citizen,
        resource=granted,
        fields=["gender"],
        claimed_value={"gender": "female"},
    )
    from yiwang.core.protected import protected_digest

    assert ticket.subject_digest == protected_digest(citizen.natural_person.id_number, "code")
    assert list(applicant_tickets(citizen)) == [ticket]
    assert list(applicant_tickets(make_citizen("q_other"))) == []
    company_resource = published_resource(
        world.market_official, world.reviewer, name="法人信息", subject_kind="company", fields=None
    )
    with pytest.raises(DomainError) as refused:
        services.report_by_applicant(
            actor=citizen, resource=company_resource, fields=["gender"], claimed_value={"gender": "x"}
        )
    assert "resource" in refused.value.fields
    with pytest.raises(DomainError):
        services.report_by_applicant(
            actor=world.market_clerk, resource=granted, fields=["gender"], claimed_value={"gender": "x"}
        )


def test_deadline_in_working_days_and_overdue_list(world, granted, frozen):
    ticket = _staff_report(world, granted)
    # Reported Monday 21 September 2026: five working days, skipping 中秋节 (Friday 25th) and the
    # weekend → Tuesday 29 September, end of day.
    assert ticket.due_at == datetime(2026, 9, 29, 23, 59, 59, tzinfo=SHANGHAI)
    visible = staff_tickets(world.police_official)
    assert list(overdue(visible)) == []
    frozen.move_to(datetime(2026, 9, 29, 23, 0, tzinfo=SHANGHAI))
    assert list(overdue(visible)) == []
    frozen.move_to(datetime(2026, 9, 30, 9, 0, tzinfo=SHANGHAI))
    assert list(overdue(visible)) == [ticket]
    assert QualityTicket.objects.get(pk=ticket.pk).is_overdue
    stats = ticket_statistics(world.police_official)
    assert stats == [
        {"provider": world.police.name, "open": 1, "accepted": 0, "overdue": 1, "fixed": 0, "rejected": 0}
    ]
    services.accept_ticket(ticket, actor=world.police_official)
    services.fix_ticket(ticket, actor=world.police_official, note="已更正")
    assert list(overdue(visible)) == []
    assert ticket_statistics(world.reviewer)[0]["fixed"] == 1


def test_deadline_crosses_the_national_day_holiday(world, granted, frozen):
    frozen.move_to(datetime(2026, 9, 29, 15, 0, tzinfo=SHANGHAI))
    ticket = _staff_report(world, granted)
    # 29 Sep → 30 Sep, then the National Day holiday (1–7 Oct), then 9, 10 (调休 Saturday), 12, 13 Oct.
    assert ticket.due_at.astimezone(SHANGHAI).date() > datetime(2026, 10, 7).date()


def test_the_fix_names_the_feed_batch_that_carried_the_subject(world, granted):
    person = bases.person()
    ticket = _staff_report(world, granted, subject=person.id_number)
    services.accept_ticket(ticket, actor=world.police_official)
    apply_updates(
        "population",
        [{"id_number": person.id_number, "household_region": "340103", "version": person.version + 1}],
        source=world.police,
        batch_id="B-2026-0921",
    )
    with pytest.raises(DomainError) as refused:
        services.fix_ticket(ticket, actor=world.police_official, note="已更正", batch_id="B-UNKNOWN")
    assert "batch_id" in refused.value.fields
    fixed = services.fix_ticket(ticket, actor=world.police_official, note="已更正", batch_id="B-2026-0921")
    assert (fixed.fix_batch_id, fixed.fix_package_id) == ("B-2026-0921", "")  # packages: test_quality_fix


def test_staff_lists_by_side(world, granted):
    ticket = _staff_report(world, granted)
    assert list(staff_tickets(world.police_official)) == [ticket]  # provider
    assert list(staff_tickets(world.market_clerk)) == [ticket]  # reporter's department
    assert list(staff_tickets(world.reviewer)) == [ticket]  # catalogue manager
    assert list(staff_tickets(make_citizen("q_c"))) == []
    assert timedelta(0) < ticket.due_at - ticket.created_at


# --- over HTTP: the API and the pages ------------------------------------------------------------------
JSON = "application/json"
API = "/api/v1/sharing/quality"


@pytest.fixture
def mounted(settings):
    settings.ROOT_URLCONF = "yiwang.sharing.tests.quality_urls"


def test_the_api_lifecycle_and_who_may_call_what(world, granted, mounted, django_assert_max_num_queries):
    from django.test import Client

    from yiwang.testing.clients import token_client

    clerk, police, market = (
        token_client(u) for u in (world.market_clerk, world.police_official, world.market_official)
    )
    citizen = token_client(make_citizen("q_api_citizen"))
    body = {
        "resource_id": str(granted.public_id),
        "subject": bases.id_number(),
        "fields": ["household_region"],
        "claimed_value": {"household_region": "340103"},
    }
    assert Client().post(f"{API}/tickets", body, content_type=JSON).status_code == 401
    assert citizen.post(f"{API}/tickets", body, content_type=JSON).status_code == 403
    assert police.post(f"{API}/tickets", body, content_type=JSON).status_code == 403  # the provider
    created = clerk.post(f"{API}/tickets", body, content_type=JSON)
    assert created.status_code == 201, created.content
    ticket_id = created.json()["id"]
    assert created.json()["allowed_actions"] == ["comment"]
    assert "*" in created.json()["subject"]
    assert clerk.post(f"{API}/tickets/{ticket_id}/accept").status_code == 403
    assert market.post(f"{API}/tickets/{ticket_id}/accept").status_code == 403
    assert citizen.get(f"{API}/tickets/{ticket_id}").status_code == 403
    assert police.post(f"{API}/tickets/{ticket_id}/accept").json()["status"] == "accepted"
    assert (
        police.post(f"{API}/tickets/{ticket_id}/reject", {"reason": ""}, content_type=JSON).status_code == 422
    )
    comment = clerk.post(f"{API}/tickets/{ticket_id}/comments", {"body": "请核实"}, content_type=JSON)
    assert comment.status_code == 201 and comment.json()["comments"][0]["body"] == "请核实"
    fixed = police.post(f"{API}/tickets/{ticket_id}/fix", {"note": "已更正"}, content_type=JSON)
    assert fixed.json()["status"] == "fixed"
    for _ in range(3):
        clerk.post(f"{API}/tickets", body, content_type=JSON)
    with django_assert_max_num_queries(12):
        rows = police.get(f"{API}/tickets").json()
    assert len(rows) == 4
    assert police.get(f"{API}/tickets", {"overdue": "true"}).json() == []
    stats = police.get(f"{API}/statistics").json()
    assert stats == [
        {"provider": world.police.name, "open": 3, "accepted": 0, "overdue": 0, "fixed": 1, "rejected": 0}
    ]
    assert citizen.get(f"{API}/statistics").status_code == 403
    assert police.get(f"{API}/tickets/{'0' * 8}-0000-0000-0000-{'0' * 12}").status_code == 404


def test_a_citizen_over_http_sees_only_his_own(world, granted, mounted):
    from yiwang.testing.clients import token_client

    owner = make_citizen("q_owner")
    client, other = token_client(owner), token_client(make_citizen("q_stranger"))
    body = {
        "resource_id": str(granted.public_id),
        "fields": ["gender"],
        "claimed_value": {"gender": "female"},
    }
    created = client.post(f"{API}/mine", body, content_type=JSON)
    assert created.status_code == 201, created.content
    ticket_id = created.json()["id"]
    assert other.get(f"{API}/mine/{ticket_id}").status_code == 404
    assert other.get(f"{API}/mine").json() == []
    assert [t["id"] for t in client.get(f"{API}/mine").json()] == [ticket_id]
    assert token_client(world.market_clerk).get(f"{API}/mine").status_code == 403
    assert (
        client.post(f"{API}/tickets/{ticket_id}/comments", {"body": "补充"}, content_type=JSON).status_code
        == 201
    )
    assert (
        other.post(f"{API}/tickets/{ticket_id}/comments", {"body": "x"}, content_type=JSON).status_code == 404
    )
    extra = {**body, "subject": "340104199001010011"}
    assert client.post(f"{API}/mine", extra, content_type=JSON).status_code in (201, 422)


def test_pages(world, granted, mounted):
    from django.test import Client

    from yiwang.testing.catalog import login_verified

    clerk = Client()
    login_verified(clerk, world.market_clerk)
    new = clerk.get("/workbench/sharing/quality/new/", {"resource": str(granted.public_id)})
    assert new.status_code == 200 and b"claimed_household_region" in new.content
    posted = clerk.post(
        "/workbench/sharing/quality/new/",
        {
            "resource": str(granted.public_id),
            "subject": bases.id_number(),
            "claimed_household_region": "340103",
        },
    )
    assert posted.status_code == 302, posted.content
    ticket = QualityTicket.objects.get()
    bad = clerk.post("/workbench/sharing/quality/new/", {"resource": str(granted.public_id), "subject": "1"})
    assert bad.status_code in (400, 422)
    assert clerk.get("/workbench/sharing/quality/").status_code == 200
    police = Client()
    login_verified(police, world.police_official)
    page = police.get(f"/workbench/sharing/quality/{ticket.public_id}/")
    assert page.status_code == 200 and "受理".encode() in page.content
    assert police.post(f"/workbench/sharing/quality/{ticket.public_id}/accept/").status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.ACCEPTED
    assert clerk.post(f"/workbench/sharing/quality/{ticket.public_id}/fix/", {"text": "x"}).status_code == 404
    citizen = Client()
    citizen.force_login(make_citizen("q_page"))
    mine = citizen.get("/my/data-quality/", {"resource": str(granted.public_id)})
    assert mine.status_code == 200 and b"claimed_gender" in mine.content
    sent = citizen.post("/my/data-quality/", {"resource": str(granted.public_id), "claimed_gender": "female"})
    assert sent.status_code == 302
    assert citizen.get(sent["Location"]).status_code == 200
    assert citizen.get(f"/my/data-quality/{ticket.public_id}/").status_code == 404
    assert Client().get("/my/data-quality/").status_code == 302
