"""Push and pull, and the cursors between them.

Push applies each mutation exactly once: its effect and its record commit together. A
request's mutations are applied in memory (a rejected one's saves are dropped) and written
together; requests arriving at once share one transaction and commit (`group_commit`),
each in its own savepoint. Mutation and device ids are
the device's choice, so they are looked up per user. Pull sends the changes after a
cursor that this viewer may see, as they may see them, and deletes only for rows that
left their view."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.domain import actions, policy
from app.domain import commands as c
from app.domain.lifecycle import Rejected
from app.domain.models import User
from app.domain.records import Job
from app.sync import protocol as p
from server_stub import db, group_commit, live, visibility
from server_stub.repo import SqlRepo


def settle_due(engine: sa.Engine, now: datetime | None = None) -> list[str]:
    """Award the jobs whose time has come: offers closed on an automatic award, or a
    resident's time to choose has passed. Returns the ids of the jobs that changed."""
    now = now or datetime.now(UTC)
    j = db.jobs
    due = sa.select(j.c.id, j.c.landlord_id).where(
        j.c.status == "posted",
        sa.or_(
            (j.c.award_mode == "auto") & (j.c.offers_close_at <= now),
            (j.c.award_mode == "resident_choice") & (j.c.choose_by <= now),
        ),
    )
    changed = []
    with engine.begin() as conn:
        live.collected(conn)  # nothing left over from an earlier use of this connection
        repo = SqlRepo(conn)
        for job_id, landlord in conn.execute(due).all():
            ctx = actions.Context(user=actions.system_officer(landlord), now=now)
            job = repo.get("jobs", job_id)
            nested = conn.begin_nested()
            try:
                if isinstance(job, Job) and actions.settle(repo, ctx, job):
                    changed.append(job_id)
                nested.commit()
            except Rejected:
                nested.rollback()
        audiences = live.collected(conn)
        seq = db.current_seq(conn) if audiences else 0
    live.publish_after(engine, audiences, seq)
    return changed


def push(engine: sa.Engine, user: User, body: p.PushRequest) -> p.PushResponse:
    """Apply a device's mutations in one transaction, shared with the pushes that arrive
    with it.

    The mutations already seen are found with one query; the records the others name are
    read with one query per table; saves are held in memory and written at the end with
    one executemany per table, with the mutations' records and the device's position.
    Pushes arriving together share a transaction and its commit (`group_commit`); each
    is answered only once that has committed."""
    return group_commit.for_engine(engine).run(lambda conn: _push(conn, user, body))


def _push(conn: sa.Connection, user: User, body: p.PushRequest) -> p.PushResponse:
    phone = conn.execute(_PHONE, {"id": user.id}).scalar()
    repo = SqlRepo(conn, batch=True)
    seen = _seen(conn, user.id, [m.id for m in body.mutations])
    commands = {}
    for m in body.mutations:
        if m.id not in seen:
            args = p.upgrade_args(body.schema_version, m.name, m.args)
            try:
                commands[m.id] = (args, c.parse(m.name, args))
            except Rejected:  # refused again, in words, when applied below
                commands[m.id] = (args, None)
    repo.prefetch(_named(user, commands.values()))
    results, records = [], []
    for m in body.mutations:
        if m.id in seen:
            row = seen[m.id]
            status = "duplicate" if row.status == "applied" else row.status
            results.append(
                p.MutationResult(id=m.id, status=status, code=row.code, message=row.message)
            )
            continue
        result = _apply(repo, user, phone, m, commands[m.id][0])
        seen[m.id] = result  # the same id twice in one request: the second is a duplicate
        results.append(result)
        records.append(
            {
                "user_id": user.id,
                "id": m.id,
                "device_id": body.device_id,
                "seq": m.seq,
                "name": m.name,
                "status": result.status,
                "code": result.code,
                "message": result.message,
            }
        )
    repo.flush()
    if records:
        conn.execute(db.mutations.insert(), records)
        _advance_device(conn, body.device_id, user.id, max(r["seq"] for r in records))
    return p.PushResponse(results=results)


_PHONE = sa.select(db.users.c.phone).where(db.users.c.id == sa.bindparam("id"))


def _seen(conn: sa.Connection, user_id: str, ids: list[str]) -> dict:
    """The mutations among `ids` this user's devices sent before, by id."""
    if not ids:
        return {}
    m = db.mutations
    q = sa.select(m.c.id, m.c.status, m.c.code, m.c.message).where(
        m.c.user_id == user_id, m.c.id.in_(set(ids))
    )
    return {row.id: row for row in conn.execute(q)}


def _named(user: User, parsed) -> set[tuple[str, str]]:
    """Every record the commands refer to or create, and the pusher's own home and
    profile: what authorising and applying them will read."""
    wanted = {("tradespeople", user.id)}
    if user.home_id:
        wanted.add(("homes", user.home_id))
    for _args, command in parsed:
        if command is None:
            continue
        for field, table in {**command.refers, **command.creates}.items():
            key = getattr(command, field, None)
            if isinstance(key, str):
                wanted.add((table, key))
    return wanted


def _apply(repo: SqlRepo, user: User, phone: str | None, m: p.Mutation, args) -> p.MutationResult:
    ctx = actions.Context(user=user, now=datetime.now(UTC), phone=phone)
    repo.begin()
    try:
        actions.apply(repo, ctx, m.name, args)
    except Rejected as e:
        repo.end(ok=False)
        return p.MutationResult(id=m.id, status="rejected", code=e.code, message=e.message)
    except BaseException:
        repo.end(ok=False)
        raise
    repo.end(ok=True)
    return p.MutationResult(id=m.id, status="applied")


def _advance_device(conn: sa.Connection, device_id: str, user_id: str, seq: int) -> None:
    """The device's highest mutation number so far, in one statement."""
    d = db.devices
    dialect = conn.dialect.name
    if dialect in ("sqlite", "postgresql"):
        insert = (sqlite_insert if dialect == "sqlite" else pg_insert)(d)
        conn.execute(
            insert.values(id=device_id, user_id=user_id, last_seq=seq).on_conflict_do_update(
                index_elements=[d.c.user_id, d.c.id],
                set_={"last_seq": sa.func.max(d.c.last_seq, insert.excluded.last_seq)}
                if dialect == "sqlite"
                else {"last_seq": sa.func.greatest(d.c.last_seq, insert.excluded.last_seq)},
            )
        )
        return
    key = (d.c.user_id == user_id) & (d.c.id == device_id)
    row = conn.execute(sa.select(d).where(key)).first()
    if row is None:
        conn.execute(d.insert().values(id=device_id, user_id=user_id, last_seq=seq))
    elif seq > row.last_seq:
        conn.execute(d.update().where(key).values(last_seq=seq))


def _parse_cursor(conn: sa.Connection, cursor: str) -> tuple[int, int, bool]:
    """Where to pull from: the sequence to send changes after, the sequence after which
    rows may have left the device's view, and whether the device must reset first.

    A first sync that takes several pages carries the sequence it began at, `epoch.seq.
    began`: it has only ever received rows as they were after that, so only rows that
    left its view after that are its business."""
    current = db.current_seq(conn)
    if not cursor:
        return 0, current, False
    epoch, *numbers = cursor.split(".")
    if (
        epoch != db.epoch(conn)
        or not 1 <= len(numbers) <= 2
        or not all(n.isdigit() and len(n) < 20 and int(n) <= current for n in numbers)
    ):
        return 0, current, True
    after = int(numbers[0])
    return after, int(numbers[-1]), False


def pull(engine: sa.Engine, viewer: policy.Viewer, cursor: str, limit: int) -> p.PullResponse:
    with db.reading(engine) as conn:
        return _pull_page(conn, viewer, cursor, limit)


def _pull_page(
    conn: sa.Connection, viewer: policy.Viewer, cursor: str, limit: int
) -> p.PullResponse:
    after, gone_after, reset = _parse_cursor(conn, cursor)
    # Mid-way through a first sync in pages, `gone_after` is where it began: a view
    # changed before that is already in what it is being sent.
    if after and _view_changed(conn, viewer, gone_after):
        after, gone_after, reset = 0, db.current_seq(conn), True
    rows: list[tuple[int, str, dict]] = []
    for name, table in db.SYNCED.items():
        q = sa.select(table).where(table.c.seq > after)
        visible_here = visibility.where_visible(viewer, name)
        if visible_here is not None:  # read only this viewer's rows (policy still judges)
            q = q.where(visible_here)
        q = q.order_by(table.c.seq).limit(limit + 1)
        rows.extend((r["seq"], name, dict(r)) for r in conn.execute(q).mappings())
    rows.sort(key=lambda r: r[0])
    has_more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1][0] if has_more else db.current_seq(conn)
    now = datetime.now(UTC)
    changes = []
    visible: set[tuple[str, str]] = set()
    for _seq, name, row in rows:
        seen = policy.project(viewer, name, row, now)
        if seen is not None:
            seen.pop("seq")
            visible.add((name, row["id"]))
            changes.append(p.Change(table=name, id=row["id"], op="upsert", row=seen))
    changes.extend(_departed(conn, viewer, gone_after, last, visible))
    began = f".{gone_after}" if has_more and gone_after != after else ""
    return p.PullResponse(
        schema_version=p.SCHEMA_VERSION,
        cursor=f"{db.epoch(conn)}.{last}{began}",
        changes=changes,
        has_more=has_more,
        reset=reset,
    )


def _view_changed(conn: sa.Connection, viewer: policy.Viewer, after: int) -> bool:
    """Whether what this viewer may see changed after `after` without the rows changing:
    a tradesperson approved, or their trades or areas changed. Then the device starts
    again from nothing (keeping its unsent work): rows posted before they could see them
    arrive, and rows they may no longer see go."""
    if viewer.profile is None:
        return False
    t = db.SYNCED["tradespeople"]
    seq = conn.execute(sa.select(t.c.seq).where(t.c.id == viewer.user.id)).scalar()
    return seq is not None and seq > after


def _departed(
    conn: sa.Connection, viewer: policy.Viewer, after: int, last: int, visible: set
) -> list[p.Change]:
    """Deletes for rows that left this viewer's view in (after, last], and only those."""
    d = db.departures
    q = (
        sa.select(d.c.tbl, d.c.id)
        .where(d.c.seq > after, d.c.seq <= last, d.c.audience.in_(viewer.keys))
        .distinct()
    )
    gone = []
    for name, key in conn.execute(q):
        if (name, key) in visible:
            continue
        table = db.SYNCED[name]
        row = conn.execute(sa.select(table).where(table.c.id == key)).mappings().first()
        if row is None or not policy.sees(viewer, name, dict(row)):
            gone.append(p.Change(table=name, id=key, op="delete"))
    return gone
