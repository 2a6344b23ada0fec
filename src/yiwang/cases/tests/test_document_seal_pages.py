"""Sealed documents say so: on the applicant's and the clerk's case pages every notice and decision
(受理、不予受理、补正、准予、不予) shows that it carries the body's electronic seal, names the seal and
links to the public verification page; none of them is shown as 未盖章.  A receipt needs no seal."""

from __future__ import annotations

import re

import pytest

from yiwang.cases.models import CaseDocument, DocumentKind
from yiwang.cases.services import accept_case, decide_case, refuse_acceptance, request_correction
from yiwang.cases.tests.factories import make_document_seal, submit
from yiwang.testing.fixtures import logged_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_time")]

VERIFY = 'href="/seals/verify/"'


def _document_rows(page: str) -> dict[str, str]:
    """Each listed document's title → its list entry (in the 文书 card)."""
    card = page[page.index('id="case-documents"') :]
    card = card[: card.index("</section>")]
    rows = {}
    for entry in re.findall(r"<li>.*?</li>", card, flags=re.S):
        title = re.search(r">([^<]+)</a>", entry)
        if title:
            rows[title.group(1).strip()] = entry
    return rows


def _pages(case, citizen, clerk) -> list[str]:
    return [
        logged_in(citizen).get(f"/my/cases/{case.public_id}/").content.decode(),
        logged_in(clerk).get(f"/workbench/cases/{case.public_id}/").content.decode(),
    ]


def _assert_sealed(page: str, case, kinds: set[str]) -> None:
    documents = {d.kind: d.title for d in CaseDocument.objects.filter(case=case)}
    assert set(documents) == kinds
    titles = set(documents.values())
    rows = _document_rows(page)
    assert titles <= set(rows), (titles, list(rows))
    for title in titles:
        assert "已加盖电子印章（行政审批专用章）" in rows[title], rows[title]
        assert VERIFY in rows[title] and "未盖章" not in rows[title]
    assert "未盖章" not in page


def test_every_notice_and_decision_is_shown_sealed(item, citizen, other_citizen, clerk, approver, department):
    make_document_seal(department)
    corrected = submit(item, citizen)
    material = item.materials.get(name="营业执照")
    request_correction(
        corrected, actor=clerk, items=[{"material_id": str(material.public_id), "reason": "已过期"}]
    )
    for page in _pages(corrected, citizen, clerk):
        _assert_sealed(page, corrected, {DocumentKind.CORRECTION_NOTICE})

    approved = decide_case(accept_case(submit(item, citizen), actor=clerk), actor=approver, approve=True)
    for page in _pages(approved, citizen, clerk):
        _assert_sealed(page, approved, {DocumentKind.ACCEPTANCE_NOTICE, DocumentKind.APPROVAL_DECISION})
        result = page[page.index('id="result-seal"') :]
        assert "已加盖电子印章" in result[:400] and VERIFY in result[:600]

    refused = decide_case(
        accept_case(submit(item, citizen), actor=clerk), actor=approver, approve=False, comment="条件不符"
    )
    for page in _pages(refused, citizen, clerk):
        _assert_sealed(page, refused, {DocumentKind.ACCEPTANCE_NOTICE, DocumentKind.REFUSAL_DECISION})

    not_accepted = refuse_acceptance(submit(item, other_citizen), actor=clerk, reason="不属于本机关职权范围")
    for page in _pages(not_accepted, other_citizen, clerk):
        _assert_sealed(page, not_accepted, {DocumentKind.NOT_ACCEPTED_NOTICE})
    kinds = set(CaseDocument.objects.values_list("kind", flat=True))
    assert kinds == {
        DocumentKind.CORRECTION_NOTICE,
        DocumentKind.ACCEPTANCE_NOTICE,
        DocumentKind.APPROVAL_DECISION,
        DocumentKind.REFUSAL_DECISION,
        DocumentKind.NOT_ACCEPTED_NOTICE,
    }
    assert not CaseDocument.objects.filter(signed=False).exists()


def test_a_receipt_is_not_called_unsealed(item, citizen, clerk, department):
    make_document_seal(department)
    case = submit(item, citizen)
    CaseDocument.objects.create(case=case, kind=DocumentKind.RECEIPT, title="收件回执", sha256="0" * 64)
    for page in _pages(case, citizen, clerk):
        rows = _document_rows(page)
        assert "收件回执，无需盖章" in rows["收件回执"] and "未盖章" not in page
