"""The config flow, through Home Assistant's flow manager, against the simulator.

Five refused passcodes lock a real phone, so every submit is checked to send
the passcode in exactly one request, and nothing is ever sent on the flow's
own. Every error is followed by a successful retry in the same flow. How to
reach the phone (HTTPS first) is found out without the passcode; the requests
leaving Home Assistant are recorded to prove it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from functools import partial
import re
from types import SimpleNamespace
from typing import Any
from unittest.mock import AsyncMock, patch

import aiohttp
from homeassistant.config_entries import (
    SOURCE_DHCP,
    SOURCE_IGNORE,
    SOURCE_REAUTH,
    SOURCE_USER,
)
from homeassistant.const import CONF_HOST, CONF_SSL, CONF_VERIFY_SSL, CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.service_info.dhcp import DhcpServiceInfo
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.grandstream import async_setup_entry as real_setup_entry
from custom_components.grandstream.action_urls import EVENTS, action_urls
from custom_components.grandstream.compat import vol
from custom_components.grandstream.const import (
    CONF_CONNECTION,
    CONF_FIRMWARE,
    CONF_FOREIGN_SLOTS,
    CONF_MODEL,
    CONF_PASSCODE,
    CONF_PHONE_SET_UP,
    CONF_PUSH_BASE_URL,
    CONF_WEB_USERNAME,
    DOMAIN,
)
from custom_components.grandstream.cti import (
    GrandstreamClient,
    GrandstreamRejectedError,
    detect_scheme,
)
from simulator import Fault, SimulatedPhone

from ..helpers.entries import set_up_entry_data
from ..helpers.flows import (
    STRINGS,
    assert_aborted,
    assert_set_up_beside,
    error_text,
    shown_text,
    user_input,
)
from ..helpers.phone import PASSCODE, PHONE_MAC, fast_profile
from ..helpers.ports import free_port

FLOW = "custom_components.grandstream.config_flow"
MAC_LOOKUP = f"{FLOW}.async_mac_from_neighbours"
MAC = PHONE_MAC  # the simulated phone's MAC, as its web login tells it
OTHER_MAC = "00:0b:82:aa:bb:cc"
WRONG = "Wr0ng-guess!42"
NEW_PASSCODE = "N3w-passcode"
SET_UP_PHONE = "set_up_phone"
SKIP_SETUP = {SET_UP_PHONE: False}
SET_UP_AS_ADMIN = {SET_UP_PHONE: True, CONF_WEB_USERNAME: "admin"}

pytestmark = pytest.mark.usefixtures(
    "mock_setup_entry", "flow_results_checked", "secrets_never_logged"
)


@pytest.fixture
def secrets() -> list[str]:
    """No passcode the flow handled reaches a log line (see secrets_never_logged)."""
    return [PASSCODE, WRONG, NEW_PASSCODE]


@pytest.fixture
def mock_setup_entry() -> Iterator[AsyncMock]:
    """Set up created or reloaded entries without talking to the phone."""
    with patch(
        "custom_components.grandstream.async_setup_entry", return_value=True
    ) as mock:
        yield mock


@pytest.fixture
def closed_port() -> int:
    """A local TCP port nobody listens on."""
    return free_port()


@pytest.fixture
def default_ports(phone: SimulatedPhone, closed_port: int) -> Iterator[None]:
    """Let 127.0.0.1's "default" HTTP and HTTPS ports be the phone's.

    Without a typed port the flow probes 443 and 80, where no simulator can
    listen; here it probes the phone's ports instead, and a closed port for
    the scheme the phone does not serve.
    """
    http_port = closed_port if phone.profile.https else phone.port
    https_port = phone.https_port or closed_port
    with patch(
        f"{FLOW}.detect_scheme",
        partial(detect_scheme, http_port=http_port, https_port=https_port),
    ):
        yield


@dataclass(frozen=True)
class Sent:
    """A request as it left Home Assistant; the passcode only as a flag."""

    url: str  # scheme://host:port/path, without the query
    with_passcode: bool


@pytest.fixture
async def wire(socket_enabled: None) -> AsyncIterator[list[Sent]]:
    """Record every request the flow sends: scheme probes and CTI requests.

    The simulator logs only CTI requests, not the probe (``GET /``), so the
    order and content of both are taken from the client side.
    """
    sent: list[Sent] = []

    async def on_request_start(
        session: aiohttp.ClientSession,
        context: SimpleNamespace,
        params: aiohttp.TraceRequestStartParams,
    ) -> None:
        url = params.url
        texts = [*url.query.values(), url.path, *params.headers.values()]
        sent.append(
            Sent(
                str(url.with_query(None)),
                "passcode" in url.query or any(PASSCODE in text for text in texts),
            )
        )

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(on_request_start)
    async with aiohttp.ClientSession(trace_configs=[trace]) as session:
        with (
            patch(f"{FLOW}.async_get_clientsession", return_value=session),
            patch(
                "custom_components.grandstream.connection.async_create_clientsession",
                return_value=session,
            ),
        ):
            yield sent


def reconfigure_input(
    host: str, connection: str = "http", **extra: Any
) -> dict[str, Any]:
    """What a user submits in the reconfigure step."""
    return {
        CONF_HOST: host,
        CONF_CONNECTION: connection,
        CONF_VERIFY_SSL: False,
        **extra,
    }


def dhcp_info(ip: str = "127.0.0.1", mac: str = "000b82123456") -> DhcpServiceInfo:
    """What Home Assistant's DHCP watcher reports for a Grandstream phone."""
    return DhcpServiceInfo(ip=ip, hostname="gxp2170", macaddress=mac)


async def start_dhcp_flow(hass: HomeAssistant, ip: str = "127.0.0.1") -> Any:
    """Home Assistant's DHCP watcher reports the phone at ``ip``: the first result."""
    return await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=dhcp_info(ip)
    )


def form_fields(result: Any) -> dict[str, Any]:
    """The fields of a form and the values it suggests."""
    schema = result["data_schema"]
    assert schema is not None
    return {
        str(key): (key.description or {}).get("suggested_value")
        for key in schema.schema
    }


def form_defaults(result: Any) -> dict[str, Any]:
    """The fields of a form and their defaults (None: no default)."""
    return {
        str(key): None if key.default is vol.UNDEFINED else key.default()
        for key in result["data_schema"].schema
    }


def sent_passcodes(phone: SimulatedPhone) -> list[str | None]:
    """Which passcode each CTI request since the last call carried; then forget.

    Named, not spelled out, so that a failing assertion prints no passcode.
    """
    names = {PASSCODE: "right", WRONG: "wrong", NEW_PASSCODE: "new"}
    sent = [
        names.get(passcode, "other") if (passcode := r.params.get("passcode")) else None
        for r in phone.requests
    ]
    phone.clear_logs()
    return sent


def add_entry(
    hass: HomeAssistant, host: str, unique_id: str | None = None, **data: Any
) -> MockConfigEntry:
    """A configured phone at ``host`` (HTTP unless ``ssl=True``)."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=f"Grandstream {host}",
        unique_id=unique_id,
        data={
            CONF_HOST: host,
            CONF_PASSCODE: PASSCODE,
            CONF_SSL: False,
            CONF_VERIFY_SSL: False,
            **data,
        },
    )
    entry.add_to_hass(hass)
    return entry


async def start_user_flow(hass: HomeAssistant) -> str:
    """Open the user step and return the flow id."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {}
    assert form_defaults(result)[CONF_CONNECTION] == "auto"
    return str(result["flow_id"])


async def user_step(
    hass: HomeAssistant, *typed: Any, **options: Any
) -> tuple[str, Any]:
    """Open the user step and submit ``user_input(*typed, **options)``.

    Returns the flow id and the result.
    """
    flow_id = await start_user_flow(hass)
    return flow_id, await configure(hass, flow_id, user_input(*typed, **options))


async def configure(hass: HomeAssistant, flow_id: str, data: dict[str, Any]) -> Any:
    """Submit ``data`` to the flow's current step."""
    return await hass.config_entries.flow.async_configure(flow_id, data)


async def configure_beside_the_phone(
    hass: HomeAssistant, flow_id: str, data: dict[str, Any]
) -> Any:
    """Submit ``data`` where the phone is a neighbour: its MAC is found."""
    with patch(MAC_LOOKUP, return_value=MAC):
        return await configure(hass, flow_id, data)


def assert_setup_offered(result: Any, host: str, connection: str) -> None:
    """The passcode was accepted: the phone_setup step, ticked, as admin."""
    assert result["type"] is FlowResultType.FORM, result.get("errors")
    assert result["step_id"] == "phone_setup"
    assert result["errors"] == {}
    assert result["description_placeholders"] == {
        "host": host,
        "connection": connection,
    }
    assert form_defaults(result) == {SET_UP_PHONE: True, CONF_WEB_USERNAME: "admin"}


async def submit_right_passcode(
    hass: HomeAssistant, flow_id: str, phone: SimulatedPhone
) -> Any:
    """Submit the phone's address and right passcode: one request, setup offered."""
    result = await configure(hass, flow_id, user_input(phone.address))
    assert_setup_offered(result, phone.address, "HTTP")
    assert sent_passcodes(phone) == ["right"]
    return result


async def skip_offered_setup(
    hass: HomeAssistant, result: Any, phone: SimulatedPhone, host: str, connection: str
) -> Any:
    """The right passcode, in one request, was accepted at ``host``: skip the setup.

    Returns the result with the created entry.
    """
    assert_setup_offered(result, host, connection)
    assert sent_passcodes(phone) == ["right"]
    return await skip_setup(hass, result)


async def skip_setup(hass: HomeAssistant, result: Any) -> Any:
    """Untick the phone setup on the phone_setup step: the entry is created."""
    assert result["type"] is FlowResultType.FORM, result.get("errors")
    assert result["step_id"] == "phone_setup"
    result = await configure(hass, result["flow_id"], SKIP_SETUP)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["description"] == "set_up_skipped"
    return result


def assert_webhook_id(data: dict[str, Any]) -> str:
    """New entries carry a 32 hex character webhook id."""
    webhook_id = data[CONF_WEBHOOK_ID]
    assert re.fullmatch(r"[0-9a-f]{32}", webhook_id)
    return str(webhook_id)


# -- the user step: HTTPS first, without the passcode ----------------------------


@pytest.mark.usefixtures("default_ports")
async def test_user_flow_auto_http_only(
    hass: HomeAssistant,
    *,
    phone: SimulatedPhone,
    closed_port: int,
    wire: list[Sent],
    mock_setup_entry: AsyncMock,
) -> None:
    """HTTPS does not answer: HTTP is used; one request carries the passcode."""
    _, result = await user_step(hass, "127.0.0.1")

    host = f"127.0.0.1:{phone.port}"
    assert wire == [
        Sent(f"https://127.0.0.1:{closed_port}/", with_passcode=False),
        Sent(f"http://{host}/", with_passcode=False),
        Sent(f"http://{host}/cgi-bin/api-get_phone_status", with_passcode=True),
    ]
    result = await skip_offered_setup(hass, result, phone, host, "HTTP")

    assert result["title"] == f"Grandstream {host}"
    assert result["data"] == {
        CONF_HOST: host,
        CONF_PASSCODE: PASSCODE,
        CONF_SSL: False,
        CONF_VERIFY_SSL: False,
        CONF_WEBHOOK_ID: assert_webhook_id(result["data"]),
    }
    # 127.0.0.1 has no neighbour entry, and an IP address is never an identity.
    assert result["result"].unique_id is None
    assert phone.requests == []
    await hass.async_block_till_done()
    assert len(mock_setup_entry.mock_calls) == 1


@pytest.mark.usefixtures("default_ports")
@pytest.mark.parametrize("profile", [fast_profile(extra_https_port=True)])
async def test_user_flow_auto_prefers_https(
    hass: HomeAssistant, phone: SimulatedPhone, wire: list[Sent]
) -> None:
    """A phone serving both: HTTPS, probed without the passcode, then one request."""
    _, result = await user_step(hass, "127.0.0.1")

    host = f"127.0.0.1:{phone.https_port}"
    assert wire == [
        Sent(f"https://{host}/", with_passcode=False),
        Sent(f"https://{host}/cgi-bin/api-get_phone_status", with_passcode=True),
    ]
    result = await skip_offered_setup(hass, result, phone, host, "HTTPS")

    assert result["data"][CONF_HOST] == host
    assert result["data"][CONF_SSL] is True
    assert result["data"][CONF_VERIFY_SSL] is False


@pytest.mark.usefixtures("default_ports")
@pytest.mark.parametrize("profile", [fast_profile(https=True)])
async def test_user_flow_auto_https_only(
    hass: HomeAssistant, phone: SimulatedPhone, wire: list[Sent]
) -> None:
    """A phone serving only HTTPS: HTTP is never tried."""
    _, result = await user_step(hass, "127.0.0.1")

    assert [sent.url for sent in wire] == [
        f"https://{phone.address}/",
        f"https://{phone.address}/cgi-bin/api-get_phone_status",
    ]
    result = await skip_offered_setup(hass, result, phone, phone.address, "HTTPS")
    assert result["data"][CONF_SSL] is True


async def test_user_flow_pasted_url(
    hass: HomeAssistant, phone: SimulatedPhone, wire: list[Sent]
) -> None:
    """A pasted URL with a port: both schemes are tried on that port."""
    _, result = await user_step(hass, f" http://{phone.address}/ ")

    assert [sent.url for sent in wire] == [
        f"https://{phone.address}/",
        f"http://{phone.address}/",
        f"{phone.base_url}/cgi-bin/api-get_phone_status",
    ]
    result = await skip_offered_setup(hass, result, phone, phone.address, "HTTP")
    assert result["data"][CONF_HOST] == phone.address
    assert result["data"][CONF_SSL] is False


@pytest.mark.parametrize("profile", [fast_profile(extra_https_port=True)])
@pytest.mark.parametrize(("connection", "use_ssl"), [("http", False), ("https", True)])
async def test_user_flow_forced_scheme(
    hass: HomeAssistant,
    phone: SimulatedPhone,
    wire: list[Sent],
    connection: str,
    use_ssl: bool,
) -> None:
    """The user forces a scheme: nothing is probed, the phone offering both."""
    host = f"127.0.0.1:{phone.https_port if use_ssl else phone.port}"
    _, result = await user_step(hass, host, connection=connection)

    assert wire == [
        Sent(f"{connection}://{host}/cgi-bin/api-get_phone_status", with_passcode=True)
    ]
    result = await skip_offered_setup(hass, result, phone, host, connection.upper())
    assert result["data"][CONF_HOST] == host
    assert result["data"][CONF_SSL] is use_ssl


async def test_user_flow_forced_https_on_an_http_phone(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """Forcing HTTPS where the phone speaks HTTP fails; forcing HTTP then works."""
    flow_id, result = await user_step(hass, phone.address, connection="https")

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_connect"}
    assert phone.requests == []  # the TLS handshake failed: nothing reached the CTI

    result = await configure(
        hass, flow_id, user_input(phone.address, connection="http")
    )

    result = await skip_offered_setup(hass, result, phone, phone.address, "HTTP")
    assert result["data"][CONF_SSL] is False


async def test_user_flow_form_keeps_input_but_not_passcode(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """After an error the form is refilled, except for the passcode."""
    _, result = await user_step(hass, phone.address, WRONG, connection="http")

    assert form_fields(result) == {
        CONF_HOST: phone.address,
        CONF_PASSCODE: None,
        CONF_CONNECTION: "http",
        CONF_VERIFY_SSL: False,
    }


async def test_user_flow_cannot_connect(
    hass: HomeAssistant, phone: SimulatedPhone, closed_port: int, wire: list[Sent]
) -> None:
    """Nothing listens at the address; the user corrects the port."""
    flow_id, result = await user_step(hass, f"127.0.0.1:{closed_port}")

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_connect"}
    assert not any(sent.with_passcode for sent in wire)

    await submit_right_passcode(hass, flow_id, phone)


@pytest.mark.parametrize("connection", ["auto", "http"])
async def test_user_flow_phone_stopped(
    hass: HomeAssistant, phone: SimulatedPhone, connection: str
) -> None:
    """The phone is off; once it is back, the same flow succeeds."""
    port = phone.port
    await phone.stop()
    flow_id, result = await user_step(hass, phone.address, connection=connection)

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_connect"}

    await phone.start(port=port)
    result = await configure(
        hass, flow_id, user_input(phone.address, connection=connection)
    )

    assert_setup_offered(result, phone.address, "HTTP")
    assert sent_passcodes(phone) == ["right"]


@pytest.mark.parametrize("kind", ["html", "non_json", "http500"])
async def test_user_flow_invalid_response(
    hass: HomeAssistant, phone: SimulatedPhone, kind: Any
) -> None:
    """Something answers, but not like a desk phone's CTI interface."""
    phone.set_fault(Fault(kind=kind, count=1))
    flow_id, result = await user_step(hass, phone.address)

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_response"}
    assert sent_passcodes(phone) == ["right"]

    await submit_right_passcode(hass, flow_id, phone)


async def test_user_flow_unexpected_refusal(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """A refusal a status read cannot cause is not shown as a command error."""
    flow_id = await start_user_flow(hass)

    with patch.object(
        GrandstreamClient,
        "phone_status",
        side_effect=GrandstreamRejectedError("The phone answered 'error'"),
    ):
        result = await configure(hass, flow_id, user_input(phone.address))

    assert result["errors"] == {"base": "invalid_response"}

    result = await configure(hass, flow_id, user_input(phone.address))

    assert_setup_offered(result, phone.address, "HTTP")


async def test_user_flow_unknown_error(
    hass: HomeAssistant, phone: SimulatedPhone, caplog: pytest.LogCaptureFixture
) -> None:
    """A bug in the client is logged and shown as unknown, not raised."""
    flow_id = await start_user_flow(hass)

    with patch.object(
        GrandstreamClient, "phone_status", side_effect=RuntimeError("boom")
    ):
        result = await configure(hass, flow_id, user_input(phone.address))

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "unknown"}
    assert "Unexpected error while checking the phone" in caplog.text

    await submit_right_passcode(hass, flow_id, phone)


async def test_a_dropped_check_sends_the_passcode_once(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """The phone resets the connection on the check: the passcode went out once.

    aiohttp resends a read after such a reset on its own; a passcode the
    phone has not accepted may be a wrong one, so the flow's client goes
    through a session that stops that resend.
    """
    flow_id = await start_user_flow(hass)
    phone.set_fault(Fault("reset", count=1))

    result = await configure(
        hass, flow_id, user_input(phone.address, connection="http")
    )

    assert result["errors"] == {"base": "cannot_connect"}
    assert sent_passcodes(phone) == ["right"]

    result = await configure(
        hass, flow_id, user_input(phone.address, connection="http")
    )

    assert_setup_offered(result, phone.address, "HTTP")


async def test_user_flow_unknown_error_finding_the_scheme(
    hass: HomeAssistant, phone: SimulatedPhone, caplog: pytest.LogCaptureFixture
) -> None:
    """A bug while finding HTTPS or HTTP is logged and shown as unknown, not raised."""
    flow_id = await start_user_flow(hass)

    with patch(
        "custom_components.grandstream.config_flow.detect_scheme",
        side_effect=TypeError("a resolver bug"),
    ):
        result = await configure(hass, flow_id, user_input(phone.address))

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "unknown"}
    assert "Unexpected error while finding out how to reach" in caplog.text
    assert sent_passcodes(phone) == []

    result = await configure(hass, flow_id, user_input(phone.address))

    assert_setup_offered(result, phone.address, "HTTP")


@pytest.mark.parametrize("connection", ["auto", "https", "http"])
@pytest.mark.parametrize("host", ["", "   ", "phone lan", "phone.lan/admin", "a@b"])
async def test_user_flow_invalid_host(
    hass: HomeAssistant,
    phone: SimulatedPhone,
    wire: list[Sent],
    host: str,
    connection: str,
) -> None:
    """An unusable host is refused before anything is sent, probes included."""
    flow_id, result = await user_step(hass, host, connection=connection)

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_HOST: "invalid_host"}
    assert wire == []

    result = await configure(hass, flow_id, user_input(phone.address))

    assert_setup_offered(result, phone.address, "HTTP")


# -- the user step: duplicates -------------------------------------------------------


async def test_user_flow_duplicate_host(
    hass: HomeAssistant, phone: SimulatedPhone, wire: list[Sent]
) -> None:
    """A phone already set up by address: abort before the passcode is sent."""
    add_entry(hass, phone.address)
    _, result = await user_step(hass, f"HTTP://{phone.address}")

    assert_aborted(result, "already_configured")
    assert phone.requests == []
    assert not any(sent.with_passcode for sent in wire)


@pytest.mark.parametrize(
    ("stored", "typed", "connection"),
    [
        # The scheme's default port is not stored, so these compare equal.
        ("192.0.2.10", "192.0.2.10:80", "http"),
        ("phone.example.test", "https://phone.example.test:443/", "https"),
        ("[2001:db8::1]", "[2001:db8::1]:80", "http"),
        ("[2001:db8::1]", "2001:db8::1", "https"),
    ],
)
async def test_user_flow_duplicate_forced_host(
    hass: HomeAssistant, stored: str, typed: str, connection: str
) -> None:
    """Forced schemes store hosts as detection does (brackets, no default port)."""
    add_entry(hass, stored)
    flow_id = await start_user_flow(hass)

    with patch.object(GrandstreamClient, "phone_status") as status:
        result = await configure(
            hass, flow_id, user_input(typed, connection=connection)
        )

    assert_aborted(result, "already_configured")
    status.assert_not_called()


async def test_user_flow_learns_mac(hass: HomeAssistant, phone: SimulatedPhone) -> None:
    """A phone on the local network is identified by its MAC."""
    flow_id = await start_user_flow(hass)

    with patch(MAC_LOOKUP, return_value=MAC) as lookup:
        result = await configure(hass, flow_id, user_input(phone.address))
    result = await skip_setup(hass, result)

    assert result["result"].unique_id == MAC
    assert lookup.call_args.args[1] == phone.base_url


async def test_user_flow_duplicate_mac_moves_entry(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """The same phone at a new address: the entry follows it, and the dialog says so.

    The passcode the phone has just accepted replaces the stored one (which
    may be an old, refused one: each refusal counts towards the lockout).
    """
    entry = add_entry(
        hass, "192.0.2.10", unique_id=MAC, **{CONF_PASSCODE: "an-old-passcode"}
    )
    flow_id = await start_user_flow(hass)

    result = await configure_beside_the_phone(hass, flow_id, user_input(phone.address))

    assert_aborted(result, "address_updated")
    assert shown_text("config", result) == (
        f"This phone is already set up as {entry.title}. It answers at "
        f"{phone.address} now, so Home Assistant changed that entry's address, "
        "connection and passcode to the ones you entered; nothing else was changed."
    )
    assert entry.data[CONF_HOST] == phone.address
    assert entry.data[CONF_PASSCODE] == PASSCODE
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1


async def test_user_flow_while_discovery_in_progress(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """Adding a phone by hand wins over its pending discovery."""
    discovery = await start_dhcp_flow(hass)
    assert discovery["type"] is FlowResultType.FORM
    flow_id = await start_user_flow(hass)

    result = await configure_beside_the_phone(hass, flow_id, user_input(phone.address))
    result = await skip_setup(hass, result)

    assert result["result"].unique_id == MAC
    assert hass.config_entries.flow.async_progress() == []


async def test_user_flow_replaces_ignored_discovery(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """A phone whose discovery was ignored can still be added by hand."""
    MockConfigEntry(
        domain=DOMAIN, source=SOURCE_IGNORE, unique_id=MAC, data={}
    ).add_to_hass(hass)
    flow_id = await start_user_flow(hass)

    result = await configure_beside_the_phone(hass, flow_id, user_input(phone.address))
    result = await skip_setup(hass, result)

    assert result["result"].unique_id == MAC
    entries = hass.config_entries.async_entries(DOMAIN, include_ignore=True)
    assert [e.source for e in entries] == [SOURCE_USER]


# -- refusals: "unauthorized" is not "wrong passcode" ---------------------------------


def test_refusal_texts() -> None:
    """The texts say what each refusal means and what a submit costs."""
    for section in ("config", "options"):
        for text in error_text(section, "not_authorized"):
            # Both causes: the pop-up setting and a wrong passcode.
            assert "Pop up Window" in text
            assert "passcode is wrong" in text
            assert "Each submit is one attempt" in text
        for text in error_text(section, "wrong_password"):
            assert "{attempts_left} attempts left" in text
        for text in error_text(section, "locked_out"):
            assert "{lock_time}" in text
        for text in error_text(section, "account_not_allowed"):
            assert "user is not allow" in text
        for text in error_text(section, "request_forbidden"):
            assert "HTTP 403" in text
    for strings in STRINGS:
        # A refused request is no longer called "CTI disabled".
        assert "cti_disabled" not in strings["config"]["error"]
        assert "invalid_auth" not in strings["config"]["error"]


@pytest.mark.parametrize("profile", [fast_profile(popup_window_enabled=True)])
async def test_popup_window_then_same_passcode(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """The right passcode refused by the pop-up setting; fixed, the same one works."""
    flow_id, result = await user_step(hass, phone.address)

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {"base": "not_authorized"}
    assert sent_passcodes(phone) == ["right"]
    assert phone.failures == 0
    # Nothing is retried on the flow's own.
    await hass.async_block_till_done()
    assert phone.requests == []

    phone.profile.popup_window_enabled = False
    await submit_right_passcode(hass, flow_id, phone)


@pytest.mark.parametrize(
    "profile",
    [
        fast_profile(unauthorized_style=style)
        for style in ("body", "success", "http401", "text", "text_upper", "html")
    ],
    ids=lambda profile: profile.unauthorized_style,
)
async def test_unauthorized_in_any_shape(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """JSON, bare text, HTML or HTTP 401: the same error, one attempt each."""
    flow_id, result = await user_step(hass, phone.address, WRONG)

    assert result["errors"] == {"base": "not_authorized"}
    assert sent_passcodes(phone) == ["wrong"]
    assert phone.failures == 1

    await submit_right_passcode(hass, flow_id, phone)
    assert phone.failures == 0


@pytest.mark.parametrize("profile", [fast_profile(wrong_passcode_style="countdown")])
async def test_wrong_password_shows_attempts_left(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """The phone counts down; the same wrong passcode may be submitted again."""
    flow_id = await start_user_flow(hass)

    for attempts_left in ("4", "3"):
        result = await configure(hass, flow_id, user_input(phone.address, WRONG))

        assert result["errors"] == {"base": "wrong_password"}
        assert result["description_placeholders"]["attempts_left"] == attempts_left
        assert sent_passcodes(phone) == ["wrong"]

    await submit_right_passcode(hass, flow_id, phone)


@pytest.mark.parametrize(
    ("profile", "first_error"),
    [
        (
            fast_profile(
                lockout_threshold=1,
                lockout_duration=60,
                wrong_passcode_style="countdown",
            ),
            "locked_out",
        ),
        # Older firmware says "unauthorized", then "locked" without a lock time.
        (fast_profile(lockout_threshold=1, lockout_duration=60), "not_authorized"),
    ],
    ids=["countdown", "unauthorized"],
)
async def test_locked_out_shows_lock_time(
    hass: HomeAssistant, phone: SimulatedPhone, first_error: str
) -> None:
    """A locked phone refuses even the right passcode until it is restarted."""
    flow_id, result = await user_step(hass, phone.address, WRONG)
    assert result["errors"] == {"base": first_error}
    assert phone.locked
    phone.clear_logs()

    result = await configure(hass, flow_id, user_input(phone.address))

    assert result["errors"] == {"base": "locked_out"}
    lock_time = result["description_placeholders"]["lock_time"]
    if phone.profile.wrong_passcode_style == "countdown":
        # What the phone reported: the seconds left of its 60 s lock.
        assert lock_time.isdigit()
        assert 0 < int(lock_time) <= 60
    else:
        assert lock_time == "?"
    assert sent_passcodes(phone) == ["right"]

    # A restart ends the lock (waiting would make the test slow and timed).
    await phone.reboot()
    await phone.wait_online()
    await submit_right_passcode(hass, flow_id, phone)


@pytest.mark.parametrize(
    ("switch", "broken", "error"),
    [
        # "user is not allow": the account may not use remote access.
        ("account_not_allowed", True, "account_not_allowed"),
        # HTTP 403 before the passcode is judged.
        ("cti_enabled", False, "request_forbidden"),
    ],
)
async def test_refused_account_or_request(
    hass: HomeAssistant, phone: SimulatedPhone, switch: str, broken: bool, error: str
) -> None:
    """Refusals that are not about the passcode; fixed on the phone, it works."""
    setattr(phone.profile, switch, broken)
    flow_id, result = await user_step(hass, phone.address)

    assert result["errors"] == {"base": error}
    assert sent_passcodes(phone) == ["right"]
    assert phone.failures == 0

    setattr(phone.profile, switch, not broken)
    await submit_right_passcode(hass, flow_id, phone)


# -- zero-touch: the phone_setup step ---------------------------------------------------


@pytest.mark.parametrize(
    "profile",
    [fast_profile(model="GXP2135", firmware="1.0.11.79", click_to_dial=False)],
)
async def test_phone_setup_wires_the_phone(
    hass: HomeAssistant, phone: SimulatedPhone, ha_url: str
) -> None:
    """Ticked: one login; identity, Action URLs and Click-To-Dial; device filled."""
    flow_id, result = await user_step(hass, phone.address)
    assert_setup_offered(result, phone.address, "HTTP")
    phone.clear_logs()

    with patch("custom_components.grandstream.async_setup_entry", real_setup_entry):
        result = await configure(hass, flow_id, SET_UP_AS_ADMIN)
        await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["description"] == "set_up_complete"
    assert result["description_placeholders"]["total"] == str(len(EVENTS))
    assert result["description_placeholders"]["wired"] == str(len(EVENTS))
    entry = result["result"]
    assert entry.unique_id == MAC  # from the login answer, not the neighbours
    webhook_id = assert_webhook_id(entry.data)
    assert entry.data == set_up_entry_data(
        phone.address, webhook_id, ha_url, "GXP2135", "1.0.11.79"
    )
    assert phone.profile.action_urls == action_urls(ha_url, webhook_id)
    assert phone.profile.click_to_dial is True
    assert len(phone.web.calls("dologin")) == 1
    assert len(phone.web.calls("dologout")) == 1
    assert phone.web.sessions == []
    # The device shows model and firmware from the first setup on.
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    assert [(d.model, d.sw_version) for d in devices] == [("GXP2135", "1.0.11.79")]


async def test_phone_setup_skipped(hass: HomeAssistant, phone: SimulatedPhone) -> None:
    """Unticked: the entry is created and the phone's web interface left alone."""
    _, result = await user_step(hass, phone.address)

    result = await skip_setup(hass, result)

    assert phone.web.requests == []
    assert phone.profile.action_urls == {}
    assert CONF_PHONE_SET_UP not in result["data"]


@pytest.mark.usefixtures("ha_url")
async def test_phone_setup_duplicate_from_login(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """The login tells the MAC of a phone set up already: nothing is written."""
    entry = add_entry(hass, "192.0.2.10", unique_id=MAC)
    phone.profile.click_to_dial = False
    flow_id, result = await user_step(hass, phone.address)
    assert_setup_offered(result, phone.address, "HTTP")

    result = await configure(hass, flow_id, SET_UP_AS_ADMIN)

    assert_aborted(result, "address_updated")
    assert result["description_placeholders"] == {
        "name": entry.title,
        "host": phone.address,
    }
    assert phone.profile.action_urls == {}
    assert phone.profile.click_to_dial is False
    assert [r.function for r in phone.web.requests if r.method == "PUT"] == []
    assert len(phone.web.calls("dologin")) == 1
    assert phone.web.sessions == []  # logged out all the same
    # The known phone moved to this address.
    assert entry.data[CONF_HOST] == phone.address
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1


@pytest.mark.usefixtures("ha_url")
@pytest.mark.parametrize(
    ("profile", "first", "error", "attempts_left", "fixed"),
    [
        # The "user" account's password is not the one the phone accepted.
        (fast_profile(), "user", "wrong_password", ("4", "3"), "admin"),
        # The admin account's web access is switched off.
        (
            fast_profile(web_denied_users=["admin"]),
            "admin",
            "account_not_allowed",
            None,
            "admin",
        ),
    ],
    ids=["wrong_password", "account_not_allowed"],
)
async def test_phone_setup_refused_login(
    hass: HomeAssistant,
    *,
    phone: SimulatedPhone,
    first: str,
    error: str,
    attempts_left: tuple[str, str] | None,
    fixed: str,
) -> None:
    """A refused login: one login per submit, none on the flow's own."""
    flow_id, result = await user_step(hass, phone.address)
    assert_setup_offered(result, phone.address, "HTTP")
    assert sent_passcodes(phone) == ["right"]

    for submit in (1, 2):
        result = await configure(
            hass, flow_id, {SET_UP_PHONE: True, CONF_WEB_USERNAME: first}
        )

        assert result["type"] is FlowResultType.FORM
        assert result["step_id"] == "phone_setup"
        assert result["errors"] == {"base": error}
        if attempts_left is not None:
            placeholders = result["description_placeholders"]
            assert placeholders["attempts_left"] == attempts_left[submit - 1]
        assert form_fields(result)[CONF_WEB_USERNAME] == first
        await hass.async_block_till_done()
        assert len(phone.web.calls("dologin")) == submit
    assert phone.profile.action_urls == {}

    phone.profile.web_denied_users = []
    result = await configure(
        hass, flow_id, {SET_UP_PHONE: True, CONF_WEB_USERNAME: fixed}
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["description"] == "set_up_complete"
    assert len(phone.web.calls("dologin")) == 3
    assert phone.requests == []  # the CTI passcode was not sent again


async def test_phone_setup_without_local_url(
    hass: HomeAssistant, phone: SimulatedPhone, ha_url: str
) -> None:
    """Home Assistant does not know its address: nothing is sent; then it does."""
    flow_id, result = await user_step(hass, phone.address)
    api, hass.config.api = hass.config.api, None
    hass.config.internal_url = None

    result = await configure(hass, flow_id, SET_UP_AS_ADMIN)

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "no_local_url"}
    assert phone.web.requests == []

    hass.config.api = api
    hass.config.internal_url = ha_url
    result = await configure(hass, flow_id, SET_UP_AS_ADMIN)

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["description"] == "set_up_complete"
    assert result["data"][CONF_PUSH_BASE_URL] == ha_url


@pytest.mark.usefixtures("ha_url")
async def test_phone_setup_foreign_slot(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """A slot something else uses stays as it is; the result says so."""
    foreign = "http://192.0.2.99/notify?event=incoming"
    phone.profile.action_urls = {"incoming": foreign}
    flow_id, result = await user_step(hass, phone.address)

    result = await configure(hass, flow_id, SET_UP_AS_ADMIN)

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert_set_up_beside(result, "Incoming call")
    assert result["data"][CONF_FOREIGN_SLOTS] == ["incoming"]
    assert phone.profile.action_urls["incoming"] == foreign


@pytest.mark.usefixtures("ha_url")
@pytest.mark.parametrize("profile", [fast_profile(web_login="older")])
async def test_phone_setup_login_without_mac(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """Older firmware's login tells no MAC: the entry has no unique id."""
    flow_id, result = await user_step(hass, phone.address)

    result = await configure(hass, flow_id, SET_UP_AS_ADMIN)

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["description"] == "set_up_complete"
    assert result["result"].unique_id is None
    assert CONF_FIRMWARE not in result["data"]
    assert result["data"][CONF_MODEL] == "GXP2170"


@pytest.mark.usefixtures("default_ports", "ha_url")
@pytest.mark.parametrize("profile", [fast_profile(https=True)])
async def test_phone_setup_over_https(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """The web login uses the scheme found for the CTI interface."""
    flow_id, result = await user_step(hass, "127.0.0.1")
    assert_setup_offered(result, phone.address, "HTTPS")

    result = await configure(hass, flow_id, SET_UP_AS_ADMIN)

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["description"] == "set_up_complete"
    assert result["data"][CONF_SSL] is True
    assert len(phone.web.calls("dologin")) == 1


@pytest.mark.usefixtures("default_ports", "ha_url")
@pytest.mark.parametrize("profile", [fast_profile(extra_https_port=True)])
async def test_phone_setup_over_https_on_a_phone_serving_both(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """HTTPS preferred, the web login too goes over HTTPS and succeeds."""
    flow_id, result = await user_step(hass, "127.0.0.1")
    assert_setup_offered(result, f"127.0.0.1:{phone.https_port}", "HTTPS")

    result = await configure(hass, flow_id, SET_UP_AS_ADMIN)

    assert result["type"] is FlowResultType.CREATE_ENTRY, result.get("errors")
    assert result["description"] == "set_up_complete"
    assert result["result"].unique_id == MAC


# -- DHCP discovery ---------------------------------------------------------------------


@pytest.mark.usefixtures("default_ports")
async def test_dhcp_flow(hass: HomeAssistant, phone: SimulatedPhone) -> None:
    """A discovered phone only needs its passcode; a wrong one can be retried."""
    result = await start_dhcp_flow(hass)

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "dhcp_confirm"
    assert result["description_placeholders"] == {"host": "127.0.0.1"}
    assert form_fields(result) == {CONF_PASSCODE: None}
    flows = hass.config_entries.flow.async_progress()
    assert flows[0]["context"]["title_placeholders"] == {"host": "127.0.0.1"}
    assert phone.requests == []

    result = await configure(hass, result["flow_id"], {CONF_PASSCODE: WRONG})

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "not_authorized"}
    assert sent_passcodes(phone) == ["wrong"]

    result = await configure(hass, result["flow_id"], {CONF_PASSCODE: PASSCODE})

    result = await skip_offered_setup(hass, result, phone, phone.address, "HTTP")
    assert result["title"] == f"Grandstream {phone.address}"
    assert result["data"] == {
        CONF_HOST: phone.address,
        CONF_PASSCODE: PASSCODE,
        CONF_SSL: False,
        CONF_VERIFY_SSL: False,
        CONF_WEBHOOK_ID: assert_webhook_id(result["data"]),
    }
    assert result["result"].unique_id == MAC


@pytest.mark.usefixtures("default_ports")
@pytest.mark.parametrize("profile", [fast_profile(extra_https_port=True)])
async def test_dhcp_flow_prefers_https(
    hass: HomeAssistant, phone: SimulatedPhone, wire: list[Sent]
) -> None:
    """A discovered phone serving both is added over HTTPS."""
    result = await start_dhcp_flow(hass)

    result = await configure(hass, result["flow_id"], {CONF_PASSCODE: PASSCODE})

    host = f"127.0.0.1:{phone.https_port}"
    assert wire == [
        Sent(f"https://{host}/", with_passcode=False),
        Sent(f"https://{host}/cgi-bin/api-get_phone_status", with_passcode=True),
    ]
    result = await skip_offered_setup(hass, result, phone, host, "HTTPS")
    assert result["result"].unique_id == MAC
    assert result["data"][CONF_HOST] == host
    assert result["data"][CONF_SSL] is True


@pytest.mark.usefixtures("default_ports")
async def test_dhcp_confirm_cannot_connect(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """The discovered phone is off for a moment; the same dialog then works."""
    port = phone.port
    await phone.stop()
    result = await start_dhcp_flow(hass)

    result = await configure(hass, result["flow_id"], {CONF_PASSCODE: PASSCODE})

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_connect"}

    await phone.start(port=port)
    result = await configure(hass, result["flow_id"], {CONF_PASSCODE: PASSCODE})

    assert_setup_offered(result, phone.address, "HTTP")
    assert sent_passcodes(phone) == ["right"]


@pytest.mark.usefixtures("default_ports")
async def test_dhcp_flow_ignores_unrelated_entries(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """Other phones, with or without a MAC, do not stop a discovery."""
    add_entry(hass, "192.0.2.10")
    add_entry(hass, "192.0.2.11", unique_id=OTHER_MAC)

    result = await start_dhcp_flow(hass)

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "dhcp_confirm"
    result = await configure(hass, result["flow_id"], {CONF_PASSCODE: PASSCODE})
    await skip_setup(hass, result)


@pytest.mark.parametrize(
    ("old_host", "ssl", "new_host"),
    [
        ("192.0.2.10", False, "127.0.0.1"),
        ("192.0.2.10:8080", False, "127.0.0.1:8080"),
        ("192.0.2.10", True, "127.0.0.1"),
        ("192.0.2.10:8443", True, "127.0.0.1:8443"),
        # HTTPS on port 80: the port is not the scheme's default, so it stays.
        ("192.0.2.10:80", True, "127.0.0.1:80"),
    ],
)
async def test_dhcp_known_phone_moved(
    hass: HomeAssistant, old_host: str, ssl: bool, new_host: str
) -> None:
    """A known phone at a new IP: the entry follows, keeping port and scheme."""
    entry = add_entry(hass, old_host, unique_id=MAC, ssl=ssl)

    result = await start_dhcp_flow(hass)

    assert_aborted(result, "already_configured")
    assert entry.data[CONF_HOST] == new_host
    assert entry.data[CONF_SSL] is ssl


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.1:8080"])
async def test_dhcp_learns_mac_of_entry_added_by_address(
    hass: HomeAssistant, host: str
) -> None:
    """An entry added by IP before its MAC was known gets the MAC as unique id.

    Its entities move from entry-id-based to MAC-based unique ids.
    """
    entry = add_entry(hass, host)
    registry = er.async_get(hass)
    entity = registry.async_get_or_create(
        "sensor", DOMAIN, f"{entry.entry_id}_phone_status", config_entry=entry
    )

    result = await start_dhcp_flow(hass)

    assert_aborted(result, "already_configured")
    assert entry.unique_id == MAC
    assert entry.data[CONF_HOST] == host
    moved = registry.async_get(entity.entity_id)
    assert moved is not None
    assert moved.unique_id == f"{MAC}_phone_status"


async def test_dhcp_ignored_phone(hass: HomeAssistant) -> None:
    """A discovery the user ignored stays ignored."""
    MockConfigEntry(
        domain=DOMAIN, source=SOURCE_IGNORE, unique_id=MAC, data={}
    ).add_to_hass(hass)

    result = await start_dhcp_flow(hass)

    assert_aborted(result, "already_configured")


async def test_dhcp_already_in_progress(hass: HomeAssistant) -> None:
    """The DHCP watcher reports the same phone twice."""
    result = await start_dhcp_flow(hass)
    assert result["type"] is FlowResultType.FORM

    result = await start_dhcp_flow(hass)

    assert_aborted(result, "already_in_progress")


# -- reauthentication -------------------------------------------------------------------


async def test_reauth_flow(
    hass: HomeAssistant,
    phone: SimulatedPhone,
    mock_config_entry: MockConfigEntry,
    mock_setup_entry: AsyncMock,
) -> None:
    """The phone's password changed: a wrong guess twice, then the right one."""
    mock_config_entry.add_to_hass(hass)
    phone.profile.passcode = NEW_PASSCODE

    result = await mock_config_entry.start_reauth_flow(hass)

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    assert result["description_placeholders"]["host"] == phone.address
    # Nothing is tried on our own: five failures lock the phone.
    assert phone.requests == []

    for failures in (1, 2):
        # The same guess may be submitted again; each submit is one attempt.
        result = await configure(hass, result["flow_id"], {CONF_PASSCODE: WRONG})

        assert result["type"] is FlowResultType.FORM
        assert result["errors"] == {"base": "not_authorized"}
        assert sent_passcodes(phone) == ["wrong"]
        assert phone.failures == failures
        assert mock_config_entry.data[CONF_PASSCODE] == PASSCODE

    result = await configure(hass, result["flow_id"], {CONF_PASSCODE: NEW_PASSCODE})

    assert_aborted(result, "reauth_successful")
    assert sent_passcodes(phone) == ["new"]
    assert mock_config_entry.data == {
        CONF_HOST: phone.address,
        CONF_PASSCODE: NEW_PASSCODE,
        CONF_SSL: False,
        CONF_VERIFY_SSL: False,
    }
    await hass.async_block_till_done()
    assert len(mock_setup_entry.mock_calls) == 1


@pytest.mark.parametrize("profile", [fast_profile(popup_window_enabled=True)])
async def test_reauth_after_popup_window_fixed(
    hass: HomeAssistant, phone: SimulatedPhone, mock_config_entry: MockConfigEntry
) -> None:
    """The stored passcode was right all along: the same one works once fixed."""
    mock_config_entry.add_to_hass(hass)
    result = await mock_config_entry.start_reauth_flow(hass)

    result = await configure(hass, result["flow_id"], {CONF_PASSCODE: PASSCODE})

    assert result["errors"] == {"base": "not_authorized"}
    assert sent_passcodes(phone) == ["right"]

    phone.profile.popup_window_enabled = False
    result = await configure(hass, result["flow_id"], {CONF_PASSCODE: PASSCODE})

    assert_aborted(result, "reauth_successful")
    assert sent_passcodes(phone) == ["right"]


# -- reconfiguration --------------------------------------------------------------------


async def start_reconfigure(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    """Open the reconfigure step, prefilled from the entry; return the flow id."""
    result = await entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert form_fields(result) == {
        CONF_HOST: entry.data[CONF_HOST],
        # The entry's current scheme, never "auto": existing entries keep it.
        CONF_CONNECTION: "https" if entry.data[CONF_SSL] else "http",
        CONF_VERIFY_SSL: entry.data[CONF_VERIFY_SSL],
    }
    return str(result["flow_id"])


async def reconfigure_beside_the_phone(
    hass: HomeAssistant, entry: MockConfigEntry, phone: SimulatedPhone
) -> Any:
    """Reconfigure ``entry`` to the phone's address, where its MAC is found."""
    flow_id = await start_reconfigure(hass, entry)
    return await configure_beside_the_phone(
        hass, flow_id, reconfigure_input(phone.address)
    )


async def test_reconfigure_new_host(
    hass: HomeAssistant, phone: SimulatedPhone, closed_port: int
) -> None:
    """The phone moved; a wrong port first, then the right one."""
    entry = add_entry(hass, "192.0.2.10")
    flow_id = await start_reconfigure(hass, entry)

    result = await configure(
        hass, flow_id, reconfigure_input(f"127.0.0.1:{closed_port}", "auto")
    )

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_connect"}

    result = await configure(
        hass, flow_id, reconfigure_input(f"http://{phone.address}/")
    )

    assert_aborted(result, "reconfigure_successful")
    assert entry.data == {
        CONF_HOST: phone.address,
        CONF_PASSCODE: PASSCODE,
        CONF_SSL: False,
        CONF_VERIFY_SSL: False,
    }
    assert entry.unique_id is None
    assert sent_passcodes(phone) == ["right"]


@pytest.mark.parametrize("profile", [fast_profile(extra_https_port=True)])
async def test_reconfigure_keeps_http(
    hass: HomeAssistant, phone: SimulatedPhone, wire: list[Sent]
) -> None:
    """An HTTP entry stays on HTTP, though the phone offers HTTPS too."""
    entry = add_entry(hass, phone.address)
    flow_id = await start_reconfigure(hass, entry)

    result = await configure(hass, flow_id, reconfigure_input(phone.address))

    assert_aborted(result, "reconfigure_successful")
    assert entry.data[CONF_SSL] is False
    assert entry.data[CONF_HOST] == phone.address
    assert [sent.url for sent in wire] == [
        f"http://{phone.address}/cgi-bin/api-get_phone_status"
    ]


@pytest.mark.usefixtures("default_ports")
@pytest.mark.parametrize("profile", [fast_profile(extra_https_port=True)])
@pytest.mark.parametrize("connection", ["auto", "https"])
async def test_reconfigure_switches_to_https(
    hass: HomeAssistant,
    phone: SimulatedPhone,
    wire: list[Sent],
    connection: str,
) -> None:
    """The user switches an HTTP entry to HTTPS: detected, or forced."""
    entry = add_entry(hass, phone.address)
    flow_id = await start_reconfigure(hass, entry)
    https_host = f"127.0.0.1:{phone.https_port}"
    typed = "127.0.0.1" if connection == "auto" else https_host

    result = await configure(hass, flow_id, reconfigure_input(typed, connection))

    assert_aborted(result, "reconfigure_successful")
    assert entry.data[CONF_HOST] == https_host
    assert entry.data[CONF_SSL] is True
    assert wire[-1] == Sent(
        f"https://{https_host}/cgi-bin/api-get_phone_status", with_passcode=True
    )
    assert [sent.with_passcode for sent in wire].count(True) == 1
    assert sent_passcodes(phone) == ["right"]


@pytest.mark.parametrize("profile", [fast_profile(extra_https_port=True)])
async def test_reconfigure_https_entry_back_to_http(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """An HTTPS entry is preselected as HTTPS and can be switched to HTTP."""
    entry = add_entry(hass, f"127.0.0.1:{phone.https_port}", ssl=True)
    flow_id = await start_reconfigure(hass, entry)

    result = await configure(hass, flow_id, reconfigure_input(phone.address, "http"))

    assert_aborted(result, "reconfigure_successful")
    assert entry.data[CONF_HOST] == phone.address
    assert entry.data[CONF_SSL] is False


async def test_reconfigure_invalid_host(
    hass: HomeAssistant, phone: SimulatedPhone, mock_config_entry: MockConfigEntry
) -> None:
    """An unusable host is refused before anything is sent."""
    mock_config_entry.add_to_hass(hass)
    flow_id = await start_reconfigure(hass, mock_config_entry)

    result = await configure(hass, flow_id, reconfigure_input("phone lan", "auto"))

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_HOST: "invalid_host"}
    assert phone.requests == []

    result = await configure(hass, flow_id, reconfigure_input(phone.address))

    assert_aborted(result, "reconfigure_successful")


@pytest.mark.parametrize(
    ("stored_mac", "neighbour_mac", "reason", "moved"),
    [
        # The MAC at the new address matches the entry's.
        pytest.param(MAC, MAC, "reconfigure_successful", True, id="same_phone"),
        # No neighbour entry at the new address: the entry keeps its MAC.
        pytest.param(MAC, None, "reconfigure_successful", True, id="unknown_mac"),
        # Another phone answers at the new address: nothing changes.
        pytest.param(OTHER_MAC, MAC, "wrong_device", False, id="wrong_device"),
    ],
)
async def test_reconfigure_checks_the_mac(
    hass: HomeAssistant,
    *,
    phone: SimulatedPhone,
    stored_mac: str,
    neighbour_mac: str | None,
    reason: str,
    moved: bool,
) -> None:
    """An entry with a MAC moves only to that phone, or where the MAC is unknown."""
    entry = add_entry(hass, "192.0.2.10", unique_id=stored_mac)
    flow_id = await start_reconfigure(hass, entry)

    data = reconfigure_input(phone.address)
    if neighbour_mac is None:
        result = await configure(hass, flow_id, data)
    else:
        with patch(MAC_LOOKUP, return_value=neighbour_mac):
            result = await configure(hass, flow_id, data)

    assert_aborted(result, reason)
    assert entry.data[CONF_HOST] == (phone.address if moved else "192.0.2.10")
    assert entry.unique_id == stored_mac


async def test_reconfigure_learns_mac(
    hass: HomeAssistant, phone: SimulatedPhone, mock_config_entry: MockConfigEntry
) -> None:
    """An entry without a MAC learns it when reconfigured; entities follow."""
    mock_config_entry.add_to_hass(hass)
    registry = er.async_get(hass)
    entity = registry.async_get_or_create(
        "sensor",
        DOMAIN,
        f"{mock_config_entry.entry_id}_line_1",
        config_entry=mock_config_entry,
    )
    result = await reconfigure_beside_the_phone(hass, mock_config_entry, phone)

    assert_aborted(result, "reconfigure_successful")
    assert mock_config_entry.unique_id == MAC
    moved = registry.async_get(entity.entity_id)
    assert moved is not None
    assert moved.unique_id == f"{MAC}_line_1"


async def test_reconfigure_onto_another_entrys_phone(
    hass: HomeAssistant, phone: SimulatedPhone, mock_config_entry: MockConfigEntry
) -> None:
    """Pointing a MAC-less entry at a phone set up already is refused."""
    mock_config_entry.add_to_hass(hass)
    other = add_entry(hass, "192.0.2.10", unique_id=MAC)
    result = await reconfigure_beside_the_phone(hass, mock_config_entry, phone)

    assert_aborted(result, "already_configured")
    assert mock_config_entry.unique_id is None
    assert other.data[CONF_HOST] == "192.0.2.10"


async def test_reconfigure_while_the_phone_is_discovered(
    hass: HomeAssistant, phone: SimulatedPhone, mock_config_entry: MockConfigEntry
) -> None:
    """A pending discovery of the same phone does not block its reconfiguration."""
    mock_config_entry.add_to_hass(hass)
    discovery = await start_dhcp_flow(hass, ip="192.0.2.20")
    assert discovery["type"] is FlowResultType.FORM
    result = await reconfigure_beside_the_phone(hass, mock_config_entry, phone)

    assert_aborted(result, "reconfigure_successful")
    assert mock_config_entry.unique_id == MAC


@pytest.mark.usefixtures("mock_setup_entry")
async def test_reconfigure_with_a_rejected_passcode(
    hass: HomeAssistant, phone: SimulatedPhone, mock_config_entry: MockConfigEntry
) -> None:
    """The stored passcode is refused: the form asks for it, never resends it."""
    mock_config_entry.add_to_hass(hass)
    phone.profile.passcode = NEW_PASSCODE
    flow_id = await start_reconfigure(hass, mock_config_entry)

    result = await configure(hass, flow_id, reconfigure_input(phone.address))

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "not_authorized"}
    assert CONF_PASSCODE in form_fields(result)
    assert form_fields(result)[CONF_PASSCODE] is None
    assert phone.failures == 1
    assert sent_passcodes(phone) == ["right"]
    assert mock_config_entry.data[CONF_PASSCODE] == PASSCODE

    result = await configure(
        hass, flow_id, reconfigure_input(phone.address, passcode=NEW_PASSCODE)
    )

    assert_aborted(result, "reconfigure_successful")
    assert mock_config_entry.data[CONF_PASSCODE] == NEW_PASSCODE
    assert sent_passcodes(phone) == ["new"]
    assert phone.failures == 0  # the right passcode resets the phone's count


@pytest.mark.usefixtures("mock_setup_entry")
async def test_reconfigure_while_reauth_is_pending(
    hass: HomeAssistant, phone: SimulatedPhone, mock_config_entry: MockConfigEntry
) -> None:
    """A pending reauth: the passcode is asked at once; success settles the reauth."""
    mock_config_entry.add_to_hass(hass)
    await mock_config_entry.start_reauth_flow(hass)
    phone.profile.passcode = NEW_PASSCODE

    result = await mock_config_entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert CONF_PASSCODE in form_fields(result)
    assert phone.requests == []

    result = await configure(
        hass,
        result["flow_id"],
        reconfigure_input(phone.address, passcode=NEW_PASSCODE),
    )
    assert_aborted(result, "reconfigure_successful")
    assert sent_passcodes(phone) == ["new"]
    assert mock_config_entry.data[CONF_PASSCODE] == NEW_PASSCODE
    assert not [
        flow
        for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        if flow["context"]["source"] == SOURCE_REAUTH
    ]
