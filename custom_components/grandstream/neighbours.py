"""Learn a phone's MAC address from the host's neighbour (ARP) table.

The CTI interface does not report the MAC, but right after we talked to a
phone on the local network the kernel knows it. A MAC is the only identity
that survives a change of address, so it becomes the config entry's unique
id; without one the entry has none (never the IP address).
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
import socket

from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import format_mac
from yarl import URL

ARP_TABLE = Path("/proc/net/arp")
_INCOMPLETE_MAC = "00:00:00:00:00:00"


def host_address(url: str) -> str | None:
    """The host part of a base URL (no port)."""
    return URL(url).host


async def async_mac_from_neighbours(hass: HomeAssistant, base_url: str) -> str | None:
    """Return the formatted MAC of the phone at ``base_url``, if the host knows it."""
    host = host_address(base_url)
    if not host:
        return None
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        try:
            infos = await hass.loop.getaddrinfo(host, None, family=socket.AF_INET)
        except OSError:
            return None
        if not infos:
            return None
        address = ipaddress.ip_address(infos[0][4][0])
    if address.version != 4 or address.is_loopback:
        return None
    table = await hass.async_add_executor_job(_read_arp_table)
    return parse_arp_table(table).get(str(address))


def _read_arp_table() -> str:
    try:
        return ARP_TABLE.read_text(encoding="ascii", errors="replace")
    except OSError:
        return ""


def parse_arp_table(text: str) -> dict[str, str]:
    """Map IPv4 addresses to formatted MACs from ``/proc/net/arp`` text."""
    result: dict[str, str] = {}
    for row in text.splitlines()[1:]:
        fields = row.split()
        if len(fields) >= 4 and fields[3] != _INCOMPLETE_MAC:
            result[fields[0]] = format_mac(fields[3])
    return result
