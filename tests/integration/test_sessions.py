"""Sessions and hostile traffic, through the server's HTTP API in-process: sessions that
expire and can be ended, suspension, a sign-in rate limit that says how long to wait,
sign-in that takes as long for unknown emails as for known ones, body limits applied
before reading, a daily photo quota, text others would see kept clean, and security
headers on every answer."""

from __future__ import annotations

import asyncio
import io
import statistics
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from PIL import Image

from app.domain.models import Role
from app.photos import prepare_photo
from app.sync import protocol as p
from server_stub import db, photo_store, security
from server_stub.app import create_app
from server_stub.security import RateLimit

PASSWORD = "a long passphrase"
USERS = {
    "officer": ("officer@north.test", Role.OFFICER, "north"),
    "plumber": ("plumber@north.test", Role.TRADESPERSON, "north"),
    "resident": ("resident@north.test", Role.RESIDENT, "north"),
    "south-officer": ("officer@south.test", Role.OFFICER, "south"),
    "demo": ("someone@demo.test", Role.RESIDENT, "north"),
}


class Api:
    def __init__(self, tmp_path, demo: bool = False) -> None:
        tmp_path.mkdir(parents=True, exist_ok=True)
        self.engine = db.create_engine(f"sqlite:///{tmp_path / 'server.db'}")
        self.app = create_app(self.engine, tmp_path / "blobs", demo=demo)
        self.http = TestClient(self.app)
        hashed = security.hash_password(PASSWORD)
        with self.engine.begin() as conn:
            for key, (email, role, landlord) in USERS.items():
                conn.execute(
                    db.users.insert().values(
                        id=key, email=email, name=key, role=role.value, landlord_id=landlord,
                        password_hash=hashed, demo=key == "demo",
                    )
                )  # fmt: skip

    def login(self, key: str, password: str = PASSWORD, **kw):
        return self.http.post(
            "/v1/auth/login", json={"email": USERS[key][0], "password": password}, **kw
        )

    def token(self, key: str) -> dict:
        answer = self.login(key)
        assert answer.status_code == 200, answer.text
        return {"Authorization": f"Bearer {answer.json()['token']}"}

    def me(self, auth: dict) -> int:
        return self.http.get("/v1/me", headers=auth).status_code

    def age_sessions(self, **changes) -> None:
        with self.engine.begin() as conn:
            conn.execute(db.tokens.update().values(**changes))


@pytest.fixture
def api(tmp_path) -> Iterator[Api]:
    made = Api(tmp_path)
    yield made
    made.http.close()
    made.engine.dispose()


def test_a_session_unused_for_30_days_has_expired(api):
    auth = api.token("resident")
    assert api.me(auth) == 200
    api.age_sessions(last_used_at=datetime.now(UTC) - timedelta(days=31))
    answer = api.http.get("/v1/me", headers=auth)
    assert answer.status_code == 401
    assert answer.json()["detail"] == "Your sign-in has expired. Please sign in again."


def test_a_session_in_daily_use_still_ends_at_its_absolute_limit(api):
    auth = api.token("resident")
    api.age_sessions(created_at=datetime.now(UTC) - timedelta(days=91),
                     expires_at=datetime.now(UTC) - timedelta(days=1))  # fmt: skip
    assert api.me(auth) == 401


def test_use_slides_the_idle_limit_forward(api):
    auth = api.token("resident")
    api.age_sessions(last_used_at=datetime.now(UTC) - timedelta(days=29))
    assert api.me(auth) == 200  # touched now
    with api.engine.connect() as conn:
        used = conn.execute(sa.select(db.tokens.c.last_used_at)).scalar()
    assert used.replace(tzinfo=UTC) > datetime.now(UTC) - timedelta(minutes=1)


def test_signing_out_ends_that_session_and_no_other(api):
    phone, laptop = api.token("officer"), api.token("officer")
    assert api.http.post("/v1/auth/logout", headers=phone).status_code == 204
    assert api.me(phone) == 401
    assert api.me(laptop) == 200


def test_a_person_sees_their_sessions_and_ends_a_lost_phones(api):
    phone = api.token("plumber")
    laptop = {**api.token("plumber")}
    listed = [p.SessionInfo.model_validate(s) for s in api.http.get(
        "/v1/auth/sessions", headers=laptop).json()]  # fmt: skip
    assert len(listed) == 2 and sum(s.current for s in listed) == 1
    lost = next(s for s in listed if not s.current)
    assert api.http.delete(f"/v1/auth/sessions/{lost.id}", headers=laptop).status_code == 204
    assert api.me(phone) == 401 and api.me(laptop) == 200
    # Another person's session id is not theirs to end.
    other = api.token("resident")
    mine = api.http.get("/v1/auth/sessions", headers=other).json()[0]["id"]
    assert api.http.delete(f"/v1/auth/sessions/{mine}", headers=laptop).status_code == 404
    assert api.me(other) == 200


def test_an_officer_suspends_a_tradesperson_whose_sessions_end_at_once(api):
    trade = api.token("plumber")
    assert (
        api.http.post("/v1/users/plumber/suspend", headers=api.token("resident")).status_code == 403
    )
    south = api.token("south-officer")
    assert api.http.post("/v1/users/plumber/suspend", headers=south).status_code == 404
    assert (
        api.http.post("/v1/users/plumber/suspend", headers=api.token("officer")).status_code == 204
    )
    assert api.me(trade) == 401
    again = api.login("plumber")
    assert (again.status_code, again.json()["detail"]) == (
        403, "This account is suspended. Please contact your landlord.",
    )  # fmt: skip


def test_too_many_wrong_passwords_are_refused_with_the_time_to_wait(api):
    for _ in range(5):
        assert api.login("officer", "guess").status_code == 401
    blocked = api.login("officer")  # even the right password, for now
    assert blocked.status_code == 429
    assert blocked.json()["detail"] == "Too many sign-in attempts. Try again in 15 minutes."
    assert 850 <= int(blocked.headers["retry-after"]) <= 900
    assert api.login("resident").status_code == 200  # other accounts are not locked out


def test_one_address_guessing_many_accounts_is_limited_too(api):
    api.app.state.sign_in_limits["address"] = RateLimit(limit=8, window=900)
    for n in range(8):
        api.http.post("/v1/auth/login", json={"email": f"nobody{n}@x.test", "password": "x"})
    assert api.login("resident").status_code == 429


def test_demo_accounts_sign_in_only_on_a_demo_server(api, tmp_path):
    assert api.login("demo").status_code == 401
    demo = Api(tmp_path / "demo", demo=True)
    assert demo.login("demo").status_code == 200


def test_sign_in_takes_as_long_for_an_unknown_email_as_for_a_known_one(tmp_path, monkeypatch):
    """Measured as a ratio of medians over 20 tries each, not against a clock."""
    monkeypatch.setattr(security, "_hasher", PasswordHasher(time_cost=2, memory_cost=16_384))
    monkeypatch.setattr(security, "_dummy_hash", None)
    api = Api(tmp_path)
    api.app.state.sign_in_limits = {k: RateLimit(10_000, 1) for k in ("account", "address")}

    def took(email: str) -> float:
        start = time.perf_counter()
        answer = api.http.post("/v1/auth/login", json={"email": email, "password": "wrong"})
        assert answer.status_code == 401
        return time.perf_counter() - start

    took("warm@up.test")
    times: dict[str, list[float]] = {"known": [], "unknown": []}
    for _ in range(20):  # side by side, so that other load on the machine falls on both
        times["known"].append(took(USERS["officer"][0]))
        times["unknown"].append(took("nobody@north.test"))
    known, unknown = (statistics.median(times[k]) for k in ("known", "unknown"))
    assert 0.8 <= unknown / known <= 1.25, (known, unknown)


def _raw(app, method: str, path: str, headers: dict, chunks: list[bytes], auth: dict) -> tuple:
    """Call the app as a server would, counting the body chunks it reads."""
    read, sent = 0, []
    scope = {
        "type": "http", "method": method, "path": path, "raw_path": path.encode(),
        "query_string": b"", "root_path": "", "scheme": "http", "server": ("t", 80),
        "client": ("10.0.0.1", 1), "http_version": "1.1",
        "headers": [(k.lower().encode(), v.encode()) for k, v in {**headers, **auth}.items()],
    }  # fmt: skip

    async def receive():
        nonlocal read
        read += 1
        if read <= len(chunks):
            return {"type": "http.request", "body": chunks[read - 1],
                    "more_body": read < len(chunks)}  # fmt: skip
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent[0]["status"], read


def test_a_photo_declaring_200_mb_is_refused_before_a_byte_is_read(api):
    auth = api.token("resident")
    status, read = _raw(api.app, "PUT", "/v1/blobs/" + "a" * 64,
                        {"content-length": str(200 * 1024 * 1024)}, [b"x"] * 10, auth)  # fmt: skip
    assert (status, read) == (413, 0)


def test_a_photo_streaming_past_the_limit_is_cut_off(api):
    auth = api.token("resident")
    megabyte = b"x" * (1024 * 1024)
    status, read = _raw(api.app, "PUT", "/v1/blobs/" + "a" * 64, {}, [megabyte] * 50, auth)
    assert status == 413 and read <= 9  # stopped after the 8 MB limit, not 50


def test_a_sign_in_body_past_4_kb_is_refused(api):
    answer = api.http.post("/v1/auth/login", json={"email": "x@y.z", "password": "p" * 10_000})
    assert answer.status_code == 413


def test_a_push_of_more_mutations_than_allowed_is_refused_whole(api):
    created = datetime.now(UTC).isoformat()
    mutations = [{"id": f"m{n}", "device_id": "d", "seq": n, "name": "rate_job", "args": {},
                  "created_at": created} for n in range(p.MAX_MUTATIONS + 1)]  # fmt: skip
    body = {"schema_version": p.SCHEMA_VERSION, "device_id": "d", "mutations": mutations}
    answer = api.http.post("/v1/sync/push", json=body, headers=api.token("resident"))
    assert answer.status_code == 422


def test_a_daily_photo_quota_per_person(api, monkeypatch):
    monkeypatch.setattr(photo_store, "DAILY_QUOTA", 2)
    auth = api.token("resident")
    statuses = []
    for colour in ("red", "green", "blue"):
        out = io.BytesIO()
        Image.new("RGB", (40, 30), colour).save(out, "JPEG")
        photo = prepare_photo(out.getvalue())
        statuses.append(api.http.put(f"/v1/blobs/{photo.sha256}", content=photo.data, headers=auth))
    assert [s.status_code for s in statuses] == [200, 200, 429]
    assert "photos today" in statuses[2].json()["detail"]


@pytest.mark.parametrize("title", ["Tap \u202eexe.txt", "Tap\x00drip", "Tap\x1b[31m"])
def test_text_others_would_see_with_hidden_characters_is_refused(api, title):
    mutation = {"id": "m1", "device_id": "d", "seq": 1, "name": "report_repair",
                "args": {"job_id": "j1", "trade": "plumbing", "title": title},
                "created_at": datetime.now(UTC).isoformat()}  # fmt: skip
    body = {"schema_version": p.SCHEMA_VERSION, "device_id": "d", "mutations": [mutation]}
    answer = api.http.post("/v1/sync/push", json=body, headers=api.token("resident"))
    result = answer.json()["results"][0]
    assert (result["status"], result["code"]) == ("rejected", "invalid")
    assert result["message"].startswith("Please check the title: it has characters")


def test_every_answer_carries_security_headers_and_no_cors(api):
    for answer in (
        api.http.get("/v1/health", headers={"Origin": "https://evil.example"}),
        api.http.get("/v1/me"),
        api.login("resident", "wrong"),
    ):
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["x-frame-options"] == "DENY"
        assert "access-control-allow-origin" not in answer.headers


def test_a_method_the_address_does_not_take_names_every_one_it_does(api):
    answer = api.http.delete("/v1/blobs/" + "a" * 64, headers=api.token("resident"))
    assert answer.status_code == 405
    assert set(answer.headers["allow"].split(", ")) == {"GET", "HEAD", "PUT"}
