"""The store is shared between OS processes: a restart reloads, another writer is noticed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.memory_helpers import open_store

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
QUERIES = ["bank account changed", "duplicate invoice", "price mismatch on receipt"]
TEXTS = [
    "vendor {n} changed their bank account details",
    "duplicate invoice {n} detected and rejected",
    "price mismatch on receipt for order {n}",
    "manager {n} approved an urgent payment",
]


def _worker(command: str, url: str, payload: dict) -> dict:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.integration.memory_worker",
            command,
            url,
            json.dumps(payload),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _fill(store, count: int = 80) -> None:
    for n in range(count):
        ns = ("cases", f"vendor{n % 5}")
        store.put(ns, f"case{n}", {"text": TEXTS[n % len(TEXTS)].format(n=n), "n": n})


def test_a_new_process_sees_every_item_and_the_same_rankings_without_embedding(
    db_url: str,
) -> None:
    with open_store(db_url) as store:
        _fill(store)
        store.delete(("cases", "vendor0"), "case5")
        items = [[list(i.namespace), i.key, i.value] for i in store.search((), limit=1000)]
        answers = [
            [[list(r.namespace), r.key, r.score] for r in store.search((), query=q, limit=10)]
            for q in QUERIES
        ]

    seen = _worker("load", db_url, {"queries": QUERIES})

    assert seen["calls_while_loading"] == 0
    assert seen["items"] == items
    assert seen["answers"] == answers


def test_a_search_sees_puts_and_deletes_made_by_another_process(db_url: str) -> None:
    with open_store(db_url) as store:
        _fill(store, 20)
        assert store.search((), query="bank account")  # index loaded before the other write
        _worker(
            "write",
            db_url,
            {
                "puts": [[["cases", "vendor9"], "fresh", {"text": "iban swapped by fraudster"}]],
                "deletes": [[["cases", "vendor0"], "case0"]],
            },
        )

        found = store.search((), query="iban swapped by fraudster", limit=3)
        every_key = {r.key for r in store.search((), query="vendor bank account", limit=100)}

    assert found[0].key == "fresh"
    assert "case0" not in every_key
