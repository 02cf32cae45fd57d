"""The observability commands mount on the main CLI either way the lead prefers."""

from __future__ import annotations

import typer
from typer.testing import CliRunner

from overture import cli_traces


def _root() -> typer.Typer:
    root = typer.Typer()

    @root.command()
    def demo() -> None:
        """Stand-in for the lead's own commands."""

    return root


def test_register_adds_traces_and_stats() -> None:
    root = _root()
    cli_traces.register(root)
    out = CliRunner().invoke(root, ["--help"]).output
    assert all(name in out for name in ("traces", "stats", "demo"))


def test_add_typer_merges_the_same_commands() -> None:
    root = _root()
    root.add_typer(cli_traces.app)
    result = CliRunner().invoke(root, ["traces", "--help"])
    assert result.exit_code == 0 and "--html" in result.output
