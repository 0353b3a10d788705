"""The resident's side of issue 11: the guided answers suggest a priority that the report
carries to the officer, and a neighbour says "me too" on an open report of a shared area
of their block instead of reporting it again, seeing only that it is there and where it
stands, never who reported it, their flat, words or photos."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.domain import policy
from app.domain.actions import Context, apply
from app.domain.guide import suggest, suggest_priority
from app.domain.lifecycle import Rejected
from app.domain.models import Priority, Trade, User
from app.domain.records import Home
from tests.cast import HOME, OFFICER, RESIDENT, MemoryRepo

NOW = datetime(2026, 1, 14, 9, 0, tzinfo=UTC)
WINTER, SUMMER = date(2026, 1, 14), date(2026, 7, 14)


def test_the_answers_suggest_a_priority():
    assert suggest_priority("kitchen", "no_heating", WINTER) is Priority.URGENT
    assert suggest_priority("kitchen", "no_heating", SUMMER) is Priority.ROUTINE
    assert suggest_priority("kitchen", "no_water", SUMMER) is Priority.URGENT
    assert suggest_priority("bathroom", "leak_electrics", SUMMER) is Priority.URGENT
    assert suggest_priority("hall", "door", SUMMER) is Priority.URGENT
    assert suggest_priority("bedroom", "plaster", WINTER) is Priority.ROUTINE
    # A dark stairwell is unsafe: urgent, and a job for an electrician.
    light = suggest("stairs", "electrics", SUMMER)
    assert (light.trade, light.priority, light.communal) == (
        Trade.ELECTRICAL, Priority.URGENT, True
    )  # fmt: skip
    assert not suggest("kitchen", "electrics", SUMMER).communal


def _home(key: str, street: str, flat: str, landlord: str = HOME.landlord_id) -> Home:
    return HOME.model_copy(
        update={"id": key, "street": street, "flat": flat, "landlord_id": landlord}
    )


def _resident(key: str, home: Home) -> User:
    return RESIDENT.model_copy(
        update={"id": key, "name": key.title(), "home_id": home.id, "landlord_id": home.landlord_id}
    )


UPSTAIRS = _home("home-2", "12  mill lane", "Flat 9")  # the same block, written differently
ACROSS = _home("home-3", "14 Mill Lane", "Flat 1")  # the block across the road
ELSEWHERE = _home("home-4", "12 Mill Lane", "Flat 2", landlord="landlord-2")
NEIGHBOUR, ACROSS_ROAD = _resident("neighbour", UPSTAIRS), _resident("across", ACROSS)
OTHER_LANDLORDS = _resident("tenant", ELSEWHERE)
LIGHT = {
    "job_id": "light", "trade": "electrical", "title": "Stairwell light broken",
    "description": "Outside my door at flat 3, Ada", "location": "Shared stairs",
    "access_notes": "Key safe 1234", "photos": [{"sha256": "a" * 64, "stage": "report"}],
    "suggested_priority": "urgent", "communal": True,
}  # fmt: skip


@pytest.fixture
def repo() -> MemoryRepo:
    repo = MemoryRepo()
    for home in (HOME, UPSTAIRS, ACROSS, ELSEWHERE):
        repo.put(home)
    apply(repo, Context(user=RESIDENT, now=NOW), "report_repair", LIGHT)
    return repo


def _seen(repo: MemoryRepo, user: User) -> dict | None:
    home = repo.get("homes", user.home_id or "")
    row = repo.get("jobs", "light").model_dump(mode="json")
    return policy.project(policy.Viewer(user, None, home), "jobs", row, NOW)


def test_the_report_carries_the_suggestion_and_the_block(repo):
    job = repo.get("jobs", "light")
    assert job.suggested_priority is Priority.URGENT and job.priority is None
    assert job.communal and job.block == "12 MILL LANE, M4 5AB" == UPSTAIRS.block


def test_neighbours_of_the_block_see_that_it_is_reported_and_nothing_of_who(repo):
    seen = _seen(repo, NEIGHBOUR)
    assert seen is not None
    assert (seen["title"], seen["status"], seen["location"]) == (
        "Stairwell light broken", "reported", "Shared stairs"
    )  # fmt: skip
    for private in ("resident_id", "resident_name", "resident_phone", "flat"):
        assert seen[private] is None, private
    assert (seen["description"], seen["access_notes"], seen["photos"], seen["home_id"]) == (
        "", "", [], ""
    )  # fmt: skip
    assert _seen(repo, ACROSS_ROAD) is None, "another block"
    assert _seen(repo, OTHER_LANDLORDS) is None, "another landlord's block"
    officer = policy.project(
        policy.Viewer(OFFICER), "jobs", repo.get("jobs", "light").model_dump(mode="json"), NOW
    )
    assert officer["resident_name"] == RESIDENT.name


def test_me_too_joins_the_report_once_and_the_neighbour_follows_it(repo):
    apply(repo, Context(user=NEIGHBOUR, now=NOW), "me_too", {"job_id": "light"})
    job = repo.get("jobs", "light")
    assert job.also_reported_by == ["neighbour"]
    seen = _seen(repo, NEIGHBOUR)
    assert seen["also_reported_by"] == ["neighbour"] and seen["resident_name"] is None
    assert _seen(repo, RESIDENT)["also_reported_by"] == [], "who else is for officers"
    with pytest.raises(Rejected) as again:
        apply(repo, Context(user=NEIGHBOUR, now=NOW), "me_too", {"job_id": "light"})
    assert again.value.code == "already"
    with pytest.raises(Rejected) as own:
        apply(repo, Context(user=RESIDENT, now=NOW), "me_too", {"job_id": "light"})
    assert own.value.code == "already"
    for outsider in (ACROSS_ROAD, OTHER_LANDLORDS):
        with pytest.raises(Rejected) as refused:
            apply(repo, Context(user=outsider, now=NOW), "me_too", {"job_id": "light"})
        assert refused.value.code == "not_found"
    # Following is not owning: the neighbour can't cancel or rate it.
    with pytest.raises(Rejected):
        apply(repo, Context(user=NEIGHBOUR, now=NOW), "cancel_job", {"job_id": "light"})


def test_once_finished_only_those_who_said_me_too_still_see_it(repo):
    apply(repo, Context(user=NEIGHBOUR, now=NOW), "me_too", {"job_id": "light"})
    second = _resident("second", _home("home-5", "12 Mill Lane", "Flat 4"))
    repo.put(repo.get("homes", "home-2").model_copy(update={"id": "home-5", "flat": "Flat 4"}))
    assert _seen(repo, second) is not None
    apply(repo, Context(user=OFFICER, now=NOW), "cancel_job", {"job_id": "light"})
    assert _seen(repo, second) is None
    assert _seen(repo, NEIGHBOUR) is not None


def test_a_private_report_is_not_shared_with_the_block(repo):
    private = {**LIGHT, "job_id": "tap", "title": "Tap dripping", "communal": False}
    apply(repo, Context(user=RESIDENT, now=NOW), "report_repair", private)
    row = repo.get("jobs", "tap").model_dump(mode="json")
    home = repo.get("homes", UPSTAIRS.id)
    assert policy.project(policy.Viewer(NEIGHBOUR, None, home), "jobs", row, NOW) is None
    with pytest.raises(Rejected) as refused:
        apply(repo, Context(user=NEIGHBOUR, now=NOW), "me_too", {"job_id": "tap"})
    assert refused.value.code == "not_found"
