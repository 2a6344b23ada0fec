"""Migrate today's JSON forms: every item's (and revision's) ``form_fields`` becomes a Form.io
definition (``form_definition``), and ``form_fields`` is derived from it again."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def forwards(apps: Any, schema_editor: Any) -> None:
    from yiwang.catalog.forms import flatten, from_legacy

    ServiceItem = apps.get_model("catalog", "ServiceItem")
    batch = []
    for item in (
        ServiceItem.objects.filter(form_definition={}).only("pk", "form_fields").iterator(chunk_size=500)
    ):
        definition = from_legacy(item.form_fields or [])
        item.form_definition = definition
        item.form_fields = flatten(definition)
        batch.append(item)
        if len(batch) >= 500:
            ServiceItem.objects.bulk_update(batch, ["form_definition", "form_fields"])
            batch = []
    if batch:
        ServiceItem.objects.bulk_update(batch, ["form_definition", "form_fields"])


class Migration(migrations.Migration):
    dependencies = [("catalog", "0013_service_item_form_definition")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
