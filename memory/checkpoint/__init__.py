"""SQL checkpointers for LangGraph: one SQLAlchemy implementation for SQLite, PostgreSQL, MariaDB.

`SQLCheckpointer` runs over a sync `Engine`, `AsyncSQLCheckpointer` over an `AsyncEngine`; both
share the tables, migrations and statement plans in `base`, `statements` and `plans`.
"""

from memory.checkpoint.aio import AsyncSQLCheckpointer
from memory.checkpoint.sync import SQLCheckpointer
from memory.errors import ThreadNotEmpty

__all__ = ["AsyncSQLCheckpointer", "SQLCheckpointer", "ThreadNotEmpty"]
