"""Config entries of the simulated phone, setting them up, and what they create."""

from __future__ import annotations

import functools
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_HOST, CONF_SSL, CONF_VERIFY_SSL, CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.device_registry import DeviceEntry
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.grandstream import const
from custom_components.grandstream.action_urls import action_urls
from custom_components.grandstream.const import CONF_PASSCODE, DOMAIN
from custom_components.grandstream.cti import GrandstreamClient
from simulator import SimulatedPhone

from .phone import PASSCODE, PHONE_MAC

# The webhook id of entries the tests make themselves (new ones get a random one).
WEBHOOK_ID = "0123456789abcdef0123456789abcdef"


def entry_data(host: str, *, ssl: bool = False, **extra: Any) -> dict[str, Any]:
    """What the config flow stores for a phone at ``host``, plus ``extra``."""
    return {
        CONF_HOST: host,
        CONF_PASSCODE: PASSCODE,
        CONF_SSL: ssl,
        CONF_VERIFY_SSL: False,
        **extra,
    }


def set_up_entry_data(
    host: str, webhook_id: str, push_base_url: str, model: str, firmware: str
) -> dict[str, Any]:
    """An entry's data once Home Assistant set the phone up (as admin, all slots)."""
    return entry_data(
        host,
        **{
            CONF_WEBHOOK_ID: webhook_id,
            const.CONF_PHONE_SET_UP: True,
            const.CONF_WEB_USERNAME: "admin",
            const.CONF_PUSH_BASE_URL: push_base_url,
            const.CONF_FOREIGN_SLOTS: [],
            const.CONF_MODEL: model,
            const.CONF_FIRMWARE: firmware,
        },
    )


def phone_entry(
    phone: SimulatedPhone,
    *,
    title: str = "Front desk",
    ssl: bool = False,
    data: dict[str, Any] | None = None,
    **entry: Any,
) -> MockConfigEntry:
    """A config entry for ``phone`` (not yet added); ``entry`` goes to MockConfigEntry."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=title,
        data=entry_data(phone.address, ssl=ssl, **(data or {})),
        **entry,
    )


def push_entry(phone: SimulatedPhone) -> MockConfigEntry:
    """The entry of a phone with a known MAC and a webhook, as the flow makes it now."""
    return phone_entry(
        phone,
        unique_id=PHONE_MAC,
        version=1,
        minor_version=2,
        data={CONF_WEBHOOK_ID: WEBHOOK_ID},
    )


def store_our_action_urls(
    phone: SimulatedPhone, ha_url: str, entry: MockConfigEntry
) -> None:
    """Store the entry's Action URLs on the phone, as a phone keeps them."""
    for event, url in action_urls(ha_url, entry.data[CONF_WEBHOOK_ID]).items():
        assert phone.store_action_url(event, url)


def point_pushes_at(phone: SimulatedPhone, ha_url: str, entry: MockConfigEntry) -> None:
    """The phone pushes to the entry's webhook from now on, as if set up to."""
    phone.profile.action_urls = action_urls(ha_url, entry.data[CONF_WEBHOOK_ID])


async def setup_entry(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Add ``entry`` and set it up, whatever the outcome."""
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


async def set_up_at_key_pace(
    hass: HomeAssistant, entry: MockConfigEntry, phone: SimulatedPhone
) -> None:
    """Set up ``entry``; its client presses keys at the simulator's pace."""
    factory = functools.partial(
        GrandstreamClient, key_interval=phone.profile.key_interval
    )
    with patch("custom_components.grandstream.connection.GrandstreamClient", factory):
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED


def device_by_identifier(hass: HomeAssistant, identifier: str) -> DeviceEntry | None:
    """The grandstream device with ``identifier``, on every Home Assistant version.

    (``async_get_device`` by identifiers is deprecated in newer versions.)
    """
    registry = dr.async_get(hass)
    # Iterating the devices gives ids on older versions and entries on newer
    # ones (which deprecate using it as a mapping).
    for item in registry.devices:
        device = item if isinstance(item, DeviceEntry) else registry.async_get(item)
        if device is not None and (DOMAIN, identifier) in device.identifiers:
            return device
    return None


def assert_model_learnt(
    hass: HomeAssistant, entry: MockConfigEntry, model: str, firmware: str
) -> DeviceEntry:
    """The entry keeps the phone's model and firmware, and its device shows them."""
    assert entry.data[const.CONF_MODEL] == model
    assert entry.data[const.CONF_FIRMWARE] == firmware
    device = device_by_identifier(hass, PHONE_MAC)
    assert device is not None
    assert device.model == model
    assert device.sw_version == firmware
    return device


def device_id(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    """The device id of the phone of ``entry`` (its only device)."""
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    assert len(devices) == 1
    return devices[0].id


def assert_one_device(hass: HomeAssistant, entry: MockConfigEntry) -> DeviceEntry:
    """The entry has exactly one device (the phone), and every entity is on it."""
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    assert len(devices) == 1, devices
    entities = er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
    assert entities
    assert {e.entity_id: e.device_id for e in entities} == {
        e.entity_id: devices[0].id for e in entities
    }
    return devices[0]


def register_entities(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    entities: dict[str, str],
    *,
    device_id: str | None = None,
) -> None:
    """Register ``entity_id → key`` as the integration names them, before it runs.

    An upgrade finds an earlier version's entities registered already (their
    restored states are what the new version takes over: phone_record.old_values);
    the blueprints' tests fake a phone's entities on its device.
    """
    registry = er.async_get(hass)
    for entity_id, key in entities.items():
        domain, object_id = entity_id.split(".")
        registry.async_get_or_create(
            domain,
            DOMAIN,
            f"{entry.unique_id or entry.entry_id}_{key}",
            config_entry=entry,
            device_id=device_id,
            suggested_object_id=object_id,
        )
