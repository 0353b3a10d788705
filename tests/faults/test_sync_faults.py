"""Randomised fault scenarios: several client processes act while a proxy drops,
duplicates and delays traffic, the server is killed and restarted, and clients are
killed with SIGKILL mid-action and mid-sync. After healing, nothing a user did is lost
or applied twice, and every device agrees with the server.

`FAULT_SCENARIOS` sets how many client sessions run (300 by default)."""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from app.client import Client
from server_stub.demo import DEMO_PASSWORD
from tests.conftest import free_port
from tests.faults.proxy import FaultProxy, Faults

pytestmark = pytest.mark.faults
PARALLEL = 3  # client processes at once, each on its own device

ROOT = Path(__file__).resolve().parents[2]
DEVICES = [
    ("resident-a", "resident@demo.test"),
    ("resident-b", "resident5@demo.test"),
    ("resident-c", "resident9@demo.test"),
    ("officer", "officer@demo.test"),
    ("trade-a", "trade@demo.test"),
    ("trade-b", "trade16@demo.test"),  # another plumber: competes for the same jobs
    ("trade-c", "trade19@demo.test"),
]


class ServerProcess:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "server_stub",
                "--db",
                f"sqlite:///{self.root / 's.db'}",
                "--blobs",
                str(self.root / "blobs"),
                "--port",
                str(self.port),
            ],
            cwd=ROOT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.get(f"http://127.0.0.1:{self.port}/v1/health", timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()


def run_worker(
    data: Path, url: str, email: str, seed: int, heal: bool = False, kill_after: float | None = None
) -> str:
    args = [
        sys.executable,
        "-m",
        "tests.faults.worker",
        "--data",
        str(data),
        "--server",
        url,
        "--email",
        email,
        "--seed",
        str(seed),
    ]
    proc = subprocess.Popen(
        args + (["--heal"] if heal else []),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        out, err = proc.communicate(timeout=kill_after if kill_after else 120)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        out, err = proc.communicate()
        return "killed"
    assert proc.returncode == 0, err[-2000:]
    return out


def journal(data: Path) -> list[dict]:
    path = data / "journal.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_nothing_is_lost_or_applied_twice_under_faults(tmp_path):
    scenarios = int(os.environ.get("FAULT_SCENARIOS", "300"))
    rng = random.Random(int(os.environ.get("FAULT_SEED", "20261122")))
    server = ServerProcess(tmp_path / "server")
    server.root.mkdir()
    server.start()
    proxy = FaultProxy(server.port, seed=rng.randrange(10**9)).start()
    url = f"http://127.0.0.1:{proxy.port}"
    proxy.faults = Faults(drop_request=0.08, drop_response=0.08, duplicate=0.08, delay=0.1)
    killed_clients = server_restarts = 0
    try:
        done = 0
        with ThreadPoolExecutor(PARALLEL) as pool:
            while done < scenarios:
                batch = rng.sample(DEVICES, min(PARALLEL, scenarios - done))
                runs = [
                    pool.submit(
                        run_worker,
                        tmp_path / name,
                        url,
                        email,
                        rng.randrange(10**9),
                        kill_after=rng.uniform(0.3, 2.0) if rng.random() < 0.2 else None,
                    )
                    for name, email in batch
                ]
                if done % (PARALLEL * 20) == PARALLEL * 10:  # the server dies mid-round
                    time.sleep(rng.uniform(0.2, 1.0))
                    server.kill()
                    server.start()
                    server_restarts += 1
                killed_clients += sum(r.result() == "killed" for r in runs)
                done += len(batch)
        proxy.faults = proxy.faults.healed()
        # Twice: what a device sends while healing changes what the others should see.
        for _ in range(2):
            for name, email in DEVICES:
                out = run_worker(tmp_path / name, url, email, 0, heal=True)
                assert json.loads(out.splitlines()[-1])["pending"] == 0, name
        report = asyncio.run(verify(tmp_path, server, url))
    finally:
        server.kill()

    print(
        f"\nscenarios={scenarios} killed_clients={killed_clients} "
        f"server_restarts={server_restarts} faults={proxy.faults.counts}\n"
        f"actions={report['actions']} applied={report['applied']} "
        f"rejected={report['rejected']} lost={report['lost']} "
        f"duplicated={report['duplicated']} converged={report['converged']}/{len(DEVICES)}"
    )
    assert report["lost"] == 0
    assert report["duplicated"] == 0
    assert report["converged"] == len(DEVICES)
    assert killed_clients > 0 and sum(proxy.faults.counts.values()) > 0


async def verify(tmp_path: Path, server: ServerProcess, url: str) -> dict:
    """Every journaled action is on the server once or in that device's problems; every
    device's jobs match what a fresh sign-in of the same person pulls."""
    db = sqlite3.connect(server.root / "s.db")
    jobs = {r[0] for r in db.execute("SELECT id FROM jobs")}
    offers = {r[0] for r in db.execute("SELECT id FROM offers")}
    titles = [r[0] for r in db.execute("SELECT title FROM jobs WHERE title LIKE 'Fault%'")]
    repeats = db.execute(
        "SELECT count(*) FROM (SELECT device_id, seq FROM mutations "
        "GROUP BY device_id, seq HAVING count(*) > 1)"
    ).fetchone()[0]
    db.close()
    report = {
        "actions": 0,
        "applied": 0,
        "rejected": 0,
        "lost": 0,
        "converged": 0,
        "duplicated": repeats + len(titles) - len(set(titles)),
    }
    for name, email in DEVICES:
        client = await Client.open(tmp_path / name, url)
        refused = {str(v) for p in client.problems() for v in p.args.values()}
        for entry in journal(tmp_path / name):
            report["actions"] += 1
            if entry["entity"] in refused:
                report["rejected"] += 1
            elif entry["entity"] in (offers if entry["kind"] == "put_forward" else jobs):
                report["applied"] += 1
            else:
                report["lost"] += 1
        local = await jobs_seen(client)
        await client.close()
        fresh = await Client.open(tmp_path / f"{name}-fresh", url)
        await fresh.login(email, DEMO_PASSWORD)
        await fresh.sync()
        remote = await jobs_seen(fresh)
        report["converged"] += local == remote
        if local != remote:
            diff = {
                k: (local.get(k), remote.get(k))
                for k in local.keys() | remote.keys()
                if local.get(k) != remote.get(k)
            }
            print(
                f"{name} differs from the server on {len(diff)} jobs, e.g. {list(diff.items())[:3]}"
            )
        await fresh.close()
    return report


async def jobs_seen(client: Client) -> dict:
    rows = await client._db(client.store.rows, "jobs")
    return {j.id: (j.status.value, j.awarded_to, j.resident_name) for j in rows}
