"""Alembic migrations run from code at start-up, on SQLite, PostgreSQL and MariaDB alike.

No `alembic.ini`: the config is built here, and the migration environment receives our
connection (so the per-dialect engine settings of `core.db` apply). A workflow with tables
of its own keeps its migrations beside its code, as a branch of their own (its first revision
revises none, under a branch label); the application passes their folders as `locations`.
Concurrent start-ups (several CLI processes) serialise on a database lock on PostgreSQL and
MariaDB; on SQLite the first writer wins and the busy timeout holds the others until it
commits.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
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


def alembic_config(connection: Connection | None = None, locations: Sequence[Path] = ()) -> Config:
    """An Alembic config pointing at tools/migrations (and the workflows' `locations`),
    optionally bound to a connection."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if locations:
        folders = [MIGRATIONS / "versions", *locations]
        config.set_main_option("path_separator", "os")
        config.set_main_option("version_locations", os.pathsep.join(str(f) for f in folders))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    """The head of Overture's own migrations (tools/migrations)."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def head_revisions(locations: Sequence[Path] = ()) -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config(None, locations)).get_heads())


def current_revision(connection: Connection) -> str | None:
    """The database's revision of Overture's own branch."""
    ours = set(ScriptDirectory.from_config(alembic_config()).walk_revisions())
    names = {script.revision for script in ours}
    return next((r for r in current_revisions(connection) if r in names), None)


def current_revisions(connection: Connection) -> set[str]:
    context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
    return set(context.get_current_heads())


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


def upgrade(engine: Engine, revision: str = "heads", locations: Sequence[Path] = ()) -> None:
    """Bring the application tables (and those of the workflows' migration `locations`) to
    `revision`; a no-op (one query) when already there. A database that also holds a
    workflow's branch not named here is left as it is."""
    heads = head_revisions(locations)
    with engine.connect() as connection:
        if revision in ("head", "heads") and heads <= current_revisions(connection):
            return
    with engine.begin() as connection:
        dialect = connection.dialect.name
        if dialect == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_ID})
        elif dialect in {"mysql", "mariadb"}:
            connection.execute(text("SELECT GET_LOCK(:n, 120)"), {"n": _LOCK_NAME})
        try:
            _adopt_legacy_revision(connection)
            command.upgrade(alembic_config(connection, locations), revision)
        finally:
            if dialect in {"mysql", "mariadb"}:
                connection.execute(text("SELECT RELEASE_LOCK(:n)"), {"n": _LOCK_NAME})
