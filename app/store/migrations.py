"""Numbered schema migrations. Each runs once, in order, in one transaction; none of them
may drop the outbox, because it holds work the user has not yet sent."""

from __future__ import annotations

import sqlite3

from app.domain.records import RECORDS, Kind


def _synced_table(kind: Kind) -> list[str]:
    """A server record's table on the device: its id, its JSON body, and generated columns
    (indexed) for the fields the device looks rows up by."""
    name = kind.table
    columns = "".join(
        f", {col} TEXT GENERATED ALWAYS AS (json_extract(body, '$.{col}')) VIRTUAL"
        for col in kind.indexed
    )
    return [
        f"CREATE TABLE IF NOT EXISTS {name} (id TEXT PRIMARY KEY, body TEXT NOT NULL{columns})",
        *(f"CREATE INDEX IF NOT EXISTS {name}_{c} ON {name}({c})" for c in kind.indexed),
    ]


MIGRATIONS: list[str] = [
    # 1: server rows, the outbox, the problems list, and pre-images of optimistic changes.
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);"
    "CREATE TABLE outbox (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, name TEXT NOT NULL,"
    " args TEXT NOT NULL, created_at TEXT NOT NULL);"
    "CREATE TABLE problems (id INTEGER PRIMARY KEY, mutation_id TEXT NOT NULL, name TEXT NOT"
    " NULL, args TEXT NOT NULL, code TEXT NOT NULL, message TEXT NOT NULL,"
    " created_at TEXT NOT NULL);"
    "CREATE TABLE shadow (tbl TEXT NOT NULL, id TEXT NOT NULL, body TEXT,"
    " PRIMARY KEY (tbl, id));",
    # 2: the photo upload queue, kept apart from the outbox.
    "CREATE TABLE photos (sha256 TEXT PRIMARY KEY, stage TEXT NOT NULL, state TEXT NOT NULL,"
    " size INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, error TEXT NOT NULL"
    " DEFAULT '', created_at TEXT NOT NULL, uploaded_at TEXT);"
    "CREATE INDEX photos_state ON photos(state);",
    # 3: whose change each entry is, so one person's work is never sent as another's
    # when a shared device changes hands. Older entries belong to whoever signs in.
    "ALTER TABLE outbox ADD COLUMN user_id TEXT;",
    # 4: whose refusal each problem is: "Needs attention" shows only the signed-in person's.
    "ALTER TABLE problems ADD COLUMN user_id TEXT;",
    # 5: whose photo each is: a person's photos upload under their own sign-in, from their
    # own folder. Older photos belong to whoever signs in.
    "ALTER TABLE photos ADD COLUMN user_id TEXT;",
]


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the database up to the latest schema; returns the version it ends at."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        statements = [s for s in script.split(";") if s.strip()]
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in statements:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")
        except Exception:
            conn.execute("ROLLBACK")
            raise
    # Server records' tables come from the registry: a new record gets its table here.
    conn.execute("BEGIN IMMEDIATE")
    for kind in RECORDS.values():
        for statement in _synced_table(kind):
            conn.execute(statement)
    conn.execute("COMMIT")
    return len(MIGRATIONS)
