"""Procurement under kill -9 at random moments and under concurrent processes: every request
ordered at most once, counted in SQL (the purchase-order lines carry the request's key).

Not at named crash points (test_procurement.py has those): the signal lands wherever the
process is (starting up, migrating, mid-checkpoint, mid-order). Then `overture recover`,
every waiting step approved by someone allowed to, and recovery again, as a user would.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.settings import Settings
from overture.runtime import App, open_app
from overture.service import decision, outcome, recover, resume_approval
from overture.workflows import seed_workflows
from tests.databases import throwaway_database
from tools import run_log
from tools.approval import requests as approvals
from tools.approval import votes
from tools.integrations.records import POLineRow
from tools.integrations.seed import load_seed_file

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
REQUESTS = sorted(str(p) for p in (ROOT / "examples" / "procurement").glob("0*"))
OFFICE = str(ROOT / "examples" / "procurement" / "01_office_supplies.txt")
KILLS = 8
FINAL = {"ordered", "rejected", "held_for_review", "approval_rejected", "approval_expired"}
APPROVER = {"procurement_manager": "maria", "finance_approver": "fiona"}
"""Who approves a waiting step of each role: never the requester, a different person each."""


def overture(settings: Settings, *args: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "OVERTURE_DATABASE_URL": settings.resolved_database_url(),
        "OVERTURE_HOME": str(settings.home),
    }
    command = [sys.executable, "-m", "overture.cli", "run", "-w", "procurement", *args]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def orders_per_request(app: App) -> dict[str, int]:
    with Session(app.engine) as session:
        rows = session.execute(
            select(POLineRow.sku, func.count())
            .where(POLineRow.sku.like("pr-%"))
            .group_by(POLineRow.sku)
        ).all()
    return {sku: count for sku, count in rows}


def approve_everything(app: App) -> None:
    """Decide every waiting step as its role's approver; a chain asks twice."""
    for _ in range(3):
        for request in approvals.list_requests(app.engine, "pending"):
            terms = votes.get_terms(app.engine, request.id)
            assert terms is not None
            approver = APPROVER[terms.required_role]
            resume_approval(app, request.id, decision("approve", approver, "kill loop"))
        recover(app)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_random_kills_then_recover_order_each_request_at_most_once(
    backend: str, tmp_path: Path
) -> None:
    seed = int(os.environ.get("OVERTURE_KILL_SEED", time.time()))
    rng = random.Random(seed)
    with throwaway_database(backend, tmp_path) as url:
        settings = Settings(database_url=url, home=tmp_path / ".overture", user="sam")
        with open_app(settings) as app:
            load_seed_file(app.engine)
            seed_workflows(app.engine)

        kills = 0
        for _ in range(KILLS * 3):  # a run may finish before its signal lands: try again
            process = overture(settings, *rng.sample(REQUESTS, len(REQUESTS)))
            time.sleep(rng.uniform(0.3, 6.0))
            process.send_signal(signal.SIGKILL)
            if process.wait(timeout=60) == -signal.SIGKILL:
                kills += 1
            if kills >= KILLS:
                break
        assert kills >= KILLS, f"only {kills} kills landed (seed {seed})"

        with open_app(settings) as app:
            recover(app)
            approve_everything(app)
            counts = orders_per_request(app)
            assert counts and all(n == 1 for n in counts.values()), f"{counts} (seed {seed})"
            assert run_log.unfinished(app.engine) == [], f"seed {seed}"
            with Session(app.engine) as session:
                threads = session.scalars(select(run_log.RunRow.thread_id)).all()
            unfinished = {t: s for t in threads if (s := outcome(app, t).status) not in FINAL}
            assert unfinished == {}, f"runs without a final state (seed {seed})"
            assert approvals.list_requests(app.engine, "pending") == [], f"seed {seed}"


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_four_processes_on_one_request_order_it_once(backend: str, tmp_path: Path) -> None:
    with throwaway_database(backend, tmp_path) as url:
        settings = Settings(database_url=url, home=tmp_path / ".overture", user="sam")
        with open_app(settings) as app:
            load_seed_file(app.engine)
            seed_workflows(app.engine)
        processes = [overture(settings, OFFICE) for _ in range(4)]
        assert [p.wait(timeout=300) for p in processes] == [0, 0, 0, 0]
        with open_app(settings) as app:
            assert list(orders_per_request(app).values()) == [1]
            with Session(app.engine) as session:
                threads = session.scalars(select(run_log.RunRow.thread_id)).all()
            statuses = sorted(outcome(app, t).status for t in threads)
            assert statuses.count("ordered") == 1 and len(statuses) == 4, statuses
