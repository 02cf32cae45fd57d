"""Crash test: a process running the accounts-payable workflow is SIGKILLed at many points;
resuming always completes the run with exactly one payment (SQLite and PostgreSQL).

The crashing process is forked from the test (imports shared, so each trial is fast) and
builds its own app; `OVERTURE_CRASH_AT` names the point (tools/crashpoints.py), and
`checkpoint.put.N.before|after` / `checkpoint.writes.N.before|after` kill it around the
N-th checkpoint write.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from langgraph.types import Command
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.settings import Settings
from overture.runtime import App, open_app
from overture.service import decision, outcome, resume_approval
from tests.databases import throwaway_database
from tools.crashpoints import ENV, crash_point
from tools.integrations.payments import PaymentGateway
from tools.integrations.records import InvoiceRow
from tools.integrations.seed import load_seed_file
from tools.ledger import ExecutionLedger

pytestmark = pytest.mark.integration
DOCUMENTS = Path(__file__).resolve().parents[2] / "examples" / "documents"
BIG, SMALL = DOCUMENTS / "06_over_threshold.pdf", DOCUMENTS / "01_clean_match.pdf"
THREAD = "crash-1"
DECISION = {**decision("approve", "alice", "checked"), "decision_id": "d-crash-1"}

CODE_POINTS_APPROVE = [
    "votes.before_insert",
    "approval.after_vote",
    "executor.before_ledger",
    "ledger.after_pending",
    "ledger.after_lock",
    "ledger.before_call",
    "ledger.after_call",
    "ledger.after_record",
    "executor.before_audit",
    "execute.after_payment",
    "execute.after_mark_paid",
]
CHECKPOINT_POINTS_APPROVE = [
    f"checkpoint.{kind}.{n}.{when}"
    # A resume makes at least two `put_writes` calls; a third depends on timing under load
    # (seen missing once in CI), so the points stop at the second.
    for kind, n in (("put", 1), ("put", 2), ("put", 3), ("writes", 1), ("writes", 2))
    for when in ("before", "after")
]
TRIALS = (
    [("approve", point) for point in CODE_POINTS_APPROVE + CHECKPOINT_POINTS_APPROVE]
    + [("run", "approval.after_terms"), ("run", "checkpoint.put.2.after")]
    + [("auto", "ledger.after_call"), ("auto", "execute.after_payment")]
)


def _crash_on_checkpoint_writes(app: App) -> None:
    saver = app.checkpointer
    counts = {"put": 0, "writes": 0}

    def wrap(kind: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            counts[kind] += 1
            crash_point(f"checkpoint.{kind}.{counts[kind]}.before")
            result = method(*args, **kwargs)
            crash_point(f"checkpoint.{kind}.{counts[kind]}.after")
            return result

        return wrapped

    saver.put = wrap("put", saver.put)  # type: ignore[method-assign]
    saver.put_writes = wrap("writes", saver.put_writes)  # type: ignore[method-assign]


def _doomed(settings: Settings, phase: str, point: str) -> None:
    os.environ[ENV] = point
    with open_app(settings) as app:
        _crash_on_checkpoint_writes(app)
        if phase == "approve":
            resume_approval(app, outcome(app, THREAD).approval_id or "", DECISION)
        else:
            path = BIG if phase == "run" else SMALL
            app.workflow("accounts_payable").graph.invoke(
                {"document_path": str(path)},
                app.config(THREAD),
                context=app.workflow("accounts_payable").context,
            )
    os._exit(3)  # the point was never reached: the trial is wrong, say so


def _recover(app: App, phase: str) -> None:
    """What an operator does after a crash: continue the thread from its last checkpoint."""
    config = app.config(THREAD)
    for _ in range(3):
        state = app.workflow("accounts_payable").graph.get_state(config)
        if not state.values and not state.next:  # nothing checkpointed: start again
            path = SMALL if phase == "auto" else BIG
            app.workflow("accounts_payable").graph.invoke(
                {"document_path": str(path)},
                config,
                context=app.workflow("accounts_payable").context,
            )
        elif state.interrupts or any(t.name == "needs_approval" for t in state.tasks):
            # at the gateway (its resume value may be half-written): the same decision again
            app.workflow("accounts_payable").graph.invoke(
                Command(resume=DECISION), config, context=app.workflow("accounts_payable").context
            )
        elif state.next or state.tasks:  # a step was cut short: run it again
            app.workflow("accounts_payable").graph.invoke(
                None, config, context=app.workflow("accounts_payable").context
            )
        else:
            return


@pytest.fixture(params=["sqlite", "postgres"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    with throwaway_database(request.param, tmp_path) as url:
        yield Settings(database_url=url, home=tmp_path / ".overture", user="sam")


@pytest.mark.parametrize(("phase", "point"), TRIALS, ids=[f"{p}:{c}" for p, c in TRIALS])
def test_sigkill_then_resume_pays_exactly_once(settings: Settings, phase: str, point: str) -> None:
    with open_app(settings) as app:
        load_seed_file(app.engine)
        if phase == "approve":
            app.workflow("accounts_payable").graph.invoke(
                {"document_path": str(BIG)},
                app.config(THREAD),
                context=app.workflow("accounts_payable").context,
            )
            assert outcome(app, THREAD).status == "awaiting_approval"
        app.engine.dispose()  # no pooled connection crosses the fork

        child = multiprocessing.get_context("fork").Process(
            target=_doomed, args=(settings, phase, point)
        )
        child.start()
        child.join(timeout=120)
        assert child.exitcode == -signal.SIGKILL, f"{point} was not reached ({child.exitcode})"

        _recover(app, phase)  # in the `run` phase this also gives alice's decision

        final = outcome(app, THREAD)
        assert final.status == "paid", final
        assert PaymentGateway(app.engine).count() == 1
        (entry,) = ExecutionLedger(app.engine).entries(THREAD)
        assert entry.status == "succeeded"
        with Session(app.engine) as session:
            invoice = session.scalar(
                select(InvoiceRow).where(InvoiceRow.source == THREAD, InvoiceRow.status == "paid")
            )
        assert invoice is not None and invoice.payment_id == final.payment_id
