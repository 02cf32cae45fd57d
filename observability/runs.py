"""Reading LangChain `Run` objects: status, token usage, model, and the case they belong to.

Shared by the SQL sink and the LangSmith tracer so both describe a run the same way.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, TypedDict

from langchain_core.tracers.schemas import Run

INTERRUPT_MARKERS = ("GraphInterrupt", "NodeInterrupt", "Interrupt(")


class TokenUsage(TypedDict):
    """Tokens one model call used; zero when the model did not report usage."""

    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


def status_of(run: Run) -> str:
    """`interrupted` for an approval gateway pause, not an error; else `error` or `success`."""
    if run.error:
        if any(marker in run.error for marker in INTERRUPT_MARKERS):
            return "interrupted"
        return "error"
    outputs = run.outputs or {}
    if isinstance(outputs, Mapping) and "__interrupt__" in outputs:
        return "interrupted"
    return "success"


def _usage_dicts(value: Any, depth: int = 0) -> Iterator[Mapping[str, Any]]:
    if depth > 8:
        return
    if isinstance(value, Mapping):
        usage = value.get("usage_metadata")
        if isinstance(usage, Mapping):
            yield usage
            return
        for item in value.values():
            yield from _usage_dicts(item, depth + 1)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _usage_dicts(item, depth + 1)
    else:
        usage = getattr(value, "usage_metadata", None)
        if isinstance(usage, Mapping):
            yield usage


def token_usage(run: Run) -> TokenUsage | None:
    """Token usage of a model run: message `usage_metadata`, else the provider's `token_usage`."""
    if run.run_type not in {"llm", "chat_model"} or not run.outputs:
        return None
    found = list(_usage_dicts(run.outputs.get("generations")))
    if found:
        prompt = sum(int(u.get("input_tokens") or 0) for u in found)
        completion = sum(int(u.get("output_tokens") or 0) for u in found)
        total = sum(int(u.get("total_tokens") or 0) for u in found) or prompt + completion
        return TokenUsage(prompt_tokens=prompt, completion_tokens=completion, total_tokens=total)
    llm_output = run.outputs.get("llm_output") or {}
    usage = llm_output.get("token_usage") if isinstance(llm_output, Mapping) else None
    if isinstance(usage, Mapping):
        prompt = int(usage.get("prompt_tokens") or 0)
        completion = int(usage.get("completion_tokens") or 0)
        total = int(usage.get("total_tokens") or prompt + completion)
        return TokenUsage(prompt_tokens=prompt, completion_tokens=completion, total_tokens=total)
    return None


def model_name(run: Run) -> str | None:
    """The model a model run called, from LangChain's standard `ls_model_name` metadata."""
    if run.run_type not in {"llm", "chat_model"}:
        return None
    extra = run.extra or {}
    metadata = extra.get("metadata") or {}
    params = extra.get("invocation_params") or {}
    name = metadata.get("ls_model_name") or params.get("model") or params.get("model_name")
    return str(name) if name else run.name


def run_metadata(run: Run) -> dict[str, Any]:
    """The run's metadata dict (LangChain keeps it under `extra`)."""
    return dict((run.extra or {}).get("metadata") or {})


def _field(obj: Any, name: str) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name)
    return getattr(obj, name, None)


def _case_from_outputs(outputs: Any, found: dict[str, str]) -> None:
    if not isinstance(outputs, Mapping):
        return
    invoice = outputs.get("invoice")
    if invoice is not None:
        for key, attr in (("invoice_number", "invoice_number"), ("vendor", "vendor_name")):
            value = _field(invoice, attr)
            if value and key not in found:
                found[key] = str(value)
    route = outputs.get("route")
    if route is not None and not isinstance(route, str):
        route = _field(route, "route")
    if route and "route" not in found:
        found["route"] = str(route)


def case_metadata(root: Run) -> dict[str, str]:
    """What a finished workflow run learnt about its case: invoice number, vendor, route.

    Known only at the end of a run (extraction finds the invoice number), so it is added to
    the root run's metadata when the root ends, before the run is written or sent. The
    graph's output schema may leave the invoice out, so the agents' outputs are searched too.
    """
    found: dict[str, str] = {}
    stack = [root]
    while stack:
        run = stack.pop(0)
        _case_from_outputs(run.outputs, found)
        stack.extend(run.child_runs)
    return found
