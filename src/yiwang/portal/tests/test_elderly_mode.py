"""长辈版: the switch sets the cookie and returns to the page; every page then carries the class."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_switch_on_and_off(client):
    response = client.get(reverse("portal:elderly_mode"), {"on": "1", "next": "/search/?q=x"})
    assert response.status_code == 302
    assert response["Location"] == "/search/?q=x"
    assert response.cookies["elderly"].value == "1"
    html = client.get("/").content.decode()
    assert 'class="elderly' in html
    assert "返回标准版" in html
    response = client.get(reverse("portal:elderly_mode"), {"on": "0", "next": "/"})
    assert response.cookies["elderly"].value == "0"
    html = client.get("/").content.decode()
    assert 'class="elderly' not in html
    assert "长辈版" in html


def test_next_must_stay_on_the_site(client):
    response = client.get(reverse("portal:elderly_mode"), {"on": "1", "next": "https://evil.example/"})
    assert response["Location"] == reverse("portal:home")


def test_toggle_link_points_back_to_the_current_page(client):
    html = client.get(reverse("portal:search"), {"q": "社保"}).content.decode()
    assert "/mode/elderly/?on=1&amp;next=/search/%3Fq%3D" in html
