# The licence's holder data and its signed record hold the holder's personal data (ID number, name,
# address…): encrypted at rest like the other personal data (yiwang.core.protected,
# docs/security.md).  The record is decrypted to exactly the text that was signed, so signatures
# still verify.  Existing rows are encrypted in batches (resumable, reversible).

from django.db import migrations

import yiwang.core.protected
from yiwang.core.protected_migrations import encrypt_columns

P = yiwang.core.protected


class Migration(migrations.Migration):
    dependencies = [
        ("licences", "0002_protected_holder_code"),
    ]

    operations = [
        migrations.AlterField("licence", "data", P.ProtectedJSONField(default=dict)),
        migrations.AlterField(
            "licence",
            "record_json",
            P.ProtectedTextField(help_text="the canonical JSON that was signed"),
        ),
        migrations.RunPython(*encrypt_columns("licences", "licence", ["data", "record_json"]), elidable=False),
    ]
