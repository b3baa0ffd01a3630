"""The simulator replays a captured phone (``python -m simulator --replay PATH``).

Every capture fixture is served byte for byte (status, content type, body);
ringing, answering and hanging up through the control API derive new line
answers from the captured ones; a diagnostics download replays like a folder.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import json
from pathlib import Path
import sys
from typing import Any

import aiohttp
import pytest

from custom_components.grandstream.cti import (
    Capture,
    CapturedAnswer,
    CaptureManifest,
    load_capture,
)
from custom_components.grandstream.cti.models import parse_lines
from simulator.__main__ import build_serve_parser, main
from simulator.replay import ReplayedPhone, capture_library, load_replay

from ..helpers.captures import CAPTURES, capture_folders
from ..helpers.simulator_http import FAST, control
from ..helpers.simulator_process import checkout_env, serving

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.enable_socket

FOLDERS = [folder.name for folder in capture_folders()]
READS = ("api-get_phone_status", "api-get_line_status", "api-get_accounts")
PASSCODE = "replay-pass"


@pytest.fixture(autouse=True)
def _allow_sockets(socket_enabled: None) -> None:
    """Request pytest-socket's fixture for every test in this module."""


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


async def read(
    session: aiohttp.ClientSession, phone: ReplayedPhone, function: str
) -> tuple[int, str, bytes]:
    """Status, content type and the bytes of one read."""
    url = f"{phone.base_url}/cgi-bin/{function}"
    async with session.get(url, params={"passcode": PASSCODE}) as response:
        return (
            response.status,
            response.headers.get("Content-Type", ""),
            await response.read(),
        )


def replayed(capture: Capture) -> ReplayedPhone:
    return ReplayedPhone(capture, passcode=PASSCODE, **FAST)


@pytest.mark.parametrize("folder", FOLDERS)
async def test_every_fixture_is_served_byte_for_byte(
    session: aiohttp.ClientSession, folder: str
) -> None:
    """Status, content type and body of each captured read, unchanged."""
    capture = load_replay(CAPTURES / folder)
    async with replayed(capture) as phone:
        for function in READS:
            answer = capture.answer(function)
            status, content_type, body = await read(session, phone, function)
            if answer is None:
                assert status == 200  # the simulator's own answer
                continue
            assert (status, content_type, body) == (
                answer.status,
                answer.content_type,
                answer.body.encode(),
            ), function


async def test_a_call_on_a_replayed_phone(session: aiohttp.ClientSession) -> None:
    """Ring, answer, hang up: derived answers in the captured shape, then as captured."""
    capture = load_replay(CAPTURES / "wp826-1.0.3.35")
    captured = capture.answer("api-get_line_status")
    assert captured is not None
    async with replayed(capture) as phone:
        assert (phone.profile.model, phone.profile.firmware) == ("WP826", "1.0.3.35")
        assert phone.profile.lines == 4
        await control(session, phone, "ring", {"number": "0301234567", "name": ""})
        _, _, ringing = await read(session, phone, "api-get_line_status")
        entries = json.loads(ringing)["body"]
        # The WP826's shape: compact, acct 0 for the first account, conf, active 0.
        assert ringing.startswith(b'{"response":"success","body":[{"line":1,')
        assert entries[0] == {
            "line": 1,
            "state": "ringing",
            "acct": 0,
            "remotename": "",
            "remotenumber": "0301234567",
            "active": 0,
            "conf": 0,
        }
        _, _, status = await read(session, phone, "api-get_phone_status")
        assert status == b'{"response":"success","body":"ringing","misc":"0"}'
        await control(session, phone, "answer", {})
        _, _, connected = await read(session, phone, "api-get_line_status")
        line = parse_lines(json.loads(connected)["body"])[0]
        assert (line.state.value, line.account, line.remote_name) == (
            "connected",
            1,
            "",  # the number repeated as the name, as a WP826 does
        )
        assert json.loads(connected)["body"][0]["remotename"] == "0301234567"
        await control(session, phone, "hangup", {})
        _, _, idle = await read(session, phone, "api-get_line_status")
        assert idle == captured.body.encode()  # back as captured, byte for byte


async def test_a_capture_with_a_call_keeps_it(session: aiohttp.ClientSession) -> None:
    """A captured call is the phone's state: it can be held and hung up."""
    capture = load_replay(CAPTURES / "gxp21xx-unknown")
    async with replayed(capture) as phone:
        assert phone.line(2).state == "connected"
        assert phone.line(2).account == 2
        assert phone.active_line == 2
        assert [a.id for a in phone.profile.accounts] == [1, 2]
        await control(session, phone, "hangup", {"line": 2})
        _, _, idle = await read(session, phone, "api-get_line_status")
        text = idle.decode()
        assert text.startswith('{ "response": "success", "body": [{"line": 1, ')
        assert text.endswith("] }")
        assert {entry["state"] for entry in json.loads(text)["body"]} == {"idle"}
        assert json.loads(text)["body"][1]["acct"] == 1


async def test_accounts_follow_registration(session: aiohttp.ClientSession) -> None:
    """Captured accounts as captured, until an account's registration changes."""
    body = (
        '{"response":"success","body":[{"id":1,"sip_server":"host-1.example",'
        '"sip_id":"9001","name":"Xqz","reg":1}]}'
    )
    capture = Capture(
        manifest=CaptureManifest("test", "", "test", "0", model="GRP2612"),
        cti=(CapturedAnswer("api-get_accounts", 200, "text/html", body),),
    )
    async with replayed(capture) as phone:
        assert await read(session, phone, "api-get_accounts") == (
            200,
            "text/html",
            body.encode(),
        )
        phone.set_registered(1, False)
        _, _, changed = await read(session, phone, "api-get_accounts")
        assert changed == body.replace('"reg":1', '"reg":0').encode()
        _, _, status = await read(session, phone, "api-get_phone_status")
        assert json.loads(status)["body"] == "unavailable"


LATIN1_ACCOUNTS = (
    '{"response":"success","body":[{"id":1,"sip_server":"host-1.example",'
    '"sip_id":"9001","name":"M\u00fcller","reg":1}]}'
)


async def test_a_latin1_body_without_content_type(
    session: aiohttp.ClientSession,
) -> None:
    """An answer that was no UTF-8 and had no Content-Type: the same bytes,
    and no Content-Type either."""
    capture = Capture(
        manifest=CaptureManifest("test", "", "test", "0"),
        cti=(
            CapturedAnswer(
                "api-get_accounts", 200, "", LATIN1_ACCOUNTS, encoding="latin-1"
            ),
        ),
    )
    async with replayed(capture) as phone:
        status, content_type, body = await read(session, phone, "api-get_accounts")
    assert (status, content_type) == (200, "")
    assert body == LATIN1_ACCOUNTS.encode("latin-1")
    assert b"M\xfcller" in body


async def test_a_captured_refusal_is_replayed(session: aiohttp.ClientSession) -> None:
    """A capture of a refusal answers the refusal, whatever happens."""
    capture = Capture(
        manifest=CaptureManifest("test", "", "test", "0"),
        cti=(CapturedAnswer("api-get_phone_status", 401, "text/html", "<b>nope</b>"),),
    )
    async with replayed(capture) as phone:
        phone.incoming_call("123")
        assert await read(session, phone, "api-get_phone_status") == (
            401,
            "text/html",
            b"<b>nope</b>",
        )


async def test_a_diagnostics_download_replays(tmp_path: Path) -> None:
    """Home Assistant's download wraps our dict under "data": it replays as is."""
    capture = load_capture(CAPTURES / "wp826-1.0.3.35")
    download = {
        "home_assistant": {"version": "2025.4.4"},
        "data": {"config_entry": {}, "capture": capture.as_dict()},
    }
    path = tmp_path / "config_entry-grandstream.json"
    path.write_text(json.dumps(download), encoding="utf-8")
    replayed_capture = load_replay(path)
    assert replayed_capture.cti == capture.cti
    assert replayed_capture.shows() == capture.shows()


def test_the_library_loads_without_home_assistant() -> None:
    """``python -m simulator --replay`` reads captures with the library alone."""
    code = (
        "import sys; from simulator.replay import capture_library; "
        "library = capture_library(); "
        "assert 'homeassistant' not in sys.modules, 'Home Assistant imported'; "
        "print(library.__name__)"
    )
    import subprocess

    result = subprocess.run(
        [sys.executable, "-c", code],
        env=checkout_env(),
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() in ("_simulator_grandstream_cti", "grandstream_cti")
    assert capture_library().__name__ == "custom_components.grandstream.cti"


def test_bad_replay_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    """A path that is no capture, or --phones with --replay, is refused at once."""
    with pytest.raises(SystemExit):
        main(["--replay", str(ROOT / "README.md")])
    assert "not a readable JSON file" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--replay", str(CAPTURES / FOLDERS[0]), "--phones", "2"])
    assert "one phone" in capsys.readouterr().err
    args = build_serve_parser().parse_args(["--replay", "x"])
    assert args.replay == "x"


async def test_replay_from_the_command_line(session: aiohttp.ClientSession) -> None:
    """``python -m simulator --replay FOLDER`` serves the capture over HTTP."""
    folder = CAPTURES / "gxp21xx-unknown"
    captured = load_capture(folder).answer("api-get_line_status")
    assert captured is not None
    async with serving(
        "--replay", str(folder), "--port", "0", "--passcode", PASSCODE
    ) as output:
        first = (await asyncio.wait_for(output.readline(), 30)).decode()
        assert first.startswith("phone 1: http://127.0.0.1:"), first
        url = first.split()[2]
        async with session.get(
            f"{url}/cgi-bin/api-get_line_status", params={"passcode": PASSCODE}
        ) as response:
            assert await response.read() == captured.body.encode()
        async with session.post(f"{url}/_sim/ring", json={"number": "1"}) as response:
            reply: Any = await response.json()
            assert reply["line"] == 1
