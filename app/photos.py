"""The photo pipeline: everything between a photo the user picked and the bytes we send.

This module owns turning any phone or camera picture into the one form the marketplace
stores (`prepare_photo`); `app.domain.photo_form` holds the check, shared with the
server, that an uploaded blob really is in that form. A prepared photo is:

- upright (EXIF orientation applied to the pixels),
- free of every EXIF, XMP, GPS, ICC and comment segment (the capture time is kept as a
  field, never in the file),
- at most 1600 px on its long edge, a progressive JPEG of quality 80,
- accompanied by a thumbnail of about 320 px and the SHA-256 of its bytes.

Anything that is not a readable picture (empty, text, truncated, corrupt, too large or a
decompression bomb) raises `PhotoRejected` with a sentence the user can act on.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime

from PIL import ExifTags, Image, UnidentifiedImageError, WebPImagePlugin

from app.domain.photo_form import LONG_EDGE, PhotoRejected, sha256_hex, verify_prepared

__all__ = ["LONG_EDGE", "PhotoRejected", "prepare_photo", "sha256_hex", "verify_prepared"]

try:
    import pillow_heif

    pillow_heif.register_heif_opener()
    HEIF_SUPPORTED = True
except ImportError:  # pragma: no cover - depends on the device's build
    HEIF_SUPPORTED = False

MAX_INPUT_BYTES = 40 * 1024 * 1024
MAX_PIXELS = 60_000_000
THUMBNAIL_LONG_EDGE = 320
JPEG_QUALITY = 80

# Image.open(formats=...) fails on a format whose plugin is not registered yet, hence
# the WebPImagePlugin import and HEIF only when pillow_heif loaded. "JPEG" also opens MPO
# files (multi-picture JPEGs from some cameras).
ACCEPTED_FORMATS = ("JPEG", "PNG", WebPImagePlugin.WebPImageFile.format) + (
    ("HEIF",) if HEIF_SUPPORTED else ()
)

EMPTY = "This photo is empty. Take the photo again or choose another one."
TOO_MANY_BYTES = "This file is over 40 MB, too big for a photo. Choose a smaller photo."
NOT_A_PHOTO = "This file is not a photo. Choose a JPEG, PNG or HEIC picture."
HEIC_UNSUPPORTED = (
    "iPhone HEIC photos can't be read on this device. "
    "In Settings > Camera > Formats choose Most Compatible, or send a JPEG."
)
DAMAGED = (
    "This photo is damaged or incomplete and can't be opened. "
    "Take the photo again or choose another one."
)
TOO_MANY_PIXELS = (
    "This picture is too large to open (over 60 megapixels). "
    "Choose a photo taken with a phone or camera at its normal size."
)
# What to do to the stored pixels for each EXIF orientation so that they show upright
# (the same table as PIL.ImageOps.exif_transpose, applied here after resizing).
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}


@dataclass(frozen=True)
class PreparedPhoto:
    data: bytes = field(repr=False)
    sha256: str
    width: int
    height: int
    thumbnail: bytes = field(repr=False)
    captured_at: datetime | None

    @property
    def size(self) -> int:
        return len(self.data)


def prepare_photo(data: bytes) -> PreparedPhoto:
    """Turn a picture as picked or taken into a `PreparedPhoto`, or raise `PhotoRejected`."""
    if not data:
        raise PhotoRejected(EMPTY)
    if len(data) > MAX_INPUT_BYTES:
        raise PhotoRejected(TOO_MANY_BYTES)

    im = _open(data, ACCEPTED_FORMATS)
    if im.format in ("JPEG", "MPO"):
        # Let libjpeg decode at 1/2, 1/4 or 1/8 scale, never below the final size.
        im.draft("RGB", _fit(im.size, LONG_EDGE))
    try:
        im.load()
        exif = im.getexif()
        upright = _UPRIGHT.get(exif.get(ExifTags.Base.Orientation, 1))
        captured_at = _captured_at(exif)
    # Pillow's decoders raise many exception types on malformed input
    # (OSError, SyntaxError, ValueError, EOFError, struct.error, ...).
    except Exception as exc:
        raise PhotoRejected(DAMAGED) from exc

    photo = _shrink(_to_rgb(im), LONG_EDGE)
    if upright is not None:
        photo = photo.transpose(upright)
    out = _encode(photo)
    return PreparedPhoto(
        data=out,
        sha256=sha256_hex(out),
        width=photo.width,
        height=photo.height,
        thumbnail=_encode(_shrink(photo, THUMBNAIL_LONG_EDGE)),
        captured_at=captured_at,
    )


def _open(data: bytes, formats: tuple[str, ...]) -> Image.Image:
    """Read the header only; reject what is not a picture or would be too big to decode."""
    try:
        im = Image.open(io.BytesIO(data), formats=formats)
    except UnidentifiedImageError as exc:
        if not HEIF_SUPPORTED and data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
            raise PhotoRejected(HEIC_UNSUPPORTED) from exc
        raise PhotoRejected(NOT_A_PHOTO) from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PhotoRejected(TOO_MANY_PIXELS) from exc
    except Exception as exc:  # a recognised format with a malformed header
        raise PhotoRejected(DAMAGED) from exc
    if im.width * im.height > MAX_PIXELS:
        raise PhotoRejected(TOO_MANY_PIXELS)
    return im


def _fit(size: tuple[int, int], long_edge: int) -> tuple[int, int]:
    width, height = size
    scale = min(1.0, long_edge / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _shrink(im: Image.Image, long_edge: int) -> Image.Image:
    size = _fit(im.size, long_edge)
    if size == im.size:
        return im
    return im.resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0)


def _to_rgb(im: Image.Image) -> Image.Image:
    """RGB pixels, with transparent areas on white (a plain convert would make them black)."""
    if im.has_transparency_data:
        rgba = im.convert("RGBA")
        background = Image.new("RGB", im.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return im if im.mode == "RGB" else im.convert("RGB")


def _encode(im: Image.Image) -> bytes:
    # Pixels only: `info` may still hold the source's comment, EXIF or ICC profile.
    im.info = {}
    out = io.BytesIO()
    im.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return out.getvalue()


def _captured_at(exif: Image.Exif) -> datetime | None:
    taken = exif.get_ifd(ExifTags.IFD.Exif).get(ExifTags.Base.DateTimeOriginal)
    for value in (taken, exif.get(ExifTags.Base.DateTime)):
        if isinstance(value, str):
            try:
                return datetime.strptime(value.strip("\x00 "), "%Y:%m:%d %H:%M:%S")
            except ValueError:
                continue
    return None
