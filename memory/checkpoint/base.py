"""Tables, migrations, statements and dump/load helpers shared by the sync and async savers.

Storage design (after `langgraph-checkpoint-postgres`'s base.py):

- `overture_checkpoints` holds one row per checkpoint: the checkpoint body serialised once with
  the saver's serde, *without* its large channel values, plus metadata as JSON (filterable in
  SQL) and the run id (so `delete_for_runs` is an indexed delete).
- A value new at a put (its channel is in `new_versions`) is stored in that checkpoint's body,
  whatever its size: one row per put, as in SqliteSaver. A blob row costs a second table's
  pages in the commit (80 us against 49 us for a one-row put on SQLite here; 20-message
  put+get_tuple pairs: 781 us with the message list in a blob row, against SqliteSaver's
  640 us; see `dump_put`).
- `overture_checkpoint_blobs` holds a large value that a checkpoint carries *unchanged*, once
  per (thread, namespace, channel, version): the first put that carries it writes the row,
  later ones find it there. A 10 KB document that never changes is stored twice (the body
  that made it new, one blob row), not once per step (SqliteSaver rewrites it at every step).
  Small values are always inline: numbers, short strings, and lists/dicts of those up to
  `INLINE_MAX` estimated bytes (a node's trail, a few flags). A channel without a value gets
  no row at all: a missing blob reads as empty. Rows written before this rule (large new values
  in blob rows) read the same way: the body lists what it holds, the rest comes from blobs.
- `overture_checkpoint_writes` holds pending writes with their `task_path`, returned in
  `writes_sort_key` order.

Key columns are bounded VARCHARs with a binary collation on MySQL/MariaDB: InnoDB caps an index
key at 3072 bytes (768 utf8mb4 characters), and the default `_ci` collation would merge thread
ids that differ only in case. Blobs are LONGBLOB there (BLOB stops at 64 KB).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    WRITES_IDX_MAP,
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
    PendingWrite,
    get_serializable_checkpoint_metadata,
    writes_sort_key,
)
from langgraph.checkpoint.serde.base import SerializerProtocol
from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    select,
    text,
)
from sqlalchemy.dialects import mysql, postgresql

#: Bounded so every primary key stays under InnoDB's 3072-byte limit with utf8mb4.
ID_LEN = 255
SHORT_LEN = 64
CHANNEL_LEN = 150
#: Values up to this many estimated bytes (primitives, and lists/dicts of them) are inlined.
INLINE_MAX = 512


def _key(length: int) -> String:
    """A key column: case-sensitive and byte-ordered on MySQL/MariaDB too."""
    return String(length).with_variant(
        mysql.VARCHAR(length, charset="utf8mb4", collation="utf8mb4_bin"), "mysql", "mariadb"
    )


def _blob() -> LargeBinary:
    return LargeBinary().with_variant(mysql.LONGBLOB(), "mysql", "mariadb")


def _json() -> JSON:
    return JSON().with_variant(postgresql.JSONB(), "postgresql")


meta = MetaData()

migrations_table = Table(
    "overture_checkpoint_migrations",
    meta,
    Column("v", Integer, primary_key=True, autoincrement=False),
)

checkpoints = Table(
    "overture_checkpoints",
    meta,
    Column("thread_id", _key(ID_LEN), primary_key=True),
    Column("checkpoint_ns", _key(ID_LEN), primary_key=True, default=""),
    Column("checkpoint_id", _key(SHORT_LEN), primary_key=True),
    Column("parent_checkpoint_id", _key(SHORT_LEN), nullable=True),
    Column("run_id", _key(SHORT_LEN), nullable=True),
    Column("type", String(SHORT_LEN), nullable=False),
    Column("checkpoint", _blob(), nullable=False),
    Column("metadata", _json(), nullable=False),
    # Partial where the dialect allows: a graph invoked without a run id (the library default)
    # stores NULL there, and indexing NULLs cost every put an index page (~5 us on SQLite).
    Index(
        "overture_checkpoints_run_id_idx",
        "run_id",
        sqlite_where=text("run_id IS NOT NULL"),
        postgresql_where=text("run_id IS NOT NULL"),
    ),
)

blobs = Table(
    "overture_checkpoint_blobs",
    meta,
    Column("thread_id", _key(ID_LEN), primary_key=True),
    Column("checkpoint_ns", _key(ID_LEN), primary_key=True),
    Column("channel", _key(CHANNEL_LEN), primary_key=True),
    Column("version", _key(SHORT_LEN), primary_key=True),
    Column("type", String(SHORT_LEN), nullable=False),
    Column("blob", _blob(), nullable=True),
)

writes = Table(
    "overture_checkpoint_writes",
    meta,
    Column("thread_id", _key(ID_LEN), primary_key=True),
    Column("checkpoint_ns", _key(ID_LEN), primary_key=True),
    Column("checkpoint_id", _key(SHORT_LEN), primary_key=True),
    Column("task_id", _key(SHORT_LEN), primary_key=True),
    Column("idx", Integer, primary_key=True, autoincrement=False),
    Column("channel", _key(CHANNEL_LEN), nullable=False),
    Column("type", String(SHORT_LEN), nullable=True),
    Column("blob", _blob(), nullable=False),
    Column("task_path", String(ID_LEN), nullable=False, default=""),
)

TABLES = (checkpoints, blobs, writes)


def _create_v1_tables(conn: Connection) -> None:
    meta.create_all(conn, tables=list(TABLES), checkfirst=True)


def _create_migrations_table(conn: Connection) -> None:
    meta.create_all(conn, tables=[migrations_table], checkfirst=True)


def _run_id_index_without_nulls(conn: Connection) -> None:
    """Rebuild the run id index as a partial one (SQLite, PostgreSQL; MySQL has none).

    `delete_for_runs` asks `run_id IN (...)`, which implies NOT NULL, so the index still serves.
    """
    if conn.dialect.name not in ("sqlite", "postgresql"):
        return
    conn.execute(text("DROP INDEX IF EXISTS overture_checkpoints_run_id_idx"))
    conn.execute(
        text(
            "CREATE INDEX overture_checkpoints_run_id_idx ON overture_checkpoints (run_id) "
            "WHERE run_id IS NOT NULL"
        )
    )


#: Append-only: the index of a migration is the schema version it brings the database to.
#: Never edit a published entry; add one (explicit DDL, then update the tables above).
MIGRATIONS: list[Callable[[Connection], None]] = [
    _create_migrations_table,
    _create_v1_tables,
    _run_id_index_without_nulls,
]


def applied_version(conn: Connection) -> int:
    """The newest migration recorded in the database, or -1 on an empty one."""
    row = conn.execute(select(migrations_table.c.v).order_by(migrations_table.c.v.desc()).limit(1))
    version = row.scalar()
    return -1 if version is None else int(version)


def migrate(conn: Connection) -> int:
    """Apply every migration the database lacks, each recorded as it completes.

    Idempotent: a second call finds the newest version recorded and does nothing. Runs on a sync
    connection; the async saver calls it through `AsyncConnection.run_sync`.
    """
    MIGRATIONS[0](conn)
    current = applied_version(conn)
    for version in range(current + 1, len(MIGRATIONS)):
        MIGRATIONS[version](conn)
        conn.execute(migrations_table.insert().values(v=version))
    return len(MIGRATIONS) - 1


def next_version(current: str | int | None) -> str:
    """A channel version: the counter, then a random fraction.

    Blobs are keyed by version, so two forks of one thread that both reach version N of a channel
    must not collide; the random part keeps them apart (as PostgresSaver does).
    """
    if current is None:
        current_v = 0
    elif isinstance(current, int):
        current_v = current
    else:
        current_v = int(current.split(".")[0])
    return f"{current_v + 1:032}.{random.random():016}"


def _inline(value: Any) -> bool:
    """Whether `value` is small enough to be stored in every body that carries it."""
    return _budget_left(value, INLINE_MAX) >= 0


def _budget_left(value: Any, budget: int) -> int:
    """`budget` minus the estimated size of `value`; negative when too big or not plain data."""
    if value is None or isinstance(value, bool | int | float):
        return budget - 9
    if isinstance(value, str):
        return budget - len(value) - 5
    if isinstance(value, list | tuple):
        budget -= 5
        for item in value:
            budget = _budget_left(item, budget)
            if budget < 0:
                return -1
        return budget
    if isinstance(value, dict):
        budget -= 5
        for key, item in value.items():
            if not isinstance(key, str):
                return -1
            budget = _budget_left(item, budget - len(key) - 5)
            if budget < 0:
                return -1
        return budget
    return -1


def dump_put(
    serde: SerializerProtocol,
    config: RunnableConfig,
    checkpoint: Checkpoint,
    metadata: CheckpointMetadata,
    new_versions: ChannelVersions,
) -> tuple[dict[str, Any], list[dict[str, Any]], RunnableConfig]:
    """The checkpoint row, the blob rows and the config a put returns.

    A value new at this put (in `new_versions`) goes in the body, whatever its size: the put is
    one row, as SqliteSaver's is, and a channel that changes at every step (a message list)
    costs no second table. A large value carried over unchanged is not rewritten: the body
    refers to its blob row, inserted by the first put that carries it unchanged (`DO NOTHING`
    for every later one). So a 10 KB document that never changes is stored twice (the body
    that made it new, and one blob row) however many steps follow, where SqliteSaver stores it
    at every step. Small values are always inline.
    """
    conf = config["configurable"]
    thread_id = str(conf["thread_id"])
    ns = conf.get("checkpoint_ns", "")
    versions = checkpoint["channel_versions"]
    inline: dict[str, Any] = {}
    blob_rows = []
    for channel, value in checkpoint["channel_values"].items():
        if channel in new_versions or _inline(value):
            inline[channel] = value
        elif channel in versions:
            value_type, value_bytes = serde.dumps_typed(value)
            blob_rows.append(
                {
                    "thread_id": thread_id,
                    "checkpoint_ns": ns,
                    "channel": channel,
                    "version": str(versions[channel]),
                    "type": value_type,
                    "blob": value_bytes,
                }
            )
    body = {**checkpoint, "channel_values": inline}
    body_type, body_bytes = serde.dumps_typed(body)
    md = get_serializable_checkpoint_metadata(config, metadata)
    run_id = md.get("run_id")
    row = {
        "thread_id": thread_id,
        "checkpoint_ns": ns,
        "checkpoint_id": checkpoint["id"],
        "parent_checkpoint_id": conf.get("checkpoint_id"),
        "run_id": None if run_id is None else str(run_id),
        "type": body_type,
        "checkpoint": body_bytes,
        "metadata": md,
    }
    return row, blob_rows, _config(thread_id, ns, checkpoint["id"])


def _config(thread_id: str, ns: str, checkpoint_id: str) -> RunnableConfig:
    """The config that names one checkpoint."""
    return {
        "configurable": {
            "thread_id": thread_id,
            "checkpoint_ns": ns,
            "checkpoint_id": checkpoint_id,
        }
    }


def dump_writes(
    serde: SerializerProtocol,
    config: RunnableConfig,
    items: Sequence[tuple[str, Any]],
    task_id: str,
    task_path: str,
) -> tuple[list[dict[str, Any]], bool]:
    """Write rows, and whether they replace earlier ones (only special channels do).

    Special writes (errors, interrupts, resumes) take fixed negative indices from
    `WRITES_IDX_MAP` and overwrite; ordinary writes of a retried task are kept as first stored.
    """
    conf = config["configurable"]
    rows = []
    for i, (channel, value) in enumerate(items):
        value_type, value_bytes = serde.dumps_typed(value)
        rows.append(
            {
                "thread_id": str(conf["thread_id"]),
                "checkpoint_ns": conf.get("checkpoint_ns", ""),
                "checkpoint_id": conf["checkpoint_id"],
                "task_id": task_id,
                "idx": WRITES_IDX_MAP.get(channel, i),
                "channel": channel,
                "type": value_type,
                "blob": value_bytes,
                "task_path": task_path,
            }
        )
    return rows, all(channel in WRITES_IDX_MAP for channel, _ in items)


def load_body(serde: SerializerProtocol, type_: str, data: bytes) -> Checkpoint:
    """The checkpoint body as stored: inline channel values only."""
    return serde.loads_typed((type_, bytes(data)))


def blob_keys(thread_id: str, ns: str, body: Checkpoint) -> list[tuple[str, str, str, str]]:
    """Blob keys a checkpoint needs: every versioned channel whose value is not inline."""
    inline = body["channel_values"]
    return [
        (thread_id, ns, ch, str(v))
        for ch, v in body["channel_versions"].items()
        if ch not in inline
    ]


def load_tuple(
    serde: SerializerProtocol,
    row: Mapping[str, Any],
    body: Checkpoint,
    blob_rows: Mapping[tuple[str, str, str, str], tuple[str, bytes | None]],
    write_rows: Sequence[Mapping[str, Any]],
) -> CheckpointTuple:
    """Assemble a `CheckpointTuple` from its row, decoded body, blobs and writes."""
    thread_id, ns = row["thread_id"], row["checkpoint_ns"]
    checkpoint = body  # decoded for this call alone: completed in place of a copy
    if blob_rows:
        values = dict(body["channel_values"])
        for key in blob_keys(thread_id, ns, body):
            found = blob_rows.get(key)
            if found is not None and found[0] != "empty":
                values[key[2]] = serde.loads_typed((found[0], bytes(found[1] or b"")))
        checkpoint = {**body, "channel_values": values}
    ordered = sorted(
        write_rows, key=lambda w: writes_sort_key(w["task_path"], w["task_id"], w["idx"])
    )
    pending: list[PendingWrite] = [
        (w["task_id"], w["channel"], serde.loads_typed((w["type"], bytes(w["blob"]))))
        for w in ordered
    ]
    parent = row["parent_checkpoint_id"]
    return CheckpointTuple(
        config=_config(thread_id, ns, row["checkpoint_id"]),
        checkpoint=checkpoint,
        metadata=row["metadata"],
        parent_config=_config(thread_id, ns, parent) if parent else None,
        pending_writes=pending,
    )
