"""The config flow, through Home Assistant's flow manager, against the simulator.

Every error is followed by a successful retry in the same flow, and every
submit is checked to cost the phone at most one passcode attempt: five wrong
passcodes lock a real phone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
import json
from pathlib import Path
import socket
from typing import Any
from unittest.mock import AsyncMock, patch

from homeassistant.config_entries import SOURCE_DHCP, SOURCE_IGNORE, SOURCE_USER
from homeassistant.const import CONF_HOST, CONF_SSL, CONF_VERIFY_SSL
from homeassistant.core import HomeAssistant
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.network import NoURLAvailableError
from homeassistant.helpers.service_info.dhcp import DhcpServiceInfo
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.grandstream import create_client
from custom_components.grandstream.const import CONF_PASSCODE, DOMAIN
from custom_components.grandstream.cti import GrandstreamClient
from simulator import Fault, PhoneProfile, SimulatedPhone

from ..conftest import PASSCODE, fast_profile

INTEGRATION = Path(__file__).parents[2] / "custom_components" / DOMAIN
MAC = "00:0b:82:12:34:56"
OTHER_MAC = "00:0b:82:aa:bb:cc"
MAC_LOOKUP = "custom_components.grandstream.config_flow.async_mac_from_neighbours"

pytestmark = pytest.mark.usefixtures("mock_setup_entry")


def _strings(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


STRINGS = [
    _strings(INTEGRATION / "strings.json"),
    _strings(INTEGRATION / "translations" / "en.json"),
]


def _assert_translated(section: str, result: Any) -> None:
    """Every step, error and abort reason shown must have a string."""
    for strings in STRINGS:
        flow = strings[section]
        if result["type"] is FlowResultType.FORM:
            assert result["step_id"] in flow["step"]
            for key in (result["errors"] or {}).values():
                assert key in flow["error"], key
        elif result["type"] is FlowResultType.ABORT:
            assert result["reason"] in flow["abort"], result["reason"]


@pytest.fixture(autouse=True)
def check_translations(hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch) -> None:
    """Check the strings of every result the flow managers hand out."""

    def checked(
        section: str, method: Callable[..., Awaitable[Any]]
    ) -> Callable[..., Awaitable[Any]]:
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            result = await method(*args, **kwargs)
            _assert_translated(section, result)
            return result

        return wrapper

    for section, manager in (
        ("config", hass.config_entries.flow),
        ("options", hass.config_entries.options),
    ):
        for name in ("async_init", "async_configure"):
            monkeypatch.setattr(manager, name, checked(section, getattr(manager, name)))


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
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def phone_on_port_80(phone: SimulatedPhone) -> Iterator[list[str]]:
    """Make the phone answer as if it listened on 127.0.0.1's default port.

    DHCP only tells an IP address, so the flow talks to port 80; the simulator
    runs on a free port instead. Yields the hosts the flow asked for.
    """
    asked: list[str] = []

    def forwarding(hass: HomeAssistant, data: dict[str, object]) -> GrandstreamClient:
        asked.append(str(data[CONF_HOST]))
        if data[CONF_HOST] == phone.host:
            data = {**data, CONF_HOST: phone.address}
        return create_client(hass, data)

    with patch(
        "custom_components.grandstream.config_flow.create_client",
        side_effect=forwarding,
    ):
        yield asked


def user_input(host: str, passcode: str = PASSCODE, **extra: Any) -> dict[str, Any]:
    """What a user types into the user step."""
    return {
        CONF_HOST: host,
        CONF_PASSCODE: passcode,
        CONF_SSL: False,
        CONF_VERIFY_SSL: False,
        **extra,
    }


def dhcp_info(ip: str = "127.0.0.1", mac: str = "000b82123456") -> DhcpServiceInfo:
    """What Home Assistant's DHCP watcher reports for a Grandstream phone."""
    return DhcpServiceInfo(ip=ip, hostname="gxp2170", macaddress=mac)


def form_fields(result: Any) -> dict[str, Any]:
    """The fields of a form and the values it suggests."""
    schema = result["data_schema"]
    assert schema is not None
    return {
        str(key): (key.description or {}).get("suggested_value")
        for key in schema.schema
    }


def passcodes_sent(phone: SimulatedPhone) -> list[str | None]:
    """The passcodes the phone received since the last call, then forget them."""
    sent = [request.params.get("passcode") for request in phone.requests]
    phone.clear_logs()
    return sent


def add_entry(
    hass: HomeAssistant, host: str, unique_id: str | None = None, **data: Any
) -> MockConfigEntry:
    """A configured phone at ``host``."""
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
    return str(result["flow_id"])


# -- user step ---------------------------------------------------------------


async def test_user_flow(
    hass: HomeAssistant, phone: SimulatedPhone, mock_setup_entry: AsyncMock
) -> None:
    """A pasted URL is normalised to host:port; one request checks the phone."""
    flow_id = await start_user_flow(hass)

    result = await hass.config_entries.flow.async_configure(
        flow_id, user_input(f" http://{phone.address}/ ")
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == f"Grandstream {phone.address}"
    assert result["data"] == {
        CONF_HOST: phone.address,
        CONF_PASSCODE: PASSCODE,
        CONF_SSL: False,
        CONF_VERIFY_SSL: False,
    }
    # 127.0.0.1 has no neighbour entry, and an IP address is never an identity.
    assert result["result"].unique_id is None
    assert [r.function for r in phone.requests] == ["api-get_phone_status"]
    assert passcodes_sent(phone) == [PASSCODE]
    await hass.async_block_till_done()
    assert len(mock_setup_entry.mock_calls) == 1


async def test_user_flow_default_port_dropped(hass: HomeAssistant) -> None:
    """The scheme's default port is not stored, so duplicates compare equal."""
    add_entry(hass, "192.0.2.10")
    flow_id = await start_user_flow(hass)

    result = await hass.config_entries.flow.async_configure(
        flow_id, user_input("192.0.2.10:80")
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_user_flow_https_default_port(hass: HomeAssistant) -> None:
    """With HTTPS, :443 is the default port and is not stored."""
    flow_id = await start_user_flow(hass)
    with (
        patch.object(GrandstreamClient, "phone_status", AsyncMock()),
        patch(MAC_LOOKUP, return_value=None),
    ):
        result = await hass.config_entries.flow.async_configure(
            flow_id, user_input("phone.example.test:443", ssl=True)
        )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_HOST] == "phone.example.test"
    assert result["data"][CONF_SSL] is True


@pytest.mark.parametrize("profile", [fast_profile(unauthorized_style="body")])
async def test_user_flow_invalid_auth_body(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """A wrong passcode answered in the body costs exactly one attempt."""
    await _invalid_auth_then_success(hass, phone)


@pytest.mark.parametrize("profile", [fast_profile(unauthorized_style="http401")])
async def test_user_flow_invalid_auth_http401(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """A wrong passcode answered with HTTP 401 costs exactly one attempt."""
    await _invalid_auth_then_success(hass, phone)


async def _invalid_auth_then_success(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    flow_id = await start_user_flow(hass)

    result = await hass.config_entries.flow.async_configure(
        flow_id, user_input(phone.address, "wrong-passcode")
    )

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {"base": "invalid_auth"}
    assert passcodes_sent(phone) == ["wrong-passcode"]
    assert phone.failures == 1

    result = await hass.config_entries.flow.async_configure(
        flow_id, user_input(phone.address)
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert passcodes_sent(phone) == [PASSCODE]
    assert phone.failures == 0


async def test_user_flow_form_keeps_input_but_not_passcode(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """After an error the form is refilled, except for the passcode."""
    flow_id = await start_user_flow(hass)

    result = await hass.config_entries.flow.async_configure(
        flow_id, user_input(phone.address, "wrong-passcode")
    )

    suggested = form_fields(result)
    assert suggested == {
        CONF_HOST: phone.address,
        CONF_PASSCODE: None,
        CONF_SSL: False,
        CONF_VERIFY_SSL: False,
    }


async def test_user_flow_cannot_connect(
    hass: HomeAssistant, phone: SimulatedPhone, closed_port: int
) -> None:
    """Nothing listens at the address; the user corrects the port."""
    flow_id = await start_user_flow(hass)

    result = await hass.config_entries.flow.async_configure(
        flow_id, user_input(f"127.0.0.1:{closed_port}")
    )

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_connect"}
    assert phone.requests == []

    result = await hass.config_entries.flow.async_configure(
        flow_id, user_input(phone.address)
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_HOST] == phone.address
    assert passcodes_sent(phone) == [PASSCODE]


async def test_user_flow_phone_stopped(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """The phone is off; once it is back, the same flow succeeds."""
    port = phone.port
    await phone.stop()
    flow_id = await start_user_flow(hass)

    result = await hass.config_entries.flow.async_configure(
        flow_id, user_input(phone.address)
    )

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_connect"}

    await phone.start(port=port)
    result = await hass.config_entries.flow.async_configure(
        flow_id, user_input(phone.address)
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert passcodes_sent(phone) == [PASSCODE]


async def test_user_flow_cti_disabled(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """Remote control is off on the phone until the admin enables it."""
    phone.profile.cti_enabled = False
    flow_id = await start_user_flow(hass)

    result = await hass.config_entries.flow.async_configure(
        flow_id, user_input(phone.address)
    )

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cti_disabled"}
    assert passcodes_sent(phone) == [PASSCODE]
    assert phone.failures == 0

    phone.profile.cti_enabled = True
    result = await hass.config_entries.flow.async_configure(
        flow_id, user_input(phone.address)
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert passcodes_sent(phone) == [PASSCODE]


@pytest.mark.parametrize(
    "profile", [fast_profile(lockout_threshold=1, lockout_duration=0.3)]
)
async def test_user_flow_locked_out(
    hass: HomeAssistant, phone: SimulatedPhone, profile: PhoneProfile
) -> None:
    """A locked phone refuses even the right passcode until the lock expires."""
    flow_id = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, user_input(phone.address, "wrong-passcode")
    )
    assert result["errors"] == {"base": "invalid_auth"}
    assert phone.locked
    phone.clear_logs()

    result = await hass.config_entries.flow.async_configure(
        flow_id, user_input(phone.address)
    )

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "locked_out"}
    assert passcodes_sent(phone) == [PASSCODE]

    await asyncio.sleep(profile.lockout_duration)  # until the lock expires
    result = await hass.config_entries.flow.async_configure(
        flow_id, user_input(phone.address)
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert passcodes_sent(phone) == [PASSCODE]


@pytest.mark.parametrize("kind", ["html", "non_json", "http500"])
async def test_user_flow_invalid_response(
    hass: HomeAssistant, phone: SimulatedPhone, kind: Any
) -> None:
    """Something answers, but not like a desk phone's CTI interface."""
    phone.set_fault(Fault(kind=kind, count=1))
    flow_id = await start_user_flow(hass)

    result = await hass.config_entries.flow.async_configure(
        flow_id, user_input(phone.address)
    )

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_response"}
    assert len(passcodes_sent(phone)) == 1

    result = await hass.config_entries.flow.async_configure(
        flow_id, user_input(phone.address)
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert passcodes_sent(phone) == [PASSCODE]


async def test_user_flow_unknown_error(
    hass: HomeAssistant, phone: SimulatedPhone, caplog: pytest.LogCaptureFixture
) -> None:
    """A bug in the client is logged and shown as unknown, not raised."""
    flow_id = await start_user_flow(hass)

    with patch.object(
        GrandstreamClient, "phone_status", side_effect=RuntimeError("boom")
    ):
        result = await hass.config_entries.flow.async_configure(
            flow_id, user_input(phone.address)
        )

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "unknown"}
    assert "Unexpected error while checking the phone" in caplog.text

    result = await hass.config_entries.flow.async_configure(
        flow_id, user_input(phone.address)
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert passcodes_sent(phone) == [PASSCODE]


@pytest.mark.parametrize("host", ["", "   ", "phone lan", "phone.lan/admin", "a@b"])
async def test_user_flow_invalid_host(
    hass: HomeAssistant, phone: SimulatedPhone, host: str
) -> None:
    """An unusable host is refused before anything is sent."""
    flow_id = await start_user_flow(hass)

    result = await hass.config_entries.flow.async_configure(flow_id, user_input(host))

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_HOST: "invalid_host"}
    assert phone.requests == []

    result = await hass.config_entries.flow.async_configure(
        flow_id, user_input(phone.address)
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_user_flow_duplicate_host(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """A phone already set up by address: abort before spending a passcode try."""
    add_entry(hass, phone.address)
    flow_id = await start_user_flow(hass)

    result = await hass.config_entries.flow.async_configure(
        flow_id, user_input(f"HTTP://{phone.address}")
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert phone.requests == []


async def test_user_flow_learns_mac(hass: HomeAssistant, phone: SimulatedPhone) -> None:
    """A phone on the local network is identified by its MAC."""
    flow_id = await start_user_flow(hass)

    with patch(MAC_LOOKUP, return_value=MAC) as lookup:
        result = await hass.config_entries.flow.async_configure(
            flow_id, user_input(phone.address)
        )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == MAC
    assert lookup.call_args.args[1] == phone.base_url


async def test_user_flow_duplicate_mac_moves_entry(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """The same phone at a new address: the entry follows it."""
    entry = add_entry(hass, "192.0.2.10", unique_id=MAC)
    flow_id = await start_user_flow(hass)

    with patch(MAC_LOOKUP, return_value=MAC):
        result = await hass.config_entries.flow.async_configure(
            flow_id, user_input(phone.address)
        )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.data[CONF_HOST] == phone.address
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1


async def test_user_flow_while_discovery_in_progress(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """Adding a phone by hand wins over its pending discovery."""
    discovery = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=dhcp_info()
    )
    assert discovery["type"] is FlowResultType.FORM
    flow_id = await start_user_flow(hass)

    with patch(MAC_LOOKUP, return_value=MAC):
        result = await hass.config_entries.flow.async_configure(
            flow_id, user_input(phone.address)
        )

    assert result["type"] is FlowResultType.CREATE_ENTRY
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

    with patch(MAC_LOOKUP, return_value=MAC):
        result = await hass.config_entries.flow.async_configure(
            flow_id, user_input(phone.address)
        )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == MAC
    entries = hass.config_entries.async_entries(DOMAIN, include_ignore=True)
    assert [e.source for e in entries] == [SOURCE_USER]


# -- DHCP discovery ------------------------------------------------------------


async def test_dhcp_flow(
    hass: HomeAssistant, phone: SimulatedPhone, phone_on_port_80: list[str]
) -> None:
    """A discovered phone only needs its passcode; a wrong one can be retried."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=dhcp_info()
    )

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "dhcp_confirm"
    assert result["description_placeholders"] == {"host": "127.0.0.1"}
    assert form_fields(result) == {CONF_PASSCODE: None}
    flows = hass.config_entries.flow.async_progress()
    assert flows[0]["context"]["title_placeholders"] == {"host": "127.0.0.1"}
    assert phone.requests == []

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSCODE: "wrong-passcode"}
    )

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_auth"}
    assert passcodes_sent(phone) == ["wrong-passcode"]

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSCODE: PASSCODE}
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Grandstream 127.0.0.1"
    assert result["data"] == {
        CONF_HOST: "127.0.0.1",
        CONF_PASSCODE: PASSCODE,
        CONF_SSL: False,
        CONF_VERIFY_SSL: False,
    }
    assert result["result"].unique_id == MAC
    assert passcodes_sent(phone) == [PASSCODE]
    assert phone_on_port_80 == ["127.0.0.1", "127.0.0.1"]


async def test_dhcp_flow_ignores_unrelated_entries(
    hass: HomeAssistant, phone: SimulatedPhone, phone_on_port_80: list[str]
) -> None:
    """Other phones, with or without a MAC, do not stop a discovery."""
    add_entry(hass, "192.0.2.10")
    add_entry(hass, "192.0.2.11", unique_id=OTHER_MAC)

    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=dhcp_info()
    )

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "dhcp_confirm"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSCODE: PASSCODE}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


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
    """A known phone at a new IP: the entry follows, keeping a custom port."""
    entry = add_entry(hass, old_host, unique_id=MAC, ssl=ssl)

    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=dhcp_info()
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
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

    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=dhcp_info()
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
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

    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=dhcp_info()
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_dhcp_already_in_progress(hass: HomeAssistant) -> None:
    """The DHCP watcher reports the same phone twice."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=dhcp_info()
    )
    assert result["type"] is FlowResultType.FORM

    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=dhcp_info()
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_in_progress"


# -- reauthentication ------------------------------------------------------------


async def test_reauth_flow(
    hass: HomeAssistant,
    phone: SimulatedPhone,
    mock_config_entry: MockConfigEntry,
    mock_setup_entry: AsyncMock,
) -> None:
    """The phone's password changed: a wrong guess, then the right one."""
    mock_config_entry.add_to_hass(hass)
    phone.profile.passcode = "N3w-passcode"

    result = await mock_config_entry.start_reauth_flow(hass)

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    assert result["description_placeholders"]["host"] == phone.address
    # Nothing is tried on our own: five failures lock the phone.
    assert phone.requests == []

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSCODE: "wrong-guess"}
    )

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_auth"}
    assert passcodes_sent(phone) == ["wrong-guess"]
    assert mock_config_entry.data[CONF_PASSCODE] == PASSCODE

    # The same wrong guess again is refused without asking the phone.
    phone.clear_logs()
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSCODE: "wrong-guess"}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    assert phone.requests == []
    assert phone.failures == 1

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSCODE: "N3w-passcode"}
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert passcodes_sent(phone) == ["N3w-passcode"]
    assert mock_config_entry.data == {
        CONF_HOST: phone.address,
        CONF_PASSCODE: "N3w-passcode",
        CONF_SSL: False,
        CONF_VERIFY_SSL: False,
    }
    await hass.async_block_till_done()
    assert len(mock_setup_entry.mock_calls) == 1


# -- reconfiguration -------------------------------------------------------------


async def start_reconfigure(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    """Open the reconfigure step, prefilled from the entry; return the flow id."""
    result = await entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    suggested = form_fields(result)
    assert suggested == {
        CONF_HOST: entry.data[CONF_HOST],
        CONF_SSL: entry.data[CONF_SSL],
        CONF_VERIFY_SSL: entry.data[CONF_VERIFY_SSL],
    }
    return str(result["flow_id"])


def connection(host: str, ssl: bool = False) -> dict[str, Any]:
    """What a user submits in the reconfigure step."""
    return {CONF_HOST: host, CONF_SSL: ssl, CONF_VERIFY_SSL: False}


async def test_reconfigure_new_host(
    hass: HomeAssistant, phone: SimulatedPhone, closed_port: int
) -> None:
    """The phone moved; a wrong port first, then the right one."""
    entry = add_entry(hass, "192.0.2.10")
    flow_id = await start_reconfigure(hass, entry)

    result = await hass.config_entries.flow.async_configure(
        flow_id, connection(f"127.0.0.1:{closed_port}")
    )

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_connect"}

    result = await hass.config_entries.flow.async_configure(
        flow_id, connection(f"http://{phone.address}/")
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data == {
        CONF_HOST: phone.address,
        CONF_PASSCODE: PASSCODE,
        CONF_SSL: False,
        CONF_VERIFY_SSL: False,
    }
    assert entry.unique_id is None
    assert passcodes_sent(phone) == [PASSCODE]


@pytest.mark.parametrize("profile", [fast_profile(https=True)])
async def test_reconfigure_to_https(hass: HomeAssistant, phone: SimulatedPhone) -> None:
    """The phone's web access was switched to HTTPS."""
    entry = add_entry(hass, phone.address)
    flow_id = await start_reconfigure(hass, entry)

    result = await hass.config_entries.flow.async_configure(
        flow_id, connection(phone.address, ssl=True)
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_SSL] is True
    assert entry.data[CONF_VERIFY_SSL] is False
    assert passcodes_sent(phone) == [PASSCODE]


async def test_reconfigure_invalid_host(
    hass: HomeAssistant, phone: SimulatedPhone, mock_config_entry: MockConfigEntry
) -> None:
    """An unusable host is refused before anything is sent."""
    mock_config_entry.add_to_hass(hass)
    flow_id = await start_reconfigure(hass, mock_config_entry)

    result = await hass.config_entries.flow.async_configure(
        flow_id, connection("phone lan")
    )

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_HOST: "invalid_host"}
    assert phone.requests == []

    result = await hass.config_entries.flow.async_configure(
        flow_id, connection(phone.address)
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"


async def test_reconfigure_same_phone(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """The MAC at the new address matches the entry's."""
    entry = add_entry(hass, "192.0.2.10", unique_id=MAC)
    flow_id = await start_reconfigure(hass, entry)

    with patch(MAC_LOOKUP, return_value=MAC):
        result = await hass.config_entries.flow.async_configure(
            flow_id, connection(phone.address)
        )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_HOST] == phone.address
    assert entry.unique_id == MAC


async def test_reconfigure_unknown_mac_keeps_unique_id(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """No neighbour entry at the new address: the entry keeps its MAC."""
    entry = add_entry(hass, "192.0.2.10", unique_id=MAC)
    flow_id = await start_reconfigure(hass, entry)

    result = await hass.config_entries.flow.async_configure(
        flow_id, connection(phone.address)
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.unique_id == MAC


async def test_reconfigure_wrong_device(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """Another phone answers at the new address: nothing changes."""
    entry = add_entry(hass, "192.0.2.10", unique_id=OTHER_MAC)
    flow_id = await start_reconfigure(hass, entry)

    with patch(MAC_LOOKUP, return_value=MAC):
        result = await hass.config_entries.flow.async_configure(
            flow_id, connection(phone.address)
        )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_device"
    assert entry.data[CONF_HOST] == "192.0.2.10"
    assert entry.unique_id == OTHER_MAC


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
    flow_id = await start_reconfigure(hass, mock_config_entry)

    with patch(MAC_LOOKUP, return_value=MAC):
        result = await hass.config_entries.flow.async_configure(
            flow_id, connection(phone.address)
        )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
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
    flow_id = await start_reconfigure(hass, mock_config_entry)

    with patch(MAC_LOOKUP, return_value=MAC):
        result = await hass.config_entries.flow.async_configure(
            flow_id, connection(phone.address)
        )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert mock_config_entry.unique_id is None
    assert other.data[CONF_HOST] == "192.0.2.10"


# -- options: the Action URLs to paste into the phone ------------------------------


async def test_options_show_action_urls(hass: HomeAssistant) -> None:
    """Without a local URL the dialog says so; once set, it lists the URLs."""
    entry = add_entry(hass, "192.0.2.10", webhook_id="0123abcd")

    with patch(
        "custom_components.grandstream.push.get_url", side_effect=NoURLAvailableError
    ):
        result = await hass.config_entries.options.async_init(entry.entry_id)

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"
    assert result["errors"] == {"base": "no_local_url"}
    assert result["description_placeholders"] == {"urls": ""}

    await async_process_ha_core_config(
        hass, {"internal_url": "http://192.168.1.2:8123"}
    )
    result = await hass.config_entries.options.async_init(entry.entry_id)

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {}
    assert result["description_placeholders"] is not None
    urls = result["description_placeholders"]["urls"]
    assert "http://192.168.1.2:8123/api/webhook/0123abcd?event=boot&" in urls
    assert "0123abcd?event=incoming&" in urls

    # There is nothing to choose: closing the dialog changes nothing.
    result = await hass.config_entries.options.async_configure(result["flow_id"], {})

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {}


async def test_options_before_first_load(hass: HomeAssistant) -> None:
    """The webhook is made on the first load; before it there is nothing to show."""
    entry = add_entry(hass, "192.0.2.10")
    await async_process_ha_core_config(
        hass, {"internal_url": "http://192.168.1.2:8123"}
    )

    result = await hass.config_entries.options.async_init(entry.entry_id)

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "no_webhook"}
    assert result["description_placeholders"] == {"urls": ""}


async def test_reconfigure_with_a_rejected_passcode(
    hass: HomeAssistant,
    phone: SimulatedPhone,
    mock_config_entry: MockConfigEntry,
    mock_setup_entry: AsyncMock,
) -> None:
    """The stored passcode is rejected: the form asks for it, never resends it."""
    mock_config_entry.add_to_hass(hass)
    phone.profile.passcode = "changed-on-the-phone"
    flow_id = await start_reconfigure(hass, mock_config_entry)

    result = await hass.config_entries.flow.async_configure(
        flow_id, connection(phone.address)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_auth"}
    assert CONF_PASSCODE in form_fields(result)
    assert phone.failures == 1
    assert passcodes_sent(phone) == [PASSCODE]
    assert mock_config_entry.data[CONF_PASSCODE] == PASSCODE

    result = await hass.config_entries.flow.async_configure(
        flow_id, {**connection(phone.address), CONF_PASSCODE: "changed-on-the-phone"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert mock_config_entry.data[CONF_PASSCODE] == "changed-on-the-phone"
    assert passcodes_sent(phone) == ["changed-on-the-phone"]
    assert phone.failures == 0  # the right passcode resets the phone's count


async def test_reconfigure_while_reauth_is_pending(
    hass: HomeAssistant,
    phone: SimulatedPhone,
    mock_config_entry: MockConfigEntry,
    mock_setup_entry: AsyncMock,
) -> None:
    """A pending reauth: the passcode is asked at once; success settles the reauth."""
    mock_config_entry.add_to_hass(hass)
    await mock_config_entry.start_reauth_flow(hass)
    phone.profile.passcode = "N3w"

    result = await mock_config_entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert CONF_PASSCODE in form_fields(result)

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**connection(phone.address), CONF_PASSCODE: "N3w"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert passcodes_sent(phone) == ["N3w"]
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN) == []
