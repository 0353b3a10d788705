"""Live updates against a real server on loopback: a device learns of a change that
concerns it from the server's event stream, without waiting for its timer; people of
another landlord hear nothing of it; the stream ends with the sign-in; a server without
the stream leaves the device syncing on its timer."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from starlette.responses import JSONResponse

from app.client import Client
from app.domain.models import Trade
from server_stub import db, demo, live, sync_service
from server_stub.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from tests.conftest import LiveServer, copy_database

WAIT = 10.0  # generous: the machine is shared; the figure itself is bench/live.py's
HEARTBEAT = 0.3  # the server's heartbeat in these tests (15 s in service)
OTHER_LANDLORDS_TRADE = "lvtrade@demo.test"  # Lea Valley Housing: nothing links it to Hackney


def start_server(root: Path, template: Path, stopping: list[LiveServer], events: bool = True):
    server = LiveServer(root, template=template)
    app = server.server.config.app
    app.state.live_heartbeat = HEARTBEAT
    if not events:  # a server from before live updates
        server.server.config.app = without_events(app)
    stopping.append(server)
    return server.start()


def without_events(app):
    """`app` as a server from before live updates: no such address as the event stream."""

    async def asgi(scope, receive, send):
        if scope["type"] == "http" and scope["path"] == "/v1/sync/events":
            await JSONResponse({"detail": "Not Found"}, 404)(scope, receive, send)
            return
        await app(scope, receive, send)

    return asgi


@pytest.fixture
def server(tmp_path, seeded_server_db, stopping_servers) -> Iterator[LiveServer]:
    yield start_server(tmp_path / "server", seeded_server_db, stopping_servers)


def hub(server: LiveServer) -> live.LocalHub:
    return live.hub_for(server.server.config.app.state.engine)


async def device(tmp_path, server: LiveServer, email: str, folder: str, **engine) -> Client:
    """A signed-in device that has done its first sync, then syncs in the background:
    its timer set as given (long unless said otherwise), listening unless told not to."""
    client = await Client.open(tmp_path / folder, server.url)
    await client.login(email, DEMO_PASSWORD)
    await client.sync()
    client.engine.interval = engine.get("interval", 60.0)
    client.engine.live = engine.get("live", True)
    client.start_background_sync()
    return client


async def until(check, timeout: float = WAIT, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        assert time.monotonic() < deadline, f"gave up waiting: {what}"
        await asyncio.sleep(0.02)


def token_of(server: LiveServer, email: str) -> str:
    login = {"email": email, "password": DEMO_PASSWORD}
    return httpx.post(f"{server.url}/v1/auth/login", json=login).json()["token"]


class Listener:
    """A raw event stream, as the device reads it: the `changed` numbers it was sent and
    whether it has ended."""

    def __init__(self, url: str, token: str) -> None:
        self.url, self.token = url, token
        self.changed: list[int] = []
        self.events: list[str] = []
        self.ended = False
        self.task: asyncio.Task | None = None

    async def __aenter__(self) -> Listener:
        self.task = asyncio.get_running_loop().create_task(self._read())
        await until(self._opened, what="the stream to open")
        return self

    async def _opened(self) -> bool:
        return bool(self.changed) or self.ended

    async def __aexit__(self, *exc) -> None:
        assert self.task is not None
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task

    async def _read(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        async with (
            httpx.AsyncClient(base_url=self.url, headers=headers, timeout=30) as http,
            http.stream("GET", "/v1/sync/events") as response,
        ):
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            event = ""
            async for line in response.aiter_lines():
                if line.startswith("event: "):
                    event = line.removeprefix("event: ")
                    self.events.append(event)
                elif line.startswith("data: ") and event == "changed":
                    self.changed.append(int(line.removeprefix("data: ")))
        self.ended = True


async def test_a_report_reaches_the_officer_at_once_and_no_one_of_another_landlord(
    tmp_path, server
):
    officer = await device(tmp_path, server, DEMO_ACCOUNTS["officer"], "officer")
    resident = await device(tmp_path, server, DEMO_ACCOUNTS["resident"], "resident")
    await until(lambda: _up(officer), what="the officer's stream to be up")
    assert await officer.unseen([j.id for j in await officer.triage_queue()]) == set()
    await officer.mark_seen([j.id for j in await officer.triage_queue()])
    async with Listener(server.url, token_of(server, OTHER_LANDLORDS_TRADE)) as elsewhere:
        heard_before = list(elsewhere.changed)

        job_id = await resident.report_repair(Trade.PLUMBING, "Kitchen tap drips all night")

        async def officer_has_it() -> bool:
            return await officer.job(job_id) is not None

        # The officer's timer is a minute away: only the stream can bring it this soon.
        await until(officer_has_it, what="the report to reach the officer's device")
        queue = [j.id for j in await officer.triage_queue()]
        assert job_id in queue
        assert await officer.unseen(queue) == {job_id}  # new since the officer last looked
        await officer.mark_seen([job_id])
        assert await officer.unseen(queue) == set()
        await asyncio.sleep(1.0)  # time enough for a stray event to arrive
        assert elsewhere.changed == heard_before, "another landlord's tradesperson was told"
        assert not elsewhere.ended
    for client in (officer, resident):
        await client.close()


async def _up(client: Client) -> bool:
    return client.engine.live_state == "up"


async def test_the_stream_ends_when_the_sign_in_ends(tmp_path, server):
    token = token_of(server, DEMO_ACCOUNTS["officer"])
    async with Listener(server.url, token) as stream:
        assert len(stream.changed) == 1  # on opening: the number the server has reached
        response = httpx.post(
            f"{server.url}/v1/auth/logout", headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 204

        async def ended() -> bool:
            return stream.ended

        await until(ended, what="the stream to end after sign-out")
    refused = httpx.get(
        f"{server.url}/v1/sync/events", headers={"Authorization": f"Bearer {token}"}
    )
    assert refused.status_code == 401
    assert refused.json()["detail"]


async def test_signing_out_and_pausing_stop_the_devices_listener(tmp_path, server):
    officer = await device(tmp_path, server, DEMO_ACCOUNTS["officer"], "officer")
    await until(lambda: _up(officer), what="the stream to be up")
    uid = officer.user.id
    assert hub(server).streams(uid) == 1

    officer.pause_sync()

    async def closed() -> bool:
        return officer.engine.live_state == "off" and hub(server).streams(uid) == 0

    await until(closed, what="the stream to close while the app is in the background")
    officer.resume_sync()
    await until(lambda: _up(officer), what="the stream to reopen on return")

    await officer.logout()
    await until(closed, what="the stream to close at sign-out")
    await officer.close()


async def test_a_change_during_a_round_asks_for_exactly_one_more(tmp_path, server):
    officer = await device(tmp_path, server, DEMO_ACCOUNTS["officer"], "officer")
    await until(lambda: _up(officer), what="the stream to be up")
    rounds = 0
    real_round = officer.engine.round
    gate = asyncio.Event()

    async def counted_round():
        nonlocal rounds
        rounds += 1
        await gate.wait()  # a slow round, while the stream keeps announcing changes
        return await real_round()

    officer.engine.round = counted_round
    for n in range(5):
        officer.engine._live_changed(10**9 + n)
    await until(_after(lambda: rounds == 1), what="a round to start")
    for n in range(5, 10):
        officer.engine._live_changed(10**9 + n)
    gate.set()
    await asyncio.sleep(0.5)
    assert rounds == 2
    await officer.close()


def _after(predicate):
    async def check() -> bool:
        return predicate()

    return check


async def test_without_the_stream_the_device_syncs_on_its_timer(
    tmp_path, seeded_server_db, stopping_servers
):
    old = start_server(tmp_path / "old", seeded_server_db, stopping_servers, events=False)
    officer = await device(tmp_path, old, DEMO_ACCOUNTS["officer"], "officer", interval=0.5)
    resident = await device(tmp_path, old, DEMO_ACCOUNTS["resident"], "resident")

    async def gave_up() -> bool:
        return officer.engine.live_state == "absent"

    await until(gave_up, what="the device to stop asking for the stream")
    job_id = await resident.report_repair(Trade.ELECTRICAL, "Hall light flickers")

    async def officer_has_it() -> bool:
        return await officer.job(job_id) is not None

    await until(officer_has_it, what="the timer to bring the report")
    assert officer.status().error is None
    for client in (officer, resident):
        await client.close()


# -- the hub alone ----------------------------------------------------------------------


async def test_the_hub_keeps_only_the_newest_number_and_five_streams_a_person():
    hub = live.LocalHub()
    streams = [hub.subscribe("u1", frozenset({"user:u1", "officer:l1"})) for _ in range(5)]
    other = hub.subscribe("u2", frozenset({"user:u2", "landlord:l2"}))
    for seq in (7, 9, 8):
        hub.publish({"officer:l1"}, seq)
    await asyncio.sleep(0)
    assert await streams[0].next(1) == 9  # coalesced: one number, the newest
    assert await streams[0].next(0.05) is None
    assert await other.next(0.05) is None  # not theirs

    sixth = hub.subscribe("u1", frozenset({"user:u1"}))
    with pytest.raises(live.Ended):
        await streams[0].next(1)  # the oldest makes way
    assert hub.streams("u1") == 5
    for s in [*streams, other, sixth]:
        s.close()
    assert hub.streams() == 0


async def test_settling_jobs_past_their_deadline_tells_those_concerned(tmp_path, seeded_server_db):
    copy_database(seeded_server_db, tmp_path / "server.db")
    engine = db.create_engine(f"sqlite:///{tmp_path / 'server.db'}")
    hub = live.LocalHub()
    live.use(engine, hub)
    officers = hub.subscribe("officer", frozenset({f"officer:{demo.LANDLORD_ID}"}))
    nobody = hub.subscribe("stranger", frozenset({"user:stranger"}))
    later = datetime.now(UTC) + timedelta(days=30)  # every deadline has passed
    changed = await asyncio.to_thread(sync_service.settle_due, engine, later)
    assert changed
    assert await officers.next(WAIT) is not None
    assert await nobody.next(0.1) is None
    engine.dispose()
