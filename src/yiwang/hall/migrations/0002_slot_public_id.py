"""Appointment slots get a public UUID (public ids are UUIDs; the API and pages name slots by it)."""

import uuid

from django.db import migrations, models


def fill_public_ids(apps, schema_editor):
    AppointmentSlot = apps.get_model("hall", "AppointmentSlot")
    for slot in AppointmentSlot.objects.filter(public_id__isnull=True).only("pk").iterator():
        slot.public_id = uuid.uuid4()
        slot.save(update_fields=["public_id"])


class Migration(migrations.Migration):
    dependencies = [("hall", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="appointmentslot", name="public_id", field=models.UUIDField(null=True, editable=False)
        ),
        migrations.RunPython(fill_public_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="appointmentslot",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
