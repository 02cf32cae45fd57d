"""The tool registry: only registered tools, only valid arguments, every side effect governed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import BaseModel

from tools.canonical import canonical_json, sha256_hex
from tools.errors import InvalidToolArguments, ToolRegistrationError, UnknownTool
from tools.ledger import idempotency_key
from tools.registry import ApprovalPolicy, ToolRegistry, ToolSpec, payload_hash


class Transfer(BaseModel):
    account: str
    amount: Decimal


def transfer(args: Transfer, *, idempotency_key: str) -> dict[str, str]:
    return {"ok": idempotency_key}


def money_tool(**changes: object) -> ToolSpec:
    fields: dict[str, object] = {
        "name": "bank.transfer",
        "description": "Move money.",
        "args_schema": Transfer,
        "handler": transfer,
        "side_effect": "money",
        "policy": ApprovalPolicy.amount_over(Decimal("100"), role="treasurer"),
    }
    return ToolSpec(**{**fields, **changes})  # type: ignore[arg-type]


def test_a_side_effect_without_policy_fails_at_registration_naming_every_offender() -> None:
    with pytest.raises(ToolRegistrationError) as caught:
        ToolRegistry(
            [
                money_tool(policy=None),
                money_tool(name="crm.update", side_effect="write", policy=None),
            ]
        )
    assert caught.value.problems == [
        "'bank.transfer': side effect 'money' but no approval policy",
        "'crm.update': side effect 'write' but no approval policy",
    ]
    assert "ApprovalPolicy.never()" in str(caught.value)


def test_registration_refuses_a_policy_without_role_and_a_handler_without_the_key() -> None:
    with pytest.raises(ToolRegistrationError) as caught:
        ToolRegistry(
            [
                money_tool(policy=ApprovalPolicy("always")),
                money_tool(name="bank.other", handler=lambda args: None),
                money_tool(name="bank.third", policy=ApprovalPolicy.amount_over(1, "x", "sum")),
            ]
        )
    text = "\n".join(caught.value.problems)
    assert "policy 'always' names no approver role" in text
    assert "'bank.other': handler must accept `idempotency_key=`" in text
    assert "amount field 'sum' is not an argument of Transfer" in text


def test_a_name_is_registered_once() -> None:
    registry = ToolRegistry([money_tool()])
    with pytest.raises(ToolRegistrationError, match="registered twice"):
        registry.register(money_tool())


def test_an_unregistered_tool_is_refused_with_the_known_names() -> None:
    registry = ToolRegistry([money_tool()])
    with pytest.raises(UnknownTool) as caught:
        registry.bind("bank.wire", {"account": "A", "amount": "1"})
    assert caught.value.known == ["bank.transfer"]
    assert caught.value.record()["code"] == "unknown_tool"


def test_out_of_schema_arguments_are_refused_field_by_field() -> None:
    registry = ToolRegistry([money_tool()])
    with pytest.raises(InvalidToolArguments) as caught:
        registry.bind("bank.transfer", {"account": "A", "amount": "lots"})
    assert caught.value.errors == ["amount: Input should be a valid decimal"]


def test_a_call_is_bound_to_the_sha256_of_its_canonical_json() -> None:
    registry = ToolRegistry([money_tool()])
    call = registry.bind("bank.transfer", {"amount": Decimal("12.50"), "account": "A"})
    assert call.arguments == {"account": "A", "amount": "12.50"}
    assert canonical_json({"tool": "bank.transfer", "arguments": call.arguments}) == (
        '{"arguments":{"account":"A","amount":"12.50"},"tool":"bank.transfer"}'
    )
    assert call.payload_hash == payload_hash("bank.transfer", call.arguments)
    assert call.payload_hash == sha256_hex({"arguments": call.arguments, "tool": call.tool})
    edited = registry.bind("bank.transfer", {"amount": "12.51", "account": "A"})
    assert edited.payload_hash != call.payload_hash


def test_the_idempotency_key_depends_on_thread_node_tool_and_arguments() -> None:
    base = idempotency_key("t1", "execute", "bank.transfer", {"amount": "1"})
    assert base == idempotency_key("t1", "execute", "bank.transfer", {"amount": "1"})
    assert (
        len(
            {
                base,
                idempotency_key("t2", "execute", "bank.transfer", {"amount": "1"}),
                idempotency_key("t1", "retry", "bank.transfer", {"amount": "1"}),
                idempotency_key("t1", "execute", "bank.other", {"amount": "1"}),
                idempotency_key("t1", "execute", "bank.transfer", {"amount": "2"}),
            }
        )
        == 5
    )


def test_policies_decide_which_calls_need_approval() -> None:
    over = ApprovalPolicy.amount_over(Decimal("100"), role="treasurer")
    assert not over.requires_approval(Transfer(account="A", amount=Decimal("100")))
    assert over.requires_approval(Transfer(account="A", amount=Decimal("100.01")))
    assert over.amount(Transfer(account="A", amount=Decimal("7"))) == Decimal("7")
    assert ApprovalPolicy.always("treasurer").requires_approval(Transfer(account="A", amount=0))
    assert not ApprovalPolicy.never().requires_approval(Transfer(account="A", amount=10**9))


def test_tools_export_to_langchain_with_their_schemas_and_refuse_to_run_alone() -> None:
    registry = ToolRegistry([money_tool()])
    (tool,) = registry.as_langchain_tools()
    assert tool.name == "bank__transfer"  # OpenAI function names allow no dots
    assert tool.description == "Move money."
    assert set(tool.args) == {"account", "amount"}
    assert registry.get("bank__transfer").name == "bank.transfer"
    with pytest.raises(RuntimeError, match="without an executor"):
        tool.invoke({"account": "A", "amount": "1"})


def test_exported_tools_run_through_the_given_runner() -> None:
    seen: list[tuple[str, dict[str, object]]] = []
    registry = ToolRegistry([money_tool()])
    (tool,) = registry.as_langchain_tools(run=lambda name, args: seen.append((name, args)))
    tool.invoke({"account": "A", "amount": "1"})
    assert seen == [("bank.transfer", {"account": "A", "amount": Decimal("1")})]
