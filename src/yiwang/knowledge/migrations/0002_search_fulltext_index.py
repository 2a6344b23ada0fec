"""Full-text index of the knowledge base: SQLite FTS5 table ``knowledge_entry_fts`` (rowid = entry
id, published entries only, kept by ``knowledge.search.sync_index``), PostgreSQL GIN index over the
pre-tokenised ``search_text`` of published entries."""

from django.db import migrations

FTS_TABLE = "knowledge_entry_fts"
PG_INDEX = "knowledge_entry_search_gin"
PG_EXPRESSION = "array_to_tsvector(array_remove(string_to_array(search_text, ' '), ''))"


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
            "search_text, tokenize = 'unicode61 remove_diacritics 0')"
        )
    elif connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON knowledge_knowledgeentry USING gin (({PG_EXPRESSION})) "
            "WHERE status = 'published'"
        )


def backwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        schema_editor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
    elif connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {PG_INDEX}")


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
