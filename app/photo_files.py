"""Where a device keeps photo files: each person's under `data_dir/users/<user_id>/photos`
and `.../thumbnails`, named by their SHA-256. Photos taken before folders were per person
sit in the old flat `data_dir/photos` and are still found there, so they still upload.

The client writes here, the sync engine reads here to upload and prunes originals it has
sent, and signing out removes a person's files except those still waiting to be sent."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

PHOTOS, THUMBNAILS = "photos", "thumbnails"


@dataclass(frozen=True)
class PhotoFiles:
    data_dir: Path

    def folder(self, user_id: str, kind: str = PHOTOS) -> Path:
        return self.data_dir / "users" / user_id / kind

    def write(self, user_id: str, sha256: str, photo: bytes, thumbnail: bytes) -> None:
        for kind, content in ((PHOTOS, photo), (THUMBNAILS, thumbnail)):
            folder = self.folder(user_id, kind)
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{sha256}.jpg"
            if not path.exists():
                path.write_bytes(content)

    def find(self, user_id: str | None, sha256: str) -> Path | None:
        """The photo's file: in its person's folder, else in the old flat folder."""
        places = [self.folder(user_id)] if user_id else []
        for folder in [*places, self.data_dir / PHOTOS]:
            path = folder / f"{sha256}.jpg"
            if path.exists():
                return path
        return None

    def remove_original(self, sha256: str) -> None:
        """After upload and retention: the thumbnail stays, the full photo goes."""
        for folder in [*self.data_dir.glob(f"users/*/{PHOTOS}"), self.data_dir / PHOTOS]:
            (folder / f"{sha256}.jpg").unlink(missing_ok=True)

    def forget(self, user_id: str, keep: Iterable[str]) -> None:
        """On sign-out: remove the person's photos and thumbnails (and any in the old flat
        folders) except `keep`, the photos still waiting to be sent."""
        keep = {f"{sha}.jpg" for sha in keep}
        folders = [self.folder(user_id, kind) for kind in (PHOTOS, THUMBNAILS)]
        for folder in [*folders, self.data_dir / PHOTOS, self.data_dir / THUMBNAILS]:
            if folder.is_dir():
                for path in folder.glob("*.jpg"):
                    if path.name not in keep:
                        path.unlink(missing_ok=True)
