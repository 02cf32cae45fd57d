"""Tables for traces and evaluation results, on the one database URL, created idempotently.

Payloads (inputs, outputs, tags, metadata, metrics) are JSON in text columns rather than the
dialects' JSON types: the three backends disagree on JSON semantics, nothing queries inside
these payloads, and text keeps one code path. MariaDB's `TEXT` stops at 64 KB, so large
columns are `LONGTEXT` there.
"""

from __future__ import annotations

import threading

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    exc,
)
from sqlalchemy.dialects import mysql

metadata = MetaData()

LongText = Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")

trace_runs = Table(
    "trace_runs",
    metadata,
    Column("id", String(36), primary_key=True, comment="LangChain run id."),
    Column("trace_id", String(36), nullable=False, comment="Id of the root run."),
    Column("parent_id", String(36), nullable=True),
    Column("thread_id", String(200), nullable=True, comment="LangGraph thread of the root run."),
    Column("seq", Integer, nullable=False, comment="Start order within the trace."),
    Column("depth", Integer, nullable=False),
    Column("name", String(200), nullable=False, comment="Agent, tool or model name."),
    Column("run_type", String(20), nullable=False, comment="chain, llm, chat_model, tool..."),
    Column("agent", String(200), nullable=True, comment="The graph node this run belongs to."),
    Column("status", String(20), nullable=False, comment="success, error or interrupted."),
    Column("start_time", DateTime(timezone=True), nullable=False),
    Column("end_time", DateTime(timezone=True), nullable=True),
    Column("latency_ms", Float, nullable=True),
    Column("prompt_tokens", Integer, nullable=True),
    Column("completion_tokens", Integer, nullable=True),
    Column("total_tokens", Integer, nullable=True),
    Column("model", String(200), nullable=True),
    Column("error", LongText, nullable=True),
    Column("inputs", LongText, nullable=True),
    Column("outputs", LongText, nullable=True),
    Column("tags", Text, nullable=True),
    Column("metadata", LongText, nullable=True),
    Index("ix_trace_runs_thread", "thread_id", "start_time"),
    Index("ix_trace_runs_trace", "trace_id", "seq"),
    Index("ix_trace_runs_agent", "agent"),
)

eval_runs = Table(
    "eval_runs",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("label", String(200), nullable=True, comment="Free text, e.g. a branch or change."),
    Column("dataset", String(500), nullable=False),
    Column("dataset_sha256", String(64), nullable=False),
    Column("examples", Integer, nullable=False),
    Column("model", String(200), nullable=False, comment="Strategy/model spec in force."),
    Column("prompt_versions", Text, nullable=False, comment="JSON: agent -> prompt version."),
    Column("code_version", String(80), nullable=True, comment="git SHA (+dirty) if known."),
    Column("metrics", LongText, nullable=False, comment="JSON: metric name -> value."),
)

eval_results = Table(
    "eval_results",
    metadata,
    Column("eval_run_id", String(36), primary_key=True),
    Column("example_id", String(200), primary_key=True),
    Column("document", String(500), nullable=False),
    Column("expected_route", String(40), nullable=True),
    Column("predicted_route", String(40), nullable=True),
    Column("fields", LongText, nullable=False, comment="JSON: field -> expected/got/ok."),
    Column("latency_ms", Float, nullable=False),
    Column("error", Text, nullable=True),
)

_ready: set[str] = set()
_ready_lock = threading.Lock()


def ensure_tables(engine: Engine) -> None:
    """Create the observability tables if missing; once per engine URL per process.

    Two processes may race to create them on a fresh database; the loser's "already exists"
    error is harmless, so it is swallowed after a re-check.
    """
    key = engine.url.render_as_string(hide_password=True)
    if key in _ready:
        return
    with _ready_lock:
        if key in _ready:
            return
        try:
            metadata.create_all(engine, checkfirst=True)
        except exc.DatabaseError:
            metadata.create_all(engine, checkfirst=True)
        _ready.add(key)
