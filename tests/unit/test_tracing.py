"""tracing_config and the SQL sink on the toy graph (SQLite file, no services)."""

from __future__ import annotations

import json

import pytest
from langsmith import utils as ls_utils
from sqlalchemy import select

from core.db import make_engine
from observability.queries import agent_stats, percentile, thread_traces
from observability.schema import trace_runs
from observability.sink import SqlTraceSink
from observability.tracing import OvertureLangSmithTracer, tracing_config
from tests.tracing_toy import IBAN, IBAN_COMPACT, SECRET, build_toy_graph


def test_config_names_tags_and_metadata() -> None:
    config = tracing_config(
        "t-1",
        "accounts_payable",
        document="a.pdf",
        strategy="rules",
        prompt_versions={"ingestion": "extraction-v2"},
        metadata={"batch": "7"},
    )
    assert config["run_name"] == "accounts_payable"
    assert config["configurable"] == {"thread_id": "t-1"}
    assert config["tags"] == ["workflow:accounts_payable", "strategy:rules", "prompt:extraction-v2"]
    assert config["metadata"]["thread_id"] == "t-1"
    assert config["metadata"]["document"] == "a.pdf"
    assert config["metadata"]["batch"] == "7"
    assert config["callbacks"] == []  # no engine, LangSmith off


def test_sink_on_by_default_and_switchable(
    monkeypatch: pytest.MonkeyPatch, sqlite_url: str
) -> None:
    engine = make_engine(sqlite_url)
    callbacks = tracing_config("t", "w", engine=engine)["callbacks"]
    assert [type(c) for c in callbacks] == [SqlTraceSink]
    monkeypatch.setenv("OVERTURE_TRACE_SINK", "off")
    assert tracing_config("t", "w", engine=engine)["callbacks"] == []


def test_langsmith_tracer_only_when_env_enables_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.integration.langsmith_recorder import LangSmithRecorder

    with LangSmithRecorder() as recorder:  # a live endpoint: the client's /info call succeeds
        monkeypatch.setenv("LANGSMITH_TRACING", "true")
        monkeypatch.setenv("LANGSMITH_ENDPOINT", recorder.url)
        callbacks = tracing_config("t", "w")["callbacks"]
        assert [type(c) for c in callbacks] == [OvertureLangSmithTracer]
        assert callbacks[0].client._anonymizer is not None
        assert callbacks[0].client.info is not None  # fetched now, not at exit
    monkeypatch.undo()
    ls_utils.get_env_var.cache_clear()  # later tests must not see tracing switched on


def test_sink_stores_masked_tree_with_tokens(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    graph = build_toy_graph()
    graph.invoke({"document_path": "a.pdf"}, tracing_config("t-9", "toy", engine=engine))

    [root] = thread_traces(engine, "t-9")
    assert root.name == "toy" and root.status == "success"
    assert [c.name for c in root.children] == ["ingestion", "verification", "audit"]
    ingestion, verification, _ = root.children
    [llm] = ingestion.children
    assert (llm.run_type, llm.total_tokens, llm.agent) == ("llm", 59, "ingestion")
    [tool] = verification.children
    assert (tool.name, tool.run_type, tool.agent) == ("lookup_vendor", "tool", "verification")
    assert root.metadata["invoice_number"] == "INV-7"
    assert all(node.latency_ms is not None and node.latency_ms >= 0 for node in root.walk())

    with engine.connect() as conn:
        stored = json.dumps(
            [dict(r) for r in conn.execute(select(trace_runs)).mappings()],
            default=str,
            ensure_ascii=False,
        )
    for secret in (IBAN, IBAN_COMPACT, SECRET):
        assert secret not in stored
    assert "DE…3000" in stored


def test_errors_and_stats(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    build_toy_graph().invoke({"document_path": "a"}, tracing_config("ok", "toy", engine=engine))
    with pytest.raises(ValueError):
        build_toy_graph(fail_audit=True).invoke(
            {"document_path": "b"}, tracing_config("bad", "toy", engine=engine)
        )
    [root] = thread_traces(engine, "bad")
    assert root.status == "error"
    audit = root.children[-1]
    assert audit.status == "error" and "ValueError" in audit.error
    assert IBAN_COMPACT not in audit.error and IBAN not in audit.error

    stats = {s.agent: s for s in agent_stats(engine)}
    assert set(stats) == {"ingestion", "verification", "audit"}
    assert stats["audit"].runs == 2 and stats["audit"].error_rate == 0.5
    assert stats["ingestion"].tokens == 2 * 59
    assert stats["verification"].p95_ms is not None


def test_sink_failure_never_breaks_the_run(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    engine.dispose()
    (tmp_path / "x.db").mkdir()  # the database path is now a folder: every write fails
    out = build_toy_graph().invoke(
        {"document_path": "a"}, tracing_config("t", "toy", engine=engine)
    )
    assert out["route"] == "auto_approve"


def test_percentile_nearest_rank() -> None:
    assert percentile([], 50) is None
    assert percentile([5.0], 95) == 5.0
    assert percentile([float(i) for i in range(1, 101)], 95) == 95.0


def test_tool_run_puts_registry_calls_under_the_agent(sqlite_url: str) -> None:
    from langgraph.graph import END, START, StateGraph

    from observability.tracing import tool_run

    def pay(state: dict) -> dict:
        with tool_run("payments.execute", {"iban": IBAN_COMPACT, "amount": "10.00"}) as run:
            run.output = {"status": "paid"}
        return {"paid": True}

    builder = StateGraph(dict)
    builder.add_node("execute", pay)
    builder.add_edge(START, "execute")
    builder.add_edge("execute", END)
    engine = make_engine(sqlite_url)
    builder.compile().invoke({"x": 1}, tracing_config("t-tool", "w", engine=engine))
    [root] = thread_traces(engine, "t-tool")
    [agent] = root.children
    [tool] = agent.children
    assert (tool.name, tool.run_type, tool.agent) == ("payments.execute", "tool", "execute")
    assert tool.inputs == {"iban": "DE…3000", "amount": "10.00"}
    assert tool.outputs == {"output": {"status": "paid"}}
    with tool_run("outside.graph", {}):  # no graph, no handlers: a no-op
        pass
