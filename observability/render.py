"""Showing a thread's traces: a rich tree for the terminal, a self-contained HTML page.

The HTML page has no scripts and no external assets (inline CSS only, `<details>` for
folding), so it opens from a mail attachment or an air-gapped machine exactly as it was
written. Payloads are already masked in the sink; they are escaped here, never trusted.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from typing import Any

from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from observability.queries import AgentStats, TraceNode

_STATUS_STYLE = {"success": "green", "error": "bold red", "interrupted": "yellow"}
_PREVIEW_CHARS = 2_000


def _ms(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.1f} ms" if value < 10_000 else f"{value / 1000:,.2f} s"


def _label(node: TraceNode) -> Text:
    label = Text()
    label.append(node.name, style="bold" if node.run_type == "chain" else "")
    label.append(f" [{node.run_type}]", style="dim")
    label.append(f"  {_ms(node.latency_ms)}", style="cyan")
    if node.total_tokens:
        label.append(f"  {node.total_tokens} tok", style="magenta")
    if node.status != "success":
        label.append(f"  {node.status}", style=_STATUS_STYLE.get(node.status, ""))
    if node.error and node.status == "error":
        label.append(f"  {node.error.splitlines()[0][:120]}", style="red")
    return label


def _add(tree: Tree, node: TraceNode) -> None:
    branch = tree.add(_label(node))
    for child in node.children:
        _add(branch, child)


def rich_tree(thread_id: str, traces: Sequence[TraceNode]) -> Tree:
    """One tree per thread: a branch per invocation (run, resume), agents and calls below."""
    tree = Tree(Text(f"thread {thread_id}", style="bold"))
    for root in traces:
        meta = root.metadata
        case = ", ".join(
            f"{k}={meta[k]}" for k in ("document", "invoice_number", "route") if meta.get(k)
        )
        label = _label(root)
        label.append(f"  {root.start_time:%Y-%m-%d %H:%M:%S}", style="dim")
        if case:
            label.append(f"  {case}", style="dim")
        branch = tree.add(label)
        for child in root.children:
            _add(branch, child)
    return tree


def stats_table(stats: Sequence[AgentStats]) -> Table:
    """`overture stats`: one row per agent."""
    table = Table(title="Agents")
    for column in ("agent", "runs", "error rate", "p50", "p95", "tokens"):
        table.add_column(column, justify="left" if column == "agent" else "right")
    for row in stats:
        table.add_row(
            row.agent,
            str(row.runs),
            f"{row.error_rate:.1%}",
            _ms(row.p50_ms),
            _ms(row.p95_ms),
            f"{row.tokens:,}",
        )
    return table


_CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#1d2433;
background:#fff}
h1{font-size:20px;margin:0 0 4px}
.meta{color:#5b6478;margin-bottom:16px}
details{margin:2px 0 2px 18px;border-left:2px solid #e3e7ef;padding-left:8px}
summary{cursor:pointer;padding:2px 0;list-style-position:outside;position:relative;
padding-right:260px}
.name{font-weight:600}.type{color:#7a8499;font-size:12px;margin-left:6px}
.lat{color:#0b6e99;margin-left:10px}.tok{color:#8a3ffc;margin-left:10px}
.status-error{color:#c62828;font-weight:600;margin-left:10px}
.status-interrupted{color:#b26a00;font-weight:600;margin-left:10px}
.track{position:absolute;right:0;top:7px;width:250px}
.bar{display:block;height:8px;background:#8fb8de;border-radius:2px}
pre{background:#f6f8fb;border:1px solid #e3e7ef;padding:8px;overflow:auto;max-height:320px;
white-space:pre-wrap;word-break:break-word;font-size:12px}
.agent>summary .name{color:#14532d}
details.payload{border-left:none;color:#5b6478;font-size:12px;margin-left:18px}
"""


def _payload(title: str, value: Any) -> str:
    if value in (None, {}, []):
        return ""
    text = json.dumps(value, indent=2, ensure_ascii=False, default=str)
    if len(text) > _PREVIEW_CHARS:
        text = text[:_PREVIEW_CHARS] + "\n…"
    return (
        f'<details class="payload"><summary>{html.escape(title)}</summary>'
        f"<pre>{html.escape(text)}</pre></details>"
    )


_BAR_PX = 240


def _node_html(node: TraceNode, root: TraceNode, depth: int) -> str:
    # A waterfall: each bar starts where its run started within the invocation.
    total_ms = root.latency_ms or 0.0
    width = offset = 0.0
    if total_ms and node.latency_ms is not None:
        width = max(2.0, _BAR_PX * node.latency_ms / total_ms)
        start_ms = (node.start_time - root.start_time).total_seconds() * 1000
        offset = min(_BAR_PX - width, max(0.0, _BAR_PX * start_ms / total_ms))
    status = (
        f'<span class="status-{html.escape(node.status)}">{html.escape(node.status)}</span>'
        if node.status != "success"
        else ""
    )
    tokens = f'<span class="tok">{node.total_tokens} tok</span>' if node.total_tokens else ""
    css = "agent" if depth == 1 else ""
    parts = [
        f'<details class="{css}" data-run-type="{html.escape(node.run_type)}"'
        f' data-name="{html.escape(node.name)}" {"open" if depth < 2 else ""}>',
        f'<summary><span class="name">{html.escape(node.name)}</span>'
        f'<span class="type">{html.escape(node.run_type)}</span>'
        f'<span class="lat">{html.escape(_ms(node.latency_ms))}</span>{tokens}{status}'
        f'<span class="track"><span class="bar" style="margin-left:{offset:.0f}px;'
        f'width:{width:.0f}px"></span></span></summary>',
    ]
    if node.error:
        parts.append(_payload("error", node.error))
    parts.append(_payload("inputs", node.inputs))
    parts.append(_payload("outputs", node.outputs))
    parts.extend(_node_html(child, root, depth + 1) for child in node.children)
    parts.append("</details>")
    return "".join(parts)


def html_page(thread_id: str, traces: Sequence[TraceNode]) -> str:
    """A self-contained page: every invocation of the thread, agents open, calls folded."""
    sections = []
    for root in traces:
        meta = root.metadata
        facts = " · ".join(
            f"{html.escape(k)}: {html.escape(str(meta[k]))}"
            for k in ("workflow", "document", "invoice_number", "vendor", "route", "strategy")
            if meta.get(k)
        )
        sections.append(
            f'<section><div class="meta">{root.start_time:%Y-%m-%d %H:%M:%S} · {facts}</div>'
            f"{_node_html(root, root, 0)}</section>"
        )
    body = "".join(sections) or "<p>No traces stored for this thread.</p>"
    title = f"Overture trace · thread {html.escape(thread_id)}"
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{title}</title><style>{_CSS}</style></head><body>"
        f'<h1>{title}</h1><div class="meta">{len(traces)} invocation(s)</div>{body}'
        "</body></html>"
    )
