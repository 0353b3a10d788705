"""The import endpoint: officers only, their own landlord's homes and tradespeople, and the
imported history reaches their officers' devices and nobody else's."""

from __future__ import annotations

from tests.integration.test_authorisation_server import PEOPLE, built, server  # noqa: F401

CSV = (
    "RepairReference,PropertyReference,TradeCode,RepairDescription,ReportedDateTime,"
    "CompletedDateTime,ContractorReference,SatisfactionScore\n"
    "OLD-1,north-home-1,plumbing,Old leak,2025-10-01,2025-10-03,north-plumber,4\n"
    "OLD-2,south-home-1,plumbing,Their home,2025-10-01,2025-10-03,,\n"
    "OLD-3,north-home-2,plumbing,Their plumber,2025-10-01,2025-10-03,south-plumber,\n"
)


def post(server, user, body: bytes, kind: str = "text/csv"):  # noqa: F811
    headers = {**server.as_(user), "Content-Type": kind}
    return server.http.post("/v1/import/jobs", content=body, headers=headers)


def test_an_officer_imports_their_own_landlords_history_only(server):  # noqa: F811
    n, s = PEOPLE["north"], PEOPLE["south"]
    cursor = {u.id: server.pull(u)[1] for u in (n["officer"], s["officer"], n["plumber"])}
    answer = post(server, n["officer"], CSV.encode())
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["imported"] == 1 and [r["line"] for r in body["refused"]] == [3, 4]
    got = server.pull(n["officer"], cursor[n["officer"].id])[0]
    assert [(c.table, c.id) for c in got] == [("jobs", "import:OLD-1")]
    assert server.pull(s["officer"], cursor[s["officer"].id])[0] == []
    again = post(server, n["officer"], CSV.encode()).json()
    assert again["imported"] == 0 and again["refused"][0]["reason"] == (
        "This repair was imported before."
    )


def test_only_officers_import_and_only_text(server):  # noqa: F811
    n = PEOPLE["north"]
    assert post(server, n["resident"], CSV.encode()).status_code == 403
    assert post(server, n["plumber"], CSV.encode()).status_code == 403
    answer = post(server, n["officer"], "é".encode("latin-1"))
    assert answer.status_code == 422 and "CSV UTF-8" in answer.json()["detail"]
