"""How Home Assistant talks to a phone: a CTI client from an entry's data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import ClientSession
from homeassistant.const import CONF_HOST, CONF_SSL, CONF_VERIFY_SSL
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_create_clientsession
from homeassistant.util.hass_dict import HassKey

from .const import CONF_PASSCODE, DOMAIN, REQUEST_TIMEOUT
from .cti import GrandstreamClient, command_retry_guard

# The guarded session the config flows share (created on first use).
_FLOW_SESSION: HassKey[ClientSession] = HassKey(f"{DOMAIN}_flow_session")


def create_client(
    hass: HomeAssistant,
    data: Mapping[str, Any],
    *,
    session: ClientSession | None = None,
) -> GrandstreamClient:
    """A client for the phone described by config entry data.

    Without a session of the caller's, a shared one with the retry guard:
    a flow sends a passcode the phone has not accepted yet, which aiohttp
    must not send a second time after a dropped connection (each try counts
    towards the phone's lockout).
    """
    if session is None:
        if (session := hass.data.get(_FLOW_SESSION)) is None or session.closed:
            session = hass.data[_FLOW_SESSION] = async_create_clientsession(
                hass, trace_configs=[command_retry_guard()]
            )
    return GrandstreamClient(
        str(data[CONF_HOST]),
        str(data[CONF_PASSCODE]),
        session=session,
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
