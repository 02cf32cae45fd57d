"""The money fields of laid-out invoice text: net, tax, gross total and amount due, chosen so
that they agree with each other and with the line table.

Candidates come from labels (nodes/ingestion/_fields.py). A candidate on a line that also names a
prepayment, discount, quantity or carried-forward sum is dropped (`EXCLUDED`); zeros lose to
non-zero amounts. Then the first combination with net + tax = gross (or lines + tax = gross)
wins, checked; failing that the last gross amount beside its label.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from nodes.ingestion._fields import Candidate, candidates
from nodes.ingestion._parse import NUMERIC_DATE, amounts
from nodes.ingestion._vocabulary import excluded_regex

LABELLED, BELOW, GUESSED, CHECKED = 0.9, 0.8, 0.6, 0.99
MONEY_FIELDS = ("subtotal", "tax", "total", "amount_due")
_TOLERANCE = Decimal("0.01")


@dataclass
class Money:
    """The chosen amounts and their confidence."""

    values: dict[str, Decimal] = field(default_factory=dict)
    confidence: dict[str, float] = field(default_factory=dict)

    def put(self, name: str, value: Decimal | None, score: float) -> None:
        if value is not None:
            self.values[name], self.confidence[name] = value, score


@dataclass(frozen=True)
class _Found:
    value: Decimal
    where: str
    row: int


def _value(candidate: Candidate, mark: str) -> Decimal | None:
    text = NUMERIC_DATE.sub(" ", candidate.text)  # 05.03.2026 is not 5.03 and 2026
    text = text.split("%")[-1] if "%" in text else text  # "19 % 35,15": the rate is not money
    found = amounts(text, mark, whole=False) or amounts(text, mark)
    if not found:
        return None
    return found[-1] if candidate.where in ("right", "left") else found[0]


def _found(lines: list[str], name: str, mark: str) -> list[_Found]:
    excluded = excluded_regex()
    result = []
    for candidate in candidates(lines, name, column=True):
        line = lines[candidate.label.row]
        context = line[max(0, candidate.label.start - 25) : candidate.label.end] + candidate.text
        if excluded.search(context):
            continue
        value = _value(candidate, mark)
        if value is not None:
            result.append(_Found(value, candidate.where, candidate.label.row))
    nonzero = [f for f in result if f.value != 0]
    return nonzero or result


def _consistent(
    found: dict[str, list[_Found]], lines_sum: Decimal | None
) -> tuple[Decimal | None, Decimal, Decimal] | None:
    """(net, tax, gross) that add up; net None when lines + tax = gross without a net line."""
    taxes = [f.value for f in found["tax"]]
    tax_options = [
        *dict.fromkeys(taxes),
        *([sum(set(taxes), Decimal(0))] if len(taxes) > 1 else []),
    ]
    for gross in reversed(found["total"] + found["amount_due"]):
        for tax in tax_options:
            for net in reversed(found["subtotal"]):
                if abs(net.value + tax - gross.value) <= _TOLERANCE:
                    return net.value, tax, gross.value
            if lines_sum is not None and abs(lines_sum + tax - gross.value) <= _TOLERANCE:
                return None, tax, gross.value
    return None


def _last(found: list[_Found]) -> _Found | None:
    beside = [f for f in found if f.where in ("right", "left")]
    return (beside or found)[-1] if found else None  # totals come last; a column's sum too


def _score(found: _Found) -> float:
    return LABELLED if found.where in ("right", "left") else BELOW


def find_money(lines: list[str], mark: str, lines_sum: Decimal | None) -> Money:
    """Net, tax, gross and amount due, cross-checked (see the module doc)."""
    found = {name: _found(lines, name, mark) for name in MONEY_FIELDS}
    money = Money()
    due = _last(found["amount_due"])
    if due is not None:
        money.put("amount_due", due.value, _score(due))
    if checked := _consistent(found, lines_sum):
        net, tax, gross = checked
        money.put("subtotal", lines_sum if net is None else net, CHECKED)
        money.put("tax", tax, CHECKED)
        money.put("total", gross, CHECKED)
        return money
    for name in ("subtotal", "tax", "total"):
        if (chosen := _last(found[name])) is not None:
            money.put(name, chosen.value, _score(chosen))
    if "total" not in money.values:
        sub, vat = money.values.get("subtotal"), money.values.get("tax")
        if sub is not None and vat is not None:
            money.put("total", sub + vat, GUESSED)
        elif due is not None:
            money.put("total", due.value, GUESSED)
    return money
