"""The observability commands mount on the main CLI either way the lead prefers."""

from __future__ import annotations

import typer
from typer.testing import CliRunner

from observability import cli as observability_cli


def _root() -> typer.Typer:
    root = typer.Typer()

    @root.command()
    def demo() -> None:
        """Stand-in for the lead's own commands."""

    return root


def test_register_adds_traces_stats_eval() -> None:
    root = _root()
    observability_cli.register(root)
    out = CliRunner().invoke(root, ["--help"]).output
    assert all(name in out for name in ("traces", "stats", "eval", "demo"))


def test_add_typer_merges_the_same_commands() -> None:
    root = _root()
    root.add_typer(observability_cli.app)
    result = CliRunner().invoke(root, ["traces", "--help"])
    assert result.exit_code == 0 and "--html" in result.output
