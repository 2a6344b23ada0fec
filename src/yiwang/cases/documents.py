"""Decision documents (文书) rendered as PDF with reportlab.

Chinese text uses the Adobe CID font STSong-Light, which every PDF reader provides, so no font file
has to ship with the platform.  Each document carries a QR code that leads to the public status page.
"""

from __future__ import annotations

import hashlib
import io
import string
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

import segno
from django.core.files.base import ContentFile
from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from yiwang.cases.models import CaseDocument
from yiwang.core.public_url import public_base_url
from yiwang.seals import services as seal_services

if TYPE_CHECKING:
    from yiwang.cases.models import BundleApplication, Case
    from yiwang.core.models import Organisation

FONT = "STSong-Light"
_font_registered = False


def _ensure_font() -> None:
    global _font_registered
    if not _font_registered:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _font_registered = True


@dataclass
class DocumentSpec:
    title: str
    issuer: str
    case_number: str
    applicant_name: str
    item_name: str
    paragraphs: list[str]
    issued_on: date
    verify_url: str = ""
    facts: list[tuple[str, str]] = field(default_factory=list)


def _wrap(text: str, width_chars: int) -> list[str]:
    # CJK text wraps per character; keep it simple and predictable.
    lines: list[str] = []
    for raw in text.split("\n"):
        while len(raw) > width_chars:
            lines.append(raw[:width_chars])
            raw = raw[width_chars:]
        lines.append(raw)
    return lines


def render_pdf(spec: DocumentSpec) -> bytes:
    _ensure_font()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True)
    canvas.setTitle(f"{spec.title} {spec.case_number}")
    canvas.setAuthor(spec.issuer)
    canvas.setSubject(spec.item_name)
    width, height = A4
    y = height - 30 * mm

    canvas.setFont(FONT, 20)
    canvas.drawCentredString(width / 2, y, spec.issuer)
    y -= 12 * mm
    canvas.setFont(FONT, 18)
    canvas.drawCentredString(width / 2, y, spec.title)
    y -= 8 * mm
    canvas.setFont(FONT, 10)
    canvas.drawCentredString(width / 2, y, f"办件编号：{spec.case_number}")
    y -= 12 * mm

    canvas.setFont(FONT, 12)
    canvas.drawString(25 * mm, y, f"{spec.applicant_name}：")
    y -= 9 * mm
    for paragraph in spec.paragraphs:
        for line in _wrap("　　" + paragraph, 38):
            if y < 45 * mm:
                canvas.showPage()
                canvas.setFont(FONT, 12)
                y = height - 25 * mm
            canvas.drawString(25 * mm, y, line)
            y -= 7 * mm
        y -= 2 * mm

    if spec.facts:
        y -= 3 * mm
        canvas.setFont(FONT, 10)
        for label, value in spec.facts:
            canvas.drawString(25 * mm, y, f"{label}：{value}")
            y -= 6 * mm

    canvas.setFont(FONT, 12)
    canvas.drawRightString(width - 25 * mm, 50 * mm, spec.issuer)
    canvas.drawRightString(
        width - 25 * mm, 42 * mm, f"{spec.issued_on.year}年{spec.issued_on.month}月{spec.issued_on.day}日"
    )
    if spec.verify_url:
        qr = segno.make(spec.verify_url, error="m")
        png = io.BytesIO()
        qr.save(png, kind="png", scale=4, border=1)
        png.seek(0)
        canvas.drawImage(ImageReader(png), 25 * mm, 25 * mm, 28 * mm, 28 * mm)
        canvas.setFont(FONT, 8)
        canvas.drawString(25 * mm, 21 * mm, "扫码查询办件进度")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


# --- template registry (文书模板) ----------------------------------------------------------------
APPEAL_RIGHTS = (
    "如不服本决定，可以申请行政复议或者提起行政诉讼：自收到本决定书之日起六十日内向{review_body}申请行政复议，"
    "或者自收到本决定书之日起六个月内依法向人民法院提起行政诉讼。"
)


@dataclass(frozen=True)
class DocumentTemplate:
    """One document template: a title and paragraphs with ``{placeholders}``.

    A paragraph whose placeholders are all empty in the context is left out (e.g. "审批意见：{comment}"
    without a comment); ``licensing_title`` replaces ``title`` for 行政许可 items (item type 01).
    """

    kind: str
    title: str
    paragraphs: tuple[str, ...]
    licensing_title: str = ""
    facts: tuple[tuple[str, str], ...] = (("事项名称", "{item}"), ("申请人", "{applicant}"))


TEMPLATES: dict[str, DocumentTemplate] = {}


def register_template(template: DocumentTemplate) -> DocumentTemplate:
    TEMPLATES[template.kind] = template
    return template


for _template in (
    DocumentTemplate(
        kind="receipt",
        title="收件回执",
        paragraphs=(
            "你（单位）于{submitted_on}在{issuer}窗口提交的“{item}”申请材料已收到，共{material_count}份。",
            "登记人：{clerk}。请凭办件编号查询办理进度。",
        ),
        facts=(("事项名称", "{item}"), ("申请人", "{applicant}"), ("证件号码", "{id_masked}")),
    ),
    DocumentTemplate(
        kind="acceptance_notice",
        title="受理通知书",
        paragraphs=(
            "你（单位）于{submitted_on}提出的“{item}”申请，申请材料齐全、符合法定形式，根据《中华人民共和国行政许可法》第三十二条的规定，决定予以受理。",
            "承诺办结日期：{due_date}；法定办结日期：{statutory_due_date}。",
        ),
    ),
    DocumentTemplate(
        kind="not_accepted_notice",
        title="不予受理通知书",
        paragraphs=(
            "你（单位）于{submitted_on}提出的“{item}”申请，经审查，决定不予受理。理由：{reason}",
            APPEAL_RIGHTS,
        ),
    ),
    DocumentTemplate(
        kind="correction_notice",
        title="补正材料通知书",
        paragraphs=(
            "你（单位）于{submitted_on}提出的“{item}”申请，申请材料不齐全或者不符合法定形式。现一次性告知需要补正的全部内容如下：",
            "{correction_items}",
            "补充说明：{comment}",
            "请于{deadline}前补正。补正期间不计入办理时限；逾期未补正的，视为放弃申请。",
        ),
    ),
    DocumentTemplate(
        kind="approval_decision",
        title="{item}办理结果通知书",
        licensing_title="准予{item}决定书",
        paragraphs=(
            "你（单位）于{submitted_on}提出的“{item}”申请，经审查，符合法定条件、标准，决定予以批准。",
            "审批结果：{result_name}。",
            "审批意见：{comment}",
            "依据：{legal_basis}",
        ),
    ),
    DocumentTemplate(
        kind="refusal_decision",
        title="{item}不予办理通知书",
        licensing_title="不予{item}决定书",
        paragraphs=(
            "你（单位）于{submitted_on}提出的“{item}”申请，经审查，决定不予批准。理由：{reason}",
            "依据：{legal_basis}",
            APPEAL_RIGHTS,
        ),
    ),
    DocumentTemplate(
        kind="bundle_result",
        title="“{bundle}”办理结果告知书",
        paragraphs=(
            "你（单位）于{submitted_on}申请的“{bundle}”一件事，所含事项已全部办结，结果如下：",
            "{outcomes}",
            "{refusal_note}",
        ),
        facts=(("一件事", "{bundle}"), ("申请人", "{applicant}")),
    ),
):
    register_template(_template)


def _fields_of(text: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(text) if name]


def fill_template(
    kind: str, context: dict[str, object], *, licensing: bool = False
) -> tuple[str, list[str], list[tuple[str, str]]]:
    """(title, paragraphs, facts) of the template ``kind`` filled from ``context``."""
    template = TEMPLATES[kind]
    values = {key: "" if value is None else str(value) for key, value in context.items()}
    title_format = template.licensing_title if licensing and template.licensing_title else template.title
    paragraphs = []
    for paragraph in template.paragraphs:
        names = _fields_of(paragraph)
        if names and not any(values.get(name) for name in names):
            continue
        paragraphs.append(paragraph.format_map(_Missing(values)))
    facts = [(label, value.format_map(_Missing(values))) for label, value in template.facts]
    return title_format.format_map(_Missing(values)), paragraphs, facts


class _Missing(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


# --- issuing (出具文书) --------------------------------------------------------------------------
SEAL_REASONS = {
    "acceptance_notice": "受理通知书",
    "not_accepted_notice": "不予受理通知书",
    "correction_notice": "补正材料通知书",
    "approval_decision": "行政审批决定",
    "refusal_decision": "行政审批决定",
    "bundle_result": "一件事办理结果",
}


def review_body(organisation: Organisation) -> str:
    """行政复议机关: the people's government at the body's level (行政复议法 2023 第二十四条)."""
    region = getattr(organisation, "region", None)
    name = getattr(region, "name", "") if region is not None else ""
    return f"{name}人民政府" if name else "本级人民政府"


def _masked(id_number: str) -> str:
    return (
        f"{id_number[:4]}{'*' * max(0, len(id_number) - 8)}{id_number[-4:]}"
        if len(id_number) > 8
        else id_number
    )


def case_context(case: Case, **extra: object) -> dict[str, object]:
    """What every case template may use."""
    organisation = case.handling_organisation
    item = case.item
    submitted = timezone.localtime(case.submitted_at)
    context: dict[str, object] = {
        "item": item.name,
        "issuer": organisation.name,
        "review_body": review_body(organisation),
        "applicant": case.applicant_name,
        "id_masked": _masked(case.applicant_id_number),
        "submitted_on": f"{submitted:%Y年%m月%d日}",
        "due_date": case.due_date.isoformat() if case.due_date else "",
        "statutory_due_date": case.statutory_due_date.isoformat() if case.statutory_due_date else "",
        "result_name": item.result_name,
        "legal_basis": item.legal_basis.splitlines()[0] if item.legal_basis else "相关法律法规",
    }
    context.update(extra)
    return context


def issue_document(
    kind: str,
    context: dict[str, object],
    *,
    organisation: Organisation,
    number: str,
    case: Case | None = None,
    bundle_application: BundleApplication | None = None,
    licensing: bool = False,
) -> CaseDocument:
    """Render the template ``kind``, stamp it with ``organisation``'s e-seal (行政审批专用章, else 公章;
    a :class:`Conflict` when it has none, unless ``YIWANG_REQUIRE_DOCUMENT_SEAL`` is off), store the
    file and a :class:`CaseDocument` row.  Runs in the caller's
    transaction; the file name is registered for removal if that transaction rolls back."""
    # Notices and decisions carry the body's seal; without one the service refuses (409).
    seal = seal_services.require_document_seal(organisation) if kind in SEAL_REASONS else None
    title, paragraphs, facts = fill_template(kind, context, licensing=licensing)
    site = public_base_url()
    pdf = render_pdf(
        DocumentSpec(
            title=title,
            issuer=organisation.name,
            case_number=number,
            applicant_name=str(context.get("applicant", "")),
            item_name=str(context.get("item", context.get("bundle", ""))),
            paragraphs=paragraphs,
            issued_on=timezone.localdate(),
            verify_url=f"{site}/status/?number={number}",
            facts=facts,
        )
    )
    if seal is not None:
        pdf = seal_services.stamp_pdf(
            seal, pdf, user=None, reason=SEAL_REASONS[kind], reference=number[-60:], system=True
        )
    document = CaseDocument(
        case=case,
        bundle_application=bundle_application,
        kind=kind,
        title=title,
        sha256=hashlib.sha256(pdf).hexdigest(),
        signed=seal is not None,
        seal=seal,
    )
    document.file.save(f"{document.public_id.hex}.pdf", ContentFile(pdf), save=False)
    document.save()
    return document
