"""Learning a phone's MAC from the host's ARP table."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
import socket
from unittest.mock import AsyncMock, patch

from homeassistant.core import HomeAssistant
import pytest

from custom_components.grandstream.neighbours import (
    async_mac_from_neighbours,
    host_address,
    parse_arp_table,
)

# /proc/net/arp as Linux writes it: a header, complete rows (flags 0x2) and
# incomplete ones (flags 0x0, all-zero MAC) for neighbours that did not answer.
ARP_TABLE = """\
IP address       HW type     Flags       HW address            Mask     Device
192.168.1.50     0x1         0x2         00:0b:82:12:34:56     *        eth0
192.168.1.1      0x1         0x2         A0:B5:49:01:02:03     *        eth0
192.168.1.77     0x1         0x0         00:00:00:00:00:00     *        eth0
10.0.0.9         0x1         0x6         ec:74:d7:ab:cd:ef     *        wlan0

"""


def test_parse_arp_table() -> None:
    """Complete rows map to formatted MACs; incomplete and blank rows are skipped."""
    assert parse_arp_table(ARP_TABLE) == {
        "192.168.1.50": "00:0b:82:12:34:56",
        "192.168.1.1": "a0:b5:49:01:02:03",
        "10.0.0.9": "ec:74:d7:ab:cd:ef",
    }


@pytest.mark.parametrize("text", ["", ARP_TABLE.splitlines()[0], "garbage\n1 2 3"])
def test_parse_arp_table_without_rows(text: str) -> None:
    """An empty table, a bare header or short rows give nothing."""
    assert parse_arp_table(text) == {}


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("http://192.168.1.50", "192.168.1.50"),
        ("https://192.168.1.50:8443", "192.168.1.50"),
        ("http://phone.lan:8080", "phone.lan"),
        ("http://[2001:db8::1]:8080", "2001:db8::1"),
    ],
)
def test_host_address(url: str, host: str) -> None:
    """The port is never part of the host."""
    assert host_address(url) == host


@pytest.fixture
def arp_file(tmp_path: Path) -> Iterator[Path]:
    """Read the ARP table from a file the test writes."""
    path = tmp_path / "arp"
    path.write_text(ARP_TABLE, encoding="ascii")
    with patch("custom_components.grandstream.neighbours.ARP_TABLE", path):
        yield path


@pytest.mark.usefixtures("arp_file")
@pytest.mark.parametrize(
    ("url", "mac"),
    [
        ("http://192.168.1.50", "00:0b:82:12:34:56"),
        ("https://192.168.1.50:8443", "00:0b:82:12:34:56"),
        # Known to the kernel, but it never answered.
        ("http://192.168.1.77", None),
        # Not on the local network (or not talked to yet).
        ("http://192.0.2.10", None),
    ],
)
async def test_mac_of_ipv4_address(
    hass: HomeAssistant, url: str, mac: str | None
) -> None:
    """An IPv4 address is looked up in the ARP table."""
    assert await async_mac_from_neighbours(hass, url) == mac


@pytest.mark.usefixtures("arp_file")
@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080",
        "http://127.0.0.2",
        "http://[::1]",
        "http://[fe80::20b:82ff:fe12:3456]",
        "",
    ],
)
async def test_no_mac_for_loopback_ipv6_or_no_host(
    hass: HomeAssistant, url: str
) -> None:
    """Loopback and IPv6 addresses have no ARP entry; no host, nothing to look up."""
    assert await async_mac_from_neighbours(hass, url) is None


async def test_mac_of_host_name(hass: HomeAssistant, arp_file: Path) -> None:
    """A host name is resolved to IPv4 first."""
    resolve = AsyncMock(
        return_value=[
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("192.168.1.50", 0)),
        ]
    )
    with patch.object(hass.loop, "getaddrinfo", resolve):
        mac = await async_mac_from_neighbours(hass, "http://phone.lan:8080")

    assert mac == "00:0b:82:12:34:56"
    resolve.assert_awaited_once_with("phone.lan", None, family=socket.AF_INET)


async def test_host_name_resolving_to_loopback(
    hass: HomeAssistant, arp_file: Path
) -> None:
    """``localhost`` and friends have no neighbour entry."""
    resolve = AsyncMock(
        return_value=[(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 0))]
    )
    with patch.object(hass.loop, "getaddrinfo", resolve):
        assert await async_mac_from_neighbours(hass, "http://localhost") is None


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (None, socket.gaierror(socket.EAI_NONAME, "Name or service not known")),
        (None, OSError("Network is unreachable")),
        ([], None),
    ],
    ids=["unknown", "oserror", "empty"],
)
async def test_host_name_not_resolved(
    hass: HomeAssistant,
    arp_file: Path,
    answer: list[object] | None,
    error: OSError | None,
) -> None:
    """A name that does not resolve gives no MAC, and no error."""
    resolve = AsyncMock(return_value=answer, side_effect=error)
    with patch.object(hass.loop, "getaddrinfo", resolve):
        assert await async_mac_from_neighbours(hass, "http://phone.lan") is None
    resolve.assert_awaited_once()


async def test_missing_arp_table(hass: HomeAssistant, tmp_path: Path) -> None:
    """Without /proc/net/arp (not Linux, or sandboxed) no MAC is learnt."""
    with patch(
        "custom_components.grandstream.neighbours.ARP_TABLE", tmp_path / "missing"
    ):
        assert await async_mac_from_neighbours(hass, "http://192.168.1.50") is None
