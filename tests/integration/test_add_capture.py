"""``scripts/add-capture``: a diagnostics download becomes a fixture the suite tests.

The diagnostics of the integration running against a simulated phone (a
call ringing on its second account) go through ``scripts/add-capture`` into a
folder of captures; then the suite's own parametrised tests run, unchanged,
on that folder (``GRANDSTREAM_CAPTURES`` points them there) and pass: the
replay sets up as the capture says, is served byte for byte, and its answers
pass the redaction's properties.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
import sys

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.grandstream.const import CONF_FIRMWARE, CONF_MODEL
from custom_components.grandstream.cti import Capture, load_capture
from custom_components.grandstream.cti.models import parse_accounts
from devtools.add_capture import main
from simulator import PhoneProfile, SimulatedPhone

from ..helpers.entries import phone_entry, setup_entry
from ..helpers.phone import PASSCODE

ROOT = Path(__file__).parents[2]
NAME = "Ирина Петрова"
NUMBER = "+74951234567"
# The suite's tests that pick up every capture folder by themselves.
PARAMETRISED = [
    "tests/integration/test_replay.py::test_every_capture_sets_up_as_it_says",
    "tests/simulator/test_replay.py::test_every_fixture_is_served_byte_for_byte",
    "tests/cti/test_redaction.py::test_nothing_survives_and_the_shape_stays",
]


@pytest.mark.timeout(240)
async def test_a_diagnostics_file_becomes_a_tested_fixture(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    socket_enabled: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """add-capture writes MODEL-FIRMWARE/, redacted again; the suite passes on it."""
    profile = PhoneProfile.preset("gxp21xx", passcode=PASSCODE)
    async with SimulatedPhone(profile) as phone:
        phone.incoming_call(NUMBER, NAME, account=2)
        entry = phone_entry(
            phone, data={CONF_MODEL: "GXP2170", CONF_FIRMWARE: "1.0.11.106"}
        )
        await setup_entry(hass, entry)
        diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
        await hass.config_entries.async_unload(entry.entry_id)
    download = tmp_path / "config_entry-grandstream.json"
    download.write_text(
        json.dumps({"home_assistant": {"version": "x"}, "data": diagnostics}),
        encoding="utf-8",
    )
    root = tmp_path / "captures"
    root.mkdir()

    assert main([str(download), "--root", str(root)]) == 0
    assert main([str(download), "--root", str(root)]) == 0

    out = capsys.readouterr().out
    assert "Added" in out and "line 1: ringing, account 2" in out
    assert sorted(p.name for p in root.iterdir()) == [
        "gxp2170-1.0.11.106",
        "gxp2170-1.0.11.106-2",
    ]
    folder = root / "gxp2170-1.0.11.106"
    fixture = load_capture(folder)
    original = load_capture(download)
    assert fixture.shows() == original.shows()
    assert fixture.manifest.note.endswith("(added by scripts/add-capture)")
    text = "".join(p.read_text(encoding="utf-8") for p in folder.rglob("*.json"))
    for secret in (PASSCODE, NUMBER, NUMBER[1:], NAME, *NAME.split()):
        assert secret not in text, secret
    # SIP ids (1001, 2002): redacted by the diagnostics, and afresh by
    # add-capture (each pass draws its own digits; both ids coming back as
    # they were is a one in 81 million chance).
    downloaded = sip_ids(original)
    assert tuple(downloaded) != ("1001", "2002")
    assert tuple(sip_ids(fixture)) != tuple(downloaded)
    assert [len(i) for i in sip_ids(fixture)] == [4, 4]
    # Redacted again: a fresh redactor drew other digits and letters.
    assert fixture.answer("api-get_line_status") != original.answer(
        "api-get_line_status"
    )

    # The suite's own tests, unchanged, on the new folder.
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "pytest",
        *PARAMETRISED,
        "-v",
        "--no-cov",
        "-p",
        "no:cacheprovider",
        cwd=ROOT,
        env={**os.environ, "GRANDSTREAM_CAPTURES": str(root)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), 200)
    stdout = output.decode()
    assert process.returncode == 0, stdout[-3000:]
    for name in ("gxp2170-1.0.11.106", "gxp2170-1.0.11.106-2"):
        assert f"test_every_capture_sets_up_as_it_says[{name}] PASSED" in stdout
        assert f"test_every_fixture_is_served_byte_for_byte[{name}] PASSED" in (stdout)


def sip_ids(capture: Capture) -> list[str]:
    """The SIP user ids a capture's accounts answer lists."""
    accounts = capture.answer("api-get_accounts")
    assert accounts is not None
    return [a.sip_user for a in parse_accounts(json.loads(accounts.body)["body"])]


def test_what_is_no_capture_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file that holds no capture: exit 2, nothing written."""
    path = tmp_path / "notes.json"
    path.write_text('{"data": {"config_entry": {}}}', encoding="utf-8")
    root = tmp_path / "captures"
    root.mkdir()
    assert main([str(path), "--root", str(root)]) == 2
    assert "Not a Grandstream capture" in capsys.readouterr().err
    assert list(root.iterdir()) == []
