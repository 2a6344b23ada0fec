# Personal data encrypted at rest (yiwang.core.protected, docs/security.md): the applicant's ID
# number and phone, the form data, delivery addresses and phones become ciphertext.  None of them is
# searched in SQL, so no digest columns.  The columns widen to text, then the existing rows are
# encrypted in batches (raw SQL, resumable; the reverse decrypts).

from django.db import migrations

import yiwang.core.protected
from yiwang.core.protected_migrations import encrypt_columns

P = yiwang.core.protected


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0013_held_uploads"),
        ("core", "0004_data_keys"),
    ]

    operations = [
        migrations.AlterField(
            "bundleapplication", "applicant_id_number", P.ProtectedCharField(max_length=18)
        ),
        migrations.AlterField(
            "bundleapplication", "delivery_address", P.ProtectedCharField(blank=True, max_length=300)
        ),
        migrations.AlterField(
            "bundleapplication",
            "form_data",
            P.ProtectedJSONField(default=dict, help_text="合并表单的填写内容"),
        ),
        migrations.AlterField("case", "applicant_id_number", P.ProtectedCharField(max_length=18)),
        migrations.AlterField("case", "applicant_phone", P.ProtectedCharField(blank=True, max_length=11)),
        migrations.AlterField("case", "form_data", P.ProtectedJSONField(default=dict)),
        migrations.AlterField(
            "casedelivery",
            "address",
            P.ProtectedCharField(blank=True, help_text="快递送达地址", max_length=300),
        ),
        migrations.AlterField(
            "casedelivery", "recipient_phone", P.ProtectedCharField(blank=True, max_length=11)
        ),
        migrations.RunPython(
            *encrypt_columns(
                "cases", "bundleapplication", ["applicant_id_number", "delivery_address", "form_data"]
            ),
            elidable=False,
        ),
        migrations.RunPython(
            *encrypt_columns("cases", "case", ["applicant_id_number", "applicant_phone", "form_data"]),
            elidable=False,
        ),
        migrations.RunPython(
            *encrypt_columns("cases", "casedelivery", ["address", "recipient_phone"]), elidable=False
        ),
    ]
