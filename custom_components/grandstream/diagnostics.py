"""Diagnostics: what the phone last reported, without secrets or callers."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_HOST, CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
from yarl import URL

from .capture_keeper import capture_keeper
from .const import CONF_FIRMWARE, CONF_MODEL, CONF_PASSCODE
from .coordinator import GrandstreamConfigEntry
from .cti import Redactor

TO_REDACT_CONFIG = {CONF_PASSCODE, CONF_WEBHOOK_ID, "password"}
# Who called whom is personal data; a bug report needs only the shape.
TO_REDACT_STATUS = {"remote_name", "remote_number", "sip_user", "server", "name"}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: GrandstreamConfigEntry
) -> dict[str, Any]:
    """Return diagnostics for a config entry."""
    coordinator = entry.runtime_data
    snapshot = coordinator.data
    phone: dict[str, Any] | None = None
    if snapshot is not None:
        phone = async_redact_data(
            {
                "status": asdict(snapshot.status),
                "lines": [asdict(line) for line in snapshot.lines],
                "accounts": [asdict(account) for account in snapshot.accounts],
            },
            TO_REDACT_STATUS,
        )
    webhook_id = str(entry.data.get(CONF_WEBHOOK_ID, ""))
    # One redactor for the whole file: the phone's MAC reads the same in the
    # entry's unique id and in the capture.
    redactor = Redactor([str(entry.data.get(CONF_PASSCODE, "")), webhook_id])
    # The phone's own words, redacted by shape: the simulator replays this
    # and scripts/add-capture makes it a test (cti/capture.py).
    capture = capture_keeper(hass, webhook_id).capture(
        coordinator.client,
        redactor=redactor,
        model=entry.data.get(CONF_MODEL),
        firmware=entry.data.get(CONF_FIRMWARE),
    )
    data = async_redact_data(dict(entry.data), TO_REDACT_CONFIG)
    title = entry.title
    if isinstance(host := data.get(CONF_HOST), str) and host:
        # The phone's address (also in the default title) identifies a network.
        data[CONF_HOST] = _redacted_host(redactor, host)
        title = title.replace(host, data[CONF_HOST])
    return {
        "config_entry": {
            "title": redactor.free_text(title),
            "unique_id": redactor.mac(entry.unique_id) if entry.unique_id else None,
            "data": data,
            "host_scheme": "https" if entry.data.get("ssl") else "http",
        },
        "phone": phone,
        "coordinator": coordinator.diagnostics(),
        "capture": capture.as_dict(),
    }


def _redacted_host(redactor: Redactor, host: str) -> str:
    """``host[:port]`` with the address replaced (loopback kept) and the port kept."""
    url = URL(f"http://{host}")
    if not url.host:
        return redactor.free_text(host)
    address = redactor.ip(url.host)
    if ":" in address:
        address = f"[{address}]"
    return address if url.explicit_port is None else f"{address}:{url.explicit_port}"
