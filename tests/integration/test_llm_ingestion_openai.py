"""The ingestion agent through the real ChatOpenAI client, against a local OpenAI stub."""

from decimal import Decimal

import pytest

from core.settings import Settings
from nodes.ingestion.extraction import RulesExtractor
from nodes.ingestion.ingest import read_document
from nodes.ingestion.llm_extraction import LLMExtractor
from overture.models import make_chat_model
from tests.llm_cases import EXAMPLES, model_answer
from tests.openai_stub import Reply, ToolCall, openai_stub

GERMAN = "08_german_rechnung.pdf"


@pytest.fixture
def stub_env(monkeypatch):
    def configure(stub):
        monkeypatch.setenv("OPENAI_BASE_URL", stub.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-real")
        return Settings(model="openai:gpt-4o-mini", model_max_retries=0)

    return configure


def test_chat_openai_extracts_an_invoice_through_tool_calling(stub_env):
    with openai_stub(
        [Reply(tool_calls=[ToolCall("ExtractedInvoice", model_answer(GERMAN))])]
    ) as stub:
        model = make_chat_model(stub_env(stub), "ingestion")
        invoice = LLMExtractor(model, RulesExtractor()).extract(
            read_document(EXAMPLES / "documents" / GERMAN)
        )

    assert getattr(model, "model_name", None) == "gpt-4o-mini"
    assert invoice.total == Decimal(model_answer(GERMAN)["total"])
    request = stub.requests[0]
    assert request["model"] == "gpt-4o-mini"
    assert request["tools"][0]["function"]["name"] == "ExtractedInvoice"
    assert request["tool_choice"]["function"]["name"] == "ExtractedInvoice"
    assert "<document>" in request["messages"][1]["content"]


def test_a_repair_round_trip_goes_over_the_wire_as_a_tool_message(stub_env):
    sloppy = {**model_answer(GERMAN), "total": "12,5 EUR"}
    script = [
        Reply(tool_calls=[ToolCall("ExtractedInvoice", sloppy)]),
        Reply(tool_calls=[ToolCall("ExtractedInvoice", model_answer(GERMAN))]),
    ]
    with openai_stub(script) as stub:
        model = make_chat_model(stub_env(stub), "ingestion")
        LLMExtractor(model, RulesExtractor()).extract(
            read_document(EXAMPLES / "documents" / GERMAN)
        )

    tool_message = stub.requests[1]["messages"][-1]
    assert tool_message["role"] == "tool"
    assert "not a plain decimal" in tool_message["content"]


def test_streaming_completions_arrive_whole(stub_env):
    with openai_stub([Reply("Invoice NW-2026 paid in full; no exceptions found.")]) as stub:
        model = make_chat_model(stub_env(stub), "audit")
        text = "".join(chunk.content for chunk in model.stream("summarise"))

    assert text == "Invoice NW-2026 paid in full; no exceptions found."
    assert stub.requests[0]["stream"] is True


def test_without_a_key_the_rules_strategy_is_used(monkeypatch):
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    assert make_chat_model(Settings(model="openai:gpt-4o-mini"), "ingestion") is None
    assert make_chat_model(Settings(), "ingestion") is None


def test_a_per_agent_override_wins_over_the_default(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-real")
    monkeypatch.setenv("OVERTURE_MODEL_AUDIT", "openai:gpt-4o")
    settings = Settings(model="rules")

    assert make_chat_model(settings, "ingestion") is None
    assert getattr(make_chat_model(settings, "audit"), "model_name", None) == "gpt-4o"


def test_an_unknown_model_spec_says_which_values_work():
    from core.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="use 'rules' or 'openai:<model>'"):
        make_chat_model(Settings(model="anthropic:claude"), "ingestion")


def test_token_usage_is_recorded_per_run_and_agent(stub_env, tmp_path):
    import dataclasses

    from observability.queries import agent_stats
    from overture.runtime import open_app
    from overture.service import process_document
    from tools.integrations.seed import load_seed_file

    reply = Reply(tool_calls=[ToolCall("ExtractedInvoice", model_answer(GERMAN))])
    with openai_stub([reply]) as stub, open_app(Settings(home=tmp_path)) as app:
        load_seed_file(app.engine)
        model = make_chat_model(stub_env(stub), "ingestion")
        llm_context = dataclasses.replace(
            app.workflow("accounts_payable").context,
            extractor=LLMExtractor(model, RulesExtractor()),
        )
        result = process_document(
            app.replacing("accounts_payable", context=llm_context), EXAMPLES / "documents" / GERMAN
        )
        stats = {s.agent: s for s in agent_stats(app.engine, thread_id=result.thread_id)}

    assert result.status == "paid"
    assert stats["ingest"].tokens > 0
    assert stats["verify"].tokens == 0
