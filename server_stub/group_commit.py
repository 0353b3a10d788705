"""Group commit: concurrent writers share one transaction and one disk flush.

A request hands its work (a function of a connection) to `GroupCommit.run`. The caller
first in line leads: it takes every piece of work queued by then and runs them one after
another in a single transaction, then commits once, and wakes those whose work it ran and
the next in line, who leads the next group. Each waits on its own condition, so a commit
wakes only the callers it concerns. Many small transactions queueing for SQLite's write
lock (its busy handler sleeps between tries) would otherwise set the pace, not the work.

Each piece runs inside its own savepoint. If one raises, its savepoint is rolled back and
the exception goes to its own caller; the rest of the group commits as usual. Nothing is
answered before the commit that holds it has succeeded; if the commit itself fails, every
piece in the group gets that error, and none of them was applied."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from server_stub import db, live

MAX_GROUP = 64  # pieces of work in one transaction at most


class _Work:
    __slots__ = ("fn", "wake", "done", "value", "error", "audiences")

    def __init__(self, fn: Callable[[sa.Connection], Any], lock: threading.Lock) -> None:
        self.fn = fn
        self.wake = threading.Condition(lock)  # this caller's own wake-up
        self.done = False  # read and written under GroupCommit._lock
        self.value: Any = None
        self.error: BaseException | None = None
        self.audiences: set[str] = set()


class GroupCommit:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self._lock = threading.Lock()  # guards the queue and each piece's `done`
        self._queue: list[_Work] = []  # the running group first, then those waiting

    def run(self, fn: Callable[[sa.Connection], Any]) -> Any:
        """`fn(conn)` inside a write transaction shared with other callers; returns its
        value once that transaction has committed (raises what it raised)."""
        work = _Work(fn, self._lock)
        with self._lock:
            self._queue.append(work)
            while not work.done and self._queue[0] is not work:
                work.wake.wait()  # until a leader ran this, or this is first in line
            if not work.done:  # first in line: lead a group of those queued, this first
                group = self._queue[:MAX_GROUP]
                self._lock.release()
                try:
                    self._run_group(group)
                finally:
                    self._lock.acquire()
                    del self._queue[: len(group)]
                    for each in group:  # never leave a waiter waiting, whatever happened
                        each.done = True
                        each.wake.notify()
                    if self._queue:  # the next in line leads the next group
                        self._queue[0].wake.notify()
        if work.error is not None:
            raise work.error
        return work.value

    @property
    def queued(self) -> int:
        with self._lock:
            return len(self._queue)

    def _run_group(self, group: list[_Work]) -> None:
        audiences: set[str] = set()
        seq = 0
        try:
            with self.engine.begin() as conn:
                live.collected(conn)  # nothing left over from an earlier use of this connection
                for work in group:
                    nested = conn.begin_nested()
                    try:
                        work.value = work.fn(conn)
                        nested.commit()
                    except Exception as e:  # this one fails alone
                        nested.rollback()
                        work.error = e
                    work.audiences = live.collected(conn)
                seq = db.current_seq(conn)
            audiences = set().union(*(w.audiences for w in group if w.error is None))
        except BaseException as e:  # the commit failed: nothing in the group was applied
            for work in group:
                work.error = work.error or e
            audiences = set()
        live.publish_after(self.engine, audiences, seq)


_GROUPS: dict[int, GroupCommit] = {}
_GROUPS_LOCK = threading.Lock()


def for_engine(engine: sa.Engine) -> GroupCommit:
    with _GROUPS_LOCK:
        group = _GROUPS.get(id(engine))
        if group is None or group.engine is not engine:
            group = _GROUPS[id(engine)] = GroupCommit(engine)
        return group
