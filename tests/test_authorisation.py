"""Who may do what, as a matrix generated from the command registry: every command, by
every person of two landlords, on their own records, on another person's and on another
landlord's, and with ids that already belong to someone. A new command is covered here
without editing this file; every refusal must change nothing.

The world is built through the domain itself: each landlord has a resident with a new
report, a posted job and a job in progress (with an open offer and pending extra work),
an officer, and two plumbers covering the same district."""

from __future__ import annotations

import itertools
import types
import typing
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from enum import Enum

import pytest
from pydantic import BaseModel

from app.domain import policy
from app.domain.actions import Context, apply
from app.domain.commands import COMMANDS, Command
from app.domain.lifecycle import Rejected
from app.domain.models import PhotoStage, Role, Trade, User, Vetting
from app.domain.records import RECORDS, Home, Landlord, Tradesperson
from tests.cast import MemoryRepo

NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
LANDLORDS = ("north", "south")


def people(landlord: str) -> dict[str, User]:
    def user(key: str, role: Role, home: str | None = None) -> User:
        name = f"{landlord}-{key}"
        return User(
            id=name,
            email=f"{name}@x.test",
            name=name,
            role=role,
            landlord_id=landlord,
            home_id=home,
        )

    return {
        "resident": user("resident", Role.RESIDENT, f"{landlord}-home-1"),
        "neighbour": user("neighbour", Role.RESIDENT, f"{landlord}-home-2"),
        "officer": user("officer", Role.OFFICER),
        "plumber": user("plumber", Role.TRADESPERSON),
        "rival": user("rival", Role.TRADESPERSON),
    }


PEOPLE = {landlord: people(landlord) for landlord in LANDLORDS}
EVERYONE = [u for group in PEOPLE.values() for u in group.values()]


def photo(owner: User, stage: PhotoStage) -> dict:
    return {"sha256": f"{abs(hash((owner.id, stage.value))):064x}"[-64:], "stage": stage.value}


Photo = Callable[[User, PhotoStage, str], dict]  # whose, what stage, what it shows
ALERTS = ["Dog on the premises", "Asbestos survey: artex ceilings, do not drill"]


def story(landlord: str, photo: Photo, today: date) -> list[tuple[str, str, dict]]:
    """How each landlord's world comes about, as (who, command, arguments): alerts on the
    resident's home, three reports from it, two posted, one with two offers awarded and in
    progress with extra work asked for, an open offer on the other, a fourth completed (so
    invoiced), and a note on a pattern. The domain matrix and the server tests both play
    it."""
    cast, at = PEOPLE[landlord], landlord  # ids are the landlord's name and a suffix
    slot = (today + timedelta(days=1)).isoformat()

    def offer(who: str, key: str, job: int, pence: int) -> tuple[str, str, dict]:
        return (who, "put_forward", {"offer_id": f"{at}-offer-{key}", "job_id": f"{at}-job-{job}",
                                     "price_pence": pence, "earliest_slot": slot})  # fmt: skip

    steps = [("officer", "set_home_alerts", {"home_id": f"{at}-home-1", "alerts": ALERTS})]
    steps += [
        ("resident", "report_repair", {
            "job_id": f"{at}-job-{n}", "trade": "plumbing", "title": f"Leak {n}",
            "access_notes": "Key safe code 1234", "contact_preference": "text",
            "best_times": "after 4pm",
            "photos": [photo(cast["resident"], PhotoStage.REPORT, f"{at}-report-{n}")],
        })
        for n in (1, 2, 3)
    ]  # fmt: skip
    steps += [("officer", "post_job", {"job_id": f"{at}-job-{n}", "priority": "urgent"})
              for n in (2, 3)]  # fmt: skip
    steps += [offer("plumber", "plumber", 3, 10_000), offer("rival", "rival", 3, 10_000)]
    steps += [
        ("officer", "award", {"job_id": f"{at}-job-3", "offer_id": f"{at}-offer-plumber"}),
        offer("plumber", "2", 2, 9_000),
        ("plumber", "start_visit", {"job_id": f"{at}-job-3", "visit_id": f"{at}-visit"}),
        ("plumber", "request_extra", {
            "extra_id": f"{at}-extra", "job_id": f"{at}-job-3", "reason": "Valve seized",
            "price_pence": 5_000,
            "photos": [photo(cast["plumber"], PhotoStage.EXTRA, f"{at}-extra")],
        }),
        ("resident", "report_repair", {"job_id": f"{at}-job-4", "trade": "plumbing",
                                       "title": "Leak 4"}),
        ("officer", "post_job", {"job_id": f"{at}-job-4", "priority": "urgent"}),
        offer("plumber", "4", 4, 11_000),
        ("officer", "award", {"job_id": f"{at}-job-4", "offer_id": f"{at}-offer-4"}),
        ("plumber", "start_visit", {"job_id": f"{at}-job-4", "visit_id": f"{at}-visit-4"}),
        ("plumber", "complete_job", {  # raises an invoice
            "job_id": f"{at}-job-4",
            "photos": [photo(cast["plumber"], PhotoStage.AFTER, f"{at}-after")],
        }),
        ("officer", "note_pattern", {
            "pattern_key": f"recalls:{at}-plumber:{today}", "tradesperson_id": f"{at}-plumber",
            "note": "Raise at the supplier review",
        }),
    ]  # fmt: skip
    return steps


class World:
    def __init__(self) -> None:
        self.repo = MemoryRepo()
        for landlord, cast in PEOPLE.items():
            self.repo.put(Landlord(id=landlord, name=landlord))
            for n in (1, 2):
                self.repo.put(
                    Home(
                        id=f"{landlord}-home-{n}",
                        landlord_id=landlord,
                        street=f"{n} High St",
                        flat=f"Flat {n}",
                        postcode="M4 1AA",
                        district="M4",
                    )
                )
            for key in ("plumber", "rival"):
                u = cast[key]
                self.repo.put(
                    Tradesperson(
                        status=Vetting.APPROVED,
                        id=u.id,
                        landlord_id=landlord,
                        name=u.name,
                        business_name=u.name,
                        trades=[Trade.PLUMBING],
                        districts=["M4"],
                        insurance_expires=date(2030, 1, 1),
                    )
                )
            for who, name, args in story(
                landlord, lambda u, stage, _what: photo(u, stage), NOW.date()
            ):
                self.do(cast[who], name, **args)

    def do(self, user: User, name: str, **args) -> None:
        apply(self.repo, Context(user=user, now=NOW), name, args)

    def snapshot(self) -> dict:
        return {name: dict(rows) for name, rows in self.repo.tables.items() if rows}

    def ids(self, table: str, landlord: str | None = None) -> list[str]:
        rows = self.repo.tables[table].values()

        def owner(r) -> str:
            return r.id if table == "landlords" else r.landlord_id

        return sorted(r.id for r in rows if landlord in (None, owner(r)))

    def refused(self, user: User, command: type[Command], args: dict) -> Rejected:
        before = self.snapshot()
        with pytest.raises(Rejected) as caught:
            self.do(user, command.name, **args)
        assert self.snapshot() == before, f"{command.name} by {user.id} changed something"
        return caught.value


# Fields whose valid values a type alone does not give.
VALID = {
    "districts": ["M4"],
    "working_days": [0, 1, 2, 3, 4],
    "trades": ["plumbing"],
    "decision": "approve",
    "kind": "sole_trader",
    "phone": "",
    "offer_ids": ["no-such-offer"],
    "out_of_hours_phone": "",
    "invoice_ids": ["no-such-invoice"],
    "direct_to": None,
    "contact_preference": "either",
}


def sample(command: type[Command], ids: dict[str, str]) -> dict:
    """Valid arguments for `command`, with the given ids, whatever its fields are."""
    args: dict = {}
    for name, field in command.model_fields.items():
        if name in ids or name in VALID:
            args[name] = ids.get(name, VALID.get(name))
            continue
        kind = field.annotation
        if typing.get_origin(kind) in (typing.Union, types.UnionType):
            kind = next(a for a in typing.get_args(kind) if a is not type(None))
        low = next(
            (
                getattr(m, a)
                for m in field.metadata
                for a in ("gt", "ge", "min_length")
                if getattr(m, a, None) is not None
            ),
            0,
        )
        if isinstance(kind, type) and issubclass(kind, Enum):
            args[name] = next(iter(kind)).value
        elif kind is bool:
            args[name] = True
        elif kind is int:
            args[name] = low + 1
        elif kind is date:
            args[name] = (NOW + timedelta(days=1)).date().isoformat()
        elif kind is datetime:
            args[name] = (NOW + timedelta(days=1)).isoformat()
        elif kind is str:
            args[name] = "x" * max(low, 3)
        elif typing.get_origin(kind) in (list, dict):
            args[name] = typing.get_origin(kind)()
        elif not (isinstance(kind, type) and issubclass(kind, BaseModel)):
            raise AssertionError(f"{command.__name__}.{name}: no sample for {kind}")
    return args


@pytest.fixture(scope="module")
def world() -> World:
    return World()


def test_the_world_has_every_record_of_both_landlords(world):
    for table in RECORDS:
        for landlord in LANDLORDS:
            assert world.ids(table, landlord), f"no {table} for {landlord}"


def _cells(kind: str):
    for command in COMMANDS.values():
        for user in EVERYONE:
            yield pytest.param(command, user, id=f"{command.name}-{user.id}-{kind}")


@pytest.mark.parametrize(("command", "user"), list(_cells("other-landlord")))
def test_nobody_acts_on_another_landlords_records(world, command, user):
    if not command.refers:
        pytest.skip("names no record: it acts on the user's own home or profile")
    other = next(lord for lord in LANDLORDS if lord != user.landlord_id)
    choices = [world.ids(table, other) for table in command.refers.values()]
    for picked in itertools.product(*choices):
        ids = dict(zip(command.refers, picked, strict=True))
        ids |= {field: f"new-{field}" for field in command.creates}
        refused = world.refused(user, command, sample(command, ids))
        # Nothing said reveals what the other landlord's record is or where it stands.
        assert refused.code in ("not_found", "not_allowed"), (command.name, ids, refused.code)


@pytest.mark.parametrize(("command", "user"), list(_cells("wrong-role")))
def test_only_the_roles_a_command_names_may_take_it(world, command, user):
    if user.role in command.roles:
        pytest.skip("a role the command names")
    ids = {field: world.ids(table, user.landlord_id)[0] for field, table in command.refers.items()}
    ids |= {field: f"new-{field}" for field in command.creates}
    assert world.refused(user, command, sample(command, ids)).code == "not_allowed"


def _someone_elses(world: World, user: User, table: str) -> list[str]:
    """Records of the user's own landlord that belong to another person of their role."""
    rows = world.repo.tables[table].values()
    if user.role is Role.RESIDENT:
        return [
            r.id
            for r in rows
            if getattr(r, "resident_id", None) not in (None, user.id)
            and r.landlord_id == user.landlord_id
        ]
    if user.role is Role.TRADESPERSON:
        owner = "awarded_to" if table == "jobs" else "tradesperson_id"
        return [
            r.id
            for r in rows
            if getattr(r, owner, None) not in (None, user.id) and r.landlord_id == user.landlord_id
        ]
    return []  # officers act for their whole landlord


@pytest.mark.parametrize(("command", "user"), list(_cells("another-person")))
def test_nobody_acts_on_another_persons_records(world, command, user):
    if user.role not in command.roles or not command.refers:
        pytest.skip("covered by the role cells")
    field, table = next(iter(command.refers.items()))
    for key in _someone_elses(world, user, table):
        ids = {
            f: key if f == field else world.ids(t, user.landlord_id)[0]
            for f, t in command.refers.items()
        }
        ids |= {f: f"new-{f}" for f in command.creates}
        world.refused(user, command, sample(command, ids))


@pytest.mark.parametrize(("command", "user"), list(_cells("reused-id")))
def test_an_id_that_is_already_taken_is_never_overwritten(world, command, user):
    if user.role not in command.roles or not command.creates:
        pytest.skip("creates nothing")
    viewer = policy.Viewer(user, world.repo.get("tradespeople", user.id))
    visible = {
        field: [
            i
            for i in world.ids(table, user.landlord_id)
            if policy.sees(viewer, table, world.repo.get(table, i).model_dump())
        ]
        for field, table in command.refers.items()
    }
    if any(not ids for ids in visible.values()):
        pytest.skip("nothing of theirs to refer to")
    for field, table in command.creates.items():
        for taken in world.ids(table):  # their own, another person's, another landlord's
            ids = {f: v[0] for f, v in visible.items()} | {field: taken}
            refused = world.refused(user, command, sample(command, ids))
            assert refused.code == "exists", (command.name, taken, refused.code)


def test_a_board_jobs_alerts_and_contact_preference_are_the_tradespersons_once_awarded(world):
    north = PEOPLE["north"]
    rival, plumber = north["rival"], north["plumber"]

    def seen(user: User, job_id: str) -> dict | None:
        viewer = policy.Viewer(user, world.repo.get("tradespeople", user.id))
        row = world.repo.get("jobs", job_id).model_dump(mode="json")
        return policy.project(viewer, "jobs", row, NOW)

    board = seen(rival, "north-job-2")  # posted, open for offers
    assert board is not None and board["title"] == "Leak 2"
    assert (board["property_alerts"], board["contact_preference"], board["best_times"]) == (
        [], "", ""
    )  # fmt: skip
    assert seen(rival, "north-job-3") is None, "awarded to the plumber"
    mine = seen(plumber, "north-job-3")
    assert (mine["property_alerts"], mine["contact_preference"], mine["best_times"]) == (
        ALERTS, "text", "after 4pm"
    )  # fmt: skip


def test_a_photo_that_is_not_yours_cannot_be_cited(world):
    north = PEOPLE["north"]
    world.repo.photos = {north["plumber"].id: set()}  # they have uploaded nothing
    try:
        refused = world.refused(
            north["plumber"],
            COMMANDS["complete_job"],
            {"job_id": "north-job-3", "photos": [photo(north["resident"], PhotoStage.AFTER)]},
        )
    finally:
        world.repo.photos = {}
    assert refused.code == "photo_missing"
