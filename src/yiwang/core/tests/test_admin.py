"""Django admin for the core tables."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client

from yiwang.core import audit
from yiwang.core.admin import CalendarDayForm, CalendarYearForm, OrganisationForm
from yiwang.core.models import (
    AuditEvent,
    CalendarDay,
    CalendarDayKind,
    CalendarYear,
    Organisation,
    Region,
    RegionLevel,
)


def test_core_models_are_registered() -> None:
    for model in (Region, Organisation, CalendarYear, CalendarDay, AuditEvent):
        assert admin.site.is_registered(model), model


@pytest.fixture
def superuser_client(db: None, client: Client) -> Client:
    user = get_user_model().objects.create_superuser(username="root-test", password="x-Yiwang-2026")
    client.force_login(user)
    return client


def test_audit_events_are_read_only(superuser_client: Client) -> None:
    event = audit.record("test.admin")
    assert superuser_client.get("/admin/core/auditevent/").status_code == 200
    detail = superuser_client.get(f"/admin/core/auditevent/{event.pk}/change/")
    assert detail.status_code == 200
    assert b"test.admin" in detail.content
    assert superuser_client.get("/admin/core/auditevent/add/").status_code == 403
    assert (
        superuser_client.post(f"/admin/core/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert AuditEvent.objects.count() == 1
    assert audit.verify_chain().ok


def test_region_and_calendar_pages_load(superuser_client: Client) -> None:
    Region.objects.create(code="34", full_code="340000000000", name="安徽省", level=RegionLevel.PROVINCE)
    assert superuser_client.get("/admin/core/region/", {"q": "安徽"}).status_code == 200
    assert superuser_client.get("/admin/core/region/", {"level__exact": "2"}).status_code == 200
    assert superuser_client.get("/admin/core/organisation/").status_code == 200
    assert superuser_client.get("/admin/core/calendarday/").status_code == 200
    assert superuser_client.get("/admin/core/calendaryear/").status_code == 200


def test_administrator_adds_a_year_by_hand(superuser_client: Client) -> None:
    response = superuser_client.post(
        "/admin/core/calendaryear/add/", {"year": "2031", "source": "人工录入", "note": ""}
    )
    assert response.status_code == 200  # refused: no days entered yet
    assert "尚未录入任何节假日" in response.content.decode()
    response = superuser_client.post(
        "/admin/core/calendarday/add/",
        {"date": "2031-01-01", "kind": CalendarDayKind.HOLIDAY, "name": "元旦"},
    )
    assert response.status_code == 302
    response = superuser_client.post(
        "/admin/core/calendaryear/add/", {"year": "2031", "source": "人工录入", "note": ""}
    )
    assert response.status_code == 302
    year = CalendarYear.objects.get(year=2031)
    assert year.source == "人工录入（root-test）"


@pytest.mark.django_db
def test_makeup_workday_must_be_a_weekend_day() -> None:
    form = CalendarDayForm({"date": "2031-01-06", "kind": CalendarDayKind.MAKEUP_WORKDAY, "name": "x"})
    assert not form.is_valid()
    assert "本来就是工作日" in str(form.errors["kind"])
    form = CalendarDayForm({"date": "2031-01-04", "kind": CalendarDayKind.MAKEUP_WORKDAY, "name": "元旦"})
    assert form.is_valid(), form.errors


@pytest.mark.django_db
def test_calendar_year_form_range() -> None:
    CalendarDay.objects.create(date=date(2200, 1, 1), kind=CalendarDayKind.HOLIDAY)
    assert not CalendarYearForm({"year": "2200", "source": "人工录入"}).is_valid()


@pytest.mark.django_db
def test_organisation_form_checks_the_credit_code() -> None:
    region = Region.objects.create(
        code="34", full_code="340000000000", name="安徽省", level=RegionLevel.PROVINCE
    )
    data = {
        "name": "测试局",
        "credit_code": "91350100M000100Y44",
        "region": region.pk,
        "nature": "1",
        "is_active": True,
    }
    form = OrganisationForm(data)
    assert not form.is_valid()
    assert "应为 3，实为 4" in str(form.errors["credit_code"])
    form = OrganisationForm({**data, "credit_code": "91350100m000100y43"})
    assert form.is_valid(), form.errors
    assert form.save().credit_code == "91350100M000100Y43"
