"""Value filters and namespace matching with exactly InMemoryStore's semantics.

Filters run in Python over rows fetched from SQL rather than as per-dialect JSON SQL: the
three databases disagree on JSON comparison (numbers vs strings, nested equality), and the
store promises InMemoryStore's answers. These mirror `langgraph.store.memory`'s private
`_compare_values`, `_apply_operator` and `_does_match` (langgraph 1.2), which we do not import
because private names may change without notice.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from langgraph.store.base import MatchCondition

NAMESPACE_SEPARATOR = "."


def encode_namespace(namespace: tuple[str, ...]) -> str:
    """One string per namespace; labels cannot contain '.' (BaseStore validates it)."""
    return NAMESPACE_SEPARATOR.join(namespace)


def decode_namespace(prefix: str) -> tuple[str, ...]:
    return tuple(prefix.split(NAMESPACE_SEPARATOR)) if prefix else ()


def matches_filter(value: dict[str, Any], filter: dict[str, Any] | None) -> bool:
    """Whether an item's value passes a search filter (equality or $eq/$ne/$gt/$gte/$lt/$lte)."""
    if not filter:
        return True
    return all(_compare(value.get(key), wanted) for key, wanted in filter.items())


def _compare(item_value: Any, filter_value: Any) -> bool:
    if isinstance(filter_value, dict):
        if any(k.startswith("$") for k in filter_value):
            return all(_apply(item_value, op, arg) for op, arg in filter_value.items())
        if not isinstance(item_value, dict):
            return False
        return all(_compare(item_value.get(k), v) for k, v in filter_value.items())
    if isinstance(filter_value, (list, tuple)):
        return (
            isinstance(item_value, (list, tuple))
            and len(item_value) == len(filter_value)
            and all(_compare(i, f) for i, f in zip(item_value, filter_value, strict=False))
        )
    return item_value == filter_value


def _apply(value: Any, operator: str, arg: Any) -> bool:
    if operator == "$eq":
        return value == arg
    if operator == "$ne":
        return value != arg
    if operator in _ORDERING and not _is_number(value):
        # Deliberate difference: InMemoryStore raises TypeError from float(None) when an
        # item lacks the field, failing the whole search; PostgresStore just doesn't match.
        return False
    if operator == "$gt":
        return float(value) > float(arg)
    if operator == "$gte":
        return float(value) >= float(arg)
    if operator == "$lt":
        return float(value) < float(arg)
    if operator == "$lte":
        return float(value) <= float(arg)
    raise ValueError(f"Unsupported operator: {operator}")


_ORDERING = frozenset({"$gt", "$gte", "$lt", "$lte"})


def _is_number(value: Any) -> bool:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return True
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def matches_namespace(condition: MatchCondition, namespace: tuple[str, ...]) -> bool:
    """Prefix/suffix match with '*' wildcards, as `list_namespaces` defines it."""
    path = condition.path
    if len(namespace) < len(path):
        return False
    if condition.match_type == "prefix":
        pairs = zip(namespace, path, strict=False)
    elif condition.match_type == "suffix":
        pairs = zip(reversed(namespace), reversed(path), strict=False)
    else:
        raise ValueError(f"Unsupported match type: {condition.match_type}")
    return all(p == "*" or n == p for n, p in pairs)


def select_namespaces(
    namespaces: Iterable[tuple[str, ...]],
    conditions: tuple[MatchCondition, ...],
    max_depth: int | None,
    limit: int,
    offset: int,
) -> list[tuple[str, ...]]:
    """`list_namespaces` over the live namespaces: match, truncate to depth, sort, page."""
    matched = [ns for ns in namespaces if all(matches_namespace(c, ns) for c in conditions)]
    if max_depth is not None:
        result = sorted({ns[:max_depth] for ns in matched})
    else:
        result = sorted(matched)
    return result[offset : offset + limit]
