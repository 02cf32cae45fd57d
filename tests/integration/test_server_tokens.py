"""`overture tokens`: API keys for the server, stored hashed and mapped to approvers."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from overture.auth import bearer_token, stamp_approver
from overture.cli_tokens import tokens_app
from tests.tool_world import migrated
from tools.api_keys import ApiKeyRow, authenticate, create_token, token_hash
from tools.approval.approvers import add_approver, revoke

pytestmark = pytest.mark.integration


def test_tokens_are_created_hashed_listed_and_revoked(
    sqlite_url: str, cli_on: Callable[[str], CliRunner]
) -> None:
    runner = cli_on(sqlite_url)
    with migrated(sqlite_url) as engine:
        add_approver(engine, "alice")
    created = runner.invoke(tokens_app, ["create", "alice", "--label", "laptop"])
    assert created.exit_code == 0, created.output
    token = created.stdout.strip().splitlines()[-1]
    assert token.startswith("ovt_")
    unknown = runner.invoke(tokens_app, ["create", "nobody"])
    assert unknown.exit_code == 1 and "overture users add nobody" in unknown.output

    with migrated(sqlite_url) as engine:
        with Session(engine) as session:
            row = session.scalars(select(ApiKeyRow)).one()
        assert row.token_sha256 == token_hash(token) and token not in row.token_sha256
        user = authenticate(engine, token)
        assert user is not None and user.id == "alice"
        assert authenticate(engine, token[:-1]) is None

    listed = runner.invoke(tokens_app, ["list"])
    assert row.id in listed.output and "laptop" in listed.output and token not in listed.output
    assert runner.invoke(tokens_app, ["revoke", row.id]).exit_code == 0
    assert runner.invoke(tokens_app, ["revoke", row.id]).exit_code == 1
    with migrated(sqlite_url) as engine:
        assert authenticate(engine, token) is None


def test_an_inactive_users_token_no_longer_authenticates(sqlite_url: str) -> None:
    with migrated(sqlite_url) as engine:
        add_approver(engine, "bob")
        _, token = create_token(engine, "bob")
        assert authenticate(engine, token) is not None
        revoke(engine, "bob")
        assert authenticate(engine, token) is None


def test_bearer_and_api_key_headers_and_the_approver_stamp() -> None:
    assert bearer_token({b"authorization": b"Bearer ovt_x"}) == "ovt_x"
    assert bearer_token({b"authorization": b"Basic abc"}) is None
    assert bearer_token({b"x-api-key": b"ovt_y"}) == "ovt_y"
    assert bearer_token({}) is None
    command = {"resume": {"action": "approve", "approver": "bob"}}
    stamp_approver(command, "alice")
    assert command["resume"]["approver"] == "alice"
    by_interrupt = {"resume": {"abc": {"action": "approve", "approver": "bob"}}}
    stamp_approver(by_interrupt, "alice")
    assert by_interrupt["resume"]["abc"]["approver"] == "alice"


def test_aegras_str_headers_authenticate_like_langgraph_devs_bytes() -> None:
    """Aegra calls the authenticate handler with `headers` only, as a str mapping."""
    assert bearer_token({"authorization": "Bearer ovt_x"}) == "ovt_x"
    assert bearer_token({"x-api-key": "ovt_y"}) == "ovt_y"


def test_a_standard_hitl_response_is_stamped_beside_its_decisions() -> None:
    command = {"resume": {"decisions": [{"type": "approve"}], "approver": "bob"}}
    stamp_approver(command, "alice")
    assert command["resume"] == {"decisions": [{"type": "approve"}], "approver": "alice"}
