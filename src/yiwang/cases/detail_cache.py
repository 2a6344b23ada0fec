"""Case detail snapshots (办件详情快照): serve a case's rendered detail again until anything in it changes.

An applicant reloads his case's page, a clerk opens the same case several times while handling it:
the detail with its timeline is read far more often than it changes, and rendering it (five reads,
~60 columns, model instances, labels, URLs) costs several times more than the read that proves a
stored rendering is still right.

Correctness rests on the database, not on every code path remembering to invalidate:

* **Revision.**  Triggers (:func:`install_triggers`, run after every ``migrate``) raise
  ``CaseDetailSnapshot.revision`` of a case in the same transaction as any insert, update or delete
  of the case row or of a row its detail shows — events, materials, correction notices, documents,
  delivery, special procedures, extensions — whether the change comes from a service, a queryset
  ``update()``, a migration or SQL typed by hand.
* **Compare and set.**  A reader reads the revision in the same statement as the case (and its
  visibility columns), renders from later reads, and stores the body only ``WHERE revision`` is still
  what it read (an upsert with a condition): a change committed meanwhile makes the stored body
  stale at once, and a change still uncommitted holds the row lock the upsert waits for.
* **Stamp.**  What the body shows besides the case's own rows: the language, the day (due-soon,
  overdue and working days left move with the date), the holiday calendar (a digest of the years
  around today as this process has them cached), the URL prefix, the item's and department's
  names, and :data:`FORMAT`.  A body is served only under the stamp it was built with.

Visibility is checked on every request from the same statement's columns, by the same rule as
:func:`yiwang.cases.services.visible_cases` (``tests/test_detail_snapshots.py`` checks both agree).
Cases with extensions (延长) show the current names of the staff who asked and decided, which live in
another table; their detail is never stored.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model
from django.http import HttpResponse
from django.urls import get_script_prefix
from django.utils import timezone, translation

from yiwang.accounts import staff as staff_scope
from yiwang.accounts.models import AccountKind, User
from yiwang.cases.models import (
    Case,
    CaseDelivery,
    CaseDetailSnapshot,
    CaseDocument,
    CaseEvent,
    CaseExtension,
    CaseMaterial,
    CorrectionNotice,
    SpecialProcedure,
)
from yiwang.catalog.models import ServiceItem
from yiwang.core.calendar import calendar_fingerprint
from yiwang.core.errors import NotFound
from yiwang.core.keyring import ProtectedDataError, decrypt_text, encrypt_text
from yiwang.core.models import Organisation

logger = logging.getLogger(__name__)

# Raise when the detail body changes shape (fields, labels, URLs): every stored body then misses once.
FORMAT = "1"

# Tables whose rows (by their ``case_id``) appear in a case's detail.
CHILD_MODELS: tuple[type[Model], ...] = (
    CaseEvent,
    CaseMaterial,
    CorrectionNotice,
    CaseDocument,
    CaseDelivery,
    SpecialProcedure,
    CaseExtension,
)
TRIGGER_PREFIX = "yiwang_detail_"
NEW_CASE_SETTING = "yiwang.detail_new_case"
CONTENT_TYPE = "application/json"


def _table(model: type[Model]) -> str:
    return model._meta.db_table


SNAPSHOTS = _table(CaseDetailSnapshot)


def _bump(target: str) -> str:
    """SQL raising the revision of case ``target`` (creating its row), and dropping a stale body."""
    return (
        f"INSERT INTO {SNAPSHOTS} (case_id, revision, built_revision, stamp, built_on, body) "  # noqa: S608
        f"VALUES ({target}, 1, -1, '', NULL, '') ON CONFLICT (case_id) DO UPDATE SET "
        f"revision = {SNAPSHOTS}.revision + 1, built_revision = -1, stamp = '', body = ''"
    )


def _sqlite_triggers() -> list[str]:
    statements = []
    for model in CHILD_MODELS:
        table = _table(model)
        for operation, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
            statements.append(
                f"CREATE TRIGGER IF NOT EXISTS {TRIGGER_PREFIX}{table}_{operation.lower()} "
                f"AFTER {operation} ON {table} FOR EACH ROW WHEN {row}.case_id IS NOT NULL "
                f"BEGIN {_bump(f'{row}.case_id')}; END"
            )
        # A row moved to another case (never done today, but cheap to get right) changes both.
        statements.append(
            f"CREATE TRIGGER IF NOT EXISTS {TRIGGER_PREFIX}{table}_move "
            f"AFTER UPDATE ON {table} FOR EACH ROW "
            f"WHEN OLD.case_id IS NOT NULL AND OLD.case_id IS NOT NEW.case_id "
            f"BEGIN {_bump('OLD.case_id')}; END"
        )
    case_table = _table(Case)
    statements.append(
        f"CREATE TRIGGER IF NOT EXISTS {TRIGGER_PREFIX}{case_table}_update "
        f"AFTER UPDATE ON {case_table} FOR EACH ROW BEGIN {_bump('NEW.id')}; END"
    )
    return statements


def _postgresql_triggers() -> list[str]:
    statements = [
        # A case inserted by this very transaction is invisible to every reader until it commits,
        # so nothing can have been stored for it: its filing (number, delivery, first event) skips
        # the bumps.  Only the last inserted case is remembered, for this transaction only.
        f"""CREATE OR REPLACE FUNCTION {TRIGGER_PREFIX}bump(target bigint) RETURNS void
        LANGUAGE plpgsql AS $$
        BEGIN
            IF target::text = current_setting('{NEW_CASE_SETTING}', true) THEN RETURN; END IF;
            {_bump("target")};
        END $$""",
        f"""CREATE OR REPLACE FUNCTION {TRIGGER_PREFIX}case_created() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN PERFORM set_config('{NEW_CASE_SETTING}', NEW.id::text, true); RETURN NULL; END $$""",
        f"""CREATE OR REPLACE FUNCTION {TRIGGER_PREFIX}child_changed() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                IF NEW.case_id IS NOT NULL THEN PERFORM {TRIGGER_PREFIX}bump(NEW.case_id); END IF;
            ELSIF TG_OP = 'DELETE' THEN
                IF OLD.case_id IS NOT NULL THEN PERFORM {TRIGGER_PREFIX}bump(OLD.case_id); END IF;
            ELSE
                IF NEW.case_id IS NOT NULL THEN PERFORM {TRIGGER_PREFIX}bump(NEW.case_id); END IF;
                IF OLD.case_id IS NOT NULL AND OLD.case_id IS DISTINCT FROM NEW.case_id THEN
                    PERFORM {TRIGGER_PREFIX}bump(OLD.case_id);
                END IF;
            END IF;
            RETURN NULL;
        END $$""",
        f"""CREATE OR REPLACE FUNCTION {TRIGGER_PREFIX}case_changed() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN PERFORM {TRIGGER_PREFIX}bump(NEW.id); RETURN NULL; END $$""",
    ]
    for model in CHILD_MODELS:
        table = _table(model)
        statements.append(
            f"CREATE OR REPLACE TRIGGER {TRIGGER_PREFIX}{table} AFTER INSERT OR UPDATE OR DELETE "
            f"ON {table} FOR EACH ROW EXECUTE FUNCTION {TRIGGER_PREFIX}child_changed()"
        )
    case_table = _table(Case)
    statements.append(
        f"CREATE OR REPLACE TRIGGER {TRIGGER_PREFIX}{case_table} AFTER UPDATE ON {case_table} "
        f"FOR EACH ROW EXECUTE FUNCTION {TRIGGER_PREFIX}case_changed()"
    )
    statements.append(
        f"CREATE OR REPLACE TRIGGER {TRIGGER_PREFIX}{case_table}_insert AFTER INSERT ON {case_table} "
        f"FOR EACH ROW EXECUTE FUNCTION {TRIGGER_PREFIX}case_created()"
    )
    return statements


def installed_triggers(connection: BaseDatabaseWrapper) -> set[tuple[str, str]]:
    """The snapshot triggers present in the database, as (name, table)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT DISTINCT trigger_name, event_object_table FROM information_schema.triggers "
                "WHERE trigger_name LIKE %s",
                [f"{TRIGGER_PREFIX}%"],
            )
        else:
            cursor.execute(
                "SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                [f"{TRIGGER_PREFIX}%"],
            )
        return {(name, table) for name, table in cursor.fetchall()}


def install_triggers(connection: BaseDatabaseWrapper | None = None) -> None:
    """Create (or replace) the triggers; idempotent, run after every ``migrate``.

    SQLite rebuilds a table for many schema changes and drops its triggers with it, so installing
    them once in a migration would not do."""
    connection = connection or connections[DEFAULT_DB_ALIAS]
    if connection.vendor == "postgresql":
        statements = _postgresql_triggers()
    elif connection.vendor == "sqlite":
        statements = _sqlite_triggers()
    else:  # pragma: no cover - the platform runs on SQLite and PostgreSQL only
        raise NotImplementedError(connection.vendor)
    with transaction.atomic(using=connection.alias):
        drop_triggers(connection)  # also any an earlier version installed and this one does not
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def drop_triggers(connection: BaseDatabaseWrapper | None = None) -> None:
    """Remove the triggers (a bulk load of new cases, which have no snapshot, runs without them)."""
    connection = connection or connections[DEFAULT_DB_ALIAS]
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for name, table in installed_triggers(connection):
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


@contextmanager
def triggers_suspended(connection: BaseDatabaseWrapper | None = None) -> Iterator[None]:
    """For bulk loads of *new* cases only: no stored body can exist for them."""
    connection = connection or connections[DEFAULT_DB_ALIAS]
    drop_triggers(connection)
    try:
        yield
    finally:
        install_triggers(connection)


def on_post_migrate(sender: Any, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    if getattr(sender, "label", None) == "cases":
        install_triggers(connections[using])


# --- reading ---------------------------------------------------------------------------------------
def _probe_sql() -> str:
    case, item, organisation = _table(Case), _table(ServiceItem), _table(Organisation)
    return (
        "SELECT c.id, c.applicant_id, c.acting_agent_id, c.handling_organisation_id, i.name, o.name, "  # noqa: S608
        "s.revision, s.built_revision, s.stamp, s.body "
        f"FROM {case} c JOIN {item} i ON i.id = c.item_id "
        f"JOIN {organisation} o ON o.id = c.handling_organisation_id "
        f"LEFT JOIN {SNAPSHOTS} s ON s.case_id = c.id WHERE c.public_id = %s"
    )


_PROBE = _probe_sql()
_UPSERT_TAIL = (
    " ON CONFLICT (case_id) DO UPDATE SET "
    "built_revision = excluded.built_revision, stamp = excluded.stamp, built_on = excluded.built_on, "
    f"body = excluded.body WHERE {SNAPSHOTS}.revision = excluded.revision"
)
_STORE = {
    "sqlite": (
        f"INSERT INTO {SNAPSHOTS} (case_id, revision, built_revision, stamp, built_on, body) "  # noqa: S608
        f"VALUES (%s, %s, %s, %s, %s, %s){_UPSERT_TAIL}"
    ),
    # Not for a case inserted by the reader's own transaction: its changes skip the bumps.
    "postgresql": (
        f"INSERT INTO {SNAPSHOTS} (case_id, revision, built_revision, stamp, built_on, body) "
        "SELECT %s, %s, %s, %s, %s, %s "
        f"WHERE COALESCE(current_setting('{NEW_CASE_SETTING}', true), '') <> %s{_UPSERT_TAIL}"
    ),
}
_PUBLIC_ID = Case._meta.get_field("public_id")


def may_see(user: User, applicant_id: int | None, agent_id: int | None, organisation_id: int) -> bool:
    """:func:`yiwang.cases.services.visible_cases` for one case's columns."""
    if not user.is_authenticated:
        return False
    if user.kind == AccountKind.STAFF:
        if user.is_superuser:
            return True
        if not hasattr(user, "staff_profile"):
            return False
        return staff_scope.in_scope(user, organisation_id)
    return user.pk is not None and user.pk in (applicant_id, agent_id)


def stamp_for(item_name: str, organisation_name: str, today: date | None = None) -> str:
    """What a body shows besides the case's own rows, as a short digest.

    The calendar part covers last year to next year as this process has them cached (working days
    left and overdue counts run between today and the due date); another process that has already
    reloaded a changed calendar computes another stamp and renders afresh."""
    day = today or timezone.localdate()
    parts = (
        FORMAT,
        translation.get_language() or "",
        day.isoformat(),
        calendar_fingerprint(range(day.year - 1, day.year + 2)),
        get_script_prefix(),
        item_name,
        organisation_name,
    )
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=16).hexdigest()


# ``build()`` → (body, may be stored)
Builder = Callable[[], tuple[bytes, bool]]


def detail_response(user: User, case_public_id: Any, build: Builder) -> HttpResponse:
    """The case's detail for ``user``: the stored body when it is current, else ``build()``'s."""
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        key = _PUBLIC_ID.get_db_prep_value(case_public_id, connection, prepared=False)
    except (TypeError, ValueError, AttributeError) as exc:
        raise NotFound("办件不存在") from exc
    with connection.cursor() as cursor:
        cursor.execute(_PROBE, [key])
        row = cursor.fetchone()
    if row is None or not may_see(user, row[1], row[2], row[3]):
        raise NotFound("办件不存在")
    case_id, _applicant, _agent, _organisation, item_name, organisation_name, revision, built, stamp, body = (
        row
    )
    revision = revision or 0
    wanted = stamp_for(item_name, organisation_name)
    if body and built == revision and stamp == wanted:
        try:
            # The body shows personal data: stored encrypted like the columns it comes from.
            return HttpResponse(decrypt_text(body), content_type=CONTENT_TYPE)
        except ProtectedDataError:
            logger.warning("case detail snapshot of case %s unreadable; rebuilt", case_id)
    content, storable = build()
    if storable:
        _store(connection, case_id, revision, wanted, encrypt_text(content.decode()))
    return HttpResponse(content, content_type=CONTENT_TYPE)


def _store(connection: BaseDatabaseWrapper, case_id: int, revision: int, stamp: str, body: str) -> None:
    try:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # A lost snapshot costs one rebuild: no need to wait for the WAL flush.
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
            params: list[Any] = [case_id, revision, revision, stamp, timezone.localdate(), body]
            if connection.vendor == "postgresql":
                params.append(str(case_id))
            cursor.execute(_STORE[connection.vendor], params)
    except DatabaseError:
        # e.g. SQLite busy with a writer: the reader has its answer; the next one stores it.
        logger.warning("case detail snapshot of case %s not stored", case_id, exc_info=True)


def clear_old_bodies(today: date | None = None) -> int:
    """Drop bodies built before ``today`` (they can no longer be served); rows and revisions stay.

    Rows are never deleted: a reader holding a revision must find it raised by any later change."""
    day = today or timezone.localdate()
    return CaseDetailSnapshot.objects.filter(built_on__lt=day).update(
        built_revision=-1, stamp="", body="", built_on=None
    )
