"""The CLI's tables fit the terminal: stacked when narrow, so a reason is read, not spelled."""

from __future__ import annotations

from rich.console import Console

from overture.cli_common import WIDE_ENOUGH, outcomes_table
from overture.service import RunOutcome

WHY = "budget exhausted: CC-200 has 2500.00 left, needs 3900.00"
HELD = RunOutcome(
    thread_id="pr-04-over-budget-1a2b3c4d",
    document_path="examples/procurement/04_over_budget.txt",
    status="held_for_review",
    route="human_review",
    reasons=[WHY],
)


def rendered(width: int) -> str:
    console = Console(width=width, record=True, color_system=None)
    console.print(outcomes_table([HELD], title="Outcomes"), width=width)
    return console.export_text()


def test_at_80_columns_each_record_is_stacked_a_field_per_line() -> None:
    lines = rendered(80).splitlines()
    assert not any("document" in line and "route" in line for line in lines)  # no header row
    (why,) = [line for line in lines if "why" in line]
    assert WHY in why  # the whole reason on the field's own line


def test_a_wide_terminal_shows_the_records_side_by_side() -> None:
    text = rendered(WIDE_ENOUGH + 40)
    header = next(line for line in text.splitlines() if "document" in line)
    assert all(name in header for name in ("route", "outcome", "why", "thread"))
    assert "budget exhausted: CC-200 has 2500.00 left" in text
