"""Alembic migrations run from code at start-up, on SQLite, PostgreSQL and MariaDB alike.

No `alembic.ini`: the config is built here, and the migration environment receives our
connection (so the per-dialect engine settings of `overture.db` apply). Concurrent start-ups
(several CLI processes) serialise on a database lock on PostgreSQL and MariaDB; on SQLite the
first writer wins and the busy timeout holds the others until it commits.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "overture_alembic_version"
"""Where Overture's revision is kept. Not Alembic's default `alembic_version`: Aegra keeps its
own revision there in the same database (make cluster), and each would find the other's
revision unknown."""
LEGACY_VERSION_TABLE = "alembic_version"
_LOCK_NAME = "overture_migrations"
_LOCK_ID = 7_313_001  # pg_advisory_xact_lock key; any constant unique to Overture


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at tools/migrations, optionally bound to a connection."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(connection: Connection) -> str | None:
    context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
    return context.get_current_revision()


def _adopt_legacy_revision(connection: Connection) -> None:
    """A database migrated before `VERSION_TABLE` holds Overture's revision in Alembic's
    default table: move it over (Aegra's revision, if any, stays there)."""
    tables = set(inspect(connection).get_table_names())
    if VERSION_TABLE in tables or LEGACY_VERSION_TABLE not in tables:
        return
    ours = {
        script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()
    }
    rows = connection.execute(text(f"SELECT version_num FROM {LEGACY_VERSION_TABLE}")).scalars()
    legacy = [revision for revision in rows if revision in ours]
    if not legacy:
        return
    command.stamp(alembic_config(connection), legacy[0])
    connection.execute(
        text(f"DELETE FROM {LEGACY_VERSION_TABLE} WHERE version_num = :r"), {"r": legacy[0]}
    )


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the application tables to `revision`; a no-op (one query) when already there."""
    head = head_revision()
    with engine.connect() as connection:
        if revision == "head" and current_revision(connection) == head:
            return
    with engine.begin() as connection:
        dialect = connection.dialect.name
        if dialect == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_ID})
        elif dialect in {"mysql", "mariadb"}:
            connection.execute(text("SELECT GET_LOCK(:n, 120)"), {"n": _LOCK_NAME})
        try:
            _adopt_legacy_revision(connection)
            command.upgrade(alembic_config(connection), revision)
        finally:
            if dialect in {"mysql", "mariadb"}:
                connection.execute(text("SELECT RELEASE_LOCK(:n)"), {"n": _LOCK_NAME})
