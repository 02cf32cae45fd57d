"""Who a server authenticated for a run: the person a decision, a review or a submission is
attributed to, whatever the client wrote into the value (overture/auth.py stamps it)."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime


def server_user(runtime: Runtime[Any]) -> str | None:
    """The user a server authenticated for this run (overture/auth.py), if any: the
    Overture user it carries (`overture_user`; under Aegra the identity is a tenant)."""
    user = runtime.server_info.user if runtime.server_info else None
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return overture_user(user)


def overture_user(user: Any) -> str | None:
    """The Overture user of a server's authenticated user (either server's user type)."""
    named = getattr(user, "overture_user", None)
    if not isinstance(named, str):
        try:
            named = user["overture_user"]
        except (KeyError, TypeError):
            named = None
    return named or getattr(user, "identity", None) or None
