"""Masking helpers (个人信息脱敏): what each kind of personal data looks like on a staff screen."""

from __future__ import annotations

from yiwang.core.masking import (
    mask_account_number,
    mask_address,
    mask_email,
    mask_form,
    mask_id_number,
    mask_name,
    mask_phone,
    mask_text,
)

ID = "11010519491231002X"


def test_id_number_keeps_the_last_four_or_the_region_too():
    assert mask_id_number(ID) == "*" * 14 + "002X"
    assert mask_id_number(ID, keep_region=True) == "110105********002X"
    assert mask_id_number("") == ""
    assert mask_id_number("123") == "123"[-4:]


def test_phone_name_address_bank_email():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("") == ""
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧***"
    assert mask_name("王") == "王"
    assert mask_address("安徽省合肥市蜀山区长江西路 100 号") == "安徽省合肥市****"
    assert mask_address("") == ""
    assert mask_account_number("6222 0212 3456 7890") == "************7890"
    assert mask_email("zhang.wei@example.cn") == "z***@example.cn"


def test_free_text_masks_ids_phones_and_emails_inside():
    text = f"申请人 {ID}，电话 13912345678，邮箱 a.b@gov.cn；编号 2024000112345"
    masked = mask_text(text)
    assert ID not in masked and "*" * 14 + "002X" in masked
    assert "13912345678" not in masked and "139****5678" in masked
    assert "a.b@gov.cn" not in masked and "a***@gov.cn" in masked
    assert "2024000112345" in masked  # a 13-digit number is neither


def test_form_data_masked_by_field_name_and_content():
    form = {
        "company_name": "合肥徽创科技有限公司",
        "legal_representative": "张伟",
        "contact_phone": "13812345678",
        "address": "安徽省合肥市蜀山区长江西路 100 号",
        "note": f"法人身份证 {ID}",
        "children": [{"real_name": "张小明"}],
        "capital": 100,
    }
    masked = mask_form(form)
    assert masked["company_name"] == "合肥徽创科技有限公司"
    assert masked["legal_representative"] == "张*"
    assert masked["contact_phone"] == "138****5678"
    assert masked["address"] == "安徽省合肥市****"
    assert ID not in masked["note"]
    assert masked["children"] == [{"real_name": "张**"}]
    assert masked["capital"] == 100
    assert form["legal_representative"] == "张伟"  # the input is not changed
