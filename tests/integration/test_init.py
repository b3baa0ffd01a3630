"""Setting up, retrying and unloading a phone's config entry."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.grandstream.const import DOMAIN, MANUFACTURER
from simulator import Fault, SimulatedPhone

from ..helpers.entries import device_by_identifier, setup_entry
from ..helpers.phone import PASSCODE
from ..helpers.waiting import AdvanceTime

pytestmark = pytest.mark.freeze_time(tick=True)

# As the config flow stores it (format_mac).
MAC = "00:0b:82:12:34:56"


def same_phone_entry(entry: MockConfigEntry, **options: Any) -> MockConfigEntry:
    """Another entry with ``entry``'s data (``options`` go to MockConfigEntry)."""
    return MockConfigEntry(
        domain=DOMAIN, title="Front desk", data=dict(entry.data), **options
    )


async def test_setup_and_unload(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """The phone becomes one device with entities; unloading removes them."""
    assert init_integration.state is ConfigEntryState.LOADED
    device = device_by_identifier(hass, init_integration.entry_id)
    assert device is not None
    assert dr.async_entries_for_config_entry(
        device_registry, init_integration.entry_id
    ) == [device]
    assert device.name == "Front desk"
    assert device.manufacturer == MANUFACTURER
    assert device.configuration_url is not None
    assert device.configuration_url.startswith("http://127.0.0.1:")
    assert hass.states.get("sensor.front_desk_phone_status").state == "available"

    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert init_integration.state is ConfigEntryState.NOT_LOADED
    state = hass.states.get("sensor.front_desk_phone_status")
    assert state is not None
    assert state.state == STATE_UNAVAILABLE


async def test_device_known_by_mac(
    hass: HomeAssistant,
    phone: SimulatedPhone,
    mock_config_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    """With the MAC known, it names the device and the entities, not the entry id."""
    entry = same_phone_entry(mock_config_entry, unique_id=MAC)
    await setup_entry(hass, entry)

    device = device_by_identifier(hass, MAC)
    assert device is not None
    assert device.connections == {(dr.CONNECTION_NETWORK_MAC, MAC)}
    entity = entity_registry.async_get("sensor.front_desk_phone_status")
    assert entity.unique_id == f"{MAC}_phone_status"
    assert entity.device_id == device.id


async def test_setup_retries_until_phone_is_back(
    hass: HomeAssistant,
    phone: SimulatedPhone,
    mock_config_entry: MockConfigEntry,
    advance_time: AdvanceTime,
) -> None:
    """An unreachable phone is retried, with a translated reason, until it answers."""
    port = phone.port
    await phone.stop()

    await setup_entry(hass, mock_config_entry)

    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
    assert mock_config_entry.error_reason_translation_key == "cannot_connect"
    assert PASSCODE not in (mock_config_entry.reason or "")

    await phone.start(port=port)
    await advance_time(timedelta(seconds=30))
    assert mock_config_entry.state is ConfigEntryState.LOADED


@pytest.mark.parametrize(
    ("breakage", "translation_key"),
    [
        ({"fault": Fault(kind="reset")}, "cannot_connect"),
        ({"fault": Fault(kind="html")}, "invalid_response"),
        ({"fault": Fault(kind="http500")}, "invalid_response"),
        ({"fault": Fault(kind="non_json")}, "invalid_response"),
        ({"cti_enabled": False}, "request_forbidden"),
    ],
    ids=["reset", "html", "http500", "non_json", "cti_disabled"],
)
async def test_setup_not_ready(
    hass: HomeAssistant,
    phone: SimulatedPhone,
    mock_config_entry: MockConfigEntry,
    breakage: dict[str, Any],
    translation_key: str,
) -> None:
    """A phone that answers wrongly is retried later, with the reason translated."""
    phone.set_fault(breakage.get("fault"))
    phone.profile.cti_enabled = breakage.get("cti_enabled", True)

    await setup_entry(hass, mock_config_entry)

    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
    assert mock_config_entry.error_reason_translation_key == translation_key


async def test_setup_timeout(
    hass: HomeAssistant,
    phone: SimulatedPhone,
    mock_config_entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
    advance_time: AdvanceTime,
) -> None:
    """A phone too slow to answer is retried later."""
    monkeypatch.setattr("custom_components.grandstream.connection.REQUEST_TIMEOUT", 0.2)
    phone.set_fault(Fault(kind="latency", delay=1.0, count=2))

    await setup_entry(hass, mock_config_entry)

    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
    assert mock_config_entry.error_reason_translation_key == "timeout"
    # Let the slow answers finish before the phone shuts down.
    await advance_time(timedelta(seconds=1))


@pytest.mark.parametrize(
    ("changes"),
    [
        {"passcode": "another-one"},
        {"passcode": "another-one", "unauthorized_style": "http401"},
        # The first wrong passcode locks the phone: "locked" wins.
        {"passcode": "another-one", "lockout_threshold": 1},
    ],
)
async def test_setup_wrong_passcode(
    hass: HomeAssistant,
    phone: SimulatedPhone,
    mock_config_entry: MockConfigEntry,
    advance_time: AdvanceTime,
    changes: dict[str, object],
) -> None:
    """A rejected passcode stops setup and asks for a new one, without retrying."""
    for name, value in changes.items():
        setattr(phone.profile, name, value)

    await setup_entry(hass, mock_config_entry)

    assert mock_config_entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress()
    assert len(flows) == 1
    assert flows[0]["handler"] == DOMAIN
    assert flows[0]["context"]["source"] == SOURCE_REAUTH
    assert flows[0]["context"]["entry_id"] == mock_config_entry.entry_id

    sent = len(phone.requests)
    await advance_time(timedelta(minutes=5))
    assert len(phone.requests) == sent


async def test_migrate_hang_up_button(
    hass: HomeAssistant,
    phone: SimulatedPhone,
    mock_config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """1.1 → 1.2: the hang-up button's unique id ends in "hangup", its entity id stays."""
    entry = same_phone_entry(
        mock_config_entry, unique_id=MAC, version=1, minor_version=1
    )
    entry.add_to_hass(hass)
    old = entity_registry.async_get_or_create(
        "button",
        DOMAIN,
        f"{MAC}_hang_up",
        config_entry=entry,
        suggested_object_id="front_desk_hang_up",
    )
    other = entity_registry.async_get_or_create(
        "button", DOMAIN, f"{MAC}_answer", config_entry=entry
    )

    await setup_entry(hass, entry)

    assert entry.state is ConfigEntryState.LOADED
    assert (entry.version, entry.minor_version) == (1, 3)
    migrated = entity_registry.async_get(old.entity_id)
    assert migrated is not None
    assert old.entity_id == "button.front_desk_hang_up"
    assert migrated.unique_id == f"{MAC}_hangup"
    assert migrated.translation_key == "hangup"
    assert entity_registry.async_get(other.entity_id).unique_id == f"{MAC}_answer"
    assert hass.states.get("button.front_desk_hang_up") is not None
    assert not [
        e.entity_id
        for e in er.async_entries_for_config_entry(entity_registry, entry.entry_id)
        if e.unique_id.endswith("_hang_up")
    ]


async def test_newer_entry_not_set_up(
    hass: HomeAssistant, phone: SimulatedPhone, mock_config_entry: MockConfigEntry
) -> None:
    """An entry of a newer version (a downgrade) is left alone."""
    entry = same_phone_entry(mock_config_entry, version=2, minor_version=1)
    await setup_entry(hass, entry)
    assert entry.state is ConfigEntryState.MIGRATION_ERROR
    assert phone.requests == []
