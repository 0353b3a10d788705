"""The one registry of synced records: every field of every record has a server column
and a place on the device, every record has a visibility rule, and a server database of
the previous schema is migrated without losing anything."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from app.domain import policy
from app.domain.models import Role, User, Vetting
from app.domain.records import RECORDS, TABLE_OF, Home, Job, Offer, Tradesperson
from app.store import Store
from server_stub import db, migrations
from server_stub.repo import SqlRepo


def test_every_field_of_every_record_has_a_server_column():
    for name, kind in RECORDS.items():
        columns = set(db.SYNCED[name].columns.keys()) - {"seq"}
        assert columns == set(kind.model.model_fields), name


def test_every_record_has_a_table_on_the_device(tmp_path):
    store = Store(tmp_path / "device.db")
    tables = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master")}
    store.close()
    assert set(RECORDS) <= tables


def test_every_record_has_a_visibility_rule_and_an_unknown_one_is_seen_by_nobody():
    assert set(policy.AUDIENCES) == set(RECORDS)
    officer = User(id="o", email="o@x", name="O", role=Role.OFFICER, landlord_id="l")
    row = {"id": "x", "landlord_id": "l"}
    assert policy.audiences("not_a_record", row) == frozenset()
    assert policy.project(policy.Viewer(officer), "not_a_record", row, datetime.now(UTC)) is None


def test_an_awarded_tradesperson_keeps_the_residents_details_for_30_days_after_closing():
    trade = User(id="t", email="t@x", name="T", role=Role.TRADESPERSON, landlord_id="l")
    closed = datetime(2026, 3, 1, tzinfo=UTC)
    job = {
        "id": "j", "landlord_id": "l", "status": "completed", "trade": "plumbing",
        "district": "E8", "street": "12A Mill Lane", "flat": "Flat 3", "awarded_to": "t",
        "resident_id": "r", "resident_name": "Ada", "resident_phone": "0770",
        "access_notes": "Key safe 1234", "home_id": "h", "photos": ["a" * 64],
        "closed_at": closed.isoformat(),
    }  # fmt: skip
    viewer = policy.Viewer(trade)
    within = policy.project(viewer, "jobs", job, closed + timedelta(days=30))
    assert within["resident_phone"] == "0770" and within["street"] == "12A Mill Lane"
    after = policy.project(viewer, "jobs", job, closed + timedelta(days=31))
    assert after is not None, "the job stays in their record of work done"
    assert (after["street"], after["flat"], after["resident_phone"]) == ("Mill Lane", None, None)
    assert (after["access_notes"], after["photos"]) == ("", [])


def test_street_names_lose_their_house_numbers():
    cases = {"12 Mill Lane": "Mill Lane", "12A Mill Lane": "Mill Lane", "Mill Lane": "Mill Lane"}
    for street, name in cases.items():
        assert policy.street_name(street) == name


def _as_first_released(path: Path) -> None:
    """Turn a new database back into the first schema: no owners, ids unique globally."""
    conn = sqlite3.connect(path)
    conn.executescript(
        """
        DROP TABLE departures; DROP TABLE photo_refs; DROP TABLE blob_owners;
        ALTER TABLE offers DROP COLUMN landlord_id; ALTER TABLE visits DROP COLUMN landlord_id;
        ALTER TABLE jobs DROP COLUMN closed_at;
        ALTER TABLE jobs DROP COLUMN shortlist; ALTER TABLE jobs DROP COLUMN award_reason;
        ALTER TABLE jobs DROP COLUMN communal; ALTER TABLE jobs DROP COLUMN also_reported_by;
        ALTER TABLE jobs DROP COLUMN property_alerts; ALTER TABLE homes DROP COLUMN alerts;
        ALTER TABLE jobs DROP COLUMN contact_preference; ALTER TABLE jobs DROP COLUMN best_times;
        ALTER TABLE offers DROP COLUMN parts; ALTER TABLE tradespeople DROP COLUMN status;
        DROP TABLE landlords; CREATE TABLE landlords (id VARCHAR PRIMARY KEY, name VARCHAR);
        INSERT INTO landlords VALUES ('l1', 'Landlord One');
        DROP TABLE mutations; DROP TABLE devices;
        CREATE TABLE mutations (id VARCHAR PRIMARY KEY, device_id VARCHAR NOT NULL,
            seq INTEGER NOT NULL, user_id VARCHAR NOT NULL, name VARCHAR NOT NULL,
            status VARCHAR NOT NULL, code VARCHAR NOT NULL, message VARCHAR NOT NULL);
        CREATE TABLE devices (id VARCHAR PRIMARY KEY, user_id VARCHAR NOT NULL,
            last_seq INTEGER NOT NULL);
        INSERT INTO mutations VALUES ('m1', 'd1', 1, 'u1', 'report_repair', 'applied', '', '');
        INSERT INTO devices VALUES ('d1', 'u1', 1);
        INSERT INTO blobs VALUES ('%s', 10, 1, 1, 'u1');
        DELETE FROM meta WHERE key = 'schema';
        """
        % ("b" * 64)
    )
    conn.commit()
    conn.close()


def test_a_database_of_the_first_schema_is_migrated_keeping_every_row(tmp_path):
    path = tmp_path / "server.db"
    engine = db.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        job = Job(
            id="j1", landlord_id="l1", home_id="h", trade="plumbing", title="Leak",
            status="completed", reported_at=datetime.now(UTC),
            completed_at=datetime(2026, 1, 2, tzinfo=UTC), photos=["c" * 64], district="E8",
            street="1 A St",
        )  # fmt: skip
        tp = Tradesperson(
            id="t", landlord_id="l1", name="T", business_name="T Ltd", trades=["plumbing"],
            districts=["E8"],
        )  # fmt: skip
        offer = Offer(
            id="o1", landlord_id="l1", job_id="j1", tradesperson_id="t", price_pence=1,
            earliest_slot=datetime(2026, 1, 1).date(), created_at=datetime.now(UTC),
        )  # fmt: skip
        home = Home(id="h", landlord_id="l1", street="1 A St", flat="", postcode="E8 1AA",
                    district="E8")  # fmt: skip
        for seq, record in enumerate((job, offer, tp, home), start=1):
            values = {**db.values_of(record), "seq": seq}
            if record is job:  # first released before jobs knew when they closed
                values.pop("closed_at")
            conn.execute(db.SYNCED[TABLE_OF[type(record)]].insert().values(values))
        epoch = db.epoch(conn)
    engine.dispose()
    _as_first_released(path)

    engine = db.create_engine(f"sqlite:///{path}")  # migrates
    with engine.connect() as conn:
        schema = conn.execute(sa.select(db.meta.c.value).where(db.meta.c.key == "schema"))
        assert int(schema.scalar()) == migrations.LATEST
        assert conn.execute(sa.select(db.SYNCED["offers"].c.landlord_id)).scalar() == "l1"
        closed = conn.execute(sa.select(db.SYNCED["jobs"].c.closed_at)).scalar()
        assert closed is not None and closed.date().isoformat() == "2026-01-02"
        mutation = conn.execute(sa.select(db.mutations)).mappings().one()
        assert (mutation["user_id"], mutation["id"], mutation["seq"]) == ("u1", "m1", 1)
        assert conn.execute(sa.select(db.devices.c.last_seq)).scalar() == 1
        assert conn.execute(sa.select(db.blob_owners.c.user_id)).scalar() == "u1"
        assert conn.execute(sa.select(db.photo_refs.c.id)).scalar() == "j1"
        assert db.epoch(conn) != epoch, "devices must pull the changed rows again"
        # Step 4: landlords became a synced record; the working tradesperson is approved;
        # new fields have their defaults.
        repo = SqlRepo(conn)
        landlord = repo.get("landlords", "l1")
        assert landlord is not None and landlord.name == "Landlord One"
        assert repo.get("tradespeople", "t").status is Vetting.APPROVED
        assert repo.get("jobs", "j1").shortlist == [] and repo.get("offers", "o1").parts == []
        # Step 5: reports of shared areas, and who said "me too".
        assert repo.get("jobs", "j1").communal is False
        assert repo.get("jobs", "j1").also_reported_by == []
        # Step 6: homes' alerts for visitors, copied onto jobs with the contact preference.
        assert repo.get("homes", "h").alerts == [] and repo.get("jobs", "j1").property_alerts == []
        assert (repo.get("jobs", "j1").contact_preference, repo.get("jobs", "j1").best_times) == (
            "",
            "",
        )
    engine.dispose()


def test_a_database_of_step_5_gets_alerts_and_contact_preferences_keeping_its_rows(tmp_path):
    path = tmp_path / "server.db"
    engine = db.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        home = Home(id="h", landlord_id="l1", street="1 A St", flat="", postcode="E8 1AA",
                    district="E8")  # fmt: skip
        job = Job(id="j1", landlord_id="l1", home_id="h", trade="plumbing", title="Leak",
                  reported_at=datetime.now(UTC), access_notes="Key safe")  # fmt: skip
        for seq, record in enumerate((home, job), start=1):
            conn.execute(
                db.SYNCED[TABLE_OF[type(record)]]
                .insert()
                .values({**db.values_of(record), "seq": seq})
            )
    engine.dispose()
    conn = sqlite3.connect(path)
    conn.executescript(
        """
        ALTER TABLE homes DROP COLUMN alerts; ALTER TABLE jobs DROP COLUMN property_alerts;
        ALTER TABLE jobs DROP COLUMN contact_preference; ALTER TABLE jobs DROP COLUMN best_times;
        UPDATE meta SET value = '5' WHERE key = 'schema';
        """
    )
    conn.commit()
    conn.close()

    engine = db.create_engine(f"sqlite:///{path}")  # migrates
    with engine.connect() as conn:
        schema = conn.execute(sa.select(db.meta.c.value).where(db.meta.c.key == "schema"))
        assert int(schema.scalar()) == migrations.LATEST == 6
        repo = SqlRepo(conn)
        assert repo.get("homes", "h").alerts == []
        kept = repo.get("jobs", "j1")
        assert (kept.access_notes, kept.property_alerts, kept.contact_preference) == (
            "Key safe",
            [],
            "",
        )
        seqs = conn.execute(sa.select(db.SYNCED["jobs"].c.seq)).scalars().all()
        assert seqs == [2], "rows keep their change numbers"
    engine.dispose()
