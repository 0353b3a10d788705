"""`Client`: the one facade that views, tests, benchmarks and scripts use.

Every action validates its input, writes the optimistic change and its outbox entry in
one local transaction, and returns without touching the network; the sync engine sends
it in the background. All SQLite work runs on one database thread, never on the UI loop.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from app import evidence_pack as pack
from app import photos as photo_pipeline
from app.credentials import CredentialStore, SecureStorage
from app.domain import actions
from app.domain import commands as c
from app.domain.eligibility import CERTIFICATE_NAMES, long_date, reminders
from app.domain.lifecycle import FINISHED, Rejected
from app.domain.models import (
    STATUS_LABELS,
    AwardMode,
    JobStatus,
    OfferStatus,
    PhotoStage,
    Priority,
    Role,
    Trade,
    User,
    Vetting,
)
from app.domain.payment import Payment, payment
from app.domain.records import Extra, Job, Landlord, Offer, PatternNote, Tradesperson, Visit
from app.domain.scorecards import (
    Pattern,
    PatternRules,
    Period,
    Point,
    Scorecard,
    brief,
    patterns,
    scorecards,
)
from app.domain.targets import UK, DampAndMouldTimers, damp_and_mould_timers
from app.photo_files import THUMBNAILS, PhotoFiles
from app.session import Session
from app.store.local import Store, _LocalRepo, now
from app.store.reports import scorecard_rows
from app.store.triage import TriageFilter, TriagePage, triage_page
from app.sync import protocol as p
from app.sync.engine import SyncEngine, SyncReport, last_sync

log = logging.getLogger(__name__)
NOTICE_DISMISSED = "notice_dismissed"  # device meta: the notice the person hid for good
WHAT_NEXT = {
    "taken": "Nothing more to do: look for other jobs on the job board.",
    "not_found": "The job has moved on. Pull down to refresh your lists.",
    "not_eligible": "Check your trades, areas and certificates in your profile.",
    "evidence": "Open the job and add the missing evidence, then try again.",
    "invalid": "Correct the details and try again.",
}


@dataclass(frozen=True)
class SyncStatus:
    online: bool | None  # None until the first round has tried
    pending: int  # changes waiting to be sent
    last_sync: datetime | None
    problems: int
    syncing: bool
    uploads_waiting: int
    error: str | None
    notice: str | None
    sign_in_expired: bool = False  # ask to sign in again; unsent work waits


@dataclass(frozen=True)
class Problem:
    id: int
    action: str
    args: dict
    code: str
    message: str
    what_next: str
    created_at: datetime


@dataclass(frozen=True)
class LocalPhoto:
    sha256: str
    stage: PhotoStage
    thumbnail: bytes


class JobView(Job):
    """A job as a screen shows it, with what is still waiting to be sent."""

    pending: bool = False
    my_offer: Offer | None = None
    offer_count: int = 0
    extras: list[Extra] = []  # extra work asked for on this job, newest first

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def trade_label(self) -> str:
        return self.trade.label


class OfferView(Offer):
    """One's own offer with the job it is for (None once the job has left one's view) and
    whether the latest change to it is still waiting to be sent."""

    job: Job | None = None
    pending: bool = False


@dataclass(frozen=True)
class Step:
    """One line of a job's history: what happened and, where the device knows it, when."""

    what: str
    at: datetime | None = None


@dataclass(frozen=True)
class JobDetail:
    """A job as its detail page shows it: its history, and its photos this device holds
    (thumbnails), with a count of those it does not."""

    job: JobView
    history: list[Step]
    thumbnails: list[bytes]
    photos_elsewhere: int


EXTRA_OUTCOMES = {"approved": "Extra work approved", "refused": "Extra work refused"}


def history(job: JobView) -> list[Step]:
    """What has happened to `job`, oldest first, from its timestamps and the records the
    device holds. Some moments (posting, awarding) have no timestamp of their own."""
    s = JobStatus
    steps = [Step("Reported", job.reported_at)]
    if job.priority:
        steps.append(Step(f"Checked by the housing officer: {job.priority.value} priority"))
    if job.status is s.POSTED or job.awarded_to:
        steps.append(Step("Offered to tradespeople"))
    if job.awarded_to:
        steps.append(Step("A tradesperson was chosen"))
    if job.started_at:
        steps.append(Step("Work started", job.started_at))
    if job.status is s.NO_ACCESS:
        steps.append(Step("The tradesperson could not get in"))
    for extra in sorted(job.extras, key=lambda x: x.requested_at):
        price = f"{extra.price_pence / 100:,.2f}"
        steps.append(Step(f"Extra work asked for: £{price} – {extra.reason}", extra.requested_at))
        if extra.status in EXTRA_OUTCOMES:
            why = f": {extra.decision_reason}" if extra.decision_reason else ""
            steps.append(Step(f"{EXTRA_OUTCOMES[extra.status]}{why}", extra.decided_at))
    if job.completed_at:
        steps.append(Step("Completed", job.completed_at))
    if job.rating_quality is not None:
        steps.append(Step(f"Rated: speed {job.rating_speed}, quality {job.rating_quality} of 5"))
    if job.status is s.CLOSED:
        steps.append(Step("Closed", job.closed_at))
    elif job.status in (s.CANCELLED, s.DUPLICATE):
        steps.append(Step(job.status_label, job.closed_at))
    return steps


@dataclass(frozen=True)
class InvoiceView:
    """An invoice as a screen shows it: where it stands against the target time to pay,
    which job, whose business, and whether a decision on it is still waiting to be sent."""

    payment: Payment
    job_title: str
    business_name: str
    pending: bool


class ExtraView(Extra):
    """Extra work as the officer decides on it: which job, whose business, and whether the
    request is still waiting to be sent."""

    job_title: str = ""
    business_name: str = ""
    pending: bool = False


@dataclass(frozen=True)
class RankedPart:
    """One named part of a candidate's score: its points and the sentence that says why."""

    name: str
    points: Decimal
    why: str


@dataclass(frozen=True)
class RankedOffer:
    """An offer as the officer awards from it: where it ranks and why. Before the award the
    ranking is worked out on this device from synced records; after it, it is the ranking
    the award stored with each offer (`live` False), and `chosen` marks the winner."""

    offer_id: str
    tradesperson_id: str
    name: str  # the tradesperson's own name
    business_name: str
    price_pence: int
    earliest_slot: date
    note: str
    eligible: bool
    reason: str | None  # why they can't be awarded it, in words (officers' wording)
    score: Decimal  # out of 100: the sum of the parts' points
    parts: tuple[RankedPart, ...]
    position: int  # 1 for the best-ranked
    shortlisted: bool
    live: bool = True
    chosen: bool = False

    @property
    def earliest(self) -> str:
        """'Tue 24 Nov'."""
        return self.earliest_slot.strftime("%a %-d %b")


@dataclass(frozen=True)
class ChoiceOption:
    """One shortlisted tradesperson as the resident sees them: no price, no internal score,
    only their record as it stood when the officer shortlisted them."""

    offer_id: str
    business_name: str
    earliest_slot: date
    jobs: int
    rating: float  # out of 5; 0 with no ratings
    ratings: int
    within_target: float  # a share, 0 to 1

    @property
    def earliest(self) -> str:
        return self.earliest_slot.strftime("%a %-d %b")

    @property
    def rating_words(self) -> str:
        if not self.ratings:
            return "No ratings from residents yet"
        who = "resident" if self.ratings == 1 else "residents"
        return f"{self.rating:.1f} out of 5 from {self.ratings} {who}"

    @property
    def jobs_words(self) -> str:
        if not self.jobs:
            return "New to the marketplace: no repairs done yet"
        return f"{self.jobs} repair{'' if self.jobs == 1 else 's'} done"

    @property
    def within_words(self) -> str:
        if not self.jobs:
            return "No record of target dates yet"
        return f"{self.within_target:.0%} done by the target date"


@dataclass(frozen=True)
class Choice:
    """A repair waiting for its resident to choose who does it, by a deadline."""

    job: JobView
    options: list[ChoiceOption]
    choose_by: datetime | None
    passed: bool  # the deadline has gone: the best-ranked on the shortlist gets it

    @property
    def deadline(self) -> str:
        """'Choose by 5pm Tuesday 24 November', or what happens now that it has passed."""
        if self.passed:
            return (
                "The time to choose has passed, so the best-ranked tradesperson on your "
                "shortlist will get the job."
            )
        if self.choose_by is None:
            return "Choose when you are ready"
        return f"Choose by {when(self.choose_by)}"

    @property
    def otherwise(self) -> str:
        return (
            "If you don't choose by then, the best-ranked tradesperson on your shortlist "
            "will get the job."
        )


def when(moment: datetime | None) -> str:
    """A moment as people say it in Britain, in UK time: '5pm Tuesday 24 November',
    '9.30am Friday 2 October', '12pm Monday 1 June' for noon."""
    if moment is None:
        return ""
    local = moment.astimezone(UK)
    hour = local.hour % 12 or 12
    minutes = f".{local.minute:02d}" if local.minute else ""
    clock = f"{hour}{minutes}{'am' if local.hour < 12 else 'pm'}"
    return f"{clock} {local:%A} {local.day} {local:%B}"


class Client:
    def __init__(
        self,
        data_dir: Path,
        server_url: str,
        store: Store,
        pool: ThreadPoolExecutor,
        secure_storage: SecureStorage | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.server_url = server_url.rstrip("/")
        self.store = store
        self._pool = pool
        self._listeners: list[Callable[[], None]] = []
        self._packing: asyncio.Task | None = None  # fetching the job pack's photos
        self._status_cache: tuple[int, int, int, str | None] = (0, 0, 0, None)
        self._notice_dismissed: str | None = None
        self._problems: list[Problem] = []
        self.files = PhotoFiles(data_dir)
        self.credentials = CredentialStore(f"{self.server_url} {store.device_id}", secure_storage)
        # Servers close idle connections (uvicorn after 5 s): drop ours first rather than
        # reuse one the server has closed and read that as "offline".
        self.http = httpx.AsyncClient(
            base_url=self.server_url, timeout=20.0, limits=httpx.Limits(keepalive_expiry=4.0)
        )
        self.engine = SyncEngine(store, self._db, self.http, self.files, self._changed)
        self.session = Session(
            self.http, store, self._db, self.engine, self.files, self.credentials
        )
        self._task: asyncio.Task | None = None

    @classmethod
    async def open(
        cls, data_dir: Path | str, server_url: str, secure_storage: SecureStorage | None = None
    ) -> Client:
        """Open (or create) the device's store; on a phone, hand in its secure storage to
        keep the sign-in in (the keyring is used otherwise)."""
        data_dir = Path(data_dir)
        data_dir.mkdir(parents=True, exist_ok=True)
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store")
        loop = asyncio.get_running_loop()
        store = await loop.run_in_executor(pool, Store, data_dir / "repairs.db")
        client = cls(data_dir, server_url, store, pool, secure_storage)
        await client._db(store.reset_interrupted_uploads)
        client._notice_dismissed = await client._db(store.get, NOTICE_DISMISSED)
        await client.session.resume()
        await client._refresh_counts()
        return client

    async def _db(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)

    # -- session -----------------------------------------------------------------------

    @property
    def user(self) -> User | None:
        return self.session.user

    async def login(self, email: str, password: str) -> User:
        user = await self.session.sign_in(email, password)
        await self._refresh_counts()
        self.engine.kick()
        self._changed()
        return user

    async def logout(self) -> None:
        """Sign out, leaving no one's personal data on the device except this person's
        unsent work."""
        await self.session.sign_out()
        await self._refresh_counts()
        self._changed()

    # -- sync ------------------------------------------------------------------------

    def on_change(self, callback: Callable[[], None]) -> None:
        self._listeners.append(callback)

    def off_change(self, callback: Callable[[], None]) -> None:
        if callback in self._listeners:
            self._listeners.remove(callback)

    def _changed(self) -> None:
        asyncio.get_running_loop().create_task(self._notify())

    async def _notify(self) -> None:
        if self.engine.signed_out and self.session.user is not None:
            await self.session.expire()
        await self._refresh_counts()
        for callback in list(self._listeners):
            callback()
        if self._packing is None or self._packing.done():
            self._packing = asyncio.get_running_loop().create_task(self._pack_jobs())

    async def _pack_jobs(self) -> None:
        """The job pack: while online, fetch the photos of the work this person has on
        their hands, so they are on the device with no signal. A tradesperson's awarded
        jobs (the resident's photos), a resident's own repairs (the after photos)."""
        user = self.user
        if user is None or self.engine.signed_out:
            return

        def wanted() -> list[str]:
            jobs = [
                *(self.store.jobs_awarded_to(user.id) if user.role is Role.TRADESPERSON else []),
                *(self.store.jobs_for_resident(user.id) if user.home_id else []),
            ]
            shas = [s for j in jobs if j.status not in FINISHED or j.resident_id == user.id
                    for s in j.photos]  # fmt: skip
            for job in jobs:
                shas += [s for v in self.store.rows("visits", "job_id = ?", (job.id,))
                         for s in v.photos]  # fmt: skip
            return list(dict.fromkeys(shas))

        try:
            await self.fetch_photos(await self._db(wanted))
        except Exception:  # a photo that cannot be fetched now is fetched next round
            log.debug("fetching photos for the job pack failed", exc_info=True)

    async def fetch_photos(
        self, shas: Iterable[str], limit: int = 50, address: str = "/v1/blobs/{sha}"
    ) -> int:
        """Fetch photos this device does not hold (as thumbnails, in the person's folder)
        from `address` (the scoped download: only those this person may see arrive).
        Returns how many arrived; stops quietly when offline."""
        held = await self.thumbnails(shas)
        missing = [s for s in dict.fromkeys(shas) if s not in held][:limit]
        folder = self.files.folder(self._uid(), THUMBNAILS)
        fetched = 0
        for sha in missing:
            try:
                answer = await self.http.get(address.format(sha=sha))
            except httpx.TransportError:
                break  # offline: what is held will do
            if answer.status_code != 200:
                continue
            try:
                prepared = await asyncio.to_thread(photo_pipeline.prepare_photo, answer.content)
            except photo_pipeline.PhotoRejected:
                continue

            def keep(data: bytes = prepared.thumbnail, name: str = sha) -> None:
                folder.mkdir(parents=True, exist_ok=True)
                (folder / f"{name}.jpg").write_bytes(data)

            await asyncio.to_thread(keep)
            fetched += 1
        return fetched

    async def _refresh_counts(self) -> None:
        self._problems = [
            Problem(
                id=r["id"],
                action=c.COMMANDS[r["name"]].label if r["name"] in c.COMMANDS else r["name"],
                args=r["args"],
                code=r["code"],
                message=r["message"],
                what_next=WHAT_NEXT.get(r["code"], "Check the details and try again."),
                created_at=datetime.fromisoformat(r["created_at"]),
            )
            for r in await self._db(self.store.problems)
        ]

        def counts():
            return (
                self.store.pending_count(),
                len(self.store.problems()),
                len(self.store.photos_waiting()),
                self.store.get("last_sync"),
            )

        self._status_cache = await self._db(counts)

    def start_background_sync(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self.engine.run_forever())

    def pause_sync(self) -> None:
        """The app went to the background: no rounds until `resume_sync`."""
        self.engine.paused = True

    def resume_sync(self) -> None:
        """The app is back in front: sync at once, the world may have moved on."""
        if self.engine.paused:
            self.engine.paused = False
            self.engine.kick()

    def connectivity_changed(self) -> None:
        """Call when the device's network comes back: sync now, not at the next timer."""
        self.engine.failures = 0
        self.engine.kick()

    async def sync(self) -> SyncReport:
        report = await self.engine.round()
        await self._refresh_counts()
        return report

    def status(self) -> SyncStatus:
        pending, problems, uploads, synced = self._status_cache
        notice = self.credentials.notice
        return SyncStatus(
            online=self.engine.online,
            pending=pending,
            last_sync=last_sync(synced),
            problems=problems,
            syncing=self.engine.syncing,
            uploads_waiting=uploads,
            error=self.engine.error,
            notice=None if notice == self._notice_dismissed else notice,
            sign_in_expired=self.session.expired,
        )

    async def dismiss_notice(self) -> None:
        """Hide the sign-in notice on this device for good (until its words change)."""
        self._notice_dismissed = self.credentials.notice
        await self._db(self.store.tx_put, NOTICE_DISMISSED, self._notice_dismissed)

    @property
    def live(self) -> bool:
        """Whether the server's event stream is open: changes arrive within moments, not
        at the next timer round."""
        return self.engine.live_state == "up"

    async def unseen(self, job_ids: Iterable[str]) -> set[str]:
        """Which of `job_ids` changed since this person last looked at them (`mark_seen`),
        to highlight. A job never looked at counts as changed once they have looked at
        something; before that nothing is (a first sync brings everything at once). A job
        with their own change still waiting to be sent is not highlighted."""
        uid, ids = self._uid(), list(job_ids)

        def read() -> set[str]:
            seen = json.loads(self.store.get(f"seen:{uid}") or "null")
            if seen is None:
                return set()
            mine = self.store.pending_ids("jobs")
            return {
                i
                for i in ids
                if i not in mine
                and (job := self.store.job(i)) is not None
                and seen.get(i) != _fingerprint(job)
            }

        return await self._db(read)

    async def mark_seen(self, job_ids: Iterable[str]) -> None:
        """The person has looked at these jobs as they are now."""
        uid, ids = self._uid(), list(job_ids)

        def write() -> None:
            seen = json.loads(self.store.get(f"seen:{uid}") or "{}")
            for i in ids:
                if (job := self.store.job(i)) is not None:
                    seen[i] = _fingerprint(job)
            self.store.tx_put(f"seen:{uid}", json.dumps(seen, separators=(",", ":")))

        await self._db(write)

    def problems(self) -> list[Problem]:
        """Actions the server refused, with what to do next (as of the last refresh)."""
        return list(self._problems)

    async def dismiss_problem(self, problem_id: int) -> None:
        await self._db(self.store.dismiss_problem, problem_id)
        self._changed()

    async def close(self) -> None:
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self.http.aclose()
        await self._db(self.store.close)
        self._pool.shutdown(wait=True)

    # -- actions -----------------------------------------------------------------------

    async def act(self, cmd: c.Command) -> None:
        """Take one action: apply it to the local copy and queue it, in one transaction,
        and return at once; the sync engine sends it."""
        if self.user is None:
            raise Rejected("signed_out", "Please sign in first.")
        ctx = actions.Context(user=self.user, now=now())
        await self._db(self.store.act, ctx, cmd.name, cmd.model_dump(mode="json"))
        await self._refresh_counts()
        self.engine.kick()
        self._changed()

    async def add_photo(self, data: bytes, stage: PhotoStage) -> LocalPhoto:
        """Prepare a photo (upright, small, no location) and keep it ready to attach."""
        try:
            photo = await asyncio.to_thread(photo_pipeline.prepare_photo, data)
        except photo_pipeline.PhotoRejected as e:
            raise Rejected("photo", e.reason) from None

        user_id = self._uid()
        await asyncio.to_thread(
            self.files.write, user_id, photo.sha256, photo.data, photo.thumbnail
        )
        return LocalPhoto(photo.sha256, PhotoStage(stage), photo.thumbnail)

    @staticmethod
    def _photo_args(photos: Iterable[LocalPhoto]) -> list[dict]:
        return [{"sha256": ph.sha256, "stage": ph.stage.value} for ph in photos]

    async def report_repair(
        self,
        trade: Trade,
        title: str,
        description: str = "",
        location: str = "",
        access_notes: str = "",
        damp_and_mould: bool = False,
        photos: Iterable[LocalPhoto] = (),
        suggested_priority: Priority | None = None,
        communal: bool = False,
        contact_preference: str = "either",
        best_times: str = "",
    ) -> str:
        job_id = str(uuid.uuid4())
        await self.act(
            command(
                c.ReportRepair,
                job_id=job_id,
                trade=Trade(trade).value,
                title=title,
                description=description,
                location=location,
                access_notes=access_notes,
                damp_and_mould=damp_and_mould,
                photos=self._photo_args(photos),
                suggested_priority=suggested_priority,
                communal=communal,
                contact_preference=contact_preference,
                best_times=best_times,
            )
        )
        return job_id

    async def me_too(self, job_id: str) -> None:
        """The resident says an open report of a shared area of their block affects them
        too, instead of reporting it again; it then shows in their repairs."""
        await self.act(command(c.MeToo, job_id=job_id))

    async def open_in_block(self, trade: Trade) -> list[JobView]:
        """Open reports of shared areas of this resident's block in `trade`, reported by
        others and not yet joined: where they can say "me too". Newest first."""
        uid = self._uid()

        def read() -> list[Job]:
            user = self.user
            home = self.store.row("homes", user.home_id) if user and user.home_id else None
            if home is None:
                return []
            return [
                j
                for j in self.store.communal_jobs()
                if j.block == home.block
                and j.trade == Trade(trade)
                and j.status not in FINISHED
                and j.resident_id != uid
                and uid not in j.also_reported_by
            ]

        views = await self._jobs(read)
        return sorted(views, key=lambda j: j.reported_at, reverse=True)

    async def post_job(
        self,
        job_id: str,
        priority: Priority,
        award_mode: AwardMode | str | None = None,
        fixed_price_pence: int | None = None,
    ) -> None:
        """Post a job to be awarded by `award_mode`; None: the landlord's usual route for
        its area and priority (`Landlord.route_for`)."""
        await self.act(
            command(
                c.PostJob,
                job_id=job_id,
                priority=Priority(priority).value,
                award_mode=AwardMode(award_mode).value if award_mode else None,
                fixed_price_pence=fixed_price_pence,
            )
        )

    async def put_forward(
        self, job_id: str, price_pence: int, earliest_slot: date, note: str = ""
    ) -> str:
        offer_id = str(uuid.uuid4())
        await self.act(
            command(
                c.PutForward,
                offer_id=offer_id,
                job_id=job_id,
                price_pence=price_pence,
                earliest_slot=earliest_slot.isoformat(),
                note=note,
            )
        )
        return offer_id

    async def change_offer(
        self, offer_id: str, price_pence: int, earliest_slot: date, note: str = ""
    ) -> None:
        await self.act(
            command(
                c.ChangeOffer,
                offer_id=offer_id,
                price_pence=price_pence,
                earliest_slot=earliest_slot,
                note=note,
            )
        )

    async def withdraw_offer(self, offer_id: str) -> None:
        await self.act(command(c.WithdrawOffer, offer_id=offer_id))

    async def accept_job(self, job_id: str) -> None:
        await self.act(command(c.AcceptJob, job_id=job_id))

    async def award(self, job_id: str, offer_id: str) -> None:
        await self.act(command(c.Award, job_id=job_id, offer_id=offer_id))

    async def withdraw_award(self, job_id: str, reason: str = "") -> None:
        await self.act(command(c.WithdrawAward, job_id=job_id, reason=reason))

    async def start_visit(self, job_id: str, photos: Iterable[LocalPhoto] = ()) -> str:
        visit_id = str(uuid.uuid4())
        await self.act(
            command(c.StartVisit, job_id=job_id, visit_id=visit_id, photos=self._photo_args(photos))
        )
        return visit_id

    async def complete_job(
        self, job_id: str, notes: str = "", photos: Iterable[LocalPhoto] = ()
    ) -> None:
        await self.act(
            command(c.CompleteJob, job_id=job_id, notes=notes, photos=self._photo_args(photos))
        )

    async def record_no_access(
        self, job_id: str, note: str = "", photos: Iterable[LocalPhoto] = ()
    ) -> None:
        await self.act(
            command(
                c.RecordNoAccess,
                job_id=job_id,
                visit_id=str(uuid.uuid4()),  # used when no visit was started
                note=note,
                photos=self._photo_args(photos),
            )
        )

    # -- appointments, recall and follow-on work ---------------------------------------

    async def propose_appointment(self, job_id: str, at: datetime) -> None:
        """The tradesperson offers a visit time; the resident confirms or asks for another."""
        await self.act(command(c.ProposeAppointment, job_id=job_id, at=at))

    async def answer_appointment(self, job_id: str, confirm: bool, note: str = "") -> None:
        await self.act(command(c.AnswerAppointment, job_id=job_id, confirm=confirm, note=note))

    async def on_my_way(self, job_id: str, minutes: int) -> None:
        await self.act(command(c.OnMyWay, job_id=job_id, minutes=minutes))

    async def report_missed(self, job_id: str) -> None:
        """The resident says nobody came at the confirmed time."""
        await self.act(command(c.ReportMissed, job_id=job_id))

    async def report_not_fixed(
        self, job_id: str, description: str, photos: Iterable[LocalPhoto] = ()
    ) -> str:
        """A recall within 30 days of completion, linked to the original job."""
        new_job_id = str(uuid.uuid4())
        await self.act(
            command(
                c.ReportNotFixed,
                job_id=job_id,
                new_job_id=new_job_id,
                description=description,
                photos=self._photo_args(photos),
            )
        )
        return new_job_id

    async def raise_follow_on(
        self,
        job_id: str,
        trade: Trade,
        title: str,
        description: str = "",
        photos: Iterable[LocalPhoto] = (),
    ) -> str:
        """Further work found on a visit, raised as a new job linked to this one."""
        new_job_id = str(uuid.uuid4())
        await self.act(
            command(
                c.RaiseFollowOn,
                job_id=job_id,
                new_job_id=new_job_id,
                trade=trade,
                title=title,
                description=description,
                photos=self._photo_args(photos),
            )
        )
        return new_job_id

    # -- getting paid ----------------------------------------------------------------

    async def invoices(self) -> list[InvoiceView]:
        """The invoices this person sees (an officer: the landlord's; a tradesperson: their
        own), each with its dates against the landlord's target time to pay, newest first."""

        def read() -> list[InvoiceView]:
            pending = self.store.pending_ids("invoices")
            landlords: dict[str, Landlord] = {}
            today = now().astimezone(UK).date()
            views = []
            for inv in self.store.rows("invoices"):
                if inv.landlord_id not in landlords:
                    found = self.store.row("landlords", inv.landlord_id)
                    landlords[inv.landlord_id] = found or Landlord(id=inv.landlord_id, name="")
                job = self.store.job(inv.job_id)
                views.append(
                    InvoiceView(
                        payment=payment(inv, landlords[inv.landlord_id], today),
                        job_title=job.title if job else "",
                        business_name=self._business_name(inv.tradesperson_id, job),
                        pending=inv.id in pending,
                    )
                )
            return sorted(views, key=lambda v: v.payment.invoice.submitted_at, reverse=True)

        return await self._db(read)

    async def approve_invoices(self, invoice_ids: Iterable[str]) -> None:
        await self.act(command(c.ApproveInvoices, invoice_ids=list(invoice_ids)))

    async def dispute_invoice(self, invoice_id: str, reason: str) -> None:
        await self.act(command(c.DisputeInvoice, invoice_id=invoice_id, reason=reason))

    async def mark_paid(self, invoice_ids: Iterable[str], paid_on: date) -> None:
        await self.act(command(c.MarkPaid, invoice_ids=list(invoice_ids), paid_on=paid_on))

    async def request_extra(
        self, job_id: str, reason: str, price_pence: int, photos: Iterable[LocalPhoto] = ()
    ) -> str:
        """Ask the officer to approve extra work; the job waits until they decide."""
        extra_id = str(uuid.uuid4())
        await self.act(
            command(
                c.RequestExtra,
                extra_id=extra_id,
                job_id=job_id,
                reason=reason,
                price_pence=price_pence,
                photos=self._photo_args(photos),
            )
        )
        return extra_id

    async def decide_extra(self, extra_id: str, approve: bool, reason: str = "") -> None:
        await self.act(command(c.DecideExtra, extra_id=extra_id, approve=approve, reason=reason))

    async def extras(self, job_id: str | None = None) -> list[Extra]:
        """Extra work asked for on a job (or on every job this person sees), newest first."""
        extras = await self._db(self.store.extras, job_id)
        return sorted(extras, key=lambda x: x.requested_at, reverse=True)

    async def extras_to_decide(self) -> list[ExtraView]:
        """Extra work waiting for the officer's decision, the longest waiting first."""

        def read() -> list[ExtraView]:
            pending = self.store.pending_ids("extras")
            views = []
            for extra in self.store.extras():
                if extra.status != "pending":
                    continue
                job = self.store.job(extra.job_id)
                views.append(
                    ExtraView(
                        **extra.model_dump(),
                        job_title=job.title if job else "",
                        business_name=self._business_name(extra.tradesperson_id, job),
                        pending=extra.id in pending,
                    )
                )
            return sorted(views, key=lambda x: x.requested_at)

        return await self._db(read)

    def _business_name(self, tradesperson_id: str, job: Job | None) -> str:
        profile = self.store.tradesperson(tradesperson_id)
        if profile:
            return profile.business_name
        offer = self.store.offer(job.awarded_offer_id) if job and job.awarded_offer_id else None
        return offer.business_name if offer else ""

    async def rate_job(self, job_id: str, speed: int, quality: int, review: str = "") -> None:
        await self.act(
            command(c.RateJob, job_id=job_id, speed=speed, quality=quality, review=review)
        )

    async def cancel_job(self, job_id: str, reason: str = "") -> None:
        await self.act(command(c.CancelJob, job_id=job_id, reason=reason))

    # -- reads -----------------------------------------------------------------------

    async def _jobs(
        self, read_jobs: Callable[[], Iterable[Job]], with_offers: bool = False
    ) -> list[JobView]:
        def read() -> list[JobView]:
            jobs = list(read_jobs())
            pending = self.store.pending_ids("jobs") | self.store.jobs_with_pending_offers()
            ids = [j.id for j in jobs]
            offers: dict[str, list[Offer]] = {}
            for o in self._of_jobs("offers", ids) if with_offers else []:
                offers.setdefault(o.job_id, []).append(o)
            extras: dict[str, list[Extra]] = {}
            for extra in sorted(self._of_jobs("extras", ids), key=lambda x: x.requested_at):
                extras.setdefault(extra.job_id, []).insert(0, extra)
            views = []
            for job in jobs:
                mine = offers.get(job.id, [])
                # One's live offer: a withdrawn one leaves the way open to offer again.
                own = max(
                    (
                        o
                        for o in mine
                        if self.user
                        and o.tradesperson_id == self.user.id
                        and o.status is not OfferStatus.WITHDRAWN
                    ),
                    key=lambda o: o.created_at,
                    default=None,
                )
                views.append(
                    JobView(
                        **job.model_dump(),
                        pending=job.id in pending,
                        my_offer=own,
                        offer_count=sum(o.status is not OfferStatus.WITHDRAWN for o in mine),
                        extras=extras.get(job.id, []),
                    )
                )
            return views

        return await self._db(read)

    def _of_jobs(self, table: str, job_ids: list[str]) -> list:
        """The rows of `table` (offers, extras) for these jobs: looked up by job for a page
        of jobs, read whole for a long list."""
        if len(job_ids) > 500:
            wanted = set(job_ids)
            return [r for r in self.store.rows(table) if r.job_id in wanted]
        if not job_ids:
            return []
        return self.store.rows(table, f"job_id IN ({','.join('?' * len(job_ids))})", tuple(job_ids))

    async def my_repairs(self) -> list[JobView]:
        uid = self._uid()
        views = await self._jobs(lambda: self.store.jobs_for_resident(uid))
        return sorted(views, key=lambda j: j.reported_at, reverse=True)

    async def job_board(self) -> list[JobView]:
        views = await self._jobs(lambda: self.store.jobs_in(JobStatus.POSTED), with_offers=True)
        return sorted(views, key=_by_target)

    async def my_jobs(self) -> list[JobView]:
        uid = self._uid()
        views = await self._jobs(lambda: self.store.jobs_awarded_to(uid))
        # Finished work stays in view until it has reached the server, photos and all.
        return sorted((v for v in views if v.status not in FINISHED or v.pending), key=_by_target)

    async def triage_queue(self) -> list[JobView]:
        open_states = (JobStatus.REPORTED, JobStatus.TRIAGED, JobStatus.POSTED)
        views = await self._jobs(lambda: self.store.jobs_in(*open_states), with_offers=True)
        # New reports first, oldest first: they have no target until they are triaged.
        return sorted(views, key=lambda j: (j.status is not JobStatus.REPORTED, *_by_target(j)))

    async def triage(
        self, wanted: TriageFilter | None = None, limit: int = 50, offset: int = 0
    ) -> tuple[list[JobView], TriagePage]:
        """One page of the officer's triage list, filtered and sorted in the device's store
        (damp and mould and emergencies first), with the counts the screen shows."""
        f = wanted or TriageFilter()
        page = await self._db(triage_page, self.store.conn, f, limit, offset)
        return await self._jobs(lambda: page.jobs, with_offers=True), page

    async def job(self, job_id: str) -> JobView | None:
        views = await self._jobs(
            lambda: [j for j in [self.store.job(job_id)] if j], with_offers=True
        )
        return views[0] if views else None

    async def done_jobs(self) -> list[JobView]:
        """Work this tradesperson has completed, most recently completed first."""
        uid = self._uid()
        views = await self._jobs(lambda: self.store.jobs_done_by(uid), with_offers=True)
        return sorted(views, key=lambda j: (j.completed_at or j.reported_at, j.id), reverse=True)

    async def my_offers(self) -> list[OfferView]:
        """This tradesperson's offers, newest first, each with its job."""
        uid = self._uid()

        def read() -> list[OfferView]:
            pending = self.store.pending_ids("offers")
            return [
                OfferView(**o.model_dump(), job=self.store.job(o.job_id), pending=o.id in pending)
                for o in self.store.offers_by(uid)
            ]

        return sorted(await self._db(read), key=lambda o: (o.created_at, o.id), reverse=True)

    async def job_detail(self, job_id: str) -> JobDetail | None:
        """A job with its history and photos, or None when it is not on this device."""
        job = await self.job(job_id)
        if job is None:
            return None
        visits = await self._db(self.store.rows, "visits", "job_id = ?", (job.id,))
        shas = list(
            dict.fromkeys(
                [
                    *job.photos,
                    *(p for v in visits for p in v.photos),
                    *(p for x in job.extras for p in x.photos),
                ]
            )
        )
        held = await self.thumbnails(shas)
        if len(held) < len(shas) and await self.fetch_photos(shas):  # online: fetch the rest
            held = await self.thumbnails(shas)
        return JobDetail(
            job, history(job), [held[s] for s in shas if s in held], len(shas) - len(held)
        )

    async def visits(self, job_id: str) -> list[Visit]:
        """The visits to a job this device holds, oldest first: started, completed or no
        access, with their notes (a tradesperson's own; residents see none)."""
        found = await self._db(self.store.rows, "visits", "job_id = ?", (job_id,))
        return sorted(found, key=lambda v: v.started_at)

    async def job_photos_by_stage(self, job_id: str) -> dict[str, list[bytes]]:
        """The thumbnails this device holds for a job, grouped by when they were taken:
        "report" (the resident's), "before" and "after" (the visit), "no_access" (a
        calling card) and "extra" (extra work), oldest group first. A photo's stage is
        the one this device recorded when it was added here; otherwise it is worked out
        from the records this person may see (residents see no visits, so a completed
        job's photos not taken on this device count as "after"). Call `job_detail`
        first: it fetches the photos the device lacks."""
        job = await self.job(job_id)
        if job is None:
            return {}
        visits = await self._db(self.store.rows, "visits", "job_id = ?", (job.id,))
        shas = list(
            dict.fromkeys(
                [
                    *job.photos,
                    *(p for v in visits for p in v.photos),
                    *(p for x in job.extras for p in x.photos),
                ]
            )
        )

        def local_stages() -> dict[str, str]:
            marks = ",".join("?" * len(shas))
            query = f"SELECT sha256, stage FROM photos WHERE sha256 IN ({marks})"
            return dict(self.store.conn.execute(query, shas).fetchall()) if shas else {}

        known = await self._db(local_stages)
        extra = {p for x in job.extras for p in x.photos}
        visit_stage = {}
        for v in visits:
            for sha in v.photos:
                if sha in job.photos:
                    visit_stage[sha] = "after"
                else:
                    visit_stage[sha] = "no_access" if v.outcome == "no_access" else "before"

        def stage(sha: str) -> str:
            if sha in known:
                return str(known[sha])
            if sha in extra:
                return "extra"
            if sha in visit_stage:
                return visit_stage[sha]
            return "after" if job.completed_at and not visits and job.awarded_to else "report"

        held = await self.thumbnails(shas)
        order = ("report", "before", "no_access", "extra", "after")
        groups: dict[str, list[bytes]] = {}
        for sha in sorted(shas, key=lambda s: order.index(stage(s)) if stage(s) in order else 9):
            if sha in held:
                groups.setdefault(stage(sha), []).append(held[sha])
        return groups

    async def thumbnails(self, shas: Iterable[str]) -> dict[str, bytes]:
        """The thumbnails this device holds for the signed-in person, by SHA-256."""
        folders = [self.files.folder(self._uid(), THUMBNAILS), self.data_dir / THUMBNAILS]
        wanted = list(shas)

        def read() -> dict[str, bytes]:
            found = {}
            for sha in wanted:
                for folder in folders:
                    path = folder / f"{sha}.jpg"
                    if path.is_file():
                        found[sha] = path.read_bytes()
                        break
            return found

        return await asyncio.to_thread(read)

    async def offers_for(self, job_id: str) -> list[Offer]:
        offers = await self._db(self.store.offers, job_id)
        return sorted(
            (o for o in offers if o.status is not OfferStatus.WITHDRAWN),
            key=lambda o: (o.price_pence, o.earliest_slot),
        )

    # -- ranking, shortlists and the resident's choice ----------------------------------

    async def ranking(self, job_id: str) -> list[RankedOffer]:
        """The job's offers best first, each with its score out of 100 and its parts. While
        the job takes offers, ranked on this device from what it has synced (the same
        domain code the server awards with); once awarded, the ranking stored at award."""

        def read() -> list[RankedOffer]:
            job = self.store.job(job_id)
            if job is None:
                return []
            stored = [o for o in self.store.offers(job_id) if o.position is not None]
            if job.status is not JobStatus.POSTED and stored:
                return [_stored(o, job) for o in sorted(stored, key=lambda o: o.position)]
            today = now().astimezone(UK).date()
            candidates, _ = actions.ranked(_LocalRepo(self.store), job, today)
            return [
                RankedOffer(
                    offer_id=x.offer.id,
                    tradesperson_id=x.tradesperson_id,
                    name=x.name,
                    business_name=x.offer.business_name or x.name,
                    price_pence=x.offer.price_pence,
                    earliest_slot=x.offer.earliest_slot,
                    note=x.offer.note,
                    eligible=x.eligible,
                    reason=x.reason,
                    score=x.score,
                    parts=tuple(RankedPart(p.name, p.points, p.why) for p in x.parts),
                    position=n,
                    shortlisted=x.offer.id in job.shortlist,
                )
                for n, x in enumerate(candidates, start=1)
            ]

        return await self._db(read)

    async def choice_deadline(self, job_id: str) -> datetime:
        """When the resident's time to choose would end, were the shortlist sent now."""

        def read() -> datetime:
            job = self.store.job(job_id)
            landlord = actions.landlord_of(_LocalRepo(self.store), job.landlord_id if job else "")
            return now() + timedelta(hours=landlord.choice_hours)

        return await self._db(read)

    async def shortlist(self, job_id: str, offer_ids: Iterable[str]) -> None:
        """Up to three offers for the resident to choose from, by the landlord's deadline."""
        await self.act(command(c.Shortlist, job_id=job_id, offer_ids=list(offer_ids)))

    async def direct_award(self, job_id: str, tradesperson_id: str) -> None:
        """Award straight to the landlord's in-house team or framework contractor."""
        await self.act(command(c.DirectAward, job_id=job_id, tradesperson_id=tradesperson_id))

    async def choose_offer(self, job_id: str, offer_id: str) -> None:
        """The resident chooses one of their shortlist. This device holds no tradespeople's
        profiles, so it records the choice; the server ranks and checks it."""
        await self.act(command(c.ChooseOffer, job_id=job_id, offer_id=offer_id))

    async def choices(self) -> list[Choice]:
        """The signed-in resident's repairs waiting for them to choose a tradesperson from
        the officer's shortlist, the soonest deadline first."""
        uid = self._uid()
        jobs = await self._jobs(lambda: self.store.jobs_for_resident(uid))

        def read() -> list[Choice]:
            found = []
            moment = now()
            for job in jobs:
                if (
                    job.resident_id != uid
                    or job.award_mode is not AwardMode.RESIDENT_CHOICE
                    or job.status is not JobStatus.POSTED
                    or not job.shortlist
                ):
                    continue
                offers = {o.id: o for o in self.store.offers(job.id)}
                options = [
                    ChoiceOption(
                        offer_id=o.id,
                        business_name=o.business_name or "A local tradesperson",
                        earliest_slot=o.earliest_slot,
                        jobs=int(o.summary.get("jobs", 0)),
                        rating=float(o.summary.get("rating", 0)),
                        ratings=int(o.summary.get("ratings", 0)),
                        within_target=float(o.summary.get("within_target", 0)),
                    )
                    for o in (offers.get(i) for i in job.shortlist)
                    if o is not None and o.status is OfferStatus.OPEN
                ]
                if options:
                    passed = job.choose_by is not None and moment > job.choose_by
                    found.append(Choice(job, options, job.choose_by, passed))
            return sorted(found, key=lambda ch: (ch.choose_by is None, ch.choose_by or moment))

        return await self._db(read)

    async def awarded_to_whom(self, job_id: str) -> str | None:
        """The business name of whoever a job was awarded to, as far as this device knows."""

        def read() -> str | None:
            job = self.store.job(job_id)
            if job is None or not job.awarded_to:
                return None
            offer = self.store.offer(job.awarded_offer_id) if job.awarded_offer_id else None
            if offer and offer.business_name:
                return offer.business_name
            profile = self.store.tradesperson(job.awarded_to)
            return profile.business_name if profile else None

        return await self._db(read)

    async def awarded_jobs(self) -> list[JobView]:
        """The officer's jobs awarded and not yet finished, the most recently awarded first."""
        under_way = (
            JobStatus.AWARDED,
            JobStatus.SCHEDULED,
            JobStatus.IN_PROGRESS,
            JobStatus.NO_ACCESS,
            JobStatus.VARIATION_PENDING,
            JobStatus.ON_HOLD,
        )
        views = await self._jobs(lambda: self.store.jobs_in(*under_way))
        return sorted(views, key=lambda j: (j.awarded_at or j.reported_at, j.id), reverse=True)

    async def photo_states(self) -> dict[str, tuple[str, str]]:
        """Each attached photo's upload state (waiting, uploading, uploaded, failed)."""
        return await self._db(self.store.photo_states)

    # -- the landlord's rules ----------------------------------------------------------------

    async def landlord(self) -> Landlord:
        """The signed-in person's landlord and its rules (the defaults until it has synced)."""
        landlord_id = self._landlord_id()
        found = await self._db(self.store.row, "landlords", landlord_id)
        return found or Landlord(id=landlord_id, name="")

    async def direct_teams(self) -> list[tuple[str, str]]:
        """(id, name) of the in-house team and framework contractors direct awards can go to."""

        def read() -> list[tuple[str, str]]:
            teams = self.store.rows("tradespeople")
            return [(t.id, t.business_name) for t in teams if t.kind in ("in_house", "framework")]

        return await self._db(read)

    async def set_rules(self, **rules: Any) -> None:
        """Officers: the landlord's targets, routes, weights, rates and lines, as a whole."""
        await self.act(command(c.SetRules, landlord_id=self._landlord_id(), **rules))

    async def set_home_alerts(self, home_id: str, alerts: Iterable[str]) -> None:
        """Officers: what a visitor to the home must be told, one line each (blank lines
        left out), replacing the list; its open repairs' job packs get it too."""
        lines = [a.strip() for a in alerts if a.strip()]
        await self.act(command(c.SetHomeAlerts, home_id=home_id, alerts=lines))

    # -- oversight after award ------------------------------------------------------------

    async def oversight(self, at_risk_hours: int = 48) -> Oversight:
        """The landlord's open work by where it stands against its target: past target,
        at risk (due within `at_risk_hours`), and on track; damp and mould jobs with
        Awaab's Law's three clocks. Each list is soonest due first."""
        moment = now()
        views = await self._jobs(lambda: self.store.jobs_in(*OPEN_WORK))
        past, risk, track, damp = [], [], [], []
        for v in sorted(views, key=_by_target):
            if v.damp_and_mould:
                timers = damp_and_mould_timers(v.reported_at, v.investigated_on)
                damp.append(DampView(v, timers))
            if v.target_at is None:
                continue
            if v.target_at < moment:
                past.append(v)
            elif v.target_at < moment + timedelta(hours=at_risk_hours):
                risk.append(v)
            else:
                track.append(v)
        return Oversight(past, risk, track, damp)

    async def hold_job(self, job_id: str, reason: str) -> None:
        await self.act(command(c.HoldJob, job_id=job_id, reason=reason))

    async def reopen_job(self, job_id: str) -> None:
        await self.act(command(c.ReopenJob, job_id=job_id))

    async def close_job(self, job_id: str) -> None:
        await self.act(command(c.CloseJob, job_id=job_id))

    async def conclude_investigation(self, job_id: str, on: date, findings: str) -> None:
        await self.act(
            command(c.ConcludeInvestigation, job_id=job_id, investigated_on=on, findings=findings)
        )

    async def completed_to_close(self) -> list[JobView]:
        """The landlord's completed jobs waiting for an officer to close them, oldest first."""
        views = await self._jobs(lambda: self.store.jobs_in(JobStatus.COMPLETED))
        return sorted(views, key=lambda j: (j.completed_at or j.reported_at, j.id))

    async def jobs_named(self, job_ids: Iterable[str]) -> list[JobView]:
        """The jobs with these ids that this device holds, in the order given."""
        wanted = list(dict.fromkeys(job_ids))
        return await self._jobs(lambda: [j for j in map(self.store.job, wanted) if j])

    async def tradesperson_names(self) -> dict[str, str]:
        """Tradespeople's business names by id, as far as this device knows them."""
        return await self._db(self._names)

    # -- officers' reports: scorecards, patterns, evidence packs, imported history ------

    async def scorecards(self, period: Period) -> dict[str, Scorecard]:
        """Every tradesperson's scorecard for `period`, from this device's records."""
        landlord = self._landlord_id()

        def read() -> dict[str, Scorecard]:
            rows = scorecard_rows(self.store.conn, landlord, since=period.start)
            return scorecards(*rows, period, now())

        return await self._db(read)

    async def patterns(
        self, today: date | None = None, rules: PatternRules | None = None
    ) -> list[PatternView]:
        """The pattern queue, worst first, with officers' notes; dismissed items left out."""
        landlord = self._landlord_id()
        day = today or now().astimezone(UK).date()

        def read() -> list[PatternView]:
            since = day - timedelta(days=PATTERN_LOOK_BACK_DAYS)
            jobs, visits, _ = scorecard_rows(self.store.conn, landlord, since=since)
            names = self._names()
            notes = {n.id: n for n in self.store.rows("pattern_notes")}
            found = patterns(jobs, visits, day, rules or self._pattern_rules(), names)
            return [
                PatternView(
                    each, names.get(each.tradesperson_id, "A tradesperson"), notes.get(each.key)
                )
                for each in found
                if not (each.key in notes and notes[each.key].dismissed)
            ]

        return await self._db(read)

    def _pattern_rules(self) -> PatternRules:
        saved = self.store.get(f"pattern_rules:{self._uid()}")
        return PatternRules(**json.loads(saved)) if saved else PatternRules()

    async def pattern_rules(self) -> PatternRules:
        """The pattern queue's thresholds this officer set on this device (or the usual)."""
        return await self._db(self._pattern_rules)

    async def set_pattern_rules(self, rules: PatternRules) -> None:
        """Keep the officer's thresholds on this device; the queue follows them at once."""
        bad = [name for name, value in asdict(rules).items() if value <= 0]
        if bad:
            raise Rejected("invalid", "Every threshold must be more than zero.")
        await self._db(self.store.tx_put, f"pattern_rules:{self._uid()}", json.dumps(asdict(rules)))

    async def brief(self, tradesperson_id: str, period: Period) -> list[Point]:
        """The three things to raise with a tradesperson at their supplier review."""
        cards = await self.scorecards(period)
        card = cards.get(tradesperson_id)
        if card is None:
            return []
        found = [v.pattern for v in await self.patterns(period.end)]
        names = await self._db(self._names)
        return brief(card, found, names.get(tradesperson_id, "This tradesperson"))

    async def note_pattern(
        self, pattern_key: str, tradesperson_id: str, note: str = "", dismiss: bool = False
    ) -> None:
        await self.act(
            command(
                c.NotePattern,
                pattern_key=pattern_key,
                tradesperson_id=tradesperson_id,
                note=note,
                dismiss=dismiss,
            )
        )

    async def evidence_pack(
        self,
        tradesperson_id: str | None = None,
        period: Period | None = None,
        job_ids: Iterable[str] | None = None,
    ) -> EvidencePack:
        """A PDF and a CSV of the same jobs: a tradesperson's jobs awarded, completed or
        due in `period`, or the jobs named. Built from this device's records, offline too."""
        user = self.user
        if user is None:
            raise Rejected("signed_out", "Please sign in first.")
        wanted = set(job_ids or ())

        def read() -> EvidencePack:
            names = self._names()
            jobs = [
                j
                for j in self.store.rows("jobs")
                if (j.id in wanted)
                or (
                    not wanted
                    and j.awarded_to == tradesperson_id
                    and (
                        period is None
                        or any(period.holds(t) for t in (j.awarded_at, j.completed_at, j.target_at))
                    )
                )
            ]
            ids = {j.id for j in jobs}
            offers = {o.id: o for o in self.store.rows("offers") if o.job_id in ids}
            extras = [e for e in self.store.rows("extras") if e.job_id in ids]
            visits = [v for v in self.store.rows("visits") if v.job_id in ids]
            invoices = [i for i in self.store.rows("invoices") if i.job_id in ids]
            packed = pack.assemble(jobs, offers, extras, visits, names, invoices)
            who = names.get(tradesperson_id or "", "") if tradesperson_id else ""
            title = "Evidence pack" + (f": {who}" if who else "")
            title += f", {period.label}" if period else f", {len(packed)} jobs"
            landlord = self.store.row("landlords", user.landlord_id)
            pdf = pack.to_pdf(packed, title, landlord.name if landlord else "", user.name, now())
            stem = "evidence-pack-" + "-".join(
                part
                for part in (who.lower().replace(" ", "-"), period and str(period.start))
                if part
            )
            return EvidencePack(title, pdf, pack.to_csv(packed), pack.totals(packed), stem)

        return await self._db(read)

    async def import_jobs(self, data: bytes) -> str:
        """Send a CSV export of past repairs to the server; returns what came of it, in
        words, with each refused line. Needs a connection: it is not queued."""
        try:
            answer = await self.http.post(
                "/v1/import/jobs", content=data, headers={"Content-Type": "text/csv"}
            )
        except httpx.TransportError:
            raise Rejected(
                "offline", "Importing needs a connection. Try again when you are online."
            ) from None
        if answer.status_code != 200:
            raise Rejected("invalid", answer.json().get("detail", "The import failed."))
        result = p.ImportResponse.model_validate_json(answer.content)
        lines = [f"Line {r.line}: {r.reason}" for r in result.refused[:50]]
        more = len(result.refused) - len(lines)
        if more > 0:
            lines.append(f"... and {more} more lines.")
        asyncio.get_running_loop().create_task(self.sync())  # fetch the imported history
        return "\n".join([result.said, *lines])

    # -- joining the marketplace, and vetting -------------------------------------------

    async def landlords(self) -> list[LandlordChoice]:
        """The landlords a tradesperson can join, by name. Needs a connection."""
        try:
            answer = await self.http.get("/v1/landlords")
        except httpx.TransportError:
            raise Rejected(
                "offline", "Can't reach the server to list the landlords. Check your signal."
            ) from None
        if answer.status_code != 200:
            raise Rejected("offline", "Can't list the landlords just now. Please try again.")
        return [LandlordChoice(str(x["id"]), str(x["name"])) for x in answer.json()]

    async def join(
        self, name: str, email: str, password: str, landlord_id: str, phone: str = ""
    ) -> User:
        """Make a tradesperson's account with `landlord_id` and sign in with it, as `login`
        does. Their details (`submit_profile`) then go to the landlord for checks."""
        user = await self.session.join(name, email, password, landlord_id, phone)
        await self._refresh_counts()
        self.engine.kick()
        self._changed()
        return user

    async def join_as_tradesperson(self) -> User:
        """The signed-in resident becomes a tradesperson too (one account, both roles): they
        keep their home and its repairs, and send their details for checks next."""
        if self.user is None:
            raise Rejected("signed_out", "Please sign in first.")
        try:
            answer = await self.http.post("/v1/me/join")
        except httpx.TransportError:
            raise Rejected(
                "offline", "Joining needs a connection. Check your signal and try again."
            ) from None
        if answer.status_code != 200:
            detail = answer.json().get("detail") if answer.content else None
            raise Rejected("join", detail or "Joining failed. Please try again.")
        user = User.model_validate(answer.json())
        await self.session.became(user)
        self._changed()
        return user

    async def submit_profile(
        self,
        business_name: str,
        trades: Iterable[Trade | str],
        districts: Iterable[str],
        working_days: Iterable[int],
        insurance_expires: date,
        kind: str = "sole_trader",
        phone: str = "",
        certificates: dict[str, date] | None = None,
        certificate_numbers: dict[str, str] | None = None,
        gas_categories: Iterable[str] = (),
        photos: Iterable[LocalPhoto] = (),
    ) -> None:
        """Send one's details (to join, or to change them): they go to an officer of the
        landlord for checks, and work waits until they are approved again."""
        await self.act(
            command(
                c.SubmitProfile,
                business_name=business_name,
                kind=kind,
                phone=phone,
                trades=[Trade(t).value for t in trades],
                districts=[d.strip().upper() for d in districts],
                working_days=sorted(set(working_days)),
                certificates={k: v.isoformat() for k, v in (certificates or {}).items()},
                certificate_numbers=dict(certificate_numbers or {}),
                gas_categories=list(gas_categories),
                insurance_expires=insurance_expires.isoformat(),
                photos=self._photo_args(photos),
            )
        )

    async def vet(self, tradesperson_id: str, decision: str, reason: str = "") -> None:
        """An officer's decision on a tradesperson's details: approve, refuse or more_info
        (a reason is needed for the last two; the tradesperson reads it)."""
        await self.act(
            command(
                c.VetTradesperson,
                tradesperson_id=tradesperson_id,
                decision=decision,
                reason=reason,
            )
        )

    async def my_profile(self) -> TradespersonView | None:
        """The tradesperson's own details and where their checks stand, with what runs out
        soon; None before they have sent any."""
        uid, today = self._uid(), now().astimezone(UK).date()

        def read() -> TradespersonView | None:
            tp = self.store.tradesperson(uid)
            if tp is None:
                return None
            return tradesperson_view(tp, today, uid in self.store.pending_ids("tradespeople"))

        return await self._db(read)

    async def applications(self) -> list[TradespersonView]:
        """For an officer: the landlord's tradespeople waiting for checks (applied or asked
        for more), oldest first, then approved ones whose registrations or insurance run
        out within 30 days, soonest first."""
        landlord, today = self._landlord_id(), now().astimezone(UK).date()

        def read() -> list[TradespersonView]:
            pending = self.store.pending_ids("tradespeople")
            views = [
                tradesperson_view(tp, today, tp.id in pending, theirs=True)
                for tp in self.store.rows("tradespeople")
                if tp.landlord_id == landlord
            ]
            waiting = sorted(
                (v for v in views if v.waiting),
                key=lambda v: (v.profile.applied_at is None, v.profile.applied_at, v.name),
            )
            running_out = sorted(
                (v for v in views if v.status is Vetting.APPROVED and v.reminders),
                key=lambda v: (v.reminders[0].expires, v.name),
            )
            return [*waiting, *running_out]

        return await self._db(read)

    async def document_thumbnails(self, tradesperson_id: str, shas: Iterable[str]) -> list[bytes]:
        """Thumbnails of a tradesperson's document photos: those this device holds, and the
        rest fetched from the server when it can (officers of their landlord may)."""
        wanted = list(dict.fromkeys(shas))
        address = f"/v1/tradespeople/{tradesperson_id}/documents/{{sha}}"
        await self.fetch_photos(wanted, limit=len(wanted), address=address)
        held = await self.thumbnails(wanted)
        return [held[s] for s in wanted if s in held]

    def _names(self) -> dict[str, str]:
        """Tradespeople's business names by id (on the database thread)."""
        return {t.id: t.business_name or t.name for t in self.store.rows("tradespeople")}

    def _landlord_id(self) -> str:
        if self.user is None:
            raise Rejected("signed_out", "Please sign in first.")
        return self.user.landlord_id

    def _uid(self) -> str:
        if self.user is None:
            raise Rejected("signed_out", "Please sign in first.")
        return self.user.id


# Work an officer oversees after award, against its target.
OPEN_WORK = (
    JobStatus.POSTED,
    JobStatus.AWARDED,
    JobStatus.SCHEDULED,
    JobStatus.IN_PROGRESS,
    JobStatus.NO_ACCESS,
    JobStatus.VARIATION_PENDING,
    JobStatus.ON_HOLD,
)


@dataclass(frozen=True)
class DampView:
    job: JobView
    timers: DampAndMouldTimers  # investigate, written summary, safety work: each by when


@dataclass(frozen=True)
class Oversight:
    past_target: list[JobView]
    at_risk: list[JobView]
    on_track: list[JobView]
    damp_and_mould: list[DampView]


# How far back the pattern rules look: 30 + 90 days of ratings, and a day to spare.
PATTERN_LOOK_BACK_DAYS = 121


@dataclass(frozen=True)
class PatternView:
    pattern: Pattern
    name: str  # the tradesperson's business name
    note: PatternNote | None


@dataclass(frozen=True)
class EvidencePack:
    title: str
    pdf: bytes
    csv: str
    totals: pack.Totals
    stem: str  # a file name without its extension


def _stored(offer: Offer, job: Job) -> RankedOffer:
    """An offer's ranking as the award stored it."""
    return RankedOffer(
        offer_id=offer.id,
        tradesperson_id=offer.tradesperson_id,
        name=offer.business_name,
        business_name=offer.business_name,
        price_pence=offer.price_pence,
        earliest_slot=offer.earliest_slot,
        note=offer.note,
        eligible=True,
        reason=None,
        score=Decimal(str(offer.score or 0)).quantize(Decimal("0.1")),
        parts=tuple(
            RankedPart(p.get("name", ""), Decimal(str(p.get("points", "0"))), p.get("why", ""))
            for p in offer.parts
        ),
        position=offer.position or 0,
        shortlisted=offer.id in job.shortlist,
        live=False,
        chosen=offer.id == job.awarded_offer_id or offer.status is OfferStatus.ACCEPTED,
    )


def command(model: type[c.Command], **args: Any) -> c.Command:
    """The command `model` with `args`, or `Rejected` saying what to correct."""
    return c.parse(model.name, args)


# What people watch a job for: where it stands, when, who, and what to know before going.
# Bookkeeping a sync fills in (ids, times of record) is left out, so a person's own change
# coming back from the server does not mark their card as changed by someone else.
WATCHED = (
    "status", "priority", "target_at", "attend_by", "shortlist", "choose_by", "held_from",
    "investigated_on", "findings", "appointment_at", "appointment_status", "on_the_way_at",
    "arrive_by", "missed", "flag", "awarded_to", "started_at", "completed_at", "closed_at",
    "also_reported_by", "property_alerts", "rating_quality",
)  # fmt: skip


def _fingerprint(job: Job) -> str:
    """A short digest of what people watch in a job: changes when any of that does."""
    watched = job.model_dump_json(include=set(WATCHED)).encode()
    return hashlib.blake2b(watched, digest_size=8).hexdigest()


def _by_target(job: Job) -> tuple:
    return (job.target_at is None, job.target_at or job.reported_at, job.reported_at)


# -- joining and vetting: what the screens show ----------------------------------------

KIND_WORDS = {
    "sole_trader": "Sole trader",
    "business": "Business (a company or partnership)",
    "in_house": "The landlord's in-house team",
    "framework": "Framework contractor",
}
GAS_CATEGORY_WORDS = {
    "boilers": "Boilers",
    "cookers": "Cookers",
    "fires": "Gas fires",
    "water_heaters": "Water heaters",
    "meters": "Meters",
}
DAY_WORDS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
STATUS_NEXT = {
    Vetting.APPLIED: "The landlord's housing officer is checking your details and documents. "
    "You can see the job board and put yourself forward once they approve them.",
    Vetting.MORE_INFO: "Change your details as the housing officer asks and send them again.",
    Vetting.APPROVED: "You can put yourself forward for jobs in your trades and areas.",
    Vetting.REFUSED: "You can't take work from this landlord. If something was wrong, "
    "change your details and send them again.",
}


def _join_limits() -> dict[str, tuple[int, int]]:
    """(fewest, most) characters of each field of the join form, from the wire model."""
    limits = {}
    for name, info in p.JoinRequest.model_fields.items():
        low = next((m.min_length for m in info.metadata if hasattr(m, "min_length")), None)
        high = next((m.max_length for m in info.metadata if hasattr(m, "max_length")), None)
        limits[name] = (low or 0, high or 64)
    return limits


JOIN_LIMITS = _join_limits()  # the join form checks what the server checks


@dataclass(frozen=True)
class LandlordChoice:
    id: str
    name: str


@dataclass(frozen=True)
class ReminderView:
    text: str  # "Your Gas Safe registration runs out in 7 days, on 29 November 2026. ..."
    expires: date
    urgent: bool  # 7 days or fewer


@dataclass(frozen=True)
class TradespersonView:
    """A tradesperson's details and where their checks stand, in words: for the person
    themselves (`my_profile`) or for the officer who checks them (`applications`)."""

    profile: Tradesperson
    name: str
    business_name: str
    kind: str
    status: Vetting
    status_words: str  # "Waiting for checks", "More information needed: <the officer's note>"
    what_next: str
    trades: list[str]
    districts: str
    days: str
    certificates: list[str]  # "Gas Safe 123456: in date until 3 March 2027"
    gas_categories: str
    insurance: str
    documents: list[str]
    applied: str
    reminders: list[ReminderView]
    pending: bool  # a change on this device not yet sent

    @property
    def waiting(self) -> bool:
        return self.status in (Vetting.APPLIED, Vetting.MORE_INFO)

    @property
    def approved(self) -> bool:
        return self.status is Vetting.APPROVED


def days_words(days: Iterable[int]) -> str:
    """[0, 1, 2, 3, 4] -> "Mon to Fri"; [0, 2, 5] -> "Mon, Wed, Sat"."""
    chosen = sorted(set(days))
    if not chosen:
        return "No days given"
    if len(chosen) > 2 and chosen == list(range(chosen[0], chosen[-1] + 1)):
        return f"{DAY_WORDS[chosen[0]]} to {DAY_WORDS[chosen[-1]]}"
    return ", ".join(DAY_WORDS[d] for d in chosen)


def tradesperson_view(
    tp: Tradesperson, today: date, pending: bool = False, theirs: bool = False
) -> TradespersonView:
    status_words = tp.status.label
    if tp.status in (Vetting.MORE_INFO, Vetting.REFUSED) and tp.vetting_note:
        status_words = f"{tp.status.label}: {tp.vetting_note}"
    certificates = []
    for kind, ends in sorted(tp.certificates.items(), key=lambda kv: kv[1]):
        number = tp.certificate_numbers.get(kind, "")
        name = f"{CERTIFICATE_NAMES.get(kind, kind)} {number}".strip()
        state = "expired on" if ends < today else "in date until"
        certificates.append(f"{name}: {state} {long_date(ends)}")
    if tp.insurance_expires is None:
        insurance = "Public liability insurance: no date given"
    elif tp.insurance_expires < today:
        insurance = f"Public liability insurance expired on {long_date(tp.insurance_expires)}"
    else:
        insurance = f"Public liability insurance until {long_date(tp.insurance_expires)}"
    due = reminders(tp, today)
    who = tp.name
    return TradespersonView(
        profile=tp,
        name=tp.name,
        business_name=tp.business_name,
        kind=KIND_WORDS.get(tp.kind, tp.kind.replace("_", " ").capitalize()),
        status=tp.status,
        status_words=status_words,
        what_next=STATUS_NEXT[tp.status],
        trades=[t.label for t in tp.trades],
        districts=", ".join(tp.districts),
        days=days_words(tp.working_days),
        certificates=certificates,
        gas_categories=", ".join(GAS_CATEGORY_WORDS.get(g, g) for g in tp.gas_categories),
        insurance=insurance,
        documents=list(tp.documents),
        applied=f"Sent {long_date(tp.applied_at.astimezone(UK).date())}" if tp.applied_at else "",
        reminders=[
            ReminderView(r.theirs(who) if theirs else r.yours, r.expires, r.urgent) for r in due
        ],
        pending=pending,
    )
