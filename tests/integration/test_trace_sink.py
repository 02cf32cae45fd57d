"""The SQL trace sink on every backend; `overture traces` / `stats` render it; HTML in Chromium."""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langsmith import utils as ls_utils
from typer.testing import CliRunner

from core.db import make_engine
from observability.queries import agent_stats, thread_traces
from observability.tracing import flush_langsmith, tracing_config
from overture.cli_traces import app
from tests.databases import missing
from tests.integration.langsmith_recorder import LangSmithRecorder
from tests.tracing_toy import IBAN_COMPACT, build_toy_graph

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
AP_AGENTS = ("ingest", "verify", "route", "audit")


def _shape(node: Any) -> tuple:
    return (node.name, node.run_type, tuple(_shape(c) for c in node.children))


def test_sink_round_trip_on_every_backend(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        graph = build_toy_graph()
        for _ in range(2):
            graph.invoke({"document_path": "a.pdf"}, tracing_config("t-x", "toy", engine=engine))
        traces = thread_traces(engine, "t-x")
        assert len(traces) == 2
        assert _shape(traces[0]) == (
            "toy",
            "chain",
            (
                ("ingestion", "chain", (("GenericFakeChatModel", "llm", ()),)),
                ("verification", "chain", (("lookup_vendor", "tool", ()),)),
                ("audit", "chain", ()),
            ),
        )
        stats = {s.agent: s for s in agent_stats(engine)}
        assert stats["ingestion"].runs == 2 and stats["ingestion"].tokens == 118
    finally:
        engine.dispose()


@pytest.fixture
def ap_app(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A seeded SQLite database, the AP graph, and the CLI pointed at the same database."""
    from langgraph.checkpoint.memory import InMemorySaver

    from graphs.accounts_payable.context import Context
    from graphs.accounts_payable.graph import build_graph
    from tools.integrations.seed import load_seed_file
    from tools.migrate import upgrade

    monkeypatch.setenv("OVERTURE_DATABASE_URL", sqlite_url)
    engine = make_engine(sqlite_url)
    upgrade(engine)
    load_seed_file(engine)
    graph = build_graph(checkpointer=InMemorySaver())

    def run(document: str, thread: str) -> dict[str, Any]:
        config = tracing_config(thread, "accounts_payable", document=document, engine=engine)
        path = str(ROOT / "examples/documents" / document)
        return graph.invoke({"document_path": path}, config, context=Context(engine=engine))

    yield run, engine
    engine.dispose()


def test_sink_and_langsmith_store_the_same_tree(
    ap_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    run, engine = ap_app
    with LangSmithRecorder() as rec:
        monkeypatch.setenv("LANGSMITH_TRACING", "true")
        monkeypatch.setenv("LANGSMITH_ENDPOINT", rec.url)
        ls_utils.get_env_var.cache_clear()
        try:
            run("05_bank_change.pdf", "ap-same")
            flush_langsmith()
        finally:
            monkeypatch.delenv("LANGSMITH_TRACING")
            ls_utils.get_env_var.cache_clear()
    [root] = thread_traces(engine, "ap-same")
    local = {(n.id, n.name, n.run_type) for n in root.walk()}
    sent = {(r["id"], r["name"], r["run_type"]) for r in rec.recording.runs.values()}
    assert local == sent
    parents = {r["id"]: r.get("parent_run_id") for r in rec.recording.runs.values()}
    for node in root.walk():
        for child in node.children:
            assert parents[child.id] == node.id


def test_traces_cli_renders_tree_and_html(ap_app: Any, tmp_path: Path) -> None:
    run, _ = ap_app
    run("01_clean_match.pdf", "ap-cli")
    run("06_over_threshold.pdf", "ap-wait")
    runner = CliRunner()
    html_file = tmp_path / "trace.html"
    result = runner.invoke(app, ["traces", "ap-cli", "--html", str(html_file)])
    assert result.exit_code == 0, result.output
    for agent in (*AP_AGENTS, "execute", "accounts_payable", "ms"):
        assert agent in result.output
    page = html_file.read_text(encoding="utf-8")
    assert "<script" not in page and "http://" not in page and "https://" not in page
    assert IBAN_COMPACT not in page

    waiting = runner.invoke(app, ["traces", "ap-wait"])
    assert waiting.exit_code == 0 and "interrupted" in waiting.output

    missing = runner.invoke(app, ["traces", "nope"])
    assert missing.exit_code == 1 and "no traces" in missing.output

    stats = runner.invoke(app, ["stats"])
    assert stats.exit_code == 0
    for agent in AP_AGENTS:
        assert agent in stats.output


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
]


def _chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess[str]:
    if CHROMIUM is None:
        missing("chromium is not installed (apt-get install -y chromium)")
    return subprocess.run(
        [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _png_pixels(png: bytes) -> tuple[int, int, set[bytes]]:
    """Width, height and a sample of distinct pixels of an 8-bit RGB(A) PNG (stdlib only)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height, depth, colour = struct.unpack(">IIBB", png[16:26])
    data, pos = b"", 8
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos : pos + 8])
        if kind == b"IDAT":
            data += png[pos + 8 : pos + 8 + length]
        pos += 12 + length
    raw = zlib.decompress(data)
    channels = {2: 3, 6: 4}[colour]
    stride = width * channels + 1
    # Filter bytes make raw rows unreliable as colours; distinct row payloads still show
    # whether anything was drawn, which is all a non-blank check needs.
    rows = {raw[i * stride + 1 : (i + 1) * stride] for i in range(0, height, 7)}
    return width, height, rows


def test_html_opens_in_headless_chromium(ap_app: Any, tmp_path: Path) -> None:
    run, _ = ap_app
    run("01_clean_match.pdf", "ap-html")
    html_file = tmp_path / "trace.html"
    result = CliRunner().invoke(app, ["traces", "ap-html", "--html", str(html_file)])
    assert result.exit_code == 0, result.output

    shot = tmp_path / "shot.png"
    done = _chromium(
        [f"--screenshot={shot}", "--window-size=1280,900", html_file.as_uri()], tmp_path / "p1"
    )
    assert shot.exists(), done.stderr[-2000:]
    width, height, rows = _png_pixels(shot.read_bytes())
    assert (width, height) == (1280, 900)
    assert len(rows) > 10, "the screenshot is blank"

    dom = _chromium(["--dump-dom", html_file.as_uri()], tmp_path / "p2")
    assert dom.returncode == 0, dom.stderr[-2000:]
    for agent in (*AP_AGENTS, "execute"):
        assert f'data-name="{agent}"' in dom.stdout
