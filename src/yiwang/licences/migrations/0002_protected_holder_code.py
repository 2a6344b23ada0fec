# The holder's ID number or credit code encrypted at rest (yiwang.core.protected, docs/security.md);
# lookups by holder move to the HMAC-SM3 digest column.  Add the digest (unindexed), widen the column,
# encrypt the existing rows in batches (raw SQL, resumable), then index the digests.

from django.db import migrations, models

import yiwang.core.protected
from yiwang.core.protected_migrations import encrypt_columns

P = yiwang.core.protected


class Migration(migrations.Migration):
    dependencies = [
        ("licences", "0001_initial"),
        ("core", "0004_data_keys"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="licence", name="licences_li_licence_45a48d_idx"),
        migrations.AddField(
            "licence", "holder_code_digest", P.DigestField(canonical="code", source="holder_code")
        ),
        migrations.AddField(
            "licenceuseconsent", "holder_code_digest", P.DigestField(canonical="code", source="holder_code")
        ),
        migrations.AlterField("licence", "holder_code", P.ProtectedCharField(max_length=40)),
        migrations.AlterField("licenceuseconsent", "holder_code", P.ProtectedCharField(max_length=40)),
        migrations.RunPython(*encrypt_columns("licences", "licence", ["holder_code"]), elidable=False),
        migrations.RunPython(
            *encrypt_columns("licences", "licenceuseconsent", ["holder_code"]), elidable=False
        ),
        migrations.AlterField(
            "licence",
            "holder_code_digest",
            P.DigestField(canonical="code", db_index=True, source="holder_code"),
        ),
        migrations.AlterField(
            "licenceuseconsent",
            "holder_code_digest",
            P.DigestField(canonical="code", db_index=True, source="holder_code"),
        ),
        migrations.AddIndex(
            model_name="licence",
            index=models.Index(
                fields=["licence_type", "holder_code_digest"], name="licences_li_licence_547d8f_idx"
            ),
        ),
    ]
