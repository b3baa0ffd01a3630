"""Adopting a MAC learnt after setup: ids move, collisions change nothing."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.grandstream.const import DOMAIN
from custom_components.grandstream.identity import async_adopt_mac

MAC = "00:0b:82:12:34:56"


def _phone_entry(hass: HomeAssistant, **kwargs: object) -> MockConfigEntry:
    entry = MockConfigEntry(domain=DOMAIN, title="Desk", data={"host": "h"}, **kwargs)  # type: ignore[arg-type]
    entry.add_to_hass(hass)
    return entry


def _phone_device(hass: HomeAssistant, entry: MockConfigEntry) -> dr.DeviceEntry:
    return dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id, identifiers={(DOMAIN, entry.entry_id)}
    )


async def test_adopt_moves_device_and_entities(hass: HomeAssistant) -> None:
    """Device identifier, MAC connection, entity ids and entry unique id move."""
    entry = _phone_entry(hass)
    device = _phone_device(hass, entry)
    entity = er.async_get(hass).async_get_or_create(
        "sensor", DOMAIN, f"{entry.entry_id}_line_1", config_entry=entry
    )

    assert await async_adopt_mac(hass, entry, MAC)

    moved = dr.async_get(hass).async_get(device.id)
    assert moved is not None
    assert moved.identifiers == {(DOMAIN, MAC)}
    assert (dr.CONNECTION_NETWORK_MAC, MAC) in moved.connections
    assert er.async_get(hass).async_get(entity.entity_id).unique_id == f"{MAC}_line_1"  # type: ignore[union-attr]
    assert entry.unique_id == MAC


async def test_adopt_refused_when_another_entry_has_the_mac(
    hass: HomeAssistant,
) -> None:
    """Another phone entry with this MAC: nothing changes."""
    _phone_entry(hass, unique_id=MAC)
    entry = _phone_entry(hass)
    device = _phone_device(hass, entry)

    assert not await async_adopt_mac(hass, entry, MAC)

    assert entry.unique_id is None
    assert dr.async_get(hass).async_get(device.id).identifiers == {  # type: ignore[union-attr]
        (DOMAIN, entry.entry_id)
    }


async def test_adopt_ignores_an_ignored_discovery(hass: HomeAssistant) -> None:
    """An ignored discovery of the same MAC does not block the adoption."""
    _phone_entry(hass, unique_id=MAC, source="ignore")
    entry = _phone_entry(hass)

    assert await async_adopt_mac(hass, entry, MAC)
    assert entry.unique_id == MAC


async def test_adopt_when_a_router_lists_the_mac(hass: HomeAssistant) -> None:
    """Another integration's device has the MAC as connection: ids still move."""
    router_entry = MockConfigEntry(domain="router")
    router_entry.add_to_hass(hass)
    dr.async_get(hass).async_get_or_create(
        config_entry_id=router_entry.entry_id,
        connections={(dr.CONNECTION_NETWORK_MAC, MAC)},
    )
    entry = _phone_entry(hass)
    device = _phone_device(hass, entry)

    assert await async_adopt_mac(hass, entry, MAC)

    moved = dr.async_get(hass).async_get(device.id)
    assert moved is not None
    assert moved.identifiers == {(DOMAIN, MAC)}
    assert entry.unique_id == MAC


async def test_adopt_on_identifier_collision(hass: HomeAssistant) -> None:
    """A leftover device of another entry has the MAC identifier.

    Older Home Assistant refuses the duplicate identifier: then nothing may
    change. Newer versions allow it across config entries: then everything
    moves. Never a half-moved phone.
    """
    other_entry = MockConfigEntry(domain="other")
    other_entry.add_to_hass(hass)
    dr.async_get(hass).async_get_or_create(
        config_entry_id=other_entry.entry_id, identifiers={(DOMAIN, MAC)}
    )
    entry = _phone_entry(hass)
    device = _phone_device(hass, entry)
    entity = er.async_get(hass).async_get_or_create(
        "sensor", DOMAIN, f"{entry.entry_id}_line_1", config_entry=entry
    )

    adopted = await async_adopt_mac(hass, entry, MAC)

    key = MAC if adopted else entry.entry_id
    assert entry.unique_id == (MAC if adopted else None)
    assert (
        er.async_get(hass).async_get(entity.entity_id).unique_id  # type: ignore[union-attr]
        == f"{key}_line_1"
    )
    assert dr.async_get(hass).async_get(device.id).identifiers == {(DOMAIN, key)}  # type: ignore[union-attr]
