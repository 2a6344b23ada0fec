"""Decision documents (文书): template registry, one CaseDocument per notice/decision, stamped with
the handling body's e-seal (PAdES, valid for pyHanko), shown on the portal and the workbench."""

from __future__ import annotations

from io import BytesIO

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from yiwang.cases import documents
from yiwang.cases.models import Case, CaseDocument, DocumentKind
from yiwang.cases.services import accept_case, decide_case, refuse_acceptance, request_correction
from yiwang.cases.tests.conftest import token_client
from yiwang.cases.tests.factories import make_document_seal, submit
from yiwang.seals import services as seal_services
from yiwang.seals.models import StampRecord
from yiwang.testing.fixtures import logged_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_time")]


def _text(document: CaseDocument) -> str:
    return "".join(page.extract_text() for page in PdfReader(BytesIO(document.file.read())).pages).replace(
        "\n", ""
    )


def test_template_registry_fills_and_skips_empty_paragraphs():
    title, paragraphs, _facts = documents.fill_template(
        "approval_decision",
        {
            "item": "食品经营许可",
            "submitted_on": "2026年09月21日",
            "legal_basis": "食品安全法",
            "comment": "",
        },
        licensing=True,
    )
    assert title == "准予食品经营许可决定书"
    assert not any(p.startswith("审批意见") for p in paragraphs)
    assert not any(p.startswith("审批结果") for p in paragraphs)
    assert set(documents.TEMPLATES) >= {kind.value for kind in DocumentKind}


def test_approval_decision_is_stamped_and_valid(item, citizen, clerk, approver, department):
    seal = make_document_seal(department)
    case = accept_case(submit(item, citizen), actor=clerk)
    decide_case(case, actor=approver, approve=True, comment="同意")
    kinds = list(CaseDocument.objects.filter(case=case).values_list("kind", "signed"))
    assert kinds == [(DocumentKind.ACCEPTANCE_NOTICE, True), (DocumentKind.APPROVAL_DECISION, True)]
    decision = CaseDocument.objects.get(case=case, kind=DocumentKind.APPROVAL_DECISION)
    data = decision.file.read()
    report = seal_services.verify_pdf(data)
    assert report.ok, report
    assert report.signatures[0].covers_whole_document
    assert report.signatures[0].seal_id == str(seal.public_id)
    assert decision.seal == seal
    case.refresh_from_db()
    assert case.result_sha256 == decision.sha256 and case.result_document.name == decision.file.name
    assert StampRecord.objects.filter(seal=seal, reason="行政审批决定").count() == 1


def test_refusal_decision_names_reasons_and_appeal_rights(item, citizen, clerk, approver, department):
    make_document_seal(department)
    case = accept_case(submit(item, citizen), actor=clerk)
    decide_case(case, actor=approver, approve=False, comment="经营场所不符合卫生要求")
    decision = CaseDocument.objects.get(case=case, kind=DocumentKind.REFUSAL_DECISION)
    decision.file.seek(0)
    text = _text(decision)
    assert "不予" in decision.title
    assert "经营场所不符合卫生要求" in text
    assert "六十日内向合肥市人民政府申请行政复议" in text
    assert "六个月内" in text and "行政诉讼" in text


def test_not_accepted_and_correction_notices(item, citizen, clerk, other_citizen):
    case = submit(item, citizen)
    material = item.materials.get(name="营业执照")
    request_correction(
        case, actor=clerk, items=[{"material_id": str(material.public_id), "reason": "已过期"}]
    )
    notice = CaseDocument.objects.get(case=case, kind=DocumentKind.CORRECTION_NOTICE)
    assert not notice.signed  # the department has no seal: the document is issued unstamped
    text = _text(notice)
    assert "营业执照：已过期" in text and "一次性告知" in text
    second = submit(item, other_citizen)
    refuse_acceptance(second, actor=clerk, reason="不属于本机关职权范围")
    refused = CaseDocument.objects.get(case=second, kind=DocumentKind.NOT_ACCEPTED_NOTICE)
    assert "不属于本机关职权范围" in _text(refused)


def test_documents_listed_and_downloadable_only_by_parties(
    item, citizen, clerk, approver, other_citizen, foreign_clerk
):
    case = accept_case(submit(item, citizen), actor=clerk)
    detail = token_client(citizen).get(f"/api/v1/cases/{case.public_id}").json()
    assert [d["kind"] for d in detail["documents"]] == ["acceptance_notice"]
    url = detail["documents"][0]["download_url"]
    response = token_client(citizen).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert token_client(other_citizen).get(url).status_code == 404
    assert token_client(foreign_clerk).get(url).status_code == 404
    assert token_client(clerk).get(url).status_code == 200


def test_portal_and_workbench_pages_show_documents(client, item, citizen, clerk):
    case = accept_case(submit(item, citizen), actor=clerk)
    document = CaseDocument.objects.get(case=case)
    client.force_login(citizen)
    page = client.get(f"/my/cases/{case.public_id}/").content.decode()
    assert "受理通知书" in page and f"/my/cases/{case.public_id}/documents/{document.public_id}/" in page
    assert client.get(f"/my/cases/{case.public_id}/documents/{document.public_id}/").status_code == 200
    staff = logged_in(clerk)
    page = staff.get(f"/workbench/cases/{case.public_id}/").content.decode()
    assert f"/workbench/cases/{case.public_id}/documents/{document.public_id}/" in page


def test_case_is_unchanged_when_document_fails(item, citizen, clerk, monkeypatch):
    case = submit(item, citizen)

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("pdf failed")

    monkeypatch.setattr("yiwang.cases.services.acceptance.issue_document", boom)
    with pytest.raises(RuntimeError):
        accept_case(case, actor=clerk)
    assert Case.objects.get(pk=case.pk).status == "submitted"
    assert not CaseDocument.objects.exists()


@given(
    values=st.dictionaries(
        st.sampled_from(["item", "applicant", "reason", "comment", "review_body", "legal_basis", "deadline"]),
        st.text(max_size=60),
    ),
    kind=st.sampled_from(sorted(documents.TEMPLATES)),
)
def test_any_context_fills_every_template(values, kind):
    """Whatever the context holds (braces, blanks, missing keys), filling never fails and never
    leaves a placeholder behind."""
    title, paragraphs, facts = documents.fill_template(kind, values, licensing=True)
    rendered = [title, *paragraphs, *(value for _, value in facts)]
    if not any("{" in value for value in values.values()):  # a value may itself contain braces
        assert not any("{" in text for text in rendered)
    if values.get("reason") and kind in {"refusal_decision", "not_accepted_notice"}:
        assert any(values["reason"] in p for p in paragraphs)
