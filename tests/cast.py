"""The people and home the unit tests are about, written once."""

from __future__ import annotations

from app.domain.models import Home, Role, User

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
