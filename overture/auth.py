"""Who may call the LangGraph server, and which threads they see (`langgraph.json` `auth`).

Users are the approvers of tools/approval/approvers.py, authenticated by an API key from
tools/api_keys.py (`Authorization: Bearer ovt_...` or `X-Api-Key: ovt_...`). A thread belongs to
whoever created it (`metadata.owner`); besides its owner, a user holding the role a pending approval
on that thread requires may read it and resume it. A resume's approver is always the authenticated
user: the name a client puts in the decision is overwritten here, and again by the approval node
from the run's server info (graphs/accounts_payable/approval.py), so neither alone is trusted.

State is not a trust boundary (issue 11, item 11): every graph served here (langgraph.json:
accounts_payable, supervisor, procurement) moves money, orders goods or sends mail, so no
client may steer one. A run starts from `input` or resumes an approval with
`command={"resume": <decision>}`; a command carrying `goto` or `update`, a client-chosen
`interrupt_before`/`interrupt_after`, `checkpoint_id` or `context`, and any write of thread
state (`threads.update_state`, bulk updates, a thread created with `supersteps`) answer 403.
A graph without side effects added later would need its own exemption here.

Both servers run this module. `langgraph dev` scopes nothing itself; Aegra (aegra.json) scopes
every thread and run to the `identity` an authentication returns, so a thread would be its
creator's alone and no approver could resume it. Under Aegra (`OVERTURE_THREAD_TENANT` set, as
`make cluster` does) the identity is therefore the deployment's tenant, the user travels as
`overture_user`, and the handlers below scope by it through thread metadata (`overture_owner`:
Aegra overwrites `owner` with the identity), filters Aegra applies to reads and searches. Aegra
also calls `authenticate` with `headers` only (str keys) and does not pass a handler's edits
of a run's `command` on, so the approval node takes the approver from the run's user as well.

Lookups are blocking SQLAlchemy calls on the process's application engine, so they run in a
worker thread: the server's event loop must never block.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping
from typing import Any, cast

from langgraph_sdk import Auth
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from memory.checkpoint import SQLCheckpointer
from nodes.approval import hitl
from nodes.approval.identity import overture_user
from overture import server_checks
from overture.runtime import checkpoint_serde, served_engine
from tools import api_keys
from tools.approval import votes as approval_votes
from tools.approval.approvers import Approver, get_approver
from tools.approval.requests import ApprovalRequestRow

OWNER_KEY = "owner"
"""Thread metadata key naming the user who created the thread (under `langgraph dev`)."""

TENANT_OWNER_KEY = "overture_owner"
"""The same under Aegra, which overwrites `owner` with its identity (the tenant)."""

USER_FIELD = "overture_user"
"""Field of the authenticated user naming the Overture user (the identity may be a tenant);
read back by nodes/approval/identity.py `overture_user`."""

TENANT_ENV = "OVERTURE_THREAD_TENANT"
"""Set (e.g. to `overture`) under Aegra: the identity Aegra scopes threads by."""

auth = Auth()


def thread_tenant() -> str | None:
    """The tenant identity under Aegra; None under `langgraph dev`."""
    return os.environ.get(TENANT_ENV) or None


def owner_key() -> str:
    return TENANT_OWNER_KEY if thread_tenant() else OWNER_KEY


def actor(user: Any) -> str:
    """The Overture user behind an authenticated server user (either server's user type)."""
    return overture_user(user) or str(user.identity)


def _engine() -> Engine:
    return served_engine()[0]


def header(headers: Mapping[Any, Any], name: str) -> str | None:
    """A header by lower-case name, from `langgraph dev`'s bytes or Aegra's str mapping."""
    raw = headers.get(name.encode("latin-1"), headers.get(name))
    if isinstance(raw, bytes):
        raw = raw.decode("latin-1")
    return raw.strip() or None if isinstance(raw, str) else None


def bearer_token(headers: Mapping[Any, Any]) -> str | None:
    """The API key from `Authorization: Bearer <key>` or `X-Api-Key: <key>` (the SDK's)."""
    authorization = header(headers, "authorization")
    if authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return token.strip()
    return header(headers, "x-api-key")


def pending_roles(engine: Engine, thread_id: str) -> set[str]:
    """The roles that may decide the approvals `thread_id` is waiting on (none: not waiting)."""
    with Session(engine) as session:
        ids = session.scalars(
            select(ApprovalRequestRow.id).where(
                ApprovalRequestRow.thread_id == thread_id, ApprovalRequestRow.status == "pending"
            )
        ).all()
    roles = set()
    for request_id in ids:
        terms = approval_votes.get_terms(engine, request_id)
        if terms is not None and terms.required_role:
            roles.add(terms.required_role)
    return roles


def may_decide(engine: Engine, user_id: str, thread_id: str) -> bool:
    """True when the thread waits on an approval whose role `user_id` holds (actively).

    The amount limit, expiry, self-approval and two-person rules are the approval policy's
    (tools/approval/policy.py), checked by the node when the decision arrives.
    """
    roles = pending_roles(engine, thread_id)
    if not roles:
        return False
    user = get_approver(engine, user_id)
    return user is not None and any(user.limit_for(role) is not None for role in roles)


def decided_on(engine: Engine, user_id: str, thread_id: str) -> bool:
    """True when `user_id` decided an approval of the thread (they may see how it ended)."""
    with Session(engine) as session:
        found = session.scalar(
            select(ApprovalRequestRow.id)
            .where(
                ApprovalRequestRow.thread_id == thread_id,
                ApprovalRequestRow.decided_by == user_id,
            )
            .limit(1)
        )
    return found is not None


def may_read(engine: Engine, user_id: str, thread_id: str) -> bool:
    """An approver reads a thread they may decide on, or one they decided."""
    return may_decide(engine, user_id, thread_id) or decided_on(engine, user_id, thread_id)


def checkpoint_owner(engine: Engine, thread_id: str) -> str | None:
    """The owner recorded in the thread's latest checkpoint (runs carry it in their metadata).

    The dev server keeps its thread registry in its own files, so after a restart without
    them a thread exists only in SQL; whoever registers it again must be this owner.
    """
    saver = SQLCheckpointer(engine, serde=checkpoint_serde())
    latest = saver.get_tuple({"configurable": {"thread_id": thread_id, "checkpoint_ns": ""}})
    owner = latest.metadata.get(owner_key()) if latest is not None else None
    return owner if isinstance(owner, str) else None


def is_single_value(resume: dict[str, Any]) -> bool:
    """A resume value itself (Overture's or the standard shape), not a map of interrupt id
    to value."""
    return not resume or hitl.is_decision(resume)


def stamp_approver(command: Any, identity: str) -> None:
    """Overwrite the approver of a resume value (or of each in a resume map) in place; a
    standard `{"decisions": [...]}` response carries it beside its decisions."""
    resume = command.get("resume") if isinstance(command, dict) else None
    if not isinstance(resume, dict):
        return
    values = [resume] if is_single_value(resume) else resume.values()
    for value in values:
        if isinstance(value, dict):
            value["approver"] = identity


ALLOWED_RUNS = (
    'start a run with `input` (e.g. {"upload": {"name": ..., "content_base64": ...}}) or '
    'resume an approval with `command={"resume": <decision>}`'
)
"""What a client may do with a workflow, for every refusal to say."""

_STEERING_KWARGS = ("interrupt_before", "interrupt_after")


def steering(kwargs: dict[str, Any]) -> str | None:
    """What in a run request would steer the workflow past its agents; None when nothing."""
    command = kwargs.get("command")
    if isinstance(command, dict):
        extra = sorted(key for key, value in command.items() if key != "resume" and value)
        if extra:
            return f"a command with {' and '.join(f'`{key}`' for key in extra)}"
    for key in _STEERING_KWARGS:
        if kwargs.get(key):
            return f"`{key}`"
    if kwargs.get("context"):  # the server copies it into `configurable` (checkpoint_id, ...)
        return "a `context` (the application gives every run its context)"
    config = kwargs.get("config")
    configurable = config.get("configurable") if isinstance(config, dict) else None
    if isinstance(configurable, dict) and configurable.get("checkpoint_id"):
        return "a `checkpoint_id` (a run from an earlier state)"
    return None


def forbidden(detail: str) -> Auth.exceptions.HTTPException:
    return Auth.exceptions.HTTPException(status_code=403, detail=detail)


def _owner_filter(ctx: Auth.types.AuthContext) -> dict[str, str]:
    return {owner_key(): actor(ctx.user)}


@auth.authenticate
async def authenticate(headers: Mapping[Any, Any]) -> Auth.types.MinimalUserDict:
    """Resolve the API key to an active user, or answer 401."""
    token = bearer_token(headers)
    if token is None:
        raise Auth.exceptions.HTTPException(
            status_code=401,
            detail="missing API key: send `Authorization: Bearer <key>` "
            "(create one with `overture tokens create USER`)",
        )
    user: Approver | None = await asyncio.to_thread(api_keys.authenticate, _engine(), token)
    if user is None:
        raise Auth.exceptions.HTTPException(
            status_code=401, detail="unknown, revoked or inactive API key"
        )
    found: dict[str, Any] = {
        "identity": thread_tenant() or user.id,
        "display_name": user.display_name or user.id,
        "is_authenticated": True,
        "permissions": [f"role:{role}" for role in sorted(user.roles)],
        USER_FIELD: user.id,
    }
    return cast(Auth.types.MinimalUserDict, found)


@auth.on
async def owner_only(ctx: Auth.types.AuthContext, value: dict[str, Any]) -> dict[str, str]:
    """Default for every resource without a more specific handler: the owner's own only."""
    metadata = value.get("metadata") if isinstance(value, dict) else None
    if isinstance(metadata, dict):
        metadata[owner_key()] = actor(ctx.user)
    return _owner_filter(ctx)


@auth.on.threads.create
async def on_thread_create(
    ctx: Auth.types.AuthContext, value: Auth.types.ThreadsCreate
) -> dict[str, str]:
    """A new thread is its creator's, whatever owner the client put in its metadata; a thread
    id that already has checkpoints (re-registered after a restart) only by their owner."""
    thread_id = value.get("thread_id")
    if thread_id is not None:
        owner = await asyncio.to_thread(checkpoint_owner, _engine(), str(thread_id))
        if owner is not None and owner != actor(ctx.user):
            raise Auth.exceptions.HTTPException(
                status_code=403, detail=f"thread {thread_id} belongs to another user"
            )
    metadata = value.get("metadata")
    if metadata is None:  # Aegra sends `None` for none; langgraph dev keeps the dict it sent
        metadata = value["metadata"] = {}
    metadata[owner_key()] = actor(ctx.user)
    return _owner_filter(ctx)


@auth.on.threads.read
async def on_thread_read(
    ctx: Auth.types.AuthContext, value: Auth.types.ThreadsRead
) -> dict[str, str] | None:
    """The owner, or an approver of what the thread waits for (to see the interrupt) or of
    what it waited for (to see the outcome of their decision)."""
    thread_id = value.get("thread_id")
    if thread_id is not None and await asyncio.to_thread(
        may_read, _engine(), actor(ctx.user), str(thread_id)
    ):
        return None
    return _owner_filter(ctx)


@auth.on.threads.create_run
async def on_run_create(
    ctx: Auth.types.AuthContext, value: Auth.types.RunsCreate
) -> dict[str, str] | None:
    """Start or continue a run: the owner may run their thread; a resume decides an approval
    and is allowed only to an approver of it, as themselves, and is judged by the approval
    policy before it runs: a refused decision answers 403 instead of a new wait."""
    user = actor(ctx.user)
    metadata = value.get("metadata")
    # langgraph dev nests the run's options under `kwargs`; Aegra passes them flat
    kwargs = cast(dict[str, Any], value.get("kwargs") or value)
    steered = steering(kwargs)
    if steered is not None:
        raise forbidden(
            f"{steered} is refused: this workflow has side effects and is steered only by "
            f"its agents; {ALLOWED_RUNS}"
        )
    thread_id = value.get("thread_id")
    command = kwargs.get("command")
    if not (isinstance(command, dict) and "resume" in command):
        if thread_tenant() and thread_id is not None:  # Aegra applies no filter to a run
            owner = await asyncio.to_thread(aegra_thread_owner, _engine(), str(thread_id))
            if owner is not None and owner != user:
                raise forbidden(f"thread {thread_id} belongs to another user")
        if isinstance(metadata, dict):  # the owner, also of a thread created on the fly
            metadata[owner_key()] = user
        return _owner_filter(ctx)
    if isinstance(metadata, dict):  # the thread's owner stays its owner in the checkpoints
        metadata.pop(owner_key(), None)
    allowed = thread_id is not None and await asyncio.to_thread(
        may_decide, _engine(), user, str(thread_id)
    )
    if not allowed:
        raise Auth.exceptions.HTTPException(
            status_code=403,
            detail=f"{user} may not decide: this thread waits on no approval "
            "whose role they hold (`overture users grant`)",
        )
    stamp_approver(command, user)
    refusal = await asyncio.to_thread(
        server_checks.refusal, _engine(), str(thread_id), user, command["resume"]
    )
    if refusal is not None:
        raise forbidden(refusal)
    return None


def aegra_thread_owner(engine: Engine, thread_id: str) -> str | None:
    """Who created a thread under Aegra: its `thread` row's metadata (Aegra's table)."""
    with engine.connect() as connection:
        found = connection.execute(
            text("SELECT metadata_json FROM thread WHERE thread_id = :id"), {"id": thread_id}
        ).scalar()
    owner = found.get(TENANT_OWNER_KEY) if isinstance(found, dict) else None
    return owner if isinstance(owner, str) else None


@auth.on.threads.update
async def on_thread_update(
    ctx: Auth.types.AuthContext, value: Auth.types.ThreadsUpdate
) -> dict[str, str]:
    """A thread's owner may edit its metadata or cancel its runs; nobody writes its state.

    The server calls this event for all three; only a metadata patch carries `metadata` and
    only a cancellation an `action` (langgraph_runtime_inmem Threads.patch, Runs.cancel), so
    an event with neither is a state write: `threads.update_state`, a bulk update, or the
    `supersteps` of a new thread.
    """
    if "metadata" not in value and "action" not in value:
        raise forbidden(
            "thread state cannot be written through the API: it would decide what is paid "
            f"without the agents; {ALLOWED_RUNS}"
        )
    return await owner_only(ctx, cast(dict[str, Any], value))


@auth.on.assistants
async def on_assistants(
    ctx: Auth.types.AuthContext, value: dict[str, Any]
) -> dict[str, str] | bool:
    """The graphs are shared: anyone authenticated reads assistants; changes are refused."""
    if ctx.action in ("read", "search"):
        return True
    raise Auth.exceptions.HTTPException(
        status_code=403, detail="assistants are defined by langgraph.json, not by API"
    )


@auth.on.store
async def on_store(ctx: Auth.types.AuthContext, value: dict[str, Any]) -> None:
    """The store API reaches only the caller's own namespace (`(user_id, ...)`)."""
    namespace = tuple(value.get("namespace") or ())
    if not namespace or namespace[0] != actor(ctx.user):
        value["namespace"] = (actor(ctx.user), *namespace)
