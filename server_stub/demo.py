"""Demo data, the same for the same seed and clock: two landlords that nothing links.

Hackney Homes (`LANDLORD_ID`): about 200 homes in five Hackney postcode districts, their
residents, an in-house repairs team that takes emergencies, about 40 marketplace
tradespeople generated good, middling or poor (a hidden skill drives their on-time
completions, recalls, no-access visits and ratings) with about 1,000 past jobs over 18
months, each awarded from three to six offers (and six months before that from the
contractor list, without offers: the records the marketplace opened with), two newcomers
with next to no history, applications waiting for checks, registrations and insurance
running out, and live work: reports to triage, posted jobs with three to five offers, a
shortlist for the demo resident to choose from, and the demo plumber's own jobs.

Lea Valley Housing (`SECOND_LANDLORD_ID`): a council landlord (Right to Repair) with its
own rules and ranking weights, about 60 homes in E10, E17 and N17, its officer
(officer2@demo.test), residents, tradespeople, history and live work.

`seed` returns each tradesperson's hidden skill (the chance of completing within target)
so that `bench/choice.py` can judge the ranking against the truth it was generated from."""

from __future__ import annotations

import heapq
import random
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from app.domain import actions
from app.domain.lifecycle import FINISHED
from app.domain.models import JobStatus, Priority, Role, Trade, User
from app.domain.ranking import TYPICAL_PRICE_PENCE
from app.domain.records import RECORDS, Landlord
from app.domain.targets import UK, TargetPolicy, target_for
from server_stub import db, security
from server_stub.repo import SqlRepo

LANDLORD_ID = "landlord-hackney-homes"
SECOND_LANDLORD_ID = "landlord-lea-valley-housing"
DEMO_PASSWORD = "demo"
DEMO_ACCOUNTS = {
    "resident": "resident@demo.test",
    "tradesperson": "trade@demo.test",
    "officer": "officer@demo.test",
    "officer2": "officer2@demo.test",  # Lea Valley Housing's officer: the other landlord
}
SIGN_IN_RESIDENTS = {DEMO_ACCOUNTS["resident"]} | {f"resident{n}@demo.test" for n in range(1, 10)}
# Other sign-ins: the first 25 Hackney tradespeople (trade1..trade24@demo.test, as
# before), the in-house team, applicants waiting for checks, and the other landlord's
# first resident and tradesperson. Everyone else is data only: each sign-in costs a
# password hash (a tenth of a second) at seeding.
OTHER_SIGN_INS = {
    "repairs.team@demo.test",
    "applicant1@demo.test",
    "applicant2@demo.test",
    "applicant3@demo.test",
    "lvresident@demo.test",
    "lvtrade@demo.test",
    "neighbour@demo.test",
}
HOME_ALERTS = {  # Hackney homes by number: what a visitor must be told
    3: ["Dog on the premises: ask for it to be shut away"],
    12: ["Asbestos survey: artex ceilings, do not drill"],
    21: [
        "Asbestos survey: artex ceilings, do not drill",
        "Resident is hard of hearing: knock loudly and text",
    ],
    22: ["Dog on the premises"],
}
NEIGHBOUR = "neighbour@demo.test"  # the demo resident's neighbour: same block, another flat
DISTRICTS = {
    "E8": "Dalston",
    "E9": "Homerton",
    "E5": "Clapton",
    "N16": "Stoke Newington",
    "N1": "De Beauvoir",
}
STREETS = [
    "Amhurst Road",
    "Mare Street",
    "Sandringham Road",
    "Kingsland Road",
    "Well Street",
    "Chatsworth Road",
    "Stamford Hill",
    "Victoria Park Road",
    "Downs Road",
    "Shore Road",
    "Queensbridge Road",
    "Northwold Road",
    "Rectory Road",
    "Balls Pond Road",
]
LEA_VALLEY_DISTRICTS = {"E10": "Leyton", "E17": "Walthamstow", "N17": "Tottenham"}
LEA_VALLEY_STREETS = [
    "Lea Bridge Road",
    "Hoe Street",
    "Forest Road",
    "Markhouse Road",
    "Church Hill",
    "Grove Road",
    "Ferry Lane",
    "Park Lane",
    "Higham Hill Road",
    "Church Road",
]
FIRST = [
    "Amara",
    "Tom",
    "Priya",
    "Kwame",
    "Sofia",
    "Liam",
    "Fatima",
    "Oliver",
    "Grace",
    "Yusuf",
    "Chloe",
    "Daniel",
    "Aisha",
    "Jack",
    "Mei",
    "Noah",
    "Zainab",
    "Harry",
    "Ella",
    "Ibrahim",
    "Ruth",
    "Samuel",
    "Leah",
    "Kofi",
]
LAST = [
    "Okafor",
    "Smith",
    "Patel",
    "Mensah",
    "Rossi",
    "Murphy",
    "Begum",
    "Jones",
    "Adeyemi",
    "Khan",
    "Brown",
    "Nguyen",
    "Ali",
    "Taylor",
    "Chen",
    "Williams",
    "Hussain",
    "Evans",
]
PROBLEMS = {
    Trade.PLUMBING: [
        "Leaking kitchen tap",
        "Toilet won't flush",
        "Blocked bath waste",
        "Leak under sink",
    ],
    Trade.ELECTRICAL: [
        "Socket not working",
        "Bathroom extractor fan broken",
        "Lights tripping the fuse box",
    ],
    Trade.GAS: ["No hot water from boiler", "Boiler losing pressure", "Radiator cold at top"],
    Trade.CARPENTRY: [
        "Kitchen cupboard door hanging off",
        "Front door sticking",
        "Loose stair banister",
    ],
    Trade.ROOFING: ["Water coming through bedroom ceiling", "Loose roof tiles"],
    Trade.GLAZING: ["Cracked window pane", "Window won't close"],
    Trade.PLASTERING: ["Crumbling plaster in hallway", "Hole in bedroom wall"],
    Trade.DAMP_AND_MOULD: ["Black mould on bedroom wall", "Damp patch spreading in bathroom"],
    Trade.LOCKSMITH: ["Front door lock broken", "Lost keys to communal door"],
    Trade.GENERAL: ["Bathroom tiles falling off", "Kitchen drawer runner broken"],
}
BUSINESS = [
    "Quick Fix",
    "Hackney",
    "Eastside",
    "Rapid",
    "Lea Valley",
    "Dalston",
    "Reliable",
    "Five Star",
    "Homerton",
    "Clapton",
    "North London",
    "Canal",
    "Victoria",
]
LEA_VALLEY_BUSINESS = ["Leyton", "Walthamstow", "Forest", "Marshes", "Lea Bridge", "Tottenham"]
TRADESPEOPLE_PLAN: list[tuple[Trade, ...]] = [
    (Trade.PLUMBING,),
    (Trade.PLUMBING, Trade.GAS),
    (Trade.GAS,),
    (Trade.GAS, Trade.PLUMBING),
    (Trade.ELECTRICAL,),
    (Trade.ELECTRICAL,),
    (Trade.CARPENTRY, Trade.GENERAL),
    (Trade.CARPENTRY,),
    (Trade.ROOFING,),
    (Trade.ROOFING, Trade.GENERAL),
    (Trade.GLAZING,),
    (Trade.GLAZING, Trade.LOCKSMITH),
    (Trade.PLASTERING, Trade.DAMP_AND_MOULD),
    (Trade.DAMP_AND_MOULD,),
    (Trade.LOCKSMITH,),
    (Trade.GENERAL, Trade.PLASTERING),
    (Trade.PLUMBING,),
    (Trade.ELECTRICAL, Trade.GENERAL),
    (Trade.GENERAL,),
    (Trade.PLUMBING, Trade.GENERAL),
    (Trade.GAS,),
    (Trade.CARPENTRY, Trade.GLAZING),
    (Trade.DAMP_AND_MOULD, Trade.GENERAL),
    (Trade.ROOFING,),
    (Trade.PLASTERING,),
]
# How good each of `TRADESPEOPLE_PLAN` is (the demo plumber, trade@demo.test, is good),
# then more of them so that every trade has good, middling and poor people to choose from.
TIERS = "gpmggpmgpgmggpmpmmgpmpmmg"
MORE_TRADESPEOPLE: list[tuple[tuple[Trade, ...], str]] = [
    ((Trade.ELECTRICAL,), "p"),
    ((Trade.LOCKSMITH,), "p"),
    ((Trade.PLUMBING,), "m"),
    ((Trade.GAS,), "p"),
    ((Trade.DAMP_AND_MOULD,), "g"),
    ((Trade.PLUMBING, Trade.GENERAL), "p"),
    ((Trade.CARPENTRY,), "p"),
    ((Trade.GLAZING,), "m"),
    ((Trade.PLUMBING,), "g"),
    ((Trade.PLUMBING,), "m"),
]
# Newcomers: approved, with no more than this many jobs behind them.
NEWCOMERS: list[tuple[tuple[Trade, ...], int]] = [((Trade.PLUMBING,), 0), ((Trade.ELECTRICAL,), 2)]
LEA_VALLEY_PLAN: list[tuple[tuple[Trade, ...], str]] = [
    ((Trade.PLUMBING,), "g"),
    ((Trade.PLUMBING, Trade.GAS), "p"),
    ((Trade.GAS,), "m"),
    ((Trade.GAS, Trade.PLUMBING), "g"),
    ((Trade.ELECTRICAL,), "m"),
    ((Trade.ELECTRICAL,), "g"),
    ((Trade.ELECTRICAL, Trade.GENERAL), "p"),
    ((Trade.CARPENTRY, Trade.GENERAL), "g"),
    ((Trade.CARPENTRY, Trade.GLAZING), "p"),
    ((Trade.DAMP_AND_MOULD, Trade.PLASTERING), "m"),
    ((Trade.DAMP_AND_MOULD, Trade.GENERAL), "g"),
    ((Trade.PLUMBING, Trade.GENERAL), "m"),
    ((Trade.ROOFING, Trade.GLAZING), "m"),
    ((Trade.LOCKSMITH, Trade.GENERAL), "p"),
]
# The chance of completing a job within its target, by tier.
SKILL = {"g": (0.88, 0.97), "m": (0.72, 0.85), "p": (0.45, 0.65)}
# What they ask against the landlord's schedule of rates, by tier: the poor undercut.
PRICE = {"g": (0.9, 1.2), "m": (0.85, 1.15), "p": (0.75, 1.1)}
TRADE_OF_PRIORITY = [Priority.EMERGENCY] * 1 + [Priority.URGENT] * 3 + [Priority.ROUTINE] * 6
# How often each trade is called, out of 100.
TRADE_SHARE = {
    Trade.PLUMBING: 20,
    Trade.ELECTRICAL: 12,
    Trade.GAS: 12,
    Trade.CARPENTRY: 10,
    Trade.GENERAL: 12,
    Trade.DAMP_AND_MOULD: 8,
    Trade.LOCKSMITH: 6,
    Trade.ROOFING: 6,
    Trade.GLAZING: 7,
    Trade.PLASTERING: 7,
}
GAS_CATEGORIES = ["boilers", "cookers", "water_heaters"]
REVIEWS = [
    "Polite and tidy.",
    "Took too long to come.",
    "Fixed first time, thank you.",
    "Had to chase for an update.",
]


def _rates(factor: float) -> dict[str, int]:
    return {t.value: round(p * factor / 500) * 500 for t, p in TYPICAL_PRICE_PENCE.items()}


HACKNEY_RULES = {
    "id": LANDLORD_ID,
    "name": "Hackney Homes",
    "emergency_attend_hours": 4,
    "emergency_make_safe_hours": 24,
    "urgent_days": 5,
    "routine_days": 20,
    "planned_days": 60,
    "right_to_repair": False,
    "routes": {"emergency": "direct"},
    "direct_to": None,  # the in-house team's id, set when it is made
    "auto_award_hours": 24,
    "choice_hours": 48,
    "schedule_of_rates": _rates(0.95),
    "out_of_hours_phone": "020 8356 3691",
}
LEA_VALLEY_RULES = {
    "id": SECOND_LANDLORD_ID,
    "name": "Lea Valley Housing",
    "emergency_attend_hours": 2,
    "emergency_make_safe_hours": 24,
    "urgent_days": 3,
    "routine_days": 15,
    "planned_days": 50,
    "right_to_repair": True,
    "routes": {"emergency": "direct"},
    "direct_to": None,  # its framework contractor's id, set when it is made
    "auto_award_hours": 12,
    "choice_hours": 72,
    # Quality and fixing it first time count most here; price least.
    "ranking_weights": {"quality": 25, "first_time_fix": 20, "within_target": 15, "value": 5},
    "schedule_of_rates": _rates(1.05),
    "out_of_hours_phone": "020 8496 0731",
}


def _id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def seed(engine: sa.Engine, seed: int = 7, now: datetime | None = None) -> dict[str, float]:
    """Fill an empty server database with demo data. Does nothing if users exist. Returns
    each generated tradesperson's hidden skill (their chance of completing within target),
    by id; nothing when the database was already seeded."""
    with engine.begin() as conn:
        if conn.execute(sa.select(db.users.c.id).limit(1)).first():
            return {}
        seeder = _Seeder(conn, random.Random(seed), now or datetime.now(UTC))
        seeder.run()
        return seeder.skills


@dataclass
class _Estate:
    """One landlord's people and places while they are generated."""

    rules: dict
    districts: list[str]
    homes: list[dict] = field(default_factory=list)
    residents: list[dict] = field(default_factory=list)
    trades: list[dict] = field(default_factory=list)  # with hidden _skill, _tier, ...
    applicants: list[dict] = field(default_factory=list)  # not approved yet
    team: dict | None = None  # the in-house team or framework contractor
    officer: dict | None = None

    @property
    def id(self) -> str:
        return self.rules["id"]

    @property
    def policy(self) -> TargetPolicy:
        return actions.targets_of(Landlord.model_validate(self.rules))

    def price(self, trade: Trade) -> int:
        return self.rules["schedule_of_rates"][trade.value]


class _Seeder:
    def __init__(self, conn: sa.Connection, rng: random.Random, now: datetime) -> None:
        self.conn, self.rng, self.now = conn, rng, now
        self.today = now.astimezone(UK).date()
        self.rows: dict[str, list[dict]] = {name: [] for name in db.SYNCED}
        self.users: list[dict] = []
        self.skills: dict[str, float] = {}
        self.sign_in: set[str] = set(DEMO_ACCOUNTS.values()) | SIGN_IN_RESIDENTS | OTHER_SIGN_INS
        self._shortlists: list[tuple[_Estate, dict]] = []
        self.named: set[str] = set()

    def run(self) -> None:
        hackney = _Estate(dict(HACKNEY_RULES), list(DISTRICTS))
        self._homes(hackney, 200, STREETS)
        self._residents(
            hackney, lambda n: "resident@demo.test" if n == 0 else f"resident{n}@demo.test"
        )
        self._hackney_tradespeople(hackney)
        hackney.officer = self._user(hackney, "officer", DEMO_ACCOUNTS["officer"], "Sam Officer")
        self._history(hackney, 1000, 350)
        self._hackney_live_work(hackney)

        lea = _Estate(dict(LEA_VALLEY_RULES), list(LEA_VALLEY_DISTRICTS))
        self._homes(lea, 60, LEA_VALLEY_STREETS)
        self._residents(lea, lambda n: f"lvresident{n or ''}@demo.test")
        self._lea_valley_tradespeople(lea)
        lea.officer = self._user(lea, "officer", DEMO_ACCOUNTS["officer2"], "Jo Adebayo")
        self._history(lea, 350, 120)
        self._lea_valley_live_work(lea)
        self._neighbour(hackney)  # last: the rest of the demo is as it was without them
        self._alerts(hackney)

        for estate in (hackney, lea):
            self.rows["landlords"].append(estate.rules)
        self._passwords()
        self.conn.execute(db.users.insert(), self.users)
        seq = 0
        for name, rows in self.rows.items():
            model = RECORDS[name].model
            rows = [db.values_of(model.model_validate(row)) for row in rows]  # with defaults
            for row in rows:
                seq += 1
                row["seq"] = seq
            if rows:
                self.conn.execute(db.SYNCED[name].insert(), rows)
        self.conn.execute(db.meta.update().where(db.meta.c.key == "seq").values(value=str(seq)))
        for estate, job in self._shortlists:
            self._shortlist(estate, job)

    def _passwords(self) -> None:
        """The listed demo accounts, the first residents, the first 25 Hackney
        tradespeople and the other sign-ins (`OTHER_SIGN_INS`) use the demo password, each
        hash with its own salt (hashed side by side: argon2 takes a tenth of a second
        each); everyone else is data only and cannot sign in."""
        can_sign_in = [u for u in self.users if u["email"] in self.sign_in]
        with ThreadPoolExecutor(max_workers=4) as pool:
            hashes = pool.map(lambda _u: security.hash_password(DEMO_PASSWORD), can_sign_in)
            for user, hashed in zip(can_sign_in, hashes, strict=True):
                user["password_hash"] = hashed

    def _name(self) -> str:
        return f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}"

    def _phone(self) -> str:
        return f"07700 9{self.rng.randrange(10**5):05d}"

    def _user(
        self, estate: _Estate, role: str, email: str, name: str, home_id: str | None = None
    ) -> dict:
        user = {
            "id": _id(self.rng),
            "email": email,
            "name": name,
            "role": role,
            "landlord_id": estate.id,
            "home_id": home_id,
            "phone": self._phone(),
            "password_hash": "!",  # set in `_passwords` for those who sign in
            "demo": True,  # signs in only on a server started with its demo
        }
        self.users.append(user)
        return user

    def _homes(self, estate: _Estate, count: int, streets: list[str]) -> None:
        letters = "ABDEFGHJLNPQRSTUWXYZ"
        for n in range(count):
            district = estate.districts[n % len(estate.districts)]
            estate.homes.append(
                {
                    "id": _id(self.rng),
                    "landlord_id": estate.id,
                    "street": f"{self.rng.randrange(1, 240)} {self.rng.choice(streets)}",
                    "flat": f"Flat {self.rng.randrange(1, 40)}",
                    "postcode": f"{district} {self.rng.randrange(1, 9)}"
                    f"{self.rng.choice(letters)}{self.rng.choice(letters)}",
                    "district": district,
                }
            )
        self.rows["homes"] += estate.homes

    def _neighbour(self, estate: _Estate) -> None:
        """A resident in another flat of the demo resident's block, to say "me too" on
        reports of its shared areas."""
        first = estate.homes[0]
        home = {**first, "id": _id(self.rng), "flat": "Flat 41"}
        estate.homes.append(home)
        self.rows["homes"].append(home)
        estate.residents.append(self._user(estate, "resident", NEIGHBOUR, "Priya Shah", home["id"]))

    def _alerts(self, estate: _Estate) -> None:
        """What the landlord knows of a handful of homes, among them those of the demo
        plumber's work, copied onto their open repairs as a report would have copied it."""
        for n, said in HOME_ALERTS.items():
            home = estate.homes[n]
            home["alerts"] = said
            for job in self.rows["jobs"]:
                if job["home_id"] == home["id"] and JobStatus(job["status"]) not in FINISHED:
                    job["property_alerts"] = said

    def _residents(self, estate: _Estate, email) -> None:
        for n, home in enumerate(estate.homes):
            estate.residents.append(
                self._user(estate, "resident", email(n), self._name(), home["id"])
            )

    # -- tradespeople -------------------------------------------------------------------

    def _tradesperson(
        self,
        estate: _Estate,
        email: str,
        plan: tuple[Trade, ...],
        tier: str,
        business: list[str],
        n: int,
        *,
        districts: list[str] | None = None,
        name: str | None = None,
        **extra,
    ) -> dict:
        while name is None or name in self.named:  # tradespeople are told apart by name
            name = self._name()
        self.named.add(name)
        user = self._user(estate, "tradesperson", email, name)
        if districts is None:
            count = min(len(estate.districts), self.rng.randrange(4, 6))
            districts = sorted(self.rng.sample(estate.districts, count))
        certificates, numbers, categories = {}, {}, []
        if Trade.GAS in plan:
            certificates["gas_safe"] = self.today + timedelta(days=self.rng.randrange(60, 700))
            numbers["gas_safe"] = f"{self.rng.randrange(100_000, 999_999)}"
            categories = GAS_CATEGORIES[: self.rng.randrange(1, 4)]
        if Trade.ELECTRICAL in plan:
            certificates["niceic"] = self.today + timedelta(days=self.rng.randrange(60, 700))
            numbers["niceic"] = f"{self.rng.randrange(100_000, 999_999)}"
        low, high = SKILL[tier]
        tp = {
            "id": user["id"],
            "landlord_id": estate.id,
            "name": user["name"],
            "business_name": f"{self.rng.choice(business)} {plan[0].label}"
            f"{' Ltd' if n % 3 else ''}",
            "kind": "business" if n % 3 else "sole_trader",
            "phone": user["phone"],
            "trades": [t.value for t in plan],
            "districts": districts,
            "certificates": certificates,
            "certificate_numbers": numbers,
            "gas_categories": categories,
            "insurance_expires": self.today + timedelta(days=self.rng.randrange(60, 500)),
            "small_local": n % 4 != 0,
            "status": "approved",
            "applied_at": self.now - timedelta(days=760),
            "vetted_at": self.now - timedelta(days=758),
            # Hidden: how good they are, which shapes their history; when they joined and
            # how many jobs they may win (newcomers).
            "_skill": self.rng.uniform(low, high),
            "_tier": tier,
            "_email": email,
            "_joined": self.now - timedelta(days=760),
            "_max_jobs": 10**6,
            "_won": 0,
        }
        tp.update(extra)
        estate.trades.append(tp)
        return tp

    def _team(self, estate: _Estate, email: str, name: str, kind: str) -> dict:
        """The landlord's in-house team or framework contractor: every trade and district,
        registrations and insurance in date; takes the emergencies."""
        team = self._tradesperson(
            estate,
            email,
            tuple(Trade),
            "m",
            [name],
            1,
            districts=list(estate.districts),
            name=name,
            kind=kind,
            small_local=False,
        )
        team["business_name"] = name
        team["certificates"] = {
            "gas_safe": self.today + timedelta(days=420),
            "niceic": self.today + timedelta(days=380),
        }
        team["gas_categories"] = list(GAS_CATEGORIES)
        team["insurance_expires"] = self.today + timedelta(days=300)
        team["_skill"] = 0.9
        estate.trades.remove(team)  # not on the marketplace: awarded directly
        estate.team = team
        estate.rules["direct_to"] = team["id"]
        return team

    def _hackney_tradespeople(self, estate: _Estate) -> None:
        for n, plan in enumerate(TRADESPEOPLE_PLAN):
            email = DEMO_ACCOUNTS["tradesperson"] if n == 0 else f"trade{n}@demo.test"
            self.sign_in.add(email)
            self._tradesperson(
                estate,
                email,
                plan,
                TIERS[n],
                BUSINESS,
                n,
                districts=["E5", "E8", "E9", "N16"] if n == 0 else None,
            )
        for n, (plan, tier) in enumerate(MORE_TRADESPEOPLE, start=len(TRADESPEOPLE_PLAN)):
            self._tradesperson(estate, f"trade{n}@demo.test", plan, tier, BUSINESS, n)
        first = len(TRADESPEOPLE_PLAN) + len(MORE_TRADESPEOPLE)
        for n, (plan, most) in enumerate(NEWCOMERS, start=first):
            joined = self.now - timedelta(days=3 if most == 0 else 90)
            self._tradesperson(
                estate,
                f"trade{n}@demo.test",
                plan,
                "g",
                BUSINESS,
                n,
                applied_at=joined - timedelta(days=4),
                vetted_at=joined,
                _joined=joined,
                _max_jobs=most,
            )
        trades = estate.trades
        for tp in trades:  # the demo resident's electricians (see `_hackney_live_work`)
            if Trade.ELECTRICAL.value in tp["trades"] and "E8" not in tp["districts"]:
                tp["districts"] = sorted([*tp["districts"], "E8"])
        # Reminders: a Gas Safe registration running out in 5 days, insurance in 20.
        trades[2]["certificates"]["gas_safe"] = self.today + timedelta(days=5)
        trades[7]["insurance_expires"] = self.today + timedelta(days=20)
        # And one whose Gas Safe registration lapsed: they can't be awarded gas work.
        trades[20]["certificates"]["gas_safe"] = self.today - timedelta(days=12)
        self._team(estate, "repairs.team@demo.test", "Hackney Homes Repairs Team", "in_house")
        self._applicants(estate)

    def _applicants(self, estate: _Estate) -> None:
        """Two applications waiting for checks and one sent back for more information."""
        plans = [
            ((Trade.ELECTRICAL,), "applied", ""),
            ((Trade.GAS, Trade.PLUMBING), "applied", ""),
            (
                (Trade.CARPENTRY, Trade.GENERAL),
                "more_info",
                "Your insurance certificate photo is cut off at the bottom. Please send a "
                "clear photo of the whole page, with the expiry date.",
            ),
        ]
        for n, (plan, status, note) in enumerate(plans, start=1):
            applied = self.now - timedelta(days=n, hours=self.rng.uniform(1, 8))
            tp = self._tradesperson(
                estate,
                f"applicant{n}@demo.test",
                plan,
                "m",
                BUSINESS,
                n + 1,
                status=status,
                documents=[],
                applied_at=applied,
                vetted_at=applied + timedelta(hours=20) if note else None,
                vetting_note=note,
            )
            estate.trades.remove(tp)  # no history, no offers
            estate.applicants.append(tp)

    def _lea_valley_tradespeople(self, estate: _Estate) -> None:
        for n, (plan, tier) in enumerate(LEA_VALLEY_PLAN):
            email = f"lvtrade{n or ''}@demo.test"
            self._tradesperson(estate, email, plan, tier, LEA_VALLEY_BUSINESS, n)
        self._team(estate, "lvframework@demo.test", "Lea Valley Response Ltd", "framework")

    @staticmethod
    def _public(tp: dict) -> dict:
        return {k: v for k, v in tp.items() if not k.startswith("_")}

    def _publish_tradespeople(self, estate: _Estate) -> None:
        for tp in [*estate.trades, estate.team, *estate.applicants]:
            self.rows["tradespeople"].append(self._public(tp))
            self.skills[tp["id"]] = tp["_skill"]

    # -- jobs, offers and visits --------------------------------------------------------

    def _job(
        self,
        estate: _Estate,
        home: dict,
        resident: dict,
        trade: Trade,
        reported_at: datetime,
        **extra,
    ) -> dict:
        title = self.rng.choice(PROBLEMS[trade])
        job = {
            "id": _id(self.rng),
            "landlord_id": estate.id,
            "home_id": home["id"],
            "trade": trade.value,
            "title": title,
            "description": f"{title}. Reported by the resident.",
            "location": "",
            "access_notes": self.rng.choice(
                ["", "Any weekday morning", "Call before coming", "Not Fridays"]
            ),
            "status": "reported",
            "priority": None,
            "damp_and_mould": trade is Trade.DAMP_AND_MOULD,
            "award_mode": "offers",
            "fixed_price_pence": None,
            "reported_at": reported_at,
            "target_at": None,
            "awarded_to": None,
            "awarded_offer_id": None,
            "started_at": None,
            "completed_at": None,
            "completion_notes": "",
            "parent_id": None,
            "rating_speed": None,
            "rating_quality": None,
            "review": "",
            "photos": [],
            "district": home["district"],
            "street": home["street"],
            "flat": home["flat"],
            "resident_id": resident["id"],
            "resident_name": resident["name"],
            "resident_phone": resident["phone"],
        }
        job.update(extra)
        self.rows["jobs"].append(job)
        return job

    def _offer(
        self,
        estate: _Estate,
        job: dict,
        tp: dict,
        status: str,
        created_at: datetime,
        first: date,
    ) -> dict:
        """An offer priced as its tradesperson's tier prices (the poor undercut), its
        earliest visit within a few days of `first` and on or before the target date."""
        low, high = PRICE[tp["_tier"]]
        typical = estate.price(Trade(job["trade"]))
        due = job["target_at"].astimezone(UK).date()
        latest = max(0, min(6, (due - first).days))
        offer = {
            "id": _id(self.rng),
            "landlord_id": estate.id,
            "job_id": job["id"],
            "tradesperson_id": tp["id"],
            "business_name": tp["business_name"],
            "price_pence": round(typical * self.rng.uniform(low, high) / 500) * 500,
            "earliest_slot": first + timedelta(days=self.rng.randrange(0, latest + 1)),
            "note": self.rng.choice(["", "", "Can bring parts on the first visit."]),
            "status": status,
            "created_at": created_at,
        }
        self.rows["offers"].append(offer)
        return offer

    def _visit(
        self, estate: _Estate, job: dict, tp: dict, at: datetime, outcome: str, notes: str
    ) -> None:
        self.rows["visits"].append(
            {
                "id": _id(self.rng),
                "landlord_id": estate.id,
                "job_id": job["id"],
                "tradesperson_id": tp["id"],
                "started_at": at,
                "outcome": outcome,
                "notes": notes,
                "photos": [],
            }
        )

    @staticmethod
    def _can_take(tp: dict, trade: Trade, district: str, at: datetime, day: date) -> bool:
        """Whether `tp` could have offered for the job then (as `why_ineligible` judges)."""
        if trade.value not in tp["trades"] or district not in tp["districts"]:
            return False
        if tp["_joined"] > at or tp["_won"] >= tp["_max_jobs"] or tp["insurance_expires"] < day:
            return False
        needed = {Trade.GAS: "gas_safe", Trade.ELECTRICAL: "niceic"}.get(trade)
        return needed is None or tp["certificates"].get(needed, date.min) >= day

    def _history(self, estate: _Estate, count: int, earlier: int) -> None:
        """`count` past reports over the marketplace's 18 months (and the recalls that
        follow poor work), in time order: emergencies go straight to the in-house team;
        the rest are awarded from the offers of three to six tradespeople who could take
        them then, to one of them. Before them, `earlier` reports from the six months before
        the marketplace opened, each awarded to one tradesperson from the landlord's
        contractor list without offers: the track records the marketplace started with. Skill
        decides whether the work is done within target, whether nobody is in at a visit,
        whether it is reported again within 30 days, and the ratings."""
        offered = [t for t in TRADE_SHARE if any(t.value in tp["trades"] for tp in estate.trades)]
        shares = [TRADE_SHARE[t] for t in offered]
        queue = []
        opened = self.now - timedelta(days=540)
        for k in range(count + earlier):
            ago = self.rng.uniform(8, 540) if k < count else self.rng.uniform(540, 720)
            reported = self.now - timedelta(days=ago)
            trade = self.rng.choices(offered, shares)[0]
            queue.append((reported, k, self.rng.randrange(len(estate.homes)), trade, None))
        heapq.heapify(queue)
        order, policy, latest = count, estate.policy, self.now - timedelta(days=1)
        while queue:
            reported, _, n, trade, parent = heapq.heappop(queue)
            home, resident = estate.homes[n], estate.residents[n]
            priority = Priority.URGENT if parent else self.rng.choice(TRADE_OF_PRIORITY)
            target = target_for(priority, reported, policy)
            day = reported.astimezone(UK).date()
            pool = []
            if priority is not Priority.EMERGENCY:
                pool = [
                    tp
                    for tp in estate.trades
                    if self._can_take(tp, trade, home["district"], reported, day)
                ]
            offerers = self.rng.sample(pool, min(len(pool), self.rng.randint(3, 6)))
            winner = self.rng.choice(offerers) if offerers else estate.team
            if reported < opened:  # from the contractor list, before the marketplace
                offerers = []
            skill = winner["_skill"]
            late = self.rng.random() > skill
            took = (target - reported) * (
                self.rng.uniform(1.05, 2.5) if late else self.rng.uniform(0.2, 0.95)
            )
            completed = reported + took
            if completed > latest:  # still under way: not part of the history
                continue
            winner["_won"] += 1
            started = reported + took * 0.8
            direct = not offerers
            job = self._job(
                estate,
                home,
                resident,
                trade,
                reported,
                status="closed",
                priority=priority.value,
                target_at=target,
                attend_by=reported + timedelta(hours=estate.rules["emergency_attend_hours"])
                if priority is Priority.EMERGENCY
                else None,
                award_mode="direct" if winner is estate.team else "offers",
                award_reason=f"Awarded directly to {winner['business_name']}."
                if winner is estate.team
                else "Awarded from the contractor list, before the marketplace opened."
                if direct
                else "Chosen by the housing officer.",
                awarded_to=winner["id"],
                started_at=started,
                completed_at=completed,
                closed_at=completed,
                completion_notes="Work completed and tested.",
                parent_id=parent["id"] if parent else None,
            )
            for tp in offerers:
                created = reported + timedelta(hours=self.rng.uniform(1, 20))
                won = tp is winner
                offer = self._offer(
                    estate, job, tp, "accepted" if won else "declined", created, day
                )
                if won:
                    job["awarded_offer_id"] = offer["id"]
            if self.rng.random() < 0.04 + 0.45 * (1 - skill):
                self._visit(
                    estate,
                    job,
                    winner,
                    reported + took * 0.5,
                    "no_access",
                    "No answer. Calling card left.",
                )
            self._visit(estate, job, winner, started, "completed", "Work completed and tested.")
            if self.rng.random() < 0.7:
                quality = max(1, min(5, round(1 + 4 * skill + self.rng.gauss(0, 0.6))))
                speed = max(1, min(5, quality - (2 if late else 0) + self.rng.choice([0, 0, 1])))
                review = "" if self.rng.random() < 0.6 else self.rng.choice(REVIEWS)
                job.update(rating_quality=quality, rating_speed=speed, review=review)
            if self.rng.random() < 0.03 + 0.5 * (1 - skill):  # not fixed first time
                again = completed + timedelta(days=self.rng.uniform(2, 28))
                if again < self.now - timedelta(days=8):
                    heapq.heappush(queue, (again, order, n, trade, job))
                    order += 1

    # -- live work ----------------------------------------------------------------------

    def _posted(
        self,
        estate: _Estate,
        n: int,
        trade: Trade,
        reported: datetime,
        priority: Priority,
        offers: tuple[int, int],
        exclude: tuple[dict, ...] = (),
        **extra,
    ) -> dict:
        """A job open for offers, with offers from some of those who can take it."""
        job = self._job(
            estate,
            estate.homes[n],
            estate.residents[n],
            trade,
            reported,
            status="posted",
            priority=priority.value,
            target_at=target_for(priority, reported, estate.policy),
            **extra,
        )
        district = job["district"]
        pool = [
            tp
            for tp in estate.trades
            if tp not in exclude and self._can_take(tp, trade, district, self.now, self.today)
        ]
        how_many = min(len(pool), self.rng.randint(*offers))
        for tp in self.rng.sample(pool, how_many):
            created = reported + timedelta(hours=self.rng.uniform(1, 10))
            self._offer(estate, job, tp, "open", created, self.today)
        return job

    def _hackney_live_work(self, estate: _Estate) -> None:
        homes, residents, trades = estate.homes, estate.residents, estate.trades
        demo_trade = trades[0]
        # The plumbers who sign in have no offers yet: the job board is theirs to offer on.
        signing_in = tuple(
            tp for tp in trades if tp["_email"] in self.sign_in and "plumbing" in tp["trades"]
        )
        for n in range(1, 9):  # new reports waiting for triage
            trade = self.rng.choice(list(Trade))
            reported = self.now - timedelta(hours=self.rng.uniform(1, 60))
            self._job(estate, homes[n], residents[n], trade, reported)
        for n in range(9, 21):  # posted, open for offers; several fit the demo plumber
            trade = Trade.PLUMBING if n % 2 else self.rng.choice(list(Trade))
            reported = self.now - timedelta(days=self.rng.uniform(0.5, 3))
            priority = self.rng.choice([Priority.URGENT, Priority.ROUTINE])
            self._posted(estate, n, trade, reported, priority, (3, 5), exclude=signing_in)
        reported = self.now - timedelta(days=2)
        self._job(
            estate,
            homes[0],
            residents[0],
            Trade.CARPENTRY,
            reported,
            status="posted",
            priority=Priority.ROUTINE.value,
            target_at=target_for(Priority.ROUTINE, reported, estate.policy),
            title="Kitchen cupboard door hanging off",
        )
        # The demo resident chooses among three electricians the officer shortlisted.
        reported = self.now - timedelta(days=3, hours=2)
        fan = self._posted(
            estate,
            0,
            Trade.ELECTRICAL,
            reported,
            Priority.ROUTINE,
            (4, 4),
            title="Bathroom extractor fan broken",
            description="The bathroom extractor fan stopped working and the room stays damp.",
            location="Bathroom",
        )
        self._shortlists.append((estate, fan))
        for n, status in ((21, "awarded"), (22, "in_progress")):  # the demo plumber's work
            reported = self.now - timedelta(days=3)
            job = self._job(
                estate,
                homes[n],
                residents[n],
                Trade.PLUMBING,
                reported,
                status=status,
                priority=Priority.URGENT.value,
                target_at=target_for(Priority.URGENT, reported, estate.policy),
                awarded_to=demo_trade["id"],
                award_reason="Chosen by the housing officer.",
            )
            offer = self._offer(
                estate, job, demo_trade, "accepted", reported + timedelta(hours=2), self.today
            )
            job["awarded_offer_id"] = offer["id"]
            if status == "in_progress":
                job["started_at"] = self.now - timedelta(hours=2)
                self._visit(estate, job, demo_trade, job["started_at"], "in_progress", "")
        self._emergency(estate, 23, Trade.ROOFING, "Water coming through bedroom ceiling")
        self._publish_tradespeople(estate)

    def _emergency(self, estate: _Estate, n: int, trade: Trade, title: str) -> None:
        """An emergency, straight to the in-house team by the landlord's rules."""
        reported = self.now - timedelta(hours=1, minutes=20)
        team = estate.team
        self._job(
            estate,
            estate.homes[n],
            estate.residents[n],
            trade,
            reported,
            title=title,
            status="awarded",
            priority=Priority.EMERGENCY.value,
            target_at=target_for(Priority.EMERGENCY, reported, estate.policy),
            attend_by=reported + timedelta(hours=estate.rules["emergency_attend_hours"]),
            award_mode="direct",
            award_reason=f"Awarded directly to {team['business_name']}.",
            awarded_to=team["id"],
        )

    def _lea_valley_live_work(self, estate: _Estate) -> None:
        homes, residents, trades = estate.homes, estate.residents, estate.trades
        lv_plumber = trades[0]
        for n in range(1, 5):
            trade = self.rng.choice(list(Trade))
            reported = self.now - timedelta(hours=self.rng.uniform(1, 40))
            self._job(estate, homes[n], residents[n], trade, reported)
        for n in range(5, 11):
            trade = [Trade.PLUMBING, Trade.ELECTRICAL, Trade.GENERAL][n % 3]
            reported = self.now - timedelta(days=self.rng.uniform(0.3, 1.5))
            priority = self.rng.choice([Priority.URGENT, Priority.ROUTINE])
            self._posted(estate, n, trade, reported, priority, (3, 5), exclude=(lv_plumber,))
        reported = self.now - timedelta(days=1)
        job = self._job(
            estate,
            homes[11],
            residents[11],
            Trade.PLUMBING,
            reported,
            status="awarded",
            priority=Priority.URGENT.value,
            target_at=target_for(Priority.URGENT, reported, estate.policy),
            awarded_to=lv_plumber["id"],
            award_reason="Chosen by the housing officer.",
        )
        offer = self._offer(
            estate, job, lv_plumber, "accepted", reported + timedelta(hours=3), self.today
        )
        job["awarded_offer_id"] = offer["id"]
        self._emergency(estate, 12, Trade.GAS, "No heating or hot water")
        self._publish_tradespeople(estate)

    def _shortlist(self, estate: _Estate, job: dict) -> None:
        """The officer's shortlist of the top three, made as the officer makes it."""
        repo = SqlRepo(self.conn)
        officer = estate.officer
        assert officer is not None
        user = User(
            id=officer["id"],
            email=officer["email"],
            name=officer["name"],
            role=Role.OFFICER,
            landlord_id=estate.id,
        )
        record = repo.get("jobs", job["id"])
        candidates, _ = actions.ranked(repo, record, self.today)
        top = [x.offer.id for x in candidates if x.eligible][:3]
        context = actions.Context(user=user, now=self.now)
        actions.apply(repo, context, "shortlist", {"job_id": job["id"], "offer_ids": top})
