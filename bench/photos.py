"""Photo pipeline benchmark: `python bench/photos.py [PHOTO.jpg] [--runs 10]`.

Makes a deterministic 12-megapixel (4000x3000) phone JPEG, stored sideways with EXIF
orientation 6, GPS coordinates and a capture time (or uses the JPEG given), and prints:

1. time per photo for `prepare_photo` (median of `--runs`) beside the floor (Pillow draft
   decode, resize to 1600 px on the long edge, save JPEG quality 80, nothing else) and
   their ratio;
2. the prepared photo's size beside the goal (500 KB or less), and the thumbnail's size.
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from PIL import ExifTags, Image, ImageFilter

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.photos import JPEG_QUALITY, LONG_EDGE, prepare_photo  # noqa: E402

SIZE_GOAL_KB = 500


def phone_jpeg(width: int = 4000, height: int = 3000, seed: int = 12) -> bytes:
    """A sideways 12 MP phone photo: colour gradients, coarse texture and sensor grain."""
    rng = random.Random(seed)

    def noise(size: tuple[int, int], blur: float) -> Image.Image:
        grain = Image.frombytes("L", size, rng.randbytes(size[0] * size[1]))
        return grain.filter(ImageFilter.GaussianBlur(blur)).resize((width, height))

    gradients = Image.merge(
        "RGB",
        [
            Image.linear_gradient("L").resize((width, height)),
            Image.radial_gradient("L").resize((width, height)),
            Image.linear_gradient("L").rotate(90).resize((width, height)),
        ],
    )
    texture = Image.merge("RGB", [noise((width // 4, height // 4), 1.5) for _ in range(3)])
    grain = noise((width, height), 0.8).convert("RGB")
    photo = Image.blend(Image.blend(gradients, texture, 0.4), grain, 0.25)

    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "PhoneCo"
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(
        {1: "N", 2: (51.0, 30.0, 26.0), 3: "W", 4: (0.0, 7.0, 39.0)}
    )
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = "2024:03:05 14:30:00"
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=92, exif=exif.tobytes())
    return out.getvalue()


def floor(data: bytes) -> bytes:
    """The least any pipeline must do: draft decode, resize, encode."""
    im = Image.open(io.BytesIO(data))
    scale = LONG_EDGE / max(im.size)
    size = (round(im.width * scale), round(im.height * scale))
    im.draft("RGB", size)
    out = io.BytesIO()
    im.resize(size, Image.Resampling.LANCZOS).save(out, "JPEG", quality=JPEG_QUALITY)
    return out.getvalue()


def median_seconds(fn: Callable[[], object], runs: int) -> float:
    fn()  # warm up: plugin imports, first allocations
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_prepare(data: bytes, runs: int) -> None:
    source = Image.open(io.BytesIO(data))
    orientation = source.getexif().get(ExifTags.Base.Orientation, 1)
    print(
        f"source: {source.width}x{source.height} {source.format}, "
        f"{len(data) / 1e6:.1f} MB, EXIF orientation {orientation}"
    )

    prepared = prepare_photo(data)
    ours = median_seconds(lambda: prepare_photo(data), runs)
    least = median_seconds(lambda: floor(data), runs)
    print(f"prepare_photo: {ours * 1000:6.0f} ms per photo (median of {runs})")
    print(f"floor:         {least * 1000:6.0f} ms per photo (draft decode, resize, save q80)")
    print(f"ratio:         {ours / least:6.2f}")

    size_kb = prepared.size / 1024
    verdict = "ok" if size_kb <= SIZE_GOAL_KB else "OVER GOAL"
    print(
        f"output:        {size_kb:6.0f} KB, {prepared.width}x{prepared.height} "
        f"(goal {SIZE_GOAL_KB} KB or less: {verdict})"
    )
    thumb = Image.open(io.BytesIO(prepared.thumbnail))
    print(f"thumbnail:     {len(prepared.thumbnail) / 1024:6.0f} KB, {thumb.width}x{thumb.height}")


def bench_upload(count: int = 20) -> None:
    """Time to upload `count` prepared photos on loopback, each server in its own process:
    HEAD + PUT /v1/blobs/{sha} with a bearer token one after another (as the sync engine
    does), the same 4 at a time, and through a `Client`: add_photo, reports referencing
    the photos, then one timed sync()."""
    import asyncio
    import os
    import tempfile

    import httpx
    import keyring
    from keyring.backends import fail

    from app.client import Client
    from app.domain.models import PhotoStage, Trade
    from app.photos import verify_prepared
    from bench.sync import ServerProcess, login
    from server_stub.photo_store import _write_atomically

    keyring.set_keyring(fail.Keyring())  # tokens in memory only; never the real keyring
    sources = [phone_jpeg(seed=100 + n) for n in range(count)]
    photos = [prepare_photo(data) for data in sources]
    total = sum(ph.size for ph in photos)
    account = ("resident@demo.test", "demo")

    async def head_put(http: httpx.AsyncClient, ph, gate: asyncio.Semaphore) -> None:
        async with gate:
            if (await http.head(f"/v1/blobs/{ph.sha256}")).status_code == 200:
                return
            put = await http.put(f"/v1/blobs/{ph.sha256}", content=ph.data)
            if put.status_code != 200 or not put.json().get("stored"):
                raise RuntimeError(f"upload refused: {put.status_code} {put.text}")

    async def upload_all(url: str, at_once: int) -> tuple[float, float]:
        """Seconds to upload every photo, then to HEAD them all again (all there)."""
        token, _user = login(url, *account)
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as http:
            gate = asyncio.Semaphore(at_once)
            start = time.perf_counter()
            await asyncio.gather(*(head_put(http, ph, gate) for ph in photos))
            upload = time.perf_counter() - start
            start = time.perf_counter()
            for ph in photos:
                if (await http.head(f"/v1/blobs/{ph.sha256}")).status_code != 200:
                    raise RuntimeError("an uploaded photo is missing")
            return upload, time.perf_counter() - start

    async def through_client(url: str, data_dir: Path):
        client = await Client.open(data_dir, url)
        try:
            await client.login(*account)
            await client.sync()  # the home must be local before reporting
            start = time.perf_counter()
            local = [await client.add_photo(data, PhotoStage.REPORT) for data in sources]
            added = time.perf_counter() - start
            for k in range(0, count, 10):  # a report takes at most 10 photos
                await client.report_repair(
                    Trade.PLUMBING, f"Leak, photos {k + 1} to {k + 10}", photos=local[k : k + 10]
                )
            start = time.perf_counter()
            report = await client.sync()
            synced = time.perf_counter() - start
            states = await client.photo_states()
        finally:
            await client.close()
        uploaded = sum(state == "uploaded" for state, _error in states.values())
        return added, synced, report, uploaded

    with tempfile.TemporaryDirectory(prefix="bench-upload-") as tmp:
        work = Path(tmp)
        # The server's own work for each photo, measured in this process.
        start = time.perf_counter()
        for ph in photos:
            verify_prepared(ph.data, ph.sha256)
        verify_each = (time.perf_counter() - start) / count
        start = time.perf_counter()
        for ph in photos:
            _write_atomically(work / "probe" / ph.sha256, ph.data)
        write_each = (time.perf_counter() - start) / count

        results = {}
        for name in ("one", "four", "client"):  # a fresh server (and blob store) for each
            server = ServerProcess(work / f"{name}.db", work / f"{name}-blobs", work / "log")
            try:
                if name == "client":
                    results[name] = asyncio.run(through_client(server.url, work / "client"))
                else:
                    at_once = 1 if name == "one" else 4
                    results[name] = asyncio.run(upload_all(server.url, at_once))
            finally:
                server.stop()

    (one, recheck), (four, _) = results["one"], results["four"]
    added, synced, report, uploaded = results["client"]
    mb = total / 1e6
    print(
        f"\nupload {count} photos on loopback (server in its own process; "
        f"load average {os.getloadavg()[0]:.2f}):"
    )
    print(f"photos:        {mb:6.2f} MB in all, {total / count / 1024:.0f} KB each on average")
    print(
        f"HEAD+PUT:      {one:6.3f} s one after another, {mb / one:.2f} MB/s, "
        f"{one / count * 1000:.0f} ms per photo"
    )
    print(
        f"  server:      {verify_each * 1000:6.0f} ms verify_prepared + "
        f"{write_each * 1000:.1f} ms write and fsync per photo (in-process)"
    )
    print(f"HEAD+PUT x4:   {four:6.3f} s 4 at a time, {mb / four:.2f} MB/s")
    print(f"HEAD again:    {recheck:6.3f} s for all {count}, already there")
    print(
        f"Client sync(): {synced:6.3f} s, {mb / synced:.2f} MB/s: {report.uploaded} photos up "
        f"({uploaded} marked uploaded), {report.pushed} reports pushed, "
        f"{report.rejected} rejected"
    )
    print(f"  before it:   {added:6.3f} s for {count} Client.add_photo (prepare and keep)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("photo", nargs="?", type=Path, help="a real photo to use instead")
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args(argv)

    data = args.photo.read_bytes() if args.photo else phone_jpeg()
    bench_prepare(data, args.runs)
    bench_upload()


if __name__ == "__main__":
    main()
