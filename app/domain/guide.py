"""The resident's guided report: emergency questions first, with the right number to call,
then where the problem is and what it is, which picks the trade and a suggested priority
for the officer. Numbers come from the landlord's rules and the national lines, never from
a screen: gas is always the National Gas Emergency Service."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.domain.models import Priority, Trade
from app.domain.records import Landlord

GAS_EMERGENCY = "0800 111 999"  # National Gas Emergency Service, 24 hours, free


@dataclass(frozen=True)
class Line:
    name: str
    number: str
    when: str

    @property
    def tel(self) -> str:
        return "tel:" + "".join(ch for ch in self.number if ch.isdigit() or ch == "+")


@dataclass(frozen=True)
class Emergency:
    key: str
    question: str  # asked first, answered yes or no
    advice: str  # what to do now, before anything else
    call: str  # "gas" or "landlord"


EMERGENCIES = (
    Emergency(
        "gas",
        "Can you smell gas?",
        "Leave the home now and call the National Gas Emergency Service from outside. Do not "
        "use switches, flames or electrical things. Open doors and windows as you go.",
        "gas",
    ),
    Emergency(
        "water_electrics",
        "Is water pouring in, or near anything electrical?",
        "Turn off the water at the stopcock if you can do it safely, keep away from "
        "electrics, and call your landlord's emergency line now.",
        "landlord",
    ),
    Emergency(
        "electrics",
        "Is there no power at all, sparking, or a burning smell from electrics?",
        "Keep away from the socket or switch. If it is safe, turn off the power at the "
        "fuse box. Call your landlord's emergency line now.",
        "landlord",
    ),
    Emergency(
        "insecure",
        "Can you not lock your front door, or is a ground-floor window broken?",
        "Call your landlord's emergency line so the home can be made secure today.",
        "landlord",
    ),
)


def lines(landlord: Landlord | None) -> dict[str, Line]:
    """The numbers to call: gas always; the landlord's own line when it has set one."""
    found = {"gas": Line("National Gas Emergency Service", GAS_EMERGENCY, "24 hours, free")}
    if landlord and landlord.out_of_hours_phone:
        found["landlord"] = Line(
            f"{landlord.name} emergency repairs", landlord.out_of_hours_phone, "24 hours"
        )
    return found


def emergency_call(emergency: Emergency, landlord: Landlord | None) -> Line | None:
    """Who to call for `emergency`; None when the landlord has set no line (then the screen
    says to use the number on their tenancy papers)."""
    return lines(landlord).get(emergency.call)


WHERE = {
    "kitchen": "Kitchen",
    "bathroom": "Bathroom or toilet",
    "bedroom": "Bedroom",
    "living": "Living room",
    "hall": "Hall or stairs inside the home",
    "outside": "Outside: roof, walls, garden, gate",
    # Shared areas of the block: a report there may already be in, and a neighbour can say
    # "me too" instead of sending it again.
    "stairs": "Shared stairs, landings or corridors",
    "lift": "Lift",
    "entrance": "Shared entrance or door entry",
    "bins": "Bin store",
    "communal_lighting": "Shared lighting: stairs, paths, car park",
}
COMMUNAL = frozenset({"stairs", "lift", "entrance", "bins", "communal_lighting"})
WINTER = (10, 11, 12, 1, 2, 3, 4)  # October to April: no heating is urgent


@dataclass(frozen=True)
class Problem:
    key: str
    label: str  # as a resident says it
    trade: Trade
    priority: Priority  # suggested to the officer, who decides
    damp_and_mould: bool = False


PROBLEMS = (
    Problem("leak", "A leak or drip", Trade.PLUMBING, Priority.URGENT),
    Problem(
        "leak_electrics", "Water leaking near lights or sockets", Trade.PLUMBING, Priority.URGENT
    ),  # fmt: skip
    Problem("blocked", "Blocked sink, bath or toilet", Trade.PLUMBING, Priority.URGENT),
    Problem("no_water", "No water at all", Trade.PLUMBING, Priority.URGENT),
    Problem("no_heating", "No heating or hot water", Trade.GAS, Priority.ROUTINE),
    Problem("boiler", "Boiler or radiator fault", Trade.GAS, Priority.ROUTINE),
    Problem(
        "electrics", "Lights, sockets or switches not working", Trade.ELECTRICAL, Priority.URGENT
    ),  # fmt: skip
    Problem("damp", "Damp or mould", Trade.DAMP_AND_MOULD, Priority.URGENT, damp_and_mould=True),
    Problem("door", "Door or lock broken", Trade.LOCKSMITH, Priority.URGENT),
    Problem("window", "Window broken or won't close", Trade.GLAZING, Priority.URGENT),
    Problem("roof", "Roof or gutter leaking", Trade.ROOFING, Priority.URGENT),
    Problem("plaster", "Cracked or fallen plaster", Trade.PLASTERING, Priority.ROUTINE),
    Problem(
        "woodwork", "Cupboards, floors, stairs or skirting", Trade.CARPENTRY, Priority.ROUTINE
    ),  # fmt: skip
    Problem("other", "Something else", Trade.GENERAL, Priority.ROUTINE),
)
PROBLEM = {p.key: p for p in PROBLEMS}


@dataclass(frozen=True)
class Suggestion:
    trade: Trade
    priority: Priority
    damp_and_mould: bool
    location: str
    communal: bool


def suggest(where: str, problem: str, today: date | None = None) -> Suggestion:
    """The trade and suggested priority for a problem in a place. A leak in the kitchen
    or bathroom is plumbing; from outside it is the roof."""
    if where not in WHERE:
        raise ValueError(f"unknown place {where!r}")
    found = PROBLEM[problem]
    trade = found.trade
    if problem == "leak" and where == "outside":
        trade = Trade.ROOFING
    if where == "communal_lighting" and problem in ("electrics", "other"):
        trade = Trade.ELECTRICAL
    return Suggestion(
        trade,
        suggest_priority(where, problem, today or date.today()),
        found.damp_and_mould,
        WHERE[where],
        where in COMMUNAL,
    )


def suggest_priority(where: str, problem: str, today: date) -> Priority:
    """How soon a repair like this is usually needed, from the resident's answers: the
    problem's own priority, raised to urgent where people are left cold, unsafe or
    insecure. Only a suggestion: the officer sets the priority."""
    usual = PROBLEM[problem].priority
    if problem == "no_heating" and today.month in WINTER:
        return Priority.URGENT  # no heating or hot water in the cold months
    if where in COMMUNAL and problem in ("electrics", "door", "other"):
        return Priority.URGENT  # a dark stairwell or a main door that won't shut: unsafe
    return usual
