"""Diagnostics: what a bug report shows, without secrets or callers."""

from __future__ import annotations

from datetime import timedelta
import json

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from simulator import SimulatedPhone

from ..helpers.phone import PASSCODE

CALLER_NUMBER = "+4930123456"
CALLER_NAME = "Ada Lovelace"


async def test_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    phone: SimulatedPhone,
    init_integration: MockConfigEntry,
    snapshot: SnapshotAssertion,
) -> None:
    """Diagnostics of an idle phone; the host's port changes from run to run."""
    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, init_integration
    )

    assert diagnostics["config_entry"]["data"]["host"] == phone.address
    assert diagnostics == snapshot(exclude=props("host"))


async def test_diagnostics_hide_passcode_and_callers(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    phone: SimulatedPhone,
    mock_config_entry: MockConfigEntry,
) -> None:
    """During a call and after a missed one, neither passcode nor callers show."""
    phone.incoming_call("+4930555666", "Max Muster")
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    phone.miss_call()
    await mock_config_entry.runtime_data.async_refresh()
    phone.incoming_call(CALLER_NUMBER, CALLER_NAME)
    phone.answer()
    phone.incoming_call("+4940654321", "Grace Hopper")
    await mock_config_entry.runtime_data.async_refresh()
    await hass.async_block_till_done()
    assert hass.states.get("sensor.front_desk_line_1").state == "connected"
    assert hass.states.get("sensor.front_desk_missed_calls").state == "1"
    assert hass.states.get("sensor.front_desk_last_caller").state == "Grace Hopper"

    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, mock_config_entry
    )

    dump = json.dumps(diagnostics)
    for secret in (
        PASSCODE,
        CALLER_NUMBER,
        CALLER_NAME,
        "4940654321",
        "Grace",
        "4930555666",
        "Max",
    ):
        assert secret not in dump
    lines = diagnostics["phone"]["lines"]
    assert [line["state"] for line in lines[:2]] == ["connected", "ringing"]
    # The account's SIP user, server and name are personal too.
    assert "1001" not in dump
    assert "pbx.example.test" not in dump


async def test_diagnostics_while_unreachable(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    phone: SimulatedPhone,
    init_integration: MockConfigEntry,
) -> None:
    """Diagnostics still work when the phone is gone, and say why."""
    await phone.stop()
    # Diagnostics load code that breaks under freezegun, so time is not frozen
    # here: firing the timers that fall due is enough.
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=6))
    await hass.async_block_till_done(wait_background_tasks=True)

    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, init_integration
    )

    assert diagnostics["coordinator"]["last_update_success"] is False
    assert diagnostics["coordinator"]["last_exception"] == "UpdateFailed"
    assert PASSCODE not in json.dumps(diagnostics)
