"""The job pack's hazards and the resident's contact preference: a home carries the
alerts its landlord knows of (set by officers), each repair reported from it takes a copy,
and the resident says how and when the tradesperson should get in touch. Neither reaches a
tradesperson before the job is theirs."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.client import JobView
from app.domain import policy
from app.domain.actions import Context, apply
from app.domain.lifecycle import Rejected
from app.domain.models import JobStatus, Trade, Vetting
from app.domain.records import Tradesperson
from app.views import visit
from tests.cast import HOME, OFFICER, PLUMBER, RESIDENT, MemoryRepo

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ASBESTOS = "Asbestos survey: artex ceilings, do not drill"
DOG = "Dog on the premises"
ELSEWHERE = HOME.model_copy(update={"id": "home-9", "landlord_id": "landlord-2"})
OTHER_OFFICER = OFFICER.model_copy(update={"id": "officer-2", "landlord_id": "landlord-2"})


def do(repo: MemoryRepo, user, name: str, **args) -> None:
    apply(repo, Context(user=user, now=NOW, phone="07700 900123"), name, args)


def report(repo: MemoryRepo, job_id: str, **more) -> None:
    do(repo, RESIDENT, "report_repair", job_id=job_id, trade="plumbing", title="Leak", **more)


@pytest.fixture
def repo() -> MemoryRepo:
    repo = MemoryRepo()
    for home in (HOME, ELSEWHERE):
        repo.put(home)
    repo.put(
        Tradesperson(
            id=PLUMBER.id, landlord_id=HOME.landlord_id, name="Pat", business_name="Pat Pipe",
            trades=[Trade.PLUMBING], districts=[HOME.district], status=Vetting.APPROVED,
            insurance_expires=date(2030, 1, 1),
        )
    )  # fmt: skip
    return repo


def test_a_report_copies_the_homes_alerts_and_says_how_to_get_in_touch(repo):
    do(repo, OFFICER, "set_home_alerts", home_id=HOME.id, alerts=[ASBESTOS, DOG])
    report(repo, "j1", contact_preference="text", best_times="after 4pm")
    job = repo.get("jobs", "j1")
    assert job.property_alerts == [ASBESTOS, DOG]
    assert (job.contact_preference, job.best_times) == ("text", "after 4pm")
    report(repo, "j2")
    assert repo.get("jobs", "j2").contact_preference == "either", "the default"


def test_new_alerts_reach_the_homes_open_repairs_but_not_finished_ones(repo):
    report(repo, "open")
    report(repo, "done")
    done = repo.get("jobs", "done")
    repo.put(done.model_copy(update={"status": JobStatus.COMPLETED, "closed_at": NOW}))
    do(repo, OFFICER, "set_home_alerts", home_id=HOME.id, alerts=["  " + DOG + "  "])
    assert repo.get("homes", HOME.id).alerts == [DOG]
    assert repo.get("jobs", "open").property_alerts == [DOG]
    assert repo.get("jobs", "done").property_alerts == []
    do(repo, OFFICER, "set_home_alerts", home_id=HOME.id, alerts=[])
    assert repo.get("jobs", "open").property_alerts == [] == repo.get("homes", HOME.id).alerts


@pytest.mark.parametrize(
    ("user", "home", "alerts", "code"),
    [
        (RESIDENT, HOME.id, [DOG], "not_allowed"),
        (PLUMBER, HOME.id, [DOG], "not_allowed"),
        (OTHER_OFFICER, HOME.id, [DOG], "not_found"),  # another landlord's home
        (OFFICER, ELSEWHERE.id, [DOG], "not_found"),
        (OFFICER, HOME.id, [f"Alert {n}" for n in range(11)], "invalid"),  # at most 10
        (OFFICER, HOME.id, ["x" * 201], "invalid"),  # at most 200 characters each
        (OFFICER, HOME.id, ["Dog\nin the kitchen"], "invalid"),  # one line each
        (OFFICER, HOME.id, [""], "invalid"),
    ],
)
def test_only_the_landlords_officers_set_alerts_and_within_limits(repo, user, home, alerts, code):
    with pytest.raises(Rejected) as refused:
        do(repo, user, "set_home_alerts", home_id=home, alerts=alerts)
    assert refused.value.code == code
    assert repo.get("homes", home).alerts == []


def test_the_limits_of_what_the_resident_says(repo):
    for bad in ({"contact_preference": "fax"}, {"best_times": "x" * 101}):
        with pytest.raises(Rejected) as refused:
            report(repo, "j1", **bad)
        assert refused.value.code == "invalid"
    report(repo, "j1", best_times="x" * 100)


def test_a_tradesperson_sees_them_only_once_the_job_is_theirs(repo):
    do(repo, OFFICER, "set_home_alerts", home_id=HOME.id, alerts=[DOG])
    report(repo, "j1", contact_preference="phone", best_times="mornings")
    do(repo, OFFICER, "post_job", job_id="j1", priority="urgent")
    viewer = policy.Viewer(PLUMBER, repo.get("tradespeople", PLUMBER.id))

    def seen() -> dict:
        row = policy.project(viewer, "jobs", repo.get("jobs", "j1").model_dump(mode="json"), NOW)
        assert row is not None
        return row

    board = seen()
    assert (board["property_alerts"], board["contact_preference"], board["best_times"]) == (
        [], "", ""
    )  # fmt: skip
    do(repo, PLUMBER, "put_forward", offer_id="o1", job_id="j1", price_pence=9_000,
       earliest_slot="2026-03-03")  # fmt: skip
    do(repo, OFFICER, "award", job_id="j1", offer_id="o1")
    mine = seen()
    assert (mine["property_alerts"], mine["contact_preference"], mine["best_times"]) == (
        [DOG], "phone", "mornings"
    )  # fmt: skip


def test_the_household_never_sees_its_homes_alerts(repo):
    """Alerts such as "visit in pairs" are for those who visit, not for the resident."""
    do(repo, OFFICER, "set_home_alerts", home_id=HOME.id, alerts=[DOG])
    report(repo, "j1")
    resident = policy.Viewer(RESIDENT)
    officer = policy.Viewer(OFFICER)
    job = repo.get("jobs", "j1").model_dump(mode="json")
    home = repo.get("homes", HOME.id).model_dump(mode="json")
    assert policy.project(resident, "jobs", job, NOW)["property_alerts"] == []
    assert policy.project(resident, "homes", home, NOW)["alerts"] == []
    assert policy.project(officer, "jobs", job, NOW)["property_alerts"] == [DOG]
    assert policy.project(officer, "homes", home, NOW)["alerts"] == [DOG]


def pack_job(**changes) -> JobView:
    base = {
        "id": "j1", "landlord_id": HOME.landlord_id, "home_id": HOME.id, "trade": "plumbing",
        "title": "Leak", "reported_at": NOW, "resident_name": "Ada", "resident_phone": "07700",
    }  # fmt: skip
    return JobView.model_validate({**base, **changes})


def test_the_job_pack_puts_the_homes_alerts_first_each_on_its_own_line():
    job = pack_job(property_alerts=[ASBESTOS, DOG], damp_and_mould=True, flag="Call first")
    said = visit.alerts(job, [])
    assert said[:2] == [ASBESTOS, DOG]
    assert said[-1] == "Call first" and len(said) == 4
    assert visit.alerts(pack_job(), []) == []


def test_the_job_pack_says_how_the_resident_likes_to_be_contacted():
    prefers = visit.preference
    assert prefers(pack_job(contact_preference="text", best_times="after 4pm")) == (
        "Prefers: text message, after 4pm"
    )
    assert prefers(pack_job(contact_preference="phone")) == "Prefers: phone call"
    assert prefers(pack_job(contact_preference="either")) == "Prefers: phone call or text"
    assert prefers(pack_job()) == "", "reported before residents could say"
