"""Errors of the SQL checkpointer and the store."""

from __future__ import annotations

from core.errors import OvertureError


class CheckpointerModeError(OvertureError, TypeError):
    """A sync method was called on the async saver, or the other way round."""

    def __init__(self, saver: str, method: str, use: str, hint: str) -> None:
        self.saver = saver
        self.method = method
        self.use = use
        super().__init__(f"{saver}.{method}() is not available in this mode: {hint}; use {use}")


class ThreadNotEmpty(OvertureError, ValueError):
    """`copy_thread` was asked to copy into a thread that already has checkpoints."""

    def __init__(self, source_thread_id: str, target_thread_id: str) -> None:
        self.source_thread_id = source_thread_id
        self.target_thread_id = target_thread_id
        super().__init__(
            f"cannot copy thread {source_thread_id!r} into {target_thread_id!r}: the target "
            "already has checkpoints; copy into a new thread id, or delete_thread() the target "
            "first"
        )


class StoreSchemaMismatch(OvertureError, RuntimeError):
    """The memory store's tables disagree with its configuration (e.g. embedding dims)."""

    def __init__(self, expected_dims: int, stored_dims: int) -> None:
        self.expected_dims = expected_dims
        self.stored_dims = stored_dims
        super().__init__(
            f"the memory store holds {stored_dims}-dimensional vectors but the index is "
            f"configured for {expected_dims}; use the embedder the memories were written with, "
            "or move them to a new database"
        )
