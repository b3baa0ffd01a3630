"""Diagnostics: what a bug report shows, without secrets or callers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
import json
from pathlib import Path
import random
from unittest.mock import patch

from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from custom_components.grandstream.capture_keeper import (
    MAX_KEEPERS,
    capture_keeper,
    forget_captures,
)
from custom_components.grandstream.cti import capture_in
from custom_components.grandstream.phone_setup import async_run_phone_setup
from simulator import SimulatedPhone
from simulator.actionurl import send_raw_get
from simulator.replay import ReplayedPhone

from ..cti.redaction_checks import mac_survives
from ..helpers.phone import PASSCODE, PHONE_MAC
from ..helpers.waiting import settle

CALLER_NUMBER = "+4930123456"
CALLER_NAME = "Ada Lovelace"


@pytest.fixture(autouse=True)
def _redaction_seed() -> Iterator[None]:
    """Redaction draws from a fixed seed here: snapshots, and no chance match.

    (A random replacement could spell "Max" or "1001" by chance, once in a
    few thousand runs; the seed makes each run the same.)
    """
    with patch(
        "custom_components.grandstream.cti.redact.fresh_random",
        lambda: random.Random(7),
    ):
        yield


async def test_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    phone: SimulatedPhone,
    init_integration: MockConfigEntry,
    snapshot: SnapshotAssertion,
) -> None:
    """Diagnostics of an idle phone; the host's port changes from run to run."""
    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, init_integration
    )

    assert diagnostics["config_entry"]["data"]["host"] == phone.address
    assert diagnostics == snapshot(exclude=props("host", "taken_at", "tool_version"))


async def test_diagnostics_hide_passcode_and_callers(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    phone: SimulatedPhone,
    mock_config_entry: MockConfigEntry,
) -> None:
    """During a call and after a missed one, neither passcode nor callers show."""
    phone.incoming_call("+4930555666", "Max Muster")
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    phone.miss_call()
    await mock_config_entry.runtime_data.async_refresh()
    phone.incoming_call(CALLER_NUMBER, CALLER_NAME)
    phone.answer()
    phone.incoming_call("+4940654321", "Grace Hopper")
    await mock_config_entry.runtime_data.async_refresh()
    await hass.async_block_till_done()
    assert hass.states.get("sensor.front_desk_line_1").state == "connected"
    assert hass.states.get("sensor.front_desk_missed_calls").state == "1"
    assert hass.states.get("sensor.front_desk_last_caller").state == "Grace Hopper"

    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, mock_config_entry
    )

    dump = json.dumps(diagnostics)
    for secret in (
        PASSCODE,
        CALLER_NUMBER,
        CALLER_NAME,
        "4940654321",
        "Grace",
        "4930555666",
        "Max",
    ):
        assert secret not in dump
    lines = diagnostics["phone"]["lines"]
    assert [line["state"] for line in lines[:2]] == ["connected", "ringing"]
    # The account's SIP user, server and name are personal too.
    assert "1001" not in dump
    assert "pbx.example.test" not in dump


async def test_diagnostics_while_unreachable(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    phone: SimulatedPhone,
    init_integration: MockConfigEntry,
) -> None:
    """Diagnostics still work when the phone is gone, and say why."""
    await phone.stop()
    # Diagnostics load code that breaks under freezegun, so time is not frozen
    # here: firing the timers that fall due is enough.
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=6))
    await hass.async_block_till_done(wait_background_tasks=True)

    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, init_integration
    )

    assert diagnostics["coordinator"]["last_update_success"] is False
    assert diagnostics["coordinator"]["last_exception"] == "UpdateFailed"
    assert PASSCODE not in json.dumps(diagnostics)


async def test_diagnostics_capture_the_phone_s_own_words(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    ha_url: str,
    phone: SimulatedPhone,
    push_integration: MockConfigEntry,
) -> None:
    """Raw answers, pushes, set-up answers, unknown values: redacted, replayable."""
    entry = push_integration
    webhook_id = entry.data[CONF_WEBHOOK_ID]
    # A set-up through the web session (login, slots, read-back, logout).
    await async_run_phone_setup(hass, entry.data, username="admin")
    phone.incoming_call(CALLER_NUMBER, CALLER_NAME)
    await settle(hass, phone)
    phone.answer()
    await settle(hass, phone)
    # A push nobody understands, and a line state nobody documented.
    hook = f"{ha_url}/api/webhook/{webhook_id}"
    assert await send_raw_get(f"{hook}?e=transferred&r=+4940654321", "GXP", 5) == 200
    phone.line(2).state = "conference"
    await entry.runtime_data.async_refresh()
    await hass.async_block_till_done()

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)

    capture = diagnostics["capture"]
    dump = json.dumps(diagnostics, ensure_ascii=False)
    for secret in (PASSCODE, webhook_id, CALLER_NUMBER, "4930123456", "4940654321"):
        assert secret not in dump, secret
    for word in (CALLER_NAME, "Ada", "Lovelace", "1001", "pbx.example.test"):
        assert word not in dump, word
    assert not mac_survives(PHONE_MAC, dump)
    login = next(a for a in capture["web"] if a["function"] == "dologin")
    assert json.loads(login["body"])["body"]["sid"] == "REDACTED"
    manifest = capture["manifest"]
    assert manifest["source"] == "diagnostics"
    assert manifest["redacted"] is True
    assert manifest["cti"] == [
        "api-get_phone_status",
        "api-get_line_status",
        "api-get_accounts",
    ]
    assert [name.split("-", 1)[1] for name in manifest["web"]][:3] == [
        "access",
        "dologin",
        "config_get",
    ]
    assert manifest["web"][-1].endswith("dologout")
    queries = [push["query"] for push in capture["pushes"]]
    assert queries[0].startswith("e=incoming&m=000b82"), queries
    # One MAC, one replacement: in the pushes and in the entry's unique id.
    redacted_mac = diagnostics["config_entry"]["unique_id"]
    assert redacted_mac.startswith("00:0b:82:")
    assert f"m={redacted_mac.replace(':', '')}&" in queries[0]
    assert queries[-1].startswith("e=transferred&r=+")
    assert {(u["kind"], u["value"]) for u in capture["unknown"]} >= {
        ("line_state", "conference"),
        ("push_event", "transferred"),
    }
    # The Action URLs read back at set-up point nowhere and carry no webhook id.
    config = next(a for a in capture["web"] if a["function"] == "config_get")
    assert "/api/webhook/" + "x" * len(webhook_id) in config["body"].replace("\\/", "/")
    # What diagnostics carry is a capture the simulator replays.
    replayable = capture_in({"data": diagnostics})
    assert replayable.shows()["lines"][0] == {
        "line": 1,
        "state": "connected",
        "account": 1,
    }
    async with ReplayedPhone(replayable, passcode=PASSCODE) as replay:
        assert replay.line(1).state == "connected"


async def test_diagnostics_carry_a_capture_as_one_json_object(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    init_integration: MockConfigEntry,
    tmp_path: Path,
) -> None:
    """An entry's diagnostics always carry a capture, as one JSON object."""
    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, init_integration
    )
    path = tmp_path / "diagnostics.json"
    path.write_text(json.dumps({"data": diagnostics}), encoding="utf-8")
    assert capture_in(json.loads(path.read_text())).manifest.source == "diagnostics"


async def test_capture_keepers_stay_bounded(hass: HomeAssistant) -> None:
    """Flows abandoned before their entry existed cannot pile keepers up."""
    first = capture_keeper(hass, "webhook-0")
    assert capture_keeper(hass, "webhook-0") is first
    for index in range(1, MAX_KEEPERS + 1):
        capture_keeper(hass, f"webhook-{index}")
    assert capture_keeper(hass, "webhook-0") is not first
    kept = capture_keeper(hass, "webhook-5")
    forget_captures(hass, "webhook-5")
    forget_captures(hass, None)
    assert capture_keeper(hass, "webhook-5") is not kept


async def test_a_loaded_phones_keeper_outlives_abandoned_flows(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """However many flows come and go, a loaded phone's keeper (the one its
    webhook and diagnostics share) is never the one dropped."""
    webhook_id = str(init_integration.data[CONF_WEBHOOK_ID])
    own = capture_keeper(hass, webhook_id)
    oldest_flow = capture_keeper(hass, "abandoned-0")
    for index in range(1, 2 * MAX_KEEPERS):
        capture_keeper(hass, f"abandoned-{index}")
    assert capture_keeper(hass, webhook_id) is own
    # The bound still holds for the flows: the oldest of them went.
    assert capture_keeper(hass, "abandoned-0") is not oldest_flow


@pytest.mark.parametrize(
    "host", ["192.168.1.50", "192.168.1.50:8443", "[2001:db8::7]:443", "phone.lan:8443"]
)
def test_the_phones_address_is_redacted_its_port_kept(host: str) -> None:
    """The address identifies a network: replaced; the port tells how to reach it."""
    from custom_components.grandstream.cti import Redactor
    from custom_components.grandstream.diagnostics import _redacted_host

    shown = _redacted_host(Redactor([]), host)
    for part in ("192.168.1.50", "2001:db8::7", "phone.lan"):
        assert part not in shown
    assert shown.endswith(
        host[host.rindex(":") :] if "]:" in host or host.count(":") == 1 else ""
    )
