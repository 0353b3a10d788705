"""Who may see what and do what, decided once for push, pull and photo download alike.

Reading: each record names its audiences (`audiences`), the viewer holds keys
(`Viewer.keys`), and a row is visible when they meet. A table with no rule is visible to
nobody. `project` then drops the fields a viewer may not see: before a job is theirs a
tradesperson sees its district and street name, never the house number, flat, access
notes, property alerts, the resident, how they like to be contacted or their photos, and
again not once 30 days have passed since it closed. A resident sees their block's open
reports of shared areas (stairs, lift, entrance, bins) as `_as_neighbour` shows them:
what, where and where it stands, never who reported it; after "me too" they keep seeing
it so. A home's alerts (a dog, asbestos, "visit in pairs") are for officers and the
tradesperson whose job it is, never for the household.

Writing: `authorise` checks a command before its handler runs: the role may take it,
every record it refers to is visible to the actor, every id it creates is new, and every
photo it cites is the actor's own."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any, Protocol

from app.domain.commands import Command
from app.domain.lifecycle import FINISHED, Rejected, moved_on, who
from app.domain.models import JobStatus, Role, User, Vetting, utc
from app.domain.records import Home, Job, Record, Tradesperson

Row = dict[str, Any]
KEEP_AFTER_CLOSE = timedelta(days=30)
PRIVATE_JOB_FIELDS = (
    "home_id",
    "flat",
    "access_notes",
    "property_alerts",
    "contact_preference",
    "best_times",
    "resident_id",
    "resident_name",
    "resident_phone",
    "photos",
)
ALREADY_EXISTS = {
    "jobs": "This repair has already been reported.",
    "offers": "This offer has already been sent.",
    "visits": "This visit has already been recorded.",
}
NOT_FOUND = {
    "jobs": "This job is no longer available to you.",
    "offers": "This offer is no longer available.",
    "tradespeople": "There is no such tradesperson among yours.",
}
# What a neighbour sees of a report of a shared area of their block: that it is there,
# what and where it is and where it stands; never who reported it, their flat, words or
# photos. Every other field has its default.
NEIGHBOUR_JOB_FIELDS = (
    "id", "landlord_id", "trade", "title", "location", "status", "priority", "communal",
    "block", "reported_at", "target_at", "completed_at", "closed_at", "district", "street",
)  # fmt: skip
_JOB_DEFAULTS = {
    name: field.get_default(call_default_factory=True)
    for name, field in Job.model_fields.items()
    if not field.is_required()
}
# What only officers and the offer's own tradesperson read: how it ranked and why.
RANKING_FIELDS = ("position", "score", "parts", "explanation")


class Records(Protocol):
    """What `authorise` reads: a record by table and id, and which photos are whose."""

    def get(self, table: str, key: str) -> Record | None: ...
    def own_photos(self, user_id: str, shas: Iterable[str]) -> set[str]: ...


@dataclass(frozen=True)
class Viewer:
    user: User
    profile: Tradesperson | None = None  # for a tradesperson: their trades and areas
    home: Home | None = None  # for a resident: their home, whose block's shared areas they see

    @cached_property
    def keys(self) -> frozenset[str]:
        user = self.user
        keys = {f"user:{user.id}", f"landlord:{user.landlord_id}"}
        if user.role is Role.OFFICER:
            keys.add(f"officer:{user.landlord_id}")
        if user.home_id:  # a resident, or a tradesperson who is a resident too
            keys.add(f"home:{user.home_id}")
        home = self.home
        if home is not None and home.id == user.home_id and home.landlord_id == user.landlord_id:
            keys.add(_block(home.landlord_id, home.block))
        approved = self.profile is not None and self.profile.status is Vetting.APPROVED
        if user.role is Role.TRADESPERSON and self.profile and approved:
            keys |= {
                _board(user.landlord_id, trade, district)
                for trade in self.profile.trades
                for district in self.profile.districts
            }
        return frozenset(keys)


def _board(landlord: str, trade: str, district: str) -> str:
    return f"board:{landlord}:{trade}:{district}"


def _block(landlord: str, block: str) -> str:
    return f"block:{landlord}:{block}"


def _neighbours(row: Row) -> set[str]:
    """Residents of the block, while a report of its shared areas is open, and those who
    said "me too" on it until the end."""
    found = _people(*(row.get("also_reported_by") or []))
    if row.get("communal") and row.get("block") and row["status"] not in FINISHED:
        found.add(_block(row["landlord_id"], row["block"]))
    return found


def _job_audience(row: Row) -> set[str]:
    """Those who see a job as it is (tradespeople: their view of it)."""
    return (
        _officers(row)
        | _people(row["resident_id"], row["awarded_to"])
        | (
            {_board(row["landlord_id"], row["trade"], row["district"])}
            if row["status"] == JobStatus.POSTED
            else set()
        )
    )


def _officers(row: Row) -> set[str]:
    return {f"officer:{row['landlord_id']}"}


def _people(*ids: str | None) -> set[str]:
    return {f"user:{i}" for i in ids if i}


AUDIENCES: dict[str, Callable[[Row], set[str]]] = {
    "landlords": lambda r: {f"landlord:{r['id']}"},
    "homes": lambda r: _officers(r) | {f"home:{r['id']}"},
    "tradespeople": lambda r: _officers(r) | _people(r["id"]),
    "jobs": lambda r: _job_audience(r) | _neighbours(r),
    # A shortlisted offer names the resident who chooses.
    "offers": lambda r: _officers(r) | _people(r["tradesperson_id"], r.get("shortlisted_for")),
    "visits": lambda r: _officers(r) | _people(r["tradesperson_id"]),
    "extras": lambda r: _officers(r) | _people(r["tradesperson_id"], r["resident_id"]),
    "pattern_notes": _officers,
    "invoices": lambda r: _officers(r) | _people(r["tradesperson_id"]),
}


def audiences(table: str, row: Row) -> frozenset[str]:
    """Everyone who may see `row`, as keys; a table without a rule: nobody."""
    rule = AUDIENCES.get(table)
    return frozenset(rule(row)) if rule else frozenset()


def sees(viewer: Viewer, table: str, row: Row) -> bool:
    return not viewer.keys.isdisjoint(audiences(table, row))


def project(viewer: Viewer, table: str, row: Row, now: datetime) -> Row | None:
    """`row` as `viewer` may see it at `now`, or None when it is not theirs to see."""
    if not sees(viewer, table, row):
        return None
    if (
        table == "offers"
        and viewer.user.role is not Role.OFFICER
        and row["tradesperson_id"] != viewer.user.id
    ):
        # A resident choosing sees the tradesperson's record, not their price or note.
        return {
            **row,
            **dict.fromkeys(RANKING_FIELDS),
            "parts": [],
            "explanation": [],
            "price_pence": 0,
            "note": "",
        }
    if table == "jobs" and viewer.keys.isdisjoint(_job_audience(row)):
        return _as_neighbour(viewer, row)
    if table == "homes" and viewer.user.role is not Role.OFFICER:
        row = {**row, "alerts": []}  # warnings for those who visit, not for the household
    if (
        table == "jobs"
        and row.get("property_alerts")
        and viewer.user.role is not Role.OFFICER
        and not _job_is_theirs(viewer, row, now)
    ):
        row = {**row, "property_alerts": []}  # the awarded tradesperson's, not the resident's
    if table == "jobs" and row.get("also_reported_by") and viewer.user.role is not Role.OFFICER:
        # Who else said "me too" is for officers: everyone else learns only of themselves.
        row = {**row, "also_reported_by": _only_self(viewer, row)}
    if (
        table == "jobs"
        and viewer.user.role is Role.TRADESPERSON
        and row["resident_id"] != viewer.user.id  # their own home's repair, as its resident
        and not _job_is_theirs(viewer, row, now)
    ):
        return {
            **row,
            **dict.fromkeys(PRIVATE_JOB_FIELDS),
            "photos": [],
            "home_id": "",
            "access_notes": "",
            "property_alerts": [],
            "contact_preference": "",
            "best_times": "",
            "street": street_name(row["street"]),
        }
    return row


def _only_self(viewer: Viewer, row: Row) -> list[str]:
    return [viewer.user.id] if viewer.user.id in (row.get("also_reported_by") or []) else []


def _as_neighbour(viewer: Viewer, row: Row) -> Row:
    """A shared area's report as a neighbour sees it: `NEIGHBOUR_JOB_FIELDS`, and whether
    they said "me too" themselves; nobody else's name, flat, words or photos."""
    return {
        **row,
        **{k: v for k, v in _JOB_DEFAULTS.items() if k in row and k not in NEIGHBOUR_JOB_FIELDS},
        "home_id": "",
        "also_reported_by": _only_self(viewer, row),
    }


def _job_is_theirs(viewer: Viewer, row: Row, now: datetime) -> bool:
    if row["awarded_to"] != viewer.user.id:
        return False
    closed = row.get("closed_at")
    if closed is None:
        return True
    if isinstance(closed, str):
        closed = datetime.fromisoformat(closed)
    return now - utc(closed) <= KEEP_AFTER_CLOSE


def street_name(street: str) -> str:
    """ "12A Mill Lane" -> "Mill Lane": the street without the house number."""
    return re.sub(r"^\s*\d+\s*[A-Za-z]?\b[,\s]*", "", street) or street


def authorise(repo: Records, user: User, command: Command) -> None:
    """Refuse `command` unless `user` may take it on the records it names."""
    if user.acting_as(command.roles) is None:
        raise Rejected("not_allowed", f"Only {who(command.roles)} can do this.")
    profile = repo.get("tradespeople", user.id) if user.role is Role.TRADESPERSON else None
    home = repo.get("homes", user.home_id) if user.home_id else None
    viewer = Viewer(user, profile, home)  # type: ignore[arg-type]
    for field, table in command.refers.items():
        record = repo.get(table, getattr(command, field))
        if record is None or not sees(viewer, table, record.model_dump()):
            raise _hidden(viewer, table, record)
    for field, table in command.creates.items():
        key = getattr(command, field)
        if key is not None and repo.get(table, key) is not None:
            raise Rejected("exists", ALREADY_EXISTS.get(table, "This has already been sent."))
    cited = command.photos_cited
    if cited and set(cited) - repo.own_photos(user.id, cited):
        raise Rejected(
            "photo_missing",
            "A photo for this did not reach the server. Add the photo again and resend.",
        )


def _hidden(viewer: Viewer, table: str, record: Record | None) -> Rejected:
    """Why a record is out of reach. A job the tradesperson could have seen on their board
    says where it went; anything else is simply not found, revealing nothing."""
    if table == "jobs" and record is not None:
        row = record.model_dump()
        if _board(row["landlord_id"], row["trade"], row["district"]) in viewer.keys:
            return Rejected("taken" if row["awarded_to"] else "closed", moved_on(record))
    return Rejected("not_found", NOT_FOUND.get(table, "This is no longer available to you."))
