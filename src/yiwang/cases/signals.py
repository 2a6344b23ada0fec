"""Signals other contexts listen to instead of reaching into case tables.

``case_completed`` is sent inside the transaction that moves a case to ``completed`` (办结), after its
event is recorded, with ``case`` and ``actor`` (``None`` for automatic decisions).  Receivers that do
slow work (issuing a licence, building the archive package) should enqueue a task with
``transaction.on_commit`` so a failure there never undoes the completion.
"""

from django.dispatch import Signal

case_completed = Signal()
