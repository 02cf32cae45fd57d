"""LangSmith tracing against a local recorder: the run tree, tags, metadata, and masking."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langsmith import utils as ls_utils

from observability.tracing import flush_langsmith, masked_langsmith_client, tracing_config
from tests.integration.langsmith_recorder import LangSmithRecorder
from tests.tracing_toy import IBAN, IBAN_COMPACT, SECRET, build_toy_graph

pytestmark = pytest.mark.integration

API_KEY = "lsv2_pt_0123456789abcdef0123456789abcdef_0123456789"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(params=["multipart", "zstd", "batch"])
def recorder(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """LangSmith env pointed at a fresh recorder, in each transport the client may choose."""
    with LangSmithRecorder(request.param) as rec:
        monkeypatch.setenv("LANGSMITH_TRACING", "true")
        monkeypatch.setenv("LANGSMITH_ENDPOINT", rec.url)
        monkeypatch.setenv("LANGSMITH_API_KEY", API_KEY)
        monkeypatch.setenv("LANGSMITH_PROJECT", "overture-tests")
        ls_utils.get_env_var.cache_clear()
        if request.param == "zstd":
            # The client switches to compression once its sender thread has read /info;
            # wait for that, or the first runs go out uncompressed.
            client = masked_langsmith_client()
            deadline = time.monotonic() + 10
            while client.compressed_traces is None and time.monotonic() < deadline:
                time.sleep(0.02)
        yield rec
        ls_utils.get_env_var.cache_clear()


def _children(runs: dict[str, dict[str, Any]], parent: str) -> list[dict[str, Any]]:
    kids = [r for r in runs.values() if str(r.get("parent_run_id")) == parent]
    return sorted(kids, key=lambda r: r.get("dotted_order", ""))


def _root(runs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    roots = [r for r in runs.values() if not r.get("parent_run_id")]
    assert len(roots) == 1, [r.get("name") for r in roots]
    return roots[0]


def _metadata(run: dict[str, Any]) -> dict[str, Any]:
    return (run.get("extra") or {}).get("metadata") or {}


def test_toy_graph_tree_tags_metadata_and_masking(recorder: Any) -> None:
    graph = build_toy_graph()
    config = tracing_config(
        "thread-toy",
        "toy",
        document="inbox/acme.pdf",
        strategy="llm:fake",
        prompt_versions={"ingestion": "extraction-v1"},
    )
    graph.invoke({"document_path": "inbox/acme.pdf"}, config)
    flush_langsmith()

    runs = recorder.recording.runs
    root = _root(runs)
    assert root["name"] == "toy"
    agents = _children(runs, root["id"])
    assert [a["name"] for a in agents] == ["ingestion", "verification", "audit"]
    by_name = {a["name"]: a for a in agents}
    llm = _children(runs, by_name["ingestion"]["id"])
    assert [r["run_type"] for r in llm] == ["llm"]
    tools = _children(runs, by_name["verification"]["id"])
    assert [(r["name"], r["run_type"]) for r in tools] == [("lookup_vendor", "tool")]

    for run in runs.values():
        assert {"workflow:toy", "strategy:llm:fake", "prompt:extraction-v1"} <= set(run["tags"])
    meta = _metadata(root)
    assert meta["thread_id"] == "thread-toy"
    assert meta["document"] == "inbox/acme.pdf"
    assert meta["invoice_number"] == "INV-7"
    assert root.get("end_time") and root.get("outputs")

    transport = {
        "multipart": "POST /runs/multipart",
        "zstd": "POST /runs/multipart (zstd)",
        "batch": "POST /runs/batch",
    }[recorder.mode]
    assert transport in recorder.recording.paths

    sent = recorder.recording.text()
    assert "DE…3000" in sent  # masked, not dropped
    for secret in (IBAN, IBAN_COMPACT, SECRET, API_KEY):
        assert secret not in sent


def test_errors_are_masked_before_sending(recorder: Any) -> None:
    graph = build_toy_graph(fail_audit=True)
    with pytest.raises(ValueError):
        graph.invoke({"document_path": "x.pdf"}, tracing_config("thread-err", "toy"))
    flush_langsmith()
    errors = [r["error"] for r in recorder.recording.runs.values() if r.get("error")]
    assert errors and all("ValueError" in e for e in errors)
    sent = recorder.recording.text()
    assert IBAN not in sent and IBAN_COMPACT not in sent


def _all_ibans() -> set[str]:
    seed = json.loads((ROOT / "examples/seed/system_of_record.json").read_text())
    expected = json.loads((ROOT / "examples/expected.json").read_text())
    found = {v["iban"] for v in seed["vendors"]}
    found |= {e["fields"]["iban"] for e in expected.values() if e.get("fields", {}).get("iban")}
    return found


@pytest.mark.parametrize("document", ["05_bank_change.pdf", "01_clean_match.pdf"])
def test_accounts_payable_run(recorder: Any, sqlite_url: str, document: str) -> None:
    """One AP run: a run per agent under the workflow root, tags, case metadata, no IBAN."""
    from langgraph.checkpoint.memory import InMemorySaver

    from core.db import make_engine
    from graphs.accounts_payable.context import Context
    from graphs.accounts_payable.graph import build_graph
    from tools.integrations.seed import load_seed_file
    from tools.migrate import upgrade

    engine = make_engine(sqlite_url)
    upgrade(engine)
    load_seed_file(engine)
    graph = build_graph(checkpointer=InMemorySaver())
    path = str(ROOT / "examples/documents" / document)
    config = tracing_config("ap-1", "accounts_payable", document=document, engine=engine)
    graph.invoke({"document_path": path}, config, context=Context(engine=engine))
    flush_langsmith()

    runs = recorder.recording.runs
    root = _root(runs)
    assert root["name"] == "accounts_payable"
    agents = [r["name"] for r in _children(runs, root["id"])]
    assert agents[:3] == ["ingest", "verify", "route"]
    assert agents[-1] == "audit"
    assert len(agents) == len(set(agents)), "one run per agent"
    for run in runs.values():
        assert "workflow:accounts_payable" in run["tags"]
        assert any(t.startswith("strategy:") for t in run["tags"])
        assert _metadata(run)["thread_id"] == "ap-1"
    by_id = {r["id"]: r for r in runs.values()}
    tools = [r for r in runs.values() if r["run_type"] == "tool"]
    for tool in tools:  # tool calls sit directly under an agent
        assert str(tool["parent_run_id"]) in {a["id"] for a in _children(runs, root["id"])}
    if document == "01_clean_match.pdf":  # paid: the payment is a tool run under `execute`
        assert "execute" in {by_id[str(t["parent_run_id"])]["name"] for t in tools}
    meta = _metadata(root)
    assert meta["document"] == document
    assert re.match(r"\S+", meta["invoice_number"])
    assert meta["route"] in {"auto_approve", "human_review"}

    sent = recorder.recording.text()
    ibans = _all_ibans()
    assert ibans
    for iban in ibans:
        spaced = " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
        assert iban not in sent and spaced not in sent, f"unmasked {iban[:4]}… sent"
