"""The sync engine: one round uploads photos, pushes the outbox in order and pulls pages
of changes; a background loop runs rounds after actions, on a timer and at start, and
after a failure retries on its own with exponential backoff and jitter."""

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
        self.signed_out = True  # until the client has a sign-in to send
        self.paused = False  # the app is in the background: no rounds until it returns
        self.failures = 0
        self._lock = asyncio.Lock()
        self._kick = asyncio.Event()

    def kick(self) -> None:
        """Ask for a round as soon as possible (after an action, or when signal returns)."""
        self._kick.set()

    @contextlib.asynccontextmanager
    async def between_rounds(self) -> AsyncIterator[None]:
        """Hold off rounds: what sign-out clears must not be refilled by a pull under way."""
        async with self._lock:
            yield

    async def run_forever(self) -> None:
        self.kick()  # a round at start
        delay = self.interval
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._kick.wait(), timeout=delay)
            self._kick.clear()
            if self.signed_out or self.paused:
                delay = self.interval
                continue
            try:
                await self.round()
                delay = self.interval
            except SyncFailed:
                delay = self.next_delay()
            except Exception:
                # A bug must not end background sync silently: say so and keep trying.
                log.exception("A sync round failed")
                self._failed(SyncFailed("Sync stopped with an error. Trying again shortly."))
                delay = self.next_delay()

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
            report.pulled += len(page.changes)
            if not page.has_more:
                return


def _detail(response: httpx.Response, fallback: str) -> str:
    try:
        return str(response.json()["detail"])
    except (ValueError, KeyError, TypeError):
        return fallback


def last_sync(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
