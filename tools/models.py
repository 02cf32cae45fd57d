"""Import every module that defines tables, so `Base.metadata` is complete for Alembic.

Add a line here when a new module adds a table (issue 4: registry, ledger, users).
"""

from tools import (  # noqa: F401
    api_keys,
    audit_log,
    audit_trail,
    ledger,
    obligations,
    run_log,
)
from tools.approval import approvers, facts, requests, votes  # noqa: F401
from tools.integrations import outbox, records, vendor_changes  # noqa: F401
from tools.schema import Base

metadata = Base.metadata
