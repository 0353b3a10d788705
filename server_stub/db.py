"""Server storage: tables, the engine, and the change sequence that drives pull.

Every synced row carries `seq`, the value of one server-wide counter at its last change.
Pull cursors are positions in that sequence, never a device clock."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy import event

metadata = sa.MetaData()

landlords = sa.Table(
    "landlords",
    metadata,
    sa.Column("id", sa.String, primary_key=True),
    sa.Column("name", sa.String, nullable=False),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.String, primary_key=True),
    sa.Column("email", sa.String, nullable=False, unique=True),
    sa.Column("name", sa.String, nullable=False),
    sa.Column("role", sa.String, nullable=False),
    sa.Column("landlord_id", sa.String, nullable=False),
    sa.Column("home_id", sa.String),
    sa.Column("phone", sa.String),
    sa.Column("password_hash", sa.String, nullable=False),
)

tokens = sa.Table(
    "tokens",
    metadata,
    sa.Column("token_hash", sa.String, primary_key=True),
    sa.Column("user_id", sa.String, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)


def _synced(name: str, *columns: sa.Column) -> sa.Table:
    return sa.Table(
        name,
        metadata,
        sa.Column("id", sa.String, primary_key=True),
        *columns,
        sa.Column("seq", sa.Integer, nullable=False, index=True),
    )


homes = _synced(
    "homes",
    sa.Column("landlord_id", sa.String, nullable=False),
    sa.Column("street", sa.String, nullable=False),
    sa.Column("flat", sa.String, nullable=False),
    sa.Column("postcode", sa.String, nullable=False),
    sa.Column("district", sa.String, nullable=False),
)

tradespeople = _synced(
    "tradespeople",
    sa.Column("landlord_id", sa.String, nullable=False),
    sa.Column("name", sa.String, nullable=False),
    sa.Column("business_name", sa.String, nullable=False),
    sa.Column("trades", sa.JSON, nullable=False),
    sa.Column("districts", sa.JSON, nullable=False),
    sa.Column("certificates", sa.JSON, nullable=False),
    sa.Column("insurance_expires", sa.Date),
    sa.Column("small_local", sa.Boolean, nullable=False),
)

jobs = _synced(
    "jobs",
    sa.Column("landlord_id", sa.String, nullable=False, index=True),
    sa.Column("home_id", sa.String, nullable=False),
    sa.Column("trade", sa.String, nullable=False),
    sa.Column("title", sa.String, nullable=False),
    sa.Column("description", sa.String, nullable=False),
    sa.Column("location", sa.String, nullable=False),
    sa.Column("access_notes", sa.String, nullable=False),
    sa.Column("status", sa.String, nullable=False, index=True),
    sa.Column("priority", sa.String),
    sa.Column("damp_and_mould", sa.Boolean, nullable=False),
    sa.Column("award_mode", sa.String, nullable=False),
    sa.Column("fixed_price_pence", sa.Integer),
    sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("target_at", sa.DateTime(timezone=True)),
    sa.Column("awarded_to", sa.String, index=True),
    sa.Column("awarded_offer_id", sa.String),
    sa.Column("started_at", sa.DateTime(timezone=True)),
    sa.Column("completed_at", sa.DateTime(timezone=True)),
    sa.Column("completion_notes", sa.String, nullable=False),
    sa.Column("parent_id", sa.String),
    sa.Column("rating_speed", sa.Integer),
    sa.Column("rating_quality", sa.Integer),
    sa.Column("review", sa.String, nullable=False),
    sa.Column("photos", sa.JSON, nullable=False),
    sa.Column("district", sa.String, nullable=False),
    sa.Column("street", sa.String, nullable=False),
    sa.Column("flat", sa.String),
    sa.Column("resident_id", sa.String, index=True),
    sa.Column("resident_name", sa.String),
    sa.Column("resident_phone", sa.String),
)

offers = _synced(
    "offers",
    sa.Column("job_id", sa.String, nullable=False, index=True),
    sa.Column("tradesperson_id", sa.String, nullable=False, index=True),
    sa.Column("business_name", sa.String, nullable=False),
    sa.Column("price_pence", sa.Integer, nullable=False),
    sa.Column("earliest_slot", sa.Date, nullable=False),
    sa.Column("note", sa.String, nullable=False),
    sa.Column("status", sa.String, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

visits = _synced(
    "visits",
    sa.Column("job_id", sa.String, nullable=False, index=True),
    sa.Column("tradesperson_id", sa.String, nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("outcome", sa.String, nullable=False),
    sa.Column("notes", sa.String, nullable=False),
    sa.Column("photos", sa.JSON, nullable=False),
)

# Exactly once: every mutation a device sent, and what came of it, recorded in the same
# transaction as its effect.
mutations = sa.Table(
    "mutations",
    metadata,
    sa.Column("id", sa.String, primary_key=True),
    sa.Column("device_id", sa.String, nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("user_id", sa.String, nullable=False),
    sa.Column("name", sa.String, nullable=False),
    sa.Column("status", sa.String, nullable=False),
    sa.Column("code", sa.String, nullable=False),
    sa.Column("message", sa.String, nullable=False),
)

devices = sa.Table(
    "devices",
    metadata,
    sa.Column("id", sa.String, primary_key=True),
    sa.Column("user_id", sa.String, nullable=False),
    sa.Column("last_seq", sa.Integer, nullable=False),
)

blobs = sa.Table(
    "blobs",
    metadata,
    sa.Column("sha256", sa.String, primary_key=True),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("width", sa.Integer, nullable=False),
    sa.Column("height", sa.Integer, nullable=False),
    sa.Column("uploaded_by", sa.String, nullable=False),
)

meta = sa.Table(
    "meta",
    metadata,
    sa.Column("key", sa.String, primary_key=True),
    sa.Column("value", sa.String, nullable=False),
)

SYNCED = {t.name: t for t in (homes, tradespeople, jobs, offers, visits)}


def create_engine(url: str) -> sa.Engine:
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        _sqlite_pragmas(engine)
    else:
        engine = sa.create_engine(url, pool_pre_ping=True)
    metadata.create_all(engine)
    with engine.begin() as conn:
        if conn.execute(sa.select(meta.c.value).where(meta.c.key == "epoch")).first() is None:
            conn.execute(
                meta.insert(),
                [{"key": "epoch", "value": uuid.uuid4().hex[:12]}, {"key": "seq", "value": "0"}],
            )
    return engine


def _sqlite_pragmas(engine: sa.Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        # Writers take the lock up front so two of them queue instead of deadlocking;
        # readers get a snapshot and never wait.
        reading = conn.get_execution_options().get("reading", False)
        conn.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


def reading(engine: sa.Engine) -> sa.Connection:
    """A connection for reads only: one consistent snapshot, no write lock."""
    return engine.connect().execution_options(reading=True)


def epoch(conn: sa.Connection) -> str:
    return conn.execute(sa.select(meta.c.value).where(meta.c.key == "epoch")).scalar_one()


def current_seq(conn: sa.Connection) -> int:
    return int(conn.execute(sa.select(meta.c.value).where(meta.c.key == "seq")).scalar_one())


def next_seq(conn: sa.Connection) -> int:
    """Advance the change sequence; call inside the write transaction it numbers."""
    value = current_seq(conn) + 1
    conn.execute(meta.update().where(meta.c.key == "seq").values(value=str(value)))
    return value
