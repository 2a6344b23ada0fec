"""The audit trail becomes keyed and append-only in the database itself (issue #19).

* ``hash_version``: rows already written keep their SHA-256 link (version 1, verified as such);
  new rows are linked with HMAC-SM3 under ``YIWANG_AUDIT_KEY`` (version 2).  No row is rewritten.
* Triggers refuse UPDATE and DELETE of audit rows (and TRUNCATE on PostgreSQL), and refuse moving
  the chain head back or deleting it.  Only a session switched to maintenance may delete or
  truncate: on PostgreSQL ``SET yiwang.audit_maintenance = 'on'``, on SQLite the connection-local
  SQL function ``yiwang_audit_maintenance()`` returning 1 (``yiwang.core.audit_guard``).  Only the
  test runner's sessions switch it on (Django empties the tables between transactional tests);
  a connection without the function (the ``sqlite3`` shell) is refused outright.

SQLite drops a table's triggers when a migration rebuilds the table: a later migration that alters
``AuditEvent`` or ``AuditChainHead`` must run ``SQLITE_TRIGGERS`` again (the test
``test_audit_guard`` fails otherwise).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations, models

POSTGRESQL_INSTALL = """
CREATE OR REPLACE FUNCTION yiwang_audit_maintenance() RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT coalesce(current_setting('yiwang.audit_maintenance', true), '') = 'on'
$$;
CREATE OR REPLACE FUNCTION yiwang_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'TRUNCATE') AND yiwang_audit_maintenance() THEN
        IF TG_LEVEL = 'ROW' THEN RETURN OLD; END IF;
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE OR REPLACE FUNCTION yiwang_audit_head_forward() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.id <> OLD.id OR NEW.last_sequence < OLD.last_sequence THEN
            RAISE EXCEPTION 'audit chain head never moves back (% -> %)', OLD.last_sequence, NEW.last_sequence
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
    END IF;
    IF yiwang_audit_maintenance() THEN
        IF TG_LEVEL = 'ROW' THEN RETURN OLD; END IF;
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit chain head: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER core_auditevent_append_only BEFORE UPDATE OR DELETE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION yiwang_audit_append_only();
CREATE TRIGGER core_auditevent_no_truncate BEFORE TRUNCATE ON core_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION yiwang_audit_append_only();
CREATE TRIGGER core_auditchainhead_forward BEFORE UPDATE OR DELETE ON core_auditchainhead
    FOR EACH ROW EXECUTE FUNCTION yiwang_audit_head_forward();
CREATE TRIGGER core_auditchainhead_no_truncate BEFORE TRUNCATE ON core_auditchainhead
    FOR EACH STATEMENT EXECUTE FUNCTION yiwang_audit_head_forward();
"""

POSTGRESQL_REMOVE = """
DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent;
DROP TRIGGER IF EXISTS core_auditevent_no_truncate ON core_auditevent;
DROP TRIGGER IF EXISTS core_auditchainhead_forward ON core_auditchainhead;
DROP TRIGGER IF EXISTS core_auditchainhead_no_truncate ON core_auditchainhead;
DROP FUNCTION IF EXISTS yiwang_audit_append_only();
DROP FUNCTION IF EXISTS yiwang_audit_head_forward();
DROP FUNCTION IF EXISTS yiwang_audit_maintenance();
"""

SQLITE_TRIGGERS = [
    """CREATE TRIGGER IF NOT EXISTS core_auditevent_no_update BEFORE UPDATE ON core_auditevent
    BEGIN SELECT RAISE(ABORT, 'audit trail is append-only: UPDATE on core_auditevent refused'); END""",
    """CREATE TRIGGER IF NOT EXISTS core_auditevent_no_delete BEFORE DELETE ON core_auditevent
    WHEN coalesce(yiwang_audit_maintenance(), 0) = 0
    BEGIN SELECT RAISE(ABORT, 'audit trail is append-only: DELETE on core_auditevent refused'); END""",
    """CREATE TRIGGER IF NOT EXISTS core_auditchainhead_forward BEFORE UPDATE ON core_auditchainhead
    WHEN NEW.last_sequence < OLD.last_sequence OR NEW.id <> OLD.id
    BEGIN SELECT RAISE(ABORT, 'audit chain head never moves back'); END""",
    """CREATE TRIGGER IF NOT EXISTS core_auditchainhead_no_delete BEFORE DELETE ON core_auditchainhead
    WHEN coalesce(yiwang_audit_maintenance(), 0) = 0
    BEGIN SELECT RAISE(ABORT, 'audit chain head: DELETE refused'); END""",
]
SQLITE_TRIGGER_NAMES = [
    "core_auditevent_no_update",
    "core_auditevent_no_delete",
    "core_auditchainhead_forward",
    "core_auditchainhead_no_delete",
]


def install(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_INSTALL, params=None)  # the % of RAISE are not placeholders
    elif vendor == "sqlite":
        for statement in SQLITE_TRIGGERS:
            schema_editor.execute(statement)


def remove(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_REMOVE)
    elif vendor == "sqlite":
        for name in SQLITE_TRIGGER_NAMES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("core", "0002_personal_data_access")]

    operations = [
        # Existing rows are version 1 (SHA-256); the default for new rows is then 2 (HMAC-SM3).
        migrations.AddField(
            model_name="auditevent",
            name="hash_version",
            field=models.PositiveSmallIntegerField(default=1),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="hash_version",
            field=models.PositiveSmallIntegerField(default=2),
        ),
        migrations.RunPython(install, remove, elidable=False),
    ]
