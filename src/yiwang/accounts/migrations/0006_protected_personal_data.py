# Personal data encrypted at rest (yiwang.core.protected, docs/security.md): phones and ID numbers
# become ciphertext; exact-match lookups and the unique rules move to the HMAC-SM3 digest columns.
# Order: add the digest columns (no index yet), widen the columns to text, encrypt the existing rows
# in batches (raw SQL, resumable), then index the digests and move the constraints to them.

from django.db import migrations, models

import yiwang.core.protected
from yiwang.core.protected_migrations import encrypt_columns


def _digest(**kwargs):
    return yiwang.core.protected.DigestField(**kwargs)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_inbox_occurred_at"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("core", "0004_data_keys"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="user", name="accounts_user_unique_applicant_phone"),
        migrations.RemoveIndex(model_name="smsverificationcode", name="accounts_sm_phone_a0488c_idx"),
        migrations.AddField(
            "naturalperson", "id_number_digest", _digest(canonical="id_number", source="id_number")
        ),
        migrations.AddField("smsoutboxmessage", "phone_digest", _digest(canonical="phone", source="phone")),
        migrations.AddField(
            "smsverificationcode", "phone_digest", _digest(canonical="phone", source="phone")
        ),
        migrations.AddField("user", "phone_digest", _digest(canonical="phone", source="phone")),
        migrations.AlterField(
            "naturalperson",
            "id_number",
            yiwang.core.protected.ProtectedCharField(help_text="公民身份号码 GB 11643", max_length=18),
        ),
        migrations.AlterField(
            "smsoutboxmessage", "phone", yiwang.core.protected.ProtectedCharField(max_length=11)
        ),
        migrations.AlterField(
            "smsverificationcode", "phone", yiwang.core.protected.ProtectedCharField(max_length=11)
        ),
        migrations.AlterField(
            "user", "phone", yiwang.core.protected.ProtectedCharField(blank=True, max_length=11)
        ),
        migrations.RunPython(*encrypt_columns("accounts", "user", ["phone"]), elidable=False),
        migrations.RunPython(*encrypt_columns("accounts", "naturalperson", ["id_number"]), elidable=False),
        migrations.RunPython(*encrypt_columns("accounts", "smsverificationcode", ["phone"]), elidable=False),
        migrations.RunPython(*encrypt_columns("accounts", "smsoutboxmessage", ["phone"]), elidable=False),
        migrations.AlterField(
            "naturalperson",
            "id_number_digest",
            _digest(canonical="id_number", source="id_number", unique=True),
        ),
        migrations.AlterField(
            "smsoutboxmessage", "phone_digest", _digest(canonical="phone", db_index=True, source="phone")
        ),
        migrations.AlterField(
            "user", "phone_digest", _digest(canonical="phone", db_index=True, source="phone")
        ),
        migrations.AddIndex(
            model_name="smsverificationcode",
            index=models.Index(
                fields=["phone_digest", "purpose", "created_at"], name="accounts_sm_phone_d_d9c11f_idx"
            ),
        ),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    models.Q(("phone_digest", ""), _negated=True), models.Q(("kind", "staff"), _negated=True)
                ),
                fields=("phone_digest",),
                name="accounts_user_unique_applicant_phone",
            ),
        ),
    ]
