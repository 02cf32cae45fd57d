"""aegra.json `http.app`: guards for the thread-state routes Aegra's auth hooks do not cover.

Aegra calls the `Auth` handlers (overture/auth.py) for threads, runs, assistants and the store,
but its `/threads/{id}/state` and `/threads/{id}/history` routes check only that the caller's
identity owns the thread. Under Aegra that identity is the tenant (overture/auth.py), so here,
as `langgraph dev` does through the handlers: a thread's state is read by its owner, or by an
approver of what it waits for or waited for; nobody writes it (`threads.update_state` answers
403: state would decide what is paid without the agents). Aegra mounts its routers on this app.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from overture import auth
from overture.runtime import served_engine
from tools import api_keys

STATE_ROUTE = re.compile(
    r"^/threads/(?P<thread_id>[^/]+)/(?P<kind>state|history|runs)(?P<rest>/.*)?$"
)
"""The thread routes guarded here; a run's join, stream and listing show its state too."""

app = FastAPI()


def _allowed(thread_id: str, token: str | None, *, owner_only: bool) -> int:
    """The HTTP status a request on `thread_id` with `token` gets: 200, 401 or 404."""
    engine = served_engine()[0]
    user = api_keys.authenticate(engine, token) if token else None
    if user is None:
        return 401
    if auth.aegra_thread_owner(engine, thread_id) == user.id:
        return 200
    return 200 if not owner_only and auth.may_read(engine, user.id, thread_id) else 404


@app.middleware("http")
async def guard_thread_state(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """Refuse state writes; let a read through only to who may read the thread, and the
    cancellation of a run only to its owner (starting one is the handlers' to judge)."""
    match = STATE_ROUTE.match(request.url.path)
    rest = match["rest"] or "" if match else ""
    if match is None or (
        match["kind"] == "runs" and request.method == "POST" and (not rest.endswith("/cancel"))
    ):
        return await call_next(request)
    if request.method == "POST" and match["kind"] == "state" and not rest:
        return JSONResponse(
            {
                "detail": "thread state cannot be written through the API: it would decide what "
                f"is paid without the agents; {auth.ALLOWED_RUNS}"
            },
            status_code=403,
        )
    token = auth.bearer_token(dict(request.headers))
    owner_only = request.method != "GET" and match["kind"] == "runs"
    status = await asyncio.to_thread(_allowed, match["thread_id"], token, owner_only=owner_only)
    if status == 401:
        return JSONResponse({"detail": "unknown, revoked or inactive API key"}, status_code=401)
    if status == 404:
        return JSONResponse({"detail": f"Thread '{match['thread_id']}' not found"}, 404)
    return await call_next(request)
