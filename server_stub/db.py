"""Server storage: tables, the engine, and the change sequence that drives pull.

The synced records' tables are built from the domain's registry (`RECORDS`), one column
a field. Every synced row carries `seq`, the value of one server-wide counter at its last
change. Pull cursors are positions in that sequence, never a device clock."""

from __future__ import annotations

from datetime import date, datetime
from types import UnionType
from typing import Annotated, Union, get_args, get_origin

import sqlalchemy as sa
from pydantic.fields import FieldInfo
from sqlalchemy import event

from app.domain.records import RECORDS, TABLE_OF, Kind, Record

metadata = sa.MetaData()

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
    sa.Column("demo", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("suspended_at", sa.DateTime(timezone=True)),
)

# Sessions: a token is stored only as its SHA-256; `id` names the session to its owner.
# It ends when unused for a while, at its absolute limit, or when revoked.
tokens = sa.Table(
    "tokens",
    metadata,
    sa.Column("token_hash", sa.String, primary_key=True),
    sa.Column("user_id", sa.String, nullable=False, index=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("id", sa.String),
    sa.Column("label", sa.String),
    sa.Column("last_used_at", sa.DateTime(timezone=True)),
    sa.Column("expires_at", sa.DateTime(timezone=True)),
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
)


def _column(name: str, field: FieldInfo) -> sa.Column:
    """A record field's server column, typed from its annotation."""
    annotation, nullable = field.annotation, False
    if get_origin(annotation) in (Union, UnionType) and type(None) in get_args(annotation):
        nullable = True
        annotation = next(a for a in get_args(annotation) if a is not type(None))
    if get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if get_origin(annotation) in (list, dict):
        kind: sa.types.TypeEngine = sa.JSON()
    elif annotation is bool:
        kind = sa.Boolean()
    elif annotation is int:
        kind = sa.BigInteger()
    elif annotation is datetime:
        kind = sa.DateTime(timezone=True)
    elif annotation is date:
        kind = sa.Date()
    else:
        kind = sa.String()
    return sa.Column(name, kind, primary_key=name == "id", nullable=nullable)


def _synced(kind: Kind) -> sa.Table:
    """A record's server table, built from its model: one column a field, and `seq`."""
    fields = kind.model.model_fields
    return sa.Table(
        kind.table,
        metadata,
        *(_column(name, field) for name, field in fields.items()),
        sa.Column("seq", sa.BigInteger, nullable=False, index=True),
        *(sa.Index(f"{kind.table}_{col}", col) for col in kind.indexed),
    )


SYNCED = {name: _synced(kind) for name, kind in RECORDS.items()}
_JSON = {
    name: [c.name for c in t.columns if isinstance(c.type, sa.JSON)] for name, t in SYNCED.items()
}


def values_of(record: Record) -> dict:
    """A record as its table's row: Python values, JSON columns as JSON-ready values."""
    values = record.model_dump(mode="python")
    columns = _JSON[TABLE_OF[type(record)]]
    if columns:
        as_json = record.model_dump(mode="json", include=set(columns))
        values.update(as_json)
    return values


# Who saw a row before its last change and not after: pull sends them a delete, and
# nobody else learns that the row exists.
departures = sa.Table(
    "departures",
    metadata,
    sa.Column("seq", sa.BigInteger, nullable=False, index=True),
    sa.Column("tbl", sa.String, nullable=False),
    sa.Column("id", sa.String, nullable=False),
    sa.Column("audience", sa.String, nullable=False),
)

# Which records cite each photo, so a download is allowed to those who may see one.
photo_refs = sa.Table(
    "photo_refs",
    metadata,
    sa.Column("sha256", sa.String, primary_key=True),
    sa.Column("tbl", sa.String, primary_key=True),
    sa.Column("id", sa.String, primary_key=True),
)

# Exactly once: every mutation a device sent, and what came of it, recorded in the same
# transaction as its effect.
# Mutation and device ids are chosen by devices, so they are unique per user only.
mutations = sa.Table(
    "mutations",
    metadata,
    sa.Column("user_id", sa.String, primary_key=True),
    sa.Column("id", sa.String, primary_key=True),
    sa.Column("device_id", sa.String, nullable=False),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("name", sa.String, nullable=False),
    sa.Column("status", sa.String, nullable=False),
    sa.Column("code", sa.String, nullable=False),
    sa.Column("message", sa.String, nullable=False),
)

devices = sa.Table(
    "devices",
    metadata,
    sa.Column("user_id", sa.String, primary_key=True),
    sa.Column("id", sa.String, primary_key=True),
    sa.Column("last_seq", sa.BigInteger, nullable=False),
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

# Whose photo each blob is: everyone who uploaded those bytes. Only they may cite it.
blob_owners = sa.Table(
    "blob_owners",
    metadata,
    sa.Column("sha256", sa.String, primary_key=True),
    sa.Column("user_id", sa.String, primary_key=True),
    sa.Column("uploaded_at", sa.DateTime(timezone=True), index=True),
)

meta = sa.Table(
    "meta",
    metadata,
    sa.Column("key", sa.String, primary_key=True),
    sa.Column("value", sa.String, nullable=False),
)

jobs, offers, landlords = SYNCED["jobs"], SYNCED["offers"], SYNCED["landlords"]


def create_engine(url: str) -> sa.Engine:
    """The engine for `url`, with the schema brought up to date (see `migrations`)."""
    from server_stub import migrations

    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        _sqlite_pragmas(engine)
    else:
        parsed = sa.make_url(url)
        if parsed.drivername in ("postgres", "postgresql"):  # psycopg 3, not SQLAlchemy's psycopg2
            parsed = parsed.set(drivername="postgresql+psycopg")
        engine = sa.create_engine(parsed, pool_pre_ping=True)
    migrations.migrate(engine)
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


def lock_seq(conn: sa.Connection) -> int:
    """The change sequence reached, locked for this write transaction until it ends.

    Writers that number changes take this lock before numbering and keep it until they
    commit, so changes become visible in the order of their numbers: a reader that sees
    number n sees every change numbered below it, and its cursor can never pass a change
    still being written. (SQLite's writers are serialised by BEGIN IMMEDIATE anyway; on
    PostgreSQL this is the row lock of SELECT ... FOR UPDATE.)"""
    q = sa.select(meta.c.value).where(meta.c.key == "seq").with_for_update()
    return int(conn.execute(q).scalar_one())


def set_seq(conn: sa.Connection, value: int) -> None:
    conn.execute(_SET_SEQ, {"value": str(value)})


_SET_SEQ = meta.update().where(meta.c.key == "seq").values(value=sa.bindparam("value"))


def next_seq(conn: sa.Connection) -> int:
    """Advance the change sequence; call inside the write transaction it numbers."""
    value = lock_seq(conn) + 1
    set_seq(conn, value)
    return value
