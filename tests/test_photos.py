"""The photo pipeline, told as what happens to the pictures people send.

Every image here is made by the test with Pillow, metadata included.
"""

from __future__ import annotations

import io
import random
import struct
import zlib
from datetime import datetime

import pytest
from PIL import ExifTags, Image, ImageCms

from app import photos
from app.domain import photo_form
from app.photos import PhotoRejected, prepare_photo, sha256_hex, verify_prepared

RED = (255, 0, 0)
GPS = {1: "N", 2: (51.0, 30.0, 26.0), 3: "W", 4: (0.0, 7.0, 39.0)}  # central London
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
    b'xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:CreatorTool="Phone"/></rdf:RDF></x:xmpmeta>'
)

# How a camera stores an upright scene for each EXIF orientation (the inverse of what a
# viewer must do to show it).
STORED_AS = {
    1: None,
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,  # phone held upright: the scene's top is on the left
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}


def scene(size: tuple[int, int] = (300, 200)) -> Image.Image:
    """A white landscape picture with a red block in its top-left corner."""
    im = Image.new("RGB", size, "white")
    im.paste(RED, (0, 0, size[0] // 5, size[1] // 5))
    return im


def encode(im: Image.Image, fmt: str = "JPEG", **params) -> bytes:
    out = io.BytesIO()
    im.save(out, fmt, **params)
    return out.getvalue()


def camera_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "PhoneCo"
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(GPS)
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = "2024:03:05 14:30:00"
    return exif


def taken_by_phone(orientation: int, size: tuple[int, int] = (300, 200), fmt="JPEG") -> bytes:
    """The scene as a phone stores it: pixels turned, orientation, GPS and time in EXIF."""
    method = STORED_AS[orientation]
    stored = scene(size) if method is None else scene(size).transpose(method)
    return encode(stored, fmt, exif=camera_exif(orientation).tobytes())


def opened(data: bytes) -> Image.Image:
    im = Image.open(io.BytesIO(data))
    im.load()
    return im


def is_red(pixel) -> bool:
    r, g, b = pixel[:3]
    return r > 200 and g < 60 and b < 60


def assert_upright_scene(im: Image.Image, size: tuple[int, int]) -> None:
    assert im.size == size
    w, h = size
    assert is_red(im.getpixel((w // 10, h // 10))), "red block should be top-left"
    for corner in ((w - 3, 2), (2, h - 3), (w - 3, h - 3)):
        assert not is_red(im.getpixel(corner))


def assert_no_metadata(data: bytes) -> None:
    im = opened(data)
    assert im.format == "JPEG"
    assert not im.getexif()
    assert [marker for marker, _ in im.applist] == ["APP0"]  # JFIF header only
    assert not {"exif", "xmp", "icc_profile", "comment", "photoshop"} & set(im.info)
    assert b"Exif\x00\x00" not in data
    assert b"http://ns.adobe.com/xap" not in data


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims an enormous picture (a decompression bomb)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1000))
        + chunk(b"IEND", b"")
    )


def rejected(data: bytes) -> str:
    with pytest.raises(PhotoRejected) as caught:
        prepare_photo(data)
    return caught.value.reason


# Turned upright


@pytest.mark.parametrize("orientation", range(1, 9))
def test_phone_photo_in_any_of_the_eight_orientations_comes_out_upright(orientation):
    data = taken_by_phone(orientation)
    stored = opened(data)
    assert stored.size == ((200, 300) if orientation >= 5 else (300, 200))

    prepared = prepare_photo(data)

    assert (prepared.width, prepared.height) == (300, 200)
    assert_upright_scene(opened(prepared.data), (300, 200))
    assert_upright_scene(opened(prepared.thumbnail), (300, 200))


def test_sideways_iphone_heic_photo_is_accepted_turned_upright_and_sent_as_jpeg():
    prepared = prepare_photo(taken_by_phone(6, fmt="HEIF"))

    assert_upright_scene(opened(prepared.data), (300, 200))
    assert_no_metadata(prepared.data)
    assert prepared.captured_at == datetime(2024, 3, 5, 14, 30)


def test_heic_photo_on_a_device_without_heic_support_gets_advice(monkeypatch):
    heic = taken_by_phone(1, fmt="HEIF")
    monkeypatch.setattr(photos, "HEIF_SUPPORTED", False)
    monkeypatch.setattr(photos, "ACCEPTED_FORMATS", ("JPEG", "PNG", "WEBP"))

    assert rejected(heic) == photos.HEIC_UNSUPPORTED
    assert "Most Compatible" in photos.HEIC_UNSUPPORTED


# Private details removed


def test_location_and_every_other_hidden_detail_are_removed_but_capture_time_is_kept():
    data = encode(
        scene(),
        exif=camera_exif(1).tobytes(),
        xmp=XMP,
        icc_profile=ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes(),
        comment="flat 4B, key under the mat",
    )
    source = opened(data)
    assert source.getexif().get_ifd(ExifTags.IFD.GPSInfo) == GPS
    assert {"exif", "xmp", "icc_profile", "comment"} <= set(source.info)

    prepared = prepare_photo(data)

    assert_no_metadata(prepared.data)
    assert_no_metadata(prepared.thumbnail)
    assert b"flat 4B" not in prepared.data
    assert prepared.captured_at == datetime(2024, 3, 5, 14, 30)


def test_photo_without_exif_has_no_capture_time():
    assert prepare_photo(encode(scene())).captured_at is None


def test_capture_time_falls_back_to_the_file_date_time():
    exif = Image.Exif()
    exif[ExifTags.Base.DateTime] = "2023:12:24 09:05:01"
    assert prepare_photo(encode(scene(), exif=exif)).captured_at == datetime(2023, 12, 24, 9, 5, 1)


# Size and format


def test_twenty_four_megapixel_photo_is_shrunk_to_1600_on_its_long_edge():
    prepared = prepare_photo(encode(scene((6000, 4000)), quality=50))

    assert (prepared.width, prepared.height) == (1600, 1067)
    assert_upright_scene(opened(prepared.data), (1600, 1067))


def test_tall_portrait_photo_is_shrunk_on_its_long_edge_and_turned_upright():
    prepared = prepare_photo(taken_by_phone(6, size=(2400, 3200)))

    assert (prepared.width, prepared.height) == (1200, 1600)
    assert_upright_scene(opened(prepared.data), (1200, 1600))


def test_large_png_screenshot_is_shrunk_too():
    prepared = prepare_photo(encode(scene((2400, 1800)), "PNG"))
    assert (prepared.width, prepared.height) == (1600, 1200)


def test_small_photo_is_not_enlarged():
    prepared = prepare_photo(encode(scene((400, 300))))
    assert (prepared.width, prepared.height) == (400, 300)


def test_thumbnail_is_about_320_pixels_on_its_long_edge():
    prepared = prepare_photo(taken_by_phone(8, size=(2000, 1500)))
    assert opened(prepared.thumbnail).size == (320, 240)


def test_prepared_photo_is_a_progressive_jpeg():
    prepared = prepare_photo(encode(scene(), "PNG"))
    im = opened(prepared.data)
    assert im.format == "JPEG"
    assert im.mode == "RGB"
    assert im.info.get("progressive") or im.info.get("progression")


def test_prepared_photo_is_named_by_the_sha256_of_its_bytes():
    prepared = prepare_photo(taken_by_phone(6))
    assert prepared.sha256 == sha256_hex(prepared.data)
    assert len(prepared.sha256) == 64
    assert prepared.size == len(prepared.data)


def test_the_same_photo_prepared_twice_gives_the_same_bytes():
    data = taken_by_phone(3, size=(1800, 1200))
    assert prepare_photo(data) == prepare_photo(data)


def half_blue_half_transparent(mode: str) -> bytes:
    if mode == "RGBA":
        im = Image.new("RGBA", (100, 80), (0, 0, 0, 0))
        im.paste((0, 0, 255, 255), (0, 0, 50, 80))
        return encode(im, "PNG")
    im = Image.new("P", (100, 80), 0)  # palette index 0 (black) is the transparent one
    im.putpalette([0, 0, 0, 0, 0, 255])
    im.paste(1, (0, 0, 50, 80))
    return encode(im, "PNG", transparency=0)


@pytest.mark.parametrize("mode", ["RGBA", "P"])
def test_transparent_parts_of_a_png_become_white_not_black(mode):
    out = opened(prepare_photo(half_blue_half_transparent(mode)).data)

    assert all(channel > 245 for channel in out.getpixel((80, 40)))
    r, g, b = out.getpixel((20, 40))
    assert b > 200 and r < 60 and g < 60


def test_grayscale_and_cmyk_pictures_become_rgb():
    for im in (scene().convert("L"), scene().convert("CMYK")):
        assert opened(prepare_photo(encode(im)).data).mode == "RGB"


# Refused with a reason


def test_empty_file_is_refused():
    assert rejected(b"") == photos.EMPTY


def test_text_file_is_refused_as_not_a_photo():
    reason = rejected(b"Boiler broken since Tuesday, no hot water.\n" * 20)
    assert reason == "This file is not a photo. Choose a JPEG, PNG or HEIC picture."


def test_random_bytes_are_refused_as_not_a_photo():
    assert rejected(random.Random(1).randbytes(10_000)) == photos.NOT_A_PHOTO


def test_other_picture_formats_are_refused_as_not_a_photo():
    assert rejected(encode(scene(), "GIF")) == photos.NOT_A_PHOTO


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "HEIF"])
def test_photo_cut_off_half_way_is_refused_as_damaged(fmt):
    noisy = Image.effect_noise((400, 300), 50).convert("RGB")
    data = encode(noisy, fmt)
    assert rejected(data[: len(data) // 2]) == photos.DAMAGED


def test_progressive_jpeg_cut_off_half_way_is_refused_as_damaged():
    data = encode(Image.effect_noise((400, 300), 50).convert("RGB"), progressive=True)
    assert rejected(data[: len(data) // 2]) == photos.DAMAGED


def test_png_with_a_corrupted_checksum_is_refused_as_damaged():
    data = bytearray(encode(scene(), "PNG"))
    idat = data.index(b"IDAT")
    data[idat + 6] ^= 0xFF
    assert rejected(bytes(data)) == photos.DAMAGED


def test_file_over_40_mb_is_refused_without_being_read():
    assert rejected(b"\xff\xd8\xff" + bytes(photos.MAX_INPUT_BYTES)) == photos.TOO_MANY_BYTES


@pytest.mark.parametrize(
    "width, height",
    [
        (9000, 8000),  # 72 megapixels: over our limit, under Pillow's own warning
        (100_000, 100_000),  # ten gigapixels: Pillow's DecompressionBombError
    ],
)
def test_decompression_bomb_is_refused_before_decoding(width, height):
    bomb = png_claiming(width, height)
    assert len(bomb) < 200
    assert rejected(bomb) == photos.TOO_MANY_PIXELS


def test_real_small_file_with_too_many_pixels_is_refused():
    bomb = encode(Image.new("1", (10_000, 6_100)), "PNG")  # 61 megapixels of white
    assert len(bomb) < 100_000
    assert rejected(bomb) == photos.TOO_MANY_PIXELS


def test_every_reason_is_a_sentence_for_the_user():
    reasons = [
        value
        for module in (photos, photo_form)
        for name, value in vars(module).items()
        if name.isupper() and isinstance(value, str)
    ]
    assert len(reasons) >= 9
    for reason in reasons:
        assert reason[0].isupper() or reason.startswith("iPhone")
        assert reason.endswith(".")
        assert "Error" not in reason and "Pillow" not in reason


# The server's check of an uploaded blob


def test_server_accepts_a_prepared_photo_and_learns_its_size():
    prepared = prepare_photo(taken_by_phone(6, size=(1500, 2000)))
    assert verify_prepared(prepared.data, prepared.sha256) == (1200, 1600)


def test_server_refuses_a_photo_that_does_not_match_its_hash():
    prepared = prepare_photo(encode(scene()))
    damaged = prepared.data[:-100]
    with pytest.raises(PhotoRejected) as caught:
        verify_prepared(damaged, prepared.sha256)
    assert caught.value.reason == "The photo arrived damaged. It will be sent again."


def test_server_refuses_a_text_file_even_with_the_right_hash():
    text = b"not a photo at all"
    with pytest.raises(PhotoRejected) as caught:
        verify_prepared(text, sha256_hex(text))
    assert caught.value.reason == photo_form.NOT_PREPARED


def test_server_refuses_a_truncated_jpeg_even_with_the_right_hash():
    data = prepare_photo(encode(Image.effect_noise((400, 300), 50).convert("RGB"))).data
    cut = data[: len(data) // 2]
    with pytest.raises(PhotoRejected) as caught:
        verify_prepared(cut, sha256_hex(cut))
    assert caught.value.reason == photo_form.NOT_PREPARED


@pytest.mark.parametrize(
    "metadata",
    [
        {"exif": camera_exif(1).tobytes()},
        {"xmp": XMP},
        {"icc_profile": ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()},
        {"comment": "flat 4B"},
    ],
    ids=["exif-with-gps", "xmp", "icc", "comment"],
)
def test_server_refuses_a_photo_that_still_carries_metadata(metadata):
    data = encode(scene(), **metadata)
    with pytest.raises(PhotoRejected) as caught:
        verify_prepared(data, sha256_hex(data))
    assert caught.value.reason == photo_form.CARRIES_METADATA


def test_server_refuses_a_photo_larger_than_the_app_sends():
    data = encode(scene((2000, 1500)))
    with pytest.raises(PhotoRejected) as caught:
        verify_prepared(data, sha256_hex(data))
    assert caught.value.reason == photo_form.NOT_PREPARED


def test_server_refuses_a_png_even_a_small_clean_one():
    data = encode(scene(), "PNG")
    with pytest.raises(PhotoRejected):
        verify_prepared(data, sha256_hex(data))
