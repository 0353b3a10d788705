"""The server over real HTTP: bad input gets a 4xx and a sentence and changes nothing;
an older client schema is still served; each mutation applies exactly once."""

from __future__ import annotations

import io
import sqlite3
import uuid
from datetime import UTC, datetime

import httpx
import pytest
from PIL import Image

from app.photos import prepare_photo
from app.sync import protocol as p
from server_stub.demo import DEMO_ACCOUNTS, DEMO_PASSWORD


def signed_in(server, who: str) -> httpx.Client:
    http = httpx.Client(base_url=server.url)
    login = http.post(
        "/v1/auth/login", json={"email": DEMO_ACCOUNTS[who], "password": DEMO_PASSWORD}
    )
    http.headers["Authorization"] = f"Bearer {login.json()['token']}"
    return http


@pytest.fixture
def resident(server) -> httpx.Client:
    return signed_in(server, "resident")


def mutation(name: str, seq: int, **args) -> dict:
    return p.Mutation(
        id=str(uuid.uuid4()),
        device_id="device-1",
        seq=seq,
        name=name,
        args=args,
        created_at=datetime.now(UTC),
    ).model_dump(mode="json")


def push(http: httpx.Client, *mutations: dict, schema: int = p.SCHEMA_VERSION) -> httpx.Response:
    return http.post(
        "/v1/sync/push",
        json={"schema_version": schema, "device_id": "device-1", "mutations": list(mutations)},
    )


def photo() -> str:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), "teal").save(out, "JPEG")
    return prepare_photo(out.getvalue())


def test_a_retried_push_is_answered_duplicate_and_applied_once(server, resident):
    m = mutation(
        "report_repair", 1, job_id=str(uuid.uuid4()), trade="plumbing", title="Dripping shower"
    )
    first, again = push(resident, m).json(), push(resident, m).json()
    assert first["results"][0]["status"] == "applied"
    assert again["results"][0]["status"] == "duplicate"
    db = sqlite3.connect(server.root / "server.db")
    assert db.execute("SELECT count(*) FROM jobs WHERE title = 'Dripping shower'").fetchone() == (
        1,
    )


def test_the_same_mutation_twice_in_one_request_applies_once(server, resident):
    m = mutation(
        "report_repair", 1, job_id=str(uuid.uuid4()), trade="glazing", title="Draughty window"
    )
    statuses = [r["status"] for r in push(resident, m, m).json()["results"]]
    assert statuses == ["applied", "duplicate"]


def test_a_version_one_client_with_bare_photo_hashes_is_still_served(server, resident):
    prepared = photo()
    assert resident.put(f"/v1/blobs/{prepared.sha256}", content=prepared.data).status_code == 200
    job_id = str(uuid.uuid4())
    m = mutation(
        "report_repair",
        1,
        job_id=job_id,
        trade="glazing",
        title="Cracked pane",
        photos=[prepared.sha256],
    )
    assert push(resident, m, schema=1).json()["results"][0]["status"] == "applied"
    changes, cursor, more = [], "", True
    while more:  # the demo data is more than one page
        params = {"schema_version": 1, "limit": 5000, "cursor": cursor}
        pulled = resident.get("/v1/sync/pull", params=params).json()
        assert pulled["schema_version"] == 1
        changes, cursor, more = changes + pulled["changes"], pulled["cursor"], pulled["has_more"]
    job = next(c["row"] for c in changes if c["id"] == job_id)
    assert job["photos"] == [prepared.sha256]


def test_an_unknown_schema_is_told_to_update(resident):
    response = push(resident, schema=99)
    assert response.status_code == 426 and "update" in response.json()["detail"]


def test_bad_input_gets_a_sentence_and_changes_nothing(server, resident):
    response = resident.post("/v1/sync/push", json={"schema_version": 2})
    assert response.status_code == 422 and response.json()["detail"].startswith("Please check")
    bad = mutation("report_repair", 1, job_id="x", trade="wizardry", title="Spell broken")
    result = push(resident, bad).json()["results"][0]
    assert result["status"] == "rejected" and result["message"].startswith("Please check")
    assert resident.get("/v1/sync/pull", params={"limit": 0}).status_code == 422
    assert resident.get("/v1/sync/pull", headers={"Authorization": "Bearer nope"}).json() == {
        "detail": "Your sign-in has expired. Please sign in again."
    }
    db = sqlite3.connect(server.root / "server.db")
    assert db.execute("SELECT count(*) FROM jobs WHERE title = 'Spell broken'").fetchone() == (0,)


def test_a_blob_that_is_not_a_photo_or_does_not_match_its_name_is_refused(server, resident):
    text = b"not a photo at all"
    import hashlib

    sha = hashlib.sha256(text).hexdigest()
    refused = resident.put(f"/v1/blobs/{sha}", content=text)
    assert refused.status_code == 422 and refused.json()["detail"]
    prepared = photo()
    wrong_name = resident.put(f"/v1/blobs/{'0' * 64}", content=prepared.data)
    assert wrong_name.status_code == 422
    assert (
        resident.put("/v1/blobs/not-a-hash", content=prepared.data).status_code == 422
    )  # its name must be a SHA-256
    assert not any(p.is_file() for p in (server.root / "blobs").rglob("*"))


def test_an_unknown_cursor_gets_a_reset(resident):
    page = resident.get("/v1/sync/pull", params={"cursor": "someoneelse.12"}).json()
    assert page["reset"] is True and page["changes"]


def test_a_pull_is_sent_compressed_to_a_client_that_takes_gzip(server):
    """Pull bodies are compressed on the wire (httpx asks for gzip and undoes it): an
    officer's first page (a resident's holds only their own few rows)."""
    officer = signed_in(server, "officer")
    params = {"schema_version": p.SCHEMA_VERSION, "limit": 500}
    answer = officer.get("/v1/sync/pull", params=params)
    assert answer.status_code == 200
    assert answer.headers["content-encoding"] == "gzip"
    assert int(answer.headers["content-length"]) < len(answer.content) * 0.6
    plain = officer.get("/v1/sync/pull", params=params, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert p.PullResponse.model_validate_json(plain.content) == p.PullResponse.model_validate_json(
        answer.content
    )
