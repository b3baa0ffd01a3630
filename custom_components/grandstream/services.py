"""Actions: dial, send keys, answer, reject, hold and hang up.

Registered once in ``async_setup``; each call names one or more phones by
device id. Input is validated completely before anything is sent: its form
by the schema (no phone needed), the phone and account by the handler, from
what Home Assistant knows of the phone. Phones named in one call are driven
in parallel (each phone serialises its own commands in the client).
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

from . import call_control, errors
from .compat import vol
from .const import DOMAIN
from .coordinator import GrandstreamConfigEntry, GrandstreamCoordinator
from .cti import (
    MAX_KEYS,
    MAX_NUMBER_LENGTH,
    GrandstreamInvalidKeysError,
    normalize_key,
    normalize_number,
)
from .cti.keys import SEPARATOR as KEY_SEPARATOR

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
MAX_DEVICES = 32


# The validators raise the translated input error (see compat.InputError): a
# schema error in the eyes of every Home Assistant version we support. Each
# says what was wrong and what is allowed; none quotes more than 40
# characters of the input back.


def dialable_number(value: Any) -> str:
    """A number the phone can dial, separators removed."""
    text = str(value) if isinstance(value, str | int) and value is not True else ""
    if not text.strip():
        raise errors.invalid_input("no_number")
    try:
        return normalize_number(text)
    except GrandstreamInvalidKeysError:
        raise errors.invalid_input(
            "invalid_number", number=_printable(text), max=str(MAX_NUMBER_LENGTH)
        ) from None


def key_sequence(value: Any) -> tuple[str, ...]:
    """Keys as the phone names them, from ``1:2:#`` or a list."""
    keys: list[str] = []
    if isinstance(value, list):
        keys = [str(key) for key in value]
    elif isinstance(value, str | int) and value is not True and str(value).strip(" "):
        keys = str(value).split(KEY_SEPARATOR)
    if not keys:
        raise errors.invalid_input("no_keys")
    if len(keys) > MAX_KEYS:
        raise errors.invalid_input(
            "too_many_keys", count=str(len(keys)), max=str(MAX_KEYS)
        )
    normalized = []
    for key in keys:
        try:
            normalized.append(normalize_key(key))
        except GrandstreamInvalidKeysError:
            raise errors.invalid_input("invalid_key", key=_printable(key)) from None
    return tuple(normalized)


def line_number(value: Any) -> int:
    """A line as users count them (1 = the first line key)."""
    number = _whole_number(value)
    if number is None or not 1 <= number <= MAX_LINES:
        raise errors.invalid_input(
            "invalid_line_input", line=_printable(str(value)), max=str(MAX_LINES)
        )
    return number


def account_number(value: Any) -> int:
    """An account as users count them (1 = the phone's first account)."""
    number = _whole_number(value)
    if number is None or not 1 <= number <= MAX_ACCOUNTS:
        raise errors.invalid_input(
            "invalid_account_input",
            account=_printable(str(value)),
            max=str(MAX_ACCOUNTS),
        )
    return number


def phone_devices(value: Any) -> list[str]:
    """One to ``MAX_DEVICES`` device ids."""
    devices = cv.ensure_list(value)
    if (
        not devices
        or len(devices) > MAX_DEVICES
        or not all(isinstance(device, str) and device for device in devices)
    ):
        raise errors.invalid_input("invalid_devices", max=str(MAX_DEVICES))
    return [str(device) for device in devices]


def _whole_number(value: Any) -> int | None:
    """``value`` as a whole number (3, 3.0, "3"), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _printable(text: str) -> str:
    """``text`` safe to quote back: control characters shown, length bounded."""
    return text[:40].encode("unicode_escape").decode("ascii")


class ActionSchema(vol.Schema):
    """An action's schema whose every complaint is a translated input error.

    Our validators raise translated errors; the schema library wraps them
    (and reports missing or unknown fields itself) in its own error, which
    Home Assistant answers with the library's wording plus ". Got None"
    (the value looked up in the request, not in the action's data) when the
    frontend runs an action. So every schema error leaves here as ours.
    """

    def __call__(self, data: Any, *args: Any, **kwargs: Any) -> Any:
        """Validate ``data``; raise a translated input error if it does not fit."""
        # (voluptuous' __call__ is untyped, probatio's is typed.)
        validate: Callable[..., Any] = super().__call__
        try:
            return validate(data, *args, **kwargs)
        except vol.MultipleInvalid as err:
            raise _readable(err.errors[0]) from None
        except vol.Invalid as err:
            raise _readable(err) from None


def _readable(err: Exception) -> Exception:
    """The translated input error describing one schema error."""
    if isinstance(err, ServiceValidationError):
        return err  # one of ours
    path = getattr(err, "path", None) or ["data"]
    field = _printable(str(path[0]))
    if isinstance(err, vol.RequiredFieldInvalid):
        return errors.invalid_input("missing_field", field=field)
    if "extra keys" in str(err) or type(err).__name__ == "ExtraKeysInvalid":
        return errors.invalid_input("unknown_field", field=field)
    return errors.invalid_input("invalid_field", field=field)


_DEVICES = phone_devices

DIAL_SCHEMA = ActionSchema(
    {
        vol.Required(ATTR_DEVICE_ID): _DEVICES,
        vol.Required(ATTR_NUMBER): dialable_number,
        vol.Optional(ATTR_ACCOUNT): account_number,
    }
)
SEND_KEYS_SCHEMA = ActionSchema(
    {
        vol.Required(ATTR_DEVICE_ID): _DEVICES,
        vol.Required(ATTR_KEYS): key_sequence,
    }
)
DEVICE_SCHEMA = ActionSchema({vol.Required(ATTR_DEVICE_ID): _DEVICES})
LINE_SCHEMA = ActionSchema(
    {
        vol.Required(ATTR_DEVICE_ID): _DEVICES,
        vol.Optional(ATTR_LINE): line_number,
    }
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
            raise errors.invalid_input("not_a_phone", device_id=device_id[:64])
        if entry.state is not ConfigEntryState.LOADED:
            raise errors.invalid_input("phone_not_loaded", name=entry.title)
        phones[device_id] = entry.runtime_data
    return phones


async def _on_each[T](
    phones: dict[str, GrandstreamCoordinator],
    action: Callable[[GrandstreamCoordinator], Awaitable[T]],
) -> dict[str, T]:
    """Run ``action`` on every phone at once; the first failure is raised."""
    results = await asyncio.gather(*(action(c) for c in phones.values()))
    return dict(zip(phones, results, strict=True))


async def _dial(call: ServiceCall) -> ServiceResponse:
    number: str = call.data[ATTR_NUMBER]
    account: int | None = call.data.get(ATTR_ACCOUNT)
    phones = _phones(call)
    if account is not None:
        # Every phone named must have the account before any of them dials.
        for coordinator in phones.values():
            _check_account(coordinator, account)
    results = await _on_each(
        phones, lambda coordinator: call_control.dial(coordinator, number, account)
    )
    return {
        device_id: {"line": result["line"], "method": result["method"]}
        for device_id, result in results.items()
    }


def _check_account(coordinator: GrandstreamCoordinator, account: int) -> None:
    """Refuse an account the phone does not list (or has not told yet)."""
    known = sorted(a.id for a in coordinator.data.accounts)
    if not known:
        raise errors.invalid_input(
            "accounts_unknown", name=coordinator.config_entry.title
        )
    if account not in known:
        raise errors.invalid_input(
            "invalid_account",
            account=str(account),
            accounts=", ".join(str(number) for number in known),
        )


async def _send_keys(call: ServiceCall) -> None:
    keys: tuple[str, ...] = call.data[ATTR_KEYS]
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
        SERVICE_HANGUP: call_control.hangup,
        SERVICE_HOLD: call_control.hold,
    }
    for name, action in line_actions.items():
        hass.services.async_register(
            DOMAIN, name, _line_action(action), schema=LINE_SCHEMA
        )
    hass.services.async_register(
        DOMAIN, SERVICE_RESET_MISSED_CALLS, _reset_missed_calls, schema=DEVICE_SCHEMA
    )
