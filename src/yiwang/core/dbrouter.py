"""读写分离 Read routing to a PostgreSQL replica (enabled when ``DATABASE_REPLICA_URL`` is set).

Only reads that tolerate replication lag go to the replica: the models behind reports, statistics
and catalogue search (published items, their materials, organisations, regions, themes and
synonyms).  Everything else — and every read inside a transaction, or of a model another request
may just have written (cases, accounts, sessions, tasks) — stays on the primary.  Writes always go
to the primary; migrations run on the primary only (the replica follows by streaming replication).
"""

from __future__ import annotations

from typing import Any

from django.db import connections, transaction

REPLICA = "replica"
# app_label.model_name (lower case) read from the replica.
REPLICA_READ_MODELS = frozenset(
    {
        "catalog.serviceitem",
        "catalog.material",
        "catalog.feeitem",
        "catalog.baseitem",
        "catalog.itemtheme",
        "catalog.synonym",
        "catalog.bundle",
        "catalog.bundlemember",
        "catalog.scenarioquestion",
        "catalog.scenariooption",
        "catalog.scenariocondition",
        "core.organisation",
        "core.region",
    }
)


class ReplicaRouter:
    """Django database router: catalogue and report reads from ``replica``, the rest to ``default``."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        if REPLICA not in connections.databases:
            return None
        if model._meta.label_lower not in REPLICA_READ_MODELS:
            return "default"
        # Inside a transaction on the primary (a service function) read what it writes.
        if transaction.get_connection("default").in_atomic_block:
            return "default"
        return REPLICA

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == "default"
