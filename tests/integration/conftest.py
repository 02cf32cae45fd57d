"""Fixtures for whole-workflow tests: a migrated, seeded app on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.settings import Settings
from overture.runtime import App, open_app
from tests.databases import throwaway_database
from tools.integrations.seed import load_seed_file


@pytest.fixture(params=["sqlite", "postgres"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    """Settings on a throwaway database; workflow tests run on SQLite and PostgreSQL."""
    with throwaway_database(request.param, tmp_path) as url:
        yield Settings(database_url=url, home=tmp_path / ".overture")


@pytest.fixture
def app(settings: Settings) -> Iterator[App]:
    """The app on `settings`, with the sample system of record loaded."""
    with open_app(settings) as app:
        load_seed_file(app.engine)
        yield app
