"""Upload an evaluation to LangSmith: the dataset (once per content), then an experiment.

The workflow has already run (observability/evaluation.py); the experiment's target looks
the prediction up instead of running the graph a second time, so LangSmith shows the same
numbers `overture eval` stored. Payloads go through the masked client (tracing.py).

Not exercised against the local recorder: `evaluate` needs the datasets, examples,
sessions and feedback endpoints, far beyond the runs API the recorder speaks. The evaluator
functions are plain and unit-tested.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from observability.eval_store import file_sha256
from observability.evaluation import Example, ExampleResult, auto_approval_precision
from observability.tracing import masked_langsmith_client


def route_correct(outputs: Mapping[str, Any], reference_outputs: Mapping[str, Any]) -> dict:
    """Row evaluator: did the run end on the labelled route?"""
    return {"key": "route_accuracy", "score": outputs.get("route") == reference_outputs["route"]}


def fields_correct(outputs: Mapping[str, Any], reference_outputs: Mapping[str, Any]) -> dict:
    """Row evaluator: share of labelled fields extracted right."""
    oks = outputs.get("fields_ok") or {}
    expected = reference_outputs.get("fields") or {}
    score = sum(bool(oks.get(name)) for name in expected) / len(expected) if expected else None
    return {"key": "field_accuracy", "score": score}


def approval_precision(
    outputs: Sequence[Mapping[str, Any]], reference_outputs: Sequence[Mapping[str, Any]]
) -> dict:
    """Summary evaluator: of the documents paid without a human, the share that should be."""
    routes = zip(outputs, reference_outputs, strict=True)
    score = auto_approval_precision((out.get("route"), ref["route"]) for out, ref in routes)
    return {"key": "approval_precision", "score": score}


def prediction(result: ExampleResult) -> dict[str, Any]:
    """What the experiment records as the target's output for one example."""
    return {
        "route": result.predicted_route,
        "fields": {name: f["got"] for name, f in result.fields.items()},
        "fields_ok": {name: f["ok"] for name, f in result.fields.items()},
        "latency_ms": result.latency_ms,
        "error": result.error,
    }


def upload(
    dataset: Path,
    examples: Sequence[Example],
    results: Sequence[ExampleResult],
    prompt_versions: Mapping[str, str],
) -> str:
    """Create the dataset if this content is new, run an experiment; return its name."""
    from langsmith import evaluate

    client = masked_langsmith_client()
    name = f"overture-{dataset.stem}-{file_sha256(dataset)[:12]}"
    if not client.has_dataset(dataset_name=name):
        created = client.create_dataset(name, description=f"Overture labelled set {dataset}")
        client.create_examples(
            dataset_id=created.id,
            examples=[
                {
                    "inputs": {"document": e.document},
                    "outputs": {"route": e.route, "fields": e.fields},
                    "metadata": {"example_id": e.id},
                }
                for e in examples
            ],
        )
    by_document = {r.example.document: prediction(r) for r in results}
    experiment = evaluate(
        lambda inputs: by_document[inputs["document"]],
        data=name,
        evaluators=[route_correct, fields_correct],
        # langsmith's SUMMARY_EVALUATOR_T omits the (outputs, reference_outputs) -> dict form
        # that `evaluate` accepts at runtime (_normalize_summary_evaluator).
        summary_evaluators=[approval_precision],  # type: ignore[list-item]
        experiment_prefix="overture-eval",
        metadata={"prompt_versions": dict(prompt_versions)},
        client=client,
    )
    return str(experiment.experiment_name)
