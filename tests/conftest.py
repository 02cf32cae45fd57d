"""Shared fixtures: throwaway databases per backend, and no real provider ever called."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from core.settings import get_settings
from tests.databases import BACKENDS, throwaway_database


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Each persistence test runs once per backend: sqlite, postgres, mariadb."""
    return request.param


@pytest.fixture
def db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A URL to a new, empty database on the current backend."""
    with throwaway_database(backend, tmp_path) as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'overture.db'}"


@pytest.fixture
def cli_on(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], CliRunner]]:
    """`cli_on(url)`: a CliRunner whose commands use the database at `url` (the CLI reads
    settings once per process, so the cache is cleared on the way in and out)."""

    def point_at(url: str) -> CliRunner:
        monkeypatch.setenv("OVERTURE_DATABASE_URL", url)
        get_settings.cache_clear()
        return CliRunner()

    yield point_at
    get_settings.cache_clear()


_real_connect = socket.socket.connect


def _loopback_only(sock: socket.socket, address: Any) -> Any:
    host = address[0] if isinstance(address, tuple) else None
    if host is not None:
        try:
            ip = ipaddress.ip_address(host)
        except ValueError:
            ip = ipaddress.ip_address(socket.gethostbyname(host))
        if not ip.is_loopback:
            raise RuntimeError(f"tests may not reach {address}: only 127.0.0.0/8 and ::1")
    return _real_connect(sock, address)


@pytest.fixture(autouse=True)
def no_real_providers(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reaches OpenAI, LangSmith or any host beyond loopback."""
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("LANGSMITH_API_KEY", raising=False)
    monkeypatch.setenv("LANGSMITH_TRACING", "false")
    monkeypatch.setenv("LANGCHAIN_TRACING_V2", "false")
    monkeypatch.setattr(socket.socket, "connect", _loopback_only)
