"""The marketplace's rules for choosing a tradesperson, through the domain's commands: award
routes (officer, automatic, resident's choice with a deadline, direct), what is stored with
an award, landlords' own targets, eligibility at award whenever the offer was made, a slot
after the target, and a resident who is a tradesperson too."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from app.domain.actions import Context, apply, settle, system_officer
from app.domain.lifecycle import Rejected
from app.domain.models import AwardMode, JobStatus, OfferStatus, Priority, Role, User, Vetting
from app.domain.records import Job, Landlord, Tradesperson
from tests.cast import HOME, OFFICER, RESIDENT, MemoryRepo

NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)  # a Wednesday
TODAY = NOW.date()
NEIGHBOURS_HOME = HOME.model_copy(update={"id": "home-2", "street": "14 Mill Lane"})
NEIGHBOUR = RESIDENT.model_copy(update={"id": "resident-2", "name": "Bo", "home_id": "home-2"})
# A resident of home-2 who is also a tradesperson: one account, two roles.
RESIDENT_PLUMBER = User(
    id="kit",
    email="kit@example.org",
    name="Kit Tap",
    role=Role.TRADESPERSON,
    landlord_id="landlord-1",
    home_id="home-2",
)
IN_HOUSE = "in-house"


def trade(user_id: str, name: str, **changes) -> Tradesperson:
    fields = {
        "id": user_id,
        "landlord_id": "landlord-1",
        "name": name,
        "business_name": f"{name} Ltd",
        "trades": ["plumbing", "gas"],
        "districts": ["M4"],
        "certificates": {"gas_safe": TODAY + timedelta(days=365)},
        "insurance_expires": TODAY + timedelta(days=365),
        "status": Vetting.APPROVED,
    }
    return Tradesperson(**(fields | changes))


def tradesperson(user_id: str) -> User:
    return User(
        id=user_id,
        email=f"{user_id}@example.org",
        name=user_id.title(),
        role=Role.TRADESPERSON,
        landlord_id="landlord-1",
    )


PEOPLE = {u: tradesperson(u) for u in ("ann", "ben", "cal", "dee")}


class World:
    def __init__(self, landlord: Landlord | None = None) -> None:
        self.repo = MemoryRepo()
        self.now = NOW
        for record in (
            HOME,
            NEIGHBOURS_HOME,
            landlord or Landlord(id="landlord-1", name="Mill Homes"),
            trade(IN_HOUSE, "Mill Homes Repairs Team", kind="in_house"),
            trade("kit", "Kit Tap", home_id="home-2"),
            *(trade(u, u.title()) for u in PEOPLE),
        ):
            self.repo.save(record)

    def do(self, user: User, name: str, **args) -> None:
        apply(self.repo, Context(user=user, now=self.now), name, args)

    def refused(self, user: User, name: str, **args) -> Rejected:
        with pytest.raises(Rejected) as caught:
            self.do(user, name, **args)
        return caught.value

    def job(self, key: str = "job-1") -> Job:
        return self.repo.get("jobs", key)

    def report(self, key: str = "job-1", by: User = RESIDENT, trade: str = "plumbing") -> None:
        self.do(by, "report_repair", job_id=key, trade=trade, title="Leaking tap")

    def posted(self, key="job-1", priority="urgent", mode=None, by=RESIDENT, **more) -> Job:
        self.report(key, by, **more)
        self.do(OFFICER, "post_job", job_id=key, priority=priority, award_mode=mode)
        return self.job(key)

    def offer(self, who: str, key: str = "job-1", pence: int = 15_000, days: int = 1) -> str:
        offer_id = f"{key}-{who}"
        self.do(
            PEOPLE.get(who) or RESIDENT_PLUMBER,
            "put_forward",
            offer_id=offer_id,
            job_id=key,
            price_pence=pence,
            earliest_slot=(TODAY + timedelta(days=days)).isoformat(),
        )
        return offer_id

    def settle(self, key: str = "job-1") -> bool:
        ctx = Context(user=system_officer("landlord-1"), now=self.now)
        return settle(self.repo, ctx, self.job(key))


# -- what is stored with an award ------------------------------------------------------


def test_an_award_keeps_every_offers_rank_score_parts_and_what_its_tradesperson_reads():
    w = World()
    w.posted()
    offers = [w.offer("ann", pence=12_000), w.offer("ben", pence=30_000), w.offer("cal")]
    w.do(OFFICER, "award", job_id="job-1", offer_id=offers[1])
    job = w.job()
    assert job.status is JobStatus.AWARDED and job.awarded_to == "ben"
    assert job.award_reason == "Chosen by the housing officer."
    stored = [w.repo.get("offers", o) for o in offers]
    assert sorted(o.position for o in stored) == [1, 2, 3]
    for o in stored:
        points = sum(Decimal(p["points"]) for p in o.parts)
        assert points == Decimal(str(o.score)), "the breakdown sums to the score"
        assert all(p["why"] for p in o.parts)
    chosen, others = stored[1], [stored[0], stored[2]]
    assert chosen.status is OfferStatus.ACCEPTED
    assert chosen.explanation[0].startswith("Your offer was chosen")
    for o in others:
        assert o.status is OfferStatus.DECLINED
        assert o.explanation[0].startswith(f"Your offer scored {o.score:.1f}"[:16])
        assert any(line.startswith("Value for money") for line in o.explanation)


def test_an_expired_gas_safe_registration_is_never_awarded_though_the_offer_predates_it():
    w = World()
    w.posted(trade="gas")
    ann = w.offer("ann")
    w.offer("ben")
    expiring = trade("ann", "Ann", certificates={"gas_safe": TODAY + timedelta(days=2)})
    w.repo.save(expiring)
    w.now = NOW + timedelta(days=3)  # the registration has lapsed since the offer
    refused = w.refused(OFFICER, "award", job_id="job-1", offer_id=ann)
    assert refused.code == "not_eligible" and "Gas Safe registration expired" in refused.message
    assert w.job().status is JobStatus.POSTED


# -- automatic award -------------------------------------------------------------------


def test_automatic_award_waits_for_offers_to_close_then_gives_it_to_the_top_ranked():
    w = World(Landlord(id="landlord-1", name="Mill Homes", auto_award_hours=24))
    job = w.posted(mode="auto")
    assert job.offers_close_at == NOW + timedelta(hours=24)
    w.offer("ann", pence=40_000)
    best = w.offer("ben", pence=11_000)
    assert not w.settle(), "offers are still open"
    w.now = NOW + timedelta(hours=25)
    assert w.settle()
    job = w.job()
    assert job.status is JobStatus.AWARDED and job.awarded_offer_id == best
    assert job.award_reason.startswith("Top-ranked offer when offers closed")
    assert w.repo.get("offers", best).position == 1


def test_automatic_award_skips_the_ineligible_and_with_none_left_hands_the_job_back():
    w = World()
    w.posted(mode="auto", trade="gas")
    w.offer("ann")
    w.repo.save(trade("ann", "Ann", certificates={"gas_safe": TODAY}))  # lapses tomorrow
    w.now = NOW + timedelta(days=2)
    assert w.settle()
    job = w.job()
    assert job.status is JobStatus.POSTED and job.award_mode is AwardMode.OFFERS
    assert "awaiting the officer" in job.award_reason


# -- the resident's choice -------------------------------------------------------------


def test_the_resident_chooses_from_the_shortlist_before_the_deadline():
    w = World(Landlord(id="landlord-1", name="Mill Homes", choice_hours=48))
    w.posted()
    listed = [w.offer(who) for who in ("ann", "ben", "cal")]
    w.offer("dee")
    w.do(OFFICER, "shortlist", job_id="job-1", offer_ids=listed)
    job = w.job()
    assert job.award_mode is AwardMode.RESIDENT_CHOICE and job.shortlist == listed
    assert job.choose_by == NOW + timedelta(hours=48)
    for o in listed:
        offer = w.repo.get("offers", o)
        assert offer.shortlisted_for == RESIDENT.id
        assert set(offer.summary) == {"jobs", "ratings", "rating", "within_target"}
    assert w.repo.get("offers", "job-1-dee").shortlisted_for is None
    refused = w.refused(RESIDENT, "choose_offer", job_id="job-1", offer_id="job-1-dee")
    assert refused.code == "not_found", "an offer not on their shortlist is not theirs to see"
    w.now = NOW + timedelta(hours=47)
    w.do(RESIDENT, "choose_offer", job_id="job-1", offer_id=listed[2])
    job = w.job()
    assert (job.status, job.awarded_to) == (JobStatus.AWARDED, "cal")
    assert job.award_reason == "Chosen by the resident."
    passed_over = w.repo.get("offers", listed[0])
    assert passed_over.explanation[0] == (
        "The resident chose another tradesperson from their shortlist."
    )
    assert passed_over.job_title == "Leaking tap", "kept with the offer"


def test_after_the_deadline_the_top_ranked_on_the_shortlist_gets_the_job():
    w = World()
    w.posted()
    listed = [w.offer("ann", pence=60_000), w.offer("ben", pence=10_000)]
    w.offer("cal", pence=9_000)  # not shortlisted, so not chosen even if it ranks higher
    w.do(OFFICER, "shortlist", job_id="job-1", offer_ids=listed)
    w.now = NOW + timedelta(hours=49)
    refused = w.refused(RESIDENT, "choose_offer", job_id="job-1", offer_id=listed[0])
    assert refused.code == "too_late"
    assert w.settle()
    job = w.job()
    assert job.awarded_offer_id == listed[1]
    assert job.award_reason == "Top-ranked on the shortlist: the resident did not choose in time."


def test_only_the_resident_of_the_repair_chooses_and_only_from_eligible_offers():
    w = World()
    w.posted()
    listed = [w.offer("ann"), w.offer("ben")]
    w.do(OFFICER, "shortlist", job_id="job-1", offer_ids=listed)
    assert w.refused(NEIGHBOUR, "choose_offer", job_id="job-1", offer_id=listed[0]).code in (
        "not_found",
        "not_yours",
    )
    assert w.refused(PEOPLE["ann"], "choose_offer", job_id="job-1", offer_id=listed[0]).code == (
        "not_allowed"
    )
    w.report("job-2")
    w.do(OFFICER, "post_job", job_id="job-2", priority="urgent")
    late = w.offer("ann", key="job-2")
    w.repo.save(trade("ann", "Ann", insurance_expires=TODAY - timedelta(days=1)))
    refused = w.refused(OFFICER, "shortlist", job_id="job-2", offer_ids=[late])
    assert refused.code == "not_eligible" and "insurance" in refused.message


# -- direct award and routes -------------------------------------------------------------


def test_emergencies_go_straight_to_the_in_house_team_by_the_landlords_route():
    rules = Landlord(
        id="landlord-1",
        name="Mill Homes",
        routes={Priority.EMERGENCY: AwardMode.DIRECT},
        direct_to=IN_HOUSE,
        emergency_attend_hours=2,
        emergency_make_safe_hours=12,
    )
    w = World(rules)
    job = w.posted(priority="emergency")
    assert (job.status, job.awarded_to) == (JobStatus.AWARDED, IN_HOUSE)
    assert job.award_reason == "Awarded directly to Mill Homes Repairs Team Ltd."
    assert job.attend_by == job.reported_at + timedelta(hours=2)
    assert job.target_at == job.reported_at + timedelta(hours=12)


def test_areas_off_the_marketplace_are_awarded_directly_and_need_someone_to_award_to():
    w = World(Landlord(id="landlord-1", name="Mill Homes", direct_districts=["M4"]))
    w.report()
    refused = w.refused(OFFICER, "post_job", job_id="job-1", priority="urgent")
    assert refused.code == "no_direct" and "Choose another way" in refused.message
    assert w.job().status is JobStatus.REPORTED


def test_direct_award_is_for_the_in_house_team_or_a_framework_contractor_only():
    w = World()
    w.posted()
    refused = w.refused(OFFICER, "direct_award", job_id="job-1", tradesperson_id="ann")
    assert refused.code == "not_direct"
    w.offer("ben")
    w.do(OFFICER, "direct_award", job_id="job-1", tradesperson_id=IN_HOUSE)
    assert w.job().awarded_to == IN_HOUSE
    ben = w.repo.get("offers", "job-1-ben")
    assert ben.status is OfferStatus.DECLINED and "awarded directly" in ben.explanation[0]


# -- landlords' own targets ------------------------------------------------------------


def test_each_landlord_sets_its_own_targets_and_council_tenants_get_right_to_repair():
    slow = World(Landlord(id="landlord-1", name="A", routine_days=20))
    council = World(Landlord(id="landlord-1", name="B", routine_days=20, right_to_repair=True))
    a, b = slow.posted(priority="routine"), council.posted(priority="routine")
    assert a.target_at.date() == date(2026, 5, 1)  # 20 working days, Easter skipped
    assert b.target_at.date() == date(2026, 4, 14)  # 7 working days, Easter skipped
    emergency = World(Landlord(id="landlord-1", name="C", emergency_make_safe_hours=6))
    job = emergency.posted(priority="emergency", mode="offers")
    assert job.target_at == job.reported_at + timedelta(hours=6)
    assert job.attend_by == job.reported_at + timedelta(hours=4)


# -- offers ---------------------------------------------------------------------------


def test_a_slot_after_the_target_is_refused():
    w = World()
    job = w.posted(priority="urgent")  # 5 working days
    due = job.target_at.date()
    late = (due - TODAY).days + 1
    refused = w.refused(
        PEOPLE["ann"],
        "put_forward",
        offer_id="o",
        job_id="job-1",
        price_pence=10_000,
        earliest_slot=(TODAY + timedelta(days=late)).isoformat(),
    )
    assert refused.code == "too_late" and "Offer a visit on or before then" in refused.message
    w.offer("ann", days=(due - TODAY).days)  # on the target day itself is fine


def test_a_resident_who_is_a_tradesperson_never_takes_work_at_their_own_home():
    w = World()
    assert RESIDENT_PLUMBER.roles == {Role.TRADESPERSON, Role.RESIDENT}
    w.posted(key="own", by=RESIDENT_PLUMBER)  # they report as the resident of home-2
    assert w.job("own").resident_id == "kit"
    refused = w.refused(
        RESIDENT_PLUMBER,
        "put_forward",
        offer_id="o",
        job_id="own",
        price_pence=10_000,
        earliest_slot=TODAY.isoformat(),
    )
    assert refused.code == "not_eligible" and "your own home" in refused.message
    w.posted(key="next-door")  # home-1's repair
    w.offer("kit", key="next-door")


def test_an_unapproved_tradesperson_takes_no_work_until_approved():
    w = World()
    w.posted()
    w.repo.save(trade("ann", "Ann", status=Vetting.APPLIED))
    refused = w.refused(
        PEOPLE["ann"],
        "put_forward",
        offer_id="o",
        job_id="job-1",
        price_pence=10_000,
        earliest_slot=TODAY.isoformat(),
    )
    assert refused.code in ("not_found", "not_eligible")  # the board is closed to them
    w.do(OFFICER, "vet_tradesperson", tradesperson_id="ann", decision="approve")
    w.offer("ann")


def test_ranking_weights_are_the_landlords_own():
    def winner(weights: dict[str, float]) -> str:
        w = World(Landlord(id="landlord-1", name="L", ranking_weights=weights, auto_award_hours=1))
        w.posted(mode="auto")
        w.offer("ann", pence=9_000, days=6)  # cheap but late
        w.offer("ben", pence=40_000, days=0)  # dear but today
        w.now = NOW + timedelta(hours=2)
        w.settle()
        return w.job().awarded_to

    price_first = {"value": 90, "availability": 1}
    soon_first = {"value": 1, "availability": 90}
    assert (winner(price_first), winner(soon_first)) == ("ann", "ben")


def rules(**changes) -> dict:
    return {
        "landlord_id": "landlord-1",
        "emergency_attend_hours": 4,
        "emergency_make_safe_hours": 24,
        "urgent_days": 5,
        "routine_days": 20,
        "planned_days": 60,
        "auto_award_hours": 24,
        "choice_hours": 48,
    } | changes


def test_officers_set_their_landlords_rules_and_new_jobs_follow_them():
    w = World()
    w.do(OFFICER, "set_rules", **rules(urgent_days=2, routes={"urgent": "auto"}))
    job = w.posted(priority="urgent")
    assert job.target_at.date() == date(2026, 4, 7)  # 2 working days over Easter
    assert job.award_mode is AwardMode.AUTO
    refused = w.refused(OFFICER, "set_rules", **rules(routes={"emergency": "direct"}))
    assert "Name the in-house team" in refused.message
    refused = w.refused(OFFICER, "set_rules", **rules(direct_to="ann"))
    assert "in-house team or a framework contractor" in refused.message
    w.do(OFFICER, "set_rules", **rules(routes={"emergency": "direct"}, direct_to=IN_HOUSE))
    refused = w.refused(OFFICER, "set_rules", **rules(emergency_attend_hours=30))
    assert "attend before making safe" in refused.message
    assert w.repo.get("landlords", "landlord-1").direct_to == IN_HOUSE


# -- oversight after award ---------------------------------------------------------------


def test_a_job_on_hold_goes_back_where_it_was_when_reopened():
    w = World()
    w.posted()
    w.offer("ann")
    w.do(OFFICER, "award", job_id="job-1", offer_id="job-1-ann")
    assert w.refused(OFFICER, "hold_job", job_id="job-1", reason="").code == "invalid"
    w.do(OFFICER, "hold_job", job_id="job-1", reason="Waiting for scaffolding")
    job = w.job()
    assert (job.status, job.held_from, job.hold_reason) == (
        JobStatus.ON_HOLD,
        JobStatus.AWARDED,
        "Waiting for scaffolding",
    )
    assert w.refused(PEOPLE["ann"], "reopen_job", job_id="job-1").code == "not_allowed"
    w.do(OFFICER, "reopen_job", job_id="job-1")
    assert (w.job().status, w.job().held_from) == (JobStatus.AWARDED, None)
    assert w.refused(OFFICER, "reopen_job", job_id="job-1").code == "wrong_state"
    assert w.refused(OFFICER, "close_job", job_id="job-1").code == "wrong_state"


def test_recording_a_damp_investigation_starts_the_later_awaabs_law_clocks():
    w = World()
    w.do(RESIDENT, "report_repair", job_id="damp", trade="damp_and_mould", title="Black mould",
         damp_and_mould=True)  # fmt: skip
    w.now = NOW + timedelta(days=6)
    too_late = (TODAY + timedelta(days=7)).isoformat()
    refused = w.refused(OFFICER, "conclude_investigation", job_id="damp",
                        investigated_on=too_late, findings="Condensation")  # fmt: skip
    assert "between the report" in refused.message
    on = (TODAY + timedelta(days=2)).isoformat()
    w.do(OFFICER, "conclude_investigation", job_id="damp", investigated_on=on, findings="Damp")
    assert w.job("damp").investigated_on == TODAY + timedelta(days=2)
    again = w.refused(OFFICER, "conclude_investigation", job_id="damp", investigated_on=on,
                      findings="Again")  # fmt: skip
    assert again.code == "decided"
    w.report("leak")
    refused = w.refused(OFFICER, "conclude_investigation", job_id="leak",
                        investigated_on=TODAY.isoformat(), findings="n/a")  # fmt: skip
    assert "Only damp and mould" in refused.message


def test_a_residents_device_records_their_choice_and_the_server_ranks_it():
    w = World()
    w.posted()
    listed = [w.offer("ann"), w.offer("ben")]
    w.do(OFFICER, "shortlist", job_id="job-1", offer_ids=listed)
    server = w.repo
    device = MemoryRepo(authoritative=False)  # a resident's device: no profiles
    for table, rows in server.tables.items():
        if table != "tradespeople":
            device.tables[table] = dict(rows)
    apply(device, Context(user=RESIDENT, now=NOW), "choose_offer", {"job_id": "job-1",
          "offer_id": listed[1]})  # fmt: skip
    assert (device.get("jobs", "job-1").awarded_to, device.get("offers", listed[1]).score) == (
        "ben",
        None,
    ), "recorded, not ranked"
    server.tables["tradespeople"].pop("ben")  # the server is complete: none is missing
    refused = w.refused(RESIDENT, "choose_offer", job_id="job-1", offer_id=listed[1])
    assert refused.code == "not_eligible"
