"""节假日安排 page: the admin imports the notice; the banner warns admins and service managers."""

from __future__ import annotations

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from yiwang.core.calendar import clear_calendar_cache, is_provisional_year
from yiwang.core.models import CalendarYear, Organisation
from yiwang.testing import portal as factories
from yiwang.testing.fixtures import logged_in

pytestmark = pytest.mark.django_db

NOTICE = "date,kind,name\n2031-01-01,holiday,元旦\n2031-02-01,holiday,春节\n2031-01-26,workday,春节\n"


@pytest.fixture(autouse=True)
def _no_2031():
    CalendarYear.objects.filter(year=2031).delete()
    clear_calendar_cache()
    with time_machine.travel("2030-11-03 10:00:00+08:00", tick=True):
        yield
    clear_calendar_cache()


@pytest.fixture
def admin_user(department: Organisation):
    return factories.make_staff(department, "sysadmin", ["admin"], "系统管理员")


@pytest.fixture
def manager(department: Organisation):
    return factories.make_staff(department, "manager", ["service_manager"], "事项管理员")


def test_admin_imports_the_notice(admin_user, calendar) -> None:
    client = logged_in(admin_user)
    page = client.get(reverse("workbench:calendar")).content.decode()
    assert "2031 年（预计，尚未公布）" in page and "calendar-horizon" in page
    upload = SimpleUploadedFile("2031.csv", NOTICE.encode(), content_type="text/csv")
    response = client.post(reverse("workbench:calendar"), {"schedule": upload, "year": "2031"})
    assert response.status_code == 302
    assert not is_provisional_year(2031)
    page = client.get(reverse("workbench:calendar")).content.decode()
    assert "calendar-horizon" not in page


def test_bad_file_is_shown_not_stored(admin_user) -> None:
    client = logged_in(admin_user)
    upload = SimpleUploadedFile("x.csv", b"date,kind\n2031-02-30,holiday\n", content_type="text/csv")
    response = client.post(reverse("workbench:calendar"), {"schedule": upload})
    assert response.status_code == 422
    assert "YYYY-MM-DD" in response.content.decode()
    assert is_provisional_year(2031)
    response = client.post(reverse("workbench:calendar"), {})
    assert response.status_code == 422


def test_only_the_admin_may_import(clerk, manager, citizen) -> None:
    for user in (clerk, manager):
        assert logged_in(user).get(reverse("workbench:calendar")).status_code == 403
        upload = SimpleUploadedFile("2031.csv", NOTICE.encode(), content_type="text/csv")
        assert logged_in(user).post(reverse("workbench:calendar"), {"schedule": upload}).status_code == 403
    assert logged_in(citizen).get(reverse("workbench:calendar")).status_code in (302, 403)
    anonymous = Client()
    assert anonymous.get(reverse("workbench:calendar")).status_code == 302
    assert is_provisional_year(2031)


def test_banner_for_admins_and_managers_only_from_october(admin_user, manager, clerk) -> None:
    todo = reverse("workbench:todo")
    assert "calendar-horizon" in logged_in(manager).get(todo).content.decode()
    assert "calendar-horizon" in logged_in(admin_user).get(todo).content.decode()
    assert "calendar-horizon" not in logged_in(clerk).get(todo).content.decode()
    with time_machine.travel("2030-09-30 10:00:00+08:00", tick=False):
        assert "calendar-horizon" not in logged_in(manager).get(todo).content.decode()
