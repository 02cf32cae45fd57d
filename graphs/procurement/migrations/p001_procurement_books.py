"""Procurement's books (graphs/procurement/books.py): cost centres, and the requests
committed against their budgets. Its own history (tools/migrate.py), after Overture's.

Revision ID: p001
"""

from alembic import op

from graphs.procurement.books import CostCentreRow, RequestRow

revision, down_revision, branch_labels, depends_on = "p001", None, None, None


def upgrade() -> None:  # the tables as books.py defined them at this revision
    for table in (CostCentreRow.__table__, RequestRow.__table__):
        table.create(op.get_bind())  # type: ignore[attr-defined]


def downgrade() -> None:
    for table in (RequestRow.__table__, CostCentreRow.__table__):
        table.drop(op.get_bind())  # type: ignore[attr-defined]
