"""Pull's SQL visibility clauses select exactly the rows the policy shows: for every demo
person (officers, residents, approved and unapproved tradespeople) and every table."""

from __future__ import annotations

import sqlalchemy as sa

from app.domain import policy
from app.domain.models import User
from app.domain.records import Tradesperson
from server_stub import db, visibility


def viewers(conn: sa.Connection) -> list[policy.Viewer]:
    trades = db.SYNCED["tradespeople"]
    found = []
    for row in conn.execute(sa.select(db.users)).mappings():
        profile = conn.execute(sa.select(trades).where(trades.c.id == row["id"])).mappings()
        profile = profile.first()
        found.append(
            policy.Viewer(
                User.model_validate(dict(row)),
                Tradesperson.model_validate(dict(profile)) if profile else None,
            )
        )
    return found


def test_every_table_has_a_clause_and_each_selects_what_the_policy_shows(server_engine):
    assert set(policy.AUDIENCES) <= set(visibility.AUDIENCE), "a table without a SQL clause"
    with server_engine.connect() as conn:
        people = viewers(conn)
        roles = {v.user.role for v in people}
        assert len(roles) == 3 and any(k.startswith("board:") for v in people for k in v.keys)
        compared = 0
        for name, table in db.SYNCED.items():
            rows = [dict(r) for r in conn.execute(sa.select(table)).mappings()]
            for viewer in people:
                shown = {r["id"] for r in rows if policy.sees(viewer, name, r)}
                clause = visibility.where_visible(viewer, name)
                selected = set(conn.execute(sa.select(table.c.id).where(clause)).scalars())
                assert selected == shown, (name, viewer.user.email)
                compared += len(shown)
        assert compared > 100
