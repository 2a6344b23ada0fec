"""My cases (我的办件): login required, only the user's own cases, bounded queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from yiwang.cases.services import withdraw_case
from yiwang.portal.tests.factories import apply_for

pytestmark = pytest.mark.django_db


def test_anonymous_user_is_sent_to_login(client):
    response = client.get(reverse("portal:my_cases"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:login"))


def test_lists_only_the_users_own_cases(citizen_client, citizen, other_citizen, item):
    mine = apply_for(item, citizen)
    theirs = apply_for(item, other_citizen)
    html = citizen_client.get(reverse("portal:my_cases")).content.decode()
    assert mine.number in html
    assert theirs.number not in html
    assert '<th scope="col">' in html


def test_query_count_does_not_grow_with_the_list(
    citizen_client, citizen, item, django_assert_max_num_queries
):
    for n in range(6):
        apply_for(item, citizen, key=f"k{n}")
    with django_assert_max_num_queries(7):  # session (3), user, count, page
        response = citizen_client.get(reverse("portal:my_cases"))
    assert response.content.decode().count("/my/cases/") >= 6


def test_status_filter(citizen_client, citizen, item):
    open_case = apply_for(item, citizen, key="open")
    withdrawn = withdraw_case(apply_for(item, citizen, key="gone"), applicant=citizen)
    done = citizen_client.get(reverse("portal:my_cases"), {"status": "done"}).content.decode()
    assert withdrawn.number in done and open_case.number not in done
    current = citizen_client.get(reverse("portal:my_cases"), {"status": "open"}).content.decode()
    assert open_case.number in current and withdrawn.number not in current


def test_staff_are_sent_to_the_workbench(clerk_client):
    response = clerk_client.get(reverse("portal:my_cases"))
    assert response["Location"] == reverse("workbench:todo")
