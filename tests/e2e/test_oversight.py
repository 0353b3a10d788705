"""Holding contractors to account, on the officer's desktop (1440x900): open work by where
it stands against its target, a damp and mould report's three clocks and the recorded
investigation, a job put on hold and taken off; past repairs imported from a CSV file
that make a pattern (three repeat call-outs); the pattern noted and its scorecard opened,
a figure's jobs, the rating chart, and an evidence pack whose PDF and CSV are read back
from the officer's device and the browser's download."""

from __future__ import annotations

import csv
import io
import re
import sqlite3
import subprocess
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import FileChooser, Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from server_stub.demo import DEMO_ACCOUNTS
from tests.e2e.conftest import (
    SHOTS,
    SIZES,
    WAIT_MS,
    app_process,
    card,
    choose,
    go_to,
    open_app,
    post_job,
    see,
    send_report,
    sign_in_as,
    sync_until,
    tap,
    type_into,
)

pytestmark = pytest.mark.e2e

DAMP = "Mould spreading behind the wardrobe"


@pytest.fixture(scope="module")
def app_env(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """The app with its bundled demo server, and its data folder."""
    data = tmp_path_factory.mktemp("app-data")
    app, url = app_process(data)
    app.start()
    yield url, data
    app.stop()


def shoot_at(page: Page, name: str, *sizes: str) -> None:
    """Screenshots at the sizes named, then back to the desktop."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for size in sizes:
        width, height = SIZES[size]
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(1000)
        page.screenshot(path=SHOTS / f"{name}-{size}.png")
    width, height = SIZES["desktop"]
    page.set_viewport_size({"width": width, "height": height})
    page.wait_for_timeout(800)


def past_repairs(database: Path) -> tuple[str, bytes]:
    """A CSV export of six past repairs: three by one tradesperson at three homes, each
    reported again within a fortnight (repeat call-outs), and that business's name."""
    con = sqlite3.connect(database)
    try:
        (landlord,) = con.execute(
            "SELECT landlord_id FROM users WHERE email = ?", (DEMO_ACCOUNTS["officer"],)
        ).fetchone()
        homes = [
            h
            for (h,) in con.execute(
                "SELECT id FROM homes WHERE landlord_id = ? ORDER BY id LIMIT 3", (landlord,)
            )
        ]
        (business,) = con.execute(
            "SELECT business_name FROM tradespeople WHERE landlord_id = ? AND status = 'approved'"
            " AND home_id IS NULL ORDER BY business_name LIMIT 1",
            (landlord,),
        ).fetchone()
    finally:
        con.close()
    today = date.today()
    rows = [
        "RepairReference,PropertyReference,TradeCode,RepairDescription,ReportedDateTime,"
        "CompletedDateTime,ContractorReference,Cost,SatisfactionScore,SatisfactionComment"
    ]
    for n, home in enumerate(homes, start=1):
        first, again = today - timedelta(days=26 - n), today - timedelta(days=12 - n)
        rows.append(
            f"OLD-{n},{home},plumbing,Leaking waste pipe {n},{first},{first + timedelta(days=1)},"
            f'"{business}",95.00,2,Still dripping a week later'
        )
        rows.append(
            f"OLD-{n}R,{home},plumbing,Waste pipe leaking again {n},{again},"
            f"{again + timedelta(days=1)},,80.00,,"
        )
    return business, ("\n".join(rows) + "\n").encode()


def says(scope: Page | Locator, text: str | re.Pattern) -> None:
    """`text` shows in `scope`: as DOM text, or in the name of a group (Flutter merges the
    texts around buttons into one node)."""
    pattern = text if isinstance(text, re.Pattern) else re.compile(re.escape(text))
    found = scope.get_by_text(pattern).or_(scope.get_by_role("group", name=pattern))
    expect(found.first).to_be_visible(timeout=WAIT_MS)


def pick(page: Page, button: str) -> FileChooser:
    """Open the file chooser with `button`. Chromium opens it only while the click still
    counts as the person's (a few seconds): on a busy machine the app's answer can come
    later, so click again."""
    for _ in range(3):
        try:
            with page.expect_file_chooser(timeout=8_000) as chooser:
                page.get_by_role("button", name=button).click()
            return chooser.value
        except PlaywrightTimeoutError:
            page.keyboard.press("Escape")
    raise AssertionError(f"{button} did not open a file chooser")


def pounds(text: str) -> int:
    return round(float(text.replace("£", "").replace(",", "")) * 100)


def test_the_officer_holds_contractors_to_account(browser, app_env, tmp_path):
    url, data = app_env

    # A resident reports damp and mould; the officer posts it, so its clocks run.
    resident = open_app(browser, url, "tablet")
    sign_in_as(resident, "Resident")
    choose(resident, "What kind of repair?", "Damp and mould")
    type_into(resident, "What's wrong?", DAMP)
    send_report(resident)
    see(resident, "Repair reported")

    officer = open_app(browser, url, "desktop")
    sign_in_as(officer, "Housing officer")
    sync_until(officer, card(officer, DAMP))
    post_job(officer, DAMP)

    # Oversight: three lists with counts, then the damp and mould clocks.
    go_to(officer, "Oversight")
    for name in ("Past target", "At risk", "On track"):
        see(officer, re.compile(rf"^{name} \(\d+\)$"))
    see(officer, re.compile(r"^Damp and mould \(\d+\)$"))
    damp = card(officer, DAMP, says="Investigate by")
    says(damp, re.compile(r"Investigate by .*: \d+ (days|hours) left"))
    says(damp, "Start safety work by")
    shoot_at(officer, "oversight", "desktop", "tablet")

    tap(damp.get_by_role("button", name="Record the investigation"))
    dialog = officer.get_by_role("alertdialog")
    type_into(officer, "What was found", "Condensation from a blocked extractor fan")
    tap(dialog.get_by_role("button", name="Record the investigation"))
    expect(card(officer, DAMP, says="Investigated on")).to_be_visible()
    says(officer, "Findings: Condensation")

    # A job on track is put on hold with a reason, and taken off hold.
    on_hold = officer.get_by_role("button", name="Put on hold").first
    on_hold.click()
    dialog = officer.get_by_role("alertdialog")
    tap(dialog.get_by_role("button", name="Put on hold"))
    expect(dialog.get_by_text("Say why the job is on hold")).to_be_visible()
    type_into(officer, "Why is it on hold?", "Waiting for scaffolding")
    tap(dialog.get_by_role("button", name="Put on hold"))
    says(officer, "On hold: Waiting for scaffolding")
    tap(officer.get_by_role("button", name="Take off hold").first)
    expect(officer.get_by_role("button", name="Take off hold")).to_have_count(0)

    # Past repairs imported from a CSV file: three repeat call-outs by one business.
    business, text = past_repairs(data / "server" / "marketplace.db")
    go_to(officer, "Contractors")
    see(officer, re.compile(r"^Tradespeople with work in"))
    pick(officer, "Import past repairs").set_files(
        files=[{"name": "past-repairs.csv", "mimeType": "text/csv", "buffer": text}]
    )
    says(officer, "6 repairs imported.")
    shoot_at(officer, "contractors", "desktop")

    # The pattern queue: the repeat call-outs, their jobs, a note.
    go_to(officer, "Patterns")
    pattern = card(officer, "Repeat call-outs", says=business)
    sync_until(officer, pattern)
    says(pattern, "were reported again within 30 days")
    tap(pattern.get_by_role("button", name="See the 3 jobs"))
    dialog = officer.get_by_role("alertdialog")
    expect(dialog.get_by_role("button", name="Leaking waste pipe 1")).to_be_visible()
    tap(dialog.get_by_role("button", name="Leaking waste pipe 1"))
    says(dialog, "Still dripping a week later")
    tap(dialog.get_by_role("button", name="Back to the list"))
    # A dispute pack of exactly these three jobs, saved on the device.
    tap(dialog.get_by_role("button", name="Evidence pack of these jobs"))
    three = officer.locator("[flt-semantics-identifier=jobs-pack-totals]")
    expect(three).to_contain_text(re.compile(r"^3 jobs: £"))
    [jobs_pack] = (data / "devices").glob("*/packs/evidence-pack-jobs-*.csv")
    assert len(list(csv.DictReader(io.StringIO(jobs_pack.read_text(encoding="utf-8"))))) == 3
    tap(dialog.get_by_role("button", name="Close"))
    tap(pattern.get_by_role("button", name="Add a note"))
    type_into(officer, "Your note", "Raise at the December review")
    tap(officer.get_by_role("alertdialog").get_by_role("button", name="Save note"))
    says(officer, "Raise at the December review")
    shoot_at(officer, "patterns", "desktop")

    # The thresholds are the officer's: four call-outs needed, the item leaves the queue;
    # a threshold that is not a number is refused at its field.
    def thresholds(count: str) -> None:
        tap(officer.get_by_role("button", name="Change the thresholds"))
        type_into(officer, "Repeat call-outs: how many", count)
        tap(officer.get_by_role("alertdialog").get_by_role("button", name="Save thresholds"))

    thresholds("none")
    expect(officer.get_by_text("Write a whole number more than zero.")).to_be_visible()
    type_into(officer, "Repeat call-outs: how many", "4")
    tap(officer.get_by_role("alertdialog").get_by_role("button", name="Save thresholds"))
    says(officer, "4 or more repeat call-outs in 30 days")
    expect(card(officer, "Repeat call-outs", says=business)).to_have_count(0)
    thresholds("3")
    says(officer, "3 or more repeat call-outs in 30 days")
    expect(pattern).to_be_visible()

    # Its scorecard: three things to raise, figures beside the median, a figure's jobs.
    tap(pattern.get_by_role("button", name="Open the scorecard"))
    says(officer, "Three things to raise")
    expect(officer.get_by_text(business, exact=True).first).to_be_visible()
    says(officer, re.compile(r"[123]\. Repeat call-outs"))  # among the three, in any place
    recalls = officer.get_by_role("button", name=re.compile(r"^Recalled within 30 days: "))
    recalls.click()
    dialog = officer.get_by_role("alertdialog")
    expect(dialog.get_by_role("button", name=re.compile("^Leaking waste pipe"))).to_have_count(3)
    tap(dialog.get_by_role("button", name="Close"))
    says(officer, "Residents' quality rating, month by month")
    shoot_at(officer, "scorecard", "desktop", "tablet")

    # The evidence pack: saved on the device, offered for download, totals in words.
    tap(officer.get_by_role("button", name="Make an evidence pack"))
    totals = officer.locator("[flt-semantics-identifier=pack-totals]")
    expect(totals).to_contain_text(re.compile(r"^\d+ jobs?: £"))
    said = totals.inner_text()
    shoot_at(officer, "evidence-pack", "desktop")
    with officer.expect_download() as download:
        tap(officer.get_by_role("button", name="Download the CSV"))
    downloaded = download.value.path().read_text(encoding="utf-8")

    packs = [
        p
        for p in (data / "devices").glob("*/packs/*.pdf")
        if not p.name.startswith("evidence-pack-jobs")
    ]
    assert len(packs) == 1, packs
    pdf = packs[0]
    saved_csv = pdf.with_suffix(".csv").read_text(encoding="utf-8")
    assert downloaded == saved_csv
    assert pdf.read_bytes().startswith(b"%PDF")
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", str(pdf), str(SHOTS / "evidence-pack-page")], check=True
    )
    assert list(SHOTS.glob("evidence-pack-page-*.png"))

    # The CSV's totals are the totals on screen.
    rows = list(csv.DictReader(io.StringIO(saved_csv)))
    jobs = int(re.match(r"^(\d+) jobs?", said).group(1))
    agreed, approved, refused, total = (pounds(x) for x in re.findall(r"£[\d,]+\.\d\d", said))
    assert len(rows) == jobs
    assert sum(int(r["total_pence"]) for r in rows) == total
    assert sum(int(r["price_pence"]) for r in rows) == agreed
    assert sum(int(r["extras_approved_pence"]) for r in rows) == approved
    assert sum(int(r["extras_refused_pence"]) for r in rows) == refused
    assert any(r["title"].startswith("Leaking waste pipe") for r in rows)
    # ... and the PDF's own totals, read back from its text.
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    printed = dict(re.findall(r"^\s*(Jobs|Agreed prices|Total payable): (\S+)", text, re.M))
    assert int(printed["Jobs"]) == len(rows)
    assert pounds(printed["Agreed prices"]) == agreed
    assert pounds(printed["Total payable"]) == sum(int(r["total_pence"]) for r in rows)
