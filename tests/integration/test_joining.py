"""Joining the marketplace and being vetted, through the server's HTTP API in-process: a
new tradesperson's account signs them in; their details go to the officers of their own
landlord only; only once approved do they see the job board; a resident who joins keeps
their home and its repairs but can never take them. And, through real HTTP with the
demo data, the same journey on devices (`Client`)."""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from app.client import Client
from app.domain.lifecycle import Rejected
from app.domain.models import PhotoStage, Role, Trade, Vetting
from app.domain.records import Home, Landlord
from app.photos import prepare_photo
from app.sync import protocol as p
from server_stub import db, security
from server_stub.app import create_app
from server_stub.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, LANDLORD_ID
from server_stub.repo import SqlRepo
from server_stub.security import RateLimit

PASSWORD = "a long passphrase"
TODAY = datetime.now(UTC).date()
NEXT_YEAR = (TODAY + timedelta(days=365)).isoformat()
SLOT = (TODAY + timedelta(days=1)).isoformat()
PEOPLE = {  # key: email, role, landlord, home
    "officer": ("officer@north.test", Role.OFFICER, "north", None),
    "south-officer": ("officer@south.test", Role.OFFICER, "south", None),
    "resident": ("ada@north.test", Role.RESIDENT, "north", "north-home-1"),
    "neighbour": ("ben@north.test", Role.RESIDENT, "north", "north-home-2"),
}
OWN_HOME = "This repair is at your own home, so you can't take it."


class Api:
    def __init__(self, root: Path) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.engine = db.create_engine(f"sqlite:///{root / 'server.db'}")
        self.app = create_app(self.engine, root / "blobs", settle_every=None)
        self.http = TestClient(self.app)
        self.seq = 0
        hashed = security.hash_password(PASSWORD)
        with self.engine.begin() as conn:
            repo = SqlRepo(conn)
            repo.save(Landlord(id="north", name="North Homes"))
            repo.save(Landlord(id="south", name="South Housing"))
            for n in (1, 2):
                repo.save(
                    Home(
                        id=f"north-home-{n}",
                        landlord_id="north",
                        street=f"{n} Mill Lane",
                        flat="",
                        postcode="E5 0AA",
                        district="E5",
                    )
                )
            for key, (email, role, landlord, home) in PEOPLE.items():
                conn.execute(
                    db.users.insert().values(
                        id=key, email=email, name=key.capitalize(), role=role.value,
                        landlord_id=landlord, home_id=home, password_hash=hashed,
                    )
                )  # fmt: skip
        self.tokens = {key: self.login(email)["token"] for key, (email, *_) in PEOPLE.items()}

    def login(self, email: str, password: str = PASSWORD) -> dict:
        answer = self.http.post("/v1/auth/login", json={"email": email, "password": password})
        assert answer.status_code == 200, answer.text
        return answer.json()

    def auth(self, who: str) -> dict:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def join(self, **changes) -> tuple[int, dict]:
        body = {
            "name": "Pat Pipe",
            "email": "pat@pipes.test",
            "password": PASSWORD,
            "landlord_id": "north",
            "phone": "07700 900123",
            **changes,
        }
        answer = self.http.post("/v1/auth/join", json=body)
        return answer.status_code, answer.json()

    def push(self, who: str, name: str, **args) -> p.MutationResult:
        self.seq += 1
        mutation = {
            "id": f"m{self.seq}",
            "device_id": "phone",
            "seq": self.seq,
            "name": name,
            "args": args,
            "created_at": datetime.now(UTC).isoformat(),
        }
        body = {"schema_version": p.SCHEMA_VERSION, "device_id": "phone", "mutations": [mutation]}
        answer = self.http.post("/v1/sync/push", json=body, headers=self.auth(who))
        assert answer.status_code == 200, answer.text
        return p.PushResponse.model_validate(answer.json()).results[0]

    def do(self, who: str, name: str, **args) -> None:
        result = self.push(who, name, **args)
        assert result.status == "applied", (name, result.message)

    def refused(self, who: str, name: str, **args) -> p.MutationResult:
        result = self.push(who, name, **args)
        assert result.status == "rejected", name
        return result

    def pull(self, who: str, cursor: str = "") -> tuple[dict[str, dict[str, dict]], str]:
        """Rows by table and id after `cursor`, and the new cursor."""
        seen: dict[str, dict[str, dict]] = {}
        while True:
            answer = self.http.get(
                "/v1/sync/pull", params={"cursor": cursor}, headers=self.auth(who)
            )
            assert answer.status_code == 200, answer.text
            page = p.PullResponse.model_validate(answer.json())
            for change in page.changes:
                if change.op == "upsert":
                    seen.setdefault(change.table, {})[change.id] = change.row or {}
            cursor = page.cursor
            if not page.has_more:
                return seen, cursor

    def photo(self, who: str, shows: str) -> dict:
        out = io.BytesIO()
        colour = tuple(zlib.crc32(shows.encode()).to_bytes(4)[:3])
        Image.new("RGB", (64, 48), colour).save(out, "JPEG")
        prepared = prepare_photo(out.getvalue())
        put = self.http.put(
            f"/v1/blobs/{prepared.sha256}", content=prepared.data, headers=self.auth(who)
        )
        assert put.status_code == 200, put.text
        return {"sha256": prepared.sha256, "stage": PhotoStage.REPORT.value}

    def posted_job(self, who: str, job_id: str, trade: str = "plumbing") -> str:
        """A repair reported by `who` at their home and posted by the officer."""
        self.do(who, "report_repair", job_id=job_id, trade=trade, title="Leak under the sink")
        self.do("officer", "post_job", job_id=job_id, priority="urgent")
        return job_id

    def profile(self, who: str, **changes) -> dict:
        return {
            "business_name": "Pat's Pipes",
            "kind": "sole_trader",
            "trades": ["plumbing"],
            "districts": ["E5"],
            "working_days": [0, 1, 2, 3, 4],
            "insurance_expires": NEXT_YEAR,
            "photos": [self.photo(who, f"insurance of {who}")],
            **changes,
        }


@pytest.fixture
def api(tmp_path) -> Iterator[Api]:
    made = Api(tmp_path / "server")
    yield made
    made.http.close()
    made.engine.dispose()


def joined(api: Api, **changes) -> str:
    status, body = api.join(**changes)
    assert status == 200, body
    api.tokens["pat"] = body["token"]
    return body["user"]["id"]


def test_the_landlords_taking_tradespeople_are_listed_without_signing_in(api):
    answer = api.http.get("/v1/landlords")
    assert answer.status_code == 200
    assert answer.json() == [
        {"id": "north", "name": "North Homes"},
        {"id": "south", "name": "South Housing"},
    ]


def test_a_new_tradesperson_joins_is_vetted_and_only_then_sees_the_board(api):
    job = api.posted_job("neighbour", "leak-1")
    status, body = api.join()
    assert status == 200, body
    user = body["user"]
    assert user["role"] == "tradesperson" and user["landlord_id"] == "north"
    assert user["home_id"] is None and user["email"] == "pat@pipes.test"
    api.tokens["pat"] = body["token"]
    assert api.http.get("/v1/me", headers=api.auth("pat")).json()["role"] == "tradesperson"
    assert api.login("Pat@Pipes.test")["user"]["id"] == user["id"]  # signs in as anyone does

    api.do("pat", "submit_profile", **api.profile("pat"))
    mine, cursor = api.pull("pat")
    assert mine["tradespeople"][user["id"]]["status"] == Vetting.APPLIED
    assert job not in mine.get("jobs", {})  # the board is for approved people only
    refused = api.refused("pat", "put_forward", offer_id="o-early", job_id=job, price_pence=9000,
                          earliest_slot=SLOT)  # fmt: skip
    assert refused.code == "not_found"

    # Another landlord's officer neither sees nor vets them.
    south, _ = api.pull("south-officer")
    assert user["id"] not in south.get("tradespeople", {})
    wrong = api.refused("south-officer", "vet_tradesperson", tradesperson_id=user["id"],
                        decision="approve")  # fmt: skip
    assert wrong.code == "not_found"
    assert api.http.get(
        f"/v1/tradespeople/{user['id']}/documents/{api.profile('pat')['photos'][0]['sha256']}",
        headers=api.auth("south-officer"),
    ).status_code == 404  # fmt: skip

    # Their own landlord's officer sees the application, documents and all.
    north, _ = api.pull("officer")
    application = north["tradespeople"][user["id"]]
    assert (
        application["status"] == Vetting.APPLIED and application["business_name"] == "Pat's Pipes"
    )
    (document,) = application["documents"]
    got = api.http.get(
        f"/v1/tradespeople/{user['id']}/documents/{document}", headers=api.auth("officer")
    )
    assert got.status_code == 200 and got.headers["content-type"] == "image/jpeg"

    # Refusing or asking for more needs a reason, which the tradesperson reads.
    for decision in ("refuse", "more_info"):
        said = api.refused("officer", "vet_tradesperson", tradesperson_id=user["id"],
                           decision=decision)  # fmt: skip
        assert said.message == "Say why, so the tradesperson knows what to do next."
    question = "Send the page of your insurance that shows the amount of cover."
    api.do("officer", "vet_tradesperson", tradesperson_id=user["id"], decision="more_info",
           reason=question)  # fmt: skip
    mine, cursor = api.pull("pat", cursor)
    assert mine["tradespeople"][user["id"]]["status"] == Vetting.MORE_INFO
    assert mine["tradespeople"][user["id"]]["vetting_note"] == question

    # Sending the details again puts them back for checks; then the officer approves.
    api.do("pat", "submit_profile", **api.profile("pat", business_name="Pat's Pipes Ltd"))
    mine, cursor = api.pull("pat", cursor)
    assert mine["tradespeople"][user["id"]]["status"] == Vetting.APPLIED
    assert job not in api.pull("pat")[0].get("jobs", {})
    api.do("officer", "vet_tradesperson", tradesperson_id=user["id"], decision="approve")
    mine, cursor = api.pull("pat", cursor)
    assert mine["tradespeople"][user["id"]]["status"] == Vetting.APPROVED
    # The device pulls from the start once it sees its approval (`Client._see_approval`):
    # the board's jobs were posted before its person could see them.
    board = api.pull("pat")[0]["jobs"]
    assert job in board and board[job]["flat"] is None  # as any tradesperson sees a job
    api.do("pat", "put_forward", offer_id="o-1", job_id=job, price_pence=9000, earliest_slot=SLOT)


def test_joining_with_an_email_already_used_or_an_unknown_landlord_is_refused(api):
    joined(api)
    assert api.join(name="Someone Else") == (
        409,
        {"detail": "An account with this email already exists. Sign in instead."},
    )
    status, body = api.join(email="ADA@north.test")  # a resident's email, in capitals
    assert status == 409
    status, body = api.join(email="new@pipes.test", landlord_id="nowhere")
    assert status == 404 and "Choose yours from the list" in body["detail"]
    for bad in ({"password": "short"}, {"email": "no-at-sign"}, {"name": "P"},
                {"phone": "call me"}, {"name": "Pat\u202ePipe"}):  # fmt: skip
        status, body = api.join(**{"email": "other@pipes.test", **bad})
        assert status == 422, bad
        assert body["detail"].startswith("Please check"), body
    assert api.http.post(
        "/v1/auth/login", json={"email": "new@pipes.test", "password": PASSWORD}
    ).status_code == 401  # nothing was made  # fmt: skip


def test_joining_is_rate_limited_per_address(api):
    api.app.state.sign_in_limits["address"] = RateLimit(limit=3, window=600)
    for n in range(3):
        assert api.join(email=f"pat{n}@pipes.test")[0] == 200
    status, body = api.join(email="pat9@pipes.test")
    assert status == 429 and body["detail"].startswith("Too many attempts")


def test_a_resident_who_joins_keeps_their_home_and_never_takes_its_repairs(api):
    answer = api.http.post("/v1/me/join", headers=api.auth("resident"))
    assert answer.status_code == 200, answer.text
    user = answer.json()
    assert user["role"] == "tradesperson" and user["home_id"] == "north-home-1"
    assert api.http.get("/v1/me", headers=api.auth("resident")).json() == user
    again = api.http.post("/v1/me/join", headers=api.auth("resident"))
    assert again.status_code == 409 and "already a tradesperson" in again.json()["detail"]
    officer = api.http.post("/v1/me/join", headers=api.auth("officer"))
    assert officer.status_code == 403 and "Housing officers" in officer.json()["detail"]

    own = api.posted_job("resident", "own-leak")  # still reports repairs, as a resident
    theirs = api.posted_job("neighbour", "next-door-leak")
    api.do("resident", "submit_profile", **api.profile("resident"))
    api.do("officer", "vet_tradesperson", tradesperson_id="resident", decision="approve")
    seen = api.pull("resident")[0]
    assert seen["tradespeople"]["resident"]["home_id"] == "north-home-1"
    assert seen["jobs"][own]["flat"] == "" and seen["jobs"][own]["resident_id"] == "resident"
    assert theirs in seen["jobs"]
    refused = api.refused("resident", "put_forward", offer_id="o-own", job_id=own,
                          price_pence=5000, earliest_slot=SLOT)  # fmt: skip
    assert refused.message == OWN_HOME
    api.do("resident", "put_forward", offer_id="o-next", job_id=theirs, price_pence=5000,
           earliest_slot=SLOT)  # fmt: skip


# -- on devices: the client's side of the same journey ----------------------------------


def jpeg(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), colour).save(out, "JPEG")
    return out.getvalue()


async def test_on_devices_a_joiner_sends_details_is_approved_and_then_sees_the_board(
    tmp_path, server
):
    device = await Client.open(tmp_path / "joiner", server.url)
    officer = await Client.open(tmp_path / "officer", server.url)
    try:
        landlords = await device.landlords()
        assert LANDLORD_ID in {ll.id for ll in landlords}
        user = await device.join("Jo Joiner", "jo@joiners.test", PASSWORD, LANDLORD_ID)
        assert device.user == user and user.role is Role.TRADESPERSON
        assert await device.my_profile() is None
        await device.sync()

        document = await device.add_photo(jpeg("orange"), PhotoStage.REPORT)
        await device.submit_profile(
            "Jo's Plumbing",
            [Trade.PLUMBING],
            ["e8", "E9", "E5", "N16", "N1"],
            range(5),
            TODAY + timedelta(days=200),
            photos=[document],
        )
        mine = await device.my_profile()
        assert mine.status is Vetting.APPLIED and mine.pending
        assert mine.status_words == "Waiting for checks" and mine.days == "Mon to Fri"
        await device.sync()
        assert not (await device.my_profile()).pending
        assert await device.job_board() == []

        await officer.login(DEMO_ACCOUNTS["officer"], DEMO_PASSWORD)
        await officer.sync()
        waiting = [a for a in await officer.applications() if a.profile.id == user.id]
        assert [a.status_words for a in waiting] == ["Waiting for checks"]
        assert len(await officer.document_thumbnails(user.id, waiting[0].documents)) == 1
        await officer.vet(user.id, "more_info", "Add a photo of your insurance schedule.")
        await officer.sync()

        await device.sync()
        mine = await device.my_profile()
        assert (
            mine.status_words == "More information needed: Add a photo of your insurance schedule."
        )
        await device.submit_profile("Jo's Plumbing", [Trade.PLUMBING], ["E8", "E9", "E5", "N16",
                                    "N1"], range(5), TODAY + timedelta(days=200))  # fmt: skip
        await device.sync()
        await officer.sync()
        await officer.vet(user.id, "approve")
        await officer.sync()

        for _ in range(3):  # the approval arrives, then the device pulls from the start
            await device.sync()
        assert (await device.my_profile()).approved
        board = await device.job_board()
        assert board and {j.trade for j in board} == {Trade.PLUMBING}
    finally:
        await device.close()
        await officer.close()


async def test_on_a_device_a_resident_joins_as_a_tradesperson_too(tmp_path, server):
    device = await Client.open(tmp_path / "resident", server.url)
    try:
        before = await device.login(DEMO_ACCOUNTS["resident"], DEMO_PASSWORD)
        await device.sync()
        user = await device.join_as_tradesperson()
        assert user.role is Role.TRADESPERSON and user.home_id == before.home_id
        assert device.user == user and user.roles == {Role.TRADESPERSON, Role.RESIDENT}
        job_id = await device.report_repair(Trade.GLAZING, "Cracked bedroom window")
        await device.sync()
        assert job_id in {j.id for j in await device.my_repairs()}
        assert not device.problems()
        with pytest.raises(Rejected, match="already a tradesperson"):
            await device.join_as_tradesperson()
    finally:
        await device.close()
