"""Find the line table in invoice text by arithmetic, not by layout.

A row is any text line ending in three numbers where quantity x unit price = amount. That
survives PDF text extraction joining cells with single spaces, French thousands written
with spaces (`2 1 180,00 2 360,00`), and descriptions that end in a number.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from core.domain import InvoiceLine
from nodes.ingestion._parse import CURRENCY_SYMBOLS, ISO_CURRENCIES, parse_number

_CURRENCY = {*ISO_CURRENCIES, *(symbol for symbol, _ in CURRENCY_SYMBOLS)}
_SKU = re.compile(r"^[A-Z0-9]+(?:[-./][A-Z0-9]+)+$")
_GROUP = re.compile(r"^\d{3}(?:[.,]\d+)?$")


def _numbers_ending_at(tokens: list[str], end: int, mark: str) -> Iterator[tuple[Decimal, int]]:
    """Numbers that end at token `end` (exclusive), longest first: `2 360,00` before `360,00`.

    Longest first because `2 1 180,00 2 360,00` also multiplies out as 180 x 2 = 360.
    """
    start = end - 1
    while start > 0 and end - start < 3 and _GROUP.match(tokens[start]):
        if not re.fullmatch(r"\d{1,3}", tokens[start - 1]):
            break
        start -= 1
    for first in range(start, end):
        value = parse_number(" ".join(tokens[first:end]), mark)
        if value is not None:
            yield value, first


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
