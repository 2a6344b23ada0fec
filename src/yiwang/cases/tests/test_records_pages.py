"""Workbench pages: 办件库, 办件统计 and 归档包 (view and re-verify)."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client

from yiwang.cases.models import ArchivePackage
from yiwang.cases.tests.conftest import make_region_staff
from yiwang.cases.tests.factories import make_staff
from yiwang.testing.fixtures import logged_in

pytestmark = [pytest.mark.django_db]


def test_anonymous_is_sent_to_the_workbench_login(records_world):
    response = Client().get("/workbench/library/")
    assert response.status_code == 302
    assert "/workbench/login/" in response["Location"]


def test_library_page_lists_scope_and_filters(records_world):
    w = records_world
    client = logged_in(w["clerk"])
    page = client.get("/workbench/library/").content.decode()
    assert w["on_time"].number in page and w["open"].number in page
    assert w["far"].number not in page
    assert "办件库" in page
    filtered = client.get("/workbench/library/", {"status": "submitted"}).content.decode()
    assert w["open"].number in filtered and w["on_time"].number not in filtered
    bad = client.get("/workbench/library/", {"date_from": "yesterday"})
    assert bad.status_code == 422
    assert "查询条件不正确" in bad.content.decode()


def test_library_page_refuses_staff_without_a_case_role(records_world):
    manager = make_staff(records_world["department"], "rec_manager", ("service_manager",))
    assert logged_in(manager).get("/workbench/library/").status_code == 403


def test_report_page_has_chart_data_and_table(records_world):
    supervisor = make_region_staff(records_world["department"], "rec_supervisor", ("supervisor",))
    response = logged_in(supervisor).get("/workbench/library/report/", {"group_by": "department"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="report-data"' in page and "echarts.min.js" in page
    assert "蜀山区市场监督管理局" in page
    assert "芜湖市市场监督管理局" not in page


def test_archive_page_shows_manifest_and_verifies(records_world):
    w = records_world
    client = logged_in(w["approver"])
    url = f"/workbench/archives/{w['on_time'].public_id}/"
    page = client.get(url).content.decode()
    package = ArchivePackage.objects.get(case=w["on_time"])
    assert package.manifest_sm3 in page
    assert "results/result.pdf" in page
    assert "永久" in page
    name = w["on_time"].result_document.name
    default_storage.delete(name)
    default_storage.save(name, ContentFile(b"forged"))
    response = client.post(url, follow=True)
    # the result file is also the stamped decision document (documents/…): both entries differ from the
    # live file and from their recorded hash
    assert "校验发现 4 处不一致" in response.content.decode()
    package.refresh_from_db()
    assert package.last_verification_ok is False
    assert {
        "path": "results/result.pdf",
        "problem": "live_sha256_mismatch",
    } in package.last_verification_problems


def test_archive_page_refuses_clerks_and_hides_other_regions(records_world):
    w = records_world
    url = f"/workbench/archives/{w['on_time'].public_id}/"
    assert logged_in(w["clerk"]).get(url).status_code == 403
    far = make_region_staff(w["far_dept"], "rec_far_supervisor", ("supervisor",))
    assert logged_in(far).get(url).status_code == 404
