"""One database URL, sync and async engines, with the per-dialect settings that matter.

SQLite runs in WAL mode so readers never block the writer; `synchronous` is a setting
(see `Settings.sqlite_synchronous`). PostgreSQL uses psycopg 3 for both sync and async;
MariaDB/MySQL uses PyMySQL (sync) and aiomysql (async). PyMySQL is pinned below 1.2 in
pyproject.toml: 1.2 turned `escape_bytes_prefixed`, which aiomysql 0.3 imports, into a string, so
every bytes parameter fails with "'str' object is not callable"
(https://github.com/PyMySQL/PyMySQL/issues/1274).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from core.errors import ConfigurationError
from core.settings import Settings

_ASYNC_DRIVERS = {
    "sqlite": "aiosqlite",
    "postgresql": "psycopg",
    "mysql": "aiomysql",
    "mariadb": "aiomysql",
}
_SYNC_DRIVERS = {
    "sqlite": "pysqlite",
    "postgresql": "psycopg",
    "mysql": "pymysql",
    "mariadb": "pymysql",
}
_SQLITE_BUSY_TIMEOUT_MS = 30_000


def _with_driver(url: str | URL, drivers: dict[str, str]) -> URL:
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend not in drivers:
        raise ConfigurationError(
            f"unsupported database {backend!r} in {parsed.render_as_string(hide_password=True)}; "
            "use sqlite:///, postgresql+psycopg:// or mysql+pymysql://"
        )
    return parsed.set(drivername=f"{backend}+{drivers[backend]}")


def sync_url(url: str | URL) -> URL:
    """The URL with the sync driver Overture uses for its dialect."""
    return _with_driver(url, _SYNC_DRIVERS)


def async_url(url: str | URL) -> URL:
    """The URL with the async driver Overture uses for its dialect."""
    return _with_driver(url, _ASYNC_DRIVERS)


def _prepare_sqlite_file(url: URL) -> None:
    if url.database and url.database != ":memory:" and not url.database.startswith("file:"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)


def _install_sqlite_pragmas(engine: Engine, synchronous: str) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def make_engine(url: str | URL, *, sqlite_synchronous: str = "NORMAL", **kwargs: Any) -> Engine:
    """A sync engine for `url`; SQLite files get WAL, a busy timeout and foreign keys."""
    parsed = sync_url(url)
    if parsed.get_backend_name() == "sqlite":
        _prepare_sqlite_file(parsed)
        kwargs.setdefault("connect_args", {}).setdefault("check_same_thread", False)
        engine = create_engine(parsed, **kwargs)
        _install_sqlite_pragmas(engine, sqlite_synchronous)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(parsed, **kwargs)


def make_async_engine(
    url: str | URL, *, sqlite_synchronous: str = "NORMAL", **kwargs: Any
) -> AsyncEngine:
    """An async engine for `url`, with the same SQLite settings as `make_engine`."""
    parsed = async_url(url)
    if parsed.get_backend_name() == "sqlite":
        _prepare_sqlite_file(parsed)
        engine = create_async_engine(parsed, **kwargs)
        _install_sqlite_pragmas(engine.sync_engine, sqlite_synchronous)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(parsed, **kwargs)


def settings_engine(settings: Settings) -> Engine:
    """The engine of the configured database URL (not migrated: see overture.runtime)."""
    return make_engine(
        settings.resolved_database_url(), sqlite_synchronous=settings.sqlite_synchronous
    )
