"""The trust boundary as the server applies it, through its HTTP API in-process: every
record reaches exactly the people who may see it, on first and incremental pulls and on
photo download, for two landlords; device-chosen ids are unique per user; malformed
pushes get a 4xx or a per-mutation refusal, never a 500.

The expectations are written here from who owns what, independently of `policy`."""

from __future__ import annotations

import io
import shutil
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from PIL import Image

from app.domain.models import PhotoStage, Role, User, Vetting
from app.domain.records import RECORDS, Home, Landlord, Tradesperson
from app.photos import prepare_photo
from app.sync import protocol as p
from server_stub import db, security, sync_service
from server_stub.app import create_app
from server_stub.repo import SqlRepo
from tests.test_authorisation import ALERTS, EVERYONE, LANDLORDS, PEOPLE, story

PASSWORD = "correct horse"
SLOT = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()


class Server:
    def __init__(self, root: Path, like: Server | None = None) -> None:
        """A new world in `root`, or a copy of `like`'s (quicker than building one)."""
        if like is not None:
            shutil.copytree(like.root, root, dirs_exist_ok=True)
        self.root = root
        self.engine = db.create_engine(f"sqlite:///{root / 'server.db'}")
        self.http = TestClient(create_app(self.engine, root / "blobs"))
        self.tokens: dict[str, str] = dict(like.tokens) if like else {}
        self.seq = like.seq if like else 0
        self.photos: dict[str, str] = dict(like.photos) if like else {}  # what -> sha256
        if like is None:
            self._people()
            for landlord in LANDLORDS:
                for who, name, args in story(landlord, self.photo, datetime.now(UTC).date()):
                    self.do(PEOPLE[landlord][who], name, **args)

    def _people(self) -> None:
        hashed = security.hash_password(PASSWORD)
        with self.engine.begin() as conn:
            for landlord in LANDLORDS:
                SqlRepo(conn).save(Landlord(id=landlord, name=landlord))
                for n in (1, 2):
                    home = Home(
                        id=f"{landlord}-home-{n}",
                        landlord_id=landlord,
                        street=f"{n}4 High St",
                        flat=f"Flat {n}",
                        postcode="M4 1AA",
                        district="M4",
                    )
                    conn.execute(
                        db.SYNCED["homes"]
                        .insert()
                        .values({**db.values_of(home), "seq": db.next_seq(conn)})
                    )
            for u in EVERYONE:
                conn.execute(
                    db.users.insert().values(
                        {**u.model_dump(), "phone": "07700 900000", "password_hash": hashed}
                    )
                )
                if u.role is Role.TRADESPERSON:
                    tp = Tradesperson(
                        status=Vetting.APPROVED,
                        id=u.id,
                        landlord_id=u.landlord_id,
                        name=u.name,
                        business_name=u.name,
                        trades=["plumbing"],
                        districts=["M4"],
                        insurance_expires=datetime(2030, 1, 1).date(),
                    )
                    row = {**db.values_of(tp), "seq": db.next_seq(conn)}
                    conn.execute(db.SYNCED["tradespeople"].insert().values(row))
        for u in EVERYONE:
            answer = self.http.post("/v1/auth/login", json={"email": u.email, "password": PASSWORD})
            self.tokens[u.id] = answer.json()["token"]

    def as_(self, user: User) -> dict:
        return {"Authorization": f"Bearer {self.tokens[user.id]}"}

    def photo(self, user: User, stage: PhotoStage, shows: str) -> dict:
        out = io.BytesIO()
        Image.new("RGB", (64, 48), tuple(zlib.crc32(shows.encode()).to_bytes(4)[:3])).save(
            out, "JPEG"
        )
        prepared = prepare_photo(out.getvalue())
        put = self.http.put(
            f"/v1/blobs/{prepared.sha256}", content=prepared.data, headers=self.as_(user)
        )
        assert put.status_code == 200, put.text
        self.photos[shows] = prepared.sha256
        return {"sha256": prepared.sha256, "stage": stage.value}

    def push(
        self, user: User, name: str, mutation_id: str | None = None, device="phone", **args
    ) -> p.MutationResult:
        self.seq += 1
        mutation = {
            "id": mutation_id or f"m{self.seq}",
            "device_id": device,
            "seq": self.seq,
            "name": name,
            "args": args,
            "created_at": datetime.now(UTC).isoformat(),
        }
        body = {"schema_version": p.SCHEMA_VERSION, "device_id": device, "mutations": [mutation]}
        answer = self.http.post("/v1/sync/push", json=body, headers=self.as_(user))
        assert answer.status_code == 200, answer.text
        return p.PushResponse.model_validate(answer.json()).results[0]

    def do(self, user: User, name: str, **args) -> None:
        result = self.push(user, name, **args)
        assert result.status == "applied", (name, result.message)

    def pull(self, user: User, cursor: str = "") -> tuple[list[p.Change], str]:
        changes: list[p.Change] = []
        while True:
            answer = self.http.get(
                "/v1/sync/pull", params={"cursor": cursor, "limit": 7}, headers=self.as_(user)
            )
            assert answer.status_code == 200, answer.text
            page = p.PullResponse.model_validate(answer.json())
            changes += page.changes
            cursor = page.cursor
            if not page.has_more:
                return changes, cursor

    def rows(self) -> dict[str, list[dict]]:
        with self.engine.connect() as conn:
            return {
                name: [dict(r) for r in conn.execute(sa.select(t)).mappings()]
                for name, t in db.SYNCED.items()
            }


def may_see(user: User, table: str, row: dict) -> bool:
    """Who owns what, written from the marketplace's rules, not from `policy`."""
    if table == "landlords":  # a landlord's rules: everyone of that landlord
        return row["id"] == user.landlord_id
    if row["landlord_id"] != user.landlord_id:
        return False
    if user.role is Role.OFFICER:
        return True
    if table == "pattern_notes":  # officers' notes on contractors
        return False
    if user.role is Role.RESIDENT:
        return {
            "homes": row["id"] == user.home_id,
            "jobs": row.get("resident_id") == user.id,
            "extras": row.get("resident_id") == user.id,
            "offers": row.get("shortlisted_for") == user.id,  # shortlisted for them to choose
        }.get(table, False)
    on_board = (
        table == "jobs"
        and row["status"] == "posted"
        and row["trade"] == "plumbing"
        and row["district"] == "M4"
    )
    owner = {"tradespeople": "id", "jobs": "awarded_to"}.get(table, "tradesperson_id")
    return table != "homes" and (row.get(owner) == user.id or on_board)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Iterator[Server]:
    world = Server(tmp_path_factory.mktemp("world"))
    world.http.close()
    world.engine.dispose()
    yield world


@pytest.fixture
def server(tmp_path, built) -> Iterator[Server]:
    world = Server(tmp_path / "copy", like=built)
    yield world
    world.http.close()
    world.engine.dispose()


def test_every_record_reaches_exactly_the_people_who_may_see_it(server):
    rows = server.rows()
    assert set(rows) == set(RECORDS)
    for table in RECORDS:
        owner = "id" if table == "landlords" else "landlord_id"
        assert {r[owner] for r in rows[table]} == set(LANDLORDS), table
    for user in EVERYONE:
        changes, _ = server.pull(user)
        got = {(c.table, c.id) for c in changes}
        expected = {(t, r["id"]) for t, rs in rows.items() for r in rs if may_see(user, t, r)}
        assert got == expected, user.id
        assert all(c.op == "upsert" for c in changes)


def test_before_award_a_tradesperson_sees_the_street_but_not_the_home_or_the_resident(server):
    north = PEOPLE["north"]
    board = {c.id: c.row for c in server.pull(north["rival"])[0] if c.table == "jobs"}
    posted = board["north-job-2"]
    assert (posted["district"], posted["street"]) == ("M4", "High St")
    for field in ("flat", "resident_id", "resident_name", "resident_phone"):
        assert posted[field] is None, field
    assert (posted["access_notes"], posted["photos"], posted["home_id"]) == ("", [], "")
    assert (posted["property_alerts"], posted["contact_preference"], posted["best_times"]) == (
        [], "", ""
    )  # fmt: skip
    mine = {c.id: c.row for c in server.pull(north["plumber"])[0] if c.table == "jobs"}
    awarded = mine["north-job-3"]
    assert (awarded["street"], awarded["flat"]) == ("14 High St", "Flat 1")
    assert awarded["access_notes"] == "Key safe code 1234" and awarded["resident_phone"]
    assert (awarded["property_alerts"], awarded["contact_preference"], awarded["best_times"]) == (
        ALERTS, "text", "after 4pm"
    )  # fmt: skip


def test_an_incremental_pull_carries_only_what_concerns_the_viewer(server):
    cursors = {u.id: server.pull(u)[1] for u in EVERYONE}
    south = PEOPLE["south"]
    server.do(south["officer"], "post_job", job_id="south-job-1", priority="routine")
    server.do(south["officer"], "award", job_id="south-job-2", offer_id="south-offer-2")
    for user in PEOPLE["north"].values():
        assert server.pull(user, cursors[user.id])[0] == [], user.id
    rival = {
        (c.table, c.id, c.op) for c in server.pull(south["rival"], cursors[south["rival"].id])[0]
    }
    # job 2 left the rival's board (a delete); job 1 arrived on it.
    assert ("jobs", "south-job-2", "delete") in rival and ("jobs", "south-job-1", "upsert") in rival
    assert all(t == "jobs" for t, _, _ in rival)
    assert server.pull(south["neighbour"], cursors[south["neighbour"].id])[0] == []


def test_photos_download_only_for_those_who_may_see_them(server):
    def status(user: User, shows: str) -> int:
        sha = server.photos[shows]
        return server.http.get(f"/v1/blobs/{sha}", headers=server.as_(user)).status_code

    n, s = PEOPLE["north"], PEOPLE["south"]
    expect = {
        "north-report-1": {"resident", "officer"},  # reported, not posted
        "north-report-2": {"resident", "officer"},  # posted: not on the board
        "north-report-3": {"resident", "officer", "plumber"},  # awarded to the plumber
        "north-extra": {"resident", "officer", "plumber"},
    }
    for shows, allowed in expect.items():
        for user in EVERYONE:
            may = user.id in {n[key].id for key in allowed}
            assert status(user, shows) == (200 if may else 404), (shows, user.id)
    assert status(s["officer"], "south-extra") == 200


def test_a_mutation_or_device_id_another_person_used_is_theirs_alone(server):
    n = PEOPLE["north"]
    first = server.push(
        n["resident"], "cancel_job", mutation_id="same-id", device="shared", job_id="north-job-1"
    )
    assert first.status == "applied"
    second = server.push(
        n["neighbour"],
        "report_repair",
        mutation_id="same-id",
        device="shared",
        job_id="neighbour-job",
        trade="plumbing",
        title="Dripping tap",
    )
    assert second.status == "applied"  # not "duplicate": the id is only unique per person
    retried = server.push(
        n["neighbour"],
        "report_repair",
        mutation_id="same-id",
        device="shared",
        job_id="neighbour-job",
        trade="plumbing",
        title="Dripping tap",
    )
    assert retried.status == "duplicate"


def test_a_photo_uploaded_by_someone_else_cannot_be_cited_even_knowing_its_hash(server):
    n = PEOPLE["north"]
    stolen = {"sha256": server.photos["north-extra"], "stage": "after"}
    result = server.push(n["rival"], "report_repair", job_id="x", trade="plumbing", title="Tap")
    assert result.code == "not_allowed"
    result = server.push(
        n["neighbour"],
        "report_repair",
        job_id="nb-1",
        trade="plumbing",
        title="Dripping tap",
        photos=[stolen],
    )
    assert (result.status, result.code) == ("rejected", "photo_missing")
    head = server.http.head(f"/v1/blobs/{stolen['sha256']}", headers=server.as_(n["neighbour"]))
    assert head.status_code == 404  # not theirs: they would have to upload it themselves


MALFORMED = {
    "seq not a number": {"seq": "abc"},
    "seq past 64 bits": {"seq": 2**64},
    "negative seq": {"seq": -1},
    "args not an object": {"args": ["job_id"]},
    "id of 200 kB": {"id": "x" * 200_000},
    "id with a slash": {"id": "../etc"},
    "no created_at": {"created_at": None},
}
REFUSED = {
    "photo without its hash": {
        "args": {
            "job_id": "j",
            "trade": "plumbing",
            "title": "Tap",
            "photos": [{"stage": "report"}],
        }
    },
    "price past 64 bits": {
        "name": "put_forward",
        "args": {
            "offer_id": "o",
            "job_id": "north-job-2",
            "price_pence": 2**70,
            "earliest_slot": SLOT,
        },
    },
    "unknown action": {"name": "burn_it_down", "args": {}},
    "job id of 10 kB": {"args": {"job_id": "j" * 10_000, "trade": "plumbing", "title": "Tap"}},
    "date that is not one": {
        "name": "put_forward",
        "args": {
            "offer_id": "o",
            "job_id": "north-job-2",
            "price_pence": 100,
            "earliest_slot": "soon",
        },
    },
}


@pytest.mark.parametrize("change", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_push_is_answered_with_a_sentence_not_a_crash(server, change):
    mutation = {
        "id": "m",
        "device_id": "d",
        "seq": 1,
        "name": "report_repair",
        "args": {"job_id": "j", "trade": "plumbing", "title": "Tap"},
        "created_at": datetime.now(UTC).isoformat(),
    } | change
    body = {"schema_version": p.SCHEMA_VERSION, "device_id": "d", "mutations": [mutation]}
    answer = server.http.post(
        "/v1/sync/push", json=body, headers=server.as_(PEOPLE["north"]["resident"])
    )
    assert answer.status_code == 422
    assert answer.json()["detail"].startswith("Please check")


@pytest.mark.parametrize("change", REFUSED.values(), ids=REFUSED.keys())
def test_a_malformed_mutation_is_refused_on_its_own_with_a_sentence(server, change):
    user = PEOPLE["north"]["resident"] if "name" not in change else PEOPLE["north"]["plumber"]
    result = server.push(user, change.get("name", "report_repair"), **change["args"])
    assert result.status == "rejected" and result.code in ("invalid", "unknown_action")
    assert result.message.endswith(".")


@pytest.mark.parametrize("cursor", ["abc.def", "nope", "1.99999999999999999999", ".", "9" * 30])
def test_a_cursor_the_server_did_not_issue_starts_the_device_again(server, cursor):
    answer = server.http.get(
        "/v1/sync/pull", params={"cursor": cursor}, headers=server.as_(PEOPLE["north"]["officer"])
    )
    assert answer.status_code == 200 and answer.json()["reset"] is True


def test_a_shortlist_reaches_its_resident_only_and_the_deadline_awards_the_top_of_it(server):
    n, s = PEOPLE["north"], PEOPLE["south"]
    server.do(n["rival"], "put_forward", offer_id="north-offer-r2", job_id="north-job-2",
              price_pence=8_000, earliest_slot=SLOT)  # fmt: skip
    cursors = {u.id: server.pull(u)[1] for u in EVERYONE}
    listed = ["north-offer-2", "north-offer-r2"]
    server.do(n["officer"], "shortlist", job_id="north-job-2", offer_ids=listed)
    offers = {c.id: c.row for c in server.pull(n["resident"])[0] if c.table == "offers"}
    assert set(offers) == set(listed), "the resident sees the shortlist, nothing else"
    assert all(o["summary"] and o["parts"] == [] for o in offers.values())
    assert all(o["price_pence"] == 0 and o["note"] == "" for o in offers.values()), "no prices"
    for user in (n["neighbour"], *s.values()):
        assert server.pull(user, cursors[user.id])[0] == [], user.id
    plumber = {c.id for c in server.pull(n["plumber"])[0] if c.table == "offers"}
    assert "north-offer-r2" not in plumber, "a rival's offer stays theirs"

    later = datetime.now(UTC) + timedelta(hours=49)
    assert sync_service.settle_due(server.engine, later) == ["north-job-2"]
    assert sync_service.settle_due(server.engine, later) == [], "settled once"
    job = next(c.row for c in server.pull(n["resident"])[0] if c.id == "north-job-2")
    assert job["status"] == "awarded"
    assert job["award_reason"].startswith("Top-ranked on the shortlist")
    rival = {c.id: c.row for c in server.pull(n["rival"])[0] if c.table == "offers"}
    assert rival["north-offer-r2"]["explanation"] and rival["north-offer-r2"]["parts"]
    for user in s.values():
        assert server.pull(user, cursors[user.id])[0] == [], user.id


def test_a_resident_chooses_through_the_server_before_the_deadline(server):
    n = PEOPLE["north"]
    server.do(n["officer"], "shortlist", job_id="north-job-2", offer_ids=["north-offer-2"])
    refused = server.push(
        n["neighbour"], "choose_offer", job_id="north-job-2", offer_id="north-offer-2"
    )
    assert (refused.status, refused.code) == ("rejected", "not_found")
    server.do(n["resident"], "choose_offer", job_id="north-job-2", offer_id="north-offer-2")
    job = next(c.row for c in server.pull(n["plumber"])[0] if c.id == "north-job-2")
    assert (job["awarded_to"], job["award_reason"]) == (n["plumber"].id, "Chosen by the resident.")


def test_when_a_tradespersons_view_changes_their_device_starts_again(server):
    n = PEOPLE["north"]
    rival = n["rival"]
    before, cursor = server.pull(rival)
    assert ("jobs", "north-job-2") in {(c.table, c.id) for c in before}, "on their board"
    slot = datetime.now(UTC).date() + timedelta(days=365)
    server.do(rival, "submit_profile", business_name="Rival Ltd", trades=["plumbing"],
              districts=["E8"], working_days=[0, 1, 2], insurance_expires=slot.isoformat(),
              photos=[server.photo(rival, PhotoStage.REPORT, "rival-insurance")])  # fmt: skip
    first = server.http.get(
        "/v1/sync/pull", params={"cursor": cursor, "limit": 7}, headers=server.as_(rival)
    ).json()
    assert first["reset"], "a changed view starts the device again, keeping its unsent work"
    after, cursor = server.pull(rival, cursor)  # pages through to the end, no loop
    assert ("jobs", "north-job-2") not in {(c.table, c.id) for c in after}, "off their board"
    assert server.pull(rival, cursor)[0] == [], "and then only what changes"
