"""Binary sensors: ringing, in call, and each account's registration.

Do Not Disturb is a switch now (test_switch.py).
"""

from __future__ import annotations

from datetime import timedelta

from homeassistant.const import STATE_OFF, STATE_ON, EntityCategory, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from simulator import PhoneProfile, SimAccount, SimulatedPhone

from ..helpers.entities import ACCOUNT_1, ACCOUNT_2, IN_CALL, RINGING
from ..helpers.snapshots import snapshot_one_platform
from ..helpers.waiting import AdvanceTime

pytestmark = pytest.mark.freeze_time(tick=True)


async def accounts_read_again(advance_time: AdvanceTime) -> None:
    """Let the account list be read again (every 2 minutes) and the poll after."""
    await advance_time(timedelta(minutes=2, seconds=5))
    await advance_time(timedelta(seconds=5))


@pytest.mark.freeze_time("2025-06-01T12:00:00+00:00")
@pytest.mark.usefixtures("entity_registry_enabled_by_default", "idle_or_ringing")
async def test_snapshot(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, snapshot: SnapshotAssertion
) -> None:
    """Every binary sensor, idle and with a call ringing in."""
    await snapshot_one_platform(
        hass, mock_config_entry, snapshot, Platform.BINARY_SENSOR
    )


@pytest.mark.usefixtures("init_integration")
async def test_ringing_and_in_call(
    hass: HomeAssistant, phone: SimulatedPhone, advance_time: AdvanceTime
) -> None:
    """Ringing and in call follow the phone's lines; a held call is still a call."""

    def shows(ringing: str, in_call: str) -> None:
        assert hass.states.get(RINGING).state == ringing
        assert hass.states.get(IN_CALL).state == in_call

    shows(STATE_OFF, STATE_OFF)
    phone.incoming_call("+4930123456")
    await advance_time(timedelta(seconds=5))
    shows(STATE_ON, STATE_OFF)
    phone.answer()
    await advance_time(timedelta(seconds=5))
    shows(STATE_OFF, STATE_ON)
    # A second call rings in while the first one goes on.
    phone.incoming_call("+4940654321")
    await advance_time(timedelta(seconds=5))
    shows(STATE_ON, STATE_ON)
    phone.remote_hangup(1)
    phone.miss_call()
    await advance_time(timedelta(seconds=5))
    shows(STATE_OFF, STATE_OFF)


async def test_account_registered(
    hass: HomeAssistant,
    phone: SimulatedPhone,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    advance_time: AdvanceTime,
) -> None:
    """Registration is a diagnostic, fetched every two minutes, not every poll."""
    entry = entity_registry.async_get(ACCOUNT_1)
    assert entry is not None
    assert entry.entity_category is EntityCategory.DIAGNOSTIC
    assert entry.unique_id == f"{init_integration.entry_id}_account_1_registered"
    state = hass.states.get(ACCOUNT_1)
    assert state.state == STATE_ON
    assert state.attributes["device_class"] == "connectivity"

    phone.set_registered(1, False)
    await advance_time(timedelta(seconds=5))
    assert len(phone.calls("get_accounts")) == 1
    assert hass.states.get(ACCOUNT_1).state == STATE_ON

    await advance_time(timedelta(minutes=2))
    await advance_time(timedelta(seconds=5))
    assert len(phone.calls("get_accounts")) == 2
    assert hass.states.get(ACCOUNT_1).state == STATE_OFF

    phone.set_registered(1, True)
    await accounts_read_again(advance_time)
    assert hass.states.get(ACCOUNT_1).state == STATE_ON


@pytest.mark.usefixtures("init_integration")
async def test_account_added_later(
    hass: HomeAssistant, profile: PhoneProfile, advance_time: AdvanceTime
) -> None:
    """An account configured on the phone later gets its sensor without a reload."""
    assert hass.states.get(ACCOUNT_2) is None

    profile.accounts.append(SimAccount(id=2, sip_id="1002", registered=False))
    await accounts_read_again(advance_time)

    assert hass.states.get(ACCOUNT_2).state == STATE_OFF
    assert hass.states.get(ACCOUNT_1).state == STATE_ON


@pytest.mark.usefixtures("init_integration")
async def test_account_removed(
    hass: HomeAssistant, profile: PhoneProfile, advance_time: AdvanceTime
) -> None:
    """An account the phone no longer reports has no registration to show."""
    profile.accounts.clear()
    await accounts_read_again(advance_time)

    assert hass.states.get(ACCOUNT_1).state == "unknown"
