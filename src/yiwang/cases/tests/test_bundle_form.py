"""The 一件事 form renders its fields as the single-item form does (one renderer: selects offer their
choices, dates are pickers with their format, addresses are full width), files chosen on a refused
submit are held and shown as uploaded (replaceable, removable, cleared when expired) on both forms,
and bundles are in the top navigation."""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from yiwang.cases import held
from yiwang.cases.models import BundleApplication, CaseMaterial, HeldUpload
from yiwang.cases.tests.factories import OrganisationFactory, ServiceItemFactory, pdf_upload
from yiwang.catalog.bundles import bundle_materials
from yiwang.catalog.models import Bundle, BundleField, BundleFieldMapping, BundleMember, BundleStatus
from yiwang.testing.fixtures import logged_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_time")]

RETIRE_TYPES = ["正常退休", "弹性提前退休", "弹性延迟退休", "因病提前退休"]


@pytest.fixture
def pension_item(calendar):
    return ServiceItemFactory(
        name="基本养老保险待遇申领",
        implementing_body=OrganisationFactory(name="合肥市社会保险事业管理中心", short_name="社保中心"),
        form_fields=[
            {
                "name": "retire_type",
                "label": "退休类型",
                "type": "select",
                "required": True,
                "choices": RETIRE_TYPES,
            },
            {"name": "retire_date", "label": "退休日期", "type": "date", "required": True},
            {"name": "home_address", "label": "居住地址", "type": "text", "required": False},
            {
                "name": "pay_kind",
                "label": "领取方式",
                "type": "select",
                "required": True,
                "choices": ["社保卡", "银行卡"],
            },
        ],
        materials=[("退休审批表", True)],
    )


@pytest.fixture
def bundle(item, pension_item):
    bundle = Bundle.objects.create(
        code="retire", name="退休一件事", audience="person", event="退休", status=BundleStatus.PUBLISHED
    )
    BundleMember.objects.create(bundle=bundle, item=item, order=1)
    pension = BundleMember.objects.create(bundle=bundle, item=pension_item, order=2)
    shop = BundleField.objects.create(bundle=bundle, name="shop", label="店铺名称", required=True, order=1)
    BundleFieldMapping.objects.create(field=shop, member=bundle.members.get(order=1), item_field="shop_name")
    # A plain text merged field mapped onto a member's select: rendered as that select.
    pay = BundleField.objects.create(bundle=bundle, name="pay", label="待遇领取方式", required=True, order=2)
    BundleFieldMapping.objects.create(field=pay, member=pension, item_field="pay_kind")
    return bundle


def _control(page: str, control_id: str) -> str:
    """The HTML of one control (its <select>…</select> or <input …>)."""
    match = re.search(rf'<(select|input|textarea)[^>]* id="{control_id}"[^>]*>', page)
    assert match, control_id
    if match.group(1) == "select":
        return page[match.start() : page.index("</select>", match.start())]
    return match.group(0)


def _neutral(html: str) -> str:
    return re.sub(r' (id|name|aria-describedby)="[^"]*"', "", html)


def _valid(bundle, pension_item, **extra):
    data = {
        "f_shop": "李记面馆",
        "f_pay": "社保卡",
        f"m_{pension_item.public_id}_retire_type": "正常退休",
        f"m_{pension_item.public_id}_retire_date": "2026-05-01",
        "delivery_method": "electronic",
    }
    data.update(extra)
    return data


def _files(bundle):
    return {f"material_{n}": pdf_upload(f"file-{n}.pdf") for n, row in enumerate(bundle_materials(bundle))}


def test_bundle_fields_render_as_on_the_single_item_form(bundle, pension_item, citizen):
    client = logged_in(citizen)
    page = client.get(f"/bundles/{bundle.public_id}/apply/").content.decode()
    single = client.get(f"/items/{pension_item.public_id}/apply/").content.decode()
    prefix = f"m_{pension_item.public_id}_"
    retire = _control(page, f"id_{prefix}retire_type")
    for choice in RETIRE_TYPES:
        assert f'<option value="{choice}">{choice}</option>' in retire
    # One renderer: the same control, apart from its name, on both forms.
    for name in ("retire_type", "retire_date", "home_address"):
        assert _neutral(_control(page, f"id_{prefix}{name}")) == _neutral(
            _control(single, f"id_field_{name}")
        )
    date = _control(page, f"id_{prefix}retire_date")
    assert 'type="date"' in date and 'placeholder="YYYY-MM-DD"' in date
    assert "日期格式：年-月-日" in page
    assert 'class="input-wide"' in _control(page, f"id_{prefix}home_address")
    assert 'class="input-wide"' in _control(page, "id_delivery_address")
    pay = _control(page, "id_f_pay")
    assert pay.startswith("<select") and '<option value="银行卡">' in pay


def test_a_wrong_choice_is_refused_with_the_choices_listed(bundle, pension_item, citizen):
    client = logged_in(citizen)
    data = _valid(
        bundle, pension_item, **{f"m_{pension_item.public_id}_retire_type": "提前"}, **_files(bundle)
    )
    page = client.post(f"/bundles/{bundle.public_id}/apply/", data).content.decode()
    assert "取值不在可选范围内（可选：正常退休、弹性提前退休、弹性延迟退休、因病提前退休）" in page
    assert f'href="#id_m_{pension_item.public_id}_retire_type"' in page  # linked from the summary
    assert not BundleApplication.objects.exists()


def test_uploads_survive_a_refused_bundle_submit(bundle, pension_item, citizen):
    client = logged_in(citizen)
    url = f"/bundles/{bundle.public_id}/apply/"
    data = _valid(bundle, pension_item, **{f"m_{pension_item.public_id}_retire_date": "2026-13-40"})
    refused = client.post(url, {**data, **_files(bundle)})
    assert refused.status_code == 400
    page = refused.content.decode()
    draft = re.search(r'name="draft" value="([0-9a-f]{32})"', page).group(1)
    rows = bundle_materials(bundle)
    assert HeldUpload.objects.filter(owner=citizen, draft=draft).count() == len(rows)
    assert 'id="files-held"' in page
    for n, _row in enumerate(rows):
        assert f"file-{n}.pdf" in page
        assert f'id="id_material_{n}-remove"' in page
        assert " required" not in _control(page, f"id_material_{n}")  # no new upload needed
    # Replace one file, keep the others; fix the date: filed with the held files.
    fixed = {**_valid(bundle, pension_item), "draft": draft, "material_0": pdf_upload("replacement.pdf")}
    response = client.post(url, fixed)
    assert response.status_code == 302, response.content.decode()[:2000]
    names = set(CaseMaterial.objects.values_list("original_name", flat=True))
    assert "replacement.pdf" in names and "file-0.pdf" not in names
    assert {f"file-{n}.pdf" for n in range(1, len(rows))} <= names
    assert not HeldUpload.objects.filter(owner=citizen).exists()


def test_a_removed_held_file_must_be_uploaded_again(bundle, pension_item, citizen):
    client = logged_in(citizen)
    url = f"/bundles/{bundle.public_id}/apply/"
    page = client.post(url, {**_valid(bundle, pension_item, f_shop=""), **_files(bundle)}).content.decode()
    draft = re.search(r'name="draft" value="([0-9a-f]{32})"', page).group(1)
    slot = bundle_materials(bundle)[0].key
    response = client.post(url, {**_valid(bundle, pension_item), "draft": draft, "held_remove": slot})
    assert response.status_code == 400
    assert not HeldUpload.objects.filter(owner=citizen, slot=slot).exists()
    assert "file-0.pdf" not in response.content.decode()


def test_held_files_belong_to_their_owner(bundle, pension_item, citizen, other_citizen):
    page = logged_in(citizen).post(
        f"/bundles/{bundle.public_id}/apply/", {**_valid(bundle, pension_item, f_shop=""), **_files(bundle)}
    )
    draft = re.search(r'name="draft" value="([0-9a-f]{32})"', page.content.decode()).group(1)
    other = logged_in(other_citizen).post(
        f"/bundles/{bundle.public_id}/apply/", {**_valid(bundle, pension_item), "draft": draft}
    )
    assert other.status_code == 400 and "file-0.pdf" not in other.content.decode()
    assert HeldUpload.objects.filter(owner=citizen, draft=draft).count() == len(bundle_materials(bundle))


def test_single_item_form_keeps_uploads_too(item, citizen):
    client = logged_in(citizen)
    url = f"/items/{item.public_id}/apply/"
    materials = {m.name: m for m in item.materials.all()}
    files = {
        f"material_{m.public_id}": pdf_upload(f"{m.name}.pdf") for m in materials.values() if m.mandatory
    }
    refused = client.post(url, {"field_shop_name": "", "idempotency_key": "a" * 32, **files})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "营业执照.pdf" in page and 'id="files-held"' in page
    ok = client.post(url, {"field_shop_name": "小店", "idempotency_key": "a" * 32})
    assert ok.status_code == 302
    assert set(CaseMaterial.objects.values_list("original_name", flat=True)) == {
        "营业执照.pdf",
        "经营场所证明.pdf",
    }
    assert not HeldUpload.objects.exists()


def test_expired_held_files_are_removed(bundle, pension_item, citizen, django_capture_on_commit_callbacks):
    logged_in(citizen).post(
        f"/bundles/{bundle.public_id}/apply/", {**_valid(bundle, pension_item, f_shop=""), **_files(bundle)}
    )
    rows = list(HeldUpload.objects.all())
    assert rows and all(default_storage.exists(row.file.name) for row in rows)
    assert held.clear_expired() == 0  # not yet expired
    HeldUpload.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert held.held(citizen, rows[0].draft) == {}  # an expired file is never offered again
    with django_capture_on_commit_callbacks(execute=True):  # files go once the deletion commits
        call_command("clear_held_uploads", stdout=StringIO())
    assert not HeldUpload.objects.exists()
    assert not any(default_storage.exists(row.file.name) for row in rows)


def test_bundles_are_in_the_top_navigation(client, db):
    page = client.get("/").content.decode()
    nav = page[page.index('class="mainnav"') :]
    nav = nav[: nav.index("</nav>")]
    assert 'href="/bundles/"' in nav and "一件事" in nav
