"""Evaluation: the dataset, the metrics, storage on every backend, and the drift gate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from typer.testing import CliRunner

from core.db import make_engine
from observability.eval_store import BaselineNotFound, load_baseline, save_eval_run
from observability.evaluation import (
    Example,
    compare,
    load_dataset,
    metrics,
    regressions,
    score_example,
)
from overture.cli import app
from tests.fake_models import tool_call

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
DATASET = ROOT / "examples/eval"


def test_dataset_covers_every_sample_document_with_its_labels() -> None:
    examples = {e.id: e for e in load_dataset(DATASET)}
    expected = json.loads((ROOT / "examples/expected.json").read_text(encoding="utf-8"))
    assert len(examples) == len(expected) >= 12
    for name, labels in expected.items():
        example = examples[Path(name).stem]
        assert example.document == f"examples/documents/{name}"
        assert (ROOT / example.document).is_file()
        assert example.route == labels["route"]
        assert example.fields == labels.get("fields", {})


def _example(route: str = "auto_approve", po: str | None = "PO-1") -> Example:
    return Example(
        id="x", document="d.pdf", route=route, fields={"po_number": po, "total": "10.50"}
    )


def test_scoring_normalises_values() -> None:
    state = {"route": "auto_approve", "invoice": {"po_number": " po-1 ", "total": "10.5"}}
    result = score_example(_example(), state, latency_ms=5.0)
    assert result.route_ok and all(f["ok"] for f in result.fields.values())
    scores = metrics([result])
    assert scores["field_accuracy.po_number"] == 1.0 and scores["approval_precision"] == 1.0


def test_compare_names_only_regressions_beyond_thresholds() -> None:
    base = {"route_accuracy": 1.0, "field_accuracy.po_number": 1.0, "latency_p50_ms": 10.0}
    now = {"route_accuracy": 0.99, "field_accuracy.po_number": 0.5, "latency_p50_ms": 25.0}
    failed = regressions(compare(now, base, threshold=0.02, latency_threshold=1.0))
    assert [d.metric for d in failed] == ["field_accuracy.po_number", "latency_p50_ms"]


def test_eval_runs_stored_on_every_backend(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        result = score_example(_example(), {"route": "human_review"}, latency_ms=3.0)
        stored = save_eval_run(
            engine,
            dataset=DATASET,
            results=[result],
            metrics=metrics([result]),
            model="rules",
            prompt_versions={"ingestion": "extraction-v1"},
            label="base",
            code="abc123",
        )
        assert load_baseline(engine, "base").id == stored.id
        assert load_baseline(engine, stored.id[:8]).metrics["route_accuracy"] == 0.0
        assert load_baseline(engine, "latest").prompt_versions == {"ingestion": "extraction-v1"}
        with pytest.raises(BaselineNotFound):
            load_baseline(engine, "no-such-run")
    finally:
        engine.dispose()


def _read_without_po(messages: list[BaseMessage]) -> AIMessage:
    """A fake model on a degraded prompt: reads every field right but the PO number."""
    from core.domain import SourceDocument
    from nodes.ingestion.extraction import RulesExtractor

    text = str(messages[1].content)
    body = text.split("<document>\n", 1)[1].rsplit("\n</document>", 1)[0]
    invoice = RulesExtractor().extract(
        SourceDocument(path="fake", kind="text", text=body, sha256="0" * 64)
    )
    args: dict[str, Any] = json.loads(invoice.model_dump_json(exclude={"confidence"}))
    args["po_number"] = None
    return tool_call("ExtractedInvoice", args)


class _PromptDropsPO(BaseChatModel):
    """The fake model behind a degraded prompt version (`extraction-v2-terse`)."""

    @property
    def _llm_type(self) -> str:
        return "fake-drops-po"

    def bind_tools(self, tools: Any, **kwargs: Any) -> _PromptDropsPO:  # type: ignore[override]
        return self

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=_read_without_po(messages))])


def degraded_extractor() -> Any:
    """`--extractor tests.integration.test_eval:degraded_extractor` (the drift under test)."""
    from nodes.ingestion.extraction import RulesExtractor
    from nodes.ingestion.llm_extraction import LLMExtractor

    return LLMExtractor(_PromptDropsPO(), RulesExtractor(), repairs=0)


def test_drift_gate_fails_naming_the_metric(sqlite_url: str, monkeypatch) -> None:
    monkeypatch.setenv("OVERTURE_DATABASE_URL", sqlite_url)
    monkeypatch.chdir(ROOT)
    runner = CliRunner()
    base = runner.invoke(app, ["eval", "--label", "baseline"])
    assert base.exit_code == 0, base.output
    assert "route_accuracy" in base.output

    # Latency on a shared 2-core machine swings several-fold between two runs (seen: p95
    # 282 -> 1040 ms); this test is about the quality gate, so latency gets a wide margin.
    same = runner.invoke(app, ["eval", "--compare", "baseline", "--latency-threshold", "50"])
    assert same.exit_code == 0, same.output
    assert "no regression" in same.output

    extractor = "tests.integration.test_eval:degraded_extractor"
    drift = runner.invoke(app, ["eval", "--compare", "baseline", "--extractor", extractor])
    assert drift.exit_code == 1, drift.output
    assert "field_accuracy.po_number" in drift.output
    assert "route_accuracy" in drift.output
    assert "regression in" in drift.output


def test_langsmith_evaluators_agree_with_local_metrics() -> None:
    from observability.eval_langsmith import (
        approval_precision,
        fields_correct,
        prediction,
        route_correct,
    )

    good = score_example(
        _example(), {"route": "auto_approve", "invoice": {"po_number": "PO-1"}}, 1.0
    )
    bad = score_example(_example("reject"), {"route": "auto_approve"}, 1.0)
    outs = [prediction(good), prediction(bad)]
    refs = [{"route": r.example.route, "fields": r.example.fields} for r in (good, bad)]
    assert route_correct(outs[0], refs[0])["score"] is True
    assert route_correct(outs[1], refs[1])["score"] is False
    assert fields_correct(outs[0], refs[0])["score"] == 0.5  # po right, total missing
    assert approval_precision(outs, refs)["score"] == metrics([good, bad])["approval_precision"]
