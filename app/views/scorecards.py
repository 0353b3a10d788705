"""Holding contractors to account: the Contractors screen (a sortable table of
tradespeople for a period, each opening to its scorecard: every figure beside the
marketplace median with the jobs behind it, the rating trend, residents' comments, the
three things to raise, and an evidence pack saved on this device), importing past
repairs, and the Patterns screen (the pattern queue with notes and dismissals).

The helpers at the top are plain functions (tested in tests/test_oversight_views.py)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import flet as ft
import flet_charts as fch

from app import evidence_pack as pack
from app.client import Client, JobView, PatternView
from app.domain import commands
from app.domain.lifecycle import Rejected
from app.domain.scorecards import Figure, Period, Scorecard
from app.domain.targets import UK
from app.views import format as fmt
from app.views import theme
from app.views.widgets import (
    FormDialog,
    ListScreen,
    Screen,
    address,
    card,
    dropdown,
    dropdown_row,
    empty,
    error_text,
    field,
    guarded,
    heading,
    hint,
    line,
    on,
    say,
    show_error,
)

# -- periods, rows and words -----------------------------------------------------------

PERIODS = {
    "quarter": "This quarter so far",
    "last_quarter": "Last quarter",
    "year": "Last 12 months",
}


def period_for(key: str, today: date) -> Period:
    """This quarter so far, the quarter before it, or the last 12 months, each up to and
    including today at the latest (so the patterns behind the brief are today's)."""
    this = Period.quarter_of(today)
    if key == "last_quarter":
        return Period.quarter_of(this.start - timedelta(days=1))
    if key == "year":
        return Period(today - timedelta(days=364), today)
    return Period(this.start, today)


@dataclass(frozen=True)
class ContractorRow:
    """One line of the Contractors table."""

    tradesperson_id: str
    name: str
    completed: int
    within: float | None  # completed within target, emergencies and the rest together
    within_count: int
    breaches: Figure
    recalls: Figure
    no_access: Figure
    quality: Figure


def within_target(card: Scorecard) -> tuple[float | None, int]:
    """The share of completed jobs with a target done by it, emergencies included."""
    parts = [card.figures[k] for k in ("within_target_emergency", "within_target")]
    counted = sum(len(f.jobs) for f in parts)
    hits = sum(len(f.hits) for f in parts)
    return (hits / counted if counted else None), counted


def contractor_rows(cards: dict[str, Scorecard], names: dict[str, str]) -> list[ContractorRow]:
    rows = []
    for tp, c in cards.items():
        within, counted = within_target(c)
        rows.append(
            ContractorRow(
                tp,
                names.get(tp, "A tradesperson"),
                int(c.figures["completed"].value or 0),
                within,
                counted,
                c.figures["breaches"],
                c.figures["recalls"],
                c.figures["no_access"],
                c.figures["quality"],
            )
        )
    return rows


# key -> (words, column index in the table, value, best first when sorting)
SORTS: dict[str, tuple[str, int, Callable[[ContractorRow], float | str | None], bool]] = {
    "name": ("Business name, A to Z", 0, lambda r: r.name.lower(), False),
    "completed": ("Most completed first", 1, lambda r: r.completed, True),
    "within": ("Within target, worst first", 2, lambda r: r.within, False),
    "breaches": ("Target breaches, most first", 3, lambda r: r.breaches.value, True),
    "recalls": ("Recalls, most first", 4, lambda r: r.recalls.value, True),
    "no_access": ("No access, most first", 5, lambda r: r.no_access.value, True),
    "quality": ("Quality rating, lowest first", 6, lambda r: r.quality.value, False),
}
COLUMN_SORT = {index: key for key, (_w, index, _v, _d) in SORTS.items()}


def sort_rows(rows: list[ContractorRow], key: str, descending: bool) -> list[ContractorRow]:
    """Sorted by one column; those with nothing to measure always last, then by name."""
    value = SORTS[key][2]
    measured = [r for r in rows if value(r) is not None]
    unmeasured = sorted((r for r in rows if value(r) is None), key=lambda r: r.name.lower())
    measured.sort(key=lambda r: r.name.lower())
    measured.sort(key=value, reverse=descending)  # type: ignore[arg-type, return-value]
    return measured + unmeasured


def rate(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def median_words(f: Figure) -> str:
    """How a figure stands against the marketplace median, in words (never colour alone)."""
    if f.value is None or f.median is None:
        return "Nothing to compare yet"
    if f.value == f.median or (f.median and abs(f.value - f.median) / abs(f.median) < 0.005):
        return "Same as the median"
    higher = f.value > f.median
    if f.kind == "number":  # how much work, not how well it was done
        return "Above the median" if higher else "Below the median"
    better = higher if f.higher_is_better else not higher
    return "Better than the median" if better else "Worse than the median"


def jobs_behind(f: Figure) -> tuple[str, ...]:
    """The jobs a figure is about (the late ones, the recalled ones), else those counted."""
    return f.hits or f.jobs


def jobs_words(n: int) -> str:
    return f"{n} job{'' if n == 1 else 's'}"


def totals_words(t: pack.Totals) -> str:
    """'12 jobs: £1,200.00 agreed, £60.00 extra work approved (£40.00 refused, not paid);
    £1,260.00 in all.'"""
    return (
        f"{jobs_words(t.jobs)}: {fmt.money(t.price)} agreed, {fmt.money(t.extras_approved)} "
        f"extra work approved ({fmt.money(t.extras_refused)} refused, not paid); "
        f"{fmt.money(t.total)} in all."
    )


def file_stem(stem: str) -> str:
    """A file name safe on every system: letters, digits, dots, dashes."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.") or "evidence-pack"


def write_pack(folder: Path, stem: str, pdf: bytes, csv_text: str) -> tuple[Path, Path]:
    """Save a pack's PDF and CSV in `folder` (on a worker thread: it is disk work)."""
    folder.mkdir(parents=True, exist_ok=True)
    pdf_path, csv_path = folder / f"{stem}.pdf", folder / f"{stem}.csv"
    pdf_path.write_bytes(pdf)
    csv_path.write_text(csv_text, encoding="utf-8")
    return pdf_path, csv_path


def trend_words(trend: list[tuple[str, float | None, int]]) -> str:
    """The chart in words, for those who cannot see it: 'Nov 2025 4.0 (1 rating); ...'."""
    said = [
        f"{month} {mean:.1f} ({count} rating{'' if count == 1 else 's'})"
        for month, mean, count in trend
        if mean is not None
    ]
    return "; ".join(said) if said else "No ratings in this period."


# -- the jobs behind a figure ------------------------------------------------------------


class JobsDialog:
    """A list of jobs, each opening to its details in the same dialog."""

    def __init__(self, page: ft.Page, client: Client, title: str, ids: tuple[str, ...]) -> None:
        self.page, self.client, self.title, self.ids = page, client, title, ids
        self.jobs: list[JobView] = []
        self.names: dict[str, str] = {}
        self.dialog = ft.AlertDialog(title=ft.Text(title), scrollable=True)

    async def open(self) -> None:
        self.jobs = await self.client.jobs_named(self.ids)
        self.names = await self.client.tradesperson_names()
        self._list()
        self.page.show_dialog(self.dialog)

    def _list(self) -> None:
        rows: list[ft.Control] = [hint(f"{jobs_words(len(self.ids))}. Open one to see it.")]
        for job in self.jobs:
            when = job.completed_at or job.target_at or job.reported_at
            said = "Completed" if job.completed_at else "Due" if job.target_at else "Reported"
            rows.append(
                ft.Semantics(
                    content=ft.Column(
                        [
                            ft.TextButton(
                                job.title,
                                icon=ft.Icons.OPEN_IN_NEW,
                                on_click=on(self._open, job.id),
                            ),
                            ft.Text(
                                f"{said} {fmt.day(when)} · {job.status_label} · {address(job)}",
                                size=12,
                                color=theme.MUTED,
                            ),
                        ],
                        spacing=0,
                    ),
                    container=True,
                    label=f"Job: {job.title}",
                )
            )
        missing = len(self.ids) - len(self.jobs)
        if missing:
            rows.append(hint(f"{jobs_words(missing)} not on this device."))
        actions: list[ft.Control] = [ft.TextButton("Close", on_click=on(self.page.pop_dialog))]
        if self.jobs:
            actions.insert(
                0,
                ft.OutlinedButton(
                    "Evidence pack of these jobs", icon=ft.Icons.PICTURE_AS_PDF_OUTLINED,
                    on_click=on(self._pack),
                ),
            )  # fmt: skip
        self._show(rows, actions)

    async def _pack(self) -> None:
        """A dispute evidence pack of exactly these jobs, saved on the device."""
        made = await self.client.evidence_pack(job_ids=[j.id for j in self.jobs])
        made_at = datetime.now(UTC).astimezone(UK)
        stem = file_stem(f"evidence-pack-jobs-{self.title}-{made_at:%Y%m%d-%H%M%S}")
        folder = Path(self.client.data_dir) / "packs"
        pdf_path, csv_path = await asyncio.to_thread(write_pack, folder, stem, made.pdf, made.csv)
        self.saver = ft.FilePicker()
        verb = "Download" if self.page.web else "Save a copy of"
        rows: list[ft.Control] = [
            ft.Semantics(
                content=ft.Text(totals_words(made.totals), weight=ft.FontWeight.W_600),
                identifier="jobs-pack-totals",
            ),
            line(ft.Icons.FOLDER_OUTLINED, f"Saved on this device in {folder}"),
            line(ft.Icons.PICTURE_AS_PDF_OUTLINED, pdf_path.name),
            line(ft.Icons.TABLE_CHART_OUTLINED, csv_path.name),
        ]
        self._show(
            rows,
            [
                ft.OutlinedButton(
                    f"{verb} the PDF", on_click=on(self._save, pdf_path.name, made.pdf)
                ),
                ft.OutlinedButton(
                    f"{verb} the CSV",
                    on_click=on(self._save, csv_path.name, made.csv.encode("utf-8")),
                ),
                ft.TextButton("Back to the list", on_click=on(self._back)),
                ft.TextButton("Close", on_click=on(self.page.pop_dialog)),
            ],
        )
        self.dialog.update()

    async def _save(self, name: str, data: bytes) -> None:
        await self.saver.save_file(
            dialog_title="Save the evidence pack", file_name=name, src_bytes=data
        )

    def _show(self, rows: list[ft.Control], actions: list[ft.Control]) -> None:
        self.dialog.content = ft.Column(
            rows,
            tight=True,
            width=560,
            spacing=6,
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
        )
        self.dialog.actions = actions

    async def _open(self, job_id: str) -> None:
        detail = await self.client.job_detail(job_id)
        if detail is None:
            say(self.page, "That job is no longer on this device.")
            return
        job = detail.job
        rows: list[ft.Control] = [
            ft.Text(job.title, size=18, weight=ft.FontWeight.W_600),
            line(ft.Icons.INFO_OUTLINE, job.status_label),
            line(ft.Icons.PLACE_OUTLINED, address(job)),
            line(ft.Icons.HANDYMAN_OUTLINED, job.trade_label),
        ]
        if job.priority:
            rows.append(line(ft.Icons.PRIORITY_HIGH, f"{job.priority.value.capitalize()} priority"))
        if job.awarded_to:
            rows.append(
                line(ft.Icons.STOREFRONT_OUTLINED, self.names.get(job.awarded_to, "A tradesperson"))
            )
        if job.target_at:
            rows.append(line(ft.Icons.FLAG_OUTLINED, f"Target date {fmt.day(job.target_at)}"))
        if job.completed_at:
            late = job.target_at and job.completed_at > job.target_at
            rows.append(
                line(
                    ft.Icons.CHECK_CIRCLE_OUTLINE,
                    f"Completed {fmt.day(job.completed_at)}"
                    + (", after its target date" if late else ""),
                )
            )
        if job.rating_quality:
            rows.append(
                line(
                    ft.Icons.STAR_OUTLINE,
                    f"Resident's rating: quality {job.rating_quality} out of 5"
                    + (f", speed {job.rating_speed}" if job.rating_speed else ""),
                )
            )
        if job.review:
            rows.append(line(ft.Icons.FORMAT_QUOTE, f"“{job.review}”"))
        if detail.history:
            rows.append(ft.Text("History", weight=ft.FontWeight.W_600))
            for step in detail.history:
                at = f"{fmt.day(step.at)}: " if step.at else ""
                rows.append(ft.Text(f"{at}{step.what}", size=13))
        self._show(
            rows,
            [
                ft.TextButton("Back to the list", on_click=on(self._back)),
                ft.TextButton("Close", on_click=on(self.page.pop_dialog)),
            ],
        )
        self.dialog.update()

    def _back(self) -> None:
        self._list()
        self.dialog.update()


def show_jobs(page: ft.Page, client: Client, title: str, ids: tuple[str, ...]):
    return JobsDialog(page, client, title, ids).open()


# -- the Contractors screen ------------------------------------------------------------


class Contractors(Screen):
    title, icon = "Contractors", ft.Icons.LEADERBOARD_OUTLINED

    def __init__(self, page: ft.Page, client: Client) -> None:
        super().__init__(page, client)
        self.period_key = "quarter"
        self.sort_key, self.descending = "completed", True
        self.opened: str | None = None
        self.cards: dict[str, Scorecard] = {}
        self.names: dict[str, str] = {}
        self.pack_said: list[ft.Control] = []
        self.import_said: list[ft.Control] = []
        self.saver = ft.FilePicker()  # services register themselves with the page
        self.body = ft.Column(spacing=10, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
        self.control = ft.Column(
            [self.body],
            scroll=ft.ScrollMode.AUTO,
            expand=True,
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
        )
        self.period_box = dropdown(
            "Period", list(PERIODS.items()), value=self.period_key, on_select=guarded(self._period)
        )
        self.sort_box = dropdown(
            "Sort by",
            [(k, words) for k, (words, *_rest) in SORTS.items()],
            value=self.sort_key,
            on_select=guarded(self._sorted),
        )

    @property
    def period(self) -> Period:
        return period_for(self.period_key, fmt.today())

    def open_item(self, item_id: str | None) -> None:
        if item_id != self.opened:
            self.pack_said = []
        self.opened = item_id

    async def refresh(self) -> None:
        self.cards = await self.client.scorecards(self.period)
        self.names = await self.client.tradesperson_names()
        if self.opened:
            points = await self.client.brief(self.opened, self.period)
            self.body.controls = self._scorecard(self.opened, points)
        else:
            self.body.controls = self._table()

    async def _redraw(self) -> None:
        await self.refresh()
        self.control.update()

    async def _period(self, e: ft.Event) -> None:
        self.period_key = e.control.value or "quarter"
        self.pack_said = []
        await self._redraw()

    async def _sorted(self, e: ft.Event) -> None:
        self.sort_key = e.control.value or "completed"
        self.descending = SORTS[self.sort_key][3]
        await self._redraw()

    async def _column_sorted(self, e: ft.DataColumnSortEvent) -> None:
        self.sort_key = COLUMN_SORT.get(e.column_index, "completed")
        self.descending = not e.ascending
        await self._redraw()

    async def _open(self, tradesperson_id: str | None) -> None:
        self.open_item(tradesperson_id)
        await self._redraw()

    # -- the table ----------------------------------------------------------------------

    def _table(self) -> list[ft.Control]:
        rows = sort_rows(contractor_rows(self.cards, self.names), self.sort_key, self.descending)
        self.period_box.value, self.sort_box.value = self.period_key, self.sort_key
        top: list[ft.Control] = [
            heading(self.title),
            hint(
                f"Tradespeople with work in {self.period.label}. Open one to see their "
                "scorecard beside the marketplace median, the jobs behind each figure, and "
                "to make an evidence pack."
            ),
            ft.Row(
                [
                    ft.Container(dropdown_row(self.period_box), width=220),
                    ft.Container(dropdown_row(self.sort_box), width=290),
                    ft.OutlinedButton(
                        "Import past repairs", icon=ft.Icons.UPLOAD_FILE, on_click=on(self._import)
                    ),
                ],
                wrap=True,
                spacing=8,
                run_spacing=8,
            ),
            *self.import_said,
        ]
        if not rows:
            return [*top, empty("No tradesperson had work in this period.")]
        columns = [
            ("Business", False),
            ("Completed", True),
            ("Within target", True),
            ("Breaches", True),
            ("Recalls", True),
            ("No access", True),
            ("Quality", True),
        ]
        table = ft.DataTable(
            columns=[
                ft.DataColumn(
                    ft.Text(name, weight=ft.FontWeight.W_600),
                    numeric=numeric,
                    on_sort=guarded(self._column_sorted),
                )
                for name, numeric in columns
            ],
            rows=[self._row(r) for r in rows],
            sort_column_index=SORTS[self.sort_key][1],
            sort_ascending=not self.descending,
            column_spacing=14,
            horizontal_margin=8,
            data_row_min_height=44,
            data_row_max_height=60,
            heading_row_height=44,
        )
        said = (
            f"{len(rows)} tradespeople. Breaches: jobs due in the period done late or not "
            "at all. Recalls: repairs reported again within 30 days. Quality: residents' "
            "rating out of 5, with how many rated."
        )
        return [*top, hint(said), ft.Row([table], scroll=ft.ScrollMode.AUTO)]

    def _row(self, r: ContractorRow) -> ft.DataRow:
        def cell(text: str) -> ft.DataCell:
            return ft.DataCell(ft.Text(text))

        quality = (
            f"{r.quality.value:.1f} ({r.quality.count})" if r.quality.value is not None else "–"
        )
        return ft.DataRow(
            cells=[
                ft.DataCell(
                    ft.TextButton(
                        r.name,
                        on_click=on(self._open, r.tradesperson_id),
                        style=ft.ButtonStyle(padding=ft.Padding.symmetric(horizontal=4)),
                    )
                ),
                cell(str(r.completed)),
                cell(rate(r.within)),
                cell(f"{len(r.breaches.hits)} ({rate(r.breaches.value)})"),
                cell(f"{len(r.recalls.hits)} ({rate(r.recalls.value)})"),
                cell(f"{len(r.no_access.hits)} ({rate(r.no_access.value)})"),
                cell(quality),
            ]
        )

    # -- importing ----------------------------------------------------------------------

    async def _import(self) -> None:
        files = await self.saver.pick_files(
            dialog_title="Choose a CSV file of past repairs",
            file_type=ft.FilePickerFileType.CUSTOM,
            allowed_extensions=["csv"],
            with_data=True,
        )
        if not files:
            return
        chosen = files[0]
        data = chosen.bytes
        if data is None and chosen.path:
            data = await asyncio.to_thread(Path(chosen.path).read_bytes)
        try:
            said = await self.client.import_jobs(data or b"")
        except Rejected as e:
            self.import_said = [self._import_card(chosen.name, e.message, [], failed=True)]
        else:
            first, *refused = said.split("\n")
            self.import_said = [self._import_card(chosen.name, first, refused)]
        await self._redraw()

    def _import_card(
        self, name: str, said: str, refused: list[str], failed: bool = False
    ) -> ft.Control:
        lines: list[ft.Control] = [
            ft.Text(said, color=theme.RED if failed else theme.INK, weight=ft.FontWeight.W_500)
        ]
        if refused:
            lines.append(hint("Rows not imported, with why:"))
            lines += [ft.Text(r, size=13) for r in refused]
        if not failed:
            lines.append(
                hint(
                    "Imported repairs reach this device with the next sync and count in "
                    "the scorecards for the periods they happened in."
                )
            )
        lines.append(ft.TextButton("Hide", on_click=on(self._hide_import)))
        return card(
            f"Import of {name}",
            "Not imported" if failed else "Imported",
            theme.RED if failed else theme.GREEN,
            lines,
            [],
            "import-result",
        )

    async def _hide_import(self) -> None:
        self.import_said = []
        await self._redraw()

    # -- one scorecard ------------------------------------------------------------------

    def _scorecard(self, tp: str, points) -> list[ft.Control]:
        name = self.names.get(tp, "This tradesperson")
        self.period_box.value = self.period_key
        top: list[ft.Control] = [
            ft.Row(
                [
                    ft.TextButton(
                        "Back to all contractors",
                        icon=ft.Icons.ARROW_BACK,
                        on_click=on(self._open, None),
                    )
                ]
            ),
            heading(name),
            hint(f"Scorecard for {self.period.label}, beside the marketplace median."),
            ft.Row(
                [
                    ft.Container(dropdown_row(self.period_box), width=220),
                    ft.FilledButton(
                        "Make an evidence pack",
                        icon=ft.Icons.PICTURE_AS_PDF_OUTLINED,
                        on_click=on(self._make_pack, tp),
                    ),
                ],
                wrap=True,
                spacing=8,
                run_spacing=8,
            ),
            *self.pack_said,
        ]
        found = self.cards.get(tp)
        if found is None:
            return [*top, empty(f"{name} had no work in this period. Choose another period.")]
        return [
            *top,
            self._brief(points),
            section("Figures"),
            hint("Select a figure to see the jobs behind it."),
            *[self._figure(f) for f in found.figures.values()],
            section("Residents' quality rating, month by month"),
            *self._trend(found),
            section("What residents said"),
            *self._comments(found),
        ]

    def _brief(self, points) -> ft.Control:
        body: list[ft.Control] = []
        if not points:
            body.append(
                hint("Nothing stands out: no patterns, and no figure well worse than the median.")
            )
        for n, point in enumerate(points, start=1):
            body.append(ft.Text(f"{n}. {point.title}", weight=ft.FontWeight.W_600))
            body.append(ft.Text(point.said, size=13))
            if point.jobs:
                body.append(
                    ft.TextButton(
                        f"See the {jobs_words(len(point.jobs))}",
                        on_click=on(show_jobs, self.page, self.client, point.title, point.jobs),
                    )
                )
        return card("Three things to raise", "For the review", theme.SLATE, body, [], "brief")

    def _figure(self, f: Figure) -> ft.Control:
        words = median_words(f)
        worse = words.startswith("Worse")
        behind = jobs_behind(f)
        what = "it is about" if f.hits else "counted"
        detail = f"Marketplace median {f.median_shown}. {words}."
        if f.count:
            detail += f" Over {f.count}."
        row = ft.Row(
            [
                ft.Icon(
                    ft.Icons.ARROW_DOWNWARD if worse else ft.Icons.DRAG_HANDLE,
                    color=theme.RED if worse else theme.MUTED,
                    size=18,
                ),
                ft.Column(
                    [
                        ft.Text(f.label, weight=ft.FontWeight.W_600),
                        ft.Text(
                            detail,
                            size=13,
                            color=theme.RED if worse else theme.MUTED,
                            weight=ft.FontWeight.W_600 if worse else None,
                        ),
                    ],
                    spacing=2,
                    expand=True,
                ),
                ft.Text(f.shown, size=18, weight=ft.FontWeight.W_600),
            ],
            vertical_alignment=ft.CrossAxisAlignment.CENTER,
        )
        tile = ft.Container(
            row,
            padding=ft.Padding.symmetric(horizontal=12, vertical=8),
            bgcolor=theme.CARD,
            border_radius=8,
            border=ft.Border.all(2 if worse else 1, theme.RED if worse else "#C9D2D0"),
            on_click=on(show_jobs, self.page, self.client, f"{f.label}: {f.shown}", behind)
            if behind
            else None,
            ink=bool(behind),
        )
        label = f"{f.label}: {f.shown}. {detail}"
        label += f" Show the {jobs_words(len(behind))} {what}." if behind else " No jobs behind it."
        return ft.Semantics(content=tile, label=label, button=bool(behind), container=True)

    def _trend(self, found: Scorecard) -> list[ft.Control]:
        points = [(n, mean, month) for n, (month, mean, _c) in enumerate(found.trend) if mean]
        if not points:
            return [hint("No ratings in this period.")]
        step = max(1, len(found.trend) // 7)  # at most about seven month labels
        chart = fch.LineChart(
            data_series=[
                fch.LineChartData(
                    points=[
                        fch.LineChartDataPoint(n, round(mean, 2), tooltip=f"{month}: {mean:.1f}")
                        for n, mean, month in points
                    ],
                    color=theme.BLUE,
                    stroke_width=3,
                    point=fch.ChartCirclePoint(color=theme.BLUE, radius=4),
                )
            ],
            min_y=1,
            max_y=5,
            min_x=-0.3,
            max_x=len(found.trend) - 0.7,
            left_axis=fch.ChartAxis(
                labels=[fch.ChartAxisLabel(value=v, label=str(v)) for v in range(1, 6)],
                label_size=28,
            ),
            bottom_axis=fch.ChartAxis(
                labels=[
                    fch.ChartAxisLabel(value=n, label=ft.Text(month.split()[0], size=12))
                    for n, (month, _m, _c) in enumerate(found.trend)
                    if n % step == 0
                ],
                label_size=28,
            ),
            horizontal_grid_lines=fch.ChartGridLines(interval=1, color="#DDE3E2", width=1),
            border=ft.Border.all(1, "#C9D2D0"),
            height=220,
            interactive=True,
        )
        first, last = found.trend[0][0], found.trend[-1][0]
        return [
            ft.Semantics(
                content=ft.Container(chart, padding=ft.Padding.only(right=16, top=8)),
                label=f"Chart of the quality rating out of 5, {first} to {last}",
            ),
            ft.Text(trend_words(found.trend), size=12, color=theme.MUTED),
        ]

    def _comments(self, found: Scorecard) -> list[ft.Control]:
        if not found.comments:
            return [hint("No written comments in this period.")]
        shown: list[ft.Control] = []
        for c in found.comments[:12]:
            stars = f"quality {c.quality} out of 5" if c.quality else "not rated"
            shown.append(
                ft.Container(
                    ft.Column(
                        [
                            ft.Text(f"“{c.review}”"),
                            ft.Text(
                                f"{c.title}, completed {fmt.day(c.completed_at)}, {stars}",
                                size=12,
                                color=theme.MUTED,
                            ),
                        ],
                        spacing=2,
                    ),
                    padding=ft.Padding.symmetric(horizontal=12, vertical=6),
                    border=ft.Border.only(left=ft.BorderSide(3, "#C9D2D0")),
                )
            )
        if len(found.comments) > 12:
            shown.append(hint(f"and {len(found.comments) - 12} more in the evidence pack."))
        return shown

    # -- the evidence pack --------------------------------------------------------------

    async def _make_pack(self, tp: str) -> None:
        name = self.names.get(tp, "this tradesperson")
        period = self.period
        made = await self.client.evidence_pack(tp, period)
        stem = file_stem(made.stem)
        folder = Path(self.client.data_dir) / "packs"
        pdf_path, csv_path = await asyncio.to_thread(write_pack, folder, stem, made.pdf, made.csv)
        web = bool(self.page.web)
        verb = "Download" if web else "Save a copy of"
        lines: list[ft.Control] = [
            ft.Semantics(
                content=ft.Text(totals_words(made.totals), weight=ft.FontWeight.W_600),
                identifier="pack-totals",
            ),
            line(ft.Icons.FOLDER_OUTLINED, f"Saved on this device in {folder}"),
            line(ft.Icons.PICTURE_AS_PDF_OUTLINED, pdf_path.name),
            line(ft.Icons.TABLE_CHART_OUTLINED, csv_path.name),
        ]
        if web:
            lines.append(
                hint("That folder is on the computer running the app: download copies here.")
            )
        actions: list[ft.Control] = [
            ft.OutlinedButton(
                f"{verb} the PDF",
                icon=ft.Icons.DOWNLOAD,
                on_click=on(self._save, pdf_path.name, made.pdf),
            ),
            ft.OutlinedButton(
                f"{verb} the CSV",
                icon=ft.Icons.DOWNLOAD,
                on_click=on(self._save, csv_path.name, made.csv.encode("utf-8")),
            ),
        ]
        self.pack_said = [
            card(
                f"Evidence pack for {name}, {period.label}",
                "Made",
                theme.GREEN,
                lines,
                actions,
                "evidence-pack",
            )
        ]
        await self._redraw()
        say(self.page, f"Evidence pack made: {jobs_words(made.totals.jobs)}.")

    async def _save(self, name: str, data: bytes) -> None:
        await self.saver.save_file(
            dialog_title="Save the evidence pack", file_name=name, src_bytes=data
        )


def section(text: str) -> ft.Control:
    return ft.Container(
        ft.Text(text, theme_style=ft.TextThemeStyle.TITLE_LARGE, weight=ft.FontWeight.W_600),
        padding=ft.Padding.only(top=12),
    )


# -- the Patterns screen ------------------------------------------------------------------


class Patterns(ListScreen):
    title, icon = "Patterns", ft.Icons.INSIGHTS

    def __init__(self, page: ft.Page, client: Client) -> None:
        super().__init__(
            page,
            client,
            "What the records show over the last weeks, worst first: high no-access rates, "
            "repeat call-outs and falling ratings. Note what you did about each, or dismiss "
            "it once dealt with.",
        )
        self.rules_said = hint("")
        self.control.controls[2:2] = [
            self.rules_said,
            ft.Row(
                [
                    ft.OutlinedButton(
                        "Change the thresholds", icon=ft.Icons.TUNE, on_click=on(self._thresholds)
                    )
                ]
            ),
        ]

    async def refresh(self) -> None:
        self.rules = await self.client.pattern_rules()
        r = self.rules
        self.rules_said.value = (
            f"Flagged: no access at {r.no_access_factor:g} times the marketplace median over "
            f"{r.no_access_days} days (with {r.no_access_min_visits} visits or more); "
            f"{r.recall_count} or more repeat call-outs in {r.recall_days} days; a rating "
            f"falling by {r.rating_drop:g} or more out of 5."
        )
        found = await self.client.patterns()
        self.list.controls = [self._card(v) for v in found] or [
            empty(
                "No patterns right now: no tradesperson's no-access rate, repeat call-outs "
                "or ratings stand out."
            )
        ]

    def _card(self, v: PatternView) -> ft.Control:
        p = v.pattern
        details: list[ft.Control] = [
            line(ft.Icons.STOREFRONT_OUTLINED, v.name),
            ft.Text(p.said, size=14),
        ]
        if v.note and v.note.note:
            details.append(
                line(
                    ft.Icons.COMMENT_OUTLINED,
                    f"Note by {v.note.noted_by}, {fmt.day(v.note.noted_at)}: {v.note.note}",
                )
            )
        actions: list[ft.Control] = []
        if p.jobs:
            actions.append(
                ft.OutlinedButton(
                    f"See the {jobs_words(len(p.jobs))}",
                    on_click=on(show_jobs, self.page, self.client, f"{p.title}: {v.name}", p.jobs),
                )
            )
        actions += [
            ft.OutlinedButton(
                "Open the scorecard", on_click=on(self.navigate, "Contractors", p.tradesperson_id)
            ),
            ft.OutlinedButton(
                "Change the note" if v.note and v.note.note else "Add a note",
                on_click=on(self._note, v, False),
            ),
            ft.TextButton("Dismiss", on_click=on(self._note, v, True)),
        ]
        return card(p.title, v.name, theme.AMBER, details, actions, f"pattern-{p.key}")

    def _thresholds(self) -> None:
        """The officer's own thresholds for the queue, kept on this device."""
        r = self.rules
        boxes = {
            "no_access_factor": (
                field("No access: times the median", value=f"{r.no_access_factor:g}"),
                float,
            ),
            "no_access_days": (
                field("No access: over how many days", value=str(r.no_access_days)),
                int,
            ),
            "no_access_min_visits": (
                field("No access: at least this many visits", value=str(r.no_access_min_visits)),
                int,
            ),
            "recall_count": (field("Repeat call-outs: how many", value=str(r.recall_count)), int),
            "recall_days": (field("Repeat call-outs: within days", value=str(r.recall_days)), int),
            "rating_drop": (
                field("Rating falling by (out of 5)", value=f"{r.rating_drop:g}"),
                float,
            ),
        }
        for box, _kind in boxes.values():
            box.keyboard_type = ft.KeyboardType.NUMBER

        async def send() -> str | None:
            values, wrong = {}, False
            for name, (box, kind) in boxes.items():
                text = (box.value or "").strip()
                try:
                    value = kind(text)
                except ValueError:
                    value = 0
                if value <= 0 or (name == "rating_drop" and value > 4):
                    box.error = (
                        "Write a number between 0.1 and 4."
                        if name == "rating_drop"
                        else "Write a number more than zero."
                        if kind is float
                        else "Write a whole number more than zero."
                    )
                    wrong = True
                else:
                    box.error = None
                    values[name] = value
            if wrong:
                return None
            await self.client.set_pattern_rules(replace(self.rules, **values))
            await self.refresh()
            self.control.update()
            return "Thresholds saved on this device. The queue follows them now."

        FormDialog(
            self.page,
            self.client,
            "Pattern thresholds",
            [
                hint("When a tradesperson's records cross these, they join the queue."),
                *(box for box, _kind in boxes.values()),
            ],
            "Save thresholds",
            send,
        ).open()

    def _note(self, v: PatternView, dismiss: bool) -> None:
        p = v.pattern
        box = field(
            "Why dismiss it? (optional)" if dismiss else "Your note",
            multiline=True,
            min_lines=2,
            max_length=commands.NotePattern.limit("note"),
            value=v.note.note if v.note and not dismiss else "",
            hint_text="e.g. Raised at the supplier review on 3 December",
        )
        problem = error_text()

        async def send() -> str | None:
            text = (box.value or "").strip()
            if not dismiss and not text:
                box.error = "Write a note, or cancel."
                return None
            show_error(problem, None)
            await self.client.note_pattern(p.key, p.tradesperson_id, text, dismiss)
            return f"{p.title} dismissed." if dismiss else "Note saved."

        about = hint(f"{p.title}: {p.said}")
        FormDialog(
            self.page,
            self.client,
            f"Dismiss: {p.title}" if dismiss else f"Note on {p.title}",
            [
                about,
                hint("Dismissed items leave the queue for every officer of your landlord.")
                if dismiss
                else hint("Every officer of your landlord sees this note."),
                box,
                problem,
            ],
            "Dismiss" if dismiss else "Save note",
            send,
        ).open()
