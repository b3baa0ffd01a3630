"""Actions: dial, send keys, answer, reject, hold and hang up.

Registered once in ``async_setup``; each call names one or more phones by
device id. Input is validated completely before anything is sent, and phones
named in one call are driven in parallel (each phone serialises its own
commands in the client).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv, device_registry as dr

from . import call_control
from .compat import vol
from .const import DOMAIN
from .coordinator import GrandstreamConfigEntry, GrandstreamCoordinator
from .cti import MAX_KEYS, GrandstreamInvalidKeysError, normalize_number, parse_keys

ATTR_DEVICE_ID = "device_id"
ATTR_NUMBER = "number"
ATTR_ACCOUNT = "account"
ATTR_KEYS = "keys"
ATTR_LINE = "line"

SERVICE_DIAL = "dial"
SERVICE_SEND_KEYS = "send_keys"
SERVICE_ANSWER = "answer"
SERVICE_REJECT = "reject"
SERVICE_HANGUP = "hangup"
SERVICE_HOLD = "hold"
SERVICE_RESET_MISSED_CALLS = "reset_missed_calls"

MAX_LINES = 16
MAX_ACCOUNTS = 16

_DEVICES = vol.All(cv.ensure_list, [cv.string], vol.Length(min=1))
_LINE = vol.All(vol.Coerce(int), vol.Range(min=1, max=MAX_LINES))

DIAL_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): _DEVICES,
        vol.Required(ATTR_NUMBER): cv.string,
        vol.Optional(ATTR_ACCOUNT): vol.All(
            vol.Coerce(int), vol.Range(min=1, max=MAX_ACCOUNTS)
        ),
    }
)
SEND_KEYS_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): _DEVICES,
        vol.Required(ATTR_KEYS): vol.Any(cv.string, [cv.string]),
    }
)
DEVICE_SCHEMA = vol.Schema({vol.Required(ATTR_DEVICE_ID): _DEVICES})
LINE_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): _DEVICES,
        vol.Optional(ATTR_LINE): _LINE,
    }
)


def _validation_error(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders or None,
    )


def _phones(call: ServiceCall) -> dict[str, GrandstreamCoordinator]:
    """Map each named device to its phone's coordinator, or refuse the call."""
    registry = dr.async_get(call.hass)
    phones: dict[str, GrandstreamCoordinator] = {}
    for device_id in call.data[ATTR_DEVICE_ID]:
        device = registry.async_get(device_id)
        entry: GrandstreamConfigEntry | None = None
        if device is not None:
            entry = next(
                (
                    candidate
                    for entry_id in device.config_entries
                    if (candidate := call.hass.config_entries.async_get_entry(entry_id))
                    and candidate.domain == DOMAIN
                ),
                None,
            )
        if entry is None:
            raise _validation_error("not_a_phone", device_id=device_id)
        if entry.state is not ConfigEntryState.LOADED:
            raise _validation_error("phone_not_loaded", name=entry.title)
        phones[device_id] = entry.runtime_data.coordinator
    return phones


async def _on_each[T](
    phones: dict[str, GrandstreamCoordinator],
    action: Callable[[GrandstreamCoordinator], Awaitable[T]],
) -> dict[str, T]:
    """Run ``action`` on every phone at once; the first failure is raised."""
    results = await asyncio.gather(*(action(c) for c in phones.values()))
    return dict(zip(phones, results, strict=True))


async def _dial(call: ServiceCall) -> ServiceResponse:
    try:
        number = normalize_number(call.data[ATTR_NUMBER])
    except GrandstreamInvalidKeysError:
        raise _validation_error(
            "invalid_number", number=call.data[ATTR_NUMBER][:40]
        ) from None
    account: int | None = call.data.get(ATTR_ACCOUNT)
    phones = _phones(call)
    results = await _on_each(
        phones, lambda coordinator: call_control.dial(coordinator, number, account)
    )
    return {
        device_id: {"line": result["line"], "method": result["method"]}
        for device_id, result in results.items()
    }


async def _send_keys(call: ServiceCall) -> None:
    try:
        keys = parse_keys(call.data[ATTR_KEYS])
    except GrandstreamInvalidKeysError as err:
        raise _validation_error(
            "invalid_keys_input", error=str(err), max=str(MAX_KEYS)
        ) from None
    await _on_each(
        _phones(call), lambda coordinator: call_control.send_keys(coordinator, keys)
    )


async def _reset_missed_calls(call: ServiceCall) -> None:
    await _on_each(_phones(call), call_control.reset_missed_calls)


def _line_action(
    action: Callable[[GrandstreamCoordinator, int | None], Awaitable[None]],
) -> Callable[[ServiceCall], Coroutine[Any, Any, None]]:
    async def handle(call: ServiceCall) -> None:
        line: int | None = call.data.get(ATTR_LINE)
        await _on_each(_phones(call), lambda coordinator: action(coordinator, line))

    return handle


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's actions."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_DIAL,
        _dial,
        schema=DIAL_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(
        DOMAIN, SERVICE_SEND_KEYS, _send_keys, schema=SEND_KEYS_SCHEMA
    )
    line_actions: dict[str, Callable[[GrandstreamCoordinator, int | None], Any]] = {
        SERVICE_ANSWER: call_control.answer,
        SERVICE_REJECT: call_control.reject,
        SERVICE_HANGUP: call_control.hang_up,
        SERVICE_HOLD: call_control.toggle_hold,
    }
    for name, action in line_actions.items():
        hass.services.async_register(
            DOMAIN, name, _line_action(action), schema=LINE_SCHEMA
        )
    hass.services.async_register(
        DOMAIN, SERVICE_RESET_MISSED_CALLS, _reset_missed_calls, schema=DEVICE_SCHEMA
    )
