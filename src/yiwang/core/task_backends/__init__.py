"""Background work across nodes (issue 26): node locks, the broker-backed task backend, probe tasks.

* :mod:`.locks` — a lock held for the life of a process: a PostgreSQL session advisory lock on a
  connection of its own (released by the server the moment the process dies, on any node), or a file
  lock on SQLite (one host).  The scheduler elects its leader with it; each task worker holds one
  under its worker id, so another worker can tell a dead worker's tasks from a live one's.
* :mod:`.rq` — the optional Redis backend (``YIWANG_TASK_BACKEND=rq``): django-tasks-rq on RQ, with
  retries so that a job abandoned by a killed worker runs again, and its worker.
* :mod:`.probe` — tasks with a counted, idempotent effect, used by the multi-worker tests.
"""
