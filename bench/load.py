"""Load benchmark: `python bench/load.py [--devices 200] [--seconds 60]`.

Starts the server as its own process on loopback (SQLite, one process) with the demo
data plus `--jobs` closed jobs, signs in `--devices` devices (real `app.client.Client`s,
each with its own SQLite store, sharing the demo accounts: mostly residents, some
tradespeople, a few officers),
brings each up to date (untimed), and then for `--seconds` each device runs the real sync
round (`Client.sync()`: push what is queued, pull what changed):

- on a timer, every `--pull-every` seconds (jittered);
- after a burst of one to three actions (a resident reports repairs, a tradesperson puts
  themself forward for a job on their board), every `--burst-every` seconds (jittered);
  one resident burst in three carries a photo, which the round uploads.

Prints requests and their throughput, p50 and p99 latency per request type (pull, push,
photo upload, photo check), errors (any response of 400 or more but a photo check's 404,
any failed round, with its cause), and the server's CPU time and memory. Bounded: at most
1,000 devices and 600 seconds, and only a server this script starts on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import random
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import keyring  # noqa: E402
from keyring.backends import fail  # noqa: E402
from PIL import Image  # noqa: E402

from app.client import Client  # noqa: E402
from app.domain.lifecycle import Rejected  # noqa: E402
from app.domain.models import PhotoStage, Trade  # noqa: E402
from app.sync.engine import SyncFailed  # noqa: E402
from bench.sync import ServerProcess, make_server_db, percentile  # noqa: E402
from server_stub import demo  # noqa: E402

MAX_DEVICES, MAX_SECONDS = 1_000, 600
P99_GOAL_MS = 250


def account(n: int) -> tuple[str, str]:
    """Device n's sign-in: 2 in 100 officers, 18 in 100 tradespeople, the rest residents."""
    k = n % 100
    if k < 2:
        return "officer", demo.DEMO_ACCOUNTS["officer"]
    if k < 20:
        return "tradesperson", f"trade{n % 24 + 1}@demo.test"
    return "resident", f"resident{n % 9 + 1}@demo.test" if n % 10 else demo.DEMO_ACCOUNTS[
        "resident"
    ]


def kind_of(request: httpx.Request) -> str:
    path = request.url.path
    if path == "/v1/sync/pull":
        return "pull"
    if path == "/v1/sync/push":
        return "push"
    if path.startswith("/v1/blobs/"):
        return "photo " + ("upload" if request.method == "PUT" else "check")
    return "other"


class Recorder:
    """Latency per request type and errors, for requests made while `on` is set."""

    def __init__(self) -> None:
        self.on = False
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)

    async def request(self, request: httpx.Request) -> None:
        request.extensions["bench_t0"] = time.perf_counter()

    async def response(self, response: httpx.Response) -> None:
        if not self.on:
            return
        request = response.request
        kind = kind_of(request)
        self.latency[kind].append(time.perf_counter() - request.extensions["bench_t0"])
        # A photo check's 404 is its answer "not here yet, upload it", not an error.
        if response.status_code >= 400 and (kind, response.status_code) != ("photo check", 404):
            self.errors[f"{kind} {response.status_code}"] += 1


def a_photo(rng: random.Random) -> bytes:
    out = io.BytesIO()
    colour = tuple(rng.randrange(256) for _ in range(3))
    image = Image.new("RGB", (800, 600), colour)
    for _ in range(20):  # a little detail, so that it is not a flat colour
        x, y = rng.randrange(780), rng.randrange(580)
        image.paste(tuple(rng.randrange(256) for _ in range(3)), (x, y, x + 20, y + 20))
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


class Device:
    def __init__(self, n: int, url: str, work: Path, recorder: Recorder) -> None:
        self.n, self.url, self.dir, self.recorder = n, url, work / f"device-{n}", recorder
        self.role, self.email = account(n)
        self.rng = random.Random(n)
        self.client: Client | None = None
        self.photo = None
        self.failed_rounds = 0
        self.actions = 0
        self.refused = 0  # actions the app refused before sending (as it tells its user)

    async def start(self, gate: asyncio.Semaphore) -> None:
        async with gate:  # sign-ins hash passwords: a few at a time, untimed
            self.client = await Client.open(self.dir, self.url)
            self.client.http.event_hooks = {
                "request": [self.recorder.request],
                "response": [self.recorder.response],
            }
            await self.client.login(self.email, demo.DEMO_PASSWORD)
            await self.client.sync()  # up to date before the timed window
            if self.role == "resident":
                data = await asyncio.to_thread(a_photo, self.rng)
                self.photo = await self.client.add_photo(data, PhotoStage.REPORT)

    async def round(self) -> None:
        assert self.client is not None
        try:
            await self.client.sync()
        except SyncFailed as e:  # counted as an error, with its cause
            self.recorder.errors[f"round: {type(e.__cause__ or e).__name__}"] += 1
            return
        if self.client.engine.error:
            self.failed_rounds += 1

    async def burst(self) -> None:
        assert self.client is not None
        for k in range(self.rng.randint(1, 3)):
            if self.role == "resident":
                photos = [self.photo] if self.photo and k == 0 and self.rng.random() < 1 / 3 else []
                if photos:
                    self.photo = None  # each photo is sent once
                await self.client.report_repair(
                    Trade.PLUMBING, f"Dripping tap {self.n}-{self.actions}", photos=photos
                )
                self.actions += 1
            elif self.role == "tradesperson":
                board = await self.client.job_board()
                open_jobs = [j for j in board if not j.my_offer] if board else []
                if open_jobs:
                    job = self.rng.choice(open_jobs)
                    try:
                        await self.client.put_forward(
                            job.id, 9_500, date.today() + timedelta(days=2), note="Can come soon."
                        )
                    except Rejected:  # refused on the phone (e.g. a certificate out of date)
                        self.refused += 1
                        continue
                    self.actions += 1
        await self.round()

    async def run(self, until: float, pull_every: float, burst_every: float) -> None:
        next_pull = time.monotonic() + self.rng.uniform(0, pull_every)
        next_burst = time.monotonic() + self.rng.uniform(0, burst_every)
        while True:
            now = time.monotonic()
            soonest = min(next_pull, next_burst)
            if soonest >= until:
                return
            await asyncio.sleep(max(0.0, soonest - now))
            if next_burst <= next_pull:
                await self.burst()
                next_burst += burst_every * self.rng.uniform(0.5, 1.5)
            else:
                await self.round()
                next_pull += pull_every * self.rng.uniform(0.8, 1.2)


def server_usage(pids: list[int]) -> tuple[float, int, int]:
    """CPU seconds (user + system), resident memory now and at its peak, over `pids`."""
    ticks = os.sysconf("SC_CLK_TCK")
    cpu, rss, peak = 0.0, 0, 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            cpu += (int(fields[11]) + int(fields[12])) / ticks
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for row in status.splitlines():
            if row.startswith("VmRSS:"):
                rss += int(row.split()[1]) * 1024
            elif row.startswith("VmHWM:"):
                peak += int(row.split()[1]) * 1024
    return cpu, rss, peak


def server_pids(root: int) -> list[int]:
    """The server process and its children (the workers, with `--workers`)."""
    pids = [root]
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == root:
                pids.append(int(pid))
    return pids


async def run(args: argparse.Namespace, work: Path) -> int:
    start = time.perf_counter()
    db_path = work / "server.db"
    make_server_db(db_path, args.jobs).dispose()
    server = ServerProcess(db_path, work / "blobs", work / "server.log")
    recorder = Recorder()
    devices = [Device(n, server.url, work, recorder) for n in range(args.devices)]
    try:
        print(
            f"server process {server.proc.pid} on {server.url} (SQLite, 1 process); demo data "
            f"+ {args.jobs:,} jobs; {os.cpu_count()} CPUs, load average "
            f"{os.getloadavg()[0]:.2f}",
            flush=True,
        )
        gate = asyncio.Semaphore(8)
        await asyncio.gather(*(d.start(gate) for d in devices))
        roles = defaultdict(int)
        for d in devices:
            roles[d.role] += 1
        print(
            f"{args.devices} devices signed in and up to date in "
            f"{time.perf_counter() - start:.1f} s: "
            + ", ".join(f"{n} {r}s" for r, n in sorted(roles.items())),
            flush=True,
        )
        pids = server_pids(server.proc.pid)
        cpu_before, _rss, _peak = server_usage(pids)
        recorder.on = True
        began = time.monotonic()
        await asyncio.gather(
            *(d.run(began + args.seconds, args.pull_every, args.burst_every) for d in devices)
        )
        elapsed = time.monotonic() - began
        recorder.on = False
        cpu_after, rss, peak = server_usage(pids)
    finally:
        for d in devices:
            if d.client is not None:
                await d.client.close()
        server.stop()

    total = sum(len(v) for v in recorder.latency.values())
    errors = sum(recorder.errors.values()) + sum(d.failed_rounds for d in devices)
    print(f"\n== {args.devices} devices for {elapsed:.1f} s against one server process (SQLite)")
    print(f"  requests {total:,}  ({total / elapsed:,.1f} a second)")
    print(
        f"  actions sent {sum(d.actions for d in devices):,}; refused on the device "
        f"{sum(d.refused for d in devices):,}"
    )
    print(f"  {'request':<14} {'count':>7} {'per s':>7} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    worst = 0.0
    for kind in sorted(recorder.latency):
        values = recorder.latency[kind]
        p99 = percentile(values, 99) * 1000
        worst = max(worst, p99)
        print(
            f"  {kind:<14} {len(values):>7} {len(values) / elapsed:>7.1f} "
            f"{percentile(values, 50) * 1000:>8.1f} {p99:>8.1f} {max(values) * 1000:>8.1f}"
        )
    print(f"  errors {errors}" + (f": {dict(recorder.errors)}" if recorder.errors else ""))
    failed = sum(d.failed_rounds for d in devices)
    if failed:
        print(f"  failed sync rounds {failed}")
    busy = cpu_after - cpu_before
    print(
        f"  server CPU {busy:.1f} s in {elapsed:.1f} s ({busy / elapsed:.0%} of one core); "
        f"memory {rss / 2**20:.0f} MiB now, {peak / 2**20:.0f} MiB at most"
    )
    ok = errors == 0 and worst < P99_GOAL_MS
    print(
        f"  goal: zero errors and every p99 under {P99_GOAL_MS} ms: " + ("OK" if ok else "NOT MET")
    )
    took = time.perf_counter() - start
    print(f"\ntotal time {took:.1f} s, load average {os.getloadavg()[0]:.2f}")
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python bench/load.py",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--devices", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--jobs", type=int, default=2_000, help="extra closed jobs on the server")
    parser.add_argument("--pull-every", type=float, default=10, help="seconds between pulls")
    parser.add_argument("--burst-every", type=float, default=20, help="seconds between bursts")
    parser.add_argument("--keep", action="store_true", help="keep the working folder")
    args = parser.parse_args(argv)
    if not 1 <= args.devices <= MAX_DEVICES or not 0 < args.seconds <= MAX_SECONDS:
        parser.error(f"at most {MAX_DEVICES} devices and {MAX_SECONDS} seconds")
    keyring.set_keyring(fail.Keyring())  # tokens in memory only; never the real keyring
    work = Path(tempfile.mkdtemp(prefix="bench-load-"))
    try:
        return asyncio.run(run(args, work))
    finally:
        if args.keep:
            print(f"working folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
