"""Sync benchmark: `python bench/sync.py [--jobs 10000] [--profile]`.

Builds a server database with the demo data plus `--jobs` extra jobs, runs the server as
its own process on loopback (so client and server do not share a GIL) and measures:

1. an officer's initial sync from empty, beside the floor (the same rows fetched as JSON
   with httpx and inserted with one executemany in one transaction into a plain SQLite
   table (id, body)), and their ratio (goal 2.0 or less);
2. bytes per job on the wire;
3. the client's peak memory during the initial sync;
4. an incremental pull of 100 changes;
5. local action commit latency (p50, p99; goal p99 under 10 ms);
6. server push throughput with 50 concurrent devices (goal 2,000 mutations a second);
7. a resident's first sync (bytes on the wire, time) on the server holding `--jobs` jobs
   of their landlord, beside the same resident on a server holding only the demo data.

`--only push,resident` runs just those parts.

With `--profile` (or when the ratio is above 3.0) it also breaks the initial sync down into
server, transfer, parse and local apply, and profiles the server's push of one mutation,
with cProfile's top functions.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gzip
import io
import json
import os
import pstats
import random
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import keyring  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from keyring.backends import fail  # noqa: E402

from app.client import Client  # noqa: E402
from app.domain.models import Trade, User  # noqa: E402
from app.domain.policy import Viewer  # noqa: E402
from app.domain.records import Job  # noqa: E402
from app.domain.targets import target_for  # noqa: E402
from app.store.local import Store  # noqa: E402
from app.sync import engine as sync_engine  # noqa: E402
from app.sync import protocol as p  # noqa: E402
from server_stub import db, demo, sync_service  # noqa: E402

OFFICER = (demo.DEMO_ACCOUNTS["officer"], demo.DEMO_PASSWORD)
RESIDENT = (demo.DEMO_ACCOUNTS["resident"], demo.DEMO_PASSWORD)
RATIO_GOAL = 2.0
P99_GOAL_MS = 10.0
PUSH_GOAL = 2_000


# -- output ----------------------------------------------------------------------------


def heading(text: str) -> None:
    print(f"\n== {text}", flush=True)


def line(label: str, value: str, note: str = "") -> None:
    print(f"  {label:<58} {value:>14}  {note}".rstrip(), flush=True)


def secs(t: float) -> str:
    return f"{t:.3f} s"


def ms(t: float) -> str:
    return f"{t * 1000:.2f} ms"


def mib(n: float) -> str:
    return f"{n / 1024 / 1024:.1f} MiB"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


# -- the server --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_server_db(path: Path, extra_jobs: int, spare: str | None = None) -> sa.Engine:
    """Demo data plus `extra_jobs` closed jobs, inserted directly with rising `seq`; none
    of them for the resident whose email is `spare`."""
    engine = db.create_engine(f"sqlite:///{path}")
    demo.seed(engine)
    rng = random.Random(11)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        homes = {r.id: r for r in conn.execute(sa.select(db.SYNCED["homes"]))}
        # Hackney's residents and tradespeople only: the jobs below are Hackney's.
        u, t = db.users, db.SYNCED["tradespeople"]
        residents = list(
            conn.execute(
                sa.select(u).where(
                    u.c.role == "resident",
                    u.c.landlord_id == demo.LANDLORD_ID,
                    u.c.email != (spare or ""),
                )
            )
        )
        trades = list(conn.execute(sa.select(t.c.id).where(t.c.landlord_id == demo.LANDLORD_ID)))
        seq = db.current_seq(conn)
        rows = []
        for _ in range(extra_jobs):
            resident = rng.choice(residents)
            home = homes[resident.home_id]
            trade = rng.choice(list(demo.PROBLEMS))
            title = rng.choice(demo.PROBLEMS[trade])
            priority = rng.choice(demo.TRADE_OF_PRIORITY)
            reported = now - timedelta(days=rng.uniform(8, 900))
            target = target_for(priority, reported)
            done = min(reported + (target - reported) * rng.uniform(0.2, 2.0), now)
            seq += 1
            rows.append(
                {
                    "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    "landlord_id": demo.LANDLORD_ID,
                    "home_id": home.id,
                    "trade": trade.value,
                    "title": title,
                    "description": f"{title}. Reported by the resident.",
                    "location": rng.choice(["", "kitchen", "bathroom", "bedroom"]),
                    "access_notes": rng.choice(["", "Any weekday morning", "Call first"]),
                    "status": "closed",
                    "priority": priority.value,
                    "damp_and_mould": trade is Trade.DAMP_AND_MOULD,
                    "award_mode": "offers",
                    "fixed_price_pence": None,
                    "reported_at": reported,
                    "target_at": target,
                    "awarded_to": rng.choice(trades).id,
                    "awarded_offer_id": None,
                    "started_at": reported + (done - reported) * 0.8,
                    "completed_at": done,
                    "closed_at": done,
                    "completion_notes": "Work completed and tested.",
                    "parent_id": None,
                    "rating_speed": rng.randrange(1, 6),
                    "rating_quality": rng.randrange(1, 6),
                    "review": rng.choice(["", "", "Polite and tidy.", "Fixed first time."]),
                    "photos": [],
                    "district": home.district,
                    "street": home.street,
                    "flat": home.flat,
                    "resident_id": resident.id,
                    "resident_name": resident.name,
                    "resident_phone": resident.phone,
                }
            )
            # Every field of today's Job, its defaults filled in, as the server stores it.
            rows[-1] = {**db.values_of(Job.model_validate(rows[-1])), "seq": seq}
        if rows:
            conn.execute(db.SYNCED["jobs"].insert(), rows)
        conn.execute(db.meta.update().where(db.meta.c.key == "seq").values(value=str(seq)))
    return engine


class ServerProcess:
    """`python -m server_stub` in its own process, on a free loopback port."""

    def __init__(self, db_path: Path, blobs: Path, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "server_stub", "--db", f"sqlite:///{db_path}"]
            + ["--blobs", str(blobs), "--port", str(self.port)],
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited; see {log}")
            try:
                httpx.get(f"{self.url}/v1/health", timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("the server did not start")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def login(url: str, email: str, password: str) -> tuple[str, dict]:
    r = httpx.post(f"{url}/v1/auth/login", json={"email": email, "password": password})
    r.raise_for_status()
    body = r.json()
    return body["token"], body["user"]


# -- 1-4: the officer's sync -------------------------------------------------------------


class WireCounter:
    """Counts the pull responses' bytes: bodies, and bodies with status line and headers."""

    def __init__(self) -> None:
        self.body = 0
        self.with_headers = 0
        self.requests = 0

    async def __call__(self, response: httpx.Response) -> None:
        if response.request.url.path != "/v1/sync/pull":
            return
        size = int(response.headers.get("content-length", 0))
        head = len("HTTP/1.1 200 OK\r\n\r\n") + sum(
            len(k) + len(v) + 4 for k, v in response.headers.raw
        )
        self.body += size
        self.with_headers += size + head
        self.requests += 1


async def open_officer(data_dir: Path, url: str) -> tuple[Client, WireCounter]:
    client = await Client.open(data_dir, url)
    await client.login(*OFFICER)
    counter = WireCounter()
    client.http.event_hooks = {"request": [], "response": [counter]}
    return client, counter


async def count_rows(client: Client, table: str) -> int:
    return await client._db(client.store.count, table)


def floor_fetch_and_insert(
    http: httpx.Client, target: Path, limit: int, cursor: str = ""
) -> tuple[float, int, int, int]:
    """The floor: pull pages as plain JSON with httpx, then one executemany of (id, body)
    in one transaction into a plain SQLite table (WAL, synchronous=FULL, as the client).
    Returns (seconds, rows, body bytes, gzip-compressed body bytes)."""
    for leftover in target.parent.glob(target.name + "*"):
        leftover.unlink()
    conn = sqlite3.connect(target, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE rows (id TEXT PRIMARY KEY, body TEXT NOT NULL)")
    bodies: list[bytes] = []
    start = time.perf_counter()
    changes: list[dict] = []
    while True:
        r = http.get("/v1/sync/pull", params={"cursor": cursor, "limit": limit})
        r.raise_for_status()
        bodies.append(r.content)
        doc = json.loads(r.content)
        changes.extend(doc["changes"])
        cursor = doc["cursor"]
        if not doc["has_more"]:
            break
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT OR REPLACE INTO rows(id, body) VALUES (?, ?)",
        [(c["id"], json.dumps(c["row"])) for c in changes],
    )
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    size = sum(len(b) for b in bodies)
    return elapsed, len(changes), size, sum(len(gzip.compress(b, 6)) for b in bodies)


def plain_http(url: str, token: str) -> httpx.Client:
    """An httpx client made before any timing starts (making one costs tens of ms)."""
    return httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60)


def touch_jobs(engine: sa.Engine, count: int, round_no: int) -> None:
    """Change `count` jobs on the server, each with its own new `seq`, as the server does."""
    with engine.begin() as conn:
        ids = [
            r.id
            for r in conn.execute(
                sa.select(db.SYNCED["jobs"].c.id)
                .order_by(db.SYNCED["jobs"].c.seq)
                .offset(round_no * count)
            ).fetchmany(count)
        ]
        for job_id in ids:
            seq = db.next_seq(conn)
            conn.execute(
                db.SYNCED["jobs"]
                .update()
                .where(db.SYNCED["jobs"].c.id == job_id)
                .values(review=f"Revised in round {round_no}.", seq=seq)
            )


async def bench_officer(url: str, work: Path, engine: sa.Engine, repeat: int) -> float:
    token, _user = login(url, *OFFICER)
    http = plain_http(url, token)
    # Warm the server's caches for both sides alike (untimed).
    floor_fetch_and_insert(http, work / "floor.db", 5000)

    # Client runs and floor runs alternate, so that both see the same machine load.
    samples: list[float] = []
    floor_5000: list[tuple[float, int, int, int]] = []
    floor_1000: list[tuple[float, int, int, int]] = []
    jobs = rows = 0
    counter = WireCounter()
    client = None
    for n in range(repeat):
        if client is not None:
            await client.close()
        client, counter = await open_officer(work / f"officer-{n}", url)
        start = time.perf_counter()
        report = await client.sync()
        samples.append(time.perf_counter() - start)
        jobs = await count_rows(client, "jobs")
        rows = report.pulled
        floor_5000.append(floor_fetch_and_insert(http, work / "floor.db", 5000))
        floor_1000.append(floor_fetch_and_insert(http, work / "floor.db", sync_engine.PULL_PAGE))

    best = min(samples)
    floor_best = min(f[0] for f in floor_5000)
    ratio = best / floor_best

    heading(f"1. Initial sync from empty: officer, {jobs:,} jobs ({rows:,} rows in all)")
    line(
        f"Client.sync() from empty (pages of {sync_engine.PULL_PAGE}), best",
        secs(best),
        "runs: " + ", ".join(f"{s:.3f}" for s in samples),
    )
    line(
        "floor: httpx JSON pages of 5000 + one executemany, best",
        secs(floor_best),
        f"{floor_5000[0][1]:,} rows; runs: " + ", ".join(f"{f[0]:.3f}" for f in floor_5000),
    )
    line(
        f"ratio Client.sync() / floor  (goal <= {RATIO_GOAL})",
        f"{ratio:.2f}",
        "OK" if ratio <= RATIO_GOAL else "ABOVE GOAL",
    )
    floor_small = min(f[0] for f in floor_1000)
    line(
        f"  floor at the client's page size ({sync_engine.PULL_PAGE}), best",
        secs(floor_small),
        f"ratio to it {best / floor_small:.2f}",
    )

    heading("2. Bytes on the wire for the initial pull (officer)")
    line("pull response bodies", f"{counter.body:,} B", f"{counter.requests} requests")
    line("bytes per job (bodies / jobs)", f"{counter.body / jobs:,.1f} B", f"{jobs:,} jobs")
    line(
        "bytes per job incl. HTTP status lines and headers",
        f"{counter.with_headers / jobs:,.1f} B",
    )
    line("bytes per row, all tables", f"{counter.body / max(rows, 1):,.1f} B", f"{rows:,} rows")
    line(
        "  beside: floor's bodies (pages of 5000), per job",
        f"{floor_5000[0][2] / jobs:,.1f} B",
        "server sends no compression",
    )
    line(
        "  beside: the same bodies gzip level 6, per job",
        f"{floor_5000[0][3] / jobs:,.1f} B",
        f"{floor_5000[0][2] / floor_5000[0][3]:.1f}x smaller (not in the server today)",
    )

    # 3: memory. A fresh process for the resident set size; tracemalloc here (slower, so
    # not timed) for the Python allocations.
    probe = memory_probe_child(url, work / "officer-rss")
    await client.close()
    client, _ = await open_officer(work / "officer-mem", url)
    tracemalloc.start()
    tracemalloc.reset_peak()
    base, _ = tracemalloc.get_traced_memory()
    await client.sync()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    db_size = sum(
        f.stat().st_size for f in (work / "officer-mem").glob("repairs.db*") if f.is_file()
    )
    heading("3. Client memory during the initial sync (officer)")
    line("tracemalloc peak above start (Python allocations)", mib(peak - base))
    line(
        "RSS peak above start, fresh process (VmHWM - VmRSS)",
        mib(probe["peak"] - probe["before"]),
        f"RSS {mib(probe['before'])} before sync, peak {mib(probe['peak'])}, "
        f"{mib(probe['after'])} after; sync {probe['seconds']:.2f} s",
    )
    line("  beside: RSS of that process after its imports", mib(probe["imported"]))
    line("  beside: all pull bodies received", mib(counter.body))
    line("  beside: one page of pull bodies, on average", mib(counter.body / counter.requests))
    line("  beside: the local database files after sync", mib(db_size))

    # 4: incremental pulls of 100 server-side changes.
    inc: list[float] = []
    floors: list[float] = []
    pulled = []
    for round_no in range(3):
        cursor = await client._db(client.store.get, "cursor")
        touch_jobs(engine, 100, round_no)
        start = time.perf_counter()
        report = await client.sync()
        inc.append(time.perf_counter() - start)
        pulled.append(report.pulled)
        f = floor_fetch_and_insert(http, work / "floor-inc.db", 5000, cursor)
        floors.append(f[0])
    await client.close()
    http.close()
    heading("4. Incremental pull of 100 changes (officer, after the initial sync)")
    line(
        "Client.sync(), median of 3",
        ms(statistics.median(inc)),
        f"pulled {pulled}; runs: " + ", ".join(f"{t * 1000:.1f}" for t in inc),
    )
    line(
        "floor: the same 100 rows, httpx + one executemany",
        ms(statistics.median(floors)),
        "runs: " + ", ".join(f"{t * 1000:.1f}" for t in floors),
    )
    line("ratio", f"{statistics.median(inc) / statistics.median(floors):.2f}")
    return ratio


def memory_probe_child(url: str, data_dir: Path) -> dict:
    """Run one officer initial sync in a fresh Python process; return its memory."""
    out = subprocess.run(
        [sys.executable, __file__, "--memory-probe", url, "--probe-dir", str(data_dir)],
        capture_output=True,
        check=True,
        text=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def proc_status_bytes(key: str) -> int:
    """A memory figure from /proc/self/status (VmRSS now, VmHWM peak), in bytes."""
    for row in Path("/proc/self/status").read_text().splitlines():
        if row.startswith(key + ":"):
            return int(row.split()[1]) * 1024
    return 0


async def memory_probe(url: str, data_dir: Path) -> None:
    imported = proc_status_bytes("VmRSS")
    client, _ = await open_officer(data_dir, url)
    before = proc_status_bytes("VmRSS")
    # Reset the peak (VmHWM) to the current RSS, so what follows is the sync's own peak.
    Path("/proc/self/clear_refs").write_text("5")
    start = time.perf_counter()
    await client.sync()
    seconds = time.perf_counter() - start
    peak = proc_status_bytes("VmHWM")
    after = proc_status_bytes("VmRSS")
    await client.close()
    print(
        json.dumps(
            {
                "imported": imported,
                "before": before,
                "peak": peak,
                "after": after,
                "seconds": seconds,
            }
        )
    )


# -- 5: local action latency ---------------------------------------------------------------


async def bench_actions(url: str, work: Path, count: int) -> None:
    client = await Client.open(work / "resident", url)
    await client.login(*RESIDENT)
    await client.sync()  # the home must be local for report_repair
    for n in range(20):  # warm-up
        await client.report_repair(Trade.PLUMBING, f"Warm-up leak {n}")
    samples = []
    for n in range(count):
        start = time.perf_counter()
        await client.report_repair(
            Trade.PLUMBING,
            f"Leaking tap number {n}",
            description="The kitchen tap drips all night.",
            location="kitchen",
        )
        samples.append(time.perf_counter() - start)
    await asyncio.sleep(0.05)  # let the change notifications settle
    pending = client.status().pending
    start = time.perf_counter()
    report = await client.sync()
    push_time = time.perf_counter() - start
    await client.close()
    p99 = percentile(samples, 99)
    heading(f"5. Local action commit latency: {count} resident report_repair, no background sync")
    line("p50", ms(percentile(samples, 50)))
    line("p90", ms(percentile(samples, 90)))
    line(
        f"p99  (goal < {P99_GOAL_MS:.0f} ms)",
        ms(p99),
        "OK" if p99 * 1000 < P99_GOAL_MS else "ABOVE GOAL",
    )
    line("max", ms(max(samples)))
    line(
        f"  then one sync() pushing the {pending} queued",
        secs(push_time),
        f"{report.pushed / push_time:,.0f} mutations/s from one device",
    )


# -- 6: server push throughput -------------------------------------------------------------


def mutations_for(device: str, count: int, tag: str) -> list[p.Mutation]:
    now = datetime.now(UTC)
    return [
        p.Mutation(
            id=str(uuid.uuid4()),
            device_id=device,
            seq=n + 1,
            name="report_repair",
            args={
                "job_id": str(uuid.uuid4()),
                "trade": Trade.PLUMBING.value,
                "title": f"Leak {tag} {n}",
                "description": "Water under the sink.",
                "location": "kitchen",
                "access_notes": "",
                "damp_and_mould": False,
                "photos": [],
            },
            created_at=now,
        )
        for n in range(count)
    ]


def push_body(device: str, mutations: list[p.Mutation]) -> bytes:
    request = p.PushRequest(schema_version=p.SCHEMA_VERSION, device_id=device, mutations=mutations)
    return request.model_dump_json().encode()


async def bench_push(url: str, devices: int, per_device: int) -> None:
    # A fresh connection pool for each phase: uvicorn closes keep-alive connections idle
    # for 5 s, and reusing one just as it closes fails the request (httpx.ReadError).
    limits = httpx.Limits(max_connections=devices + 10, max_keepalive_connections=devices + 10)

    def pool() -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=url, timeout=120, limits=limits)

    async with pool() as http:
        gate = asyncio.Semaphore(4)  # argon2 sign-ins are heavy: a few at a time, untimed

        async def sign_in(n: int) -> str:
            async with gate:
                r = await http.post(
                    "/v1/auth/login",
                    # Ten demo residents sign in; devices beyond ten share their accounts.
                    json={
                        "email": f"resident{n % 9 + 1}@demo.test",
                        "password": demo.DEMO_PASSWORD,
                    },
                )
                r.raise_for_status()
                return r.json()["token"]

        tokens = await asyncio.gather(*(sign_in(n) for n in range(1, devices + 1)))

    async def send(http: httpx.AsyncClient, token: str, body: bytes) -> list[str]:
        r = await http.post(
            "/v1/sync/push",
            content=body,
            headers={"Authorization": f"Bearer {token}", "content-type": "application/json"},
        )
        r.raise_for_status()
        return [x.status for x in p.PushResponse.model_validate_json(r.content).results]

    # a) each device sends its mutations in one request, all devices at once
    bodies = []
    for n in range(devices):
        device = str(uuid.uuid4())
        bodies.append(push_body(device, mutations_for(device, per_device, f"a{n}")))
    async with pool() as http:
        start = time.perf_counter()
        results = await asyncio.gather(
            *(send(http, t, b) for t, b in zip(tokens, bodies, strict=True))
        )
        batch_time = time.perf_counter() - start
    batch_applied = sum(s == "applied" for r in results for s in r)

    # b) each device sends one mutation per request, one after another (as a phone that
    #    syncs after every action), all devices at once
    async def device_loop(http: httpx.AsyncClient, token: str, n: int) -> list[str]:
        device = str(uuid.uuid4())
        statuses = []
        for m in mutations_for(device, per_device, f"b{n}"):
            statuses += await send(http, token, push_body(device, [m]))
        return statuses

    async with pool() as http:
        start = time.perf_counter()
        results = await asyncio.gather(*(device_loop(http, t, n) for n, t in enumerate(tokens)))
        single_time = time.perf_counter() - start
    single_applied = sum(s == "applied" for r in results for s in r)

    total = devices * per_device
    heading(f"6. Server push throughput: {devices} concurrent devices x {per_device} mutations")
    rate = batch_applied / batch_time
    line(
        f"{per_device} mutations per request  (goal {PUSH_GOAL:,} mut/s)",
        f"{rate:,.0f} mut/s",
        f"{batch_applied}/{total} applied in {batch_time:.2f} s; "
        + ("OK" if rate >= PUSH_GOAL else "BELOW GOAL"),
    )
    line(
        "1 mutation per request",
        f"{single_applied / single_time:,.0f} mut/s",
        f"{single_applied}/{total} applied in {single_time:.2f} s",
    )


# -- 7: a resident's first sync ---------------------------------------------------------


async def resident_first_sync(url: str, data_dir: Path) -> tuple[float, int, int, int]:
    """A resident's first `Client.sync()` from empty: seconds, pull body bytes on the wire
    (gzip), pull requests, rows pulled."""
    client = await Client.open(data_dir, url)
    try:
        await client.login(*RESIDENT)
        counter = WireCounter()
        client.http.event_hooks = {"request": [], "response": [counter]}
        start = time.perf_counter()
        report = await client.sync()
        elapsed = time.perf_counter() - start
        return elapsed, counter.body, counter.requests, report.pulled
    finally:
        await client.close()


async def bench_resident(url: str, work: Path, jobs: int, repeat: int) -> None:
    """The same resident's first sync on the server holding `jobs` jobs of their landlord
    (none of them theirs) and on a server holding only the demo data."""
    empty_db = work / "empty.db"
    make_server_db(empty_db, 0).dispose()
    empty = ServerProcess(empty_db, work / "blobs-empty", work / "server-empty.log")
    try:
        runs: dict[str, list[tuple[float, int, int, int]]] = {"full": [], "empty": []}
        for n in range(repeat):  # alternate, so both see the same machine load
            runs["full"].append(await resident_first_sync(url, work / f"resident-full-{n}"))
            runs["empty"].append(await resident_first_sync(empty.url, work / f"resident-e-{n}"))
    finally:
        empty.stop()
    heading(f"7. A resident's first sync: {jobs:,} jobs of their landlord beside none")
    for key, label in (("full", f"server with {jobs:,} more jobs"), ("empty", "demo data only")):
        best = min(runs[key])
        line(
            f"{label}: time (best of {repeat})",
            secs(best[0]),
            "runs: " + ", ".join(f"{r[0]:.3f}" for r in runs[key]),
        )
        line(f"{label}: pull bytes on the wire", f"{best[1]:,} B", f"{best[2]} requests")
        line(f"{label}: rows received", f"{best[3]:,}")


# -- profile: where the initial sync's time goes --------------------------------------------


def top(profile: cProfile.Profile, n: int = 14, by: str = "tottime", only: str = "") -> str:
    """cProfile's top `n` functions by `by`, optionally only those matching `only`."""
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats(by)
    if only:
        stats.print_stats(only, n)
    else:
        stats.print_stats(n)
    text = out.getvalue()
    body = text[text.find("   ncalls") :]
    return "\n".join("    " + s for s in body.rstrip().splitlines() if s.strip())


async def profile_initial_sync(url: str, work: Path, server_db: Path) -> None:
    """Break the client's initial sync into its parts: a real `Client.sync()` with timers
    around its HTTP requests and its `Store.apply_pull` calls, then each part on its own
    in this process under cProfile (which inflates the times it shows)."""
    client, _ = await open_officer(work / "officer-profile", url)
    user_json = client.user.model_dump(mode="json")
    page_size = sync_engine.PULL_PAGE
    raw: list[bytes] = []
    spent = {"http": 0.0, "apply": 0.0}
    request, apply_pull = client.engine._request, client.store.apply_pull

    async def timed_request(method: str, path: str, **kw) -> httpx.Response:
        start = time.perf_counter()
        response = await request(method, path, **kw)
        spent["http"] += time.perf_counter() - start
        if path == "/v1/sync/pull":
            raw.append(response.content)
        return response

    def timed_apply(*args) -> None:
        start = time.perf_counter()
        apply_pull(*args)
        spent["apply"] += time.perf_counter() - start

    client.engine._request = timed_request
    client.store.apply_pull = timed_apply
    start = time.perf_counter()
    await client.sync()
    t_sync = time.perf_counter() - start
    await client.close()

    start = time.perf_counter()
    pages = [p.PullResponse.model_validate_json(b) for b in raw]
    t_parse = time.perf_counter() - start

    def apply_all(path: Path, profile: cProfile.Profile | None) -> float:
        store = Store(path)
        store.tx_put("user", User.model_validate(user_json).model_dump_json())
        start = time.perf_counter()
        if profile:
            profile.enable()
        for page in pages:
            store.apply_pull(page.changes, page.cursor, page.reset)
        if profile:
            profile.disable()
        elapsed = time.perf_counter() - start
        store.close()
        return elapsed

    prof_apply = cProfile.Profile()
    apply_all(work / "profile-client.db", prof_apply)

    # The plain-table share of apply: the same rows, one executemany per page into (id, body).
    conn = sqlite3.connect(work / "profile-plain.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE rows (id TEXT PRIMARY KEY, body TEXT NOT NULL)")
    start = time.perf_counter()
    for page in pages:
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT OR REPLACE INTO rows(id, body) VALUES (?, ?)",
            [(c.id, json.dumps(c.row, separators=(",", ":"))) for c in page.changes],
        )
        conn.execute("COMMIT")
    t_plain = time.perf_counter() - start
    conn.close()

    # The server's share, in this process: build each page and serialise it.
    engine = db.create_engine(f"sqlite:///{server_db}")
    with engine.connect() as conn:
        row = conn.execute(sa.select(db.users).where(db.users.c.email == OFFICER[0]))
        officer = User.model_validate(dict(row.mappings().one()))

    def serve_all(profile: cProfile.Profile | None) -> tuple[float, float, int]:
        build = dump = 0.0
        fetched = 0
        cursor = ""
        while True:
            with db.reading(engine) as conn:
                start = time.perf_counter()
                if profile:
                    profile.enable()
                page = sync_service._pull_page(conn, Viewer(officer), cursor, page_size)
                mid = time.perf_counter()
                page.model_dump_json()
                if profile:
                    profile.disable()
                build += mid - start
                dump += time.perf_counter() - mid
                after = int(cursor.partition(".")[2] or 0)
                for table in db.SYNCED.values():
                    q = sa.select(table.c.id).where(table.c.seq > after).limit(page_size + 1)
                    fetched += len(conn.execute(q).all())
            cursor = page.cursor
            if not page.has_more:
                return build, dump, fetched

    t_build, t_dump, fetched = serve_all(None)
    prof_server = cProfile.Profile()
    serve_all(prof_server)
    engine.dispose()
    sent = sum(len(pg.changes) for pg in pages)

    t_rest = t_sync - spent["http"] - spent["apply"]
    heading(f"Profile: one officer Client.sync() from empty, pages of {page_size}")
    line("Client.sync() in all", secs(t_sync), f"{len(raw)} pull requests")
    line(
        "HTTP requests (server work + transfer + httpx)",
        secs(spent["http"]),
        f"{spent['http'] / t_sync:.0%}",
    )
    line(
        "  server builds the pages (_pull_page), in-process",
        secs(t_build),
        f"{t_build / t_sync:.0%}",
    )
    line(
        "  server serialises them (model_dump_json), in-process",
        secs(t_dump),
        f"{t_dump / t_sync:.0%}",
    )
    line(
        "  server rows read from SQLite / rows sent",
        f"{fetched:,} / {sent:,}",
        f"{fetched / sent:.2f}x: limit+1 rows from each of {len(db.SYNCED)} tables per page",
    )
    line(
        "Store.apply_pull on the database thread",
        secs(spent["apply"]),
        f"{spent['apply'] / t_sync:.0%}",
    )
    line(
        "  beside: same pages into a plain (id, body) table",
        secs(t_plain),
        "json.dumps + one executemany per page",
    )
    line("the rest: parse pages, hops between threads", secs(t_rest), f"{t_rest / t_sync:.0%}")
    line(
        "  of which PullResponse.model_validate_json, alone",
        secs(t_parse),
        f"{t_parse / t_sync:.0%}",
    )
    print("\n  server _pull_page + dump (cProfile), top functions by own time:")
    print(top(prof_server))
    print("\n  client Store.apply_pull (cProfile), top functions by own time:")
    print(top(prof_apply))


def profile_push(work: Path, server_db: Path, count: int = 200) -> None:
    """Where a pushed mutation's server time goes: `sync_service._push` of one mutation a
    request, in this process."""
    engine = db.create_engine(f"sqlite:///{server_db}")
    with engine.connect() as conn:
        row = conn.execute(sa.select(db.users).where(db.users.c.email == "resident9@demo.test"))
        user = User.model_validate(dict(row.mappings().one()))

    def apply_all(profile: cProfile.Profile | None) -> float:
        device = str(uuid.uuid4())
        mutations = mutations_for(device, count, "profile")
        start = time.perf_counter()
        if profile:
            profile.enable()
        for m in mutations:
            body = p.PushRequest(schema_version=p.SCHEMA_VERSION, device_id=device, mutations=[m])
            with engine.begin() as conn:
                sync_service._push(conn, user, body)
        if profile:
            profile.disable()
        return time.perf_counter() - start

    t_apply = apply_all(None)
    prof = cProfile.Profile()
    apply_all(prof)
    engine.dispose()

    # The disk's floor: one tiny committed transaction each, WAL and synchronous=FULL.
    conn = sqlite3.connect(work / "commit-floor.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
    start = time.perf_counter()
    for n in range(count):
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t(v) VALUES (?)", (str(n),))
        conn.execute("COMMIT")
    t_commit = time.perf_counter() - start
    conn.close()

    heading(f"Profile: server push, {count} report_repair through sync_service._push in-process")
    line("per mutation, one at a time", ms(t_apply / count), f"{count / t_apply:,.0f} mut/s")
    line("  beside: one tiny WAL+FULL commit on this disk", ms(t_commit / count))
    print("\n  _push (cProfile), project functions by cumulative time:")
    print(top(prof, 12, "cumtime", r"server_stub|/app/|commit"))
    print("\n  _push (cProfile), top functions by own time:")
    print(top(prof, 10))


# -- main -------------------------------------------------------------------------------------


async def run(args: argparse.Namespace, work: Path) -> None:
    start = time.perf_counter()
    server_db = work / "server.db"
    engine = make_server_db(server_db, args.jobs, spare=RESIDENT[0])
    built = time.perf_counter() - start
    print(f"server database: demo data + {args.jobs:,} jobs, built in {secs(built)}")
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start")
    server = ServerProcess(server_db, work / "blobs", work / "server.log")
    try:
        print(f"server process {server.proc.pid} on {server.url}", flush=True)
        only = set(args.only.split(",")) if args.only else None
        ratio = 0.0
        if only is None or "officer" in only:
            ratio = await bench_officer(server.url, work, engine, args.repeat)
        profile = args.profile or (ratio > RATIO_GOAL * 1.5 and not args.no_profile)
        if profile and (only is None or "officer" in only):
            await profile_initial_sync(server.url, work, server_db)
        if only is None or "actions" in only:
            await bench_actions(server.url, work, args.actions)
        if only is None or "push" in only:
            await bench_push(server.url, args.devices, args.per_device)
        if only is None or "resident" in only:
            await bench_resident(server.url, work, args.jobs, args.repeat)
        if profile:
            profile_push(work, server_db)
    finally:
        server.stop()
        engine.dispose()
    print(
        f"\ntotal benchmark time {secs(time.perf_counter() - start)}, "
        f"load average {os.getloadavg()[0]:.2f} at the end"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python bench/sync.py",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--jobs", type=int, default=10_000, help="extra jobs on the server")
    parser.add_argument("--repeat", type=int, default=3, help="timed initial syncs")
    parser.add_argument("--actions", type=int, default=500, help="timed local actions")
    parser.add_argument("--devices", type=int, default=50)
    parser.add_argument("--per-device", type=int, default=20)
    parser.add_argument(
        "--only",
        metavar="PARTS",
        help="comma-separated parts to run: officer, actions, push, resident (default: all)",
    )
    parser.add_argument("--profile", action="store_true", help="always profile")
    parser.add_argument("--no-profile", action="store_true", help="never profile")
    parser.add_argument("--keep", action="store_true", help="keep the working folder")
    parser.add_argument("--memory-probe", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--probe-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    keyring.set_keyring(fail.Keyring())  # tokens in memory only; never the real keyring
    if args.memory_probe:
        asyncio.run(memory_probe(args.memory_probe, args.probe_dir))
        return
    work = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    try:
        asyncio.run(run(args, work))
    finally:
        if args.keep:
            print(f"working folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
