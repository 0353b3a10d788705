"""What evidence each kind of visit outcome needs before it can be recorded."""

from __future__ import annotations

from app.domain.lifecycle import Rejected
from app.domain.models import PhotoRef, PhotoStage


def check_completion(photos: list[PhotoRef]) -> None:
    if not any(p.stage is PhotoStage.AFTER for p in photos):
        raise Rejected("evidence", "Add at least one photo of the finished work before completing.")


def check_no_access(photos: list[PhotoRef], note: str) -> None:
    if not note.strip() and not any(p.stage is PhotoStage.NO_ACCESS for p in photos):
        raise Rejected(
            "evidence", "Add a photo of the calling card you left, or a note of what happened."
        )


def check_extra(reason: str, price_pence: int, photos: list[PhotoRef]) -> None:
    if not reason.strip():
        raise Rejected("evidence", "Say why the extra work is needed.")
    if price_pence <= 0:
        raise Rejected("evidence", "Give a price for the extra work.")
    if not any(p.stage is PhotoStage.EXTRA for p in photos):
        raise Rejected("evidence", "Add a photo showing why the extra work is needed.")
