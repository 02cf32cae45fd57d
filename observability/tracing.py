"""Tracing of a graph invocation: the `RunnableConfig` that names, tags and records it.

The runtime calls `tracing_config(...)` once per invocation (and per resume) and merges the
result into the config it passes to `graph.invoke`. Two destinations:

- the local SQL trace sink (`SqlTraceSink`), on by default (`OVERTURE_TRACE_SINK=off` turns
  it off), on the one database URL;
- LangSmith, when its standard environment variables enable it (`LANGSMITH_TRACING=true`,
  `LANGSMITH_API_KEY`, `LANGSMITH_ENDPOINT`, `LANGSMITH_PROJECT`). The tracer is passed
  explicitly with a client whose `anonymizer` masks inputs, outputs, metadata and errors;
  LangChain then adds no unmasked default tracer of its own, since one is already present.

The `anonymizer` hook is used rather than `hide_inputs`/`hide_outputs` because in the
installed langsmith (0.15) it also covers metadata and error strings (an exception text can
quote a bank number); when an anonymizer is set the client ignores the `hide_*` callables.
"""

from __future__ import annotations

import functools
import json
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.runnables import RunnableConfig
from langchain_core.runnables.config import ensure_config, get_callback_manager_for_config
from langchain_core.tracers.langchain import LangChainTracer
from langchain_core.tracers.schemas import Run
from langsmith import Client
from langsmith import utils as ls_utils
from sqlalchemy import Engine

from observability.masking import anonymize, masked_jsonable
from observability.runs import case_metadata
from observability.sink import ServerTraceSink, SqlTraceSink

SINK_ENV = "OVERTURE_TRACE_SINK"

_clients: dict[tuple[str | None, ...], Client] = {}
_clients_lock = threading.Lock()


def langsmith_enabled() -> bool:
    """True when LangSmith's env vars turn tracing on (read fresh, not from its cache)."""
    for name in ("LANGSMITH_TRACING", "LANGSMITH_TRACING_V2", "LANGCHAIN_TRACING_V2"):
        if os.environ.get(name, "").strip().lower() == "true":
            return True
    return False


def sink_enabled() -> bool:
    """The local sink is on unless `OVERTURE_TRACE_SINK` says off/false/0."""
    return os.environ.get(SINK_ENV, "on").strip().lower() not in {"off", "false", "0", "no"}


def masked_langsmith_client() -> Client:
    """A LangSmith client that masks everything before upload; one per endpoint/key/project.

    The client starts a background sender thread, so it is cached rather than built per run.
    """
    # get_env_var is an lru_cache under @overload stubs, so mypy does not see cache_clear.
    ls_utils.get_env_var.cache_clear()  # type: ignore[attr-defined]
    key = tuple(
        os.environ.get(name)
        for name in (
            "LANGSMITH_ENDPOINT",
            "LANGCHAIN_ENDPOINT",
            "LANGSMITH_API_KEY",
            "LANGCHAIN_API_KEY",
        )
    )
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            client = Client(anonymizer=anonymize)
            _clients[key] = client
        return client


def flush_langsmith() -> None:
    """Send everything the cached LangSmith clients still buffer (tests, CLI exit)."""
    with _clients_lock:
        clients = list(_clients.values())
    for client in clients:
        client.flush()


class OvertureLangSmithTracer(LangChainTracer):
    """LangChain's LangSmith tracer, adding the case (invoice number, route) to the root run.

    The invoice number is known only once extraction ran, so it is added to the root run's
    metadata as the root ends, just before its final PATCH is sent.
    """

    def _enrich(self, run: Run) -> None:
        if run.parent_run_id is None:
            run.extra.setdefault("metadata", {}).update(case_metadata(run))

    def _on_chain_end(self, run: Run) -> None:
        self._enrich(run)
        super()._on_chain_end(run)

    def _on_chain_error(self, run: Run) -> None:
        self._enrich(run)
        super()._on_chain_error(run)


@dataclass
class ToolRunHandle:
    """Set `output` inside `with tool_run(...)` to record what the tool returned."""

    output: Any = None


@contextmanager
def tool_run(name: str, inputs: Mapping[str, Any]) -> Iterator[ToolRunHandle]:
    """Record a tool call made outside LangChain's tool classes as a `tool` run.

    The tool registry calls handlers directly (policy, ledger, exactly-once), so LangChain
    never sees a tool run; wrapping the call in this puts one under the current agent's run,
    in the SQL sink and in LangSmith alike. Outside a graph (no current config) the callback
    manager has no handlers and this costs nothing.
    """
    config = ensure_config()
    manager = get_callback_manager_for_config(config)
    run_manager = manager.on_tool_start(
        {"name": name, "description": f"registry tool {name}"},
        json.dumps(masked_jsonable(inputs), ensure_ascii=False),
        name=name,
        inputs=dict(inputs),
    )
    handle = ToolRunHandle()
    try:
        yield handle
    except BaseException as error:
        run_manager.on_tool_error(error)
        raise
    run_manager.on_tool_end(handle.output)


F = TypeVar("F", bound=Callable[..., Any])


def traced_tool_calls(method: F) -> F:
    """Decorate `ToolExecutor.execute(self, name, arguments, ...)`: each call a tool run.

    Refusals and failures become errored tool runs; the outcome is the run's output.
    """

    @functools.wraps(method)
    def wrapper(self: Any, name: str, arguments: Any, *args: Any, **kwargs: Any) -> Any:
        dump = getattr(arguments, "model_dump", None)
        inputs = dump(mode="json") if callable(dump) else dict(arguments)
        with tool_run(name, inputs) as run:
            outcome = method(self, name, arguments, *args, **kwargs)
            run.output = outcome
        return outcome

    wrapper.__overture_traced__ = True  # type: ignore[attr-defined]
    return cast(F, wrapper)


def prompt_tags(prompt_versions: Mapping[str, str]) -> list[str]:
    """`prompt:<version>` tags, one per distinct prompt version in force."""
    return [f"prompt:{v}" for v in sorted(set(prompt_versions.values()))]


def tracing_callbacks(engine: Engine | None, thread_id: str | None) -> list[BaseCallbackHandler]:
    """The tracers in force: the SQL sink (if an engine is given and the sink is on) and
    LangSmith (if its env vars enable it)."""
    callbacks: list[BaseCallbackHandler] = []
    if engine is not None and sink_enabled():
        callbacks.append(SqlTraceSink(engine, thread_id=thread_id))
    if langsmith_enabled():
        client = masked_langsmith_client()
        callbacks.append(OvertureLangSmithTracer(client=client))
    return callbacks


def server_tracing_config(
    workflow: str,
    engine: Callable[[], Engine],
    *,
    strategy: str = "rules",
    prompt_versions: Mapping[str, str] | None = None,
) -> RunnableConfig:
    """What `tracing_config` gives a CLI run, for every run of a graph a server starts: the
    SQL sink (engine resolved lazily) and the same run name, tags and metadata. LangSmith
    is the server's own business (its `LANGSMITH_*` settings)."""
    versions = dict(prompt_versions or {})
    return RunnableConfig(
        run_name=workflow,
        tags=[f"workflow:{workflow}", f"strategy:{strategy}", *prompt_tags(versions)],
        metadata={"workflow": workflow, "strategy": strategy, "prompt_versions": versions},
        callbacks=[ServerTraceSink(engine)] if sink_enabled() else [],
    )


def tracing_config(
    thread_id: str,
    workflow: str,
    *,
    document: str | None = None,
    engine: Engine | None = None,
    strategy: str = "rules",
    prompt_versions: Mapping[str, str] | None = None,
    metadata: Mapping[str, Any] | None = None,
    tags: list[str] | None = None,
) -> RunnableConfig:
    """The config for one graph invocation: thread, callbacks, run name, tags and metadata.

    Merge it into the runtime's own config (`langchain_core.runnables.config.merge_configs`);
    it sets `configurable.thread_id` so the checkpointer and the trace agree on the thread.
    The root run is named after the workflow; LangGraph names each node's run after the node
    (the agent), and tags/metadata given here are inherited by every run below the root.
    """
    versions = dict(prompt_versions or {})
    all_tags = [f"workflow:{workflow}", f"strategy:{strategy}", *prompt_tags(versions)]
    all_tags += [t for t in tags or [] if t not in all_tags]
    meta: dict[str, Any] = {
        "thread_id": thread_id,
        "workflow": workflow,
        "strategy": strategy,
        "prompt_versions": versions,
    }
    if document is not None:
        meta["document"] = document
    meta.update(metadata or {})
    return RunnableConfig(
        run_name=workflow,
        tags=all_tags,
        metadata=meta,
        callbacks=tracing_callbacks(engine, thread_id),
        configurable={"thread_id": thread_id},
    )
