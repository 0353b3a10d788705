"""Photos on the server's disk, named by the SHA-256 of their bytes and kept once, with
who uploaded them and who may download them (decided by the domain's policy)."""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from fastapi import HTTPException

from app.domain import policy
from app.domain.photo_form import PhotoRejected, verify_prepared
from server_stub import db

DAILY_QUOTA = 300  # photos one person may upload in a day: a busy day's work and more


class PhotoStore:
    def __init__(self, engine: sa.Engine, folder: Path) -> None:
        self.engine, self.folder = engine, folder
        folder.mkdir(parents=True, exist_ok=True)

    def _path(self, sha256: str) -> Path:
        return self.folder / sha256[:2] / sha256

    def owns(self, user_id: str, sha256: str) -> bool:
        with db.reading(self.engine) as conn:
            return self._owned(conn, user_id, sha256) and self._path(sha256).exists()

    def keep(self, sha256: str, data: bytes, user_id: str) -> bool:
        """Check and keep an upload, and make it this person's; True if it was new here."""
        now = datetime.now(UTC)
        with db.reading(self.engine) as conn:
            today = sa.select(sa.func.count()).where(
                db.blob_owners.c.user_id == user_id,
                db.blob_owners.c.uploaded_at >= now.replace(hour=0, minute=0, second=0),
            )
            if conn.execute(today).scalar_one() >= DAILY_QUOTA:
                raise HTTPException(
                    429,
                    f"You have sent {DAILY_QUOTA} photos today, the most for one day. "
                    "The rest wait on your phone and are sent tomorrow.",
                )
        try:
            width, height = verify_prepared(data, sha256)
        except PhotoRejected as e:
            raise HTTPException(422, e.reason) from None
        path = self._path(sha256)
        new = not path.exists()
        if new:
            _write_atomically(path, data)
        with self.engine.begin() as conn:
            known = sa.select(db.blobs.c.sha256).where(db.blobs.c.sha256 == sha256)
            if conn.execute(known).first() is None:
                conn.execute(
                    db.blobs.insert().values(
                        sha256=sha256,
                        size=len(data),
                        width=width,
                        height=height,
                        uploaded_by=user_id,
                    )
                )
            if not self._owned(conn, user_id, sha256):
                conn.execute(
                    db.blob_owners.insert().values(sha256=sha256, user_id=user_id, uploaded_at=now)
                )
        return new

    def path_for(self, viewer: policy.Viewer, sha256: str) -> Path | None:
        """The photo's file if `viewer` may download it: their own, or cited by a record
        they may see with its photos (a job on the board shows no resident's photos)."""
        path = self._path(sha256)
        if not path.exists():
            return None
        now = datetime.now(UTC)
        with db.reading(self.engine) as conn:
            if self._owned(conn, viewer.user.id, sha256):
                return path
            refs = conn.execute(sa.select(db.photo_refs).where(db.photo_refs.c.sha256 == sha256))
            for ref in refs.mappings().all():
                table = db.SYNCED[ref["tbl"]]
                row = (
                    conn.execute(sa.select(table).where(table.c.id == ref["id"])).mappings().first()
                )
                seen = policy.project(viewer, ref["tbl"], dict(row), now) if row else None
                if seen and sha256 in (seen.get("photos") or []):
                    return path
        return None

    @staticmethod
    def _owned(conn: sa.Connection, user_id: str, sha256: str) -> bool:
        q = sa.select(db.blob_owners).where(
            db.blob_owners.c.sha256 == sha256, db.blob_owners.c.user_id == user_id
        )
        return conn.execute(q).first() is not None


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
