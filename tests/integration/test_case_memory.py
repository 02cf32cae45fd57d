"""Agents use long-term memory: audit remembers each case, verification recalls the vendor's."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from typer.testing import CliRunner

from core.settings import Settings
from nodes.case_memory import CASES
from overture.cli import app as cli
from overture.runtime import App
from overture.service import process_document, snapshot
from tests.llm_cases import EXAMPLES

pytestmark = pytest.mark.integration
DOCUMENTS = EXAMPLES / "documents"


def test_audit_remembers_every_finished_case_under_its_vendor(app: App) -> None:
    result = process_document(app, DOCUMENTS / "05_bank_change.pdf", "mem-05")

    [item] = app.store.search((CASES,))
    assert item.key == "mem-05/HCS-2026-0057" and item.namespace == (CASES, "V004")
    assert item.value["thread_id"] == "mem-05"
    assert item.value["outcome"] == result.status == "held_for_review"
    assert item.value["notable"] and "bank_details_differ" in item.value["findings"]


def test_verification_cites_the_vendors_earlier_bank_change(app: App) -> None:
    process_document(app, DOCUMENTS / "05_bank_change.pdf", "mem-05")
    process_document(app, DOCUMENTS / "09_french_facture.eml", "mem-09")  # another vendor

    later = process_document(app, DOCUMENTS / "12_clean_email.eml", "mem-12")

    report = snapshot(app, "mem-12").values["verification"]
    assert [c.thread_id for c in report.past_cases] == ["mem-05"]
    assert "bank details differ" in report.past_cases[0].text
    assert later.status == "paid"  # recall is evidence for a reviewer, never a new check


def test_memory_search_on_the_cli_finds_a_case_by_meaning(
    app: App,
    settings: Settings,
    cli_on: Callable[[str], CliRunner],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    process_document(app, DOCUMENTS / "05_bank_change.pdf", "mem-05")
    process_document(app, DOCUMENTS / "02_price_mismatch.pdf", "mem-02")
    monkeypatch.setenv("COLUMNS", "300")

    runner = cli_on(settings.resolved_database_url())
    shown = runner.invoke(cli, ["memory", "search", "bank details differ", "--limit", "1"])

    assert shown.exit_code == 0, shown.output
    assert "mem-05" in shown.output and "mem-02" not in shown.output


def test_cases_of_one_supervisor_thread_are_remembered_apart(app: App) -> None:
    process_document(app, DOCUMENTS / "05_bank_change.pdf", "sup-shared")
    process_document(app, DOCUMENTS / "12_clean_email.eml", "sup-shared")

    keys = sorted(item.key for item in app.store.search((CASES, "V004")))

    assert keys == ["sup-shared/HCS-2026-0057", "sup-shared/HCS-2026-0061"]
