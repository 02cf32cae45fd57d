"""`overture users`: approvers and limits managed from the command line, stored in SQL."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from typer.testing import CliRunner

from overture.cli_users import users_app
from tests.tool_world import migrated
from tools.approval.approvers import get_approver

pytestmark = pytest.mark.integration


def test_users_are_added_granted_listed_and_revoked(
    sqlite_url: str, cli_on: Callable[[str], CliRunner]
) -> None:
    runner = cli_on(sqlite_url)
    assert runner.invoke(users_app, ["add", "alice", "--name", "Alice A."]).exit_code == 0
    granted = runner.invoke(users_app, ["grant", "alice", "ap_approver", "--limit", "25000"])
    assert granted.exit_code == 0, granted.output
    assert "ap_approver (limit 25000.00)" in granted.output
    listed = runner.invoke(users_app, ["list"])
    assert "alice" in listed.output and "ap_approver (25000" in listed.output

    unknown = runner.invoke(users_app, ["grant", "bob", "ap_approver", "--limit", "1"])
    assert unknown.exit_code == 1
    assert "overture users add bob" in unknown.output
    bad = runner.invoke(users_app, ["grant", "alice", "ap_approver", "--limit", "lots"])
    assert bad.exit_code == 2

    assert runner.invoke(users_app, ["revoke", "alice", "ap_approver"]).exit_code == 0
    assert runner.invoke(users_app, ["revoke", "alice"]).exit_code == 0
    with migrated(sqlite_url) as engine:
        alice = get_approver(engine, "alice")
    assert alice is not None and not alice.active and alice.roles == {}
    assert alice.limit_for("ap_approver") is None
