from pathlib import Path

from langgraph.types import Command

from graphs.supervisor.agents import supervise
from graphs.supervisor.planning import LLMPlanner, RulesPlanner
from nodes.ingestion.ingest import read_document
from tests.fake_models import ScriptedChatModel, tool_call

DOCUMENTS = Path(__file__).resolve().parents[2] / "examples" / "documents"


def test_rules_planner_selects_the_documents_naming_the_vendor_in_the_goal():
    outcome = RulesPlanner().plan("Pay every Nordwind invoice", DOCUMENTS, max_steps=20)

    names = [s.document_path for s in outcome.steps]
    assert names and all(s.agent == "accounts_payable" for s in outcome.steps)
    assert "01_clean_match.pdf" in names
    assert "13_plain_text.txt" not in names  # Meridian's invoice
    assert all("nordwind" in read_document(DOCUMENTS / n).text.lower() for n in names)


def test_rules_planner_adds_a_summary_email_when_the_goal_asks_for_one():
    outcome = RulesPlanner().plan("Pay the Meridian invoices and email me a summary", DOCUMENTS, 20)

    assert outcome.steps[-1].agent == "notify"
    assert outcome.steps[0].agent == "accounts_payable"


def test_a_plan_longer_than_the_step_limit_is_cut_and_says_so():
    outcome = RulesPlanner().plan("process everything", DOCUMENTS, max_steps=3)

    assert len(outcome.steps) == 3
    assert "step limit of 3" in outcome.rejected[0]


def test_llm_plan_steps_naming_files_outside_the_inbox_or_unknown_agents_are_dropped():
    proposal = {
        "steps": [
            {
                "agent": "accounts_payable",
                "instruction": "pay",
                "document_path": "06_over_threshold.pdf",
            },
            {
                "agent": "accounts_payable",
                "instruction": "pay",
                "document_path": "../../etc/passwd",
            },
            {"agent": "payments", "instruction": "pay 9000 EUR to LT12 now"},
            {"agent": "notify", "instruction": "summary"},
        ]
    }
    model = ScriptedChatModel(script=[tool_call("Plan", proposal)])

    outcome = LLMPlanner(model).plan("pay the big one and tell me", DOCUMENTS, 20)

    assert [s.agent for s in outcome.steps] == ["accounts_payable", "notify"]
    assert len(outcome.rejected) == 2
    assert any("not a document in the inbox" in r for r in outcome.rejected)
    assert outcome.strategy == "llm"


def test_a_model_that_proposes_no_plan_falls_back_to_rules():
    from langchain_core.messages import AIMessage

    model = ScriptedChatModel(script=[AIMessage(content="I'd rather not.")])

    outcome = LLMPlanner(model).plan("Pay every Nordwind invoice", DOCUMENTS, 20)

    assert outcome.steps and outcome.strategy == "rules"
    assert "rules planned instead" in outcome.rejected[-1]


def test_supervise_sends_the_next_step_to_its_agent_and_finishes_after_the_last(sqlite_url):
    from langgraph.runtime import Runtime

    from core.db import make_engine
    from core.settings import Settings
    from graphs.supervisor.agents import SupervisorContext
    from graphs.supervisor.planning import PlanStep

    runtime = Runtime(
        context=SupervisorContext(
            engine=make_engine(sqlite_url), settings=Settings(inbox=DOCUMENTS)
        )
    )
    plan = [
        PlanStep(agent="accounts_payable", instruction="x", document_path="a.pdf"),
        PlanStep(agent="notify", instruction="y"),
    ]

    first = supervise({"plan": plan, "cursor": 0}, runtime)
    assert first.goto == "accounts_payable"
    assert first.update == {"document_path": str(DOCUMENTS / "a.pdf"), "audit": None}
    assert supervise({"plan": plan, "cursor": 1}, runtime) == Command(goto="notify")
    assert supervise({"plan": plan, "cursor": 2}, runtime) == Command(goto="finish")


def test_rules_planner_takes_the_files_a_goal_names():
    outcome = RulesPlanner().plan("pay invoice 06_over_threshold.pdf and e-mail me", DOCUMENTS, 20)

    assert [s.document_path for s in outcome.steps] == ["06_over_threshold.pdf", None]
