"""Case rows are rendered once per distinct content and language, then reused (ADR 0011): a refresh of
an unchanged to-do page renders no row template; a changed case, another language or the switch
turned off renders afresh; what a row prints is the same either way."""

from __future__ import annotations

import pytest
import time_machine
from django.test.signals import template_rendered
from django.urls import reverse

from yiwang.cases.models import Case
from yiwang.testing.portal import apply_for
from yiwang.workbench import case_rows

pytestmark = pytest.mark.django_db

NOW = "2026-03-16 10:00:00+08:00"


@pytest.fixture(autouse=True)
def empty_cache():
    case_rows.CACHE.clear()
    yield
    case_rows.CACHE.clear()


class RowRenders:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, sender, template, context, **kwargs) -> None:
        if template.name == case_rows.ROW_TEMPLATE:
            self.count += 1

    def __enter__(self) -> RowRenders:
        template_rendered.connect(self)
        return self

    def __exit__(self, *exc) -> None:
        template_rendered.disconnect(self)


def tbody(html: str) -> str:
    return html.split("<tbody>")[1].split("</tbody>")[0]


def todo_html(client) -> str:
    response = client.get(reverse("workbench:todo"))
    assert response.status_code == 200
    return response.content.decode()


@time_machine.travel(NOW, tick=False)
def test_an_unchanged_page_renders_no_row_again(clerk_client, item, citizen, other_citizen):
    first, second = apply_for(item, citizen), apply_for(item, other_citizen)
    with RowRenders() as renders:
        html = todo_html(clerk_client)
    assert renders.count == 2
    assert first.number in html and second.number in html
    assert f'href="/workbench/cases/{first.public_id}/"' in html
    with RowRenders() as renders:
        again = todo_html(clerk_client)
    assert renders.count == 0
    assert again.count("<tr>") == html.count("<tr>")
    assert first.number in again and second.number in again


@time_machine.travel(NOW, tick=False)
def test_a_changed_case_is_rendered_afresh(clerk_client, item, citizen, other_citizen, settings):
    first, _second = apply_for(item, citizen), apply_for(item, other_citizen)
    todo_html(clerk_client)
    Case.objects.filter(pk=first.pk).update(applicant_name="改名后的申请人")
    with RowRenders() as renders:
        html = todo_html(clerk_client)
    assert renders.count == 1
    assert "改名后的申请人" in html
    settings.YIWANG_CASE_ROW_CACHE = False
    with RowRenders() as renders:
        rendered = todo_html(clerk_client)
    assert renders.count == 2
    assert tbody(rendered) == tbody(html)  # the same rows, cached or not


@time_machine.travel(NOW, tick=False)
def test_each_language_has_its_own_rows(clerk_client, item, citizen):
    apply_for(item, citizen)
    chinese = todo_html(clerk_client)
    assert "办理" in chinese
    clerk_client.cookies["django_language"] = "en"
    english = todo_html(clerk_client)
    assert ">Process<" in tbody(english) and "办理" not in tbody(english)
    assert "待受理" in tbody(chinese) and "待受理" not in tbody(english)


def test_the_cache_is_bounded():
    cache = case_rows.RowCache(3)
    rows = [case_rows.CaseRow(str(n), "", "", "", "", "", "", "", "", False, "", "", "") for n in range(5)]
    for row in rows:
        cache.put(("zh-hans", row), f"<tr>{row.number}</tr>")  # type: ignore[arg-type]
    assert len(cache.rows) == 3
    assert cache.get(("zh-hans", rows[0])) is None
    assert cache.get(("zh-hans", rows[4])) == "<tr>4</tr>"
