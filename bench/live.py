"""Live updates benchmark: `python bench/live.py [--tries 20] [--timer-tries 5]`.

Runs the server as its own process on loopback (with the demo data), and two devices in
this process, as the app runs them (`Client`, background sync): the demo resident and the
demo officer. Each try, the resident reports a repair; the figure is the time from the
report until it is in the officer's cached triage list (the officer's store is polled
every 10 ms), with no one calling sync.

1. with live updates (the server's event stream tells the officer's device to pull);
   goal: median under 1 s, worst under 2 s;
2. beside it, timer only (the listener off, the timer at its default interval). Each of
   these tries starts at a random moment of the officer's timer, so it waits half the
   interval on average: it takes a while, hence fewer tries.

Exits 1 when the live figures miss their goal.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import keyring  # noqa: E402
from keyring.backends import fail  # noqa: E402

from app.client import Client  # noqa: E402
from app.domain.models import Trade  # noqa: E402
from server_stub.demo import DEMO_ACCOUNTS, DEMO_PASSWORD  # noqa: E402

MEDIAN_GOAL, WORST_GOAL = 1.0, 2.0
POLL = 0.010
GIVE_UP = 120.0  # a try that takes this long has failed


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """`python -m server_stub` (demo data) in its own process, on a free loopback port."""

    def __init__(self, work: Path) -> None:
        self.url = f"http://127.0.0.1:{(port := free_port())}"
        self.log = (work / "server.log").open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "server_stub", "--db", f"sqlite:///{work / 'server.db'}"]
            + ["--blobs", str(work / "blobs"), "--port", str(port)],
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 120  # seeding the demo data comes first
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited; see {work / 'server.log'}")
            try:
                httpx.get(f"{self.url}/v1/health", timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.1)
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


async def device(work: Path, url: str, role: str, live: bool) -> Client:
    client = await Client.open(work / f"{role}-{'live' if live else 'timer'}", url)
    await client.login(DEMO_ACCOUNTS[role], DEMO_PASSWORD)
    await client.sync()
    client.engine.live = live
    client.start_background_sync()
    return client


async def until_up(client: Client) -> None:
    deadline = time.monotonic() + 30
    while client.engine.live_state != "up":
        if time.monotonic() > deadline:
            raise RuntimeError("the officer's event stream did not open")
        await asyncio.sleep(POLL)


async def one_try(resident: Client, officer: Client, n: int) -> float:
    start = time.perf_counter()
    job_id = await resident.report_repair(Trade.PLUMBING, f"Bench leak {n}: tap drips")
    while await officer.job(job_id) is None:  # the officer's store, every 10 ms
        if time.perf_counter() - start > GIVE_UP:
            raise RuntimeError(f"try {n}: the report never reached the officer")
        await asyncio.sleep(POLL)
    took = time.perf_counter() - start
    assert job_id in {j.id for j in await officer.triage_queue()}
    return took


async def measure(work: Path, url: str, live: bool, tries: int) -> list[float]:
    officer = await device(work, url, "officer", live)
    resident = await device(work, url, "resident", live)
    interval = officer.engine.interval  # the default: the bench leaves it alone
    print(f"  the officer's timer: every {interval:.0f} s", flush=True)
    try:
        if live:
            await until_up(officer)
        times = []
        for n in range(tries):
            # A random moment: of the officer's timer (timer only), or any (live).
            await asyncio.sleep(random.uniform(0, interval if not live else 0.5))
            took = await one_try(resident, officer, n)
            times.append(took)
            print(f"  try {n + 1:>2}: {took * 1000:8.0f} ms", flush=True)
        return times
    finally:
        for client in (officer, resident):
            client.pause_sync()  # let a round under way wind down before the store closes
        await asyncio.sleep(0.5)
        for client in (officer, resident):
            await client.close()


def summary(label: str, times: list[float]) -> tuple[float, float]:
    median, worst = statistics.median(times), max(times)
    print(f"  {label:<34} median {median * 1000:7.0f} ms   worst {worst * 1000:7.0f} ms")
    return median, worst


async def run(args: argparse.Namespace, work: Path) -> int:
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start")
    server = ServerProcess(work)
    try:
        print(f"server process {server.proc.pid} on {server.url}", flush=True)
        print(f"\n== live updates: {args.tries} tries", flush=True)
        live = await measure(work, server.url, True, args.tries)
        timer = []
        if args.timer_tries:
            print(f"\n== timer only: {args.timer_tries} tries", flush=True)
            timer = await measure(work, server.url, False, args.timer_tries)
    finally:
        server.stop()
    print("\n== from a resident's report to the officer's triage list")
    median, worst = summary(f"live updates ({len(live)} tries)", live)
    if timer:
        summary(f"timer only ({len(timer)} tries)", timer)
    met = median < MEDIAN_GOAL and worst < WORST_GOAL
    print(
        f"  goal: median under {MEDIAN_GOAL:.0f} s, worst under {WORST_GOAL:.0f} s: "
        f"{'met' if met else 'MISSED'}"
    )
    print(f"load average {os.getloadavg()[0]:.2f} at the end")
    return 0 if met else 1


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python bench/live.py",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--tries", type=int, default=20, help="reports with live updates")
    parser.add_argument("--timer-tries", type=int, default=5, help="reports on the timer only")
    parser.add_argument("--keep", action="store_true", help="keep the working folder")
    args = parser.parse_args(argv)
    keyring.set_keyring(fail.Keyring())  # tokens in memory only; never the real keyring
    logging.getLogger("app.credentials").setLevel(logging.ERROR)  # that, said once per device
    work = Path(tempfile.mkdtemp(prefix="bench-live-"))
    try:
        code = asyncio.run(run(args, work))
    finally:
        if args.keep:
            print(f"working folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    sys.exit(code)


if __name__ == "__main__":
    main()
