"""The integration against replayed phones: captures become tests.

- Every capture in tests/fixtures/captures (whatever ``scripts/add-capture``
  put there) is replayed by the simulator, and the integration sets up and
  shows the lines, states and account numbers the capture says — or, for a
  capture of a refusal, does not set up. No test code per capture.
- A capture taken by the command line from each simulated phone, and the
  diagnostics of the integration running against it, replay as that phone:
  the integration shows against the replay what it showed against the
  original (numbers and names redacted, so only their shape compares).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.grandstream.cti import (
    Capture,
    CapturedAnswer,
    CaptureManifest,
    LineState,
    PhoneState,
    number_kind,
)
from custom_components.grandstream.cti.refusal import find_refusal
from custom_components.grandstream.sensor import LINE_STATES, PHONE_STATES
from simulator import PhoneProfile, SimulatedPhone
from simulator.replay import ReplayedPhone, load_replay

from ..helpers.captures import CAPTURES, capture_folders
from ..helpers.cli import cli
from ..helpers.entries import phone_entry, setup_entry
from ..helpers.phone import PASSCODE

FOLDERS = [folder.name for folder in capture_folders()]
FAST: dict[str, Any] = {"key_interval": 0.02, "reboot_duration": 0.3}
READS = ("api-get_phone_status", "api-get_line_status", "api-get_accounts")

# Real sockets (the simulator), and every line's sensor.
pytestmark = pytest.mark.usefixtures(
    "socket_enabled", "entity_registry_enabled_by_default"
)


async def set_up(
    hass: HomeAssistant, phone: SimulatedPhone, entry_id: str
) -> MockConfigEntry:
    """An entry for ``phone``, set up; whatever the outcome."""
    entry = phone_entry(phone, entry_id=entry_id)
    await setup_entry(hass, entry)
    return entry


def state_of(hass: HomeAssistant, entry: MockConfigEntry, key: str) -> Any:
    """The state object of the entry's entity with this description key."""
    registry = er.async_get(hass)
    for item in er.async_entries_for_config_entry(registry, entry.entry_id):
        if item.unique_id.endswith(f"_{key}"):
            return hass.states.get(item.entity_id)
    return None


def view(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    """What the integration shows of the phone, numbers and names by shape."""
    shown: dict[str, Any] = {}
    registry = er.async_get(hass)
    prefix = f"{entry.unique_id or entry.entry_id}_"
    for item in er.async_entries_for_config_entry(registry, entry.entry_id):
        key = item.unique_id.removeprefix(prefix)
        state = hass.states.get(item.entity_id)
        if state is None:
            continue
        if key.startswith("line_"):
            attributes = state.attributes
            number = attributes.get("remote_number") or ""
            shown[key] = (
                state.state,
                attributes.get("account"),
                attributes.get("active"),
                attributes.get("conference"),
                number_kind(number),
                len(number),
                len(attributes.get("remote_name") or ""),
                bool(attributes.get("account_sip_user")),
            )
        elif key == "phone_status" or item.domain == "binary_sensor":
            shown[key] = state.state
    return shown


@pytest.mark.parametrize("folder", FOLDERS)
async def test_every_capture_sets_up_as_it_says(
    hass: HomeAssistant, folder: str
) -> None:
    """Lines, states and account numbers as the capture's own answers say."""
    await sets_up_as_it_says(hass, load_replay(CAPTURES / folder))


async def sets_up_as_it_says(hass: HomeAssistant, capture: Capture) -> bool:
    """Set the integration up against the replay; check it shows what the capture says.

    A capture of a refusal (or of garbage where status and lines should be)
    must not set up, as against that phone. Returns whether it set up.
    """
    shows = capture.shows()
    refused = any(
        find_refusal(answer.status, answer.body) is not None
        for function in READS
        if (answer := capture.answer(function)) is not None
    ) or any(
        # Status and lines are needed; a phone without accounts still sets up.
        shows_nothing(shows, function)
        for function in READS[:2]
        if capture.answer(function) is not None
    )
    async with ReplayedPhone(capture, passcode=PASSCODE, **FAST) as phone:
        entry = await set_up(hass, phone, "01JREPLAYENTRY0000000000001")
        if refused:
            assert entry.state is not ConfigEntryState.LOADED
            await hass.config_entries.async_remove(entry.entry_id)
            return False
        assert entry.state is ConfigEntryState.LOADED
        if shows["phone_state"] is not None:
            expected = PHONE_STATES[PhoneState(shows["phone_state"])]
            assert state_of(hass, entry, "phone_status").state == expected
        for line in shows["lines"] or []:
            state = state_of(hass, entry, f"line_{line['line']}")
            assert state is not None, line
            assert state.state == LINE_STATES[LineState(line["state"])], line
            assert state.attributes["account"] == line["account"], line
        if shows["lines"] is not None:
            assert state_of(hass, entry, f"line_{len(shows['lines']) + 1}") is None
        for account in shows["accounts"] or []:
            registered = state_of(hass, entry, f"account_{account['id']}_registered")
            assert registered.state == ("on" if account["registered"] else "off")
        await hass.config_entries.async_remove(entry.entry_id)
        return True


LINE = (
    '{"response":"success","body":[{"line":1,"state":"transfer","acct":"2",'
    '"remotename":"","remotenumber":"7","active":1},{"line":2,"state":"idle",'
    '"acct":"","remotename":"","remotenumber":"","active":0}]}'
)


@pytest.mark.parametrize(
    ("answers", "loads"),
    [
        # "unauthorized" in a success envelope (the vendor's own code) and a 401.
        (
            {
                "api-get_phone_status": (
                    200,
                    '{"response":"success","body":"unauthorized"}',
                )
            },
            False,
        ),
        ({"api-get_phone_status": (401, "<h1>401</h1>")}, False),
        ({"api-get_line_status": (200, "garbage")}, False),
        # Accounts that do not parse: the phone sets up without them.
        ({"api-get_line_status": (200, LINE), "api-get_accounts": (200, "[]")}, True),
        ({"api-get_line_status": (200, LINE)}, True),
    ],
)
async def test_captures_of_odd_phones(
    hass: HomeAssistant, answers: dict[str, tuple[int, str]], loads: bool
) -> None:
    """What a user's capture might hold: refusals, garbage, an unknown state."""
    capture = Capture(
        manifest=CaptureManifest("test", "", "test", "0"),
        cti=tuple(
            CapturedAnswer(function, status, "text/plain", body)
            for function, (status, body) in answers.items()
        ),
    )
    assert await sets_up_as_it_says(hass, capture) is loads


def shows_nothing(shows: dict[str, Any], function: str) -> bool:
    """Whether a captured read is no success (a refusal, garbage)."""
    part = {
        "api-get_phone_status": "phone_state",
        "api-get_line_status": "lines",
        "api-get_accounts": "accounts",
    }[function]
    return shows[part] is None


@pytest.mark.parametrize("preset", ["guide", "wp826", "wp826-3line", "gxp21xx"])
async def test_a_phone_replays_as_it_was(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    tmp_path: Path,
    preset: str,
) -> None:
    """CLI capture and diagnostics of a phone in a call: the same view replayed."""
    profile = PhoneProfile.preset(preset, passcode=PASSCODE, **FAST)
    second = profile.account(2) is not None
    async with SimulatedPhone(profile) as phone:
        phone.incoming_call("+4930123456", "Ирина Петрова", account=2 if second else 1)
        phone.answer()
        phone.incoming_call("0301234567", "")
        original = await set_up(hass, phone, "01JREPLAYENTRY0000000000002")
        assert original.state is ConfigEntryState.LOADED
        seen = view(hass, original)
        assert seen["line_1"][:2] == ("connected", 2 if second else 1)
        assert seen["line_2"][0] == "ringing"
        # The command line's capture of the phone, and the integration's own.
        folder = tmp_path / "capture"
        result = await cli(["capture", phone.address, "-o", str(folder), "--web"])
        assert result.code == 0, result.text
        diagnostics = await get_diagnostics_for_config_entry(
            hass, hass_client, original
        )
        download = tmp_path / "config_entry-grandstream.json"
        download.write_text(
            json.dumps({"home_assistant": {}, "data": diagnostics}), encoding="utf-8"
        )
        await hass.config_entries.async_unload(original.entry_id)
    for index, path in enumerate((folder, download), start=3):
        capture = load_replay(path)
        async with ReplayedPhone(capture, passcode=PASSCODE, **FAST) as replay:
            assert replay.profile.lines == profile.lines
            entry = await set_up(hass, replay, f"01JREPLAYENTRY000000000000{index}")
            assert entry.state is ConfigEntryState.LOADED, path.name
            assert view(hass, entry) == seen, path.name
            await hass.config_entries.async_unload(entry.entry_id)
