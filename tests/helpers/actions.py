"""What the integration's actions raise, as a test sees it on every Home Assistant."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant, ServiceResponse
from homeassistant.exceptions import ServiceValidationError

from custom_components.grandstream.compat import vol
from custom_components.grandstream.const import DOMAIN


def input_error(err: BaseException) -> ServiceValidationError:
    """The translated input error an action raised, unwrapped where needed.

    On Home Assistant before 2026.10 our input error is also a schema error;
    raised inside a schema, voluptuous wraps it in ``MultipleInvalid``.
    """
    if isinstance(err, vol.MultipleInvalid):
        assert len(err.errors) == 1, err.errors
        err = err.errors[0]
    assert isinstance(err, ServiceValidationError), repr(err)
    return err


async def act(
    hass: HomeAssistant, action: str, devices: str | list[str], **data: Any
) -> ServiceResponse:
    """Run one of the integration's actions and wait for it (dial: its response)."""
    return await hass.services.async_call(
        DOMAIN,
        action,
        {"device_id": devices, **data},
        blocking=True,
        return_response=action == "dial",
    )
