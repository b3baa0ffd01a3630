"""Adopt a phone's MAC address once it becomes known.

An entry added by address has no unique id, and its device and entities
are keyed by the entry id. When a push (or DHCP) reveals the MAC, the entry
gets it as unique id and the device and entity ids move to it, so the same
phone can never be added twice and survives a change of address.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import SOURCE_IGNORE
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, entity_registry as er

from .const import DOMAIN, LOGGER
from .coordinator import phone_device

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry

    from .coordinator import GrandstreamConfigEntry


@callback
def mac_owner(
    hass: HomeAssistant, entry: GrandstreamConfigEntry, mac: str
) -> ConfigEntry | None:
    """Another (not ignored) phone entry that already has ``mac``, if any."""
    for other in hass.config_entries.async_entries(DOMAIN, include_ignore=False):
        if other.entry_id != entry.entry_id and other.unique_id == mac:
            return other
    return None


async def async_adopt_mac(
    hass: HomeAssistant, entry: GrandstreamConfigEntry, mac: str
) -> bool:
    """Make ``mac`` the entry's identity; False if it cannot be.

    The device moves first: it is the step that can fail (another phone's
    device), and nothing else has changed then.
    """
    if mac_owner(hass, entry, mac) is not None:
        return False
    old_key = entry.entry_id
    registry = dr.async_get(hass)
    if device := phone_device(hass, entry):
        try:
            registry.async_update_device(device.id, new_identifiers={(DOMAIN, mac)})
        except dr.DeviceCollisionError:
            LOGGER.warning(
                "Cannot give %s the identity %s: another device has it",
                entry.title,
                mac,
            )
            return False
        try:
            registry.async_update_device(
                device.id,
                new_connections={*device.connections, (dr.CONNECTION_NETWORK_MAC, mac)},
            )
        except dr.DeviceCollisionError:
            # Another integration (a router, say) lists this MAC already;
            # our device keeps working without the connection.
            LOGGER.debug("MAC %s is already a connection of another device", mac)

    @callback
    def move(reg_entry: er.RegistryEntry) -> dict[str, Any] | None:
        if reg_entry.unique_id.startswith(f"{old_key}_"):
            return {"new_unique_id": mac + reg_entry.unique_id[len(old_key) :]}
        return None

    await er.async_migrate_entries(hass, entry.entry_id, move)
    for ignored in hass.config_entries.async_entries(DOMAIN):
        if ignored.source == SOURCE_IGNORE and ignored.unique_id == mac:
            # The user once ignored this phone's discovery; it is set up now.
            await hass.config_entries.async_remove(ignored.entry_id)
    hass.config_entries.async_update_entry(entry, unique_id=mac)
    LOGGER.info("Learnt the MAC address of %s: %s", entry.title, mac)
    return True
