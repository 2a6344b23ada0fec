"""Portal login and logout; staff who log in here are sent on to the workbench."""

from __future__ import annotations

import pytest
from django.urls import reverse

from yiwang.portal.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_page_renders_labelled_fields(client):
    response = client.get(reverse("portal:login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_username">' in html and '<label for="id_password">' in html
    assert 'autocomplete="current-password"' in html


def test_citizen_logs_in_and_goes_to_next(client, citizen, item):
    target = reverse("portal:apply", args=[item.public_id])
    response = client.post(
        reverse("portal:login"), {"username": "citizen", "password": PASSWORD, "next": target}
    )
    assert response.status_code == 302
    assert response["Location"] == target


def test_login_without_next_goes_to_my_cases_and_refuses_foreign_next(client, citizen):
    response = client.post(
        reverse("portal:login"),
        {"username": "citizen", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("portal:my_cases")


def test_wrong_password_shows_the_message_and_keeps_the_username(client, citizen):
    response = client.post(reverse("portal:login"), {"username": "citizen", "password": "wrong"})
    assert response.status_code == 401
    html = response.content.decode()
    assert "用户名或密码错误" in html
    assert 'value="citizen"' in html
    assert "_auth_user_id" not in client.session


def test_staff_are_sent_to_the_workbench(client, clerk):
    response = client.post(reverse("portal:login"), {"username": "clerk", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("workbench:todo")


def test_logout_is_post_only(citizen_client):
    assert citizen_client.get(reverse("portal:logout")).status_code == 405
    response = citizen_client.post(reverse("portal:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    assert citizen_client.get(reverse("portal:my_cases")).status_code == 302


def test_header_shows_my_space_when_logged_in(citizen_client):
    html = citizen_client.get("/").content.decode()
    assert "我的空间" in html and "退出" in html
