"""Reading the trace sink back: the run trees of a thread, and per-agent statistics."""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select

from observability.schema import ensure_tables, trace_runs


@dataclass
class TraceNode:
    """One stored run and its children, as `overture traces` shows them."""

    id: str
    name: str
    run_type: str
    agent: str | None
    status: str
    start_time: datetime
    latency_ms: float | None
    total_tokens: int | None
    model: str | None
    error: str | None
    inputs: Any
    outputs: Any
    tags: list[str]
    metadata: dict[str, Any]
    children: list[TraceNode] = field(default_factory=list)

    def walk(self) -> list[TraceNode]:
        """This run and all runs below it, parents first."""
        found = [self]
        for child in self.children:
            found.extend(child.walk())
        return found


def _loads(text: str | None) -> Any:
    return json.loads(text) if text else None


def thread_traces(engine: Engine, thread_id: str) -> list[TraceNode]:
    """The traces of a thread (one per invocation or resume), oldest first, as trees."""
    ensure_tables(engine)
    query = (
        select(trace_runs)
        .where(trace_runs.c.thread_id == thread_id)
        .order_by(trace_runs.c.start_time, trace_runs.c.trace_id, trace_runs.c.seq)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    nodes: dict[str, TraceNode] = {}
    roots: list[TraceNode] = []
    for row in sorted(rows, key=lambda r: (r["trace_id"], r["seq"])):
        node = TraceNode(
            id=row["id"],
            name=row["name"],
            run_type=row["run_type"],
            agent=row["agent"],
            status=row["status"],
            start_time=row["start_time"],
            latency_ms=row["latency_ms"],
            total_tokens=row["total_tokens"],
            model=row["model"],
            error=row["error"],
            inputs=_loads(row["inputs"]),
            outputs=_loads(row["outputs"]),
            tags=_loads(row["tags"]) or [],
            metadata=_loads(row["metadata"]) or {},
        )
        nodes[node.id] = node
        parent = nodes.get(row["parent_id"]) if row["parent_id"] else None
        if parent is None:
            roots.append(node)
        else:
            parent.children.append(node)
    return sorted(roots, key=lambda n: n.start_time)


@dataclass(frozen=True)
class AgentStats:
    """Per-agent figures over every stored trace."""

    agent: str
    runs: int
    errors: int
    p50_ms: float | None
    p95_ms: float | None
    tokens: int

    @property
    def error_rate(self) -> float:
        """Share of the agent's runs that ended in an error (interrupts are not errors)."""
        return self.errors / self.runs if self.runs else 0.0


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile; computed here because the three SQL dialects disagree."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def agent_stats(engine: Engine, *, thread_id: str | None = None) -> list[AgentStats]:
    """Runs, errors, latency p50/p95 and tokens per agent (graph node).

    An agent's runs are its node runs (depth 1 under a workflow root); its tokens are those of
    every model call made inside it.
    """
    ensure_tables(engine)
    cols = trace_runs.c
    query = select(cols.agent, cols.depth, cols.status, cols.latency_ms, cols.total_tokens).where(
        cols.agent.is_not(None)
    )
    if thread_id is not None:
        query = query.where(cols.thread_id == thread_id)
    latencies: dict[str, list[float]] = defaultdict(list)
    runs: dict[str, int] = defaultdict(int)
    errors: dict[str, int] = defaultdict(int)
    tokens: dict[str, int] = defaultdict(int)
    with engine.connect() as conn:
        for agent, depth, status, latency, total in conn.execute(query):
            tokens[agent] += total or 0
            if depth != 1:
                continue
            runs[agent] += 1
            errors[agent] += status == "error"
            if latency is not None:
                latencies[agent].append(latency)
    return [
        AgentStats(
            agent=agent,
            runs=runs[agent],
            errors=errors[agent],
            p50_ms=percentile(latencies[agent], 50),
            p95_ms=percentile(latencies[agent], 95),
            tokens=tokens[agent],
        )
        for agent in sorted(set(runs) | set(tokens))
    ]
