"""Canonical JSON and its SHA-256: what binds an approval to the exact call that will run.

Issue 4 hashes `{"tool": name, "arguments": {...}}` with these helpers; keep them stable,
since a change of encoding changes every recorded hash.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic import BaseModel


def canonical_json(value: Any) -> str:
    """Sorted keys, no whitespace, decimals and dates as strings: one text per value."""
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def sha256_hex(value: Any) -> str:
    """SHA-256 of the canonical JSON of `value` (strings are hashed as JSON strings too)."""
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()
