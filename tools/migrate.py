"""Alembic migrations run from code at start-up, on SQLite, PostgreSQL and MariaDB alike.

No `alembic.ini`: the config is built here, and the migration environment receives our
connection (so the per-dialect engine settings of `core.db` apply). A workflow with tables
of its own keeps its migrations beside its code, with a version table of their own (its first
revision revises none); the application passes their folders as `locations`.
Concurrent start-ups (several CLI processes) serialise on a database lock on PostgreSQL and
MariaDB; on SQLite the first writer wins and the busy timeout holds the others until it
commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
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


def alembic_config(
    connection: Connection | None = None,
    versions: Path | None = None,
    version_table: str = VERSION_TABLE,
) -> Config:
    """An Alembic config for tools/migrations, or for a workflow's own `versions` folder
    (the same environment, its own version table), optionally bound to a connection."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if versions is not None:
        config.set_main_option("path_separator", "os")
        config.set_main_option("version_locations", str(versions))
    config.attributes["version_table"] = version_table
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@cache
def head_revision(versions: Path | None = None) -> str | None:
    """The head of Overture's migrations (tools/migrations), or of a workflow's; read from
    the scripts once per process (every engine opened asks)."""
    return ScriptDirectory.from_config(alembic_config(None, versions)).get_current_head()


def current_revision(connection: Connection, version_table: str = VERSION_TABLE) -> str | None:
    context = MigrationContext.configure(connection, opts={"version_table": version_table})
    return context.get_current_revision()


def workflow_version_table(versions: Path) -> str:
    """Where a workflow's revision is kept: apart from Overture's, so a process that knows
    only Overture's migrations never meets a revision it cannot place."""
    return f"{VERSION_TABLE}_{versions.parent.name}"


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


def upgrade(engine: Engine, revision: str = "head", locations: Sequence[Path] = ()) -> None:
    """Bring the application tables to `revision`, then each workflow's own (its migrations
    folder in `locations`) to its head; a no-op (one query each) when already there."""
    targets: list[tuple[Path | None, str, str]] = [(None, VERSION_TABLE, revision)]
    targets += [(folder, workflow_version_table(folder), "head") for folder in locations]
    for versions, table, target in targets:
        with engine.connect() as connection:
            if target == "head" and current_revision(connection, table) == head_revision(versions):
                continue
        with engine.begin() as connection:
            dialect = connection.dialect.name
            if dialect == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_ID})
            elif dialect in {"mysql", "mariadb"}:
                connection.execute(text("SELECT GET_LOCK(:n, 120)"), {"n": _LOCK_NAME})
            try:
                if versions is None:
                    _adopt_legacy_revision(connection)
                command.upgrade(alembic_config(connection, versions, table), target)
            finally:
                if dialect in {"mysql", "mariadb"}:
                    connection.execute(text("SELECT RELEASE_LOCK(:n)"), {"n": _LOCK_NAME})
