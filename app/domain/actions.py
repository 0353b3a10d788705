"""What each user action does to the marketplace, written once.

The server applies these to its database for real; the client applies the same functions
to its local copy as an optimistic update. Both hand in a `Repo` over their own storage.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from app.domain import evidence
from app.domain.eligibility import check_eligible
from app.domain.lifecycle import Action, Actor, Rejected, can_put_forward, decide
from app.domain.models import (
    Home,
    Job,
    JobStatus,
    Offer,
    OfferStatus,
    Role,
    Tradesperson,
    User,
    Visit,
)
from app.domain.targets import damp_and_mould_timers, target_for
from app.sync import protocol as p

Record = Job | Offer | Visit


class Repo(Protocol):
    def job(self, job_id: str) -> Job | None: ...
    def offer(self, offer_id: str) -> Offer | None: ...
    def offers_for_job(self, job_id: str) -> list[Offer]: ...
    def visits_for_job(self, job_id: str) -> list[Visit]: ...
    def home(self, home_id: str) -> Home | None: ...
    def tradesperson(self, user_id: str) -> Tradesperson | None: ...
    def save(self, record: Record) -> None: ...


@dataclass(frozen=True)
class Context:
    user: User
    now: datetime
    phone: str | None = None

    @property
    def actor(self) -> Actor:
        return Actor(self.user.id, self.user.role)


def apply(repo: Repo, ctx: Context, name: str, raw_args: dict) -> None:
    """Validate and apply one action, or raise `Rejected` having changed nothing."""
    model = p.ACTIONS.get(name)
    if model is None:
        raise Rejected("unknown_action", "This app is out of date. Please update it.")
    try:
        args = model.model_validate(raw_args)
    except ValueError as e:
        raise Rejected("invalid", _first_error(e)) from None
    HANDLERS[name](repo, ctx, args)


def _first_error(e: ValueError) -> str:
    errors = getattr(e, "errors", lambda: [])()
    if errors:
        field = ".".join(str(x) for x in errors[0]["loc"]).replace("_", " ")
        return f"Please check {field}: {errors[0]['msg'].lower()}."
    return "Some details are not valid. Please check and try again."


def _job(repo: Repo, job_id: str) -> Job:
    job = repo.job(job_id)
    if job is None:
        raise Rejected("not_found", "This job is no longer available to you.")
    return job


def _move(repo: Repo, ctx: Context, job: Job, action: Action, **changes) -> Job:
    status = decide(job, action, ctx.actor)
    moved = job.model_copy(update={"status": status, **changes})
    repo.save(moved)
    return moved


def report_repair(repo: Repo, ctx: Context, a: p.ReportRepair) -> None:
    if ctx.user.role is not Role.RESIDENT or not ctx.user.home_id:
        raise Rejected("not_allowed", "Only residents can report repairs to their home.")
    if repo.job(a.job_id) is not None:
        raise Rejected("exists", "This repair has already been reported.")
    home = repo.home(ctx.user.home_id)
    if home is None:
        raise Rejected("no_home", "We can't find your home. Please call the repairs line.")
    repo.save(
        Job(
            id=a.job_id,
            landlord_id=ctx.user.landlord_id,
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


def post_job(repo: Repo, ctx: Context, a: p.PostJob) -> None:
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
    tp = repo.tradesperson(ctx.user.id)
    if tp is None:
        raise Rejected("no_profile", "Finish your tradesperson profile before taking work.")
    return tp


def put_forward(repo: Repo, ctx: Context, a: p.PutForward) -> None:
    job = _job(repo, a.job_id)
    can_put_forward(job, ctx.actor)
    tp = _tradesperson(repo, ctx)
    check_eligible(tp, job, ctx.now.date())
    if any(
        o.tradesperson_id == ctx.user.id and o.status is OfferStatus.OPEN
        for o in repo.offers_for_job(job.id)
    ):
        raise Rejected("already_offered", "You have already put yourself forward for this job.")
    if a.earliest_slot < ctx.now.date():
        raise Rejected("invalid", "Your earliest visit can't be in the past.")
    repo.save(
        Offer(
            id=a.offer_id,
            job_id=job.id,
            tradesperson_id=ctx.user.id,
            business_name=tp.business_name,
            price_pence=a.price_pence,
            earliest_slot=a.earliest_slot,
            note=a.note,
            created_at=ctx.now,
        )
    )


def accept_job(repo: Repo, ctx: Context, a: p.AcceptJob) -> None:
    job = _job(repo, a.job_id)
    decide(job, Action.ACCEPT, ctx.actor)
    check_eligible(_tradesperson(repo, ctx), job, ctx.now.date())
    _move(repo, ctx, job, Action.ACCEPT, awarded_to=ctx.user.id)


def award(repo: Repo, ctx: Context, a: p.Award) -> None:
    job = _job(repo, a.job_id)
    decide(job, Action.AWARD, ctx.actor)  # a job already awarded says so before its offers do
    offer = repo.offer(a.offer_id)
    if offer is None or offer.job_id != job.id:
        raise Rejected("not_found", "This offer is no longer available.")
    if offer.status is not OfferStatus.OPEN:
        raise Rejected("offer_closed", "This tradesperson has withdrawn their offer.")
    _move(repo, ctx, job, Action.AWARD, awarded_to=offer.tradesperson_id, awarded_offer_id=offer.id)
    for other in repo.offers_for_job(job.id):
        status = OfferStatus.ACCEPTED if other.id == offer.id else OfferStatus.DECLINED
        if other.status is OfferStatus.OPEN:
            repo.save(other.model_copy(update={"status": status}))


def withdraw_award(repo: Repo, ctx: Context, a: p.WithdrawAward) -> None:
    """Take a job back from its tradesperson and reopen it for offers."""
    job = _job(repo, a.job_id)
    offer = repo.offer(job.awarded_offer_id) if job.awarded_offer_id else None
    _move(repo, ctx, job, Action.WITHDRAW_AWARD, awarded_to=None, awarded_offer_id=None)
    if offer:
        repo.save(offer.model_copy(update={"status": OfferStatus.WITHDRAWN}))


def start_visit(repo: Repo, ctx: Context, a: p.StartVisit) -> None:
    job = _job(repo, a.job_id)
    _move(repo, ctx, job, Action.START, started_at=job.started_at or ctx.now)
    repo.save(
        Visit(
            id=a.visit_id,
            job_id=job.id,
            tradesperson_id=ctx.user.id,
            started_at=ctx.now,
            photos=[ph.sha256 for ph in a.photos],
        )
    )


def _open_visit(repo: Repo, job_id: str, user_id: str) -> Visit | None:
    visits = [
        v
        for v in repo.visits_for_job(job_id)
        if v.tradesperson_id == user_id and v.outcome == "in_progress"
    ]
    return max(visits, key=lambda v: v.started_at, default=None)


def complete_job(repo: Repo, ctx: Context, a: p.CompleteJob) -> None:
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


def record_no_access(repo: Repo, ctx: Context, a: p.RecordNoAccess) -> None:
    job = _job(repo, a.job_id)
    evidence.check_no_access(a.photos, a.note)
    _move(repo, ctx, job, Action.NO_ACCESS)
    shas = [ph.sha256 for ph in a.photos]
    visit = _open_visit(repo, job.id, ctx.user.id) or Visit(
        id=f"{job.id}:noaccess:{ctx.now.isoformat()}",
        job_id=job.id,
        tradesperson_id=ctx.user.id,
        started_at=ctx.now,
    )
    repo.save(
        visit.model_copy(
            update={"outcome": "no_access", "notes": a.note, "photos": visit.photos + shas}
        )
    )


def rate_job(repo: Repo, ctx: Context, a: p.RateJob) -> None:
    job = _job(repo, a.job_id)
    if ctx.user.role is not Role.RESIDENT or job.resident_id != ctx.user.id:
        raise Rejected("not_yours", "You can only rate repairs you reported.")
    if job.status not in (JobStatus.COMPLETED, JobStatus.CLOSED):
        raise Rejected("not_finished", "You can rate this repair once it is completed.")
    if job.rating_quality is not None:
        raise Rejected("already_rated", "You have already rated this repair.")
    repo.save(
        job.model_copy(
            update={"rating_speed": a.speed, "rating_quality": a.quality, "review": a.review}
        )
    )


def cancel_job(repo: Repo, ctx: Context, a: p.CancelJob) -> None:
    _move(repo, ctx, _job(repo, a.job_id), Action.CANCEL)


HANDLERS = {
    "report_repair": report_repair,
    "post_job": post_job,
    "put_forward": put_forward,
    "accept_job": accept_job,
    "award": award,
    "withdraw_award": withdraw_award,
    "start_visit": start_visit,
    "complete_job": complete_job,
    "record_no_access": record_no_access,
    "rate_job": rate_job,
    "cancel_job": cancel_job,
}

assert HANDLERS.keys() == p.ACTIONS.keys()
