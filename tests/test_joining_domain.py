"""Joining and vetting in the rulebook (no server): what a tradesperson's details must
hold, that a change goes back for checks, and the reminders as registrations and
insurance run out."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from app.domain import actions
from app.domain.eligibility import reminders
from app.domain.lifecycle import Rejected
from app.domain.models import Vetting
from app.domain.records import Tradesperson
from tests.cast import OFFICER, PLUMBER, MemoryRepo

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # a Monday
TODAY = NOW.date()
LATER = (TODAY + timedelta(days=300)).isoformat()
DOC = {"sha256": "a" * 64, "stage": "report"}


def details(**changes) -> dict:
    return {
        "business_name": "Pat's Pipes",
        "trades": ["plumbing"],
        "districts": ["M4"],
        "working_days": [0, 1, 2, 3, 4],
        "insurance_expires": LATER,
        "photos": [DOC],
        **changes,
    }


def submit(repo: MemoryRepo, **changes) -> Tradesperson:
    actions.apply(repo, actions.Context(PLUMBER, NOW), "submit_profile", details(**changes))
    tp = repo.get("tradespeople", PLUMBER.id)
    assert isinstance(tp, Tradesperson)
    return tp


def refusal(repo: MemoryRepo, **changes) -> str:
    with pytest.raises(Rejected) as refused:
        submit(repo, **changes)
    return refused.value.message


def test_details_are_kept_as_sent_and_wait_for_checks():
    tp = submit(MemoryRepo(), districts=["M4", "M1", "M4"], working_days=[4, 0, 0])
    assert tp.status is Vetting.APPLIED and tp.applied_at == NOW
    assert tp.districts == ["M1", "M4"] and tp.working_days == [0, 4]
    assert tp.documents == ["a" * 64] and tp.name == PLUMBER.name


def test_gas_needs_gas_safe_and_the_appliances():
    repo = MemoryRepo()
    assert "Gas Safe" in refusal(repo, trades=["gas"])
    assert "gas appliances" in refusal(
        repo, trades=["gas"], certificates={"gas_safe": LATER}, certificate_numbers={}
    )
    tp = submit(
        repo,
        trades=["gas"],
        certificates={"gas_safe": LATER},
        certificate_numbers={"gas_safe": "123456"},
        gas_categories=["boilers", "cookers"],
    )
    assert tp.certificates == {"gas_safe": date.fromisoformat(LATER)}


@pytest.mark.parametrize("scheme", ["niceic", "napit", "elecsa"])
def test_electrical_work_takes_any_one_of_the_three_schemes(scheme):
    tp = submit(MemoryRepo(), trades=["electrical"], certificates={scheme: LATER})
    assert scheme in tp.certificates


def test_electrical_without_a_scheme_is_refused_naming_them_all():
    assert "NICEIC, NAPIT or ELECSA" in refusal(MemoryRepo(), trades=["electrical"])


def test_expired_dates_are_refused():
    yesterday = (TODAY - timedelta(days=1)).isoformat()
    repo = MemoryRepo()
    assert "expiry date has passed" in refusal(
        repo, trades=["gas"], certificates={"gas_safe": yesterday}, gas_categories=["boilers"]
    )
    assert "insurance has expired" in refusal(repo, insurance_expires=yesterday)
    assert submit(repo, insurance_expires=TODAY.isoformat()).insurance_expires == TODAY


def test_details_without_any_document_are_refused():
    assert "Add a photo" in refusal(MemoryRepo(), photos=[])


def test_unknown_certificates_and_districts_are_refused_before_anything_runs():
    repo = MemoryRepo()
    assert "postcode district" in refusal(repo, districts=["Hackney"])
    assert "Gas Safe, NICEIC, NAPIT or ELECSA" in refusal(repo, certificates={"corgi": LATER})


def test_a_change_goes_back_for_checks_and_keeps_earlier_documents():
    repo = MemoryRepo()
    submit(repo)
    officer = actions.Context(OFFICER, NOW)
    actions.apply(repo, officer, "vet_tradesperson", {"tradesperson_id": PLUMBER.id,
                                                      "decision": "approve"})  # fmt: skip
    assert repo.get("tradespeople", PLUMBER.id).status is Vetting.APPROVED
    again = submit(repo, trades=["plumbing", "general"], photos=[])
    assert again.status is Vetting.APPLIED and again.documents == ["a" * 64]


def test_more_information_and_refusal_need_a_reason_that_is_kept():
    repo = MemoryRepo()
    submit(repo)
    officer = actions.Context(OFFICER, NOW)
    for decision in ("more_info", "refuse"):
        with pytest.raises(Rejected, match="Say why"):
            actions.apply(repo, officer, "vet_tradesperson",
                          {"tradesperson_id": PLUMBER.id, "decision": decision})  # fmt: skip
    actions.apply(repo, officer, "vet_tradesperson", {"tradesperson_id": PLUMBER.id,
                  "decision": "more_info", "reason": "Which boilers?"})  # fmt: skip
    tp = repo.get("tradespeople", PLUMBER.id)
    assert tp.status is Vetting.MORE_INFO and tp.vetting_note == "Which boilers?"
    assert submit(repo).status is Vetting.APPLIED


def with_expiries(days: int) -> Tradesperson:
    return Tradesperson(
        id="t",
        name="Pat Pipe",
        business_name="Pat's Pipes",
        trades=["gas"],
        districts=["M4"],
        certificates={"gas_safe": TODAY + timedelta(days=days)},
        insurance_expires=TODAY + timedelta(days=200),
    )


@pytest.mark.parametrize(
    ("days", "reminded", "urgent", "when"),
    [
        (31, False, False, ""),
        (30, True, False, "in 30 days"),
        (8, True, False, "in 8 days"),
        (7, True, True, "in 7 days"),
        (0, True, True, "today"),
        (-1, False, False, ""),  # expired: eligibility refuses it, it is no reminder
    ],
)
def test_reminders_at_30_and_7_days(days, reminded, urgent, when):
    due = reminders(with_expiries(days), TODAY)
    assert bool(due) is reminded
    if reminded:
        (reminder,) = due
        assert reminder.urgent is urgent and reminder.days_left == days
        assert reminder.yours.startswith(f"Your Gas Safe registration runs out {when}")
        assert reminder.theirs("Pat's Pipes").startswith("Pat's Pipes's Gas Safe registration")


def test_reminders_come_soonest_first_with_insurance_too():
    tp = with_expiries(20).model_copy(update={"insurance_expires": TODAY + timedelta(days=5)})
    assert [r.what for r in reminders(tp, TODAY)] == [
        "public liability insurance",
        "Gas Safe registration",
    ]
