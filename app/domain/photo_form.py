"""The one form a stored photo takes, checked by the server when a photo arrives and
relied on by the device that prepared it: its bytes hash to its name, it is a JPEG of at
most 1600 px on its long edge, and it carries no metadata (no EXIF, XMP, GPS or ICC)."""

from __future__ import annotations

import hashlib
import io

from PIL import Image

LONG_EDGE = 1600
ARRIVED_DAMAGED = "The photo arrived damaged. It will be sent again."
NOT_PREPARED = "This photo was not prepared by the app. Send it again from the app."
CARRIES_METADATA = (
    "This photo still carries hidden details such as its location. "
    "Send it again from the app, which removes them."
)


class PhotoRejected(Exception):  # noqa: N818 - a rejection is an answer, not a crash
    """The photo can't be used; `reason` tells the user what is wrong and what to do."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def verify_prepared(data: bytes, expected_sha256: str) -> tuple[int, int]:
    """Check an uploaded blob is an intact prepared photo; return its size."""
    if sha256_hex(data) != expected_sha256.lower():
        raise PhotoRejected(ARRIVED_DAMAGED)
    try:
        im = Image.open(io.BytesIO(data), formats=("JPEG",))
    except Exception as exc:  # not a JPEG, or a header too damaged to read
        raise PhotoRejected(NOT_PREPARED) from exc
    if max(im.size) > LONG_EDGE or im.width * im.height > LONG_EDGE * LONG_EDGE:
        raise PhotoRejected(NOT_PREPARED)
    # EXIF and XMP (with any GPS) live in APP1, ICC in APP2, IPTC in APP13; only the
    # JFIF header (APP0) is allowed.
    if any(marker != "APP0" for marker, _ in im.applist):
        raise PhotoRejected(CARRIES_METADATA)
    try:
        im.load()
    except Exception as exc:  # truncated or corrupt pixel data
        raise PhotoRejected(NOT_PREPARED) from exc
    return im.size
