"""PostgreSQL only: a trigram index on the register's folded titles (``title_key``), so a title
search (``LIKE '%word%'``, words of three characters or more) reads the index instead of every
entry. SQLite has no such index and scans (fast enough at 100,000 entries; see
benchmarks/archive_search.py).

``pg_trgm`` is a trusted extension (PostgreSQL 13+): the database owner may create it. Where it
cannot be created, the index is left out and the search still works, by a scan.
"""

from django.db import DatabaseError, migrations, transaction

INDEX = "regentry_title_trgm_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError:  # no extension, no index: the search scans instead
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON archives_registerentry USING gin (title_key gin_trgm_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("archives", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
