"""预计时限 When an official holiday schedule is entered, recompute the deadlines counted without it.

A case accepted while a year's schedule was not yet published has its deadlines counted on the
statutory rule and marked ``deadline_provisional`` (:mod:`yiwang.cases.clock`).  Saving a
:class:`~yiwang.core.models.CalendarYear` (the admin's import, ``load_calendar``, the admin site)
enqueues :func:`yiwang.cases.tasks.recompute_provisional_deadlines` after commit.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save

from yiwang.cases.models import Case
from yiwang.cases.tasks import recompute_provisional_deadlines
from yiwang.core.models import CalendarYear


def _on_calendar_year_saved(sender: type, instance: CalendarYear, **kwargs: Any) -> None:
    year = int(instance.year)
    if not Case.objects.filter(deadline_provisional=True).exists():
        return  # nothing counted provisionally (seeding years a package already has)
    transaction.on_commit(lambda: recompute_provisional_deadlines.enqueue([year]), using=kwargs.get("using"))


def connect() -> None:
    post_save.connect(
        _on_calendar_year_saved, sender=CalendarYear, dispatch_uid="cases.provisional.calendar_year"
    )
