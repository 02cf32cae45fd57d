"""Who is deciding, proven rather than typed.

A decision from the CLI is made with the decider's API key (`OVERTURE_API_KEY`, the same keys
the LangGraph server authenticates), so a bare `--as NAME` written by anyone who can reach the
database no longer approves payments (issue 11). A clearly labelled single-user mode keeps the
local SQLite demo easy: with `OVERTURE_SINGLE_USER=true`, on SQLite only, `--as NAME` is taken
as given, and the CLI says so on every decision.
"""

from __future__ import annotations

import os

from sqlalchemy import Engine

from overture.errors import NotAuthenticated
from tools import api_keys

API_KEY_ENV = "OVERTURE_API_KEY"
SINGLE_USER_ENV = "OVERTURE_SINGLE_USER"


def single_user_mode(engine: Engine) -> bool:
    """The demo mode: no proof of identity, allowed only on a local SQLite database."""
    wanted = os.environ.get(SINGLE_USER_ENV, "").strip().lower() in ("1", "true", "yes", "on")
    return wanted and engine.dialect.name == "sqlite"


def decider(engine: Engine, as_: str | None) -> tuple[str, bool]:
    """The authenticated user id, and whether it came from single-user mode (unproven)."""
    token = os.environ.get(API_KEY_ENV, "").strip()
    if token:
        user = api_keys.authenticate(engine, token)
        if user is None:
            raise NotAuthenticated(f"{API_KEY_ENV} is unknown, revoked or its user inactive")
        if as_ is not None and as_ != user.id:
            raise NotAuthenticated(f"--as {as_} does not match the key's user {user.id}")
        return user.id, False
    if as_ is not None and single_user_mode(engine):
        return as_, True
    if as_ is not None:
        raise NotAuthenticated(f"--as {as_} is a typed name, not a proof of identity")
    raise NotAuthenticated("no identity")
