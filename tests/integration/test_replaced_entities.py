"""Migration 1.3: the Do Not Disturb binary sensor becomes a switch.

Home Assistant cannot move an entity to another domain: the binary sensor's
registry entry goes, the switch takes its place (and the user's settings),
and automations and scripts still naming the old entity get a repair that
names the new one, until nothing uses the old entity any more.
"""

from __future__ import annotations

from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import EVENT_HOMEASSISTANT_STARTED, SERVICE_RELOAD
from homeassistant.core import CoreState, HomeAssistant
from homeassistant.helpers import (
    area_registry as ar,
    entity_registry as er,
    issue_registry as ir,
)
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.grandstream.const import CONF_REPLACED_DND_SENSOR, DOMAIN
from simulator import SimulatedPhone

from ..helpers.entries import setup_entry
from ..helpers.phone import PHONE_MAC

OLD = "binary_sensor.front_desk_do_not_disturb"
NEW = "switch.front_desk_do_not_disturb"
UNIQUE_ID = f"{PHONE_MAC}_do_not_disturb"


def automation(automation_id: str, alias: str, entity_id: str) -> dict[str, Any]:
    """An automation triggered by ``entity_id``."""
    return {
        "id": automation_id,
        "alias": alias,
        "triggers": [{"trigger": "state", "entity_id": entity_id, "to": "on"}],
        "actions": [{"delay": 0}],
    }


def script(entity_id: str) -> dict[str, Any]:
    """A script checking ``entity_id``."""
    return {
        "dnd_check": {
            "alias": "DND check",
            "sequence": [{"condition": "state", "entity_id": entity_id, "state": "on"}],
        }
    }


@pytest.fixture
def old_entry(mock_config_entry: MockConfigEntry) -> MockConfigEntry:
    """An entry of version 1.2, whose phone had the DND binary sensor."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="Front desk",
        unique_id=PHONE_MAC,
        data=dict(mock_config_entry.data),
        version=1,
        minor_version=2,
    )


def register_old_sensor(
    hass: HomeAssistant, entry: MockConfigEntry, **changes: Any
) -> er.RegistryEntry:
    """The binary sensor as version 1.2 left it in the registry."""
    entry.add_to_hass(hass)
    registry = er.async_get(hass)
    old = registry.async_get_or_create(
        "binary_sensor",
        DOMAIN,
        UNIQUE_ID,
        config_entry=entry,
        suggested_object_id="front_desk_do_not_disturb",
        translation_key="do_not_disturb",
    )
    if changes:
        old = registry.async_update_entity(old.entity_id, **changes)
    return old


def issue(hass: HomeAssistant, entry: MockConfigEntry) -> ir.IssueEntry | None:
    """The phone's "automations still use the DND sensor" repair."""
    return ir.async_get(hass).async_get_issue(
        DOMAIN, f"dnd_sensor_replaced_{entry.entry_id}"
    )


async def reload(hass: HomeAssistant, domain: str, config: Any) -> None:
    """Reload automations or scripts from ``config``, as the editor does."""
    with patch(
        "homeassistant.config.load_yaml_config_file",
        autospec=True,
        return_value={domain: config},
    ):
        await hass.services.async_call(domain, SERVICE_RELOAD, blocking=True)
    await hass.async_block_till_done()


async def test_sensor_becomes_switch_with_the_users_settings(
    hass: HomeAssistant,
    phone: SimulatedPhone,
    old_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """No orphan: the binary sensor's entry is gone; the switch keeps its choices."""
    area = ar.async_get(hass).async_create("Office")
    register_old_sensor(
        hass,
        old_entry,
        name="Office DND",
        area_id=area.id,
        hidden_by=er.RegistryEntryHider.USER,
    )

    await setup_entry(hass, old_entry)

    assert old_entry.state is ConfigEntryState.LOADED
    assert (old_entry.version, old_entry.minor_version) == (1, 3)
    assert entity_registry.async_get(OLD) is None
    assert not [
        e
        for e in er.async_entries_for_config_entry(entity_registry, old_entry.entry_id)
        if e.domain == "binary_sensor" and e.unique_id == UNIQUE_ID
    ]
    switch = entity_registry.async_get(NEW)
    assert switch is not None
    assert switch.unique_id == UNIQUE_ID
    assert switch.name == "Office DND"
    assert switch.area_id == area.id
    assert switch.hidden_by is er.RegistryEntryHider.USER
    assert switch.translation_key == "do_not_disturb"
    assert hass.states.get(NEW) is not None
    # Nothing uses the old entity: no repair, nothing left to remember.
    assert issue(hass, old_entry) is None
    assert CONF_REPLACED_DND_SENSOR not in old_entry.data


async def test_renamed_and_disabled_sensor(
    hass: HomeAssistant,
    phone: SimulatedPhone,
    old_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """A renamed entity id carries over; so does the user's "disabled"."""
    register_old_sensor(
        hass,
        old_entry,
        new_entity_id="binary_sensor.office_dnd",
        disabled_by=er.RegistryEntryDisabler.USER,
    )
    await setup_entry(hass, old_entry)

    switch = entity_registry.async_get("switch.office_dnd")
    assert switch is not None
    assert switch.unique_id == UNIQUE_ID
    assert switch.disabled_by is er.RegistryEntryDisabler.USER
    assert entity_registry.async_get("binary_sensor.office_dnd") is None
    assert entity_registry.async_get(NEW) is None


async def test_repair_names_the_new_entity_and_every_user(
    hass: HomeAssistant, phone: SimulatedPhone, old_entry: MockConfigEntry
) -> None:
    """Automations and scripts still using the old id are listed until fixed."""
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": [
                automation("dnd_light", "DND light", OLD),
                automation("other", "Other", "sensor.outside"),
                # Written in YAML without an id: no editor to link to.
                {
                    key: value
                    for key, value in automation("", "DND in YAML", OLD).items()
                    if key != "id"
                },
            ]
        },
    )
    assert await async_setup_component(hass, "script", {"script": script(OLD)})
    register_old_sensor(hass, old_entry)

    await setup_entry(hass, old_entry)

    repair = issue(hass, old_entry)
    assert repair is not None
    assert repair.translation_key == "dnd_sensor_replaced"
    assert repair.severity is ir.IssueSeverity.WARNING
    assert not repair.is_fixable
    placeholders = repair.translation_placeholders
    assert placeholders is not None
    assert placeholders["old_entity"] == OLD
    assert placeholders["new_entity"] == NEW
    assert placeholders["name"] == "Front desk"
    assert sorted(placeholders["items"].splitlines()) == [
        "- DND in YAML (`automation.dnd_in_yaml`)",
        "- [DND check](/config/script/edit/dnd_check) (`script.dnd_check`)",
        "- [DND light](/config/automation/edit/dnd_light) (`automation.dnd_light`)",
    ]
    assert old_entry.data[CONF_REPLACED_DND_SENSOR] == OLD

    # The user fixes the automations (the editor saves by reloading).
    await reload(hass, "automation", [automation("dnd_light", "DND light", NEW)])
    repair = issue(hass, old_entry)
    assert repair is not None
    assert repair.translation_placeholders is not None
    assert "automation.dnd_light" not in repair.translation_placeholders["items"]
    assert "script.dnd_check" in repair.translation_placeholders["items"]

    # ... and the script: once automations reload, nothing uses the old id.
    await reload(hass, "script", script(NEW))
    await reload(hass, "automation", [automation("dnd_light", "DND light", NEW)])
    assert issue(hass, old_entry) is None
    assert CONF_REPLACED_DND_SENSOR not in old_entry.data


async def test_repair_waits_for_automations_to_load(
    hass: HomeAssistant, phone: SimulatedPhone, old_entry: MockConfigEntry
) -> None:
    """Integrations load before automations: the check waits for the start."""
    register_old_sensor(hass, old_entry)
    hass.set_state(CoreState.starting)
    await setup_entry(hass, old_entry)
    assert issue(hass, old_entry) is None
    assert old_entry.data[CONF_REPLACED_DND_SENSOR] == OLD

    assert await async_setup_component(
        hass, "automation", {"automation": [automation("dnd_light", "DND light", OLD)]}
    )
    hass.set_state(CoreState.running)
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STARTED)
    await hass.async_block_till_done()

    repair = issue(hass, old_entry)
    assert repair is not None
    assert repair.translation_placeholders is not None
    assert "automation.dnd_light" in repair.translation_placeholders["items"]


async def test_repair_goes_with_the_phone(
    hass: HomeAssistant, phone: SimulatedPhone, old_entry: MockConfigEntry
) -> None:
    """Removing the phone removes its repair."""
    assert await async_setup_component(
        hass, "automation", {"automation": [automation("dnd_light", "DND light", OLD)]}
    )
    register_old_sensor(hass, old_entry)
    await setup_entry(hass, old_entry)
    assert issue(hass, old_entry) is not None

    await hass.config_entries.async_remove(old_entry.entry_id)
    await hass.async_block_till_done()
    assert issue(hass, old_entry) is None


async def test_no_sensor_nothing_to_do(
    hass: HomeAssistant,
    phone: SimulatedPhone,
    old_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """A 1.2 entry without the sensor (deleted by hand): the switch is simply new."""
    await setup_entry(hass, old_entry)
    assert old_entry.minor_version == 3
    assert CONF_REPLACED_DND_SENSOR not in old_entry.data
    assert entity_registry.async_get(NEW) is not None
    assert issue(hass, old_entry) is None
