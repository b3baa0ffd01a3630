"""The Grandstream IP Phone integration."""

from __future__ import annotations

from homeassistant.components import webhook
from homeassistant.const import (
    CONF_HOST,
    CONF_SSL,
    CONF_VERIFY_SSL,
    CONF_WEBHOOK_ID,
    Platform,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv, issue_registry as ir
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.typing import ConfigType
from homeassistant.helpers.update_coordinator import UpdateFailed

from .call_tracker import CallEvent, CallTracker, PushHealth
from .const import (
    CONF_PASSCODE,
    CONF_PUSH_SEEN,
    DOMAIN,
    EVENT_CALL,
    FAST_POLL_INTERVAL,
    REQUEST_TIMEOUT,
    SLOW_POLL_INTERVAL,
)
from .coordinator import (
    GrandstreamConfigEntry,
    GrandstreamCoordinator,
    GrandstreamRuntimeData,
    phone_device,
)
from .cti import GrandstreamClient
from .push import ISSUE_PUSH_NOT_SEEN, PushReceiver, async_update_push_issue
from .services import async_setup_services

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.EVENT,
    Platform.SENSOR,
]

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the integration's actions once, whatever entries exist."""
    async_setup_services(hass)
    return True


def create_client(hass: HomeAssistant, data: dict[str, object]) -> GrandstreamClient:
    """Build a client for the phone described by config entry data."""
    return GrandstreamClient(
        str(data[CONF_HOST]),
        str(data[CONF_PASSCODE]),
        session=async_get_clientsession(hass),
        use_ssl=bool(data.get(CONF_SSL, False)),
        verify_ssl=bool(data.get(CONF_VERIFY_SSL, False)),
        request_timeout=REQUEST_TIMEOUT,
    )


async def async_setup_entry(hass: HomeAssistant, entry: GrandstreamConfigEntry) -> bool:
    """Connect to the phone, open its webhook and set up its entities."""
    if CONF_WEBHOOK_ID not in entry.data:
        hass.config_entries.async_update_entry(
            entry, data={**entry.data, CONF_WEBHOOK_ID: webhook.async_generate_id()}
        )
    client = create_client(hass, dict(entry.data))
    coordinator = GrandstreamCoordinator(hass, entry, client)
    try:
        await coordinator.async_config_entry_first_refresh()
    except ConfigEntryNotReady as err:
        # Older Home Assistant drops the translation of the update failure.
        cause = err.__cause__
        if isinstance(cause, UpdateFailed) and cause.translation_key:
            raise ConfigEntryNotReady(
                translation_domain=DOMAIN,
                translation_key=cause.translation_key,
                translation_placeholders=cause.translation_placeholders,
            ) from cause
        raise
    tracker = CallTracker()
    if entry.data.get(CONF_PUSH_SEEN):
        # Push worked before this restart; it still has to prove itself.
        tracker.push_health = PushHealth.NOT_VERIFIED
    push = PushReceiver(hass, entry, coordinator, tracker)
    entry.runtime_data = GrandstreamRuntimeData(
        client=client, coordinator=coordinator, tracker=tracker, push=push
    )
    _connect_tracker(hass, entry)
    push.async_register()
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


@callback
def _connect_tracker(hass: HomeAssistant, entry: GrandstreamConfigEntry) -> None:
    """Feed polls to the call tracker and let push health steer polling."""
    runtime = entry.runtime_data
    coordinator, tracker = runtime.coordinator, runtime.tracker
    was_available = True

    @callback
    def on_poll() -> None:
        nonlocal was_available
        if coordinator.last_update_success:
            if not was_available:
                # Back after being unreachable: most likely a reboot, after
                # which the phone's pushes must prove themselves again.
                tracker.phone_restarted()
            tracker.handle_lines(coordinator.data.lines)
        was_available = coordinator.last_update_success

    @callback
    def on_health(health: PushHealth) -> None:
        verified = health is PushHealth.VERIFIED
        coordinator.set_poll_interval(
            SLOW_POLL_INTERVAL if verified else FAST_POLL_INTERVAL
        )
        if health is not PushHealth.NEVER_SEEN and not entry.data.get(CONF_PUSH_SEEN):
            hass.config_entries.async_update_entry(
                entry, data={**entry.data, CONF_PUSH_SEEN: True}
            )
        async_update_push_issue(hass, entry, health is not PushHealth.NEVER_SEEN)
        coordinator.async_update_listeners()

    @callback
    def on_call(event: CallEvent) -> None:
        device = phone_device(hass, entry)
        hass.bus.async_fire(
            EVENT_CALL,
            {
                "device_id": device.id if device else None,
                "type": event.type.value,
                **event.as_dict(),
            },
        )

    tracker.handle_lines(coordinator.data.lines)
    entry.async_on_unload(coordinator.async_add_listener(on_poll))
    entry.async_on_unload(tracker.add_health_listener(on_health))
    entry.async_on_unload(tracker.add_listener(on_call))
    async_update_push_issue(
        hass, entry, tracker.push_health is not PushHealth.NEVER_SEEN
    )


async def async_unload_entry(
    hass: HomeAssistant, entry: GrandstreamConfigEntry
) -> bool:
    """Unload the phone's entities; the webhook closes with the entry."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(
    hass: HomeAssistant, entry: GrandstreamConfigEntry
) -> None:
    """Remove the repair that belongs to a removed phone."""
    ir.async_delete_issue(hass, DOMAIN, f"{ISSUE_PUSH_NOT_SEEN}_{entry.entry_id}")
