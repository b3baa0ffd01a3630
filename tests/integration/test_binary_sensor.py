"""Binary sensors: ringing, in call, Do Not Disturb, and each account's registration."""

from __future__ import annotations

from datetime import timedelta

from homeassistant.const import (
    CONF_WEBHOOK_ID,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
    EntityCategory,
    Platform,
)
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    mock_restore_cache,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.grandstream.action_urls import action_urls
from custom_components.grandstream.const import EVENT_CALL
from simulator import PhoneProfile, SimAccount, SimulatedPhone

from ..helpers.entities import ACCOUNT_1, ACCOUNT_2, DND, IN_CALL, RINGING
from ..helpers.phone import PHONE_MAC
from ..helpers.snapshots import snapshot_one_platform
from ..helpers.waiting import AdvanceTime, poll, settle

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
    assert hass.states.get(RINGING).state == STATE_OFF
    assert hass.states.get(IN_CALL).state == STATE_OFF

    phone.incoming_call("+4930123456")
    await advance_time(timedelta(seconds=5))
    assert hass.states.get(RINGING).state == STATE_ON
    assert hass.states.get(IN_CALL).state == STATE_OFF

    phone.answer()
    await advance_time(timedelta(seconds=5))
    assert hass.states.get(RINGING).state == STATE_OFF
    assert hass.states.get(IN_CALL).state == STATE_ON

    # A second call rings in while the first one goes on.
    phone.incoming_call("+4940654321")
    await advance_time(timedelta(seconds=5))
    assert hass.states.get(RINGING).state == STATE_ON
    assert hass.states.get(IN_CALL).state == STATE_ON

    phone.remote_hangup(1)
    phone.miss_call()
    await advance_time(timedelta(seconds=5))
    assert hass.states.get(RINGING).state == STATE_OFF
    assert hass.states.get(IN_CALL).state == STATE_OFF


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


# -- Do Not Disturb: only the phone's pushes tell ----------------------------------


@pytest.mark.usefixtures("push_integration")
async def test_dnd_follows_pushes(
    hass: HomeAssistant, phone: SimulatedPhone, entity_registry: er.EntityRegistry
) -> None:
    """Unknown until the phone pushes it; then on and off; never a call event."""
    entry = entity_registry.async_get(DND)
    assert entry is not None
    assert entry.unique_id == f"{PHONE_MAC}_do_not_disturb"
    assert entry.translation_key == "do_not_disturb"
    events = async_capture_events(hass, EVENT_CALL)
    assert hass.states.get(DND).state == STATE_UNKNOWN
    # Polls cannot tell: the CTI interface has no DND.
    await poll(hass)
    assert hass.states.get(DND).state == STATE_UNKNOWN

    phone.set_dnd(True)
    await settle(hass, phone)
    assert hass.states.get(DND).state == STATE_ON
    phone.set_dnd(False)
    await settle(hass, phone)
    assert hass.states.get(DND).state == STATE_OFF

    assert [p.event for p in phone.pushes] == ["dnd_on", "dnd_off"]
    assert {p.status for p in phone.pushes} == {200}
    assert events == []
    assert hass.states.get("event.front_desk_call").state == STATE_UNKNOWN


@pytest.mark.usefixtures("push_integration")
async def test_dnd_shown_while_phone_unreachable(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """What the phone last pushed stays shown while it cannot be read."""
    phone.set_dnd(True)
    await settle(hass, phone)
    await phone.stop()
    await poll(hass)
    assert hass.states.get(RINGING).state == STATE_UNAVAILABLE
    assert hass.states.get(DND).state == STATE_ON


@pytest.mark.parametrize(
    ("stored", "restored", "pushed"),
    [
        (STATE_ON, STATE_ON, STATE_OFF),
        (STATE_OFF, STATE_OFF, STATE_ON),
        (STATE_UNKNOWN, STATE_UNKNOWN, STATE_ON),
        (STATE_UNAVAILABLE, STATE_UNKNOWN, STATE_OFF),
    ],
)
async def test_dnd_restored(
    hass: HomeAssistant,
    *,
    ha_url: str,
    phone: SimulatedPhone,
    push_config_entry: MockConfigEntry,
    stored: str,
    restored: str,
    pushed: str,
) -> None:
    """After a restart the last known DND comes back until the phone pushes it."""
    mock_restore_cache(hass, [State(DND, stored)])
    push_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(push_config_entry.entry_id)
    await hass.async_block_till_done()
    phone.profile.action_urls = action_urls(
        ha_url, push_config_entry.data[CONF_WEBHOOK_ID]
    )
    assert hass.states.get(DND).state == restored

    phone.dnd = pushed == STATE_OFF  # the phone's state before the user's change
    phone.set_dnd(pushed == STATE_ON)
    await settle(hass, phone)
    assert hass.states.get(DND).state == pushed


async def test_dnd_survives_reload(
    hass: HomeAssistant, push_integration: MockConfigEntry, phone: SimulatedPhone
) -> None:
    """Reloading the phone (as a restart does) keeps what it last pushed."""
    phone.set_dnd(True)
    await settle(hass, phone)
    assert await hass.config_entries.async_reload(push_integration.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(DND).state == STATE_ON
