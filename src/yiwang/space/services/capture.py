"""Capture (入库): a case's materials and its result document enter the owner's store.

Connected in :meth:`yiwang.space.apps.SpaceConfig.ready` to ``cases.signals``: on the ``applied``,
``correction_supplied`` and ``gap_supplied`` events the case's current materials are captured, on
``case_completed`` its result document.  Both run inside the case's transaction and are idempotent
(the unique constraints of :class:`~yiwang.space.models.StoredMaterial` skip rows captured before):
two statements per event (the case's materials, one INSERT).  E-licences (listed live from the wallet) and materials that
came from the store are not captured again.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from yiwang.cases.models import Case, CaseEventType, CaseMaterial, CaseMaterialSource
from yiwang.licences.models import TrustLevel
from yiwang.space.models import MaterialEntrySource, StoredMaterial

CAPTURED_EVENTS = {CaseEventType.APPLIED, CaseEventType.CORRECTION_SUPPLIED, CaseEventType.GAP_SUPPLIED}
NOT_CAPTURED = {CaseMaterialSource.E_LICENCE, CaseMaterialSource.MATERIAL_STORE}


def capture_case_materials(case: Case) -> int:
    """The case's live materials (not superseded) enter the applicant's store (two statements);
    returns how many rows were offered."""
    rows = list(
        CaseMaterial.objects.filter(case=case, superseded=False)
        .exclude(source__in=NOT_CAPTURED)
        .select_related("material")
    )
    if not rows:
        return 0
    entries = [
        StoredMaterial(
            owner_id=case.applicant_id,
            name=row.material_name,
            material_id=row.material_id,
            licence_type_code=(row.material.licence_type_code.strip().upper() if row.material else "")[:40],
            source=MaterialEntrySource.WINDOW_SCAN
            if row.source == CaseMaterialSource.CLERK_SCAN
            else MaterialEntrySource.SUBMITTED,
            trust_level=row.trust_level,
            case=case,
            case_material=row,
            file=row.file.name,
            original_name=row.original_name,
            content_type=row.content_type,
            size=row.size,
            sha256=row.sha256,
            uploaded_by_id=row.uploaded_by_id,
        )
        for row in rows
    ]
    # One INSERT; rows captured before (a correction round re-sends the case's live materials)
    # are skipped by the unique constraint (ON CONFLICT DO NOTHING / INSERT OR IGNORE).
    StoredMaterial.objects.bulk_create(entries, ignore_conflicts=True)
    return len(entries)


def capture_case_result(case: Case) -> StoredMaterial | None:
    """The case's result document (办件结果, issued by the body: trust level A) enters the store."""
    if not case.result_document or not case.result_document.name:
        return None
    existing = StoredMaterial.objects.filter(
        owner_id=case.applicant_id, case=case, source=MaterialEntrySource.RESULT
    ).first()
    if existing is not None:
        return existing
    name = str(case.result_document.name)
    try:
        size = case.result_document.size
    except OSError:
        size = 0
    return StoredMaterial.objects.create(
        owner_id=case.applicant_id,
        name=(_("办理结果：%(item)s") % {"item": case.item.name})[:200],
        source=MaterialEntrySource.RESULT,
        trust_level=TrustLevel.A,
        case=case,
        file=name,
        original_name=f"{case.number}.pdf",
        content_type="application/pdf",
        size=size,
        sha256=case.result_sha256,
    )


def on_case_event(sender: Any, *, case: Case, event: Any, **kwargs: Any) -> None:
    """``case_event_recorded`` receiver."""
    if event.event_type in CAPTURED_EVENTS:
        capture_case_materials(case)


def on_case_completed(sender: Any, *, case: Case, **kwargs: Any) -> None:
    """``case_completed`` receiver."""
    capture_case_result(case)
