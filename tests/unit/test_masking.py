"""Masking: bank numbers and secrets never survive; ordinary invoice data does."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from pydantic import BaseModel

from observability.masking import REDACTED, anonymize, mask, mask_text, to_jsonable


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("DE89 3704 0044 0532 0130 00", "DE…3000"),
        ("DE89370400440532013000", "DE…3000"),
        ("FR76 3000 6000 0112 3456 7890 189", "FR…0189"),
        ("GB82WEST12345698765432", "GB…5432"),
        ("NO93 8601 1117 947", "NO…7947"),
    ],
)
def test_ibans_keep_country_and_last_four(raw: str, masked: str) -> None:
    assert mask_text(f"Pay to {raw}.") == f"Pay to {masked}."


def test_following_words_are_not_swallowed() -> None:
    assert mask_text("IBAN DE89 3704 0044 0532 0130 00 BIC COBADEFFXXX") == (
        "IBAN DE…3000 BIC COBADEFFXXX"
    )


@pytest.mark.parametrize(
    "text",
    [
        "Account No: 1234 5678 90",
        "Konto 1234567890",
        "Kontonummer: 0532013000",
        "Compte n° 12345 67890",
        "Sort code 20-00-00",
    ],
)
def test_labelled_account_numbers(text: str) -> None:
    digits = "".join(c for c in text if c.isdigit())
    assert digits[:-4] not in "".join(c for c in mask_text(text) if c.isdigit())


@pytest.mark.parametrize(
    "secret",
    [
        "sk-proj-abcdefghijklmnop1234",
        "sk-abcdefghijklmnopqrstuv",
        "lsv2_pt_0123456789abcdef_0123",
        "ghp_abcdefghijklmnopqrstuvwxyz",
    ],
)
def test_api_keys(secret: str) -> None:
    assert secret not in mask_text(f"key={secret} end")
    assert REDACTED in mask_text(f"key={secret} end")


def test_bearer_tokens() -> None:
    assert mask_text("Authorization: Bearer eyJhbGciOi.abc.def") == (
        f"Authorization: Bearer {REDACTED}"
    )


@pytest.mark.parametrize(
    "text",
    [
        "Invoice NW-2026-00417 dated 2026-02-24, total 1.838,55 EUR",
        "PO-2026-0101, VAT DE123456789, FR12345678901",
        "run 01a21372-b1a9-74f2-9a55-0c2f1f0fbd7e, sha 9f86d081884c7d659a2feaa0c55ad015",
    ],
)
def test_ordinary_invoice_data_is_untouched(text: str) -> None:
    assert mask_text(text) == text


def test_keys_decide_whole_values() -> None:
    data = {"api_key": "anything", "iban": "12345678", "nested": [{"password": "p"}]}
    assert mask(data) == {"api_key": REDACTED, "iban": "…5678", "nested": [{"password": REDACTED}]}


def test_langsmith_anonymizer_masks_nested_payloads() -> None:
    payload = {"error": "ValueError: cannot pay DE89370400440532013000"}
    assert anonymize(payload) == {"error": "ValueError: cannot pay DE…3000"}


class _Invoice(BaseModel):
    total: Decimal
    issued: date
    iban: str


def test_to_jsonable_models_decimals_dates_and_cut() -> None:
    value = {"invoice": _Invoice(total=Decimal("10.50"), issued=date(2026, 2, 1), iban="x")}
    assert to_jsonable(value) == {
        "invoice": {"total": "10.50", "issued": "2026-02-01", "iban": "x"}
    }
    cut = to_jsonable("a" * 50, max_chars=10)
    assert cut.startswith("a" * 10) and "40 more characters" in cut
    assert to_jsonable(b"\x00\x01") == "<2 bytes>"
