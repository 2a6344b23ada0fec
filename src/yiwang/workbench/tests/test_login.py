"""Workbench login: staff only; applicants are refused with a message."""

from __future__ import annotations

import pytest
from django.urls import reverse

from yiwang.testing.portal import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_page_renders(client):
    response = client.get(reverse("workbench:login"))
    assert response.status_code == 200
    assert "工作人员登录" in response.content.decode()


def test_staff_log_in_to_the_todo_list(client, clerk):
    response = client.post(reverse("workbench:login"), {"username": "clerk", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("workbench:mfa")  # the second factor comes next


def test_next_is_followed(client, clerk):
    response = client.post(
        reverse("workbench:login"), {"username": "clerk", "password": PASSWORD, "next": "/workbench/cases/"}
    )
    assert response["Location"] == reverse("workbench:mfa") + "?next=%2Fworkbench%2Fcases%2F"


def test_citizen_is_refused(client, citizen):
    response = client.post(reverse("workbench:login"), {"username": "citizen", "password": PASSWORD})
    assert response.status_code == 403
    assert "不是工作人员账户" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_wrong_password(client, clerk):
    response = client.post(reverse("workbench:login"), {"username": "clerk", "password": "nope"})
    assert response.status_code == 401
    assert "用户名或密码错误" in response.content.decode()


def test_logout_from_the_workbench_returns_to_its_login(clerk_client):
    response = clerk_client.post(reverse("portal:logout"))
    assert response["Location"] == reverse("workbench:login")
