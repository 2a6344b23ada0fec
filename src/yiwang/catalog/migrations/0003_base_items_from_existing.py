"""Data migration: one base item (基本目录) per distinct base code of the existing items, linked.

The first item (lowest id) of each base code gives the base item its name, type, legal basis and
level; items that differ from it show up in the consistency report (四级四同) instead of being
changed silently.  The codes already in use go into the code register so they are never reused.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    ServiceItem = apps.get_model("catalog", "ServiceItem")
    BaseItem = apps.get_model("catalog", "BaseItem")
    IssuedCode = apps.get_model("catalog", "IssuedCode")
    first_by_code = {}
    for item in ServiceItem.objects.order_by("pk").iterator():
        first_by_code.setdefault(item.base_code, item)
    for code, item in first_by_code.items():
        base, _ = BaseItem.objects.get_or_create(
            code=code,
            defaults={
                "name": item.name,
                "item_type": item.item_type,
                "legal_basis": item.legal_basis,
                "exercise_level": item.exercise_level,
                "statutory_limit_days": None,
            },
        )
        ServiceItem.objects.filter(base_code=code, base_item__isnull=True).update(base_item=base)
        # The register keeps base codes in their 12-character padded form (docs/catalogue-coding.md).
        IssuedCode.objects.get_or_create(
            kind="base", code=code.rjust(12, "0"), defaults={"owner_public_id": base.public_id}
        )
    for item in ServiceItem.objects.filter(version__gt=0, revision_of__isnull=True).iterator():
        IssuedCode.objects.get_or_create(
            kind="implementation",
            code=item.implementation_code,
            defaults={"owner_public_id": item.public_id},
        )


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_governance_base_items_versions")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
