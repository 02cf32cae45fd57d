"""`overture extract FILE... --json`: one JSON object per file, nothing stored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from overture.cli import app

SPECIMENS = Path(__file__).parents[1] / "fixtures" / "einvoices"


def _records(*files: Path) -> list[dict[str, object]]:
    result = CliRunner().invoke(app, ["extract", "--json", *map(str, files)])
    return [json.loads(line) for line in result.output.splitlines() if line.strip()]


def test_an_e_invoice_prints_its_fields_with_their_sources() -> None:
    [record] = _records(SPECIMENS / "XML-Rechnung_UBL_EN16931_Einfach.ubl.xml")
    assert (record["invoice_number"], record["invoice_date"]) == ("471102", "2018-03-05")
    assert (record["vendor_name"], record["currency"], record["total"]) == (
        "Lieferant GmbH",
        "EUR",
        "529.87",
    )
    assert record["fields"]["total"] == {"source": "xml", "confidence": 1.0}
    assert record["error"] is None and len(record["lines"]) == 2


def test_an_incomplete_invoice_names_what_is_missing(tmp_path: Path) -> None:
    partial = tmp_path / "partial.txt"
    partial.write_text("Nordwind Bürobedarf GmbH\nGesamtbetrag   1.838,55 EUR\n")
    [record] = _records(partial)
    assert record["total"] == "1838.55" and "invoice_number" in record["missing"]
    assert "invoice_number" in str(record["error"])


def test_an_unreadable_file_is_an_error_line_and_the_others_still_print(tmp_path: Path) -> None:
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    records = _records(empty, SPECIMENS / "XML-Rechnung_CII_EN16931_Einfach.cii.xml")
    assert "empty file" in str(records[0]["error"]) and records[0]["total"] is None
    assert records[1]["total"] == "529.87"


def test_extract_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OVERTURE_HOME", str(tmp_path / "home"))
    _records(SPECIMENS / "XML-Rechnung_CII_EN16931_Einfach.cii.xml")
    assert not (tmp_path / "home").exists()
