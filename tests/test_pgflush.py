"""The PostgreSQL test flush (``yiwang.testing.pgflush``): DELETE with the foreign keys deferred
empties every table, which needs every foreign key to be deferrable."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from yiwang.core import audit
from yiwang.core.models import AuditEvent, Organisation
from yiwang.testing.portal import make_department

pytestmark = pytest.mark.django_db(transaction=True)


def _postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")


def test_every_foreign_key_is_deferrable() -> None:
    _postgresql()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname FROM pg_constraint "
            "WHERE contype = 'f' AND NOT condeferrable"
        )
        assert cursor.fetchall() == []


def test_the_flush_empties_tables_with_rows_that_refer_to_each_other() -> None:
    _postgresql()
    department = make_department()
    audit.record("test.flush", obj=department)
    assert Organisation.objects.exists() and AuditEvent.objects.exists()
    call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
    assert not Organisation.objects.exists() and not AuditEvent.objects.exists()
