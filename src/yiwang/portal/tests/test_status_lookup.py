"""Public status lookup (办件查询) by case number and the last 4 ID characters, with a failure limit."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from yiwang.portal.tests.factories import apply_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def test_form_renders(client):
    response = client.get(reverse("portal:status_lookup"))
    assert response.status_code == 200
    assert '<label for="id_number">' in response.content.decode()


def test_lookup_shows_status_without_personal_data(client, item, citizen):
    case = apply_for(item, citizen)
    response = client.get(
        reverse("portal:status_lookup"), {"number": case.number, "id_tail": case.applicant_id_number[-4:]}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert item.name in html and "待受理" in html
    assert case.applicant_name not in html
    assert case.applicant_id_number not in html


def test_wrong_tail_is_not_found(client, item, citizen):
    case = apply_for(item, citizen)
    response = client.get(reverse("portal:status_lookup"), {"number": case.number, "id_tail": "0000"})
    assert response.status_code == 404
    assert "未查询到办件" in response.content.decode()


def test_missing_fields_are_reported(client, db):
    response = client.get(reverse("portal:status_lookup"), {"number": "", "id_tail": "12"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_number-error"' in html and 'id="id_id_tail-error"' in html


def test_repeated_failures_are_limited(client, item, citizen):
    case = apply_for(item, citizen)
    for n in range(10):
        client.get(reverse("portal:status_lookup"), {"number": case.number, "id_tail": f"{n:04d}"})
    response = client.get(
        reverse("portal:status_lookup"), {"number": case.number, "id_tail": case.applicant_id_number[-4:]}
    )
    assert response.status_code == 429
    assert "查询失败次数过多" in response.content.decode()
