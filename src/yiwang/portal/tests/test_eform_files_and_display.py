"""电子表单 on the apply page end to end: a file field uploaded as ``field_<key>`` is checked like a
material and stored with the case (a material of the "other" kind named by the field's label, the
form data naming it); the case detail pages show the data by the definition (sections, tables,
choices by label, money in 元, the address with its region's name)."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from yiwang.cases.models import Case, CaseMaterial
from yiwang.catalog.forms import definition_of, flatten, normalise_definition
from yiwang.portal.tests.factories import materials_by_name, pdf_upload
from yiwang.testing.accounts import region
from yiwang.testing.fixtures import logged_in

pytestmark = pytest.mark.django_db

EXTRA = [
    {
        "type": "panel",
        "key": "venue",
        "label": "经营场所",
        "components": [
            {
                "type": "radio",
                "key": "own_site",
                "label": "场地性质",
                "values": [{"label": "自有", "value": "own"}, {"label": "租赁", "value": "rent"}],
                "validate": {"required": True},
            },
            {
                "type": "textfield",
                "key": "landlord",
                "label": "出租方",
                "conditional": {"show": True, "when": "own_site", "eq": "rent"},
                "validate": {"required": True},
            },
            {"type": "address", "key": "site", "label": "经营地址"},
            {
                "type": "select",
                "key": "industry",
                "label": "所属行业",
                "properties": {"codeTable": "industries"},
            },
        ],
    },
    {
        "type": "datagrid",
        "key": "rooms",
        "label": "房屋明细",
        "components": [
            {"type": "textfield", "key": "room", "label": "房间"},
            {"type": "currency", "key": "rent", "label": "月租金"},
            {
                "type": "currency",
                "key": "yearly",
                "label": "年租金",
                "calculateValue": "value = row.rent * 12",
            },
        ],
    },
    {"type": "file", "key": "floor_plan", "label": "平面图", "validate": {"required": True}},
]


@pytest.fixture
def form_item(item):
    region("340104", "蜀山区")
    base = definition_of(item.form_definition, item.form_fields)
    definition = normalise_definition({"components": [*base["components"], *EXTRA]})
    item.form_definition = definition
    item.form_fields = flatten(definition)
    item.save(update_fields=["form_definition", "form_fields"])
    return item


def _post(item, **overrides):
    names = materials_by_name(item)
    data = {
        "field_company_name": "合肥徽创科技有限公司",
        "field_registered_capital": "100",
        "field_business_scope": "软件开发",
        "field_company_type": "有限责任公司",
        "field_own_site": "rent",
        "field_landlord": "合肥某物业公司",
        "field_site-region": "340104",
        "field_site-detail": "长江西路 100 号",
        "field_industry": "I",
        "field_rooms-0-room": "A101",
        "field_rooms-0-rent": "1500.50",
        "field_rooms-0-yearly": "1",  # computed: the server's value wins
        "field_floor_plan": pdf_upload("平面图.pdf"),
        "delivery_method": "electronic",
        "idempotency_key": "eform-1",
        f"material_{names['公司登记（备案）申请书'].public_id}": pdf_upload("申请书.pdf"),
        f"material_{names['公司章程'].public_id}": pdf_upload("章程.pdf"),
        f"material_{names['住所使用证明'].public_id}": pdf_upload("住所.pdf"),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_a_file_field_is_stored_with_the_case_and_the_data_shown_by_the_definition(
    form_item, citizen, clerk_client
):
    client = logged_in(citizen)
    page = client.get(reverse("portal:apply", args=[form_item.public_id])).content.decode()
    assert 'type="file" id="id_field_floor_plan" name="field_floor_plan"' in page
    response = client.post(reverse("portal:apply", args=[form_item.public_id]), _post(form_item))
    assert response.status_code == 302, response.content.decode()[:3000]
    case = Case.objects.get(applicant=citizen)
    stored = CaseMaterial.objects.get(case=case, material__isnull=True)
    assert stored.material_name == "平面图" and stored.original_name == "平面图.pdf"
    assert case.form_data["floor_plan"] == [
        {"name": "平面图.pdf", "sha256": stored.sha256, "material": str(stored.public_id)}
    ]
    assert case.form_data["rooms"] == [{"room": "A101", "rent": 150050, "yearly": 1800600}]
    assert case.form_data["site"] == {"region": "340104", "detail": "长江西路 100 号"}

    detail = client.get(reverse("portal:case_detail", args=[case.public_id])).content.decode()
    staff = clerk_client.get(reverse("workbench:case_detail", args=[case.public_id])).content.decode()
    for html in (detail, staff):
        assert "<h3>经营场所</h3>" in html
        assert "<dt>场地性质</dt><dd>租赁</dd>" in html
        assert "<dt>经营地址</dt><dd>安徽省合肥市蜀山区 长江西路 100 号</dd>" in html
        assert "<caption>房屋明细</caption>" in html
        assert "<td>1,500.50 元</td><td>18,006.00 元</td>" in html
        assert f'{stored.public_id}/">平面图.pdf</a>' in html
    assert "<dt>所属行业</dt><dd>I 信息传输、软件和信息技术服务业</dd>" in detail  # the label of the code


def test_a_missing_or_forbidden_file_is_refused_on_the_page(form_item, citizen):
    client = logged_in(citizen)
    url = reverse("portal:apply", args=[form_item.public_id])
    missing = client.post(url, _post(form_item, field_floor_plan=None))
    assert missing.status_code == 400
    assert "请上传平面图" in missing.content.decode()
    bad = client.post(
        url,
        _post(form_item, field_floor_plan=SimpleUploadedFile("x.exe", b"MZ...", "application/octet-stream")),
    )
    assert bad.status_code == 415
    assert not Case.objects.filter(applicant=citizen).exists()
    assert not CaseMaterial.objects.exists()


def test_a_hidden_field_is_not_required_and_its_value_dropped(form_item, citizen):
    client = logged_in(citizen)
    response = client.post(
        reverse("portal:apply", args=[form_item.public_id]),
        _post(form_item, field_own_site="own", field_landlord="不该保存"),
    )
    assert response.status_code == 302
    assert "landlord" not in Case.objects.get(applicant=citizen).form_data


def test_the_api_takes_a_file_field_as_field_key(form_item, citizen):
    """``POST /api/v1/cases``: the form's file components come as ``field_<key>`` (附件字段), the rest of
    the form as ``form_data``; a missing required file is a 400 with the error shape."""
    names = materials_by_name(form_item)
    form_data = {
        "company_name": "合肥徽创科技有限公司",
        "registered_capital": "100",
        "business_scope": "软件开发",
        "company_type": "有限责任公司",
        "own_site": "own",
        "site": {"region": "340104", "detail": "长江西路 100 号"},
    }
    data = {
        "item_id": str(form_item.public_id),
        "form_data": json.dumps(form_data, ensure_ascii=False),
        f"material_{names['公司登记（备案）申请书'].public_id}": pdf_upload("申请书.pdf"),
        f"material_{names['公司章程'].public_id}": pdf_upload("章程.pdf"),
        f"material_{names['住所使用证明'].public_id}": pdf_upload("住所.pdf"),
    }
    client = logged_in(citizen)
    missing = client.post("/api/v1/cases", data, headers={"Idempotency-Key": "api-file-0"})
    assert missing.status_code == 400 and "floor_plan" in missing.json()["fields"]
    data = {
        **data,
        "field_floor_plan": pdf_upload("平面图.pdf"),
        f"material_{names['公司登记（备案）申请书'].public_id}": pdf_upload("申请书.pdf"),
        f"material_{names['公司章程'].public_id}": pdf_upload("章程.pdf"),
        f"material_{names['住所使用证明'].public_id}": pdf_upload("住所.pdf"),
    }
    response = client.post("/api/v1/cases", data, headers={"Idempotency-Key": "api-file-1"})
    assert response.status_code == 201, response.content.decode()[:2000]
    case = Case.objects.get(applicant=citizen)
    stored = CaseMaterial.objects.get(case=case, material__isnull=True)
    assert stored.material_name == "平面图"
    assert case.form_data["floor_plan"][0]["material"] == str(stored.public_id)
    assert "landlord" not in case.form_data  # hidden by its condition
