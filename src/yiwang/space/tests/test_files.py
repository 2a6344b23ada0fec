"""一人一档 / 一企一档: the applicant's own file (and the company's he acts for), the staff search
(audited) and file (their data scope only, every opening in the subject's access log), paged and
bounded, with constant query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from yiwang.cases.services import accept_case, decide_case
from yiwang.core.models import AuditEvent, PersonalDataAccess
from yiwang.space import file as subject_file
from yiwang.testing import accounts as account_factories
from yiwang.testing.fixtures import logged_in
from yiwang.testing.portal import apply_for
from yiwang.testing.space import stored_material
from yiwang.tickets.services import create_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(item, citizen, clerk, approver, department, django_capture_on_commit_callbacks):
    done = apply_for(item, citizen, key="done")
    with django_capture_on_commit_callbacks(execute=True):
        done = decide_case(accept_case(done, actor=clerk), actor=approver, approve=True, comment="同意")
    running = apply_for(item, citizen, key="running")
    stored_material(citizen, "自己上传的材料")
    ticket = create_ticket(
        actor=citizen,
        category="consultation",
        title="咨询营业执照办理",
        content="需要哪些材料？",
        channel="web",
        department=department,
    )
    return {"done": done, "running": running, "ticket": ticket}


def test_my_file_shows_one_timeline_newest_first(citizen_client, history):
    response = citizen_client.get(reverse("my_space:file"))
    html = response.content.decode()
    assert response.status_code == 200
    assert history["done"].number in html and history["running"].number in html
    assert "自己上传的材料" in html and history["ticket"].number in html
    assert "file-rating" in html  # the invitation to rate the completed case
    api = citizen_client.get("/api/v1/space/file", {"limit": 100}).json()
    kinds = {row["kind"] for row in api["results"]}
    assert {"case", "material", "ticket", "rating"} <= kinds
    times = [row["at"] for row in api["results"]]
    assert times == sorted(times, reverse=True)
    assert api["identifier"]  # his own file: in full


def test_file_paging_is_bounded(citizen, history):
    page, more = subject_file.timeline(citizen, offset=0, limit=3)
    assert len(page) == 3 and more
    rest, _more = subject_file.timeline(citizen, offset=3, limit=100)
    assert [e.public_id for e in page + rest] == [
        e.public_id for e in subject_file.timeline(citizen, limit=200)[0]
    ]
    assert subject_file.timeline(citizen, offset=10**9, limit=10) == ([], False)


def test_query_counts_do_not_grow_with_the_history(
    citizen_client, citizen, history, django_assert_max_num_queries
):
    with CaptureQueriesContext(connection) as before:
        assert citizen_client.get(reverse("my_space:file")).status_code == 200
    for n in range(15):
        stored_material(citizen, f"材料{n}")
    with django_assert_max_num_queries(len(before.captured_queries)):
        assert citizen_client.get(reverse("my_space:file")).status_code == 200
    assert len(before.captured_queries) <= 18  # session, user, 8 sources (one query each), page
    with django_assert_max_num_queries(12):
        assert citizen_client.get("/api/v1/space/file").status_code == 200


def test_company_file_for_its_representative(citizen, other_citizen):
    company = account_factories.company(citizen)
    stored_material(company, "公司章程（公司）")
    code = company.legal_person.credit_code
    html = logged_in(citizen).get(reverse("my_space:file"), {"company": code}).content.decode()
    assert "一企一档" in html and "公司章程（公司）" in html
    assert logged_in(other_citizen).get(reverse("my_space:file"), {"company": code}).status_code == 404


def test_staff_search_is_audited_and_opens_the_file(clerk_client, citizen, history):
    id_number = citizen.natural_person.id_number
    response = clerk_client.get(reverse("space:search"), {"kind": "person", "number": id_number})
    assert response.status_code == 302
    assert response["Location"] == reverse("space:file", args=[citizen.public_id])
    searched = AuditEvent.objects.filter(action="space.file_searched").latest("sequence")
    assert id_number not in str(searched.detail) and searched.detail["found"] is True
    missing = clerk_client.get(reverse("space:search"), {"kind": "person", "number": "110101199003076336"})
    assert missing.status_code == 404
    bad = clerk_client.get(reverse("space:search"), {"kind": "alien", "number": "x"})
    assert bad.status_code == 400


def test_staff_file_is_masked_scoped_and_logged(clerk_client, clerk, citizen, history):
    html = clerk_client.get(reverse("space:file", args=[citizen.public_id])).content.decode()
    assert history["done"].number in html and history["ticket"].number in html
    assert "自己上传的材料" not in html  # no department: not in any staff scope
    assert citizen.natural_person.id_number not in html
    access = PersonalDataAccess.objects.filter(subject=citizen, actor=clerk).latest("occurred_at")
    assert access.object_type == "space.file"
    api = clerk_client.get(f"/api/v1/space/files/{citizen.public_id}").json()
    assert "*" in api["identifier"]


def test_staff_outside_the_scope_see_nothing_of_it(foreign_clerk, citizen, history):
    client = logged_in(foreign_clerk)
    html = client.get(reverse("space:file", args=[citizen.public_id])).content.decode()
    assert history["done"].number not in html and history["ticket"].number not in html
    api = client.get(f"/api/v1/space/files/{citizen.public_id}").json()
    assert api["results"] == []


def test_staff_file_query_count(clerk_client, citizen, history, django_assert_max_num_queries):
    with django_assert_max_num_queries(22):
        assert clerk_client.get(f"/api/v1/space/files/{citizen.public_id}").status_code == 200


def test_applicants_cannot_open_staff_files(citizen_client, citizen):
    assert citizen_client.get(reverse("space:file", args=[citizen.public_id])).status_code == 403
    assert citizen_client.get(f"/api/v1/space/files/{citizen.public_id}").status_code == 403
    assert (
        citizen_client.get("/api/v1/space/files/search", {"kind": "person", "number": "1" * 18}).status_code
        == 403
    )


def test_staff_cannot_open_a_staff_account_as_a_file(clerk_client, clerk):
    assert clerk_client.get(f"/api/v1/space/files/{clerk.public_id}").status_code == 404
