"""Procurement's books (graphs/procurement/books.py): cost centres, and the requests
committed against their budgets. Its own branch (`procurement`), after Overture's 0007.

Revision ID: p001
"""

from __future__ import annotations

from alembic import op

from graphs.procurement.books import CostCentreRow, RequestRow

revision, down_revision, branch_labels, depends_on = "p001", None, ("procurement",), "0007"


def upgrade() -> None:  # the tables as books.py defined them at this revision
    for table in (CostCentreRow.__table__, RequestRow.__table__):
        table.create(op.get_bind())  # type: ignore[attr-defined]


def downgrade() -> None:
    for table in (RequestRow.__table__, CostCentreRow.__table__):
        table.drop(op.get_bind())  # type: ignore[attr-defined]
