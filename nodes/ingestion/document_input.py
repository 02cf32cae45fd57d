"""Which document a run reads: the bytes a client sent, or a path its own user named.

A server client sends the document itself (`upload`: name + base64). A path is a request to
read a file on the machine the run executes on, so it is taken only from where naming a path
means nothing more than reading one's own files:

- from the CLI or Python (no LangGraph server): any path the user names, or only those under
  `OVERTURE_INBOX_ROOT` when it is set (a shared machine's operator pins the folder);
- under the server: only under `OVERTURE_INBOX_ROOT`, or when unset the server's own inbox
  (`OVERTURE_INBOX`, the folder the supervisor already plans over and reads), never elsewhere.
  Issue 11 item 10: `{"document_path": "/etc/passwd"}` put the file's text in thread state.

Paths are resolved before the check (symlinks followed, `..` collapsed), and the resolved path
is what is read, so neither a `..` nor a symlink leads out of the root. Every refusal is a
`DocumentError`: the run records it, keeps no text, and goes to human review.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from core.settings import Settings
from nodes.ingestion.errors import DocumentError

MAX_NAME_CHARS = 255
"""Longest upload file name kept (a file system's limit); longer names are cut."""

_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Upload:
    """A document sent as content: its file name (no folders) and its bytes."""

    name: str
    data: bytes


def upload_name(raw: object) -> str:
    """The file name of an upload without any folder part (`../../x.pdf` is `x.pdf`): it
    picks the reader by suffix and names the document to people, never a place on disk."""
    text = _UNPRINTABLE.sub("", raw if isinstance(raw, str) else "")
    name = PurePosixPath(text.replace("\\", "/")).name.strip()
    return name[:MAX_NAME_CHARS] or "upload"


def decode_upload(upload: object, max_bytes: int) -> Upload:
    """The bytes of `{"name", "content_base64"}`; a `DocumentError` for anything else."""
    if not isinstance(upload, dict):
        raise DocumentError(
            "upload", "is not an object", 'send {"name": ..., "content_base64": ...}'
        )
    name = upload_name(upload.get("name"))
    content = upload.get("content_base64")
    if not isinstance(content, str):
        raise DocumentError(
            name, "upload has no content_base64 text", "send the file base64-encoded"
        )
    if len(content) > (max_bytes // 3 + 1) * 4 + 4:  # refuse before decoding megabytes
        raise DocumentError(name, f"too large (the limit is {max_bytes // 1024 // 1024} MB)")
    try:  # line breaks are common (MIME-style encoders); anything else non-base64 is refused
        data = base64.b64decode("".join(content.split()), validate=True)
    except (binascii.Error, ValueError) as error:
        raise DocumentError(
            name, f"content_base64 is not valid base64 ({error})", "encode the file's bytes"
        ) from error
    if not data:
        raise DocumentError(name, "empty file (0 bytes)", "ask the sender to resend it")
    if len(data) > max_bytes:
        raise DocumentError(name, f"too large (the limit is {max_bytes // 1024 // 1024} MB)")
    return Upload(name, data)


def path_root(settings: Settings, *, under_server: bool) -> Path | None:
    """The folder a document path must lie in; None: any path (the CLI's user names it)."""
    if settings.inbox_root is not None:
        return settings.inbox_root
    return Path(settings.inbox) if under_server else None


def resolve_document_path(path: str, root: Path | None) -> Path:
    """The resolved regular file `path` names, when it lies under `root` (any, if None).

    The root is checked before the file is even looked at, so a refusal says nothing about
    what exists outside it.
    """
    try:
        resolved = Path(path).expanduser().resolve()  # follows every symlink that exists
    except (OSError, RuntimeError) as error:  # RuntimeError: a symlink loop (Python 3.11)
        raise DocumentError(path, f"cannot be opened ({error})") from error
    if root is not None and not resolved.is_relative_to(root.expanduser().resolve()):
        raise DocumentError(
            path,
            "is outside the inbox folder (OVERTURE_INBOX_ROOT); nothing was read",
            "send the document itself as `upload` (name + content_base64), or place it in "
            "the inbox",
        )
    if not resolved.exists():
        raise DocumentError(path, "cannot be opened (no such file)")
    if resolved.is_dir():
        raise DocumentError(
            path,
            "is a folder, not a document",
            f"name the files in it (e.g. {Path(path) / '*.pdf'})",
        )
    if not resolved.is_file():
        raise DocumentError(path, "is not a regular file", "name a PDF, .eml or text file")
    return resolved


def document_to_read(
    upload: object, document_path: str | None, *, root: Path | None, max_bytes: int
) -> Upload | Path:
    """What to read: the upload when one was sent (it wins over a path left in state by an
    earlier run on the thread), else the checked path."""
    if upload is not None:
        return decode_upload(upload, max_bytes)
    if not document_path:
        raise DocumentError(
            "input",
            "no document was given",
            "send `upload` (name + content_base64), or from the CLI a `document_path`",
        )
    return resolve_document_path(document_path, root)
