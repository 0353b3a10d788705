"""What each command does to the marketplace, written once.

The server applies these to its database for real; the client applies the same functions
to its local copy as an optimistic update. Both hand in a `Repo` over their own storage.
`apply` parses the command, asks `policy` whether this person may take it, then runs its
handler."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

from app.domain import commands as c
from app.domain import evidence, policy
from app.domain.eligibility import check_awardable, check_eligible
from app.domain.lifecycle import FINISHED, Action, Actor, Rejected, can_put_forward, decide
from app.domain.models import JobStatus, OfferStatus, User
from app.domain.records import Extra, Home, Job, Offer, Record, Tradesperson, Visit
from app.domain.targets import damp_and_mould_timers, target_for


class Repo(Protocol):
    def get(self, table: str, key: str) -> Record | None: ...
    def find(self, table: str, field: str, value: str) -> list[Any]: ...
    def own_photos(self, user_id: str, shas: Iterable[str]) -> set[str]: ...
    def save(self, record: Record) -> None: ...


@dataclass(frozen=True)
class Context:
    user: User
    now: datetime
    phone: str | None = None

    @property
    def actor(self) -> Actor:
        return Actor(self.user.id, self.user.role)


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
            damp_and_mould=a.damp_and_mould,
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


@handles(c.PostJob)
def post_job(repo: Repo, ctx: Context, a: c.PostJob) -> None:
    job = _job(repo, a.job_id)
    if a.award_mode == "first_to_accept" and a.fixed_price_pence is None:
        raise Rejected("invalid", "Give a fixed price for a job that goes to the first to accept.")
    target = target_for(a.priority, job.reported_at)
    if job.damp_and_mould:  # Awaab's Law: the investigation deadline binds whatever the priority
        target = min(target, damp_and_mould_timers(job.reported_at).investigate_by)
    _move(
        repo,
        ctx,
        job,
        Action.POST,
        priority=a.priority,
        target_at=target,
        award_mode=a.award_mode,
        fixed_price_pence=a.fixed_price_pence,
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
    check_eligible(tp, job, ctx.now.date())
    if any(
        o.tradesperson_id == ctx.user.id and o.status is OfferStatus.OPEN
        for o in repo.find("offers", "job_id", job.id)
    ):
        raise Rejected("already_offered", "You have already put yourself forward for this job.")
    if a.earliest_slot < ctx.now.date():
        raise Rejected("invalid", "Your earliest visit can't be in the past.")
    repo.save(
        Offer(
            id=a.offer_id,
            landlord_id=job.landlord_id,
            job_id=job.id,
            tradesperson_id=ctx.user.id,
            business_name=tp.business_name,
            price_pence=a.price_pence,
            earliest_slot=a.earliest_slot,
            note=a.note,
            created_at=ctx.now,
        )
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
    if a.earliest_slot < ctx.now.date():
        raise Rejected("invalid", "Your earliest visit can't be in the past.")
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
    check_eligible(_tradesperson(repo, ctx), job, ctx.now.date())
    _move(repo, ctx, job, Action.ACCEPT, awarded_to=ctx.user.id)


@handles(c.Award)
def award(repo: Repo, ctx: Context, a: c.Award) -> None:
    job = _job(repo, a.job_id)
    decide(job, Action.AWARD, ctx.actor)  # a job already awarded says so before its offers do
    offer = repo.get("offers", a.offer_id)
    if not isinstance(offer, Offer) or offer.job_id != job.id:
        raise Rejected("not_found", "This offer is no longer available.")
    if offer.status is not OfferStatus.OPEN:
        raise Rejected("offer_closed", "This tradesperson has withdrawn their offer.")
    tp = repo.get("tradespeople", offer.tradesperson_id)
    if not isinstance(tp, Tradesperson):
        raise Rejected("not_eligible", "This tradesperson's profile is no longer available.")
    check_awardable(tp, job, ctx.now.date())  # offers can outlive a registration
    _move(repo, ctx, job, Action.AWARD, awarded_to=offer.tradesperson_id, awarded_offer_id=offer.id)
    for other in repo.find("offers", "job_id", job.id):
        status = OfferStatus.ACCEPTED if other.id == offer.id else OfferStatus.DECLINED
        if other.status is OfferStatus.OPEN:
            repo.save(other.model_copy(update={"status": status}))


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
    check_eligible(_tradesperson(repo, ctx), job, ctx.now.date())
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


@handles(c.RecordNoAccess)
def record_no_access(repo: Repo, ctx: Context, a: c.RecordNoAccess) -> None:
    job = _job(repo, a.job_id)
    evidence.check_no_access(a.photos, a.note)
    _move(repo, ctx, job, Action.NO_ACCESS)
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


assert set(HANDLERS) == set(c.COMMANDS.values()), "every command needs a handler"
