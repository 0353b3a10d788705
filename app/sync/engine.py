"""The sync engine: one round uploads photos, pushes the outbox in order and pulls pages
of changes; a background loop runs rounds after actions, on a timer and at start, and
after a failure retries on its own with exponential backoff and jitter.

While online the engine also listens to the server's event stream (`/v1/sync/events`,
server-sent events): `changed` with a sequence number the device has not pulled yet asks
for a round at once. Rounds are never run side by side: events during a round ask for
exactly one more. The timer stays as the fallback, slower while the stream is up; the
listener reconnects with backoff, and stops quietly for a server without the stream
(404). Pausing or signing out stops it; resuming or signing in starts it again."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx

from app.photo_files import PhotoFiles
from app.store.local import Store, now
from app.sync import protocol as p

log = logging.getLogger(__name__)

PUSH_BATCH = 100
PULL_PAGE = 1000
KEEP_ORIGINALS = timedelta(days=14)  # then only the thumbnail stays on the phone
EVENTS = "/v1/sync/events"
LIVE_SLOWER = 4  # the timer's interval is this many times longer while the stream is up
LIVE_READ_TIMEOUT = 50.0  # the server comments every 15 s: silence this long means a dead link
LIVE_BACKOFF_CAP = 60.0


class SyncFailed(Exception):
    """A round that did not finish; `reason` is shown to the user as it is."""

    def __init__(self, reason: str, *, offline: bool = False, signed_out: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.offline = offline
        self.signed_out = signed_out


@dataclass
class SyncReport:
    uploaded: int = 0
    pushed: int = 0
    rejected: int = 0
    pulled: int = 0
    blocked_on_photos: int = 0
    problems: list[str] = field(default_factory=list)


RunDb = Callable[..., Awaitable[Any]]


class SyncEngine:
    def __init__(
        self,
        store: Store,
        run_db: RunDb,
        http: httpx.AsyncClient,
        files: PhotoFiles,
        on_change: Callable[[], None],
        interval: float = 30.0,
        backoff_cap: float = 180.0,
    ) -> None:
        self.store = store
        self.run_db = run_db
        self.http = http
        self.files = files
        self.on_change = on_change
        self.interval = interval
        self.backoff_cap = backoff_cap
        self.online: bool | None = None
        self.syncing = False
        self.error: str | None = None
        self.failures = 0
        self._lock = asyncio.Lock()
        self._kick = asyncio.Event()
        self._asked = False  # kick() was called: a round whatever the sequence numbers say
        # Live updates (the event stream). `live` False: timer only.
        self.live = True
        self.live_state = "off"  # off, connecting, up, absent (no stream there), replaced
        self._live_seq = 0  # the newest sequence number the stream announced
        self._pulled_seq = 0  # the sequence number the last pull reached
        self._live_wake = asyncio.Event()
        self._stream: asyncio.Task | None = None
        self._stream_auth: str | None = None
        self._signed_out = True  # until the client has a sign-in to send
        self._paused = False  # the app is in the background: no rounds until it returns

    @property
    def signed_out(self) -> bool:
        return self._signed_out

    @signed_out.setter
    def signed_out(self, value: bool) -> None:
        changed, self._signed_out = value != self._signed_out, value
        self._live_check(changed)

    @property
    def paused(self) -> bool:
        return self._paused

    @paused.setter
    def paused(self, value: bool) -> None:
        changed, self._paused = value != self._paused, value
        self._live_check(changed)

    def kick(self) -> None:
        """Ask for a round as soon as possible (after an action, or when signal returns)."""
        self._asked = True
        self._kick.set()

    @contextlib.asynccontextmanager
    async def between_rounds(self) -> AsyncIterator[None]:
        """Hold off rounds: what sign-out clears must not be refilled by a pull under way."""
        async with self._lock:
            yield

    async def run_forever(self) -> None:
        listener = asyncio.get_running_loop().create_task(self._listen_forever())
        try:
            await self._rounds_forever()
        finally:
            listener.cancel()
            await asyncio.gather(listener, return_exceptions=True)

    async def _rounds_forever(self) -> None:
        self.kick()  # a round at start
        delay = self.interval
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._kick.wait(), timeout=delay)
            timer = not self._kick.is_set()
            self._kick.clear()
            asked, self._asked = self._asked, False
            if self.signed_out or self.paused:
                delay = self.interval
                continue
            if not (timer or asked or self._live_seq > self._pulled_seq):
                continue  # the stream announced what an earlier pull already fetched
            try:
                await self.round()
                delay = self.interval * (LIVE_SLOWER if self.live_state == "up" else 1)
            except SyncFailed:
                delay = self.next_delay()
            except Exception:
                # A bug must not end background sync silently: say so and keep trying.
                log.exception("A sync round failed")
                self._failed(SyncFailed("Sync stopped with an error. Trying again shortly."))
                delay = self.next_delay()

    # -- live updates ----------------------------------------------------------------------

    def _may_listen(self) -> bool:
        return self.live and not self._signed_out and not self._paused

    def _live_check(self, changed: bool) -> None:
        """Stop the stream when it may no longer run (paused, signed out, or sent with a
        sign-in the device no longer has); wake the listener when things `changed`."""
        stream = self._stream
        if stream is not None and not stream.done():
            stale = self.http.headers.get("Authorization") != self._stream_auth
            if stale or not self._may_listen():
                stream.cancel()
        if changed:
            self._live_wake.set()

    def _live_changed(self, seq: int) -> None:
        """The stream says changes up to `seq` exist: a round, unless already pulled."""
        self._live_seq = max(self._live_seq, seq)
        if seq > self._pulled_seq:
            self._kick.set()

    async def _listen_forever(self) -> None:
        """Keep one event stream open while allowed; reconnect after a failure with backoff
        and jitter; after the server said it has no stream (or another of the person's
        devices took this one's place), wait for a resume or a new sign-in."""
        failures = 0
        while True:
            self._live_wake.clear()
            if not self._may_listen():
                await self._live_wake.wait()
                continue
            self._stream_auth = self.http.headers.get("Authorization")
            self._stream = stream = asyncio.get_running_loop().create_task(self._listen_once())
            try:
                await asyncio.wait({stream})
            finally:
                if not stream.done():  # closing: let the connection go before the client does
                    stream.cancel()
                    await asyncio.gather(stream, return_exceptions=True)
            was_up = self.live_state == "up"
            if stream.cancelled():
                outcome = "stopped"
            elif stream.exception() is not None:
                outcome = "failed"
                if not isinstance(stream.exception(), httpx.HTTPError):
                    log.warning("The event stream failed", exc_info=stream.exception())
            else:
                outcome = stream.result()
            self._stream = None
            self.live_state = outcome if outcome in ("absent", "replaced") else "off"
            if was_up:
                self.kick()  # the timer may be long: let a round find out what is going on
            if outcome in ("absent", "replaced"):
                log.info("No live updates (%s): syncing on the timer", outcome)
                self._live_wake.clear()
                await self._live_wake.wait()
                continue
            if outcome == "refused":
                self.kick()  # a round finds out whether the sign-in has ended
            if outcome != "stopped":
                failures = 0 if was_up else failures + 1
                ceiling = min(LIVE_BACKOFF_CAP, 1.0 * 2 ** min(failures, 16))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(
                        self._live_wake.wait(), random.uniform(ceiling / 2, ceiling)
                    )

    async def _listen_once(self) -> str:
        """One connection to the event stream, until it ends: "ended", "absent" (404),
        "refused" (401/403), "replaced", or "failed"."""
        self.live_state = "connecting"
        timeout = httpx.Timeout(20.0, read=LIVE_READ_TIMEOUT)
        headers = {"accept": "text/event-stream"}
        async with self.http.stream("GET", EVENTS, timeout=timeout, headers=headers) as r:
            if r.status_code in (404, 405):
                return "absent"
            if r.status_code in (401, 403):
                return "refused"
            if r.status_code != 200:
                return "failed"
            self.live_state = "up"
            event, data = "message", ""
            async for line in r.aiter_lines():
                if line == "":  # the end of one event
                    if event == "changed" and data.strip().isdigit():
                        self._live_changed(int(data))
                    elif event == "replaced":
                        return "replaced"
                    event, data = "message", ""
                elif line.startswith(":"):
                    continue  # a comment: the server's heartbeat
                else:
                    name, _, value = line.partition(":")
                    value = value.removeprefix(" ")
                    if name == "event":
                        event = value
                    elif name == "data":
                        data = f"{data}\n{value}" if data else value
        return "ended"

    def next_delay(self) -> float:
        """Exponential backoff with full jitter, so a street of phones does not retry in step."""
        ceiling = min(self.backoff_cap, 1.0 * 2 ** min(self.failures, 16))
        return random.uniform(ceiling / 2, ceiling)

    async def round(self) -> SyncReport:
        async with self._lock:
            self.syncing = True
            self.on_change()
            report = SyncReport()
            try:
                await self._upload_photos(report)
                await self._push(report)
                await self._pull(report)
            except httpx.TransportError as e:
                failure = SyncFailed("No connection to the server.", offline=True)
                self._failed(failure)
                raise failure from e
            except SyncFailed as e:
                self._failed(e)
                raise
            finally:
                self.syncing = False
            self.online, self.error, self.failures = True, None, 0
            await self.run_db(self.store.tx_put, "last_sync", now().isoformat())
            self.on_change()
            return report

    def _failed(self, e: SyncFailed) -> None:
        log.warning("Sync round failed: %s", e.reason)
        self.failures += 1
        self.online = not e.offline
        self.error = e.reason
        self.signed_out = e.signed_out
        self.on_change()

    async def _request(self, method: str, url: str, **kw) -> httpx.Response:
        sent_as = self.http.headers.get("Authorization")
        response = await self.http.request(method, url, **kw)
        self.online = True  # the server answered, whatever it said
        if response.status_code == 401:
            if self.http.headers.get("Authorization") != sent_as:  # signed in meanwhile
                raise SyncFailed("Signed in again: sending your changes now.")
            raise SyncFailed("Please sign in again to send your changes.", signed_out=True)
        if response.status_code == 426:
            raise SyncFailed("This app is too old for the server. Please update it.")
        if response.status_code >= 500:
            raise SyncFailed("The server had a problem. Trying again shortly.")
        return response

    async def _upload_photos(self, report: SyncReport) -> None:
        user = await self.run_db(self.store.user)
        for sha in await self.run_db(self.store.photos_waiting):
            path = self.files.find(user.id if user else None, sha)
            if path is None:
                await self.run_db(
                    self.store.photo_state,
                    sha,
                    "failed",
                    "The photo file is missing from this device.",
                )
                continue
            head = await self._request("HEAD", f"/v1/blobs/{sha}")
            if head.status_code != 200:
                await self.run_db(self.store.photo_state, sha, "uploading", "")
                self.on_change()
                data = await asyncio.to_thread(path.read_bytes)
                put = await self._request("PUT", f"/v1/blobs/{sha}", content=data)
                if put.status_code == 429:  # today's quota: the rest wait, and are sent later
                    detail = _detail(put, "The server is taking no more photos today.")
                    await self.run_db(self.store.photo_state, sha, "waiting", detail)
                    break
                if put.status_code >= 400:
                    detail = _detail(put, "The server refused this photo.")
                    await self.run_db(self.store.photo_state, sha, "failed", detail)
                    continue
            await self.run_db(self.store.photo_state, sha, "uploaded", "")
            report.uploaded += 1
        for sha in await self.run_db(self.store.uploaded_before, now() - KEEP_ORIGINALS):
            await asyncio.to_thread(self.files.remove_original, sha)
        self.on_change()

    async def _push(self, report: SyncReport) -> None:
        while True:
            batch = await self.run_db(self.store.ready_to_push, PUSH_BATCH)
            if not batch:
                report.blocked_on_photos = await self.run_db(self.store.pending_count)
                return
            body = p.PushRequest(
                schema_version=p.SCHEMA_VERSION, device_id=self.store.device_id, mutations=batch
            )
            response = await self._request(
                "POST",
                "/v1/sync/push",
                content=body.model_dump_json(),
                headers={"content-type": "application/json"},
            )
            if response.status_code != 200:
                raise SyncFailed(_detail(response, "The server could not take your changes."))
            results = {
                r.id: r for r in p.PushResponse.model_validate_json(response.content).results
            }
            settled = [
                (m, results[m.id].status, results[m.id].code, results[m.id].message)
                for m in batch
                if m.id in results
            ]
            await self.run_db(self.store.settle, settled)
            report.pushed += len(settled)
            report.rejected += sum(1 for s in settled if s[1] == "rejected")
            self.on_change()
            if len(settled) < len(batch):
                raise SyncFailed("The server did not answer for every change. Trying again.")

    async def _pull(self, report: SyncReport) -> None:
        while True:
            cursor = await self.run_db(self.store.get, "cursor") or ""
            response = await self._request(
                "GET",
                "/v1/sync/pull",
                params={"cursor": cursor, "limit": PULL_PAGE, "schema_version": p.SCHEMA_VERSION},
            )
            if response.status_code != 200:
                raise SyncFailed(_detail(response, "Could not fetch the latest changes."))
            page = p.PullResponse.model_validate_json(response.content)
            await self.run_db(self.store.apply_pull, page.changes, page.cursor, page.reset)
            self._pulled_seq = _seq_of(page.cursor)
            report.pulled += len(page.changes)
            if not page.has_more:
                return


def _detail(response: httpx.Response, fallback: str) -> str:
    try:
        return str(response.json()["detail"])
    except (ValueError, KeyError, TypeError):
        return fallback


def _seq_of(cursor: str) -> int:
    """The sequence number a pull cursor (`epoch.seq[.began]`) reached; 0 if unreadable."""
    parts = cursor.split(".")
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0


def last_sync(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
