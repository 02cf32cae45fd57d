"""Import every module that defines tables, so `Base.metadata` is complete for Alembic.

Add a line here when a new module adds a table (issue 4: registry, ledger, users).
"""

from tools import approvals, audit_log, records  # noqa: F401
from tools.schema import Base

metadata = Base.metadata
