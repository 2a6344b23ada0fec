"""Full-text index of the catalogue (事项检索) on both databases, and the default synonyms.

SQLite: an FTS5 virtual table ``catalog_item_fts`` (rowid = item id) over the pre-tokenised
``search_text``; it is kept in sync by ``catalog.search.refresh_search_fields``.
PostgreSQL: a GIN index over ``array_to_tsvector`` of the same words (no parser, no stemming: the
words are jieba tokens, pinyin and initials already), always in sync since it indexes the column.
"""

from django.db import migrations

FTS_TABLE = "catalog_item_fts"
PG_INDEX = "catalog_item_search_gin"
PG_EXPRESSION = "array_to_tsvector(array_remove(string_to_array(search_text, ' '), ''))"

DEFAULT_SYNONYMS = [
    ("低保", ["最低生活保障"]),
    ("个体户", ["个体工商户"]),
    ("社保卡", ["社会保障卡"]),
    ("公积金", ["住房公积金"]),
    ("准生证", ["生育登记"]),
    ("开公司", ["企业设立", "开办企业"]),
    ("身份证", ["居民身份证"]),
    ("失业金", ["失业保险金"]),
    ("房产证", ["不动产权证书"]),
    ("上户口", ["出生登记", "户口登记"]),
    ("退休手续", ["职工退休", "退休审批"]),
]


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
            "search_text, tokenize = 'unicode61 remove_diacritics 0')"
        )
        schema_editor.execute(
            f"INSERT INTO {FTS_TABLE} (rowid, search_text) "
            "SELECT id, search_text FROM catalog_serviceitem WHERE search_text <> ''"
        )
    elif connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON catalog_serviceitem USING gin (({PG_EXPRESSION}))"
        )
    Synonym = apps.get_model("catalog", "Synonym")
    for term, equivalents in DEFAULT_SYNONYMS:
        Synonym.objects.get_or_create(term=term, defaults={"equivalents": equivalents, "note": "系统预置"})


def backwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        schema_editor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
    elif connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {PG_INDEX}")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0004_discovery_scenarios_bundles_search")]

    operations = [migrations.RunPython(forwards, backwards)]
