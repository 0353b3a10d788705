"""Demo data, the same for the same seed: one landlord, about 200 homes in a few London
postcode districts, their residents, 25 tradespeople and about 1,000 past jobs whose
outcomes (on time, late, no access, recalls, ratings) differ by contractor, plus live work
to triage, offer on and finish."""

from __future__ import annotations

import random
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from app.domain.models import Priority, Trade
from app.domain.records import RECORDS
from app.domain.targets import target_for
from server_stub import db, security

LANDLORD_ID = "landlord-hackney-homes"
DEMO_PASSWORD = "demo"
DEMO_ACCOUNTS = {
    "resident": "resident@demo.test",
    "tradesperson": "trade@demo.test",
    "officer": "officer@demo.test",
}
SIGN_IN_RESIDENTS = {DEMO_ACCOUNTS["resident"]} | {f"resident{n}@demo.test" for n in range(1, 10)}
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
TRADE_OF_PRIORITY = [Priority.EMERGENCY] * 1 + [Priority.URGENT] * 3 + [Priority.ROUTINE] * 6


def _id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def seed(engine: sa.Engine, seed: int = 7, now: datetime | None = None) -> None:
    """Fill an empty server database with demo data. Does nothing if users exist."""
    with engine.begin() as conn:
        if conn.execute(sa.select(db.users.c.id).limit(1)).first():
            return
        _Seeder(conn, random.Random(seed), now or datetime.now(UTC)).run()


class _Seeder:
    def __init__(self, conn: sa.Connection, rng: random.Random, now: datetime) -> None:
        self.conn, self.rng, self.now = conn, rng, now
        self.rows: dict[str, list[dict]] = {name: [] for name in db.SYNCED}
        self.users: list[dict] = []

    def run(self) -> None:
        self.rows["landlords"].append({"id": LANDLORD_ID, "name": "Hackney Homes"})
        homes = self._homes()
        residents = self._residents(homes)
        trades = self._tradespeople()
        self._officer()
        self._history(homes, residents, trades)
        self._live_work(homes, residents, trades)
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

    def _passwords(self) -> None:
        """The listed demo accounts, the first residents and every tradesperson sign in with
        the demo password, each hash with its own salt (hashed side by side: argon2 takes a
        tenth of a second each); the other residents are data only and cannot sign in."""
        can_sign_in = [
            u for u in self.users
            if u["role"] != "resident" or u["email"] in SIGN_IN_RESIDENTS
        ]  # fmt: skip
        with ThreadPoolExecutor(max_workers=4) as pool:
            hashes = pool.map(lambda _u: security.hash_password(DEMO_PASSWORD), can_sign_in)
            for user, hashed in zip(can_sign_in, hashes, strict=True):
                user["password_hash"] = hashed

    def _name(self) -> str:
        return f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}"

    def _user(self, role: str, email: str, name: str, home_id: str | None = None) -> dict:
        user = {
            "id": _id(self.rng),
            "email": email,
            "name": name,
            "role": role,
            "landlord_id": LANDLORD_ID,
            "home_id": home_id,
            "phone": f"07700 9{self.rng.randrange(10**5):05d}",
            "password_hash": "!",  # set in `_passwords`
            "demo": True,  # signs in only on a server started with its demo
        }
        self.users.append(user)
        return user

    def _homes(self) -> list[dict]:
        homes = []
        for n in range(200):
            district = list(DISTRICTS)[n % len(DISTRICTS)]
            homes.append(
                {
                    "id": _id(self.rng),
                    "landlord_id": LANDLORD_ID,
                    "street": f"{self.rng.randrange(1, 240)} {self.rng.choice(STREETS)}",
                    "flat": f"Flat {self.rng.randrange(1, 40)}",
                    "postcode": f"{district} {self.rng.randrange(1, 9)}"
                    f"{self.rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
                    f"{self.rng.choice('ABDEFGHJLNPQRSTUWXYZ')}",
                    "district": district,
                }
            )
        self.rows["homes"] = homes
        return homes

    def _residents(self, homes: list[dict]) -> list[dict]:
        residents = []
        for n, home in enumerate(homes):
            email = DEMO_ACCOUNTS["resident"] if n == 0 else f"resident{n}@demo.test"
            residents.append(self._user("resident", email, self._name(), home["id"]))
        return residents

    def _tradespeople(self) -> list[dict]:
        trades = []
        for n, plan in enumerate(TRADESPEOPLE_PLAN):
            email = DEMO_ACCOUNTS["tradesperson"] if n == 0 else f"trade{n}@demo.test"
            user = self._user("tradesperson", email, self._name())
            districts = sorted(self.rng.sample(list(DISTRICTS), self.rng.randrange(2, 5)))
            if n == 0:
                districts = ["E5", "E8", "E9", "N16"]
            today = self.now.date()
            certificates = {}
            if Trade.GAS in plan:
                certificates["gas_safe"] = today + timedelta(days=self.rng.randrange(-30, 700))
            if Trade.ELECTRICAL in plan:
                certificates["niceic"] = today + timedelta(days=self.rng.randrange(30, 700))
            trades.append(
                {
                    "id": user["id"],
                    "landlord_id": LANDLORD_ID,
                    "name": user["name"],
                    "business_name": f"{self.rng.choice(BUSINESS)} {plan[0].label}"
                    f"{' Ltd' if n % 3 else ''}",
                    "trades": [t.value for t in plan],
                    "districts": districts,
                    "certificates": {k: v.isoformat() for k, v in certificates.items()},
                    "insurance_expires": today + timedelta(days=self.rng.randrange(-20, 500)),
                    "small_local": n % 4 != 0,
                    "status": "approved",
                    # How good they are, which shapes their history (not stored).
                    "_skill": self.rng.uniform(0.55, 0.98),
                }
            )
        if trades[0]["insurance_expires"] < self.now.date() + timedelta(days=60):
            trades[0]["insurance_expires"] = self.now.date() + timedelta(days=300)
        self.rows["tradespeople"] = [{k: v for k, v in t.items() if k != "_skill"} for t in trades]
        return trades

    def _officer(self) -> None:
        self._user("officer", DEMO_ACCOUNTS["officer"], "Sam Officer")

    def _job(
        self, home: dict, resident: dict, trade: Trade, reported_at: datetime, **extra
    ) -> dict:
        title = self.rng.choice(PROBLEMS[trade])
        job = {
            "id": _id(self.rng),
            "landlord_id": LANDLORD_ID,
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

    def _offer(self, job: dict, tp: dict, status: str, created_at: datetime) -> dict:
        offer = {
            "id": _id(self.rng),
            "landlord_id": LANDLORD_ID,
            "job_id": job["id"],
            "tradesperson_id": tp["id"],
            "business_name": tp["business_name"],
            "price_pence": self.rng.randrange(80, 450) * 100,
            "earliest_slot": (created_at + timedelta(days=self.rng.randrange(1, 6))).date(),
            "note": "",
            "status": status,
            "created_at": created_at,
        }
        self.rows["offers"].append(offer)
        return offer

    def _history(self, homes, residents, trades) -> None:
        by_trade = {t: [tp for tp in trades if t.value in tp["trades"]] for t in Trade}
        recent: dict[tuple[str, str], dict] = {}
        for _ in range(1000):
            n = self.rng.randrange(len(homes))
            home, resident = homes[n], residents[n]
            trade = self.rng.choice([t for t in Trade if by_trade[t]])
            reported = self.now - timedelta(days=self.rng.uniform(8, 540))
            priority = self.rng.choice(TRADE_OF_PRIORITY)
            target = target_for(priority, reported)
            tp = self.rng.choice(by_trade[trade])
            skill = tp["_skill"]
            allowed = target - reported
            late = self.rng.random() > skill
            took = allowed * (self.rng.uniform(1.05, 2.5) if late else self.rng.uniform(0.2, 0.95))
            completed = min(reported + took, self.now - timedelta(days=1))
            parent = recent.get((home["id"], trade.value))
            is_recall = parent is not None and reported - parent["completed_at"] < timedelta(
                days=30
            )
            job = self._job(
                home,
                resident,
                trade,
                reported,
                status="closed",
                priority=priority.value,
                target_at=target,
                awarded_to=tp["id"],
                started_at=reported + took * 0.8,
                completed_at=completed,
                closed_at=completed,
                completion_notes="Work completed and tested.",
                parent_id=parent["id"] if is_recall else None,
            )
            offer = self._offer(job, tp, "accepted", reported + timedelta(hours=4))
            job["awarded_offer_id"] = offer["id"]
            for rival in self.rng.sample(by_trade[trade], min(2, len(by_trade[trade]))):
                if rival is not tp:
                    self._offer(job, rival, "declined", reported + timedelta(hours=6))
            if self.rng.random() > skill * 1.05:
                self._visit(
                    job, tp, reported + took * 0.5, "no_access", "No answer. Calling card left."
                )
            self._visit(job, tp, job["started_at"], "completed", "Work completed and tested.")
            if self.rng.random() < 0.7:
                quality = max(1, min(5, round(1 + 4 * skill + self.rng.gauss(0, 0.6))))
                speed = max(1, min(5, quality - (2 if late else 0) + self.rng.choice([0, 0, 1])))
                job.update(
                    rating_quality=quality,
                    rating_speed=speed,
                    review=""
                    if self.rng.random() < 0.6
                    else self.rng.choice(
                        [
                            "Polite and tidy.",
                            "Took too long to come.",
                            "Fixed first time, thank you.",
                            "Had to chase for an update.",
                        ]
                    ),
                )
            recent[(home["id"], trade.value)] = job

    def _visit(self, job: dict, tp: dict, at: datetime, outcome: str, notes: str) -> None:
        self.rows["visits"].append(
            {
                "id": _id(self.rng),
                "landlord_id": LANDLORD_ID,
                "job_id": job["id"],
                "tradesperson_id": tp["id"],
                "started_at": at,
                "outcome": outcome,
                "notes": notes,
                "photos": [],
            }
        )

    def _live_work(self, homes, residents, trades) -> None:
        demo_trade = trades[0]
        for n in range(1, 9):  # new reports waiting for triage
            trade = self.rng.choice(list(Trade))
            self._job(
                homes[n], residents[n], trade, self.now - timedelta(hours=self.rng.uniform(1, 60))
            )
        for n in range(9, 21):  # posted, open for offers; several fit the demo plumber
            trade = Trade.PLUMBING if n % 2 else self.rng.choice(list(Trade))
            reported = self.now - timedelta(days=self.rng.uniform(0.5, 3))
            priority = self.rng.choice([Priority.URGENT, Priority.ROUTINE])
            job = self._job(
                homes[n],
                residents[n],
                trade,
                reported,
                status="posted",
                priority=priority.value,
                target_at=target_for(priority, reported),
            )
            rivals = [tp for tp in trades[1:] if trade.value in tp["trades"]]
            for tp in self.rng.sample(rivals, min(len(rivals), self.rng.randrange(0, 3))):
                self._offer(job, tp, "open", reported + timedelta(hours=3))
        reported = self.now - timedelta(days=2)
        self._job(
            homes[0],
            residents[0],
            Trade.CARPENTRY,
            reported,
            status="posted",
            priority=Priority.ROUTINE.value,
            target_at=target_for(Priority.ROUTINE, reported),
            title="Kitchen cupboard door hanging off",
        )
        for n, status in ((21, "awarded"), (22, "in_progress")):  # the demo plumber's work
            reported = self.now - timedelta(days=3)
            job = self._job(
                homes[n],
                residents[n],
                Trade.PLUMBING,
                reported,
                status=status,
                priority=Priority.URGENT.value,
                target_at=target_for(Priority.URGENT, reported),
                awarded_to=demo_trade["id"],
            )
            offer = self._offer(job, demo_trade, "accepted", reported + timedelta(hours=2))
            job["awarded_offer_id"] = offer["id"]
            if status == "in_progress":
                job["started_at"] = self.now - timedelta(hours=2)
                self._visit(job, demo_trade, job["started_at"], "in_progress", "")
