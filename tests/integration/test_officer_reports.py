"""The officer's reports on a real device synced from a real server with the demo's
history: scorecards, the pattern queue, an evidence pack, and imported history."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from app.client import Client
from app.domain.scorecards import Period
from app.store.local import now
from server_stub.demo import DEMO_ACCOUNTS, DEMO_PASSWORD


async def officer(tmp_path, server) -> Client:
    client = await Client.open(tmp_path / "officer", server.url)
    await client.login(DEMO_ACCOUNTS["officer"], DEMO_PASSWORD)
    await client.sync()
    return client


async def test_scorecards_patterns_and_a_pack_from_the_demo_history(tmp_path, server):
    client = await officer(tmp_path, server)
    try:
        today = now().date()
        year = Period(today - timedelta(days=365), today)
        cards = await client.scorecards(year)
        assert len(cards) >= 10, "the demo's tradespeople have a year of history"
        busiest = max(cards.values(), key=lambda c: c.figures["completed"].value)
        done = busiest.figures["completed"]
        assert done.value >= 5 and len(done.jobs) == done.value
        assert busiest.figures["within_target"].median is not None
        await client.patterns()  # runs over the same rows; the demo may or may not have any
        pack = await client.evidence_pack(busiest.tradesperson_id, year)
        assert pack.pdf.startswith(b"%PDF") and pack.totals.jobs >= done.value
        rows = list(csv.DictReader(io.StringIO(pack.csv)))
        assert len(rows) == pack.totals.jobs
        assert sum(int(r["total_pence"]) for r in rows) == pack.totals.total
        assert pack.stem.startswith("evidence-pack-")
        brief = await client.brief(busiest.tradesperson_id, year)
        assert len(brief) <= 3
    finally:
        await client.close()


async def test_imported_history_reaches_the_officers_scorecards(tmp_path, server):
    client = await officer(tmp_path, server)
    try:
        trade = next(iter(await client.scorecards(Period(date(2000, 1, 1), date(2100, 1, 1)))))
        home = (await client.triage_queue())[0].home_id
        text = (
            "RepairReference,PropertyReference,TradeCode,RepairDescription,ReportedDateTime,"
            "CompletedDateTime,ContractorReference,SatisfactionScore\n"
            f"LEGACY-1,{home},plumbing,Old tap,2019-03-01,2019-03-02,{trade},5\n"
            "LEGACY-2,no-such-home,plumbing,Nowhere,2019-03-01,2019-03-02,,\n"
        )
        said = await client.import_jobs(text.encode())
        assert said.startswith("1 repair imported; 1 row not imported")
        assert "Line 3: No property 'no-such-home'" in said
        await client.sync()
        cards = await client.scorecards(Period(date(2019, 1, 1), date(2019, 3, 31)))
        assert cards[trade].figures["completed"].jobs == ("import:LEGACY-1",)
        assert cards[trade].figures["quality"].value == 5
    finally:
        await client.close()


async def test_oversight_sorts_open_work_against_its_target_and_holds_survive_sync(
    tmp_path, server
):
    client = await officer(tmp_path, server)
    try:
        seen = await client.oversight()
        lists = (seen.past_target, seen.at_risk, seen.on_track)
        ids = [j.id for group in lists for j in group]
        assert ids and len(ids) == len(set(ids)), "each job in one list"
        moment = now()
        assert all(j.target_at < moment for j in seen.past_target)
        assert all(j.target_at >= moment for j in (*seen.at_risk, *seen.on_track))
        job = (seen.past_target or seen.at_risk or seen.on_track)[0]
        await client.hold_job(job.id, "Waiting for the scaffolding")
        await client.sync()
        held = await client.job(job.id)
        assert held.status.value == "on_hold" and held.hold_reason == "Waiting for the scaffolding"
        await client.reopen_job(job.id)
        await client.sync()
        assert (await client.job(job.id)).status is job.status
    finally:
        await client.close()
