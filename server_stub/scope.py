"""What each person may see, decided here once for pull and every other endpoint.

Residents see their own home and repairs. Tradespeople see open jobs in their trades and
areas, without the resident's name, phone or flat until the job is theirs, plus their own
offers and visits. Officers see their landlord's data."""

from __future__ import annotations

from typing import Any

from app.domain.models import JobStatus, Role, Tradesperson, User

PRIVATE_JOB_FIELDS = ("resident_id", "resident_name", "resident_phone", "flat")


class Viewer:
    def __init__(self, user: User, profile: Tradesperson | None) -> None:
        self.user = user
        self.profile = profile

    def project(self, table: str, row: dict[str, Any]) -> dict[str, Any] | None:
        """The row as this viewer may see it, or None if it is outside their view."""
        return getattr(self, f"_{table}")(row)

    def _homes(self, row):
        role = self.user.role
        if role is Role.OFFICER and row["landlord_id"] == self.user.landlord_id:
            return row
        if role is Role.RESIDENT and row["id"] == self.user.home_id:
            return row
        return None

    def _tradespeople(self, row):
        if self.user.role is Role.OFFICER and row["landlord_id"] == self.user.landlord_id:
            return row
        if row["id"] == self.user.id:
            return row
        return None

    def _jobs(self, row):
        role = self.user.role
        if row["landlord_id"] != self.user.landlord_id:
            return None
        if role is Role.OFFICER:
            return row
        if role is Role.RESIDENT:
            return row if row["resident_id"] == self.user.id else None
        if row["awarded_to"] == self.user.id:
            return row
        if self._on_board(row):
            return {**row, **dict.fromkeys(PRIVATE_JOB_FIELDS)}
        return None

    def _on_board(self, row) -> bool:
        tp = self.profile
        return (
            tp is not None
            and row["status"] == JobStatus.POSTED
            and row["trade"] in tp.trades
            and row["district"] in tp.districts
        )

    def _offers(self, row):
        if self.user.role is Role.OFFICER:
            return row  # offers are only ever on this landlord's jobs in a landlord's server
        return row if row["tradesperson_id"] == self.user.id else None

    def _visits(self, row):
        if self.user.role is Role.OFFICER:
            return row
        return row if row["tradesperson_id"] == self.user.id else None
