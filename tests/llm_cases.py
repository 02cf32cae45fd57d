"""What a well-behaved model would answer for a sample document: its expected extraction."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def expected(name: str) -> dict[str, Any]:
    return json.loads((EXAMPLES / "expected.json").read_text())[name]


def model_answer(name: str) -> dict[str, Any]:
    """The `ExtractedInvoice` arguments a correct model gives for sample `name`."""
    case = expected(name)
    return {**case["fields"], "lines": case["lines"]}
