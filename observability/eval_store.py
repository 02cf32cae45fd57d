"""Evaluation runs in SQL: metrics with the model, prompt versions and code version behind them.

A stored run is what `overture eval --compare BASELINE` compares against; BASELINE is a run
id (or a unique prefix of one), a label, `latest`, or a JSON file of metrics (for a baseline
kept in the repository rather than in a database).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, insert, or_, select

from core.errors import OvertureError
from observability.evaluation import ExampleResult
from observability.schema import ensure_tables, eval_results, eval_runs


@dataclass(frozen=True)
class EvalRun:
    """One stored evaluation: its identity, its setting, its metrics."""

    id: str
    created_at: datetime | None
    label: str | None
    model: str
    prompt_versions: dict[str, str]
    code_version: str | None
    metrics: dict[str, float | None]


def code_version(repo: Path | None = None) -> str | None:
    """`<git sha>` of the working tree, `+dirty` when tracked files changed; None without git."""
    cwd = repo or Path.cwd()
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True, text=True, timeout=10
        )
        if sha.returncode != 0:
            return None
        dirty = subprocess.run(
            ["git", "diff", "--quiet", "HEAD", "--"], cwd=cwd, capture_output=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return sha.stdout.strip() + ("+dirty" if dirty.returncode == 1 else "")


def file_sha256(path: Path) -> str:
    """Digest of a dataset file (or of a folder's *.jsonl files in order)."""
    digest = hashlib.sha256()
    files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
    for file in files:
        digest.update(file.read_bytes())
    return digest.hexdigest()


def save_eval_run(
    engine: Engine,
    *,
    dataset: Path,
    results: Sequence[ExampleResult],
    metrics: Mapping[str, float | None],
    model: str,
    prompt_versions: Mapping[str, str],
    label: str | None = None,
    code: str | None = None,
) -> EvalRun:
    """Store an evaluation run and its per-example results; one transaction."""
    ensure_tables(engine)
    run = EvalRun(
        id=str(uuid.uuid4()),
        created_at=datetime.now(UTC),
        label=label,
        model=model,
        prompt_versions=dict(prompt_versions),
        code_version=code,
        metrics=dict(metrics),
    )
    with engine.begin() as conn:
        conn.execute(
            insert(eval_runs),
            {
                "id": run.id,
                "created_at": run.created_at,
                "label": label,
                "dataset": str(dataset),
                "dataset_sha256": file_sha256(dataset),
                "examples": len(results),
                "model": model,
                "prompt_versions": json.dumps(run.prompt_versions, sort_keys=True),
                "code_version": code,
                "metrics": json.dumps(run.metrics, sort_keys=True),
            },
        )
        if results:
            conn.execute(
                insert(eval_results),
                [
                    {
                        "eval_run_id": run.id,
                        "example_id": r.example.id,
                        "document": r.example.document,
                        "expected_route": r.example.route,
                        "predicted_route": r.predicted_route,
                        "fields": json.dumps(r.fields, sort_keys=True, default=str),
                        "latency_ms": r.latency_ms,
                        "error": r.error,
                    }
                    for r in results
                ],
            )
    return run


def _from_row(row: Mapping) -> EvalRun:
    return EvalRun(
        id=row["id"],
        created_at=row["created_at"],
        label=row["label"],
        model=row["model"],
        prompt_versions=json.loads(row["prompt_versions"]),
        code_version=row["code_version"],
        metrics=json.loads(row["metrics"]),
    )


class BaselineNotFound(OvertureError, LookupError):
    """The `--compare` reference matches no stored evaluation run (or more than one)."""


def load_baseline(engine: Engine, ref: str, *, exclude: str | None = None) -> EvalRun:
    """Resolve BASELINE: a metrics JSON file, `latest`, a run id or unique prefix, or a label
    (the newest run with it)."""
    path = Path(ref)
    if ref.endswith(".json") and path.is_file():
        raw = json.loads(path.read_text(encoding="utf-8"))
        metrics = raw.get("metrics", raw)
        return EvalRun(ref, None, ref, str(raw.get("model", "?")), {}, None, metrics)
    ensure_tables(engine)
    query = select(eval_runs).order_by(eval_runs.c.created_at.desc())
    if exclude is not None:
        query = query.where(eval_runs.c.id != exclude)
    if ref != "latest":
        query = query.where(
            or_(eval_runs.c.id.startswith(ref, autoescape=True), eval_runs.c.label == ref)
        )
    with engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    if not rows:
        raise BaselineNotFound(
            f"no evaluation run matches {ref!r}; list them with `overture eval --list`, "
            "or pass a metrics JSON file"
        )
    ids = {r["id"] for r in rows if r["id"].startswith(ref)}
    if len(ids) > 1:
        raise BaselineNotFound(f"{ref!r} matches {len(ids)} runs; give more of the id")
    return _from_row(rows[0])


def list_eval_runs(engine: Engine, limit: int = 20) -> list[EvalRun]:
    """The newest evaluation runs, for `overture eval --list`."""
    ensure_tables(engine)
    query = select(eval_runs).order_by(eval_runs.c.created_at.desc()).limit(limit)
    with engine.connect() as conn:
        return [_from_row(r) for r in conn.execute(query).mappings()]
