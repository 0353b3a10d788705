"""Numbered schema migrations. Each runs once, in order, in one transaction; none of them
may drop the outbox, because it holds work the user has not yet sent."""

from __future__ import annotations

import sqlite3

SYNCED = ("homes", "tradespeople", "jobs", "offers", "visits")


def _synced_table(name: str, *generated: str) -> str:
    columns = "".join(
        f", {col} TEXT GENERATED ALWAYS AS (json_extract(body, '$.{col}')) VIRTUAL"
        for col in generated
    )
    indexes = "".join(f"CREATE INDEX {name}_{col} ON {name}({col});" for col in generated)
    return f"CREATE TABLE {name} (id TEXT PRIMARY KEY, body TEXT NOT NULL{columns});{indexes}"


MIGRATIONS: list[str] = [
    # 1: server rows, the outbox, the problems list, and pre-images of optimistic changes.
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);"
    "CREATE TABLE outbox (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, name TEXT NOT NULL,"
    " args TEXT NOT NULL, created_at TEXT NOT NULL);"
    "CREATE TABLE problems (id INTEGER PRIMARY KEY, mutation_id TEXT NOT NULL, name TEXT NOT"
    " NULL, args TEXT NOT NULL, code TEXT NOT NULL, message TEXT NOT NULL,"
    " created_at TEXT NOT NULL);"
    "CREATE TABLE shadow (tbl TEXT NOT NULL, id TEXT NOT NULL, body TEXT,"
    " PRIMARY KEY (tbl, id));"
    + _synced_table("homes")
    + _synced_table("tradespeople")
    + _synced_table("jobs", "status", "awarded_to", "resident_id")
    + _synced_table("offers", "job_id")
    + _synced_table("visits", "job_id"),
    # 2: the photo upload queue, kept apart from the outbox.
    "CREATE TABLE photos (sha256 TEXT PRIMARY KEY, stage TEXT NOT NULL, state TEXT NOT NULL,"
    " size INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, error TEXT NOT NULL"
    " DEFAULT '', created_at TEXT NOT NULL, uploaded_at TEXT);"
    "CREATE INDEX photos_state ON photos(state);",
    # 3: whose change each entry is, so one person's work is never sent as another's
    # when a shared device changes hands. Older entries belong to whoever signs in.
    "ALTER TABLE outbox ADD COLUMN user_id TEXT;",
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
    return len(MIGRATIONS)
