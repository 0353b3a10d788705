"""What each command does to the marketplace, written once.

The server applies these to its database for real; the client applies the same functions
to its local copy as an optimistic update. Both hand in a `Repo` over their own storage.
`apply` parses the command, asks `policy` whether this person may take it, then runs its
handler."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from typing import Any, Protocol, TypeVar

from app.domain import commands as c
from app.domain import evidence, policy
from app.domain.eligibility import (
    REGULATED,
    check_awardable,
    check_eligible,
    long_date,
    names_of,
)
from app.domain.lifecycle import FINISHED, Action, Actor, Rejected, can_put_forward, decide
from app.domain.models import (
    AwardMode,
    JobStatus,
    OfferStatus,
    Priority,
    Role,
    User,
    Vetting,
    utc,
)
from app.domain.ranking import (
    TYPICAL_PRICE_PENCE,
    Candidate,
    RankingWeights,
    TrackRecord,
    rank,
    target_date,
    why_not,
)
from app.domain.records import (
    Extra,
    Home,
    Invoice,
    Job,
    Landlord,
    Offer,
    PatternNote,
    Record,
    Tradesperson,
    Visit,
)
from app.domain.targets import UK, TargetPolicy, damp_and_mould_timers, target_for


class Repo(Protocol):
    # True on the server, whose records are complete; False on a device, which holds only
    # what its person may see (a resident's holds no tradespeople's profiles).
    authoritative: bool

    def get(self, table: str, key: str) -> Record | None: ...
    def find(self, table: str, field: str, value: str) -> list[Any]: ...
    def own_photos(self, user_id: str, shas: Iterable[str]) -> set[str]: ...
    def save(self, record: Record) -> None: ...
    def history(self, landlord_id: str) -> TrackRecord: ...


@dataclass(frozen=True)
class Context:
    user: User
    now: datetime
    phone: str | None = None
    role: Role | None = None  # the role this action is taken in, for people with two

    @property
    def actor(self) -> Actor:
        return Actor(self.user.id, self.role or self.user.role)

    @property
    def today(self):
        return utc(self.now).astimezone(UK).date()


C = TypeVar("C", bound=c.Command)
Handler = Callable[[Repo, Context, Any], None]
HANDLERS: dict[type[c.Command], Handler] = {}


def handles(command: type[C]) -> Callable[[Callable[[Repo, Context, C], None]], Handler]:
    def register(fn: Callable[[Repo, Context, C], None]) -> Handler:
        HANDLERS[command] = fn
        return fn

    return register


def apply(repo: Repo, ctx: Context, name: str, raw_args: Any) -> None:
    """Validate, authorise and apply one command, or raise `Rejected` having changed nothing."""
    command = c.parse(name, raw_args)
    policy.authorise(repo, ctx.user, command)
    ctx = replace(ctx, role=ctx.user.acting_as(command.roles))
    HANDLERS[type(command)](repo, ctx, command)


def _job(repo: Repo, job_id: str) -> Job:
    job = repo.get("jobs", job_id)
    if not isinstance(job, Job):
        raise Rejected("not_found", "This job is no longer available to you.")
    return job


def _move(repo: Repo, ctx: Context, job: Job, action: Action, **changes) -> Job:
    status = decide(job, action, ctx.actor)
    if status in FINISHED and job.closed_at is None:
        changes["closed_at"] = ctx.now
    if status is JobStatus.AWARDED and job.status is not JobStatus.AWARDED:
        changes["awarded_at"] = ctx.now
    moved = job.model_copy(update={"status": status, **changes})
    repo.save(moved)
    return moved


@handles(c.ReportRepair)
def report_repair(repo: Repo, ctx: Context, a: c.ReportRepair) -> None:
    home = repo.get("homes", ctx.user.home_id or "")
    if not isinstance(home, Home):
        raise Rejected("no_home", "We can't find your home. Please call the repairs line.")
    repo.save(
        Job(
            id=a.job_id,
            landlord_id=home.landlord_id,
            home_id=home.id,
            trade=a.trade,
            title=a.title,
            description=a.description,
            location=a.location,
            access_notes=a.access_notes,
            property_alerts=home.alerts,
            contact_preference=a.contact_preference,
            best_times=a.best_times,
            damp_and_mould=a.damp_and_mould,
            suggested_priority=a.suggested_priority,
            communal=a.communal,
            block=home.block,
            reported_at=ctx.now,
            photos=[ph.sha256 for ph in a.photos],
            district=home.district,
            street=home.street,
            flat=home.flat,
            resident_id=ctx.user.id,
            resident_name=ctx.user.name,
            resident_phone=ctx.phone,
        )
    )


@handles(c.MeToo)
def me_too(repo: Repo, ctx: Context, a: c.MeToo) -> None:
    """A neighbour joins an open report of a shared area of their block: the officer sees
    how many residents it affects, and the neighbour follows it in their repairs."""
    job = _job(repo, a.job_id)
    home = repo.get("homes", ctx.user.home_id or "")
    if not job.communal or not isinstance(home, Home) or home.block != job.block:
        raise Rejected("not_communal", "You can only say 'me too' on shared areas of your block.")
    if job.resident_id == ctx.user.id or ctx.user.id in job.also_reported_by:
        raise Rejected("already", "You have already reported this. Follow it in My repairs.")
    if job.status in FINISHED:
        raise Rejected("wrong_state", "This repair is finished. Report it again if you need to.")
    repo.save(job.model_copy(update={"also_reported_by": [*job.also_reported_by, ctx.user.id]}))


def landlord_of(repo: Repo, landlord_id: str) -> Landlord:
    """A landlord's rules; one that has set none gets the defaults."""
    found = repo.get("landlords", landlord_id)
    return found if isinstance(found, Landlord) else Landlord(id=landlord_id, name="")


def targets_of(landlord: Landlord) -> TargetPolicy:
    return TargetPolicy(
        emergency_hours=landlord.emergency_make_safe_hours,
        urgent_days=landlord.urgent_days,
        routine_days=landlord.routine_days,
        planned_days=landlord.planned_days,
        right_to_repair=landlord.right_to_repair,
    )


def weights_of(landlord: Landlord) -> RankingWeights:
    return RankingWeights(
        **landlord.ranking_weights,
        typical_price_pence={**TYPICAL_PRICE_PENCE, **landlord.schedule_of_rates},
    )


@handles(c.PostJob)
def post_job(repo: Repo, ctx: Context, a: c.PostJob) -> None:
    job = _job(repo, a.job_id)
    landlord = landlord_of(repo, job.landlord_id)
    mode = a.award_mode or landlord.route_for(a.priority, job.district)
    if mode is AwardMode.FIRST_TO_ACCEPT and a.fixed_price_pence is None:
        raise Rejected("invalid", "Give a fixed price for a job that goes to the first to accept.")
    direct = None
    if mode is AwardMode.DIRECT:
        direct = repo.get("tradespeople", landlord.direct_to or "")
        if not isinstance(direct, Tradesperson):
            raise Rejected(
                "no_direct",
                "There is no in-house team or framework contractor to award this to directly. "
                "Choose another way to award it.",
            )
        check_awardable(direct, job, ctx.today)
    target = target_for(a.priority, job.reported_at, targets_of(landlord))
    if job.damp_and_mould:  # Awaab's Law: the investigation deadline binds whatever the priority
        target = min(target, damp_and_mould_timers(job.reported_at).investigate_by)
    emergency = a.priority is Priority.EMERGENCY
    job = _move(
        repo,
        ctx,
        job,
        Action.POST,
        priority=a.priority,
        target_at=target,
        attend_by=job.reported_at + timedelta(hours=landlord.emergency_attend_hours)
        if emergency
        else None,
        award_mode=mode,
        fixed_price_pence=a.fixed_price_pence,
        offers_close_at=ctx.now + timedelta(hours=landlord.auto_award_hours)
        if mode is AwardMode.AUTO
        else None,
    )
    if direct is not None:
        _move(
            repo,
            ctx,
            job,
            Action.AWARD,
            awarded_to=direct.id,
            award_reason=f"Awarded directly to {direct.business_name}.",
        )


def _tradesperson(repo: Repo, ctx: Context) -> Tradesperson:
    tp = repo.get("tradespeople", ctx.user.id)
    if not isinstance(tp, Tradesperson):
        raise Rejected("no_profile", "Finish your tradesperson profile before taking work.")
    return tp


@handles(c.PutForward)
def put_forward(repo: Repo, ctx: Context, a: c.PutForward) -> None:
    job = _job(repo, a.job_id)
    can_put_forward(job, ctx.actor)
    tp = _tradesperson(repo, ctx)
    check_eligible(tp, job, ctx.today)
    if any(
        o.tradesperson_id == ctx.user.id and o.status is OfferStatus.OPEN
        for o in repo.find("offers", "job_id", job.id)
    ):
        raise Rejected("already_offered", "You have already put yourself forward for this job.")
    _check_slot(job, a.earliest_slot, ctx)
    repo.save(
        Offer(
            id=a.offer_id,
            landlord_id=job.landlord_id,
            job_id=job.id,
            job_title=job.title,
            tradesperson_id=ctx.user.id,
            business_name=tp.business_name,
            price_pence=a.price_pence,
            earliest_slot=a.earliest_slot,
            note=a.note,
            created_at=ctx.now,
        )
    )


def _check_slot(job: Job, slot, ctx: Context) -> None:
    if slot < ctx.today:
        raise Rejected("invalid", "Your earliest visit can't be in the past.")
    due = target_date(job)
    if due is not None and due >= ctx.today and slot > due:
        raise Rejected(
            "too_late",
            f"This repair must be done by {long_date(due)}. Offer a visit on or before then.",
        )


def _open_offer(repo: Repo, ctx: Context, offer_id: str) -> Offer:
    """One's own offer, while it is open and its job still takes offers."""
    offer = repo.get("offers", offer_id)
    assert isinstance(offer, Offer)  # policy found it, and it is theirs
    if offer.status is not OfferStatus.OPEN:
        raise Rejected("offer_closed", f"This offer was {offer.status.value} and can't change.")
    can_put_forward(_job(repo, offer.job_id), ctx.actor)
    return offer


@handles(c.ChangeOffer)
def change_offer(repo: Repo, ctx: Context, a: c.ChangeOffer) -> None:
    offer = _open_offer(repo, ctx, a.offer_id)
    _check_slot(_job(repo, offer.job_id), a.earliest_slot, ctx)
    changes = {"price_pence": a.price_pence, "earliest_slot": a.earliest_slot, "note": a.note}
    repo.save(offer.model_copy(update=changes))


@handles(c.WithdrawOffer)
def withdraw_offer(repo: Repo, ctx: Context, a: c.WithdrawOffer) -> None:
    offer = _open_offer(repo, ctx, a.offer_id)
    repo.save(offer.model_copy(update={"status": OfferStatus.WITHDRAWN}))


@handles(c.AcceptJob)
def accept_job(repo: Repo, ctx: Context, a: c.AcceptJob) -> None:
    job = _job(repo, a.job_id)
    decide(job, Action.ACCEPT, ctx.actor)
    check_eligible(_tradesperson(repo, ctx), job, ctx.today)
    _move(repo, ctx, job, Action.ACCEPT, awarded_to=ctx.user.id)


def ranked(repo: Repo, job: Job, today) -> tuple[list[Candidate], TrackRecord]:
    """The job's open offers ranked by the landlord's weights over its track records."""
    offers = repo.find("offers", "job_id", job.id)
    people = {o.tradesperson_id: repo.get("tradespeople", o.tradesperson_id) for o in offers}
    history = repo.history(job.landlord_id)
    weights = weights_of(landlord_of(repo, job.landlord_id))
    found = {k: v for k, v in people.items() if isinstance(v, Tradesperson)}
    return rank(job, offers, found, history, today, weights), history


def _award_offer(
    repo: Repo,
    ctx: Context,
    job: Job,
    offer_id: str,
    reason: str,
    action: Action = Action.AWARD,
) -> None:
    """Award `job` to one of its open offers, keeping with every offer where it ranked, its
    score and parts, and what its tradesperson reads about the outcome."""
    candidates, _ = ranked(repo, job, ctx.today)
    winner = next((x for x in candidates if x.offer.id == offer_id), None)
    if winner is None:
        offer = repo.get("offers", offer_id)
        if not isinstance(offer, Offer) or offer.job_id != job.id:
            raise Rejected("not_found", "This offer is no longer available.")
        raise Rejected("offer_closed", "This tradesperson has withdrawn their offer.")
    if not winner.eligible:  # offers can outlive a registration, or miss the target
        raise Rejected("not_eligible", winner.reason or "This tradesperson can't take this job.")
    _move(
        repo,
        ctx,
        job,
        action,
        awarded_to=winner.tradesperson_id,
        awarded_offer_id=offer_id,
        award_reason=reason,
    )
    for position, x in enumerate(candidates, start=1):
        won = x.offer.id == offer_id
        repo.save(
            x.offer.model_copy(
                update={
                    "status": OfferStatus.ACCEPTED if won else OfferStatus.DECLINED,
                    "position": position,
                    "score": float(x.score),
                    "parts": [
                        {"name": p.name, "points": str(p.points), "why": p.why} for p in x.parts
                    ],
                    "explanation": (
                        ["The resident chose another tradesperson from their shortlist."]
                        if action is Action.CHOOSE and not won
                        else []
                    )
                    + why_not(x, winner),
                }
            )
        )


@handles(c.Award)
def award(repo: Repo, ctx: Context, a: c.Award) -> None:
    job = _job(repo, a.job_id)
    decide(job, Action.AWARD, ctx.actor)  # a job already awarded says so before its offers do
    _award_offer(repo, ctx, job, a.offer_id, "Chosen by the housing officer.")


@handles(c.DirectAward)
def direct_award(repo: Repo, ctx: Context, a: c.DirectAward) -> None:
    job = _job(repo, a.job_id)
    decide(job, Action.AWARD, ctx.actor)
    tp = repo.get("tradespeople", a.tradesperson_id)
    assert isinstance(tp, Tradesperson)  # policy found it among the landlord's
    if tp.kind not in ("in_house", "framework"):
        raise Rejected(
            "not_direct",
            "Direct award is for the in-house team or a framework contractor. Award "
            "marketplace tradespeople from their offers.",
        )
    check_awardable(tp, job, ctx.today)
    _move(
        repo,
        ctx,
        job,
        Action.AWARD,
        awarded_to=tp.id,
        award_reason=f"Awarded directly to {tp.business_name}.",
    )
    for other in repo.find("offers", "job_id", job.id):
        if other.status is OfferStatus.OPEN:
            said = [f"This job was awarded directly to {tp.business_name}, not from offers."]
            repo.save(
                other.model_copy(update={"status": OfferStatus.DECLINED, "explanation": said})
            )


@handles(c.Shortlist)
def shortlist(repo: Repo, ctx: Context, a: c.Shortlist) -> None:
    """Up to three offers for the resident to choose from, by a deadline; after it the
    top-ranked of them wins (see `settle`)."""
    job = _job(repo, a.job_id)
    decide(job, Action.AWARD, ctx.actor)
    if job.award_mode not in (AwardMode.OFFERS, AwardMode.AUTO, AwardMode.RESIDENT_CHOICE):
        raise Rejected(
            "wrong_mode", f"This job is awarded by another route: {job.award_mode.label}."
        )
    if not job.resident_id:
        raise Rejected("no_resident", "No resident reported this repair, so award it yourself.")
    candidates, history = ranked(repo, job, ctx.today)
    by_id = {x.offer.id: x for x in candidates}
    for offer_id in a.offer_ids:
        x = by_id.get(offer_id)
        if x is None:
            raise Rejected("not_found", "An offer on the shortlist is no longer available.")
        if not x.eligible:
            raise Rejected("not_eligible", x.reason or "This tradesperson can't take this job.")
    landlord = landlord_of(repo, job.landlord_id)
    repo.save(
        job.model_copy(
            update={
                "award_mode": AwardMode.RESIDENT_CHOICE,
                "shortlist": list(a.offer_ids),
                "choose_by": ctx.now + timedelta(hours=landlord.choice_hours),
                "offers_close_at": None,
            }
        )
    )
    for x in candidates:
        listed = x.offer.id in a.offer_ids
        if listed or x.offer.shortlisted_for:
            s = history.of(x.tradesperson_id)
            summary = {
                "jobs": s.completed,
                "ratings": s.quality_count,
                "rating": round(s.quality_sum / s.quality_count, 1) if s.quality_count else 0,
                "within_target": round(s.on_time / s.with_target, 2) if s.with_target else 0,
            }
            update = (
                {"shortlisted_for": job.resident_id, "summary": summary}
                if listed
                else {"shortlisted_for": None, "summary": {}}
            )
            repo.save(x.offer.model_copy(update=update))


@handles(c.ChooseOffer)
def choose_offer(repo: Repo, ctx: Context, a: c.ChooseOffer) -> None:
    job = _job(repo, a.job_id)
    decide(job, Action.CHOOSE, ctx.actor)
    if job.award_mode is not AwardMode.RESIDENT_CHOICE or a.offer_id not in job.shortlist:
        raise Rejected("not_shortlisted", "Choose one of the tradespeople on your shortlist.")
    if job.choose_by and ctx.now > job.choose_by:
        raise Rejected(
            "too_late",
            "The time to choose has passed, so the best-ranked tradesperson on your shortlist "
            "gets the job.",
        )
    offer = repo.get("offers", a.offer_id)
    assert isinstance(offer, Offer)  # policy found it: shortlisted for this resident
    if not repo.authoritative and repo.get("tradespeople", offer.tradesperson_id) is None:
        # The resident's device cannot rank (profiles are not theirs to see): it records
        # the choice, and the server ranks and checks eligibility when it arrives.
        if offer.status is not OfferStatus.OPEN:
            raise Rejected("offer_closed", "This tradesperson has withdrawn their offer.")
        _move(
            repo,
            ctx,
            job,
            Action.CHOOSE,
            awarded_to=offer.tradesperson_id,
            awarded_offer_id=offer.id,
            award_reason="Chosen by the resident.",
        )
        return
    _award_offer(repo, ctx, job, a.offer_id, "Chosen by the resident.", Action.CHOOSE)


def settle(repo: Repo, ctx: Context, job: Job) -> bool:
    """Award a job whose time has come: automatic award when offers close, or the resident's
    shortlist when their time to choose has passed. The top-ranked eligible offer wins (on a
    shortlist, the top of the shortlist); with none, the job goes to the officer to award.
    `ctx` is the landlord's system officer. True when the job changed."""
    if job.status is not JobStatus.POSTED:
        return False
    due = {
        AwardMode.AUTO: job.offers_close_at,
        AwardMode.RESIDENT_CHOICE: job.choose_by,
    }.get(job.award_mode)
    if due is None or due > ctx.now:
        return False
    candidates, _ = ranked(repo, job, ctx.today)
    eligible = [x for x in candidates if x.eligible]
    listed = [x for x in eligible if x.offer.id in job.shortlist]
    best = (listed or eligible or [None])[0]
    if best is None:
        repo.save(
            job.model_copy(
                update={
                    "award_mode": AwardMode.OFFERS,
                    "offers_close_at": None,
                    "choose_by": None,
                    "award_reason": "No eligible offer when offers closed: awaiting the officer.",
                }
            )
        )
        return True
    if job.award_mode is AwardMode.AUTO:
        reason = f"Top-ranked offer when offers closed on {long_date(due.astimezone(UK).date())}."
    elif listed:
        reason = "Top-ranked on the shortlist: the resident did not choose in time."
    else:
        reason = "Top-ranked offer: none on the shortlist could still take the job."
    _award_offer(repo, ctx, job, best.offer.id, reason)
    return True


def system_officer(landlord_id: str) -> User:
    """Who acts when the rules award a job by themselves."""
    return User(
        id=f"system:{landlord_id}",
        email="",
        name="Automatic award",
        role=Role.OFFICER,
        landlord_id=landlord_id,
    )


@handles(c.SubmitProfile)
def submit_profile(repo: Repo, ctx: Context, a: c.SubmitProfile) -> None:
    """Apply to join, or change one's details: either way an officer checks them again."""
    for trade, regulation in REGULATED.items():
        if trade in a.trades and not any(k in a.certificates for k in regulation.certificates):
            raise Rejected(
                "invalid",
                f"{trade.label} needs your {names_of(regulation.certificates)} registration "
                "and its expiry date.",
            )
    if c.Trade.GAS in a.trades and not a.gas_categories:
        raise Rejected("invalid", "Choose the gas appliances you are registered to work on.")
    lapsed = [k for k, ends in a.certificates.items() if ends < ctx.today]
    if lapsed:
        raise Rejected("invalid", "A registration's expiry date has passed. Give the current one.")
    if a.insurance_expires < ctx.today:
        raise Rejected(
            "invalid", "Your public liability insurance has expired. Give a current policy."
        )
    old = repo.get("tradespeople", ctx.user.id)
    old = old if isinstance(old, Tradesperson) else None
    documents = [*(old.documents if old else []), *a.photos_cited]
    if not documents:
        raise Rejected(
            "invalid", "Add a photo of your insurance certificate (and any registrations)."
        )
    repo.save(
        Tradesperson(
            id=ctx.user.id,
            landlord_id=ctx.user.landlord_id,
            name=ctx.user.name,
            business_name=a.business_name,
            kind=a.kind if not old or old.kind in ("sole_trader", "business") else old.kind,
            phone=a.phone,
            trades=list(dict.fromkeys(a.trades)),
            districts=sorted(set(a.districts)),
            working_days=sorted(set(a.working_days)),
            certificates=a.certificates,
            certificate_numbers=a.certificate_numbers,
            gas_categories=sorted(set(a.gas_categories)),
            insurance_expires=a.insurance_expires,
            documents=list(dict.fromkeys(documents))[-10:],
            small_local=old.small_local if old else True,
            status=Vetting.APPLIED,
            applied_at=ctx.now,
            home_id=ctx.user.home_id,
        )
    )


@handles(c.VetTradesperson)
def vet_tradesperson(repo: Repo, ctx: Context, a: c.VetTradesperson) -> None:
    tp = repo.get("tradespeople", a.tradesperson_id)
    assert isinstance(tp, Tradesperson)  # policy found it among the landlord's
    if a.decision != "approve" and not a.reason:
        raise Rejected("invalid", "Say why, so the tradesperson knows what to do next.")
    status = {"approve": Vetting.APPROVED, "refuse": Vetting.REFUSED}.get(
        a.decision, Vetting.MORE_INFO
    )
    if tp.status is status:
        raise Rejected("decided", f"{tp.name} is already marked {status.label.lower()}.")
    uninsured = tp.insurance_expires is None or tp.insurance_expires < ctx.today
    if status is Vetting.APPROVED and uninsured:
        raise Rejected(
            "invalid",
            f"{tp.name}'s public liability insurance is not in date: ask for more "
            "information instead.",
        )
    repo.save(
        tp.model_copy(update={"status": status, "vetting_note": a.reason, "vetted_at": ctx.now})
    )


@handles(c.WithdrawAward)
def withdraw_award(repo: Repo, ctx: Context, a: c.WithdrawAward) -> None:
    """Take a job back from its tradesperson and reopen it for offers."""
    job = _job(repo, a.job_id)
    offer = repo.get("offers", job.awarded_offer_id) if job.awarded_offer_id else None
    _move(repo, ctx, job, Action.WITHDRAW_AWARD, awarded_to=None, awarded_offer_id=None)
    if offer:
        repo.save(offer.model_copy(update={"status": OfferStatus.WITHDRAWN}))


@handles(c.StartVisit)
def start_visit(repo: Repo, ctx: Context, a: c.StartVisit) -> None:
    job = _job(repo, a.job_id)
    decide(job, Action.START, ctx.actor)  # not yours says so before your certificates do
    check_eligible(_tradesperson(repo, ctx), job, ctx.today)
    _move(repo, ctx, job, Action.START, started_at=job.started_at or ctx.now)
    repo.save(
        Visit(
            id=a.visit_id,
            landlord_id=job.landlord_id,
            job_id=job.id,
            tradesperson_id=ctx.user.id,
            started_at=ctx.now,
            photos=[ph.sha256 for ph in a.photos],
        )
    )


def _open_visit(repo: Repo, job_id: str, user_id: str) -> Visit | None:
    visits = [
        v
        for v in repo.find("visits", "job_id", job_id)
        if v.tradesperson_id == user_id and v.outcome == "in_progress"
    ]
    return max(visits, key=lambda v: v.started_at, default=None)


@handles(c.CompleteJob)
def complete_job(repo: Repo, ctx: Context, a: c.CompleteJob) -> None:
    job = _job(repo, a.job_id)
    evidence.check_completion(a.photos)
    shas = [ph.sha256 for ph in a.photos]
    _move(
        repo,
        ctx,
        job,
        Action.COMPLETE,
        completed_at=ctx.now,
        completion_notes=a.notes,
        photos=job.photos + [s for s in shas if s not in job.photos],
    )
    visit = _open_visit(repo, job.id, ctx.user.id)
    if visit:
        repo.save(
            visit.model_copy(
                update={"outcome": "completed", "notes": a.notes, "photos": visit.photos + shas}
            )
        )
    _raise_invoice(repo, ctx, job)


def _raise_invoice(repo: Repo, ctx: Context, job: Job) -> None:
    """The agreed price plus approved extra work, for the landlord to pay. The in-house
    team sends none; nor does a job with no agreed price."""
    tp = repo.get("tradespeople", job.awarded_to or "")
    if isinstance(tp, Tradesperson) and tp.kind == "in_house":
        return
    offer = repo.get("offers", job.awarded_offer_id or "")
    price = offer.price_pence if isinstance(offer, Offer) else job.fixed_price_pence
    if price is None:
        return
    extras = sum(
        e.price_pence for e in repo.find("extras", "job_id", job.id) if e.status == "approved"
    )
    repo.save(
        Invoice(
            id=f"invoice:{job.id}",
            landlord_id=job.landlord_id,
            job_id=job.id,
            tradesperson_id=job.awarded_to or "",
            amount_pence=price + extras,
            submitted_at=ctx.now,
        )
    )


@handles(c.RecordNoAccess)
def record_no_access(repo: Repo, ctx: Context, a: c.RecordNoAccess) -> None:
    """Nobody in. A confirmed appointment missed is the resident's; the second time the
    job goes back on the board and the officer is told."""
    job = _job(repo, a.job_id)
    evidence.check_no_access(a.photos, a.note)
    before = [v for v in repo.find("visits", "job_id", job.id) if v.outcome == "no_access"]
    missed = job.missed
    if job.appointment_status == "confirmed":
        missed = [*missed, {"by": "resident", "at": ctx.now.isoformat()}]
    if before:
        _move(
            repo,
            ctx,
            job,
            Action.HAND_BACK,
            awarded_to=None,
            awarded_offer_id=None,
            awarded_at=None,
            appointment_at=None,
            appointment_status="",
            missed=missed,
            flag=f"Second no access ({long_date(ctx.today)}): back on the job board. Contact "
            "the resident before awarding it again.",
        )
        offer = repo.get("offers", job.awarded_offer_id or "")
        if isinstance(offer, Offer):
            repo.save(offer.model_copy(update={"status": OfferStatus.WITHDRAWN}))
    else:
        _move(repo, ctx, job, Action.NO_ACCESS, missed=missed)
    shas = [ph.sha256 for ph in a.photos]
    visit = _open_visit(repo, job.id, ctx.user.id) or Visit(
        id=a.visit_id or f"{job.id}:noaccess:{ctx.user.id}:{ctx.now.isoformat()}",
        landlord_id=job.landlord_id,
        job_id=job.id,
        tradesperson_id=ctx.user.id,
        started_at=ctx.now,
    )
    repo.save(
        visit.model_copy(
            update={"outcome": "no_access", "notes": a.note, "photos": visit.photos + shas}
        )
    )


@handles(c.RateJob)
def rate_job(repo: Repo, ctx: Context, a: c.RateJob) -> None:
    job = _job(repo, a.job_id)
    if job.resident_id != ctx.user.id:
        raise Rejected("not_yours", "Only the resident who reported this repair can rate it.")
    if job.status not in (JobStatus.COMPLETED, JobStatus.CLOSED):
        raise Rejected("not_finished", "You can rate this repair once it is completed.")
    if job.rating_quality is not None:
        raise Rejected("already_rated", "You have already rated this repair.")
    repo.save(
        job.model_copy(
            update={"rating_speed": a.speed, "rating_quality": a.quality, "review": a.review}
        )
    )


@handles(c.CancelJob)
def cancel_job(repo: Repo, ctx: Context, a: c.CancelJob) -> None:
    _move(repo, ctx, _job(repo, a.job_id), Action.CANCEL)


@handles(c.RequestExtra)
def request_extra(repo: Repo, ctx: Context, a: c.RequestExtra) -> None:
    job = _job(repo, a.job_id)
    evidence.check_extra(a.reason, a.price_pence, a.photos)
    _move(repo, ctx, job, Action.REQUEST_EXTRA)
    repo.save(
        Extra(
            id=a.extra_id,
            landlord_id=job.landlord_id,
            job_id=job.id,
            tradesperson_id=ctx.user.id,
            resident_id=job.resident_id,
            reason=a.reason,
            price_pence=a.price_pence,
            photos=a.photos_cited,
            requested_at=ctx.now,
        )
    )


@handles(c.DecideExtra)
def decide_extra(repo: Repo, ctx: Context, a: c.DecideExtra) -> None:
    extra = repo.get("extras", a.extra_id)
    assert isinstance(extra, Extra)  # policy found it
    if extra.status != "pending":
        raise Rejected("decided", f"This extra work was already {extra.status}.")
    if not a.approve and not a.reason:
        raise Rejected("invalid", "Say why the extra work is refused, so the tradesperson knows.")
    _move(repo, ctx, _job(repo, extra.job_id), Action.DECIDE_EXTRA)
    repo.save(
        extra.model_copy(
            update={
                "status": "approved" if a.approve else "refused",
                "decision_reason": a.reason,
                "decided_at": ctx.now,
            }
        )
    )


@handles(c.SetRules)
def set_rules(repo: Repo, ctx: Context, a: c.SetRules) -> None:
    landlord = landlord_of(repo, a.landlord_id)
    if a.direct_to is not None:
        team = repo.get("tradespeople", a.direct_to)
        if (
            not isinstance(team, Tradesperson)
            or team.landlord_id != landlord.id
            or team.kind not in ("in_house", "framework")
        ):
            raise Rejected(
                "invalid", "Direct awards go to your in-house team or a framework contractor."
            )
    direct = AwardMode.DIRECT in a.routes.values() or a.direct_districts
    if direct and a.direct_to is None:
        raise Rejected(
            "invalid", "Name the in-house team or framework contractor that direct awards go to."
        )
    repo.save(landlord.model_copy(update=a.model_dump(exclude={"landlord_id"})))


@handles(c.NotePattern)
def note_pattern(repo: Repo, ctx: Context, a: c.NotePattern) -> None:
    """Note on, or dismiss, an item of the pattern queue; a later note replaces it."""
    if not a.pattern_key.split(":")[1:2] == [a.tradesperson_id]:
        raise Rejected("invalid", "This note is for another tradesperson's pattern.")
    if a.dismiss is False and not a.note:
        raise Rejected("invalid", "Write a note, or dismiss the pattern.")
    repo.save(
        PatternNote(
            id=a.pattern_key,
            landlord_id=ctx.user.landlord_id,
            tradesperson_id=a.tradesperson_id,
            note=a.note,
            dismissed=a.dismiss,
            noted_by=ctx.user.name,
            noted_at=ctx.now,
        )
    )


@handles(c.SetHomeAlerts)
def set_home_alerts(repo: Repo, ctx: Context, a: c.SetHomeAlerts) -> None:
    """A home's alerts, and its open repairs' copies of them: the job pack of a repair
    already awarded shows the change at the next sync."""
    home = repo.get("homes", a.home_id)
    if not isinstance(home, Home) or home.landlord_id != ctx.user.landlord_id:
        raise Rejected("not_found", "This home is not one of your landlord's.")
    repo.save(home.model_copy(update={"alerts": a.alerts}))
    for job in repo.find("jobs", "home_id", home.id):
        if job.status not in FINISHED and job.property_alerts != a.alerts:
            repo.save(job.model_copy(update={"property_alerts": a.alerts}))


@handles(c.HoldJob)
def hold_job(repo: Repo, ctx: Context, a: c.HoldJob) -> None:
    job = _job(repo, a.job_id)
    _move(repo, ctx, job, Action.HOLD, held_from=job.status, hold_reason=a.reason)


@handles(c.ReopenJob)
def reopen_job(repo: Repo, ctx: Context, a: c.ReopenJob) -> None:
    job = _job(repo, a.job_id)
    decide(job, Action.REOPEN, ctx.actor)
    back = job.held_from or (JobStatus.AWARDED if job.awarded_to else JobStatus.REPORTED)
    repo.save(job.model_copy(update={"status": back, "held_from": None, "hold_reason": ""}))


@handles(c.CloseJob)
def close_job(repo: Repo, ctx: Context, a: c.CloseJob) -> None:
    _move(repo, ctx, _job(repo, a.job_id), Action.CLOSE)


@handles(c.ConcludeInvestigation)
def conclude_investigation(repo: Repo, ctx: Context, a: c.ConcludeInvestigation) -> None:
    job = _job(repo, a.job_id)
    if not job.damp_and_mould:
        raise Rejected("invalid", "Only damp and mould reports have an investigation to record.")
    if job.status in FINISHED:
        raise Rejected("wrong_state", f"This job is {job.status.label.lower()}.")
    if job.investigated_on is not None:
        raise Rejected("decided", "The investigation is already recorded.")
    reported = utc(job.reported_at).astimezone(UK).date()
    if not reported <= a.investigated_on <= ctx.today:
        raise Rejected(
            "invalid",
            f"The investigation date must be between the report ({long_date(reported)}) and today.",
        )
    repo.save(job.model_copy(update={"investigated_on": a.investigated_on, "findings": a.findings}))


# -- the visit and the resident's side of it --------------------------------------------


def _own_open_job(repo: Repo, ctx: Context, job_id: str) -> Job:
    """A job awarded to this tradesperson and not yet finished."""
    job = _job(repo, job_id)
    if job.awarded_to != ctx.user.id:
        raise Rejected("taken", "This job is not yours.")
    if job.status in FINISHED:
        raise Rejected("wrong_state", f"This job is {job.status.label.lower()}.")
    return job


@handles(c.ProposeAppointment)
def propose_appointment(repo: Repo, ctx: Context, a: c.ProposeAppointment) -> None:
    job = _own_open_job(repo, ctx, a.job_id)
    at = utc(a.at)
    if not ctx.now < at <= ctx.now + timedelta(days=60):
        raise Rejected("invalid", "Choose a time from now to 60 days ahead.")
    repo.save(
        job.model_copy(
            update={"appointment_at": at, "appointment_status": "proposed", "appointment_note": ""}
        )
    )


@handles(c.AnswerAppointment)
def answer_appointment(repo: Repo, ctx: Context, a: c.AnswerAppointment) -> None:
    job = _job(repo, a.job_id)
    if job.resident_id != ctx.user.id:
        raise Rejected("not_yours", "You can only answer for repairs you reported.")
    if job.appointment_status != "proposed" or job.appointment_at is None:
        raise Rejected("wrong_state", "There is no visit time waiting for your answer.")
    if not a.confirm and not a.note:
        raise Rejected("invalid", "Say which days and times suit you, so they can offer another.")
    status = "confirmed" if a.confirm else "change_asked"
    repo.save(job.model_copy(update={"appointment_status": status, "appointment_note": a.note}))


@handles(c.OnMyWay)
def on_my_way(repo: Repo, ctx: Context, a: c.OnMyWay) -> None:
    job = _own_open_job(repo, ctx, a.job_id)
    repo.save(
        job.model_copy(
            update={"on_the_way_at": ctx.now, "arrive_by": ctx.now + timedelta(minutes=a.minutes)}
        )
    )


@handles(c.ReportMissed)
def report_missed(repo: Repo, ctx: Context, a: c.ReportMissed) -> None:
    """The resident waited in and nobody came: a missed appointment, the tradesperson's."""
    job = _job(repo, a.job_id)
    if job.resident_id != ctx.user.id:
        raise Rejected("not_yours", "You can only report on repairs you reported.")
    at = job.appointment_at
    if job.appointment_status != "confirmed" or at is None or ctx.now < at:
        raise Rejected(
            "wrong_state", "You can say nobody came once a confirmed visit time has passed."
        )
    if job.started_at is not None and job.started_at >= at - timedelta(hours=12):
        raise Rejected("wrong_state", "The tradesperson recorded a visit for this appointment.")
    missed = [*job.missed, {"by": "tradesperson", "at": ctx.now.isoformat()}]
    repo.save(
        job.model_copy(
            update={
                "missed": missed,
                "appointment_status": "",
                "flag": f"The resident says nobody came on {long_date(at.astimezone(UK).date())}.",
            }
        )
    )


@handles(c.ReportNotFixed)
def report_not_fixed(repo: Repo, ctx: Context, a: c.ReportNotFixed) -> None:
    """Within 30 days of completion the resident says it is not fixed: a recall, linked to
    the original and counted against the tradesperson who did it."""
    job = _job(repo, a.job_id)
    if job.resident_id != ctx.user.id:
        raise Rejected("not_yours", "You can only report on repairs you reported.")
    if job.status not in (JobStatus.COMPLETED, JobStatus.CLOSED) or job.completed_at is None:
        raise Rejected(
            "not_finished", "This repair is not finished yet: it is still being worked on."
        )
    if ctx.now - job.completed_at > timedelta(days=30):
        raise Rejected(
            "too_late",
            "It is more than 30 days since this repair was completed. Report it as a new repair.",
        )
    repo.save(
        job.model_copy(
            update={
                "id": a.new_job_id,
                "status": JobStatus.REPORTED,
                "title": f"Not fixed: {job.title}"[:120],
                "description": a.description,
                "reported_at": ctx.now,
                "photos": [ph.sha256 for ph in a.photos],
                "parent_id": job.id,
                "flag": "Recall: the resident says the repair was not fixed.",
                **_FRESH,
            }
        )
    )


@handles(c.RaiseFollowOn)
def raise_follow_on(repo: Repo, ctx: Context, a: c.RaiseFollowOn) -> None:
    """More work found on a visit, as a new job for the officer to triage."""
    job = _own_open_job(repo, ctx, a.job_id)
    repo.save(
        job.model_copy(
            update={
                "id": a.new_job_id,
                "trade": a.trade,
                "status": JobStatus.REPORTED,
                "title": a.title,
                "description": a.description,
                "reported_at": ctx.now,
                "photos": [ph.sha256 for ph in a.photos],
                "follow_on_of": job.id,
                "parent_id": None,
                "flag": f"Follow-on work raised by {ctx.user.name} on a visit.",
                **_FRESH,
            }
        )
    )


# What a new job raised from another starts without.
_FRESH = {
    "priority": None, "target_at": None, "attend_by": None, "award_mode": AwardMode.OFFERS,
    "fixed_price_pence": None, "offers_close_at": None, "shortlist": [], "choose_by": None,
    "award_reason": "", "awarded_to": None, "awarded_at": None, "awarded_offer_id": None,
    "started_at": None, "completed_at": None, "closed_at": None, "completion_notes": "",
    "rating_speed": None, "rating_quality": None, "review": "", "held_from": None,
    "hold_reason": "", "investigated_on": None, "findings": "", "appointment_at": None,
    "appointment_status": "", "appointment_note": "", "on_the_way_at": None, "arrive_by": None,
    "missed": [], "suggested_priority": None, "also_reported_by": [],
}  # fmt: skip


# -- getting paid ------------------------------------------------------------------------


def _invoices(repo: Repo, ctx: Context, ids: list[str]) -> list[Invoice]:
    """The landlord's invoices named, or `Rejected` naming none of another's."""
    found = []
    for key in dict.fromkeys(ids):
        invoice = repo.get("invoices", key)
        if not isinstance(invoice, Invoice) or invoice.landlord_id != ctx.user.landlord_id:
            raise Rejected("not_found", "An invoice on the list is no longer available.")
        found.append(invoice)
    return found


@handles(c.ApproveInvoices)
def approve_invoices(repo: Repo, ctx: Context, a: c.ApproveInvoices) -> None:
    invoices = _invoices(repo, ctx, a.invoice_ids)
    for invoice in invoices:
        if invoice.status not in ("submitted", "disputed"):
            raise Rejected("decided", f"An invoice on the list is already {invoice.status}.")
    for invoice in invoices:
        repo.save(
            invoice.model_copy(
                update={"status": "approved", "decided_at": ctx.now, "dispute_reason": ""}
            )
        )


@handles(c.DisputeInvoice)
def dispute_invoice(repo: Repo, ctx: Context, a: c.DisputeInvoice) -> None:
    invoice = repo.get("invoices", a.invoice_id)
    assert isinstance(invoice, Invoice)  # policy found it among the landlord's
    if invoice.status != "submitted":
        raise Rejected("decided", f"This invoice is already {invoice.status}.")
    repo.save(
        invoice.model_copy(
            update={"status": "disputed", "decided_at": ctx.now, "dispute_reason": a.reason}
        )
    )


@handles(c.MarkPaid)
def mark_paid(repo: Repo, ctx: Context, a: c.MarkPaid) -> None:
    invoices = _invoices(repo, ctx, a.invoice_ids)
    for invoice in invoices:
        if invoice.status != "approved":
            raise Rejected("not_approved", "Only approved invoices can be marked paid.")
        if not utc(invoice.submitted_at).astimezone(UK).date() <= a.paid_on <= ctx.today:
            raise Rejected("invalid", "The payment date must be between the invoice and today.")
    paid_at = datetime.combine(a.paid_on, time(12), UK)
    for invoice in invoices:
        repo.save(invoice.model_copy(update={"status": "paid", "paid_at": paid_at}))


assert set(HANDLERS) == set(c.COMMANDS.values()), "every command needs a handler"
