"""Adopt a phone's MAC address once it becomes known.

An entry added by address has no unique id, and its device and entities
are keyed by the entry id. When a push (or DHCP) reveals the MAC, the entry
gets it as unique id and the device and entity ids move to it, so the same
phone can never be added twice and survives a change of address.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, entity_registry as er

from .const import DOMAIN, LOGGER
from .entity import phone_device

if TYPE_CHECKING:
    from .coordinator import GrandstreamConfigEntry


async def async_adopt_mac(
    hass: HomeAssistant, entry: GrandstreamConfigEntry, mac: str
) -> bool:
    """Make ``mac`` the entry's identity; False if another entry has it."""
    if any(
        other.unique_id == mac
        for other in hass.config_entries.async_entries(DOMAIN)
        if other.entry_id != entry.entry_id
    ):
        LOGGER.warning(
            "%s reports MAC %s, which belongs to another configured phone; "
            "remove one of the two entries",
            entry.title,
            mac,
        )
        return False
    old_key = entry.entry_id

    @callback
    def move(reg_entry: er.RegistryEntry) -> dict[str, Any] | None:
        if reg_entry.unique_id.startswith(f"{old_key}_"):
            return {"new_unique_id": mac + reg_entry.unique_id[len(old_key) :]}
        return None

    await er.async_migrate_entries(hass, entry.entry_id, move)
    registry = dr.async_get(hass)
    if device := phone_device(hass, entry):
        registry.async_update_device(
            device.id,
            new_identifiers={(DOMAIN, mac)},
            new_connections={*device.connections, (dr.CONNECTION_NETWORK_MAC, mac)},
        )
    hass.config_entries.async_update_entry(entry, unique_id=mac)
    LOGGER.info("Learnt the MAC address of %s: %s", entry.title, mac)
    return True
