"""How Home Assistant talks to a phone: a CTI client from an entry's data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import ClientSession
from homeassistant.const import CONF_HOST, CONF_SSL, CONF_VERIFY_SSL
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import (
    async_create_clientsession,
    async_get_clientsession,
)

from .const import CONF_PASSCODE, REQUEST_TIMEOUT
from .cti import GrandstreamClient, command_retry_guard


def create_client(
    hass: HomeAssistant,
    data: Mapping[str, Any],
    *,
    session: ClientSession | None = None,
) -> GrandstreamClient:
    """A client for the phone described by config entry data."""
    return GrandstreamClient(
        str(data[CONF_HOST]),
        str(data[CONF_PASSCODE]),
        session=session or async_get_clientsession(hass),
        use_ssl=bool(data.get(CONF_SSL, False)),
        verify_ssl=bool(data.get(CONF_VERIFY_SSL, False)),
        request_timeout=REQUEST_TIMEOUT,
    )


def create_command_client(
    hass: HomeAssistant, data: Mapping[str, Any]
) -> GrandstreamClient:
    """A client for a loaded phone, whose commands go out at most once.

    aiohttp resends a GET once when the connection breaks; for a command
    (answer, dial, keys...) the phone may already have acted on the first,
    so the session carries the client's guard against that resend. Created
    during the entry's setup, the session is Home Assistant's and closes
    with the entry.
    """
    session = async_create_clientsession(hass, trace_configs=[command_retry_guard()])
    return create_client(hass, data, session=session)
