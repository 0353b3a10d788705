"""One device's session in the fault suite, run as its own process so that it can be
killed with SIGKILL at any moment: sign in, take random actions, sync, and journal each
action only once the app has said it is done (as a user would remember it)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import uuid
from datetime import date, timedelta
from pathlib import Path

from app.client import Client
from app.domain.lifecycle import Rejected
from app.domain.models import Priority, Trade
from app.sync.engine import SyncFailed


def journal(path: Path, entry: dict) -> None:
    with path.open("a") as f:
        f.write(json.dumps(entry) + "\n")
        f.flush()
        os.fsync(f.fileno())


DEMO_PASSWORD = "demo"  # as in server_stub.demo, without importing the server here


async def act(client: Client, rng: random.Random) -> dict | None:
    role = client.user.role
    if role == "resident":
        tag = uuid.uuid4().hex[:10]
        job_id = await client.report_repair(
            rng.choice([Trade.PLUMBING, Trade.CARPENTRY]), f"Fault test {tag}"
        )
        return {"kind": "report_repair", "entity": job_id}
    if role == "officer":
        queue = await client.triage_queue()
        reported = [j for j in queue if j.status == "reported"]
        posted = [j for j in queue if j.status == "posted"]
        if reported and rng.random() < 0.6:
            job = rng.choice(reported)
            await client.post_job(job.id, Priority.ROUTINE)
            return {"kind": "post_job", "entity": job.id}
        for job in rng.sample(posted, len(posted)):
            offers = [o for o in await client.offers_for(job.id) if o.status == "open"]
            if offers:
                offer = rng.choice(offers)
                await client.award(job.id, offer.id)
                return {"kind": "award", "entity": job.id}
        return None
    board = [j for j in await client.job_board() if j.my_offer is None]
    if not board:
        return None
    job = rng.choice(board)
    offer_id = await client.put_forward(
        job.id, rng.randrange(50, 400) * 100, date.today() + timedelta(days=1)
    )
    return {"kind": "put_forward", "entity": offer_id}


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--server", required=True)
    parser.add_argument("--email", required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--actions", type=int, default=3)
    parser.add_argument("--heal", action="store_true", help="sync until nothing waits")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    client = await Client.open(args.data, args.server)
    for _ in range(20):
        if client.user is not None:
            break
        try:
            await client.login(args.email, DEMO_PASSWORD)
        except Rejected:
            await asyncio.sleep(0.1)
    if client.user is None:
        raise SystemExit("could not sign in")
    log = args.data / "journal.jsonl"
    if args.heal:
        for _ in range(40):
            try:
                await client.sync()
                if client.status().pending == 0:
                    break
            except SyncFailed:
                await asyncio.sleep(0.2)
        print(json.dumps({"pending": client.status().pending}))
    else:
        with contextlib.suppress(SyncFailed):
            await client.sync()
        for _ in range(args.actions):
            try:
                entry = await act(client, rng)
            except Rejected as e:
                entry = None
                print("refused locally:", e.message)
            if entry:
                journal(log, entry)
            if rng.random() < 0.5:
                with contextlib.suppress(SyncFailed):
                    await client.sync()
    await client.close()


if __name__ == "__main__":
    asyncio.run(main())
