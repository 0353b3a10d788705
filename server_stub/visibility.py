"""Who may see which rows, as SQL: the pull's first filter.

`policy.audiences` names each row's audiences as keys and a viewer holds keys; this
module turns a viewer's keys into a WHERE clause per table that selects the rows carrying
one of them, so that a resident's first pull reads their own few rows from an index, not
the landlord's whole change log. Pull still passes every row through `policy.project`,
which stays the one judge of what is shown; the clause only has to select every row the
policy would show (tests/integration/test_visibility_sql.py holds the two to the same
answer on every table). A table without a clause here is read whole and filtered in
Python, which is slower but never wrong."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from app.domain.policy import Viewer
from server_stub import db


@dataclass(frozen=True)
class Audience:
    """How a table's rows name their audiences (mirrors `policy.AUDIENCES`)."""

    officers: bool = True  # `officer:{landlord_id}`
    people: tuple[str, ...] = ()  # `user:{column}` for each column
    home: str | None = None  # `home:{column}`
    landlord: str | None = None  # `landlord:{column}`
    board: bool = False  # `board:{landlord}:{trade}:{district}` while posted
    block: bool = False  # `block:{landlord}:{block}`: a shared area's report, its neighbours
    listed: str | None = None  # `user:{id}` for each id in this JSON list ("me too")


AUDIENCE: dict[str, Audience] = {
    "landlords": Audience(officers=False, landlord="id"),
    "homes": Audience(home="id"),
    "tradespeople": Audience(people=("id",)),
    "jobs": Audience(
        people=("resident_id", "awarded_to"), board=True, block=True, listed="also_reported_by"
    ),
    "offers": Audience(people=("tradesperson_id", "shortlisted_for")),
    "visits": Audience(people=("tradesperson_id",)),
    "extras": Audience(people=("tradesperson_id", "resident_id")),
    "pattern_notes": Audience(),
    "invoices": Audience(people=("tradesperson_id",)),
}

# Indexes the clauses read by, each ending in the change sequence (pull's order). Offers
# and visits are read by landlord only by officers, who see nearly all of them anyway.
INDEXES: list[tuple[str, str, tuple[str, ...]]] = [
    (f"{name}_landlord_seq", name, ("landlord_id", "seq"))
    for name, a in AUDIENCE.items()
    if a.officers and name not in ("offers", "visits")
] + [
    (f"{name}_{column}_seq", name, (column, "seq"))
    for name, a in AUDIENCE.items()
    for column in a.people
    if column != "id"
]


def create_indexes(conn: sa.Connection) -> None:
    """The indexes above, where missing (any database, any schema version)."""
    for index, table, columns in INDEXES:
        conn.exec_driver_sql(
            f"CREATE INDEX IF NOT EXISTS {index} ON {table} ({', '.join(columns)})"
        )


def _keys(viewer: Viewer, kind: str) -> list[list[str]]:
    """The parts after `kind:` of the viewer's keys of that kind."""
    prefix = f"{kind}:"
    if kind in ("board", "block"):
        parts = 2 if kind == "board" else 1
        return sorted(
            k[len(prefix) :].split(":", parts) for k in viewer.keys if k.startswith(prefix)
        )
    return sorted([k[len(prefix) :]] for k in viewer.keys if k.startswith(prefix))


def where_visible(viewer: Viewer, table: str) -> sa.ColumnElement[bool] | None:
    """A clause selecting every row of `table` this viewer may see (and at most a few
    more), or None when there is none for this table: read it whole."""
    spec = AUDIENCE.get(table)
    if spec is None:
        return None
    t = db.SYNCED[table]
    terms: list[sa.ColumnElement[bool]] = []
    officer_of = [k for (k,) in _keys(viewer, "officer")]
    if spec.officers and officer_of:
        terms.append(t.c.landlord_id.in_(officer_of))
    users = [k for (k,) in _keys(viewer, "user")]
    for column in spec.people:
        if users:
            terms.append(t.c[column].in_(users))
    if spec.home:
        homes = [k for (k,) in _keys(viewer, "home")]
        if homes:
            terms.append(t.c[spec.home].in_(homes))
    if spec.landlord:
        landlords = [k for (k,) in _keys(viewer, "landlord")]
        if landlords:
            terms.append(t.c[spec.landlord].in_(landlords))
    if spec.board:
        boards = [parts for parts in _keys(viewer, "board") if len(parts) == 3]
        if boards:
            terms.append(
                (t.c.status == "posted")
                & sa.tuple_(t.c.landlord_id, t.c.trade, t.c.district).in_(
                    [tuple(b) for b in boards]
                )
            )
    if spec.block:
        blocks = [tuple(parts) for parts in _keys(viewer, "block") if len(parts) == 2]
        if blocks:
            terms.append(t.c.communal.is_(True) & sa.tuple_(t.c.landlord_id, t.c.block).in_(blocks))
    if spec.listed and users:
        # The JSON list as text holds each id in quotes: a few too many at most, never
        # too few (the policy judges every row read).
        text = sa.cast(t.c[spec.listed], sa.Text)
        terms += [text.like(f'%"{user}"%') for user in users]
    return sa.or_(*terms) if terms else sa.false()
