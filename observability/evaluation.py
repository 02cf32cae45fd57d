"""Evaluation of a workflow against a labelled dataset, and the drift gate.

A dataset is JSONL (examples/eval/*.jsonl), one document per line:
`{"id", "document": "examples/documents/...", "route", "fields": {field: expected string}}`.
The workflow is reached through one callable, `run_document(path) -> final state`, so the
scoring here knows nothing of graphs, databases or models (overture/eval_runner.py builds
that callable for a workflow's real graph). Fields are read from the state key holding what
the workflow extracted: `invoice` for accounts payable, `request` for procurement.

Metrics: `field_accuracy.<field>` per field and `field_accuracy` over all fields,
`route_accuracy`, `approval_precision` (of the documents paid without a human, the share
that should have been), `error_rate`, `latency_p50_ms` / `latency_p95_ms`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal

from observability.queries import percentile

RunDocument = Callable[[Path], Mapping[str, Any]]
Direction = Literal["higher", "lower"]

AUTO_APPROVE = "auto_approve"


@dataclass(frozen=True)
class Example:
    """One labelled document."""

    id: str
    document: str
    route: str
    fields: dict[str, str | None]


@dataclass
class ExampleResult:
    """What the workflow did with one example, scored field by field."""

    example: Example
    predicted_route: str | None
    fields: dict[str, dict[str, Any]] = field(default_factory=dict)
    latency_ms: float = 0.0
    error: str | None = None

    @property
    def route_ok(self) -> bool:
        """Did the run end on the labelled route?"""
        return self.predicted_route == self.example.route


def load_dataset(path: Path) -> list[Example]:
    """Examples from a JSONL file, or from every `*.jsonl` in a folder (sorted)."""
    files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
    examples: list[Example] = []
    for file in files:
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
                examples.append(
                    Example(
                        id=str(raw["id"]),
                        document=str(raw["document"]),
                        route=str(raw["route"]),
                        fields=dict(raw.get("fields") or {}),
                    )
                )
            except (ValueError, KeyError) as error:
                raise ValueError(f"{file}:{number}: not a dataset example ({error})") from error
    return examples


def resolve_document(document: str, dataset: Path) -> Path:
    """A dataset's document path: as given (relative to the working directory), else relative
    to the repository holding the dataset (examples/eval/x.jsonl -> repo root)."""
    candidate = Path(document)
    if candidate.is_absolute() or candidate.exists():
        return candidate
    base = dataset if dataset.is_dir() else dataset.parent
    for parent in (base, *base.parents):
        if (parent / document).exists():
            return parent / document
    return candidate


def normalise(field_name: str, value: Any) -> str | None:
    """A field value as the dataset writes it: ISO dates, plain decimals, compact IBANs."""
    if value is None:
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    text = str(value).strip()
    if not text:
        return None
    if field_name == "iban":
        return text.replace(" ", "").upper()
    if field_name in {"subtotal", "tax", "total"}:
        try:
            return format(Decimal(text).normalize(), "f")
        except InvalidOperation:
            return text
    if field_name == "currency":
        return text.upper()
    return " ".join(text.split()).casefold()


def _get(obj: Any, name: str) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name)
    return getattr(obj, name, None)


def route_of(state: Mapping[str, Any]) -> str | None:
    """The route a final state ended on."""
    route = state.get("route")
    return str(route) if route else None


def score_example(
    example: Example,
    state: Mapping[str, Any],
    latency_ms: float,
    error: str | None = None,
    subject: str = "invoice",
) -> ExampleResult:
    """Compare one final state with its labels (fields of `state[subject]`)."""
    invoice = state.get(subject)
    result = ExampleResult(
        example=example, predicted_route=route_of(state), latency_ms=latency_ms, error=error
    )
    for name, expected in example.fields.items():
        want = normalise(name, expected)
        got = normalise(name, _get(invoice, name)) if invoice is not None else None
        result.fields[name] = {"expected": expected, "got": got, "ok": want == got}
    return result


def evaluate(
    examples: Sequence[Example], run_document: RunDocument, dataset: Path, subject: str = "invoice"
) -> list[ExampleResult]:
    """Run every example through the workflow; a crash is scored, never raised."""
    results = []
    for example in examples:
        path = resolve_document(example.document, dataset)
        started = time.perf_counter()
        try:
            state: Mapping[str, Any] = run_document(path)
            error = None
        except Exception as exc:  # noqa: BLE001 - one bad example must not stop the others
            state, error = {}, f"{type(exc).__name__}: {exc}"
        latency_ms = (time.perf_counter() - started) * 1000
        results.append(score_example(example, state, latency_ms, error, subject))
    return results


def auto_approval_precision(routes: Iterable[tuple[str | None, str]]) -> float | None:
    """Of the (predicted, labelled) routes paid without a human, the share that should be."""
    auto = [labelled for predicted, labelled in routes if predicted == AUTO_APPROVE]
    return sum(labelled == AUTO_APPROVE for labelled in auto) / len(auto) if auto else None


def metrics(results: Sequence[ExampleResult]) -> dict[str, float | None]:
    """Aggregate metrics of an evaluation; None where a metric is undefined."""
    out: dict[str, float | None] = {}
    per_field: dict[str, list[bool]] = {}
    for result in results:
        for name, outcome in result.fields.items():
            per_field.setdefault(name, []).append(bool(outcome["ok"]))
    every = [ok for oks in per_field.values() for ok in oks]
    out["field_accuracy"] = sum(every) / len(every) if every else None
    for name in sorted(per_field):
        oks = per_field[name]
        out[f"field_accuracy.{name}"] = sum(oks) / len(oks)
    out["route_accuracy"] = sum(r.route_ok for r in results) / len(results) if results else None
    out["approval_precision"] = auto_approval_precision(
        (r.predicted_route, r.example.route) for r in results
    )
    out["error_rate"] = (
        sum(r.error is not None for r in results) / len(results) if results else None
    )
    latencies = [r.latency_ms for r in results]
    out["latency_p50_ms"] = percentile(latencies, 50)
    out["latency_p95_ms"] = percentile(latencies, 95)
    return out


def direction(metric: str) -> Direction:
    """Whether a bigger value of `metric` is better."""
    return "lower" if metric.startswith("latency") or metric == "error_rate" else "higher"


@dataclass(frozen=True)
class Delta:
    """One metric, now against the baseline, and whether it regressed beyond its threshold."""

    metric: str
    baseline: float | None
    current: float | None
    regressed: bool

    @property
    def change(self) -> float | None:
        """current - baseline, when both exist."""
        if self.baseline is None or self.current is None:
            return None
        return self.current - self.baseline


def compare(
    current: Mapping[str, float | None],
    baseline: Mapping[str, float | None],
    *,
    threshold: float = 0.02,
    latency_threshold: float = 1.0,
) -> list[Delta]:
    """Per-metric deltas. Quality metrics regress when they drop by more than `threshold`
    (absolute); latency when it grows by more than `latency_threshold` (relative: 1.0 =
    doubled), because latency on a shared machine is noisy and accuracy is not."""
    deltas = []
    for metric in sorted(set(current) | set(baseline)):
        now, then = current.get(metric), baseline.get(metric)
        regressed = False
        if now is not None and then is not None:
            if metric.startswith("latency"):
                regressed = now > then * (1 + latency_threshold)
            elif direction(metric) == "higher":
                regressed = then - now > threshold
            else:
                regressed = now - then > threshold
        elif then is not None and now is None and direction(metric) == "higher":
            regressed = True
        deltas.append(Delta(metric, then, now, regressed))
    return deltas


def regressions(deltas: Iterable[Delta]) -> list[Delta]:
    """The deltas that fail the drift gate."""
    return [d for d in deltas if d.regressed]
