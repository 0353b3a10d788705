"""Live updates: who should pull now. After a write commits, the server publishes the
audiences (policy keys) of the rows it changed, departures included, with the change
sequence it reached; every open event stream whose viewer holds one of those keys is told
`changed` with that number and nothing else, and the device pulls. What a person may see
stays decided in one place, by pull.

The hub is behind a small interface, `Hub` (`publish`, `subscribe`), found per database
engine with `hub_for(engine)`. `LocalHub` keeps the streams of this one process in
memory, which is right while the server is one process. A server run as several processes
(e.g. over PostgreSQL) needs a shared backend instead (PostgreSQL LISTEN/NOTIFY, or Redis
pub/sub) that fans each publish out to every process's local streams: install it with
`use(engine, hub)`; nothing else changes.

Bounds: at most `MAX_STREAMS_PER_USER` open streams per person (a new one drops their
oldest), and each stream holds one pending number, not a queue: only the newest matters,
since one pull catches up on everything before it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import weakref
from collections.abc import Iterable
from typing import Protocol

import sqlalchemy as sa

MAX_STREAMS_PER_USER = 5
HEARTBEAT_SECONDS = 15.0
_CHANGED = "live.changed"  # key in a connection's `info`: audiences written in this transaction


class Ended(Exception):  # noqa: N818 - a state, not an error
    """The stream was closed by the hub (a newer stream of the same person replaced it)."""


class Subscription(Protocol):
    keys: frozenset[str]

    async def next(self, timeout: float) -> int | None:
        """The newest sequence number published for this stream's keys since the last
        call, or None when `timeout` passes first; raises `Ended` once closed."""
        ...

    def close(self) -> None: ...


class Hub(Protocol):
    def publish(self, audiences: Iterable[str], seq: int) -> None:
        """Tell every stream holding one of `audiences` that changes up to `seq` exist.
        Safe to call from any thread, after the transaction has committed."""
        ...

    def subscribe(self, user_id: str, keys: frozenset[str]) -> Subscription:
        """A stream for a person with the policy keys they see rows by; call from the
        event loop that will read it."""
        ...


class LocalSubscription:
    """One open stream in this process: a single slot for the newest sequence number."""

    def __init__(self, hub: LocalHub, user_id: str, keys: frozenset[str]) -> None:
        self.hub, self.user_id, self.keys = hub, user_id, frozenset(keys)
        self.loop = asyncio.get_running_loop()
        self._latest: int | None = None
        self._ended = False
        self._ready = asyncio.Event()

    def offer(self, seq: int) -> None:
        """On the stream's loop: keep the newer number (coalescing), wake the reader."""
        self._latest = seq if self._latest is None else max(self._latest, seq)
        self._ready.set()

    def end(self) -> None:
        """On the stream's loop: the hub dropped this stream."""
        self._ended = True
        self._ready.set()

    async def next(self, timeout: float) -> int | None:
        if not self._ended and self._latest is None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._ready.wait(), timeout)
        self._ready.clear()
        if self._ended:
            raise Ended
        latest, self._latest = self._latest, None
        return latest

    def close(self) -> None:
        self.hub._remove(self)


class LocalHub:
    """Streams of this process, in memory. Publishing walks the open streams (a few per
    signed-in person on this server); each delivery is handed to its stream's loop."""

    def __init__(self, max_per_user: int = MAX_STREAMS_PER_USER) -> None:
        self.max_per_user = max_per_user
        self._lock = threading.Lock()
        self._by_user: dict[str, list[LocalSubscription]] = {}

    def subscribe(self, user_id: str, keys: frozenset[str]) -> LocalSubscription:
        sub = LocalSubscription(self, user_id, keys)
        with self._lock:
            streams = self._by_user.setdefault(user_id, [])
            streams.append(sub)
            dropped = streams[: -self.max_per_user] if len(streams) > self.max_per_user else []
            del streams[: len(dropped)]
        for old in dropped:
            _call(old, old.end)
        return sub

    def publish(self, audiences: Iterable[str], seq: int) -> None:
        audiences = frozenset(audiences)
        if not audiences:
            return
        with self._lock:
            targets = [
                sub
                for streams in self._by_user.values()
                for sub in streams
                if not sub.keys.isdisjoint(audiences)
            ]
        for sub in targets:
            _call(sub, sub.offer, seq)

    def streams(self, user_id: str | None = None) -> int:
        """How many streams are open (for one person, or for everyone)."""
        with self._lock:
            if user_id is not None:
                return len(self._by_user.get(user_id, []))
            return sum(len(s) for s in self._by_user.values())

    def _remove(self, sub: LocalSubscription) -> None:
        with self._lock:
            streams = self._by_user.get(sub.user_id, [])
            if sub in streams:
                streams.remove(sub)
            if not streams:
                self._by_user.pop(sub.user_id, None)


def _call(sub: LocalSubscription, fn, *args) -> None:
    with contextlib.suppress(RuntimeError):  # its loop has closed: the stream is gone
        sub.loop.call_soon_threadsafe(fn, *args)


_hubs: weakref.WeakKeyDictionary[sa.Engine, Hub] = weakref.WeakKeyDictionary()
_hubs_lock = threading.Lock()


def hub_for(engine: sa.Engine) -> Hub:
    """The hub of the server that writes through `engine` (a `LocalHub` unless another
    was installed with `use`)."""
    with _hubs_lock:
        hub = _hubs.get(engine)
        if hub is None:
            hub = _hubs[engine] = LocalHub()
        return hub


def use(engine: sa.Engine, hub: Hub) -> None:
    """Install a hub for `engine`, e.g. one shared by several server processes."""
    with _hubs_lock:
        _hubs[engine] = hub


# -- collecting what a transaction changed ----------------------------------------------


def note(conn: sa.Connection, audiences: Iterable[str]) -> None:
    """Remember that this transaction changed rows seen by `audiences` (called by the repo
    on each save, with the row's audiences and any that lost sight of it)."""
    conn.info.setdefault(_CHANGED, set()).update(audiences)


def collected(conn: sa.Connection) -> set[str]:
    """The audiences noted on this connection so far, forgotten as they are taken. Call
    once at the start of a transaction (the pool reuses connections, and a rolled-back
    one may have left some behind) and once just before it commits."""
    return conn.info.pop(_CHANGED, set())


def publish_after(engine: sa.Engine, audiences: set[str], seq: int) -> None:
    """Publish a committed transaction's audiences; a failure here must never undo or fail
    the write (devices still pull on their timer)."""
    if not audiences:
        return
    try:
        hub_for(engine).publish(audiences, seq)
    except Exception:  # pragma: no cover - a broken hub costs only promptness
        logging.getLogger(__name__).exception("publishing live changes failed")
