"""Every archive, case-library and dataset endpoint refuses whoever may not use it."""

from __future__ import annotations

import pytest
from django.test import Client

from yiwang.cases.tests.conftest import make_region_staff, token_client
from yiwang.cases.tests.factories import make_citizen, make_staff

pytestmark = [pytest.mark.django_db]

ARCHIVE_ENDPOINTS = [
    ("get", "/api/v1/archives/{id}"),
    ("get", "/api/v1/archives/{id}/package"),
    ("post", "/api/v1/archives/{id}/verify"),
]
LIBRARY_ENDPOINTS = [("get", "/api/v1/library/cases"), ("get", "/api/v1/library/report")]
DATASET_ENDPOINTS = [("post", "/api/v1/datasets/exports"), ("get", "/api/v1/datasets/exports")]
ALL = ARCHIVE_ENDPOINTS + LIBRARY_ENDPOINTS + DATASET_ENDPOINTS


def _call(client, method, url, case):
    url = url.format(id=case.public_id)
    if method == "get":
        return client.get(url)
    return client.post(url, {"target": "province"}, content_type="application/json")


@pytest.mark.parametrize(("method", "url"), ALL)
def test_anonymous_gets_401(records_world, method, url):
    response = _call(Client(), method, url, records_world["on_time"])
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize(("method", "url"), ALL)
def test_applicant_gets_403(records_world, method, url):
    response = _call(token_client(records_world["on_time"].applicant), method, url, records_world["on_time"])
    assert response.status_code == 403


@pytest.mark.parametrize(("method", "url"), ARCHIVE_ENDPOINTS + DATASET_ENDPOINTS)
def test_window_clerk_may_not_read_archives_or_export(records_world, method, url):
    response = _call(token_client(records_world["clerk"]), method, url, records_world["on_time"])
    assert response.status_code == 403


@pytest.mark.parametrize(("method", "url"), LIBRARY_ENDPOINTS)
def test_service_manager_may_not_search_cases(records_world, method, url):
    manager = make_staff(records_world["department"], "rec_manager", ("service_manager",))
    assert _call(token_client(manager), method, url, records_world["on_time"]).status_code == 403


@pytest.mark.parametrize(("method", "url"), ARCHIVE_ENDPOINTS)
def test_archive_roles_in_scope_succeed_and_out_of_scope_get_404(records_world, method, url):
    w = records_world
    assert _call(token_client(w["approver"]), method, url, w["on_time"]).status_code == 200
    supervisor = make_region_staff(w["department"], "rec_supervisor", ("supervisor",))
    assert _call(token_client(supervisor), method, url, w["on_time"]).status_code == 200
    far_supervisor = make_region_staff(w["far_dept"], "rec_far_supervisor", ("supervisor",))
    response = _call(token_client(far_supervisor), method, url, w["on_time"])
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    # an open case has no package: the same 404
    assert _call(token_client(w["approver"]), method, url, w["open"]).status_code == 404


def test_archive_detail_and_verify_bodies(records_world):
    w = records_world
    client = token_client(w["approver"])
    body = client.get(f"/api/v1/archives/{w['on_time'].public_id}").json()
    assert body["case_number"] == w["on_time"].number
    assert body["retention"] == "permanent"
    assert body["disposal_date"] is None
    assert len(body["manifest_sm3"]) == 64
    verified = client.post(f"/api/v1/archives/{w['on_time'].public_id}/verify").json()
    assert verified["ok"] is True
    assert verified["problems"] == []
    zip_response = client.get(f"/api/v1/archives/{w['on_time'].public_id}/package")
    assert zip_response["Content-Type"] == "application/zip"


@pytest.mark.parametrize(("method", "url"), DATASET_ENDPOINTS)
def test_data_official_may_export(records_world, method, url):
    officer = make_staff(records_world["department"], "rec_data", ("data_official",))
    response = _call(token_client(officer), method, url, records_world["on_time"])
    assert response.status_code in {200, 201}


def test_citizen_without_staff_profile_is_refused_by_every_page(records_world):
    citizen = make_citizen("rec_other")
    client = Client()
    client.force_login(citizen)
    for url in ("/workbench/library/", "/workbench/library/report/"):
        assert client.get(url).status_code == 403
