"""The notification API and the read-only record tools, on every backend."""

import pytest

from core.db import make_engine
from tools import audit_trail
from tools.executor import CallScope, ToolExecutor
from tools.integrations.outbox import TOOL_NAME, Email, email_tool, send_email, sent_emails
from tools.integrations.read_tools import read_only_tools
from tools.integrations.seed import load_seed_file
from tools.migrate import upgrade
from tools.registry import ToolRegistry


@pytest.fixture
def engine(db_url):
    engine = make_engine(db_url)
    upgrade(engine)
    load_seed_file(engine)
    yield engine
    engine.dispose()


def test_an_email_is_sent_once_per_idempotency_key(engine):
    email = Email(to="ap-lead@example.com", subject="Summary", body="All paid.")

    first = send_email(engine, email, idempotency_key="k1")
    again = send_email(engine, email, idempotency_key="k1")

    assert not first.replayed and again.replayed
    assert again.message_id == first.message_id
    assert [m.email.subject for m in sent_emails(engine)] == ["Summary"]


def test_a_resumed_run_replays_the_ledgered_email_instead_of_sending_again(engine):
    executor = ToolExecutor(ToolRegistry([email_tool(engine)]), engine)
    scope = CallScope(thread_id="t-1", node="notify")
    args = {"to": "ap-lead@example.com", "subject": "Summary", "body": "All paid."}

    executor.execute(TOOL_NAME, args, scope)
    replay = executor.execute(TOOL_NAME, args, scope)

    assert replay.replayed
    assert len(sent_emails(engine)) == 1


def test_read_tools_answer_from_the_system_of_record(engine):
    executor = ToolExecutor(ToolRegistry(read_only_tools(engine)), engine)
    scope = CallScope(thread_id="t-2", node="verify")

    vendor = executor.execute("records.find_vendor", {"name": "Nordwind Burobedarf"}, scope)
    po = executor.execute("records.get_purchase_order", {"po_number": "PO-2026-0101"}, scope)
    missing = executor.execute("records.get_purchase_order", {"po_number": "PO-0"}, scope)

    assert vendor.result["found"] and vendor.result["name"] == "Nordwind Bürobedarf GmbH"
    assert po.result["found"] and po.result["received"]
    assert missing.result == {"found": False}


def test_a_read_only_executor_refuses_a_payment_and_records_the_refusal(engine):
    executor = ToolExecutor(ToolRegistry(read_only_tools(engine)), engine)
    scope = CallScope(thread_id="t-3", node="verify", actor="verification-agent")

    [outcome] = executor.run_tool_calls(
        [{"name": "payments__pay", "args": {"amount": "900"}, "id": "call_1"}], scope
    )

    assert outcome.status == "refused"
    events = audit_trail.history(engine, thread_id="t-3")
    assert [(e.event, e.tool) for e in events] == [("refused", "payments__pay")]
