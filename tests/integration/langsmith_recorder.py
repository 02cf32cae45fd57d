"""A local HTTP server speaking the part of the LangSmith API that tracing uses.

It answers `GET /info` (advertising multipart ingestion and, optionally, zstd compression,
which is what makes langsmith 0.15 choose its transport), accepts `POST /runs`,
`PATCH /runs/{id}`, `POST /runs/batch` and `POST /runs/multipart` (zstd-compressed or not),
and keeps every decoded body so a test can search all of what was sent.
"""

from __future__ import annotations

import io
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import zstandard
from requests_toolbelt.multipart.decoder import MultipartDecoder

_PART_NAME = re.compile(rb'name="([^"]+)"')


@dataclass
class Recording:
    """Everything the recorder received."""

    bodies: list[bytes] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    runs: dict[str, dict[str, Any]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def merge(self, run_id: str, values: dict[str, Any]) -> None:
        with self.lock:
            run = self.runs.setdefault(run_id, {"id": run_id})
            for key, value in values.items():
                if value is not None:
                    run[key] = value

    def text(self) -> str:
        """All decoded request bodies, as one string to search."""
        return "\n".join(b.decode("utf-8", "replace") for b in self.bodies)


def _multipart(recording: Recording, body: bytes, content_type: str) -> None:
    for part in MultipartDecoder(body, content_type).parts:
        disposition = part.headers.get(b"Content-Disposition", b"")
        match = _PART_NAME.search(disposition)
        if not match:
            continue
        name = match.group(1).decode()
        pieces = name.split(".")
        if pieces[0] not in {"post", "patch"}:
            continue  # attachments and feedback are not needed here
        run_id = pieces[1]
        payload = json.loads(part.content) if part.content else None
        if len(pieces) == 2:
            recording.merge(run_id, payload or {})
        else:
            recording.merge(run_id, {pieces[2]: payload})


class _Handler(BaseHTTPRequestHandler):
    recording: Recording
    info: dict[str, Any]

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        return

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.headers.get("Content-Encoding") == "zstd":
            reader = zstandard.ZstdDecompressor().stream_reader(
                io.BytesIO(body), read_across_frames=True
            )
            body = reader.read()
        return body

    def _reply(self, status: int, payload: Any) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self.recording.paths.append(f"GET {self.path}")
        if self.path.split("?")[0].rstrip("/").endswith("/info"):
            self._reply(200, self.info)
        else:
            self._reply(404, {"detail": "not recorded"})

    def do_POST(self) -> None:  # noqa: N802
        body = self._body()
        path = self.path.split("?")[0]
        rec = self.recording
        encoding = self.headers.get("Content-Encoding")
        rec.paths.append(f"POST {path}" + (f" ({encoding})" if encoding else ""))
        rec.bodies.append(body)
        if path.endswith("/runs/multipart"):
            _multipart(rec, body, self.headers["Content-Type"])
        elif path.endswith("/runs/batch"):
            batch = json.loads(body)
            for op in ("post", "patch"):
                for run in batch.get(op) or []:
                    rec.merge(str(run["id"]), run)
        elif path.endswith("/runs"):
            run = json.loads(body)
            rec.merge(str(run["id"]), run)
        else:
            self._reply(404, {"detail": "not recorded"})
            return
        self._reply(202, {"status": "accepted"})

    def do_PATCH(self) -> None:  # noqa: N802
        body = self._body()
        path = self.path.split("?")[0]
        self.recording.paths.append(f"PATCH {path}")
        self.recording.bodies.append(body)
        match = re.search(r"/runs/([0-9a-f-]+)$", path)
        if match:
            self.recording.merge(match.group(1), json.loads(body))
            self._reply(202, {"status": "accepted"})
        else:
            self._reply(404, {"detail": "not recorded"})


class LangSmithRecorder:
    """`with LangSmithRecorder(mode) as rec:` -> rec.url, rec.recording.

    mode: `multipart` (the client's default), `zstd` (compressed multipart), `batch`
    (JSON `/runs/batch`, the fallback when multipart is off).
    """

    def __init__(self, mode: str = "multipart") -> None:
        self.mode = mode
        self.recording = Recording()
        info = {
            "version": "0.0-recorder",
            "batch_ingest_config": {
                "use_multipart_endpoint": mode != "batch",
                "scale_up_qsize_trigger": 1000,
                "scale_up_nthreads_limit": 2,
                "scale_down_nempty_trigger": 4,
                "size_limit": 100,
                "size_limit_bytes": 20_971_520,
            },
            "instance_flags": {"zstd_compression_enabled": mode == "zstd"},
        }
        handler = type("Handler", (_Handler,), {"recording": self.recording, "info": info})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LangSmithRecorder:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
