"""Reads of the long-term store: get, list-style search, ranked search, list_namespaces.

Ranked search asks FAISS for the top vectors, keeps hits inside the namespace prefix, groups
them per item (an item's score is its best vector, as InMemoryStore's max pooling), fetches
those rows and applies the value filter in Python. If filters reject too many hits it widens
`k` fourfold until it has `offset + limit` survivors or has ranked every candidate vector, at
which point the answer is exact. A prefix holding under half the index is searched with an
ID selector instead, so a small namespace never needs more than a round or two.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import sqlalchemy as sa
from langgraph.store.base import GetOp, Item, ListNamespacesOp, SearchItem, SearchOp
from sqlalchemy.engine import Connection, Row

from memory.filters import decode_namespace, encode_namespace, matches_filter, select_namespaces
from memory.store_sql import IN_CHUNK, chunks, items, namespaces, vectors
from memory.vector_index import Hit, VectorIndex

_TIE_EPSILON = 1e-6
_COLUMNS = (
    items.c.id,
    items.c.ns_id,
    items.c.key,
    items.c.value,
    items.c.created_at,
    items.c.updated_at,
    namespaces.c.prefix,
)


@dataclass
class ReadContext:
    """What every read needs: the connection, the clock, and whether to hide expired items."""

    conn: Connection
    now: float
    omit_expired: bool
    refreshed: list[int]
    """Item ids returned by reads that asked for a TTL refresh (applied after the reads)."""


def _select() -> sa.Select:
    return sa.select(*_COLUMNS).join(namespaces, namespaces.c.id == items.c.ns_id)


def _not_expired(ctx: ReadContext) -> sa.ColumnElement[bool]:
    return sa.or_(items.c.expires_at.is_(None), items.c.expires_at > ctx.now)


def _alive(ctx: ReadContext, stmt: sa.Select) -> sa.Select:
    return stmt.where(_not_expired(ctx)) if ctx.omit_expired else stmt


def _under(stmt: sa.Select, prefix: tuple[str, ...]) -> sa.Select:
    if not prefix:
        return stmt
    encoded = encode_namespace(prefix)
    return stmt.where(
        sa.or_(
            namespaces.c.prefix == encoded,
            namespaces.c.prefix.startswith(encoded + ".", autoescape=True),
        )
    )


def _fields(row: Row, value: dict[str, Any]) -> dict[str, Any]:
    return {
        "namespace": decode_namespace(row.prefix),
        "key": row.key,
        "value": value,
        "created_at": datetime.fromtimestamp(row.created_at, UTC),
        "updated_at": datetime.fromtimestamp(row.updated_at, UTC),
    }


def _item(row: Row) -> Item:
    return Item(**_fields(row, json.loads(row.value)))


def _search_item(row: Row, value: dict[str, Any], score: float | None) -> SearchItem:
    return SearchItem(**_fields(row, value), score=score)


def read_gets(ctx: ReadContext, ops: Sequence[tuple[int, GetOp]]) -> dict[int, Item | None]:
    by_ns: dict[tuple[str, ...], list[str]] = {}
    for _i, op in ops:
        by_ns.setdefault(op.namespace, []).append(op.key)
    found: dict[tuple[tuple[str, ...], str], Row] = {}
    for ns, keys in by_ns.items():
        for chunk in chunks(keys):
            stmt = _select().where(
                namespaces.c.prefix == encode_namespace(ns), items.c.key.in_(chunk)
            )
            found.update({(ns, row.key): row for row in ctx.conn.execute(_alive(ctx, stmt))})
    results: dict[int, Item | None] = {}
    for i, op in ops:
        row = found.get((op.namespace, op.key))
        results[i] = _item(row) if row is not None else None
        if row is not None and op.refresh_ttl:
            ctx.refreshed.append(int(row.id))
    return results


def _filtered_rows(
    ctx: ReadContext, op: SearchOp, stmt: sa.Select, skip: int, take: int
) -> list[tuple[Row, dict[str, Any]]]:
    """Rows of `stmt` (already ordered) passing the filter, after skipping `skip` of them."""
    stmt = _alive(ctx, _under(stmt, op.namespace_prefix))
    if not op.filter:
        rows = ctx.conn.execute(stmt.limit(take).offset(skip)).all()
        return [(row, json.loads(row.value)) for row in rows]
    kept: list[tuple[Row, dict[str, Any]]] = []
    result = ctx.conn.execute(stmt, execution_options={"yield_per": IN_CHUNK})
    try:
        for row in result:
            value = json.loads(row.value)
            if not matches_filter(value, op.filter):
                continue
            if skip:
                skip -= 1
                continue
            kept.append((row, value))
            if len(kept) >= take:
                break
    finally:
        result.close()
    return kept


def search_listing(ctx: ReadContext, op: SearchOp) -> list[SearchItem]:
    """Search without a query: items in namespace-then-insertion order (InMemoryStore's)."""
    stmt = _select().order_by(items.c.ns_id, items.c.id)
    rows = _filtered_rows(ctx, op, stmt, op.offset, op.limit)
    if op.refresh_ttl:
        ctx.refreshed.extend(int(row.id) for row, _ in rows)
    return [_search_item(row, value, None) for row, value in rows]


def _rows_by_id(ctx: ReadContext, item_ids: list[int]) -> dict[int, Row]:
    found: dict[int, Row] = {}
    for chunk in chunks(item_ids):
        stmt = _select().where(items.c.id.in_(chunk))
        found.update({int(row.id): row for row in ctx.conn.execute(_alive(ctx, stmt))})
    return found


def search_ranked(
    ctx: ReadContext,
    op: SearchOp,
    query: np.ndarray,
    index: VectorIndex,
    ns_under: Callable[[tuple[str, ...]], set[int] | None],
) -> list[SearchItem]:
    """Search with a query: FAISS ranking, prefix and filter applied, unscored items last.

    Hits are ranked from index metadata alone (score, namespace id, item id), then rows are
    fetched in rank order only until the page is full, so widening `k` to settle ties or to
    get past filtered-out hits costs FAISS work, not SQL round trips for rows never shown.
    """
    want = op.offset + op.limit
    ns_ids = ns_under(op.namespace_prefix)
    pool = len(index) if ns_ids is None else index.count_in(ns_ids)
    selective = ns_ids is not None and pool < len(index) / 2
    reach = pool if selective or ns_ids is None else len(index)
    k = min(reach, max(4 * want, 40))
    rows: dict[int, Row | None] = {}
    passing: list[tuple[Hit, Row, dict[str, Any]]] = []
    while k > 0:
        hits = index.search(query, k, ns_ids if selective else None)
        best: dict[int, Hit] = {}
        for hit in hits:  # best first: the first hit of an item is its max-pooled score
            if hit.item_id not in best and (ns_ids is None or hit.ns_id in ns_ids):
                best[hit.item_id] = hit
        passing = _walk(ctx, op, _rank(list(best.values())), want, rows)
        if k >= reach:
            break
        if len(passing) >= want and (index.is_hnsw or not _tie_at_edge(passing, want, hits)):
            break
        k = min(reach, k * 4)
    page = passing[op.offset : want]
    ranked = [_search_item(row, value, hit.score) for hit, row, value in page]
    if op.refresh_ttl:
        ctx.refreshed.extend(hit.item_id for hit, _row, _value in page)
    if len(ranked) < op.limit:
        ranked.extend(_unscored(ctx, op, op.limit - len(ranked)))
    return ranked


def _walk(
    ctx: ReadContext, op: SearchOp, ranked: list[Hit], want: int, rows: dict[int, Row | None]
) -> list[tuple[Hit, Row, dict[str, Any]]]:
    """The first `want` ranked hits whose rows exist and pass the filter (rows cached)."""
    passing: list[tuple[Hit, Row, dict[str, Any]]] = []
    position = 0
    while position < len(ranked) and len(passing) < want:
        batch = ranked[position : position + max(want - len(passing), 8) * 2]
        position += len(batch)
        missing = [hit.item_id for hit in batch if hit.item_id not in rows]
        if missing:
            found = _rows_by_id(ctx, missing)
            rows.update({item_id: found.get(item_id) for item_id in missing})
        for hit in batch:
            row = rows[hit.item_id]
            if row is None:
                continue
            value = json.loads(row.value)
            if matches_filter(value, op.filter):
                passing.append((hit, row, value))
                if len(passing) >= want:
                    break
    return passing


def _rank(hits: list[Hit]) -> list[Hit]:
    """Best score first; ties break by namespace then insertion order (InMemoryStore's order).

    Scores within `_TIE_EPSILON` count as tied: float32 FAISS scores of equal float64 cosines
    can differ in the 8th digit, and FAISS returns tied labels in no particular order.
    """
    ordered = sorted(hits, key=lambda h: -h.score)
    ranked: list[Hit] = []
    start = 0
    for end in range(1, len(ordered) + 1):
        if end == len(ordered) or ordered[start].score - ordered[end].score > _TIE_EPSILON:
            ranked.extend(sorted(ordered[start:end], key=lambda h: (h.ns_id, h.item_id)))
            start = end
    return ranked


def _tie_at_edge(passing: list[tuple], want: int, hits: list[Hit]) -> bool:
    """Whether unseen vectors may tie the last score kept (FAISS cuts ties arbitrarily).

    Such ties are common: the hash embedder gives exactly 0 to texts sharing no word. Then we
    widen, so ties resolve by namespace and insertion order as in InMemoryStore.
    """
    cutoff = passing[want - 1][0].score
    return bool(hits) and hits[-1].score >= cutoff - _TIE_EPSILON


def _unscored(ctx: ReadContext, op: SearchOp, take: int) -> list[SearchItem]:
    """Items with no vector fill a short page (score None), as InMemoryStore does."""
    no_vector = ~sa.exists().where(vectors.c.item_id == items.c.id)
    stmt = _select().where(no_vector).order_by(items.c.ns_id, items.c.id)
    rows = _filtered_rows(ctx, op, stmt, 0, take)
    if op.refresh_ttl:
        ctx.refreshed.extend(int(row.id) for row, _ in rows)
    return [_search_item(row, value, None) for row, value in rows]


def live_namespaces(ctx: ReadContext) -> Iterable[tuple[str, ...]]:
    has_items = sa.exists().where(items.c.ns_id == namespaces.c.id)
    if ctx.omit_expired:
        has_items = has_items.where(_not_expired(ctx))
    stmt = sa.select(namespaces.c.prefix).where(has_items)
    return [decode_namespace(prefix) for prefix in ctx.conn.execute(stmt).scalars()]


def read_list_namespaces(ctx: ReadContext, op: ListNamespacesOp) -> list[tuple[str, ...]]:
    return select_namespaces(
        live_namespaces(ctx), op.match_conditions or (), op.max_depth, op.limit, op.offset
    )
