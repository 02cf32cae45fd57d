"""Exclusive sections that the operating system or the server ends when their holder dies.

A side effect guarded by a lock must never stay locked after a crash (a SIGKILLed process
would otherwise block every resume), so each dialect uses a lock that dies with its holder:
PostgreSQL session advisory locks and MariaDB `GET_LOCK` are released when the connection
drops; SQLite has no server, so an `fcntl.flock` on a file beside the database plays that role
(the kernel releases it when the process dies). Row locks (`SELECT ... FOR UPDATE`) are used
instead where a row is the natural thing to lock (tools/ledger.py).
"""

from __future__ import annotations

import fcntl
import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text

_LOCK_TIMEOUT_S = 120
_memory_locks: dict[str, threading.Lock] = {}
_memory_guard = threading.Lock()


def lock_id(name: str) -> int:
    """A signed 64-bit integer for `name` (PostgreSQL advisory locks take a bigint)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def sqlite_lock_path(engine: Engine, name: str) -> Path | None:
    """The lock file of `name` beside the SQLite database file; None for in-memory databases."""
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    folder = Path(database).with_name(Path(database).name + ".locks")
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{hashlib.sha256(name.encode()).hexdigest()[:24]}.lock"


@contextmanager
def hold(engine: Engine, name: str) -> Iterator[None]:
    """Hold the exclusive lock `name` across processes for the duration of the block."""
    dialect = engine.dialect.name
    if dialect == "sqlite":
        with _sqlite_lock(engine, name):
            yield
    elif dialect == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": lock_id(name)})
            connection.commit()
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": lock_id(name)})
                connection.commit()
    else:  # mysql / mariadb: lock names are at most 64 characters
        key = "ovt:" + hashlib.sha256(name.encode()).hexdigest()[:56]
        with engine.connect() as connection:
            got = connection.execute(
                text("SELECT GET_LOCK(:n, :t)"), {"n": key, "t": _LOCK_TIMEOUT_S}
            ).scalar()
            if got != 1:
                raise TimeoutError(f"could not take lock {name!r} in {_LOCK_TIMEOUT_S}s")
            try:
                yield
            finally:
                connection.execute(text("SELECT RELEASE_LOCK(:n)"), {"n": key})


@contextmanager
def _sqlite_lock(engine: Engine, name: str) -> Iterator[None]:
    path = sqlite_lock_path(engine, name)
    if path is None:  # one process only: a thread lock is enough
        with _memory_guard:
            lock = _memory_locks.setdefault(name, threading.Lock())
        with lock:
            yield
        return
    # A fresh open file description per holder: flock then also excludes other threads.
    with path.open("a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
