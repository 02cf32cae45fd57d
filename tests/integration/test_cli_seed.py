"""`overture seed` loads the sample books and runs nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from core.settings import Settings
from overture.cli import app
from overture.runtime import open_engine
from tools.integrations.records import VendorRow
from tools.run_log import RunRow

pytestmark = pytest.mark.integration


def test_seed_loads_the_vendor_master_and_starts_no_run(
    sqlite_url: str, cli_on: Callable[[str], CliRunner]
) -> None:
    result = cli_on(sqlite_url).invoke(app, ["seed"])
    assert result.exit_code == 0, result.output
    assert "vendors" in result.output
    engine = open_engine(Settings(database_url=sqlite_url))
    try:
        with Session(engine) as session:
            assert session.scalar(select(func.count()).select_from(VendorRow)) == 5
            assert session.scalar(select(func.count()).select_from(RunRow)) == 0
    finally:
        engine.dispose()
