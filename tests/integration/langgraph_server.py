"""Start `langgraph dev` on the project's langgraph.json, on a given database, for tests.

The server runs in its own working directory (its `.langgraph_api/` registry lands there, not
in the repo) and its own process group, so stopping it stops everything it started.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import httpx
from langgraph_sdk import get_sync_client
from langgraph_sdk.client import SyncLangGraphClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.settings import Settings
from graphs.accounts_payable.tools import PAYMENT_APPROVER_ROLE
from overture.cluster import stop_group
from overture.runtime import open_engine
from overture.workflows import seed_workflows
from tests.databases import throwaway_database
from tools.api_keys import create_token
from tools.approval.approvers import add_approver, grant
from tools.integrations.payments import PaymentRow
from tools.integrations.seed import load_seed, read_seed

REPO = Path(__file__).resolve().parents[2]
LANGGRAPH = Path(sys.executable).parent / "langgraph"
QUIET = {
    "LANGGRAPH_CLI_NO_ANALYTICS": "1",
    "LANGGRAPH_NO_VERSION_CHECK": "true",
    "LANGSMITH_TRACING": "false",
    "LANGCHAIN_TRACING_V2": "false",
}
START_TIMEOUT = 90.0


def seed_users(database_url: str) -> dict[str, str]:
    """Seed the system of record and users; return an API key per user.

    alice and carol are the demo approvers (ap_approver up to 250000 and 20000); erin holds
    the role with a limit below the sample's 14762.00; dave holds no role (a requester).
    """
    engine = open_engine(Settings(database_url=database_url))
    try:
        load_seed(engine, read_seed())
        seed_workflows(engine)  # procurement's: maria, mike and fiona approve; dana requests
        add_approver(engine, "dave", "Dave (requester)")
        add_approver(engine, "erin", "Erin (junior approver)")
        grant(engine, "erin", PAYMENT_APPROVER_ROLE, Decimal("5000"))
        return {
            user: create_token(engine, user, "tests")[1]
            for user in ("alice", "carol", "dave", "erin", "dana", "mike")
        }
    finally:
        engine.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LangGraphServer:
    """A running `langgraph dev`; `stop()` ends its process group."""

    url: str
    process: subprocess.Popen[bytes]
    workdir: Path
    log: Path

    def stop(self, sig: signal.Signals = signal.SIGTERM, timeout: float = 20.0) -> None:
        stop_group(self.process, sig, timeout)

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def start_server(
    database_url: str, workdir: Path, home: Path, extra_env: dict[str, str] | None = None
) -> LangGraphServer:
    """Start the server on `database_url` (with `extra_env`) and wait until it answers `/ok`."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {
        **os.environ,
        **QUIET,
        "OVERTURE_DATABASE_URL": database_url,
        "OVERTURE_HOME": str(home),
        "OVERTURE_USER": "langgraph-server",
        "OVERTURE_INBOX": str(REPO / "examples" / "documents"),  # the supervisor plans over it
        **(extra_env or {}),
    }
    log = workdir / "server.log"
    with log.open("ab") as out:
        process = subprocess.Popen(
            [
                str(LANGGRAPH),
                "dev",
                "--no-reload",
                "--no-browser",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--config",
                str(REPO / "langgraph.json"),
            ],
            cwd=workdir,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = LangGraphServer(f"http://127.0.0.1:{port}", process, workdir, log)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"langgraph dev exited ({process.returncode}):\n{server.log_tail()}")
        try:
            if httpx.get(f"{server.url}/ok", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    server.stop(signal.SIGKILL)
    raise RuntimeError(f"langgraph dev did not answer in {START_TIMEOUT}s:\n{server.log_tail()}")


class Deployment:
    """A running server, the database behind it, and an SDK client per user."""

    def __init__(self, server: LangGraphServer, database_url: str, tokens: dict[str, str]):
        self.server = server
        self.database_url = database_url
        self.tokens = tokens

    def client(self, user: str | None) -> SyncLangGraphClient:
        """An SDK client sending `user`'s API key (None: no key at all)."""
        key = self.tokens[user] if user else None
        return get_sync_client(url=self.server.url, api_key=key)

    def payments(self, invoice_number: str | None = None) -> int:
        """Payments in SQL, of one invoice or of all."""
        engine = open_engine(Settings(database_url=self.database_url))
        try:
            query = select(func.count()).select_from(PaymentRow)
            if invoice_number is not None:
                query = query.where(PaymentRow.invoice_number == invoice_number)
            with Session(engine) as session:
                return session.scalar(query) or 0
        finally:
            engine.dispose()


@contextmanager
def deployed(backend: str, tmp: Path) -> Iterator[Deployment]:
    """A seeded throwaway database on `backend` with `langgraph dev` serving it."""
    with throwaway_database(backend, tmp) as url:
        tokens = seed_users(url)
        server = start_server(url, tmp / "server", tmp / "home")
        try:
            yield Deployment(server, url, tokens)
        finally:
            server.stop()
