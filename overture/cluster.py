"""`make cluster`: the graphs on N Aegra replicas over one PostgreSQL database and Redis.

Run with the cluster's own interpreter (`.venv-cluster`, Python 3.12: aegra-api >= 0.7 needs
it), into which this project is installed too, so the graphs import:

    .venv-cluster/bin/python -m overture.cluster [--replicas 2] [--port 2026]

Migrations run once, here, before any replica starts: Aegra's own tables (`aegra db upgrade`),
Overture's application tables (tools/migrate.py) and the LangGraph checkpointer and store
tables. Replicas then start with `RUN_MIGRATIONS_ON_STARTUP=false`: two replicas booting
together on a fresh database both run the checkpointer migrations and one crashes on a unique
violation (probed here); once migrated, their own `setup()` finds nothing to do. The first
replica also starts alone: each creates the default assistants at start-up, select-then-insert,
and two at once collide on `assistant_pkey`; the others start once it is ready.

Each replica is one uvicorn process (`aegra_api.main:app`) on its own port, with Redis job
workers (`REDIS_BROKER_ENABLED=true`): any replica takes any run, PostgreSQL leases mark who
runs it, and a reaper hands a dead replica's runs to another, which resumes from the last
checkpoint. A node that was in flight runs again (at-least-once); the exactly-once tool layer
(tools/ledger.py, tools/obligations.py) keeps payments single.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from core.settings import Settings
from overture.runtime import open_engine

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "aegra.json"
DEFAULT_REDIS = "redis://127.0.0.1:6379"
TENANT = "overture"
"""The identity Aegra scopes threads by (overture/auth.py `OVERTURE_THREAD_TENANT`)."""


def libpq_url(database_url: str) -> str:
    """`postgresql+psycopg://...` (Overture's) as the plain `postgresql://...` Aegra reads."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        raise SystemExit(
            f"the cluster needs PostgreSQL: OVERTURE_DATABASE_URL is {url.get_backend_name()}"
        )
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def replica_env(
    database_url: str, redis_url: str, base: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The environment of every replica (and of the migration step).

    The job queue and pub/sub channels are named after the database: two deployments on one
    Redis (a test cluster beside a bench) must not take each other's runs.
    """
    database = make_url(database_url).database or "overture"
    return {
        **(base if base is not None else os.environ),
        "OVERTURE_DATABASE_URL": database_url,
        "DATABASE_URL": libpq_url(database_url),
        "REDIS_URL": redis_url,
        "REDIS_BROKER_ENABLED": "true",
        "WORKER_QUEUE_KEY": f"overture:{database}:jobs",
        "REDIS_CHANNEL_PREFIX": f"overture:{database}:run:",
        "RUN_MIGRATIONS_ON_STARTUP": "false",
        "AEGRA_CONFIG": str(CONFIG),
        "OVERTURE_THREAD_TENANT": TENANT,
        # resumes must load Overture's state under the strict allowlist (overture/server.py)
        "LANGGRAPH_STRICT_MSGPACK": "true",
        "LANGSMITH_TRACING": "false",
    }


def migrate(database_url: str, env: Mapping[str, str], python: str = sys.executable) -> None:
    """Every schema the replicas need, once: Overture's, Aegra's (with the `aegra` beside
    `python`, the cluster's interpreter), the checkpointer's and the store's."""
    open_engine(Settings(database_url=database_url)).dispose()  # tools/migrate.upgrade
    aegra = Path(python).parent / "aegra"
    subprocess.run([str(aegra), "db", "upgrade"], env=dict(env), cwd=REPO, check=True)
    asyncio.run(_setup_savers(libpq_url(database_url)))


async def _setup_savers(url: str) -> None:
    from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
    from langgraph.store.postgres.aio import AsyncPostgresStore

    async with AsyncPostgresSaver.from_conn_string(url) as saver:
        await saver.setup()
    async with AsyncPostgresStore.from_conn_string(url) as store:
        await store.setup()


@dataclass
class Replica:
    """One running replica: its URL and process (its own process group)."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self, sig: signal.Signals = signal.SIGTERM, timeout: float = 30.0) -> None:
        stop_group(self.process, sig, timeout)


def stop_group(
    process: subprocess.Popen[bytes], sig: signal.Signals = signal.SIGTERM, timeout: float = 30.0
) -> None:
    """Signal a server started in its own process group; SIGKILL it if it outlives `timeout`."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, sig)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout)


def start_replica(
    port: int, env: Mapping[str, str], log: Path, python: str = sys.executable
) -> Replica:
    """Start one replica on `port` with `python` (the cluster's), not waiting for it."""
    log.parent.mkdir(parents=True, exist_ok=True)
    command = [python, "-m", "uvicorn", "aegra_api.main:app"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--no-access-log"]
    with log.open("ab") as out:
        process = subprocess.Popen(
            command,
            cwd=REPO,
            env={**env, "PORT": str(port)},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Replica(f"http://127.0.0.1:{port}", process, log)


def wait_ready(replica: Replica, timeout: float = 120.0) -> None:
    """Block until the replica answers `/health`; raise with its log if it dies or hangs."""
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if replica.process.poll() is not None:
            tail = replica.log.read_text(errors="replace")[-4000:]
            raise RuntimeError(f"replica {replica.url} exited:\n{tail}")
        try:
            if httpx.get(f"{replica.url}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"replica {replica.url} did not answer in {timeout}s")


def start_replicas(
    ports: list[int], env: Mapping[str, str], logs: list[Path], python: str = sys.executable
) -> list[Replica]:
    """Start a replica per port, the first alone (see the module docstring), and wait for all."""
    replicas: list[Replica] = []
    try:
        for index, (port, log) in enumerate(zip(ports, logs, strict=True)):
            replicas.append(start_replica(port, env, log, python))
            if index == 0:
                wait_ready(replicas[0])
        for replica in replicas[1:]:
            wait_ready(replica)
    except Exception:
        for replica in replicas:
            replica.stop()
        raise
    return replicas


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM stops the replicas as Ctrl-C does


def main(argv: list[str] | None = None) -> None:
    """Migrate once, start the replicas, and stop them all on Ctrl-C / SIGTERM."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, default=int(os.environ.get("REPLICAS", "2")))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "2026")))
    parser.add_argument("--logs", type=Path, default=REPO / ".overture" / "cluster")
    args = parser.parse_args(argv)
    database_url = os.environ.get("OVERTURE_DATABASE_URL", "")
    if not database_url:
        raise SystemExit("set OVERTURE_DATABASE_URL to a PostgreSQL database")
    env = replica_env(database_url, os.environ.get("REDIS_URL", DEFAULT_REDIS))
    migrate(database_url, env)
    signal.signal(signal.SIGTERM, _interrupt)
    replicas: list[Replica] = []
    try:
        replicas = start_replicas(
            [args.port + i for i in range(args.replicas)],
            env,
            [args.logs / f"replica-{i + 1}.log" for i in range(args.replicas)],
        )
        for replica in replicas:
            print(f"replica ready: {replica.url} (log {replica.log})", flush=True)
        while all(replica.process.poll() is None for replica in replicas):
            time.sleep(1)
        print("a replica exited; stopping the others", file=sys.stderr)
    except KeyboardInterrupt:
        pass
    finally:
        for replica in replicas:
            replica.stop()


if __name__ == "__main__":
    main()
