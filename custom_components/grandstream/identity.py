"""Who a phone is: its MAC, its device, and the ids derived from them.

The MAC is the only identity that survives a change of address, so it is
the config entry's unique id and the device's identifier once known. An
entry added before its MAC was known is keyed by its entry id (never the IP
address) until the MAC is learnt (DHCP, the phone's web session, a push or
the host's neighbour table); then the entry, the device and the entities
move to the MAC (``async_adopt_mac``).
"""

from __future__ import annotations

import re
from typing import Any

from homeassistant.config_entries import SOURCE_IGNORE, ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.device_registry import CONNECTION_NETWORK_MAC, DeviceInfo

from .const import (
    CONF_FIRMWARE,
    CONF_MODEL,
    DOMAIN,
    GRANDSTREAM_OUIS,
    LOGGER,
    MANUFACTURER,
)

_NOT_HEX = re.compile(r"[^0-9a-f]")


def normalize_mac(value: str) -> str | None:
    """``00:0B:82:12:34:56``, ``00-0b-82-…`` or ``000b82123456`` → ``00:0b:82:12:34:56``."""
    digits = _NOT_HEX.sub("", value.lower())
    if len(digits) != 12 or len(value) > 17:
        return None
    return dr.format_mac(digits)


def is_grandstream_mac(mac: str) -> bool:
    """Whether a normalized MAC carries one of Grandstream's prefixes."""
    return mac[:8] in GRANDSTREAM_OUIS


def device_key(entry: ConfigEntry[Any]) -> str:
    """The phone's key in unique ids: its MAC when known, else the entry id."""
    return entry.unique_id or entry.entry_id


def entity_unique_id(entry: ConfigEntry[Any], key: str) -> str:
    """The unique id of the phone's entity ``key``."""
    return f"{device_key(entry)}_{key}"


def device_info(entry: ConfigEntry[Any], base_url: str) -> DeviceInfo:
    """Describe the phone for the device registry."""
    info = DeviceInfo(
        identifiers={(DOMAIN, device_key(entry))},
        manufacturer=MANUFACTURER,
        name=entry.title,
        configuration_url=base_url,
        model=entry.data.get(CONF_MODEL),
        sw_version=entry.data.get(CONF_FIRMWARE),
    )
    if entry.unique_id:
        info["connections"] = {(CONNECTION_NETWORK_MAC, entry.unique_id)}
    return info


@callback
def phone_device(hass: HomeAssistant, entry: ConfigEntry[Any]) -> dr.DeviceEntry | None:
    """The phone's device (an entry has exactly one).

    Looked up by config entry: lookups by identifier changed API across the
    Home Assistant versions we support.
    """
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    return devices[0] if devices else None


@callback
def async_learn_model(
    hass: HomeAssistant,
    entry: ConfigEntry[Any],
    *,
    model: str | None = None,
    firmware: str | None = None,
) -> None:
    """Keep the phone's model and firmware in the entry and on its device.

    Callers pass values already checked for shape (see action_urls).
    """
    data = dict(entry.data)
    if model:
        data[CONF_MODEL] = model
    if firmware:
        data[CONF_FIRMWARE] = firmware
    if data == entry.data:
        return
    hass.config_entries.async_update_entry(entry, data=data)
    if device := phone_device(hass, entry):
        dr.async_get(hass).async_update_device(
            device.id, model=data.get(CONF_MODEL), sw_version=data.get(CONF_FIRMWARE)
        )


@callback
def async_learn_from_boot(
    hass: HomeAssistant, entry: ConfigEntry[Any], *, model: str, firmware: str
) -> None:
    """Model and firmware from a boot push, as far as a push can be trusted.

    Pushes are unauthenticated: one never renames the phone (the model is
    taken only while none is known), and it updates the firmware only for
    the model already known (firmware upgrades are how it changes).
    """
    known = entry.data.get(CONF_MODEL)
    if known and model and model != known:
        return
    async_learn_model(hass, entry, model=None if known else model, firmware=firmware)


@callback
def mac_owner(
    hass: HomeAssistant, entry: ConfigEntry[Any], mac: str
) -> ConfigEntry[Any] | None:
    """Another (not ignored) phone entry that already has ``mac``, if any."""
    for other in hass.config_entries.async_entries(DOMAIN, include_ignore=False):
        if other.entry_id != entry.entry_id and other.unique_id == mac:
            return other
    return None


async def async_adopt_mac(
    hass: HomeAssistant, entry: ConfigEntry[Any], mac: str
) -> bool:
    """Make ``mac`` the entry's identity; False if it cannot be.

    The device moves first: it is the step that can fail (another phone's
    device), and nothing else has changed then. The caller reloads the entry
    so that its entities pick up their new ids.
    """
    if mac_owner(hass, entry, mac) is not None:
        return False
    old_key = device_key(entry)
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
                new_connections={*device.connections, (CONNECTION_NETWORK_MAC, mac)},
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


@callback
def adopt_pushed_mac(hass: HomeAssistant, entry: ConfigEntry[Any], mac: str) -> bool:
    """Learn the MAC a confirmed push carried, in the background.

    Only a Grandstream MAC; the webhook already dropped pushes with another
    phone's MAC. Returns whether an adoption started. Entities pick up their
    new ids (keyed by the MAC) when the entry reloads afterwards.
    """
    if not is_grandstream_mac(mac):
        return False

    async def adopt() -> None:
        if await async_adopt_mac(hass, entry, mac):
            hass.config_entries.async_schedule_reload(entry.entry_id)

    entry.async_create_background_task(hass, adopt(), f"{entry.title} adopt MAC")
    return True
