"""The people and home the unit tests are about, written once."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from app.domain.models import Role, User
from app.domain.ranking import TrackRecord
from app.domain.records import TABLE_OF, Home, Record

HOME = Home(
    id="home-1",
    landlord_id="landlord-1",
    street="12 Mill Lane",
    flat="Flat 3",
    postcode="M4 5AB",
    district="M4",
)
RESIDENT = User(
    id="resident-1",
    email="ada@example.org",
    name="Ada Lovelace",
    role=Role.RESIDENT,
    landlord_id="landlord-1",
    home_id=HOME.id,
)
OFFICER = User(
    id="officer-1",
    email="olu@example.org",
    name="Olu Officer",
    role=Role.OFFICER,
    landlord_id="landlord-1",
)
PLUMBER = User(
    id="plumber-1",
    email="pat@example.org",
    name="Pat Pipe",
    role=Role.TRADESPERSON,
    landlord_id="landlord-1",
)


@dataclass
class MemoryRepo:
    """The domain's `Repo` in memory: the same move as Cosmic Python's fake repository."""

    tables: dict[str, dict[str, Record]] = field(default_factory=lambda: defaultdict(dict))
    photos: dict[str, set[str]] = field(default_factory=dict)  # user -> photos they uploaded
    authoritative: bool = True  # as the server's: every record is here

    def get(self, table: str, key: str) -> Record | None:
        return self.tables[table].get(key)

    def find(self, table: str, field: str, value: str) -> list:
        return [r for r in self.tables[table].values() if getattr(r, field) == value]

    def own_photos(self, user_id: str, shas: Iterable[str]) -> set[str]:
        mine = self.photos.get(user_id)
        return set(shas) if mine is None else set(shas) & mine

    def save(self, record: Record) -> None:
        self.tables[TABLE_OF[type(record)]][record.id] = record

    def history(self, landlord_id: str) -> TrackRecord:
        jobs = [j for j in self.tables["jobs"].values() if j.landlord_id == landlord_id]
        visits = [v for v in self.tables["visits"].values() if v.landlord_id == landlord_id]
        return TrackRecord.build(jobs, visits)

    put = save
