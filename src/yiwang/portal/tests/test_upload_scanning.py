"""The application page refuses a file with the EICAR test string (core.scanning's fallback): a 422
page naming the file, an audit entry, no case."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from yiwang.cases.models import Case
from yiwang.core.models import AuditEvent
from yiwang.core.scanning import EICAR
from yiwang.portal.tests.factories import materials_by_name, pdf_upload

pytestmark = pytest.mark.django_db

FORM = {
    "field_company_name": "合肥徽创科技有限公司",
    "field_registered_capital": "100",
    "field_business_scope": "软件开发",
    "field_company_type": "有限责任公司",
    "delivery_method": "courier",
    "delivery_address": "合肥市蜀山区长江西路 100 号",
    "idempotency_key": "key-eicar",
}


def test_the_page_refuses_an_infected_upload(citizen_client, item, settings):
    settings.YIWANG_CLAMD = ""
    names = materials_by_name(item)
    infected = SimpleUploadedFile("章程.pdf", b"%PDF-1.4\n" + EICAR, content_type="application/pdf")
    data = {
        **FORM,
        f"material_{names['公司登记（备案）申请书'].public_id}": pdf_upload("申请书.pdf"),
        f"material_{names['公司章程'].public_id}": infected,
        f"material_{names['住所使用证明'].public_id}": pdf_upload("住所.pdf"),
    }
    response = citizen_client.post(reverse("portal:apply", args=[item.public_id]), data)
    assert response.status_code == 422
    page = response.content.decode()
    assert "未通过安全检查" in page and "章程.pdf" in page
    assert Case.objects.count() == 0
    assert AuditEvent.objects.filter(action="upload.infected", detail__file="章程.pdf").exists()
