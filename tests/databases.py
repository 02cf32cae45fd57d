"""Throwaway databases on the servers the machine runs, for tests parametrised over backends.

PostgreSQL and MariaDB come from DESIGN.md (127.0.0.1, database `test`); override with
OVERTURE_TEST_POSTGRES_URL / OVERTURE_TEST_MYSQL_URL. Under CI=true an unreachable server
fails the test: CI must run every backend, never skip one.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

BACKENDS = ("sqlite", "postgres", "mariadb")

SERVER_URLS = {
    "postgres": os.environ.get(
        "OVERTURE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    ),
    "mariadb": os.environ.get(
        "OVERTURE_TEST_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/test"
    ),
}


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def missing(message: str) -> NoReturn:
    """A service or extra the test needs is absent: skip locally, fail under CI=true, where
    `make test` installs and starts everything."""
    if in_ci():
        pytest.fail(f"{message} (CI=true: nothing may be skipped)")
    pytest.skip(message)


def unavailable(backend: str, error: BaseException) -> NoReturn:
    missing(f"{backend} is not reachable at {SERVER_URLS.get(backend)}: {error}")


@contextmanager
def throwaway_database(backend: str, tmp_path: Path) -> Iterator[str]:
    """Yield the URL of a new, empty database on `backend`; drop it afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'overture-test.db'}"
        return
    name = f"ovt_{uuid.uuid4().hex[:12]}"
    admin_url = make_url(SERVER_URLS[backend])
    try:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {name}"))
    except Exception as error:  # noqa: BLE001 - any failure to connect means "unavailable"
        unavailable(backend, error)
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            if backend == "postgres":
                conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            else:
                conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        admin.dispose()
