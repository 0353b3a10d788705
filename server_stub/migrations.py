"""The server's schema over time. A new database is created whole from `db.metadata` and
stamped with the latest version; an older one runs each numbered step after its version,
in order, each in its own transaction. A new synced record needs no step (its table is
created from the registry); a new field of an existing record gets its column here."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import sqlalchemy as sa

from app.domain.records import RECORDS
from server_stub import db, security, visibility


def _add_missing_columns(conn: sa.Connection) -> None:
    """Columns the registry's records have and an older database lacks, added nullable."""
    live = sa.inspect(conn)
    for table in db.SYNCED.values():
        have = {c["name"] for c in live.get_columns(table.name)}
        for column in table.columns:
            if column.name not in have:
                kind = column.type.compile(conn.dialect)
                conn.exec_driver_sql(f"ALTER TABLE {table.name} ADD COLUMN {column.name} {kind}")


def _rekey(conn: sa.Connection, table: sa.Table, copy: str) -> None:
    """Rebuild `table` with its new primary key, copying its rows with `copy` (SQL)."""
    conn.exec_driver_sql(f"ALTER TABLE {table.name} RENAME TO {table.name}_old")
    for index in list(table.indexes):
        conn.exec_driver_sql(f"DROP INDEX IF EXISTS {index.name}")
    table.create(conn)
    conn.exec_driver_sql(copy)
    conn.exec_driver_sql(f"DROP TABLE {table.name}_old")


def _v2_owners(conn: sa.Connection) -> None:
    """Who owns what: offers and visits carry their landlord, jobs when they closed,
    mutation and device ids are unique per user, photos have owners and citations."""
    _add_missing_columns(conn)
    for name in ("offers", "visits"):
        conn.exec_driver_sql(
            f"UPDATE {name} SET landlord_id = "
            f"(SELECT landlord_id FROM jobs WHERE jobs.id = {name}.job_id)"
        )
    conn.exec_driver_sql(
        "UPDATE jobs SET closed_at = completed_at WHERE status IN ('completed', 'closed')"
    )
    _rekey(
        conn,
        db.mutations,
        "INSERT INTO mutations(user_id, id, device_id, seq, name, status, code, message) "
        "SELECT user_id, id, device_id, seq, name, status, code, message FROM mutations_old",
    )
    _rekey(
        conn,
        db.devices,
        "INSERT INTO devices(user_id, id, last_seq) SELECT user_id, id, last_seq FROM devices_old",
    )
    db.metadata.create_all(conn)  # departures, photo_refs, blob_owners
    conn.exec_driver_sql(
        "INSERT INTO blob_owners(sha256, user_id) SELECT sha256, uploaded_by FROM blobs"
    )
    for name in ("jobs", "visits"):
        table = db.SYNCED[name]
        refs = {
            (sha, name, row.id)
            for row in conn.execute(sa.select(table.c.id, table.c.photos))
            for sha in row.photos or []
        }
        if refs:
            conn.execute(
                db.photo_refs.insert(), [{"sha256": s, "tbl": t, "id": i} for s, t, i in refs]
            )
    _new_epoch(conn)


def _new_epoch(conn: sa.Connection) -> None:
    """Rows changed without new sequence numbers: every device must pull again from the
    start (an unknown cursor resets it, keeping its unsent work)."""
    conn.execute(db.meta.update().where(db.meta.c.key == "epoch").values(value=_epoch()))


def _epoch() -> str:
    return uuid.uuid4().hex[:12]


def _v3_sessions(conn: sa.Connection) -> None:
    """Sessions that end: tokens get an id, a last use and an absolute expiry; users can
    be suspended and demo accounts are marked; photo uploads have a time (a daily quota)."""
    for table, column, kind in (
        ("tokens", "id", "VARCHAR"),
        ("tokens", "label", "VARCHAR"),
        ("tokens", "last_used_at", "DATETIME"),
        ("tokens", "expires_at", "DATETIME"),
        ("tokens", "revoked_at", "DATETIME"),
        ("users", "demo", "BOOLEAN NOT NULL DEFAULT 0"),
        ("users", "suspended_at", "DATETIME"),
        ("blob_owners", "uploaded_at", "DATETIME"),
    ):
        # A database that came through step 2 already has today's blob_owners.
        if column not in {c["name"] for c in sa.inspect(conn).get_columns(table)}:
            conn.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
    rows = conn.execute(sa.select(db.tokens.c.token_hash, db.tokens.c.created_at)).all()
    for token_hash, created in rows:
        conn.execute(
            db.tokens.update()
            .where(db.tokens.c.token_hash == token_hash)
            .values(
                id=token_hash[:16],
                last_used_at=created,
                expires_at=created + security.SESSION_LIMIT,
            )
        )


def _v4_marketplace(conn: sa.Connection) -> None:
    """Joining and award routes: landlords become a synced record with their own rules,
    tradespeople have a vetting status (those already working are approved), jobs and
    offers carry their award route and ranking. Every row gets its new fields' defaults."""
    if "seq" not in {c["name"] for c in sa.inspect(conn).get_columns("landlords")}:
        conn.exec_driver_sql("ALTER TABLE landlords ADD COLUMN seq BIGINT")
    _add_missing_columns(conn)
    conn.exec_driver_sql("UPDATE tradespeople SET status = 'approved' WHERE status IS NULL")
    conn.exec_driver_sql(
        "UPDATE jobs SET awarded_at = COALESCE(started_at, completed_at, reported_at) "
        "WHERE awarded_to IS NOT NULL AND awarded_at IS NULL"
    )
    for name, table in db.SYNCED.items():
        model = RECORDS[name].model
        for row in conn.execute(sa.select(table)).mappings().all():
            known = {k: v for k, v in row.items() if v is not None}
            values = db.values_of(model.model_validate(known))
            seq = row["seq"] if row["seq"] is not None else db.next_seq(conn)
            conn.execute(
                table.update().where(table.c.id == row["id"]).values({**values, "seq": seq})
            )
    _new_epoch(conn)


def _v5_communal(conn: sa.Connection) -> None:
    """The resident's side of issue 11: jobs carry the priority the resident's answers
    suggest, whether they are in a shared area of the block (and which block), and who said
    "me too"; and the other fields added since step 4 (appointments, invoices' landlords,
    ...). Rows keep their change numbers: their new fields have the defaults the devices
    already read for them."""
    _fill_new_fields(conn)


def _v6_alerts(conn: sa.Connection) -> None:
    """Homes carry the landlord's alerts for visitors (asbestos, a dog, a resident hard of
    hearing), jobs a copy of them and how the resident likes to be contacted. Rows keep
    their change numbers, as in step 5: the new fields start empty."""
    _fill_new_fields(conn)


def _fill_new_fields(conn: sa.Connection) -> None:
    """Add the registry's new columns and give every row their defaults."""
    _add_missing_columns(conn)
    for name, table in db.SYNCED.items():
        model = RECORDS[name].model
        for row in conn.execute(sa.select(table)).mappings().all():
            known = {k: v for k, v in row.items() if v is not None}
            values = db.values_of(model.model_validate(known))
            conn.execute(table.update().where(table.c.id == row["id"]).values(values))


STEPS: list[Callable[[sa.Connection], None]] = [
    lambda conn: None,  # 1: the schema as first released (create_all)
    _v2_owners,
    _v3_sessions,
    _v4_marketplace,
    _v5_communal,
    _v6_alerts,
]
LATEST = len(STEPS)


def migrate(engine: sa.Engine) -> int:
    """Bring the database to the latest schema; returns the version it ends at."""
    with engine.begin() as conn:
        fresh = not sa.inspect(conn).has_table("users")
        db.metadata.create_all(conn) if fresh else db.meta.create(conn, checkfirst=True)
        found = conn.execute(sa.select(db.meta.c.value).where(db.meta.c.key == "schema"))
        version = int(found.scalar() or (LATEST if fresh else 1))
        if conn.execute(sa.select(db.meta.c.key).where(db.meta.c.key == "epoch")).first() is None:
            conn.execute(
                db.meta.insert(),
                [{"key": "epoch", "value": _epoch()}, {"key": "seq", "value": "0"}],
            )
        _stamp(conn, version)
    for number in range(version + 1, LATEST + 1):
        with engine.begin() as conn:
            STEPS[number - 1](conn)
            _stamp(conn, number)
    with engine.begin() as conn:  # pull's read paths, on any database that lacks them
        visibility.create_indexes(conn)
    return LATEST


def _stamp(conn: sa.Connection, version: int) -> None:
    updated = conn.execute(
        db.meta.update().where(db.meta.c.key == "schema").values(value=str(version))
    )
    if updated.rowcount == 0:
        conn.execute(db.meta.insert().values(key="schema", value=str(version)))
