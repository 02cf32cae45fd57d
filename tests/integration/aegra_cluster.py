"""Start Aegra replicas (overture/cluster.py) on a given database, for tests.

The replicas run on the cluster's own interpreter (`.venv-cluster`, Python 3.12, made by
`make setup-cluster`); migrations run once from here before they start, as `make cluster` does.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from overture.cluster import (
    DEFAULT_REDIS,
    Replica,
    migrate,
    replica_env,
    start_replica,
    start_replicas,
    wait_ready,
)
from tests.databases import missing
from tests.integration.langgraph_server import QUIET, REPO, free_port

CLUSTER_PYTHON = REPO / ".venv-cluster" / "bin" / "python"
FAST_LEASES = {
    # a dead replica's run is reaped after ~6 s instead of ~50 s (Aegra's defaults)
    "LEASE_DURATION_SECONDS": "6",
    "HEARTBEAT_INTERVAL_SECONDS": "2",
    "REAPER_INTERVAL_SECONDS": "2",
    "WORKER_COUNT": "2",
    "NO_COLOR": "1",
}


@dataclass
class Cluster:
    """Running replicas on one database; `restart(i)` brings a dead one back on its port."""

    database_url: str
    env: dict[str, str]
    logs: Path
    replicas: list[Replica] = field(default_factory=list)

    @property
    def urls(self) -> list[str]:
        return [replica.url for replica in self.replicas]

    def start(self, count: int) -> None:
        logs = [self._log(index) for index in range(count)]
        ports = [free_port() for _ in range(count)]
        self.replicas = start_replicas(ports, self.env, logs, python=str(CLUSTER_PYTHON))

    def _log(self, index: int) -> Path:
        return self.logs / f"replica-{index + 1}.log"

    def restart(self, index: int) -> None:
        port = int(self.replicas[index].url.rsplit(":", 1)[1])
        self.replicas[index] = start_replica(
            port, self.env, self._log(index), python=str(CLUSTER_PYTHON)
        )
        wait_ready(self.replicas[index])

    def stop(self) -> None:
        for replica in self.replicas:
            replica.stop()


def start_cluster(
    database_url: str, logs: Path, count: int = 2, extra_env: dict[str, str] | None = None
) -> Cluster:
    """Migrate `database_url` once, then start `count` replicas on it and wait for them."""
    if not CLUSTER_PYTHON.exists():
        missing(f"{CLUSTER_PYTHON} is missing: run `make setup-cluster`")
    base = {**os.environ, **QUIET, **FAST_LEASES, **(extra_env or {})}
    env = replica_env(database_url, os.environ.get("REDIS_URL", DEFAULT_REDIS), base)
    migrate(database_url, env, python=str(CLUSTER_PYTHON))
    cluster = Cluster(database_url, env, logs)
    try:
        cluster.start(count)
    except Exception:
        cluster.stop()
        raise
    return cluster
