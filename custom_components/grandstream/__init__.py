"""The Grandstream IP Phone integration."""

from __future__ import annotations

from typing import Any

from homeassistant.const import CONF_WEBHOOK_ID, Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv, entity_registry as er
from homeassistant.helpers.typing import ConfigType

from . import errors, texts
from .action_urls import new_webhook_id
from .call_back import async_remove_call_backs
from .call_back_text import async_load_texts
from .capture_keeper import capture_keeper, forget_captures
from .connection import create_command_client
from .const import DOMAIN, LOGGER
from .coordinator import GrandstreamConfigEntry, GrandstreamCoordinator
from .phone_record import async_remove_record
from .phone_setup import async_forget_phone
from .push import PushWebhook
from .repairs import (
    async_delete_issues,
    async_follow_phone,
    async_follow_url_and_update_issues,
)
from .replaced_entities import (
    async_follow_replaced_dnd_sensor,
    async_replace_dnd_sensor,
)
from .services import async_setup_services

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.EVENT,
    Platform.SENSOR,
    Platform.SWITCH,
    Platform.TODO,
]

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the integration's actions once, whatever entries exist.

    The texts Home Assistant composes itself (logbook, repairs) are loaded
    here, for its language, and again when the language changes.
    """
    async_setup_services(hass)
    await async_load_texts(hass)
    await texts.async_load(hass)
    texts.async_follow_language(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: GrandstreamConfigEntry) -> bool:
    """Connect to the phone, open its webhook and set up its entities."""
    if CONF_WEBHOOK_ID not in entry.data:
        hass.config_entries.async_update_entry(
            entry, data={**entry.data, CONF_WEBHOOK_ID: new_webhook_id()}
        )
    coordinator = GrandstreamCoordinator(
        hass, entry, create_command_client(hass, entry.data)
    )
    try:
        await coordinator.async_config_entry_first_refresh()
    except ConfigEntryNotReady as err:
        raise errors.not_ready(err) from err.__cause__
    entry.runtime_data = coordinator
    captures = capture_keeper(hass, str(entry.data[CONF_WEBHOOK_ID]))
    PushWebhook(hass, entry, captures).async_register()
    async_follow_phone(hass, entry)
    async_follow_replaced_dnd_sensor(hass, entry)
    entry.async_create_background_task(
        hass, async_follow_url_and_update_issues(hass, entry), f"{DOMAIN} follow URL"
    )
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(
    hass: HomeAssistant, entry: GrandstreamConfigEntry
) -> bool:
    """Unload the phone's entities; the webhook and timers close with the entry."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(
    hass: HomeAssistant, entry: GrandstreamConfigEntry
) -> None:
    """Clear the phone's Action URLs (best effort), its repairs and its list."""
    async_delete_issues(hass, entry.entry_id)
    await async_remove_call_backs(hass, entry.entry_id)
    await async_remove_record(hass, entry.entry_id)
    await async_forget_phone(hass, entry)
    forget_captures(hass, entry.data.get(CONF_WEBHOOK_ID))


async def async_migrate_entry(
    hass: HomeAssistant, entry: GrandstreamConfigEntry
) -> bool:
    """Bring entries of earlier versions up to date."""
    if entry.version > 1:
        return False  # a newer version's entry: leave it alone
    if entry.minor_version < 2:
        # 1.2: the hang-up button is keyed "hangup", like its action.
        @callback
        def rename(reg_entry: er.RegistryEntry) -> dict[str, Any] | None:
            if reg_entry.unique_id.endswith("_hang_up"):
                return {
                    "new_unique_id": reg_entry.unique_id[: -len("hang_up")] + "hangup"
                }
            return None

        await er.async_migrate_entries(hass, entry.entry_id, rename)
        hass.config_entries.async_update_entry(entry, minor_version=2)
        LOGGER.debug("Migrated %s to version 1.2", entry.title)
    if entry.minor_version < 3:
        # 1.3: Do Not Disturb is a switch, no longer a binary sensor.
        async_replace_dnd_sensor(hass, entry)
        hass.config_entries.async_update_entry(entry, minor_version=3)
        LOGGER.debug("Migrated %s to version 1.3", entry.title)
    return True
