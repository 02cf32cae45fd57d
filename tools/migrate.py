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
from sqlalchemy import Connection, Engine, text

MIGRATIONS = Path(__file__).parent / "migrations"
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
    return MigrationContext.configure(connection).get_current_revision()


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
            command.upgrade(alembic_config(connection), revision)
        finally:
            if dialect in {"mysql", "mariadb"}:
                connection.execute(text("SELECT RELEASE_LOCK(:n)"), {"n": _LOCK_NAME})
