"""The approval rules as pure functions: who may decide, and when a call counts as approved."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from core.settings import Settings
from tools.approval.approvers import Approver
from tools.approval.errors import (
    AlreadyDecided,
    ApprovalExpired,
    ApprovalRequired,
    BarredApprover,
    NotAuthorised,
    PayloadMismatch,
    SecondApproverRequired,
    SelfApproval,
    UnknownApprover,
)
from tools.approval.policy import ApprovalTerms, Vote, check_decider, check_execution, make_terms

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
SETTINGS = Settings(two_person_threshold=Decimal("50000"), approval_ttl=timedelta(hours=2))
ALICE = Approver(id="alice", roles={"ap": Decimal("100000")})
BOB = Approver(id="bob", roles={"ap": Decimal("100000")})
CAROL = Approver(id="carol", roles={"ap": Decimal("20000")})
DAVE = Approver(id="dave", roles={"clerk": Decimal("1000000")})


def terms(amount: str = "12500") -> ApprovalTerms:
    return make_terms(
        request_id="apr-1",
        tool="payments.pay",
        payload_hash="h1",
        required_role="ap",
        requested_at=NOW,
        settings=SETTINGS,
        amount=Decimal(amount),
        requested_by="sam",
    )


def vote(approver: str, action: str = "approve", payload_hash: str = "h1") -> Vote:
    return Vote(approver=approver, action=action, payload_hash=payload_hash, decided_at=NOW)  # type: ignore[arg-type]


def test_terms_take_expiry_and_approver_count_from_settings() -> None:
    assert terms().expires_at == NOW + timedelta(hours=2)
    assert terms("50000").approvals_required == 1
    assert terms("50000.01").approvals_required == 2


@pytest.mark.parametrize(
    ("approver_id", "approver", "error", "reason"),
    [
        ("mallory", None, UnknownApprover, None),
        ("dave", DAVE, NotAuthorised, "does not hold role 'ap'"),
        ("carol", CAROL, NotAuthorised, "limit 20000 is below the amount 25000"),
        ("sam", Approver(id="sam", roles={"ap": Decimal("1e6")}), SelfApproval, None),
        ("alice", Approver(id="alice", active=False, roles=ALICE.roles), UnknownApprover, None),
    ],
)
def test_a_decider_must_be_known_authorised_within_limit_and_not_the_submitter(
    approver_id: str, approver: Approver | None, error: type[Exception], reason: str | None
) -> None:
    with pytest.raises(error) as caught:
        check_decider(terms("25000"), [], approver_id, approver, NOW)
    if reason:
        assert caught.value.reason == reason  # type: ignore[attr-defined]


def test_a_barred_person_is_refused_though_they_hold_the_role_and_limit() -> None:
    barred = terms().model_copy(update={"barred": ["alice"]})
    with pytest.raises(BarredApprover, match="a different person must"):
        check_decider(barred, [], "alice", ALICE, NOW)
    check_decider(barred, [], "bob", Approver(id="bob", roles=ALICE.roles), NOW)


def test_a_request_expires_and_a_decided_one_stays_decided() -> None:
    with pytest.raises(ApprovalExpired):
        check_decider(terms(), [], "alice", ALICE, NOW + timedelta(hours=2, seconds=1))
    with pytest.raises(AlreadyDecided) as caught:
        check_decider(terms(), [vote("bob")], "alice", ALICE, NOW)
    assert caught.value.decided_by == ["bob"]


def test_above_the_threshold_the_second_approver_must_be_someone_else() -> None:
    big = terms("60000")
    check_decider(big, [], "alice", ALICE, NOW)
    with pytest.raises(SecondApproverRequired):
        check_decider(big, [vote("alice")], "alice", ALICE, NOW)
    check_decider(big, [vote("alice")], "bob", BOB, NOW)


def test_execution_needs_every_approval_on_exactly_the_payload_that_runs() -> None:
    big = terms("60000")
    with pytest.raises(ApprovalRequired):
        check_execution(big, [], "payments.pay", "h1")
    with pytest.raises(SecondApproverRequired):
        check_execution(big, [vote("alice")], "payments.pay", "h1")
    assert check_execution(big, [vote("alice"), vote("bob")], "payments.pay", "h1").approvers == [
        "alice",
        "bob",
    ]
    with pytest.raises(PayloadMismatch) as caught:
        check_execution(big, [vote("alice"), vote("bob")], "payments.pay", "h2")
    assert (caught.value.approved_hash, caught.value.actual_hash) == ("h1", "h2")
    with pytest.raises(AlreadyDecided):
        check_execution(big, [vote("alice", "reject")], "payments.pay", "h1")


def test_an_edit_moves_approval_to_the_new_payload() -> None:
    edited = [vote("alice"), vote("bob", "edit", "h2")]
    with pytest.raises(SecondApproverRequired):  # alice approved h1, which no longer runs
        check_execution(terms("60000"), edited, "payments.pay", "h2")
    approved = check_execution(
        terms("60000"), [*edited, vote("alice", "approve", "h2")], "payments.pay", "h2"
    )
    assert approved.approvers == ["bob", "alice"]
    assert check_execution(terms(), [vote("bob", "edit", "h2")], "payments.pay", "h2")
