"""Shared fixtures: a real server on a real loopback port, with its own SQLite file; a
server database engine with the demo data on SQLite and, when `REPAIRS_TEST_PG_URL` names
a PostgreSQL server (an account that may create databases), on PostgreSQL too."""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
import sqlalchemy as sa
import uvicorn
from keyring.backend import KeyringBackend

from server_stub import db, demo, security
from server_stub.__main__ import build

# Before anything hashes a password: argon2 at its cheapest, so that seeding and every
# sign-in in the tests cost microseconds instead of a tenth of a second each.
security.use_test_hasher()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed_database(path: Path) -> Path:
    """One server database with the demo data, as a single self-contained file to copy."""
    engine = db.create_engine(f"sqlite:///{path}")
    demo.seed(engine)
    engine.dispose()
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=DELETE")  # fold the WAL in: the file alone is the database
    con.close()
    return path


PG_URL = os.environ.get("REPAIRS_TEST_PG_URL")  # e.g. postgresql+psycopg://postgres@host/postgres


@pytest.fixture(params=["sqlite", "postgresql"])
def server_engine(request, tmp_path: Path, seeded_server_db: Path) -> Iterator[sa.Engine]:
    """The server's engine over a database of its own holding the demo data."""
    if request.param == "sqlite":
        copy_database(seeded_server_db, tmp_path / "server.db")
        engine = db.create_engine(f"sqlite:///{tmp_path / 'server.db'}")
        yield engine
        engine.dispose()
        return
    if not PG_URL:
        pytest.skip("PostgreSQL: set REPAIRS_TEST_PG_URL to run these on it too")
    name = f"test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    engine = db.create_engine(url)
    try:
        demo.seed(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.dispose()


def copy_database(template: Path, path: Path) -> None:
    """A copy of the seeded database that is a server of its own: a new epoch, so that a
    client of one test's server can never mistake another's cursor for its own."""
    shutil.copyfile(template, path)
    con = sqlite3.connect(path)
    with con:
        changed = con.execute(
            "UPDATE meta SET value = ? WHERE key = 'epoch'", (uuid.uuid4().hex[:12],)
        ).rowcount
    con.close()
    assert changed == 1, "the server's meta table no longer keeps its epoch under 'epoch'"


class LiveServer:
    def __init__(self, root: Path, port: int | None = None, template: Path | None = None) -> None:
        """A server on `root/server.db`; a new one starts as a copy of `template` (already
        seeded) when given, and is seeded by `build` otherwise."""
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        if template is not None and not (root / "server.db").exists():
            copy_database(template, root / "server.db")
        app = build(f"sqlite:///{root / 'server.db'}", root / "blobs")
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:  # set once the socket listens and startup is done
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.002)
        return self

    def stop(self, wait: bool = True) -> None:
        """Ask the server to exit; `wait` for it (and its port) unless nothing follows."""
        self.server.should_exit = True
        if wait:
            self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def seeded_server_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo data, seeded once per session; each server starts from a copy."""
    return seed_database(tmp_path_factory.mktemp("seeded") / "server.db")


@pytest.fixture(scope="session")
def stopping_servers() -> Iterator[list[LiveServer]]:
    """Servers told to exit after their test: uvicorn takes 0.1-0.2 s to wind down, so
    they do it while the next tests run, and the session waits for them all at its end."""
    stopping: list[LiveServer] = []
    yield stopping
    for live in stopping:
        live.stop()


@pytest.fixture
def server(
    tmp_path: Path, seeded_server_db: Path, stopping_servers: list[LiveServer]
) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path / "server", template=seeded_server_db).start()
    yield live
    live.stop(wait=False)
    stopping_servers.append(live)


class MemoryKeyring(KeyringBackend):
    """A keyring for tests, so that each test starts with nothing kept."""

    priority = 1

    def __init__(self) -> None:
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.secrets.get((service, username))

    def set_password(self, service, username, password):
        self.secrets[(service, username)] = password

    def delete_password(self, service, username):
        self.secrets.pop((service, username), None)


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(previous)
