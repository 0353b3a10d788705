"""The guided report: emergencies first with the right numbers, then the trade."""

from __future__ import annotations

import pytest

from app.domain.guide import EMERGENCIES, GAS_EMERGENCY, emergency_call, lines, suggest
from app.domain.models import Priority, Trade
from app.domain.records import Landlord

HACKNEY = Landlord(id="l", name="Mill Homes", out_of_hours_phone="020 7946 0000")


def test_gas_is_always_the_national_gas_emergency_line_whatever_the_landlord():
    gas = next(e for e in EMERGENCIES if e.key == "gas")
    assert EMERGENCIES[0] is gas, "gas is asked first"
    for landlord in (HACKNEY, Landlord(id="x", name="No line"), None):
        line = emergency_call(gas, landlord)
        assert line.number == GAS_EMERGENCY == "0800 111 999"
        assert line.tel == "tel:0800111999"


def test_other_emergencies_go_to_the_landlords_own_line_when_it_has_one():
    flood = next(e for e in EMERGENCIES if e.key == "water_electrics")
    assert emergency_call(flood, HACKNEY).number == "020 7946 0000"
    assert emergency_call(flood, Landlord(id="x", name="No line")) is None
    assert set(lines(HACKNEY)) == {"gas", "landlord"}


def test_where_and_what_pick_the_trade_and_a_suggested_priority():
    assert suggest("kitchen", "leak").trade is Trade.PLUMBING
    assert suggest("outside", "leak").trade is Trade.ROOFING
    damp = suggest("bedroom", "damp")
    assert (damp.trade, damp.priority, damp.damp_and_mould) == (
        Trade.DAMP_AND_MOULD, Priority.URGENT, True
    )  # fmt: skip
    assert suggest("stairs", "door").communal and not suggest("hall", "door").communal
    with pytest.raises(ValueError):
        suggest("moon", "leak")
