"""The database's refusal to change the audit trail, and the one session switch around it.

Migration ``core.0003`` installs triggers that refuse UPDATE and DELETE of ``AuditEvent`` rows
(TRUNCATE too on PostgreSQL) and refuse moving ``AuditChainHead`` back or deleting it.  Django's
test runner empties every table between transactional tests (SQLite with DELETE, PostgreSQL with
TRUNCATE), so a *maintenance* session may delete and truncate (never update):

* PostgreSQL: the session setting ``yiwang.audit_maintenance = 'on'``;
* SQLite: the SQL function ``yiwang_audit_maintenance()``, registered on every Django connection,
  returning 1 for this connection only.  A connection without it (the ``sqlite3`` shell) is refused.

Only the test profile's connections are switched on (``YIWANG_AUDIT_MAINTENANCE_SESSIONS``, never
read from the environment).  Someone who owns the database can still drop the triggers; that is
what the keyed chain and the checkpoints outside the database (``audit_checkpoints``) detect.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created

_FLAG = "_yiwang_audit_maintenance"


def set_maintenance(connection: BaseDatabaseWrapper, on: bool) -> None:
    """Switch this database session's permission to delete/truncate the audit tables."""
    setattr(connection, _FLAG, on)
    if connection.vendor == "postgresql" and connection.connection is not None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('yiwang.audit_maintenance', %s, false)", ["on" if on else "off"]
            )


def _on_connection_created(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "yiwang_audit_maintenance", 0, lambda: 1 if getattr(connection, _FLAG, False) else 0
        )
    if getattr(settings, "YIWANG_AUDIT_MAINTENANCE_SESSIONS", False):
        set_maintenance(connection, True)


def connect() -> None:
    """Called once from ``CoreConfig.ready``."""
    connection_created.connect(_on_connection_created, dispatch_uid="yiwang.core.audit_guard")
