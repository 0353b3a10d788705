"""Sync stories against the real server on loopback: conflicts, scope exits, and a queue
that resumes by itself."""

from __future__ import annotations

import asyncio
import io
import sqlite3

from PIL import Image

from app.client import Client
from app.domain.models import JobStatus, PhotoStage, Priority, Trade
from server_stub.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from tests.conftest import LiveServer
from tests.faults.proxy import FaultProxy


async def open_as(tmp_path, url: str, email: str, folder: str) -> Client:
    client = await Client.open(tmp_path / folder, url)
    await client.login(email, DEMO_PASSWORD)
    await client.sync()
    return client


def plumbers_covering(server: LiveServer, district: str) -> list[str]:
    db = sqlite3.connect(server.root / "server.db")
    rows = db.execute(
        "SELECT u.email, t.trades, t.districts, t.insurance_expires FROM tradespeople t "
        "JOIN users u ON u.id = t.id WHERE t.insurance_expires > date('now')"
    ).fetchall()
    return [e for e, trades, areas, _ in rows if "plumbing" in trades and district in areas]


async def reported_and_posted(tmp_path, server, **post) -> tuple[str, Client, str]:
    resident = await open_as(tmp_path, server.url, DEMO_ACCOUNTS["resident"], "resident")
    job_id = await resident.report_repair(Trade.PLUMBING, "Bath tap will not turn off")
    await resident.sync()
    officer = await open_as(tmp_path, server.url, DEMO_ACCOUNTS["officer"], "officer")
    await officer.post_job(job_id, Priority.URGENT, **post)
    await officer.sync()
    district = (await resident.job(job_id)).district
    await resident.close()
    return job_id, officer, district


async def test_second_trade_accepting_offline_is_told_job_was_taken(tmp_path, server):
    job_id, officer, district = await reported_and_posted(
        tmp_path, server, award_mode="first_to_accept", fixed_price_pence=9_000
    )
    first_email, second_email = plumbers_covering(server, district)[:2]
    first = await open_as(tmp_path, server.url, first_email, "first")
    second = await open_as(tmp_path, server.url, second_email, "second")
    # Both go down to the basement, lose signal, and accept the same job.
    await first.accept_job(job_id)
    await second.accept_job(job_id)
    assert (await second.job(job_id)).status is JobStatus.AWARDED  # optimistic
    await first.sync()
    report = await second.sync()

    assert report.rejected == 1
    [problem] = second.problems()
    assert problem.message == "This job was awarded to another tradesperson."
    assert problem.what_next
    assert await second.job(job_id) is None  # the optimistic award is undone and it left the board
    assert second.status().pending == 0
    assert [j.id for j in await first.my_jobs()].count(job_id) == 1
    for c in (officer, first, second):
        await c.close()


async def test_a_rejection_does_not_block_the_rest_of_the_queue(tmp_path, server):
    job_id, officer, district = await reported_and_posted(
        tmp_path, server, award_mode="first_to_accept", fixed_price_pence=9_000
    )
    first_email, second_email = plumbers_covering(server, district)[:2]
    first = await open_as(tmp_path, server.url, first_email, "first")
    second = await open_as(tmp_path, server.url, second_email, "second")
    await first.accept_job(job_id)
    await first.sync()
    other = next(j for j in await second.job_board() if j.id != job_id and j.award_mode == "offers")
    await second.accept_job(job_id)  # will be refused
    from datetime import date, timedelta

    offer_id = await second.put_forward(other.id, 15_000, date.today() + timedelta(days=2))
    report = await second.sync()
    assert (report.pushed, report.rejected) == (2, 1)
    assert (await second.job(other.id)).my_offer.id == offer_id
    for c in (officer, first, second):
        await c.close()


async def test_resident_details_leave_the_phone_when_a_job_is_taken_back(tmp_path, server):
    job_id, officer, district = await reported_and_posted(tmp_path, server)
    email = plumbers_covering(server, district)[0]
    trade = await open_as(tmp_path, server.url, email, "trade")
    from datetime import date, timedelta

    offer_id = await trade.put_forward(job_id, 11_000, date.today() + timedelta(days=1))
    await trade.sync()
    await officer.sync()
    await officer.award(job_id, offer_id)
    await officer.sync()
    await trade.sync()
    assert (await trade.job(job_id)).resident_name  # theirs: they need to call ahead

    await officer.withdraw_award(job_id, "Resident asked for another tradesperson")
    await officer.sync()
    await trade.sync()
    job = await trade.job(job_id)
    assert job is not None and job.status is JobStatus.POSTED  # back on their board...
    assert (job.resident_name, job.resident_phone, job.flat) == (None, None, None)  # ...anonymous
    raw = await trade._db(trade.store.conn.execute, "SELECT body FROM jobs WHERE id = ?", (job_id,))
    assert 'resident_phone":null' in (await trade._db(raw.fetchone))[0]
    await trade.close()
    await officer.close()


async def test_a_queue_that_failed_resumes_by_itself_when_the_server_returns(tmp_path, server):
    resident = await open_as(tmp_path, server.url, DEMO_ACCOUNTS["resident"], "resident")
    resident.engine.interval = 60  # only backoff, not the timer, can bring it back in time
    resident.engine.backoff_cap = 0.5
    resident.start_background_sync()
    server.stop()
    job_id = await resident.report_repair(Trade.GLAZING, "Cracked bedroom window")
    for _ in range(100):
        if resident.status().online is False:
            break
        await asyncio.sleep(0.05)
    assert resident.status().online is False and resident.status().pending == 1

    back = LiveServer(server.root, port=server.port).start()
    try:
        for _ in range(200):  # no user action from here on
            if resident.status().pending == 0 and not (await resident.job(job_id)).pending:
                break
            await asyncio.sleep(0.05)
        assert resident.status().pending == 0 and resident.status().online
        assert not (await resident.job(job_id)).pending
    finally:
        await resident.close()
        back.stop()


def jpeg(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1200, 900), colour).save(out, "JPEG", quality=95)
    return out.getvalue()


async def test_completion_with_two_photos_survives_a_dropped_upload(tmp_path, server):
    proxy = FaultProxy(server.port, seed=1).start()
    url = f"http://127.0.0.1:{proxy.port}"
    trade = await open_as(tmp_path, url, DEMO_ACCOUNTS["tradesperson"], "trade")
    [job] = [j for j in await trade.my_jobs() if j.status is JobStatus.IN_PROGRESS]
    photos = [await trade.add_photo(jpeg(c), PhotoStage.AFTER) for c in ("navy", "olive")]
    await trade.complete_job(job.id, "New washer fitted.", photos)
    proxy.cut_next_upload = True
    try:
        await trade.sync()
        raise AssertionError("the cut upload should fail the round")
    except Exception as e:  # noqa: BLE001
        assert "connection" in str(e).lower()
    assert trade.status().pending == 1  # the completion waits for its photos
    await trade.sync()
    await trade.sync()  # a repeat changes nothing

    db = sqlite3.connect(server.root / "server.db")
    stored = [r[0] for r in db.execute("SELECT sha256 FROM blobs")]
    assert sorted(stored) == sorted(p.sha256 for p in photos)
    files = [p for p in (server.root / "blobs").rglob("*") if p.is_file()]
    assert len(files) == 2
    [(status, photo_list)] = db.execute("SELECT status, photos FROM jobs WHERE id = ?", (job.id,))
    assert status == "completed" and all(p.sha256 in photo_list for p in photos)
    assert proxy.faults.counts == {"cut_upload": 1}
    await trade.close()


async def test_a_shared_device_never_sends_one_persons_change_as_anothers(tmp_path, server):
    tablet = await open_as(tmp_path, server.url, DEMO_ACCOUNTS["resident"], "tablet")
    await tablet.report_repair(Trade.ROOFING, "Water through the ceiling")
    await tablet.logout()
    await tablet.login("resident5@demo.test", DEMO_PASSWORD)
    assert tablet.status().pending == 0  # the first resident's report is not theirs to send
    await tablet.sync()
    db = sqlite3.connect(server.root / "server.db")
    count = "SELECT count(*) FROM jobs WHERE title = 'Water through the ceiling'"
    assert db.execute(count).fetchone() == (0,)

    await tablet.logout()
    await tablet.login(DEMO_ACCOUNTS["resident"], DEMO_PASSWORD)
    assert tablet.status().pending == 1
    await tablet.sync()
    [(resident_id,)] = db.execute(
        "SELECT resident_id FROM jobs WHERE title = 'Water through the ceiling'"
    ).fetchall()
    assert resident_id == tablet.user.id
    await tablet.close()


def device_bytes(folder) -> bytes:
    """Everything the device's SQLite database holds on disk, log included."""
    return b"".join(p.read_bytes() for p in folder.glob("repairs.db*") if p.is_file())


async def test_signing_out_leaves_only_the_residents_unsent_work_on_the_device(tmp_path, server):
    tablet = await open_as(tmp_path, server.url, DEMO_ACCOUNTS["resident"], "tablet")
    resident = tablet.user
    repairs = await tablet.my_repairs()
    phone, street = next((j.resident_phone, j.street) for j in repairs if j.resident_phone)
    before = device_bytes(tmp_path / "tablet")
    assert all(s.encode() in before for s in (resident.name, phone, street))
    photo = await tablet.add_photo(jpeg("teal"), PhotoStage.REPORT)
    sent = await tablet.add_photo(jpeg("maroon"), PhotoStage.REPORT)
    await tablet.report_repair(Trade.ROOFING, "Slates off the porch roof", photos=[sent])
    await tablet.sync()
    await tablet.report_repair(Trade.PLUMBING, "Shower tray cracked", photos=[photo])

    await tablet.logout()

    left = device_bytes(tmp_path / "tablet")
    for personal in (resident.name, resident.email, phone, street):
        assert personal.encode() not in left, personal
    db = sqlite3.connect(tmp_path / "tablet" / "repairs.db")
    outbox = db.execute("SELECT name, user_id, args FROM outbox").fetchall()
    assert [(n, u) for n, u, _ in outbox] == [("report_repair", resident.id)]
    assert "Shower tray cracked" in outbox[0][2]
    photos = tmp_path / "tablet" / "users" / resident.id / "photos"
    assert (photos / f"{photo.sha256}.jpg").exists()  # unsent: it goes with the report
    assert not (photos / f"{sent.sha256}.jpg").exists()  # on the server already
    db.close()

    # Back again: the report goes, and a pull from nothing fills the lists again.
    await tablet.login(DEMO_ACCOUNTS["resident"], DEMO_PASSWORD)
    assert tablet.status().pending == 1
    await tablet.sync()
    titles = [j.title for j in await tablet.my_repairs()]
    assert "Shower tray cracked" in titles and len(titles) == len(repairs) + 2
    assert tablet.status().pending == 0 and tablet.problems() == []
    await tablet.close()


async def test_a_photo_taken_before_folders_were_per_person_still_uploads(tmp_path, server):
    tablet = await open_as(tmp_path, server.url, DEMO_ACCOUNTS["resident"], "tablet")
    photo = await tablet.add_photo(jpeg("olive"), PhotoStage.REPORT)
    mine = tmp_path / "tablet" / "users" / tablet.user.id / "photos" / f"{photo.sha256}.jpg"
    old = tmp_path / "tablet" / "photos" / f"{photo.sha256}.jpg"
    old.parent.mkdir()
    mine.rename(old)  # where an earlier version of the app kept it
    await tablet.report_repair(Trade.PLUMBING, "Radiator cold at the top", photos=[photo])
    await tablet.sync()
    assert (await tablet.photo_states())[photo.sha256][0] == "uploaded"
    assert tablet.status().pending == 0 and tablet.problems() == []
    await tablet.close()
