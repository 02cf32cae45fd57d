"""Errors of registering and calling tools."""

from __future__ import annotations

from core.errors import OvertureError


class ToolRegistrationError(OvertureError, ValueError):
    """A tool cannot be registered; raised at start-up, listing every offender at once."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__(
            "tool registry is not valid:\n  - "
            + "\n  - ".join(self.problems)
            + "\ngive every tool with side effects (write, money) an approval policy, "
            "e.g. ApprovalPolicy.never() or ApprovalPolicy.amount_over(limit, role=...)"
        )


class ToolCallRefused(OvertureError, PermissionError):
    """A tool call was refused before anything ran; the caller records it and routes on."""

    code = "refused"

    def __init__(self, tool_name: str, message: str) -> None:
        self.tool_name = tool_name
        super().__init__(message)

    def record(self) -> dict[str, object]:
        """The refusal as a JSON-able dict: the code, the message and the error's own fields."""
        fields = {
            key: value if isinstance(value, str | int | float | bool | list | None) else str(value)
            for key, value in vars(self).items()
            if not key.startswith("_")
        }
        return {"code": self.code, "message": str(self), **fields}


class UnknownTool(ToolCallRefused, LookupError):
    """The call names a tool that is not registered: nothing outside the registry runs."""

    code = "unknown_tool"

    def __init__(self, tool_name: str, known: list[str]) -> None:
        self.known = sorted(known)
        super().__init__(
            tool_name,
            f"tool {tool_name!r} is not registered; call one of: {', '.join(self.known) or '-'}",
        )


class InvalidToolArguments(ToolCallRefused, ValueError):
    """The arguments fail the tool's schema; `errors` lists each field and its problem."""

    code = "invalid_arguments"

    def __init__(self, tool_name: str, errors: list[str]) -> None:
        self.errors = list(errors)
        super().__init__(
            tool_name,
            f"arguments for {tool_name!r} fail its schema: {'; '.join(self.errors)}; "
            "fix them and call again",
        )
