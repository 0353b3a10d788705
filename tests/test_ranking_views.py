"""What the officer's award screen and the resident's choice page read from the client:
the ranking worked out on the device (the domain's order, parts that add up to the score),
the ranking stored at award, and a resident's shortlists (theirs only, no prices)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from app.client import Client, when
from app.domain import actions
from app.domain.models import AwardMode, JobStatus, Role, Trade, User, Vetting
from app.domain.records import Home, Job, Landlord, Offer, Record, Tradesperson
from app.store.local import now
from app.sync.protocol import Change
from tests.cast import HOME, OFFICER, RESIDENT, MemoryRepo

TABLES = {
    Home: "homes",
    Tradesperson: "tradespeople",
    Job: "jobs",
    Offer: "offers",
    Landlord: "landlords",
}
LANDLORD = Landlord(id="landlord-1", name="Mill Homes", choice_hours=48)
TODAY = now().date()


def plumber(n: int, **changes) -> Tradesperson:
    fields = {
        "id": f"plumber-{n}",
        "landlord_id": "landlord-1",
        "name": f"Plumber {n}",
        "business_name": f"Pipes {n} Ltd",
        "trades": [Trade.PLUMBING],
        "districts": ["M4"],
        "insurance_expires": TODAY + timedelta(days=200),
        "status": Vetting.APPROVED,
    }
    return Tradesperson(**{**fields, **changes})


PEOPLE = [plumber(1), plumber(2), plumber(3), plumber(4, insurance_expires=TODAY - timedelta(1))]


def past_jobs() -> list[Job]:
    """A record for each: plumber 1 good and well rated, 2 middling, 3 none at all."""
    jobs = []
    for n, (who, on_time, rating) in enumerate(
        [("plumber-1", True, 5)] * 8 + [("plumber-2", False, 3)] * 6
    ):
        reported = now() - timedelta(days=200 - n * 5)
        jobs.append(
            Job(
                id=f"past-{n}",
                landlord_id="landlord-1",
                home_id=f"home-past-{n}",
                trade=Trade.PLUMBING,
                title="Past leak",
                status=JobStatus.CLOSED,
                reported_at=reported,
                target_at=reported + timedelta(days=10),
                completed_at=reported + timedelta(days=5 if on_time else 15),
                awarded_to=who,
                rating_speed=rating,
                rating_quality=rating,
                district="M4",
            )
        )
    return jobs


JOB = Job(
    id="job-1",
    landlord_id="landlord-1",
    home_id=HOME.id,
    trade=Trade.PLUMBING,
    title="Leak under the kitchen sink",
    status=JobStatus.POSTED,
    priority="routine",
    reported_at=now() - timedelta(days=1),
    target_at=now() + timedelta(days=20),
    district="M4",
    resident_id=RESIDENT.id,
)


def offer(n: int, pounds: int, days: int, **changes) -> Offer:
    return Offer(
        id=f"offer-{n}",
        landlord_id="landlord-1",
        job_id=JOB.id,
        tradesperson_id=f"plumber-{n}",
        business_name=f"Pipes {n} Ltd",
        price_pence=pounds * 100,
        earliest_slot=TODAY + timedelta(days=days),
        created_at=now() - timedelta(hours=n),
        **changes,
    )


OFFERS = [offer(1, 150, 3), offer(2, 110, 1), offer(3, 130, 2), offer(4, 90, 1)]


def upsert(record: Record) -> Change:
    return Change(
        table=TABLES[type(record)], id=record.id, op="upsert", row=record.model_dump(mode="json")
    )


async def open_client(tmp_path, user: User, records: list[Record]) -> Client:
    client = await Client.open(tmp_path / user.id, "http://127.0.0.1:9")
    store = client.store

    def fill() -> None:
        store.tx_put("user", user.model_dump_json())
        store.apply_pull([upsert(r) for r in records], "e.1", False)

    await client._db(fill)
    client.session.user = user  # signed in, as far as this device knows
    return client


@pytest.fixture
async def officer(tmp_path):
    client = await open_client(
        tmp_path, OFFICER, [LANDLORD, HOME, *PEOPLE, *past_jobs(), JOB, *OFFERS]
    )
    yield client
    await client.close()


async def test_the_ranking_is_the_domains_order_with_parts_that_add_up_to_the_score(officer):
    ranked = await officer.ranking(JOB.id)

    repo = MemoryRepo()
    for record in [LANDLORD, HOME, *PEOPLE, *past_jobs(), JOB, *OFFERS]:
        repo.save(record)
    expected, _ = actions.ranked(repo, JOB, now().astimezone(UTC).date())
    assert [r.offer_id for r in ranked] == [x.offer.id for x in expected]
    assert [r.position for r in ranked] == [1, 2, 3, 4]
    for view in ranked:
        assert view.parts, "every candidate says why"
        assert sum((p.points for p in view.parts), Decimal(0)) == view.score
        assert 0 <= view.score <= 100
        assert all(p.name and p.why for p in view.parts)
        assert view.live and not view.chosen and not view.shortlisted
    # The one whose insurance has lapsed comes last, with the reason in words.
    last = ranked[-1]
    assert last.offer_id == "offer-4" and not last.eligible
    assert "insurance" in last.reason and "Plumber 4" in last.reason
    assert all(r.eligible and r.reason is None for r in ranked[:-1])
    assert ranked[0].offer_id == "offer-1"  # the good record, though the dearest
    first = ranked[0]
    assert (first.business_name, first.name, first.price_pence) == (
        "Pipes 1 Ltd",
        "Plumber 1",
        15000,
    )
    assert first.earliest == (TODAY + timedelta(days=3)).strftime("%a %-d %b")


async def test_after_award_the_ranking_shown_is_the_one_stored_with_the_offers(officer):
    before = await officer.ranking(JOB.id)
    await officer.award(JOB.id, "offer-3")
    stored = await officer.ranking(JOB.id)
    assert [r.offer_id for r in stored] == [r.offer_id for r in before]
    assert [r.score for r in stored] == [r.score for r in before]
    assert [r.chosen for r in stored] == [r.offer_id == "offer-3" for r in before]
    assert not any(r.live for r in stored)
    for view in stored:
        assert sum((p.points for p in view.parts), Decimal(0)) == view.score
    job = await officer.job(JOB.id)
    assert job.award_reason == "Chosen by the housing officer."


async def test_a_shortlist_sets_the_resident_choice_and_its_deadline(officer):
    deadline = await officer.choice_deadline(JOB.id)
    assert timedelta(hours=47) < deadline - now() <= timedelta(hours=48)
    await officer.shortlist(JOB.id, ["offer-1", "offer-2", "offer-3"])
    job = await officer.job(JOB.id)
    assert job.award_mode is AwardMode.RESIDENT_CHOICE
    assert job.shortlist == ["offer-1", "offer-2", "offer-3"]
    ranked = await officer.ranking(JOB.id)
    assert [r.shortlisted for r in ranked] == [True, True, True, False]


NEIGHBOUR = User(
    id="resident-2",
    email="nia@example.org",
    name="Nia Neighbour",
    role=Role.RESIDENT,
    landlord_id="landlord-1",
    home_id="home-2",
)
CHOOSE_BY = now() + timedelta(hours=30)
SUMMARY = {"jobs": 42, "ratings": 38, "rating": 4.6, "within_target": 0.91}


def shortlisted(job: Job, n: int, resident: str, **summary) -> Offer:
    return offer(
        n, 100 + n, n, shortlisted_for=resident, summary={**SUMMARY, **summary}
    ).model_copy(update={"job_id": job.id, "id": f"{job.id}-offer-{n}"})


def choosing(job_id: str, resident: User, home: str, **changes) -> Job:
    return JOB.model_copy(
        update={
            "id": job_id,
            "resident_id": resident.id,
            "home_id": home,
            "award_mode": AwardMode.RESIDENT_CHOICE,
            "shortlist": [f"{job_id}-offer-{n}" for n in (2, 1, 3)],
            "choose_by": CHOOSE_BY,
            **changes,
        }
    )


async def test_choices_lists_only_the_signed_in_residents_shortlisted_jobs(tmp_path):
    mine = choosing("job-mine", RESIDENT, HOME.id, title="Dripping bath tap")
    theirs = choosing("job-theirs", NEIGHBOUR, "home-2")
    not_yet = JOB.model_copy(update={"id": "job-not-yet", "title": "Loose tile"})
    decided = choosing("job-done", RESIDENT, HOME.id, status=JobStatus.AWARDED)
    offers = [
        shortlisted(mine, 1, RESIDENT.id),
        shortlisted(mine, 2, RESIDENT.id, jobs=0, ratings=0, rating=0, within_target=0),
        shortlisted(mine, 3, RESIDENT.id, ratings=1, rating=5.0),
        shortlisted(theirs, 1, NEIGHBOUR.id),
    ]
    client = await open_client(tmp_path, RESIDENT, [HOME, mine, theirs, not_yet, decided, *offers])
    try:
        choices = await client.choices()
        assert [ch.job.id for ch in choices] == ["job-mine"]
        choice = choices[0]
        assert not choice.passed
        assert choice.deadline == f"Choose by {when(CHOOSE_BY)}"
        # In the order the officer listed them: the resident is not steered by a score.
        assert [o.offer_id for o in choice.options] == [f"job-mine-offer-{n}" for n in (2, 1, 3)]
        newcomer, known, once = choice.options
        assert known.business_name == "Pipes 1 Ltd"
        assert known.rating_words == "4.6 out of 5 from 38 residents"
        assert known.jobs_words == "42 repairs done"
        assert known.within_words == "91% done by the target date"
        assert once.rating_words == "5.0 out of 5 from 1 resident"
        assert newcomer.rating_words == "No ratings from residents yet"
        assert "no repairs done yet" in newcomer.jobs_words
        assert not hasattr(known, "price_pence") and not hasattr(known, "score")

        # The resident chooses on their own device, which holds no tradespeople's profiles.
        await client.choose_offer("job-mine", "job-mine-offer-3")
        job = await client.job("job-mine")
        assert job.status is JobStatus.AWARDED and job.pending
        assert job.award_reason == "Chosen by the resident."
        assert await client.awarded_to_whom("job-mine") == "Pipes 3 Ltd"
        client.session.user = RESIDENT  # this device has no token: the engine signed it out
        assert await client.choices() == []
        assert client.status().pending == 1
    finally:
        await client.close()


async def test_after_the_deadline_the_resident_is_told_the_best_ranked_gets_it(tmp_path):
    late = choosing("job-late", RESIDENT, HOME.id, choose_by=now() - timedelta(minutes=5))
    client = await open_client(tmp_path, RESIDENT, [HOME, late, shortlisted(late, 2, RESIDENT.id)])
    try:
        (choice,) = await client.choices()
        assert choice.passed
        assert "best-ranked tradesperson on your shortlist will get the job" in choice.deadline
    finally:
        await client.close()


def test_deadlines_read_as_people_say_them():
    assert when(datetime(2026, 11, 24, 17, 0, tzinfo=UTC)) == "5pm Tuesday 24 November"
    assert when(datetime(2026, 6, 1, 8, 30, tzinfo=UTC)) == "9.30am Monday 1 June"  # BST
    assert when(datetime(2026, 1, 5, 12, 0, tzinfo=UTC)) == "12pm Monday 5 January"
