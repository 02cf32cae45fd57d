"""Find the line table in invoice text by arithmetic, not by layout.

A row is any text line ending in three numbers where quantity x unit price = amount. That
survives PDF text extraction joining cells with single spaces, French thousands written
with spaces (`2 1 180,00 2 360,00`), and descriptions that end in a number.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from nodes._parse import parse_number
from overture.domain import InvoiceLine

_CURRENCY = {"EUR", "USD", "GBP", "CHF", "€", "$", "£"}
_SKU = re.compile(r"^(?=.*\d)[A-Z0-9]+(?:[-./][A-Z0-9]+)+$")
_GROUP = re.compile(r"^\d{3}(?:[.,]\d+)?$")


def _numbers_ending_at(tokens: list[str], end: int, mark: str) -> Iterator[tuple[Decimal, int]]:
    """Numbers that end at token `end` (exclusive): one token, or space-grouped thousands."""
    for start in range(end - 1, max(-1, end - 4), -1):
        if start < end - 1 and not _GROUP.match(tokens[start + 1]):
            return
        if start < end - 1 and not re.fullmatch(r"\d{1,3}", tokens[start]):
            continue
        value = parse_number(" ".join(tokens[start:end]), mark)
        if value is not None:
            yield value, start


def parse_row(text: str, mark: str) -> InvoiceLine | None:
    """An `InvoiceLine` if `text` ends in quantity, unit price, amount that multiply out."""
    tokens = text.split()
    while tokens and tokens[-1] in _CURRENCY:
        tokens.pop()
    for amount, a in _numbers_ending_at(tokens, len(tokens), mark):
        for price, p in _numbers_ending_at(tokens, a, mark):
            for qty, q in _numbers_ending_at(tokens, p, mark):
                if q == 0 or qty == 0 or abs(qty * price - amount) > Decimal("0.01"):
                    continue
                head = tokens[:q]
                sku = head[0] if head and _SKU.match(head[0]) else None
                description = " ".join(head[1:] if sku else head)
                if description:
                    return InvoiceLine(
                        description=description,
                        quantity=qty,
                        unit_price=price,
                        amount=amount,
                        sku=sku,
                    )
    return None
