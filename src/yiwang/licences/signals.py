"""Receivers: a case completed (办结) with approval yields its e-licence after the commit."""

from __future__ import annotations

from typing import Any

from django.db import transaction


def on_case_completed(sender: Any, case: Any, actor: Any = None, **kwargs: Any) -> None:
    """Enqueue the licence issuance once the completion is committed (nothing on a rollback)."""
    if case.outcome != "approved" or not getattr(case.item, "result_licence_type_code", ""):
        return
    from yiwang.licences.tasks import issue_case_licence

    case_id = case.pk
    transaction.on_commit(lambda: issue_case_licence.enqueue(case_id))
