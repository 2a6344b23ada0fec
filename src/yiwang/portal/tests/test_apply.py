"""The online application form: login required, form fields and uploads, idempotent double submit."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from yiwang.accounts.models import AssuranceLevel
from yiwang.cases.models import Case, CaseStatus
from yiwang.portal.tests.factories import materials_by_name, pdf_upload
from yiwang.testing.fixtures import logged_in

pytestmark = pytest.mark.django_db

FORM = {
    "field_company_name": "合肥徽创科技有限公司",
    "field_registered_capital": "100",
    "field_business_scope": "软件开发",
    "field_company_type": "有限责任公司",
    "delivery_method": "courier",
    "delivery_address": "合肥市蜀山区长江西路 100 号",
}


def _post_data(item, key="key-1", **overrides):
    names = materials_by_name(item)
    data = {
        **FORM,
        "idempotency_key": key,
        f"material_{names['公司登记（备案）申请书'].public_id}": pdf_upload("申请书.pdf"),
        f"material_{names['公司章程'].public_id}": pdf_upload("章程.pdf"),
        f"material_{names['住所使用证明'].public_id}": pdf_upload("住所.pdf"),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_anonymous_user_is_sent_to_login(client, item):
    url = reverse("portal:apply", args=[item.public_id])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('portal:login')}?next={url}"


def test_form_has_fields_uploads_and_an_idempotency_key(citizen_client, item):
    response = citizen_client.get(reverse("portal:apply", args=[item.public_id]))
    assert response.status_code == 200
    html = response.content.decode()
    for spec in item.form_fields:
        assert f'name="field_{spec["name"]}"' in html
        assert f'<label for="id_field_{spec["name"]}">{spec["label"]}' in html
    for material in item.materials.all():
        assert f'name="material_{material.public_id}"' in html
    assert 'enctype="multipart/form-data"' in html
    key = re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', html)
    assert key is not None
    second = citizen_client.get(reverse("portal:apply", args=[item.public_id])).content.decode()
    assert key.group(1) not in second  # a fresh key per rendered form
    assert 'name="delivery_method"' in html and "快递送达" in html


def test_successful_application_shows_the_case_number(citizen_client, citizen, item):
    response = citizen_client.post(reverse("portal:apply", args=[item.public_id]), _post_data(item))
    case = Case.objects.get(applicant=citizen)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:case_detail", args=[case.public_id])
    assert case.status == CaseStatus.SUBMITTED
    assert case.delivery_method == "courier"
    assert case.form_data["company_name"] == "合肥徽创科技有限公司"
    assert case.form_data["registered_capital"] == 100
    assert case.materials.count() == 3
    page = citizen_client.get(response["Location"]).content.decode()
    assert case.number in page
    assert "申请已提交" in page


def test_double_submitted_form_creates_one_case(citizen_client, citizen, item):
    url = reverse("portal:apply", args=[item.public_id])
    first = citizen_client.post(url, _post_data(item, key="double"))
    second = citizen_client.post(url, _post_data(item, key="double"))
    assert Case.objects.filter(applicant=citizen).count() == 1
    assert first["Location"] == second["Location"]
    citizen_client.post(url, _post_data(item, key="another"))
    assert Case.objects.filter(applicant=citizen).count() == 2


def test_missing_material_and_field_keep_what_was_typed(citizen_client, citizen, item):
    names = materials_by_name(item)
    data = _post_data(item, **{f"material_{names['公司章程'].public_id}": None, "field_company_name": ""})
    data["field_business_scope"] = "保留我填写的经营范围"
    response = citizen_client.post(reverse("portal:apply", args=[item.public_id]), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "请填写企业名称" in html
    assert 'id="id_field_company_name-error"' in html
    assert 'aria-describedby="id_field_company_name-error"' in html
    assert 'aria-invalid="true"' in html
    assert "保留我填写的经营范围" in html
    assert 'value="100"' in html
    assert not Case.objects.filter(applicant=citizen).exists()


def test_missing_material_is_shown_next_to_its_input(citizen_client, citizen, item):
    names = materials_by_name(item)
    material = names["公司章程"]
    data = _post_data(item, **{f"material_{material.public_id}": None})
    response = citizen_client.post(reverse("portal:apply", args=[item.public_id]), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "以下必要材料尚未上传：公司章程" in html
    assert f'id="id_material_{material.public_id}-error"' in html
    assert f'href="#id_material_{material.public_id}"' in html  # the error summary links to the input
    assert 'name="idempotency_key" value="key-1"' in html  # the same key is kept for the retry


def test_forbidden_file_type_is_refused_with_415(citizen_client, item):
    names = materials_by_name(item)
    bad = SimpleUploadedFile("virus.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    data = _post_data(item, **{f"material_{names['公司章程'].public_id}": bad})
    response = citizen_client.post(reverse("portal:apply", args=[item.public_id]), data)
    assert response.status_code == 415
    assert "不支持的文件类型" in response.content.decode()


def test_content_not_matching_the_extension_is_refused(citizen_client, item):
    names = materials_by_name(item)
    fake = SimpleUploadedFile("fake.pdf", b"not a pdf at all", content_type="application/pdf")
    data = _post_data(item, **{f"material_{names['公司章程'].public_id}": fake})
    response = citizen_client.post(reverse("portal:apply", args=[item.public_id]), data)
    assert response.status_code == 415


def test_assurance_level_too_low_is_explained(citizen, item):
    citizen.assurance_level = AssuranceLevel.ANONYMOUS
    citizen.save()
    client = logged_in(citizen)
    page = client.get(reverse("portal:apply", args=[item.public_id])).content.decode()
    assert "认证等级不足" in page
    response = client.post(reverse("portal:apply", args=[item.public_id]), _post_data(item))
    assert response.status_code == 403
    assert "认证等级" in response.content.decode()


def test_staff_cannot_apply(clerk_client, item):
    response = clerk_client.get(reverse("portal:apply", args=[item.public_id]))
    assert response.status_code == 302
    assert response["Location"] == reverse("workbench:todo")


def test_window_only_item_is_refused(citizen_client, item):
    item.online_apply = False
    item.save()
    response = citizen_client.post(reverse("portal:apply", args=[item.public_id]), _post_data(item))
    assert response.status_code == 409
    assert "不支持网上申请" in response.content.decode()


def test_bad_delivery_method_and_select_value(citizen_client, item):
    data = _post_data(item, delivery_method="pigeon", field_company_type="合伙企业")
    response = citizen_client.post(reverse("portal:apply", args=[item.public_id]), data)
    assert response.status_code == 400
