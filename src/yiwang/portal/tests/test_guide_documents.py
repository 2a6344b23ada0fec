"""Published guides as stored documents (ADR 0014): rendered once per item version, language and
templates, then served with one query by every worker, even with the catalogue cache off."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from yiwang.catalog.models import GuideDocument, ServiceItem
from yiwang.portal.views import catalog as guide_views

pytestmark = pytest.mark.django_db


def guide_url(item: ServiceItem) -> str:
    return reverse("portal:item_guide", args=[item.public_id])


def test_first_visit_stores_the_document_and_later_visits_read_it(
    client: Client, item: ServiceItem, django_assert_num_queries: Callable[..., Any], settings: Any
) -> None:
    settings.YIWANG_CATALOG_CACHE_SECONDS = 0  # no cache: the document alone saves the render
    first = client.get(guide_url(item))
    assert first.status_code == 200
    document = GuideDocument.objects.get(item=item, language="zh-hans")
    assert document.title == item.name
    assert document.stamp == guide_views.guide_stamp(item.version, item.updated_at)
    assert document.html in first.content.decode()
    with django_assert_num_queries(1):  # the item's stamp joined to its document
        again = client.get(guide_url(item))
    assert document.html in again.content.decode()
    assert GuideDocument.objects.filter(item=item).count() == 1


def test_each_language_has_its_own_document(client: Client, item: ServiceItem) -> None:
    client.get(guide_url(item))
    english = client.get(guide_url(item), headers={"Accept-Language": "en"})
    assert english.status_code == 200
    languages = set(GuideDocument.objects.filter(item=item).values_list("language", flat=True))
    assert languages == {"zh-hans", "en"}
    assert "Apply online" in GuideDocument.objects.get(item=item, language="en").html


def test_a_changed_item_or_template_renders_the_document_again(
    client: Client, item: ServiceItem, monkeypatch: pytest.MonkeyPatch
) -> None:
    client.get(guide_url(item))
    item.process_description = "预约—受理—决定"
    item.save()
    assert "预约—受理—决定" in client.get(guide_url(item)).content.decode()
    stored = GuideDocument.objects.get(item=item, language="zh-hans")
    assert "预约—受理—决定" in stored.html
    # A deployment with other templates: the stored document's stamp no longer matches.
    monkeypatch.setattr(guide_views, "guide_templates_digest", lambda: "new-templates")
    client.get(guide_url(item))
    stored.refresh_from_db()
    assert stored.stamp.endswith(":new-templates")


def test_a_tampered_or_stale_document_is_never_served(client: Client, item: ServiceItem) -> None:
    client.get(guide_url(item))
    GuideDocument.objects.filter(item=item).update(stamp="0:old", html="<p>旧指南</p>")
    page = client.get(guide_url(item)).content.decode()
    assert "旧指南" not in page
    assert item.name in page


def test_the_stored_body_is_the_rendered_body(client: Client, item: ServiceItem) -> None:
    client.get(guide_url(item))
    title, html = guide_views.render_guide_body(item.public_id, {})
    document = GuideDocument.objects.get(item=item, language="zh-hans")
    assert (document.title, document.html) == (title, html)


def test_scenario_answers_are_not_stored(client: Client, item: ServiceItem) -> None:
    assert client.get(guide_url(item) + "?s_unknown=yes").status_code == 200
    assert not GuideDocument.objects.filter(item=item).exists()


def test_off_switch_stores_nothing(client: Client, item: ServiceItem, settings: Any) -> None:
    settings.YIWANG_GUIDE_DOCUMENTS = False
    assert client.get(guide_url(item)).status_code == 200
    assert not GuideDocument.objects.exists()


def test_render_guides_renders_missing_and_stale_documents_only(item: ServiceItem, tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("render_guides", stdout=out)
    assert "rendered 2 " in out.getvalue()  # both languages
    assert GuideDocument.objects.filter(item=item).count() == 2
    out = io.StringIO()
    call_command("render_guides", stdout=out)
    assert "rendered 0 " in out.getvalue()
    GuideDocument.objects.filter(item=item, language="en").update(stamp="stale")
    ids = tmp_path / "ids.txt"
    ids.write_text(f"{item.public_id}\nnot-a-uuid\n")
    out = io.StringIO()
    call_command("render_guides", "--ids", str(ids), stdout=out)
    assert "rendered 1 " in out.getvalue()
