"""My cases (我的办件): login required, only the user's own cases, keyset pages of 50 rows with the\nstatus filter kept, the filter's total, the same number of queries for 3 cases as for 60."""

from __future__ import annotations

import re
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from yiwang.cases.models import Case, CaseStatus
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


def copies(case, n: int, *, status: str = "") -> list[Case]:
    """``n`` more cases like ``case`` (same submission time: the id breaks the tie), in one insert."""
    rows = []
    for _ in range(n):
        row = Case.objects.get(pk=case.pk)
        row.pk = None
        row.public_id = uuid.uuid4()
        row.idempotency_key = row.public_id.hex
        row.number = f"{case.number[:30]}-{row.idempotency_key[:12]}"
        row.status = status or row.status
        rows.append(row)
    return Case.objects.bulk_create(rows)


def queries_of(client, url: str, params: dict | None = None) -> tuple[int, str]:
    client.get(url, params)  # the session settles
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_query_count_does_not_grow_with_the_list(citizen_client, citizen, item):
    first = apply_for(item, citizen, key="k0")
    copies(first, 2)
    few, html = queries_of(citizen_client, reverse("portal:my_cases"))
    assert html.count('class="card-action"') == 3
    copies(first, 57)
    many, html = queries_of(citizen_client, reverse("portal:my_cases"))
    assert html.count('class="card-action"') == 50
    assert few == many <= 5  # session, user, the page's rows, the total (+ a session save at most)


def test_pages_of_fifty_cover_every_case_once_and_keep_the_filter(citizen_client, citizen, item):
    first = apply_for(item, citizen, key="k0")
    copies(first, 61)
    withdrawn = copies(first, 3, status=CaseStatus.WITHDRAWN)
    url = reverse("portal:my_cases")
    html = citizen_client.get(url, {"status": "open"}).content.decode()
    assert "共 62 件" in html  # the total of the filter, not the length of the page
    seen = set(re.findall(r'<td class="mono" data-label="[^"]*">([^<]+)</td>', html))
    assert len(seen) == 50
    next_link = re.search(r'rel="next" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert "status=open" in next_link and "cursor=" in next_link
    second = citizen_client.get(url + next_link).content.decode()
    rest = set(re.findall(r'<td class="mono" data-label="[^"]*">([^<]+)</td>', second))
    assert len(rest) == 12 and not rest & seen
    assert 'rel="next"' not in second and 'rel="prev"' in second
    assert not {case.number for case in withdrawn} & (seen | rest)
    previous = re.search(r'rel="prev" href="([^"]+)"', second).group(1).replace("&amp;", "&")
    back = set(
        re.findall(
            r'<td class="mono" data-label="[^"]*">([^<]+)</td>',
            citizen_client.get(url + previous).content.decode(),
        )
    )
    assert back == seen


def test_a_forged_cursor_is_the_first_page(citizen_client, citizen, item):
    case = apply_for(item, citizen)
    for cursor in ("x", "eyJkIjoibiIsImsiOlsiYSIsImIiXX0", "%00" * 10, "A" * 5000):
        response = citizen_client.get(reverse("portal:my_cases"), {"cursor": cursor})
        assert response.status_code == 200
        assert case.number in response.content.decode()


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


def test_cases_filed_as_agent_are_merged_in_order_across_pages(citizen, other_citizen, item):
    """The list is two disjoint parts (filed by me / filed by me as agent for someone else) read in
    one ``UNION ALL`` statement: paging forward and back walks one order over both."""
    from datetime import timedelta

    from django.utils import timezone

    from yiwang.portal.reads import my_cases_page, my_cases_total

    own = copies(apply_for(item, citizen, key="own"), 3)
    for_other = copies(apply_for(item, other_citizen, key="other"), 3)
    Case.objects.filter(pk__in=[c.pk for c in for_other]).update(acting_agent=citizen)
    start = timezone.now() - timedelta(days=1)
    everything = own + for_other
    for minutes, case in enumerate([own[0], for_other[0], own[1], for_other[1], own[2], for_other[2]]):
        Case.objects.filter(pk=case.pk).update(submitted_at=start + timedelta(minutes=minutes))
    listed = Case.objects.filter(pk__in=[c.pk for c in everything]).order_by("-submitted_at", "-id")
    expected = [c.number for c in listed]

    seen, cursor, pages = [], None, []
    while True:
        page, rows = my_cases_page(citizen, "", cursor, size=2)
        pages.append(page)
        seen.extend(row.number for row in rows)
        if not page.has_next:
            break
        cursor = page.next_cursor
    mine = [n for n in seen if n in expected]
    assert mine == expected  # one order over both parts, nothing twice, nothing lost
    assert my_cases_total(citizen) == len(seen)
    last = len(pages[-1].rows)
    back, rows = my_cases_page(citizen, "", pages[-1].previous_cursor, size=2)
    assert [row.number for row in rows] == seen[-last - 2 : -last]
    assert back.has_previous and back.has_next
    assert my_cases_total(other_citizen) >= 4  # the applicant still sees the cases filed for him


def test_a_total_past_the_cap_is_shown_as_a_lower_bound(citizen_client, citizen, item, settings):
    from yiwang.portal import reads

    copies(apply_for(item, citizen, key="many"), 5)
    assert reads.my_cases_total(citizen) == 6
    settings_cap = reads.MY_CASES_COUNT_CAP
    try:
        reads.MY_CASES_COUNT_CAP = 4
        assert reads.my_cases_total(citizen) == 5  # counting stops one past the cap
        assert reads.total_text(5) == "4+"
        html = citizen_client.get(reverse("portal:my_cases")).content.decode()
        assert "共 4+ 件" in html
    finally:
        reads.MY_CASES_COUNT_CAP = settings_cap
