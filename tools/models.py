"""Import every module that defines tables, so `Base.metadata` is complete for Alembic.

Add a line here when a new module adds a table (issue 4: registry, ledger, users).
"""

from tools import (  # noqa: F401
    api_keys,
    approval_votes,
    approvals,
    approvers,
    audit_log,
    audit_trail,
    decision_facts,
    ledger,
    obligations,
    outbox,
    records,
    run_log,
    vendor_changes,
)
from tools.schema import Base

metadata = Base.metadata
