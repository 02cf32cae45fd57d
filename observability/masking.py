"""Masking of bank numbers and secrets, applied before a trace is written or sent anywhere.

One function (`mask`) serves the local SQL sink, the LangSmith client (as its `anonymizer`)
and the renderers, so what is stored and what is uploaded cannot disagree. It works on
JSON-able data: `to_jsonable` turns Pydantic models, messages, decimals and dates into that
shape first.

Masked values keep the country code and the last four characters (`DE…3000`): enough for a
person to tell two accounts apart in a trace, not enough to pay into one.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from functools import lru_cache
from pathlib import PurePath
from typing import Any
from uuid import UUID

REDACTED = "[REDACTED]"

# One pattern, one pass over each string: masking runs on every payload of every run, and
# eight separate `re.sub` passes were most of the trace sink's cost (bench/tracing.py).
_SENSITIVE = re.compile(
    # IBAN: country code, check digits, then groups of four (printed with or without
    # spaces) and a short last group. Upper case only: lower-case words are far more often
    # not IBANs. Groups keep a following word ("... 00 BIC COBADEFF") out of the match.
    r"(?P<iban>\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b)"
    # Labelled domestic account numbers: "Account No: 1234 5678", "Konto 12345678", ...
    r"|(?i:\b(?P<label>account(?:\s*(?:no\.?|number|#))?|acct\.?|konto(?:nummer)?|"
    r"kontonr\.?|compte(?:\s*n[o°]\.?)?|routing(?:\s*number)?|sort\s*code|blz)"
    r"(?P<sep>\s*[:#]?\s*)(?P<account>\d[\d \-]{4,}\d))"
    # API keys: OpenAI/Anthropic, LangSmith (current and legacy), GitHub, AWS key ids.
    r"|(?P<secret>\bsk-(?:proj-|ant-)?[A-Za-z0-9_\-]{8,}|\blsv2_[A-Za-z0-9_]{8,}"
    r"|\bls__[A-Za-z0-9]{8,}|\b(?:ghp|gho|github_pat)_[A-Za-z0-9_]{16,}|\bAKIA[0-9A-Z]{16}\b)"
    # Authorization header values.
    r"|(?i:\b(?P<scheme>bearer|basic)\s+[A-Za-z0-9._~+/=\-]{8,})"
)
_SHORTEST_SECRET = 8
# Keys whose whole value is a secret, whatever it looks like.
_SECRET_KEYS = re.compile(
    r"(?i)(api[_-]?key|secret|password|passwd|authorization|auth[_-]?token|access[_-]?token|"
    r"refresh[_-]?token|x-api-key|private[_-]?key)"
)
# Keys whose value is a bank account even when it does not look like an IBAN.
_BANK_KEYS = re.compile(r"(?i)^(iban|account|account_number|bank_account|konto|bic_iban)$")


def _tail(value: str) -> str:
    compact = re.sub(r"\s", "", value)
    return compact[-4:] if len(compact) > 4 else ""


def mask_account(value: str) -> str:
    """`DE89 3704 0044 0532 0130 00` -> `DE…3000`; any other account -> `…<last 4>`."""
    compact = re.sub(r"\s", "", value)
    prefix = compact[:2] if compact[:2].isalpha() else ""
    return f"{prefix}…{_tail(compact)}"


_IBAN_MIN_LENGTH = 15  # Norway; shorter matches are VAT ids like FR12345678901


def _replace(match: re.Match[str]) -> str:
    if match.group("iban") is not None:
        # No mod-97 check on purpose: a mistyped IBAN is still someone's bank details.
        if len(match.group("iban").replace(" ", "")) < _IBAN_MIN_LENGTH:
            return match.group(0)
        return mask_account(match.group("iban"))
    if match.group("account") is not None:
        return f"{match.group('label')}{match.group('sep')}{mask_account(match.group('account'))}"
    if match.group("scheme") is not None:
        return f"{match.group('scheme')} {REDACTED}"
    return REDACTED


@lru_cache(maxsize=4096)
def _mask_cached(text: str) -> str:
    return _SENSITIVE.sub(_replace, text)


def mask_text(text: str) -> str:
    """Mask IBANs, labelled account numbers, API keys and bearer tokens inside free text.

    Cached: a workflow's state (a document's text) reappears in every node's inputs and
    outputs, so most strings of a trace have been masked before.
    """
    if len(text) < _SHORTEST_SECRET:
        return text
    return _mask_cached(text)


def mask(value: Any, *, key: str | None = None) -> Any:
    """Mask JSON-able data recursively; the dict key decides when a whole value is secret."""
    if isinstance(value, str):
        if key is not None and _SECRET_KEYS.search(key):
            return REDACTED
        if key is not None and _BANK_KEYS.match(key) and value.strip():
            return mask_account(value)
        return mask_text(value)
    if isinstance(value, Mapping):
        return {k: mask(v, key=str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask(v, key=key) for v in value]
    return value


def to_jsonable(value: Any, *, max_chars: int | None = None, _depth: int = 0) -> Any:
    """Turn run inputs/outputs into JSON-able data; long strings are cut to `max_chars`.

    Cutting matters: a 20 MB document in a node's input must not become a 20 MB row.
    """
    if _depth > 40:
        return "<nested too deep>"
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        if max_chars is not None and len(value) > max_chars:
            return f"{value[:max_chars]}… [{len(value) - max_chars} more characters]"
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, UUID | PurePath):
        return str(value)
    if isinstance(value, Enum):
        return to_jsonable(value.value, max_chars=max_chars, _depth=_depth + 1)
    if isinstance(value, bytes | bytearray):
        return f"<{len(value)} bytes>"
    if isinstance(value, Mapping):
        return {
            str(k): to_jsonable(v, max_chars=max_chars, _depth=_depth + 1) for k, v in value.items()
        }
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v, max_chars=max_chars, _depth=_depth + 1) for v in value]
    dumped = _structured(value)
    if dumped is not None:
        return to_jsonable(dumped, max_chars=max_chars, _depth=_depth + 1)
    return to_jsonable(repr(value), max_chars=max_chars, _depth=_depth + 1)


def _structured(value: Any) -> Any | None:
    """Pydantic models, LangChain serializables, dataclasses, LangGraph interrupts/commands."""
    model_dump = getattr(value, "model_dump", None)
    if callable(model_dump):
        try:
            return model_dump(mode="json")
        except Exception:  # noqa: BLE001 - fall back to repr for exotic models
            return None
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if hasattr(value, "_asdict"):
        return value._asdict()
    return None


def masked_jsonable(value: Any, *, max_chars: int | None = None) -> Any:
    """`to_jsonable` then `mask`: the one path every trace payload takes."""
    return mask(to_jsonable(value, max_chars=max_chars))


def anonymize(payload: dict[str, Any]) -> dict[str, Any]:
    """The LangSmith client's `anonymizer` hook (inputs, outputs, metadata and error)."""
    masked = mask(payload)
    return masked if isinstance(masked, dict) else payload
