"""Officers set their landlord's own rules: repair targets (emergencies in hours), how jobs
are awarded by priority and area, deadlines, ranking weights, the schedule of rates and the
phone lines residents are given. Limits come from the `set_rules` command."""

from __future__ import annotations

import flet as ft

from app.client import Client
from app.domain import commands as c
from app.domain.models import AwardMode, Priority, Trade
from app.domain.ranking import PART_NAMES, RankingWeights
from app.domain.records import Landlord
from app.views import theme
from app.views.widgets import Screen, attempt, dropdown, dropdown_row, field, guarded, heading, hint

ROUTES = [m for m in AwardMode if m is not AwardMode.FIRST_TO_ACCEPT]  # that needs a price
DEFAULT_ROUTE = "default"
NUMBERS = {
    "emergency_attend_hours": "Emergencies: attend within (hours)",
    "emergency_make_safe_hours": "Emergencies: make safe within (hours)",
    "urgent_days": "Urgent repairs (working days)",
    "routine_days": "Routine repairs (working days)",
    "planned_days": "Planned work (working days)",
    "auto_award_hours": "Automatic award: take offers for (hours)",
    "choice_hours": "Residents choose within (hours)",
    "pay_days": "Pay invoices within (days)",
}


RIGHT_TO_REPAIR = "Council tenants: Right to Repair periods (3 and 7 working days)"


def labelled(switch: ft.Switch, label: str) -> ft.Control:
    """A switch with a label that wraps on a narrow screen (a Switch's own does not)."""
    return ft.Semantics(ft.Row([switch, ft.Text(label, expand=True)], spacing=8), label=label)


def limits(name: str) -> str:
    info = c.SetRules.model_fields[name].metadata
    low = next((m.ge for m in info if getattr(m, "ge", None) is not None), 0)
    return f"{low} to {c.SetRules.limit(name)}"


class OurRules(Screen):
    title, icon = "Our rules", ft.Icons.RULE_OUTLINED

    def __init__(self, page: ft.Page, client: Client) -> None:
        super().__init__(page, client)
        self.numbers = {
            name: field(label, helper=limits(name), keyboard_type=ft.KeyboardType.NUMBER)
            for name, label in NUMBERS.items()
        }
        self.right_to_repair = ft.Switch()
        self.routes = {
            p: dropdown(
                f"{p.value.title()} jobs are awarded by",
                [(DEFAULT_ROUTE, "Officer chooses from offers")]
                + [(m.value, m.label) for m in ROUTES if m is not AwardMode.OFFERS],
            )
            for p in Priority
        }
        self.direct_districts = field(
            "Areas kept off the marketplace (postcode districts, e.g. E5, N16)"
        )
        self.direct_to = dropdown("Direct awards go to", [])
        self.weights = {
            key: field(name, helper="0 to 100", keyboard_type=ft.KeyboardType.NUMBER, width=220)
            for key, name in PART_NAMES.items()
        }
        self.rates = {
            t: field(t.label, prefix="£", keyboard_type=ft.KeyboardType.NUMBER, width=220)
            for t in Trade
        }
        self.phone = field("Out-of-hours emergency line for residents", max_length=30)
        self.waiting = hint("Your rules are on their way: they appear here after the first sync.")
        self.form = ft.Column(disabled=True, spacing=16)  # until the rules are on the device
        self.controls = ft.Column(
            [
                heading("Our rules"),
                hint(
                    "Targets, award routes and ranking for new jobs. Jobs already posted keep "
                    "theirs."
                ),  # fmt: skip
                self.waiting,
                self.form,
            ],
            spacing=16,
            scroll=ft.ScrollMode.AUTO,
            expand=True,
        )
        self.form.controls = [
            self._section(
                "Repair targets",
                [*self._pick(NUMBERS, 5), labelled(self.right_to_repair, RIGHT_TO_REPAIR)],
            ),
            self._section(
                "How jobs are awarded",
                [
                    *(dropdown_row(d) for d in self.routes.values()),
                    self.direct_districts,
                    dropdown_row(self.direct_to),
                    *(self.numbers[n] for n in ("auto_award_hours", "choice_hours")),
                ],
            ),
            self._section(
                "Ranking: how much each part of the score counts",
                [ft.Row(list(self.weights.values()), wrap=True)],
            ),
            self._section(
                "Schedule of rates: a typical repair in each trade",
                [ft.Row(list(self.rates.values()), wrap=True)],
            ),
            self._section("Residents and payment", [self.phone, self.numbers["pay_days"]]),
            ft.FilledButton("Save our rules", on_click=guarded(self._save)),
        ]
        self.control = self.controls
        self.loaded = False  # a form being edited is not reloaded under the officer's hands

    def _pick(self, names: dict[str, str], count: int) -> list[ft.Control]:
        return [self.numbers[n] for n in list(names)[:count]]

    @staticmethod
    def _section(title: str, controls: list[ft.Control]) -> ft.Control:
        return ft.Column(
            [ft.Text(title, weight=ft.FontWeight.W_600, color=theme.INK), *controls], spacing=8
        )

    async def refresh(self) -> None:
        if self.loaded:
            return
        rules: Landlord = await self.client.landlord()
        if not rules.name:  # not on this device yet: saving the defaults would overwrite them
            return
        self.loaded = True
        self.waiting.visible, self.form.disabled = False, False
        teams = await self.client.direct_teams()
        for name, box in self.numbers.items():
            box.value = str(getattr(rules, name))
        self.right_to_repair.value = rules.right_to_repair
        for priority, box in self.routes.items():
            route = rules.routes.get(priority)
            box.value = route.value if route and route is not AwardMode.OFFERS else DEFAULT_ROUTE
        self.direct_districts.value = ", ".join(rules.direct_districts)
        self.direct_to.options = [ft.DropdownOption(key="", text="Nobody yet")] + [
            ft.DropdownOption(key=key, text=name) for key, name in teams
        ]
        self.direct_to.value = rules.direct_to or ""
        weights = RankingWeights(**rules.ranking_weights)
        for key, box in self.weights.items():
            box.value = f"{getattr(weights, key):g}"
        for trade, box in self.rates.items():
            pence = rules.schedule_of_rates.get(trade) or weights.typical_price_pence[trade]
            box.value = f"{pence / 100:.0f}"
        self.phone.value = rules.out_of_hours_phone

    async def _save(self, _e: ft.Event) -> None:
        bad = False
        numbers = {}
        for name, box in {**self.numbers, **self.weights, **self.rates}.items():
            text = (box.value or "").strip().lstrip("£")
            try:
                numbers[name] = float(text) if name in self.weights else int(float(text))
                box.error = None
            except ValueError:
                box.error = "Enter a number"
                bad = True
        if bad:
            self.page.update()
            return
        rules = {
            **{n: numbers[n] for n in NUMBERS},
            "right_to_repair": bool(self.right_to_repair.value),
            "routes": {
                p.value: box.value
                for p, box in self.routes.items()
                if box.value and box.value != DEFAULT_ROUTE
            },
            "direct_districts": [
                d.strip().upper()
                for d in (self.direct_districts.value or "").split(",")
                if d.strip()
            ],
            "direct_to": self.direct_to.value or None,
            "ranking_weights": {k: numbers[k] for k in self.weights},
            "schedule_of_rates": {t.value: numbers[t] * 100 for t in self.rates},
            "out_of_hours_phone": (self.phone.value or "").strip(),
        }
        await attempt(
            self.page, lambda: self.client.set_rules(**rules), "Rules saved.", self.client
        )
