"""Signals other contexts listen to instead of reaching into case tables.

``case_completed`` is sent inside the transaction that moves a case to ``completed`` (办结), after its
event is recorded, with ``case`` and ``actor`` (``None`` for automatic decisions).  Receivers that do
slow work (issuing a licence, building the archive package) should enqueue a task with
``transaction.on_commit`` so a failure there never undoes the completion.

``case_event_recorded`` is sent inside the transaction of every case transition, right after its
:class:`~yiwang.cases.models.CaseEvent` is written (``yiwang.cases.transitions.record_event``), with
``case`` and ``event``.  Receivers run on the hot path of every transition: they must be cheap (a
few indexed statements; supervision's event-time checks budget < 2 ms) and defer slow work with
``transaction.on_commit``.
"""

from django.dispatch import Signal

case_completed = Signal()
case_event_recorded = Signal()
