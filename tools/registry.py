"""The tool registry: every tool an agent may call, with its schema, side effects and policy.

Nothing outside the registry runs: a call names a registered tool, its arguments validate
against the tool's Pydantic schema, and it is bound to the SHA-256 of its canonical JSON (the
hash an approval binds to). Registration checks each tool when the registry is built, as a
graph is checked when compiled: a tool with side effects but no approval policy is refused
with a message listing every offender. Execution goes through one executor
(tools/executor.py), which adds policy, ledger and audit trail.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from langchain_core.tools import StructuredTool
from pydantic import BaseModel, ValidationError

from tools.approval.edits import EditRule
from tools.canonical import sha256_hex
from tools.errors import InvalidToolArguments, ToolRegistrationError, UnknownTool

SideEffect = Literal["read", "write", "money"]
PolicyMode = Literal["never", "always", "when"]
# OpenAI function names allow letters, digits, `_` and `-`; registry names may also use dots.
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class ApprovalPolicy:
    """When a call needs a human approval, and which role may give it."""

    mode: PolicyMode
    role: str | None = None
    when: Callable[[BaseModel], bool] | None = None
    description: str = ""
    amount_field: str | None = None

    @classmethod
    def never(cls) -> ApprovalPolicy:
        """No approval: the side effect is accepted as is (still ledgered and audited)."""
        return cls("never", description="no approval needed")

    @classmethod
    def always(cls, role: str, amount_field: str | None = None) -> ApprovalPolicy:
        """Every call needs an approver holding `role`."""
        return cls("always", role=role, amount_field=amount_field, description="always")

    @classmethod
    def amount_over(cls, limit: Decimal, role: str, field: str = "amount") -> ApprovalPolicy:
        """Calls whose argument `field` exceeds `limit` need an approver holding `role`."""
        return cls(
            "when",
            role=role,
            amount_field=field,
            when=lambda args: Decimal(str(getattr(args, field))) > limit,
            description=f"{field} over {limit}",
        )

    def requires_approval(self, args: BaseModel) -> bool:
        if self.mode == "never":
            return False
        if self.mode == "always":
            return True
        assert self.when is not None
        return self.when(args)

    def amount(self, args: BaseModel) -> Decimal | None:
        """The amount an approver's limit is compared with, when the policy names one."""
        if self.amount_field is None:
            return None
        return Decimal(str(getattr(args, self.amount_field)))


@dataclass(frozen=True)
class ToolSpec:
    """A registered tool. Side-effecting handlers take `idempotency_key=` (the ledger's key,
    for the external API to deduplicate on); read-only handlers take the arguments only.
    """

    name: str
    description: str
    args_schema: type[BaseModel]
    handler: Callable[..., Any]
    side_effect: SideEffect = "read"
    policy: ApprovalPolicy | None = None
    result_schema: type[BaseModel] | None = None
    edits: EditRule | None = None
    """What an approver may change before approving (tools/approval/edits.py); None: nothing."""

    @property
    def approver_role(self) -> str | None:
        return self.policy.role if self.policy else None


@dataclass(frozen=True)
class BoundCall:
    """A validated call: canonical arguments and the hash an approval binds to."""

    tool: str
    arguments: dict[str, Any]
    args: BaseModel = field(repr=False, compare=False)
    payload_hash: str


def payload_hash(tool: str, arguments: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of `{"tool": ..., "arguments": ...}`."""
    return sha256_hex({"tool": tool, "arguments": arguments})


def spec_problems(spec: ToolSpec) -> list[str]:
    """Everything wrong with `spec`, as sentences naming the tool."""
    problems = []
    if not _NAME.match(spec.name):
        problems.append(f"{spec.name!r}: name must match {_NAME.pattern}")
    if spec.side_effect != "read" and spec.policy is None:
        problems.append(f"{spec.name!r}: side effect {spec.side_effect!r} but no approval policy")
    if spec.policy and spec.policy.mode != "never" and not spec.policy.role:
        problems.append(f"{spec.name!r}: policy {spec.policy.mode!r} names no approver role")
    if spec.policy and spec.policy.amount_field:
        if spec.policy.amount_field not in spec.args_schema.model_fields:
            problems.append(
                f"{spec.name!r}: policy amount field {spec.policy.amount_field!r} "
                f"is not an argument of {spec.args_schema.__name__}"
            )
    if spec.side_effect != "read":
        parameters = inspect.signature(spec.handler).parameters
        if "idempotency_key" not in parameters:
            problems.append(
                f"{spec.name!r}: handler must accept `idempotency_key=` and pass it to the "
                "external system, so a retried call is deduplicated there"
            )
    return problems


class ToolRegistry:
    """The tools agents may call; built once at start-up and passed through the context."""

    def __init__(self, specs: Iterable[ToolSpec] = ()) -> None:
        self._specs: dict[str, ToolSpec] = {}
        self.register(*specs)

    def register(self, *specs: ToolSpec) -> None:
        """Add tools; raise `ToolRegistrationError` listing every problem, adding none."""
        problems = [problem for spec in specs for problem in spec_problems(spec)]
        names = [spec.name for spec in specs]
        problems += [
            f"{name!r}: registered twice"
            for name in sorted(set(names))
            if names.count(name) > 1 or name in self._specs
        ]
        if problems:
            raise ToolRegistrationError(problems)
        for spec in specs:
            self._specs[spec.name] = spec

    def names(self) -> list[str]:
        return sorted(self._specs)

    def get(self, name: str) -> ToolSpec:
        """The spec of `name`; `UnknownTool` if it is not registered (also by its LLM name)."""
        spec = self._specs.get(name) or self._specs.get(self._from_llm_name(name) or "")
        if spec is None:
            raise UnknownTool(name, self.names())
        return spec

    def bind(self, name: str, arguments: dict[str, Any] | BaseModel) -> BoundCall:
        """Validate `arguments` against the tool's schema and bind them to their hash."""
        spec = self.get(name)
        raw = arguments.model_dump() if isinstance(arguments, BaseModel) else arguments
        try:
            args = spec.args_schema.model_validate(raw)
        except ValidationError as error:
            raise InvalidToolArguments(spec.name, _describe(error)) from None
        canonical = args.model_dump(mode="json")
        return BoundCall(spec.name, canonical, args, payload_hash(spec.name, canonical))

    def as_langchain_tools(
        self, run: Callable[[str, dict[str, Any]], Any] | None = None
    ) -> list[StructuredTool]:
        """The tools as LangChain `StructuredTool`s (schemas included) for `bind_tools`.

        `run(name, arguments)` executes a call (an executor bound to a thread and node:
        `ToolExecutor.runner(scope)`); without it the tools only describe themselves and refuse
        to run, so no call can bypass the executor's policy and ledger.
        """
        return [self._langchain_tool(spec, run) for spec in self._specs.values()]

    @staticmethod
    def llm_name(name: str) -> str:
        """The name an LLM sees: dots are not allowed in OpenAI function names."""
        return name.replace(".", "__")

    def _from_llm_name(self, name: str) -> str | None:
        return next((n for n in self._specs if self.llm_name(n) == name), None)

    def _langchain_tool(
        self, spec: ToolSpec, run: Callable[[str, dict[str, Any]], Any] | None
    ) -> StructuredTool:
        def call(**kwargs: Any) -> Any:
            if run is None:
                raise RuntimeError(
                    f"{spec.name} was exported without an executor; execute tool calls with "
                    "ToolExecutor.run_tool_calls or pass run=executor.runner(scope)"
                )
            return run(spec.name, kwargs)

        return StructuredTool.from_function(
            func=call,
            name=self.llm_name(spec.name),
            description=spec.description,
            args_schema=spec.args_schema,
        )


def _describe(error: ValidationError) -> list[str]:
    return [
        f"{'.'.join(str(p) for p in item['loc']) or '(arguments)'}: {item['msg']}"
        for item in error.errors()
    ]
