"""Writes of the long-term store: upserts, deletes and TTL sweeps, one transaction each.

Every write starts with `bump_version`, so writers are serialised and their versions commit
in order (see `store_sql`). Vectors follow LangGraph's stores (InMemoryStore and
PostgresStore alike): a put replaces the vectors of the fields it embeds and keeps the others;
only deleting the item drops all of them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import sqlalchemy as sa
from langgraph.store.base import PutOp
from sqlalchemy.engine import Connection

from memory.filters import encode_namespace
from memory.store_sql import bump_version, chunks, items, namespaces, tombstones, vectors

ItemKey = tuple[tuple[str, ...], str]


@dataclass
class WriteResult:
    """What a committed write changed, so this process's index can follow without SQL."""

    version: int
    added_ids: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    added_matrix: np.ndarray = field(default_factory=lambda: np.empty((0, 0), np.float32))
    added_items: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    added_ns: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    removed_ids: list[int] = field(default_factory=list)
    new_namespaces: dict[int, tuple[str, ...]] = field(default_factory=dict)


def _namespace_ids(
    conn: Connection, wanted: Iterable[tuple[str, ...]]
) -> dict[tuple[str, ...], int]:
    """Ids of the namespaces of `wanted` that exist (one query per chunk)."""
    by_prefix = {encode_namespace(ns): ns for ns in wanted}
    found: dict[tuple[str, ...], int] = {}
    for chunk in chunks(list(by_prefix)):
        query = sa.select(namespaces.c.id, namespaces.c.prefix).where(
            namespaces.c.prefix.in_(chunk)
        )
        found.update({by_prefix[row.prefix]: int(row.id) for row in conn.execute(query)})
    return found


def _ensure_namespaces(
    conn: Connection, wanted: list[tuple[str, ...]], result: WriteResult
) -> dict[tuple[str, ...], int]:
    """Namespace ids for `wanted`, creating missing ones in order of first write."""
    found = _namespace_ids(conn, wanted)
    for ns in wanted:
        if ns not in found:
            key = conn.execute(
                namespaces.insert().values(prefix=encode_namespace(ns))
            ).inserted_primary_key
            assert key is not None  # None only for executemany or non-INSERT statements
            ns_id = key[0]
            found[ns] = int(ns_id)
            result.new_namespaces[int(ns_id)] = ns
    return found


def _item_ids(conn: Connection, ns_id: int, keys: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in chunks(list(keys)):
        query = sa.select(items.c.id, items.c.key).where(
            items.c.ns_id == ns_id, items.c.key.in_(chunk)
        )
        found.update({row.key: int(row.id) for row in conn.execute(query)})
    return found


def _drop_vectors(conn: Connection, vector_ids: list[int], version: int) -> None:
    if not vector_ids:
        return
    conn.execute(tombstones.insert(), [{"vector_id": v, "version": version} for v in vector_ids])
    for chunk in chunks(vector_ids):
        conn.execute(vectors.delete().where(vectors.c.id.in_(chunk)))


def delete_items(conn: Connection, item_ids: list[int], version: int) -> list[int]:
    """Delete items and their vectors, leaving tombstones; returns the removed vector ids."""
    removed: list[int] = []
    for chunk in chunks(item_ids):
        query = sa.select(vectors.c.id).where(vectors.c.item_id.in_(chunk))
        removed.extend(int(v) for v in conn.execute(query).scalars())
    _drop_vectors(conn, removed, version)
    for chunk in chunks(item_ids):
        conn.execute(items.delete().where(items.c.id.in_(chunk)))
    return removed


def write_puts(
    conn: Connection,
    puts: dict[ItemKey, PutOp],
    embedded: dict[ItemKey, list[tuple[str, np.ndarray]]],
    now: float,
) -> WriteResult:
    """Apply one batch's puts and deletes (last op per item wins, as in InMemoryStore)."""
    result = WriteResult(version=bump_version(conn))
    live = [ns for (ns, _key), op in puts.items() if op.value is not None]
    ns_map = _ensure_namespaces(conn, list(dict.fromkeys(live)), result)
    # Deletes need the ids of their namespaces too, but never create one.
    deleted_only = {ns for (ns, _key), op in puts.items() if op.value is None} - ns_map.keys()
    known_ns = {**ns_map, **_namespace_ids(conn, deleted_only)}
    existing: dict[ItemKey, int] = {}
    by_ns: dict[tuple[str, ...], list[str]] = {}
    for ns, key in puts:
        if ns in known_ns:
            by_ns.setdefault(ns, []).append(key)
    for ns, keys in by_ns.items():
        existing.update({(ns, k): i for k, i in _item_ids(conn, known_ns[ns], keys).items()})

    doomed = [existing[k] for k, op in puts.items() if op.value is None and k in existing]
    result.removed_ids.extend(delete_items(conn, doomed, result.version))

    updates, inserts = [], []
    for (ns, key), op in puts.items():
        if op.value is None:
            continue
        row = {
            "value": json.dumps(dict(op.value), ensure_ascii=False),
            "updated_at": now,
            "expires_at": now + op.ttl * 60 if op.ttl is not None else None,
            "ttl_minutes": op.ttl,
        }
        if (ns, key) in existing:
            updates.append({"b_id": existing[(ns, key)], **row})
        else:
            inserts.append({"ns_id": ns_map[ns], "key": key, "created_at": now, **row})
    if updates:
        statement = (
            items.update()
            .where(items.c.id == sa.bindparam("b_id"))
            .values(
                value=sa.bindparam("value"),
                updated_at=sa.bindparam("updated_at"),
                expires_at=sa.bindparam("expires_at"),
                ttl_minutes=sa.bindparam("ttl_minutes"),
            )
        )
        conn.execute(statement, updates)
    if inserts:
        conn.execute(items.insert(), inserts)
        new_by_ns: dict[tuple[str, ...], list[str]] = {}
        for (ns, key), op in puts.items():
            if op.value is not None and (ns, key) not in existing:
                new_by_ns.setdefault(ns, []).append(key)
        for ns, keys in new_by_ns.items():
            existing.update({(ns, k): i for k, i in _item_ids(conn, ns_map[ns], keys).items()})
    _write_vectors(conn, embedded, existing, ns_map, result)
    return result


def _write_vectors(
    conn: Connection,
    embedded: dict[ItemKey, list[tuple[str, np.ndarray]]],
    item_ids: dict[ItemKey, int],
    ns_map: dict[tuple[str, ...], int],
    result: WriteResult,
) -> None:
    if not embedded:
        return
    replaced: set[tuple[int, str]] = {
        (item_ids[k], path) for k, fields in embedded.items() for path, _ in fields
    }
    stale: list[int] = []
    touched = sorted({item for item, _ in replaced})
    for chunk in chunks(touched):
        query = sa.select(vectors.c.id, vectors.c.item_id, vectors.c.field).where(
            vectors.c.item_id.in_(chunk)
        )
        stale.extend(int(r.id) for r in conn.execute(query) if (r.item_id, r.field) in replaced)
    _drop_vectors(conn, stale, result.version)
    result.removed_ids.extend(stale)
    rows = [
        {
            "item_id": item_ids[k],
            "ns_id": ns_map[k[0]],
            "field": path,
            "version": result.version,
            "embedding": vector.astype("<f4").tobytes(),
        }
        for k, fields in embedded.items()
        for path, vector in fields
    ]
    conn.execute(vectors.insert(), rows)
    query = (
        sa.select(vectors.c.id, vectors.c.item_id, vectors.c.field)
        .where(vectors.c.version == result.version)
        .order_by(vectors.c.id)
    )
    position = {(r["item_id"], r["field"]): n for n, r in enumerate(rows)}
    fetched = conn.execute(query).all()
    order = np.asarray([position[(r.item_id, r.field)] for r in fetched], dtype=np.int64)
    matrix = np.stack([np.frombuffer(rows[n]["embedding"], "<f4") for n in order.tolist()])
    result.added_ids = np.asarray([r.id for r in fetched], dtype=np.int64)
    result.added_matrix = matrix
    result.added_items = np.asarray([rows[n]["item_id"] for n in order.tolist()], np.int64)
    result.added_ns = np.asarray([rows[n]["ns_id"] for n in order.tolist()], np.int64)
