"""`overture eval`: run the labelled dataset, store the results, gate on drift."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from observability.evaluation import Delta

DEFAULT_DATASET = Path("examples/eval")
console = Console()


def _fmt(value: float | None, metric: str) -> str:
    if value is None:
        return "–"
    return f"{value:,.1f}" if metric.startswith("latency") else f"{value:.3f}"


def delta_table(deltas: list[Delta], baseline: str) -> Table:
    """Per-metric deltas against the baseline, regressions in red."""
    table = Table(title=f"Against baseline {baseline}")
    for column in ("metric", "baseline", "now", "delta", ""):
        table.add_column(column, justify="left" if column in {"metric", ""} else "right")
    for d in deltas:
        change = "–" if d.change is None else f"{d.change:+.3f}"
        table.add_row(
            d.metric,
            _fmt(d.baseline, d.metric),
            _fmt(d.current, d.metric),
            change,
            "[red]REGRESSED[/red]" if d.regressed else "",
        )
    return table


def eval_command(
    dataset: Annotated[
        Path, typer.Option(help="A JSONL dataset, or a folder of them.")
    ] = DEFAULT_DATASET,
    compare: Annotated[
        str | None,
        typer.Option(
            "--compare",
            help="Baseline: an eval run id (or prefix), a label, `latest`, or a metrics JSON.",
        ),
    ] = None,
    threshold: Annotated[
        float, typer.Option(help="Largest tolerated absolute drop of an accuracy metric.")
    ] = 0.02,
    latency_threshold: Annotated[
        float, typer.Option(help="Largest tolerated relative latency growth (1.0 = doubled).")
    ] = 1.0,
    label: Annotated[str | None, typer.Option(help="Name this run (e.g. a branch).")] = None,
    extractor: Annotated[
        str | None,
        typer.Option(help="Extraction strategy to evaluate, as 'package.module:Name'."),
    ] = None,
    workflow: Annotated[
        str, typer.Option("--workflow", "-w", help="The workflow evaluated.")
    ] = "accounts_payable",
    langsmith: Annotated[
        bool,
        typer.Option(help="Also upload dataset and results to LangSmith (needs its env vars)."),
    ] = False,
) -> None:
    """Evaluate a workflow on a labelled dataset (procurement's: examples/procurement/eval.jsonl);
    fail on a regression."""
    from core.db import settings_engine
    from core.settings import Settings
    from observability.eval_store import code_version, load_baseline, save_eval_run
    from observability.evaluation import compare as compare_metrics
    from observability.evaluation import evaluate, load_dataset, metrics, regressions
    from overture.eval_runner import load_object, workflow_runner
    from overture.models import model_spec
    from overture.workflows import workflow_spec

    settings = Settings()
    examples = load_dataset(dataset)
    if not examples:
        console.print(f"[red]no examples in {dataset}[/red]")
        raise typer.Exit(2)
    strategy = load_object(extractor) if extractor else None
    model = model_spec(settings) + (f" extractor={extractor}" if extractor else "")
    spec = workflow_spec(workflow)
    with workflow_runner(settings, workflow, extractor=strategy) as run_document:
        results = evaluate(examples, run_document, dataset, spec.extracted)
    scores = metrics(results)
    engine = settings_engine(settings)
    versions = spec.prompt_versions
    stored = save_eval_run(
        engine,
        dataset=dataset,
        results=results,
        metrics=scores,
        model=model,
        prompt_versions=versions,
        label=label,
        code=code_version(),
    )
    summary = Table(title=f"Evaluation {stored.id} ({len(examples)} documents, {model})")
    summary.add_column("metric")
    summary.add_column("value", justify="right")
    for name, value in scores.items():
        summary.add_row(name, _fmt(value, name))
    console.print(summary)
    if langsmith:
        from observability.eval_langsmith import upload

        console.print(f"LangSmith experiment: {upload(dataset, examples, results, versions)}")
    if compare is None:
        return
    baseline = load_baseline(engine, compare, exclude=stored.id)
    deltas = compare_metrics(
        scores, baseline.metrics, threshold=threshold, latency_threshold=latency_threshold
    )
    console.print(delta_table(deltas, baseline.label or baseline.id))
    failed = regressions(deltas)
    if failed:
        names = ", ".join(d.metric for d in failed)
        console.print(f"[bold red]drift gate: regression in {names}[/bold red]")
        typer.echo(f"regressed: {names}", err=True)
        raise typer.Exit(1)
    console.print("[green]no regression beyond the thresholds[/green]")
