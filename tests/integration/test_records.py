"""System of record: migrations, seed and the payments API on every backend."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

from core.db import make_engine
from tools.integrations import records
from tools.integrations.payments import PaymentGateway, PaymentInstruction
from tools.integrations.seed import load_seed_file, read_seed
from tools.migrate import alembic_config, current_revision, head_revision, upgrade

pytestmark = pytest.mark.integration


@pytest.fixture
def engine(db_url: str):
    engine = make_engine(db_url)
    upgrade(engine)
    yield engine
    engine.dispose()


def test_migrations_upgrade_is_idempotent_and_downgrades(engine) -> None:
    upgrade(engine)  # second start-up: a no-op
    with engine.connect() as conn:
        assert current_revision(conn) == head_revision()
    assert {"vendors", "payments", "approval_requests", "audit_records"} <= set(
        inspect(engine).get_table_names()
    )
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "base")
    assert "vendors" not in inspect(engine).get_table_names()
    upgrade(engine)
    assert "vendors" in inspect(engine).get_table_names()


OLD_RUNS = (
    "CREATE TABLE runs (thread_id VARCHAR(128) PRIMARY KEY, workflow VARCHAR(64) NOT NULL, "
    "document_path TEXT NOT NULL, status VARCHAR(16) NOT NULL, outcome VARCHAR(32), "
    "host VARCHAR(255) NOT NULL, pid INTEGER NOT NULL, started_at TIMESTAMP NOT NULL, "
    "updated_at TIMESTAMP NOT NULL)"
)


def test_a_database_migrated_before_the_own_version_table_is_adopted(db_url: str) -> None:
    """Overture kept its revision in Alembic's default `alembic_version` (which Aegra uses in
    the same database) up to 0006: the next start moves it over and migrates on."""
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            legacy = alembic_config(conn)
            legacy.attributes["version_table"] = "alembic_version"
            command.upgrade(legacy, "0006")
            conn.execute(text("DROP TABLE overture_runs"))  # the run log as 0006 made it
            conn.execute(text(OLD_RUNS))
            conn.execute(text("CREATE INDEX ix_runs_status ON runs (status)"))
            conn.execute(
                text(
                    "INSERT INTO runs (thread_id, workflow, document_path, status, host, pid, "
                    "started_at, updated_at) VALUES ('t1', 'accounts_payable', 'd', "
                    "'finished', 'h', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                )
            )
        upgrade(engine)
        with engine.connect() as conn:
            assert current_revision(conn) == head_revision()
            assert conn.execute(text("SELECT thread_id FROM overture_runs")).scalars().all() == [
                "t1"
            ]
            assert conn.execute(text("SELECT COUNT(*) FROM alembic_version")).scalar() == 0
        assert "runs" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_seed_loads_idempotently(engine) -> None:
    counts = load_seed_file(engine)
    load_seed_file(engine)
    seed = read_seed()
    assert counts["vendors"] == len(seed.vendors)
    with Session(engine) as session:
        assert len(records.list_vendors(session)) == len(seed.vendors)
        po = seed.purchase_orders[0]
        stored = records.get_purchase_order(session, po.number)
        assert stored is not None and stored.lines == po.lines
        received = records.received_quantities(session, po.number)
        assert received and all(isinstance(q, Decimal) for q in received.values())
        paid = seed.paid_invoices[0]
        numbers = [p.invoice_number for p in records.paid_invoices(session, paid.vendor_id)]
        assert numbers.count(paid.invoice_number) == 1


def _instruction() -> PaymentInstruction:
    return PaymentInstruction(
        vendor_id="V001",
        payee_iban="DE48200400600123456701",
        amount=Decimal("1838.55"),
        currency="EUR",
        invoice_number="NW-2026-00417",
        reference="Invoice NW-2026-00417",
    )


def test_payment_is_made_once_per_idempotency_key(engine) -> None:
    gateway = PaymentGateway(engine)
    first = gateway.pay(_instruction(), idempotency_key="k1")
    again = gateway.pay(_instruction(), idempotency_key="k1")
    assert not first.replayed and again.replayed
    assert again.payment_id == first.payment_id and again.instruction == first.instruction
    other = gateway.pay(_instruction(), idempotency_key="k2")
    assert other.payment_id != first.payment_id
    assert gateway.count() == 2


def test_concurrent_payments_with_one_key_pay_once(engine) -> None:
    gateway = PaymentGateway(engine)
    with ThreadPoolExecutor(4) as pool:
        receipts = list(
            pool.map(lambda _: gateway.pay(_instruction(), idempotency_key="race"), range(8))
        )
    assert len({r.payment_id for r in receipts}) == 1
    assert gateway.count() == 1
