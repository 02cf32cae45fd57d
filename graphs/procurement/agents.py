"""The procurement agents: read the request, check it against the books, approve, order,
tell the requester, audit. Reading documents, the approval gateway and the tool registry
are the framework's (nodes/, tools/); what is here is what procurement alone decides."""

from __future__ import annotations

import json
import re
from typing import Any

from langgraph.runtime import Runtime
from pydantic import ValidationError
from sqlalchemy.orm import Session

from core.domain import PurchaseOrder
from core.errors import OvertureError
from graphs.procurement import books
from graphs.procurement.context import ProcurementContext
from graphs.procurement.state import PurchaseRequest, State
from graphs.procurement.tools import CREATE_ORDER, OrderDraft
from nodes.approval.gateway import Proposal, approval_gateway
from nodes.approval.identity import server_user
from nodes.context import require_context, thread_id_of
from nodes.ingestion import document_input, ingest
from tools.approval import requests, votes
from tools.errors import ToolCallRefused
from tools.executor import CallScope
from tools.integrations import outbox, records

LABELS = {"request": "number", "requester": "requester", "requestedby": "requester",
          "email": "requester_email", "costcentre": "cost_centre", "costcenter": "cost_centre",
          "vendor": "vendor_id", "category": "category", "item": "description",
          "description": "description", "quantity": "quantity", "qty": "quantity",
          "unitprice": "unit_price", "currency": "currency"}  # fmt: skip
"""What request forms call each field (`Cost centre:`, `Qty:`): letters only, lower case."""
STEPS = {"auto": [], "manager": ["manager"], "manager_then_finance": ["manager", "finance"]}
"""The approvals each route needs before the order, in order."""


def form_of(text: str) -> dict[str, Any]:
    """A request's fields from JSON or from `Label: value` lines (a text or an e-mail)."""
    if text.lstrip().startswith("{"):
        return dict(json.loads(text))
    form: dict[str, Any] = {}
    for label, value in re.findall(r"(?m)^\s*([A-Za-z][A-Za-z .-]*?)\s*:\s*(.+?)\s*$", text):
        if key := LABELS.get(re.sub(r"[^a-z]", "", label.lower())):
            form.setdefault(key, value)
    return form


def intake(state: State, runtime: Runtime[ProcurementContext]) -> dict[str, Any]:
    """Read the request from its form or its file; a bad one becomes `errors`."""
    try:
        form = state.get("form")
        if form is None:
            server = runtime.server_info is not None
            root = document_input.path_root(_context(runtime).settings, under_server=server)
            path = document_input.resolve_document_path(state.get("document_path", ""), root)
            form = form_of(ingest.read_document(path).text)
        request = PurchaseRequest.model_validate(form)
        user = server_user(runtime)
        if user is not None and user != request.requester:
            raise ValueError(f"{user} cannot ask on behalf of {request.requester}")
    except ValidationError as error:
        wrong = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        return _refused("intake", f"the request is incomplete or wrong: {wrong}")
    except (OvertureError, ValueError) as error:  # unreadable file, bad JSON
        return _refused("intake", f"the request could not be read: {error}")
    return {"request": request, "trail": [f"intake: {request.number} by {request.requester}"]}


def check(state: State, runtime: Runtime[ProcurementContext]) -> dict[str, Any]:
    """Requester, vendor and budget against the books; reserve the amount for this run."""
    engine, request = _context(runtime).engine, _request(state)
    with Session(engine) as session:
        centre = session.get(books.CostCentreRow, request.cost_centre)
        known_vendor = records.get_vendor(session, request.vendor_id) is not None
    problems = [
        f"cost centre {request.cost_centre} does not exist" if centre is None else "",
        f"{request.requester} may not order for {request.cost_centre}"
        if centre and request.requester not in centre.members else "",
        "" if known_vendor else f"vendor {request.vendor_id} is not in the vendor master",
        f"{centre.id} budgets in {centre.currency}, not {request.currency}"
        if centre and centre.currency != request.currency else "",
    ]  # fmt: skip
    if any(problems):
        return _refused("check", next(p for p in problems if p))
    verdict, detail = books.claim(engine, request, thread_id_of(runtime))
    if verdict == "ordered":
        return _refused("check", f"duplicate request: {detail}")
    if verdict != "owner":  # over budget, refused before, or another run's
        held = {"route": "human_review", "outcome": "held_for_review"}
        return {**held, "route_reasons": [detail], "trail": [f"check: {detail}"]}
    return {"trail": [f"check: within budget, {detail}"]}


def route(state: State, runtime: Runtime[ProcurementContext]) -> dict[str, Any]:
    """Auto under the limit for everyday categories; a manager; a manager then finance."""
    limits, request = _context(runtime).procurement, _request(state)
    if request.category in limits.finance_categories or request.amount > limits.finance_limit:
        chosen = "manager_then_finance"
    elif request.amount <= limits.auto_limit and request.category in limits.auto_categories:
        chosen = "auto"
    else:
        chosen = "manager"
    why = f"{request.amount} {request.currency} of {request.category}"
    return {"route": chosen, "route_reasons": [why], "trail": [f"route: {chosen} ({why})"]}


def approval(
    step: str, role: str, state: State, runtime: Runtime[ProcurementContext]
) -> dict[str, Any]:
    """One step of the chain (the graph binds `step` and `role`) on the framework's gateway;
    the requester and an earlier step's approvers are barred from it."""
    request, engine = _request(state), _context(runtime).engine
    thread_id = thread_id_of(runtime)
    owned = books.owned(engine, thread_id)
    assert owned is not None
    verdict = approval_gateway(
        runtime,
        Proposal(
            tool=CREATE_ORDER,
            arguments=_draft(request, owned.id),
            obligation=f"{owned.id}#{owned.claims}",
            amount=request.amount,
            currency=request.currency,
            description=f"{step.title()} approval: {request.quantity} x {request.description}"
            f" from {request.vendor_id} for {request.requester} ({request.cost_centre})",
            reasons=state.get("route_reasons") or [],
            document_path=state.get("document_path", ""),
            step=step,
            role=role,
            barred=[request.requester, *_decided(engine, thread_id, owned, "manager")[1]],
            on_request=lambda _: books.settle(engine, thread_id, "awaiting_approval"),
        ),
    )
    done = "approved" if verdict.approved else f"approval_{verdict.outcome}"
    decided = [verdict.decision] if verdict.decision else []
    return {
        "approval_request_id": verdict.request.id,
        "outcome": done,
        "approvals": decided,
        "trail": [f"{step}: {done} " + " ".join(d.approver for d in decided)],
    }


def order(state: State, runtime: Runtime[ProcurementContext]) -> dict[str, Any]:
    """Create the order through the registry once every step its route needs approved it,
    as SQL tells it (the votes), then record it against the request."""
    context, request, thread_id = _context(runtime), _request(state), thread_id_of(runtime)
    owned = books.owned(context.engine, thread_id)
    assert owned is not None
    steps = STEPS[route(state, runtime)["route"]]  # from the request, whatever state says
    decided = [_decided(context.engine, thread_id, owned, step) for step in steps]
    names = [name for _, approvers in decided for name in approvers]
    if not all(a for _, a in decided) or len(set(names)) < len(names) or request.requester in names:
        return _refused("order", f"{steps} were not each approved by other people: {names}")
    if (owned.amount, owned.cost_centre) != (request.amount, request.cost_centre):
        return _refused("order", "the request differs from the one its budget was checked for")
    try:
        done = context.executor.execute(
            CREATE_ORDER,
            _draft(request, owned.id),
            CallScope(thread_id, "order", obligation=owned.id),
            approval=decided[-1][0] if decided else None,
        )
    except ToolCallRefused as refusal:
        return _refused("order", f"the order was refused: {refusal}")
    created = PurchaseOrder.model_validate(done.result)
    books.settle(context.engine, thread_id, "ordered", created.number)
    return {"order": created, "outcome": "ordered", "trail": [f"order: {created.number}"]}


def notify(state: State, runtime: Runtime[ProcurementContext]) -> dict[str, Any]:
    """Tell the requester how their request ended, once (ledgered)."""
    request, created = _request(state), state.get("order")
    why = "; ".join(state.get("errors") or state.get("route_reasons") or [])
    ended = f"ordered as {created.number}" if created else f"{state.get('outcome')} ({why})"
    body = f"Your purchase request {request.number}: {ended}."
    email = outbox.Email(to=request.requester_email, subject=f"Request {request.number}", body=body)
    scope = CallScope(thread_id_of(runtime), "notify")
    _context(runtime).executor.execute(outbox.TOOL_NAME, email, scope)
    return {"summary": body, "trail": [f"notify: {request.requester_email}"]}


def audit(state: State, runtime: Runtime[ProcurementContext]) -> dict[str, Any]:
    """Settle the request in the books: a refusal sticks (its next run goes to a human)."""
    outcome = state.get("outcome", "rejected")
    if outcome != "ordered":
        refused = outcome in ("approval_rejected", "rejected") and state.get("request") is not None
        status = "refused" if refused else "closed"
        books.settle(_context(runtime).engine, thread_id_of(runtime), status)
    return {"outcome": outcome, "trail": [f"audit: {outcome}"]}


def _decided(
    engine: Any, thread_id: str, owned: books.RequestRow, step: str
) -> tuple[Any, list[str]]:
    """The terms of this run's request at `step` and who approved it (none if not approved)."""
    key = requests.approval_id(thread_id, f"{owned.id}#{owned.claims}@{step}")
    terms = votes.get_terms(engine, key)
    tally = votes.current_tally(engine, terms) if terms else None
    return terms, list(tally.approvers) if tally and tally.status == "approved" else []


def _context(runtime: Runtime[ProcurementContext]) -> ProcurementContext:
    return require_context(runtime, ProcurementContext)


def _request(state: State) -> PurchaseRequest:
    request = state.get("request")
    assert request is not None  # the graph passes only read requests on
    return request


def _draft(request: PurchaseRequest, key: str) -> OrderDraft:
    return OrderDraft(**request.model_dump(exclude={"amount"}), request_id=key)


def _refused(node: str, error: str) -> dict[str, Any]:
    refused = {"route": "rejected", "outcome": "rejected"}
    return {**refused, "errors": [error], "trail": [f"{node}: {error}"]}
