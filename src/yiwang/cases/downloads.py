"""The files of a case as plain data for a download: the decision (结果文书), the documents (文书)
and the uploaded materials, each checked for the user and audited.

The portal (the applicant) and the workbench (staff) answer with the same :class:`Download`, so
who may download what, the file name and the audit record are decided here, once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from yiwang.cases.services import case_document_for, get_case_for
from yiwang.core import audit
from yiwang.core.errors import NotFound

if TYPE_CHECKING:
    from yiwang.accounts.models import User
    from yiwang.cases.models import Case


@dataclass(frozen=True)
class Download:
    """A stored file and the name and type it is downloaded under."""

    file: Any
    filename: str
    content_type: str = "application/pdf"


def document_download(user: User, case_id: Any, document_id: Any) -> Download:
    """A document (文书) of a case the user may see (audited by :func:`case_document_for`)."""
    case, document = case_document_for(user, case_id, document_id)
    return Download(document.file, f"{case.number}-{document.kind}.pdf")


def result_download(user: User, case_id: Any) -> Download:
    """The decision document of a case the user may see; every download is audited."""
    case = get_case_for(user, case_id)
    if not case.result_document:
        raise NotFound(_("该办件暂无结果文书"))
    audit.record("case.result_downloaded", actor=user, obj=case, detail={"number": case.number})
    return Download(case.result_document, f"{case.number}.pdf")


def material_download(case: Case, material_id: Any, *, staff: User | None = None) -> Download:
    """An uploaded material of a case the caller has already checked the user may see.

    A download by ``staff`` (personal data read by a member of staff) is audited.
    """
    material = case.materials.filter(public_id=material_id).first()
    if material is None:
        raise NotFound(_("材料不存在"))
    if staff is not None:
        audit.record(
            "case.material_downloaded",
            actor=staff,
            obj=case,
            detail={"number": case.number, "material": material.material_name},
        )
    return Download(material.file, material.original_name, material.content_type)
