"""个人信息查阅记录: the applicant sees who read his personal data — only his own rows, the reader's
name masked to the surname — on 我的空间 and at ``GET /api/v1/accounts/me/data-access-log`` (#19)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from yiwang.accounts.personal_data import record_staff_reads
from yiwang.core.models import PersonalDataAccess
from yiwang.core.personal_data import Read
from yiwang.testing.clients import token_client
from yiwang.testing.portal import apply_for

pytestmark = pytest.mark.django_db

API = "/api/v1/accounts/me/data-access-log"


def reads(staff, subject, n: int, purpose: str = "") -> None:
    record_staff_reads(
        staff,
        [Read(subject.pk, "case", f"c{i}", f"N{i:03d}", ("name", "phone")) for i in range(n)],
        purpose=purpose,
    )


def test_a_staff_read_of_the_case_api_reaches_the_applicant(item, citizen, clerk, other_citizen):
    case = apply_for(item, citizen)
    assert token_client(clerk).get(f"/api/v1/workbench/cases/{case.public_id}").status_code == 200
    body = token_client(citizen).get(API).json()
    [row] = body["items"]
    assert row["object_label"] == case.number and row["object_type"] == "case"
    assert row["reader"] == "李*" and row["role"] and row["department"]
    assert row["unmasked"] is False and row["channel"] == "api"
    assert "李娜" not in str(body)
    assert token_client(other_citizen).get(API).json()["items"] == []


def test_the_portal_page_lists_my_reads_only(citizen_client, citizen, other_citizen, clerk):
    reads(clerk, citizen, 2, purpose="核对材料")
    reads(clerk, other_citizen, 1, purpose="别人的事由")
    response = citizen_client.get(reverse("portal:data_access_log"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("核对材料") == 2 and "别人的事由" not in html
    assert "李*" in html and "李娜" not in html
    assert (
        reverse("portal:data_access_log") in citizen_client.get(reverse("portal:my_cases")).content.decode()
    )


def test_keyset_pages_walk_every_row_once(citizen, clerk):
    reads(clerk, citizen, 25)
    client = token_client(citizen)
    seen: list[str] = []
    cursor = ""
    while True:
        body = client.get(API, {"limit": 10, **({"cursor": cursor} if cursor else {})}).json()
        seen += [row["object_label"] for row in body["items"]]
        if not body["next_cursor"]:
            break
        cursor = body["next_cursor"]
    assert sorted(seen) == [f"N{i:03d}" for i in range(25)] and len(seen) == 25


def _queries(client: Client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


def test_query_counts_do_not_grow_with_rows(citizen, citizen_client, clerk):
    """Session, user, one page of rows with the readers' departments — for 2 rows or a full page."""
    page = reverse("portal:data_access_log")
    reads(clerk, citizen, 2)
    # Warm up: the first request of a session may write it (rolling expiry); pages read cached settings.
    _queries(citizen_client, API), _queries(citizen_client, page)
    few_api, few_page = _queries(citizen_client, API), _queries(citizen_client, page)
    reads(clerk, citizen, 40)
    many_api, many_page = _queries(citizen_client, API), _queries(citizen_client, page)
    assert len(few_api) == len(many_api) <= 3
    assert len(few_page) == len(many_page) <= 3
    for queries in (many_api, many_page):
        assert sum("core_personaldataaccess" in sql for sql in queries) == 1


def test_authorisation(citizen, other_citizen, clerk):
    reads(clerk, citizen, 1)
    assert Client().get(API).status_code == 401
    anonymous_page = Client().get(reverse("portal:data_access_log"))
    assert anonymous_page.status_code == 302
    assert token_client(other_citizen).get(API).json()["items"] == []
    assert token_client(citizen).get(API, {"cursor": "not-a-cursor"}).status_code == 400
    assert PersonalDataAccess.objects.count() == 1


def test_a_subject_reading_himself_leaves_no_row(citizen):
    reads(citizen, citizen, 3)
    assert not PersonalDataAccess.objects.exists()
