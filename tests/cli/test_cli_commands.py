"""Reads and commands of the command line against the simulated phone, and its inputs."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from custom_components.grandstream.cti import __version__
from devtools.processes import free_port
from simulator import Fault, PhoneProfile, SimulatedPhone

from ..helpers.cli import WRONG, cli
from ..helpers.phone import PASSCODE, fast_profile

KEYS = ["--key-interval", "0.02"]


async def test_help_and_version() -> None:
    """--help lists every command and the exit codes; --version the library's."""
    result = await cli(["--help"], passcode=None)
    assert result.code == 0
    for command in (
        "probe",
        "status",
        "lines",
        "watch",
        "dial",
        "keys",
        "answer",
        "hangup",
        "reject",
        "hold",
        "reboot",
        "action-urls",
        "capture",
    ):
        assert command in result.out
    assert "exit codes" in result.out
    assert "GRANDSTREAM_PASSCODE" in result.out
    version = await cli(["--version"], passcode=None)
    assert version.out.strip() == f"grandstream-cti {__version__}"


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["status"],
        ["frobnicate", "127.0.0.1"],
        ["dial", "127.0.0.1", "123", "--account", "0"],
        ["watch", "127.0.0.1", "--interval", "-1"],
        ["action-urls", "set", "127.0.0.1"],
        ["action-urls", "set", "127.0.0.1", "--url", "http://x/", "--events", "nope"],
        ["probe", "127.0.0.1", "--https-port", "70000"],
    ],
)
async def test_bad_arguments(argv: list[str]) -> None:
    """argparse's refusals exit 2 and send nothing."""
    result = await cli(argv)
    assert result.code == 2
    assert "usage:" in result.err


@pytest.mark.parametrize("host", ["", "a b", "user@host", "http://"])
async def test_bad_host(host: str) -> None:
    """A host that is none: exit 2, with --json too."""
    result = await cli(["status", host, "--json"])
    assert result.code == 2
    assert result.json()["error"]["type"] == "BadInput"


async def test_status_text_and_json(phone: SimulatedPhone) -> None:
    """State and accounts; the passcode is proven by the first request alone."""
    text = await cli(["status", phone.address])
    assert text.code == 0, text.text
    assert f"http://{phone.address}: available" in text.out
    assert "account 1 Office: 1001@pbx.example.test, registered" in text.out
    data = (await cli(["status", phone.address, "--json"])).json()
    assert data["status"]["state"] == "available"
    assert data["accounts"][0]["sip_user"] == "1001"


async def test_lines(socket_enabled: None) -> None:
    """Every line; a WP826's account 0 is the user's account 1."""
    profile = PhoneProfile.preset("wp826", passcode=PASSCODE)
    async with SimulatedPhone(profile) as phone:
        phone.incoming_call("+4930123456", "Erika \x1b[31mMustermann", account=1)
        text = await cli(["lines", phone.address])
        data = (await cli(["lines", phone.address, "--json"])).json()
    assert (
        "line 1: ringing +4930123456 (Erika \\x1b[31mMustermann), account 1" in text.out
    )
    assert "\x1b" not in text.out
    assert len(data["lines"]) == 4
    assert data["lines"][0]["raw_account"] == "0"
    assert data["lines"][0]["account"] == 1


@pytest.mark.parametrize("profile", [fast_profile(https=True)])
async def test_https_detected(phone: SimulatedPhone) -> None:
    """Without a scheme, HTTPS is tried first and used."""
    result = await cli(["status", phone.address, "--json"])
    assert result.json()["phone"] == f"https://{phone.address}"


async def test_dial_click_to_dial(phone: SimulatedPhone) -> None:
    """Click-to-dial; the account is the user's (1-based)."""
    result = await cli(["dial", phone.address, "+49 30 123", "--account", "1", *KEYS])
    assert result.code == 0, result.text
    assert "click-to-dial" in result.out
    assert phone.line(1).state == "calling"
    assert phone.calls("make_call")[0].params["account"] == "0"


async def test_dial_falls_back_to_keys(phone: SimulatedPhone) -> None:
    """Click-To-Dial off: the number is typed, + as the prefix given."""
    phone.profile.click_to_dial = False
    result = await cli(
        [
            "dial",
            phone.address,
            "+4930",
            "--international-prefix",
            "00",
            "--json",
            *KEYS,
        ]
    )
    assert result.json() == {"ok": True, "method": "keys"}
    await phone.wait_idle_keys()
    assert [k.key for k in phone.key_log] == ["0", "0", "4", "9", "3", "0", "SEND"]


async def test_dial_without_keys_refused(phone: SimulatedPhone) -> None:
    """--no-keys: Invalid Request is the answer, exit 6, with its causes."""
    phone.profile.click_to_dial = False
    result = await cli(["dial", phone.address, "123", "--no-keys"])
    assert result.code == 6
    assert "The phone said: Invalid Request" in result.err
    assert "Click-To-Dial" in result.err


@pytest.mark.parametrize("number", ["12a", "1\n2", ""])
async def test_dial_bad_number(phone: SimulatedPhone, number: str) -> None:
    """An undialable number: exit 2, nothing sent."""
    result = await cli(["dial", phone.address, number])
    assert result.code == 2
    assert phone.calls("make_call") == []


async def test_keys(phone: SimulatedPhone) -> None:
    """Keys in both spellings; returns once pressed."""
    result = await cli(["keys", phone.address, "1:2", "#", "SEND", *KEYS])
    assert result.code == 0, result.text
    assert result.out.strip() == "Pressed 1:2:#:SEND"
    assert [k.key for k in phone.key_log] == ["1", "2", "#", "SEND"]


async def test_keys_unknown(phone: SimulatedPhone) -> None:
    """An unknown key: exit 2, nothing sent."""
    result = await cli(["keys", phone.address, "1", "FLASH", "--json"])
    assert result.code == 2
    assert result.json()["error"]["type"] == "GrandstreamInvalidKeysError"
    assert phone.requests == []


async def test_call_control(phone: SimulatedPhone) -> None:
    """answer, hold (toggles), hangup, reject."""
    phone.incoming_call("+4930123456")
    assert (await cli(["answer", phone.address])).code == 0
    assert phone.line(1).state == "connected"
    assert (await cli(["hold", phone.address])).code == 0
    assert phone.line(1).state == "onhold"
    assert (await cli(["hold", phone.address])).code == 0
    assert phone.line(1).state == "connected"
    assert (await cli(["hangup", phone.address])).code == 0
    assert phone.line(1).state == "idle"
    phone.incoming_call("+4930123456")
    result = await cli(["reject", phone.address, "--json"])
    assert result.json() == {"ok": True}
    assert phone.line(1).state == "idle"


async def test_answer_with_nothing_ringing(phone: SimulatedPhone) -> None:
    """The phone answers false: refused, exit 6."""
    result = await cli(["answer", phone.address])
    assert result.code == 6


async def test_command_dropped(phone: SimulatedPhone) -> None:
    """The connection drops after a command went out: exit 7, sent once."""
    phone.incoming_call("+4930123456")
    phone.set_fault(Fault("reset"))
    result = await cli(["answer", phone.address])
    assert result.code == 7
    assert "may or may not" in result.err
    assert len(phone.calls("phone_operation")) == 1


@pytest.mark.parametrize(
    ("command", "fault"),
    [
        ("answer", Fault("truncated", count=1)),
        ("answer", Fault("html", count=1)),
        ("hangup", Fault("bad_header", count=1)),
        ("hangup", Fault("http500", count=1)),
        ("answer", Fault("latency", delay=0.6, count=1)),
    ],
)
async def test_command_without_a_readable_answer(
    phone: SimulatedPhone, command: str, fault: Fault
) -> None:
    """The command went out; half an answer, a page, a broken header, a 500 or
    none in time: the outcome is unknown (exit 7, look before repeating), not
    "unreachable" nor "not a phone". Sent once."""
    phone.incoming_call("+4930123456")
    if command == "hangup":
        phone.answer(1)
    phone.clear_logs()
    phone.set_fault(fault)
    result = await cli([command, f"http://{phone.address}", "--timeout", "0.3"])
    assert result.code == 7, result.text
    assert "may have been carried out" in result.err
    assert "look (status, lines) before repeating" in result.err
    assert "Grandstream desk phone?" not in result.err
    assert len(phone.calls("phone_operation")) == 1
    await asyncio.sleep(fault.delay)  # let a late answer finish


async def test_read_with_a_broken_header(phone: SimulatedPhone) -> None:
    """A read answered with no valid HTTP: the phone is there (exit 1, not 3)."""
    phone.set_fault(Fault("bad_header"))
    result = await cli(["lines", f"http://{phone.address}"])
    assert result.code == 1, result.text
    assert "broken HTTP answer" in result.err


async def test_read_unusable_answer(phone: SimulatedPhone) -> None:
    """An HTML page instead of JSON: exit 1."""
    phone.set_fault(Fault("html"))
    result = await cli(["lines", phone.address])
    assert result.code == 1
    assert "HTML page" in result.err


async def test_refused_command_costs_one_request(phone: SimulatedPhone) -> None:
    """A wrong passcode on a command: exit 4, one request, the phone's words."""
    phone.profile.wrong_passcode_style = "countdown"
    result = await cli(["hangup", phone.address, "--json"], passcode=WRONG)
    assert result.code == 4
    error = result.json()["error"]
    assert error["phone_said"] == "wrong4"
    assert error["attempts_left"] == 4
    assert len(phone.requests) == 1


async def test_reboot_needs_yes_without_a_terminal(phone: SimulatedPhone) -> None:
    """Nobody to ask: exit 2, nothing sent."""
    result = await cli(["reboot", phone.address])
    assert result.code == 2
    assert "--yes" in result.err
    json_result = await cli(["reboot", phone.address, "--json"])
    assert json_result.json()["exit_code"] == 2
    assert phone.requests == []


async def test_reboot_asks(phone: SimulatedPhone) -> None:
    """In a terminal: "n" sends nothing, "y" reboots."""
    questions: list[str] = []

    def no(question: str) -> str:
        questions.append(question)
        return "n"

    result = await cli(["reboot", phone.address], interactive=True, answer=no)
    assert result.code == 0
    assert "Not rebooted" in result.err
    assert "away for about a minute" in questions[0]
    assert phone.requests == []
    result = await cli(
        ["reboot", phone.address], interactive=True, answer=lambda _: "yes"
    )
    assert result.code == 0, result.text
    assert not phone.online
    await phone.wait_online()


async def test_reboot_yes(phone: SimulatedPhone) -> None:
    """--yes: no question."""
    result = await cli(["reboot", phone.address, "--yes", "--json"])
    assert result.json() == {"ok": True}
    await phone.wait_online()


# -- the passcode's sources --------------------------------------------------------------


async def test_passcode_file(phone: SimulatedPhone, tmp_path: Path) -> None:
    """First line of the file, line ending dropped; the environment is not used."""
    path = tmp_path / "passcode"
    path.write_text(f"{PASSCODE}\r\nsecond line\n")
    result = await cli(
        ["status", phone.address, "--passcode-file", str(path)], passcode=WRONG
    )
    assert result.code == 0, result.text


async def test_passcode_from_standard_input(phone: SimulatedPhone) -> None:
    """--passcode-file -: standard input's first line."""
    result = await cli(
        ["status", phone.address, "--passcode-file", "-"],
        passcode=None,
        stdin=f"{PASSCODE}\n",
    )
    assert result.code == 0, result.text


async def test_passcode_prompt(phone: SimulatedPhone) -> None:
    """In a terminal without file or environment: asked, without echo."""
    result = await cli(
        ["status", phone.address],
        passcode=None,
        interactive=True,
        secret=lambda _: PASSCODE,
    )
    assert result.code == 0, result.text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "Cannot read"),
        ("", "is empty"),
        ("\n", "is empty"),
        ("a\x00b", "not a phone password"),
    ],
)
async def test_passcode_file_unusable(
    phone: SimulatedPhone, tmp_path: Path, content: str | None, message: str
) -> None:
    """A missing, empty or binary file: exit 2, nothing sent."""
    path = tmp_path / "passcode"
    if content is not None:
        path.write_text(content)
    result = await cli(["status", phone.address, "--passcode-file", str(path)])
    assert result.code == 2
    assert message in result.err
    assert phone.requests == []


async def test_no_passcode_and_nobody_to_ask(phone: SimulatedPhone) -> None:
    """Exit 2 and where a passcode can come from."""
    result = await cli(["lines", phone.address], passcode=None)
    assert result.code == 2
    assert "--passcode-file" in result.err
    assert "GRANDSTREAM_PASSCODE" in result.err
    assert phone.requests == []


async def test_unreachable_command(socket_enabled: None) -> None:
    """Nothing at the address: exit 3, with what to check."""
    result = await cli(["lines", f"http://127.0.0.1:{free_port()}", "--timeout", "2"])
    assert result.code == 3
    assert "Check the address" in result.err


async def test_timeout(phone: SimulatedPhone) -> None:
    """A phone that hangs: exit 3 after --timeout."""
    phone.set_fault(Fault("latency", delay=0.6, count=1))
    started = asyncio.get_running_loop().time()
    result = await cli(["lines", f"http://{phone.address}", "--timeout", "0.2"])
    assert result.code == 3
    assert "Timeout after 0.2 s" in result.err
    assert asyncio.get_running_loop().time() - started < 0.6
    await asyncio.sleep(0.6)  # let the simulator's slow answer finish


@pytest.mark.parametrize("profile", [fast_profile(https=True)])
async def test_verify_ssl_against_a_self_signed_phone(phone: SimulatedPhone) -> None:
    """--verify-ssl and the phone's own certificate: said as such, with the way
    out, not "check the address"."""
    loop = asyncio.get_running_loop()
    handler = loop.get_exception_handler()
    # The simulator's side of the refused handshake goes to the loop's handler.
    loop.set_exception_handler(lambda _loop, _context: None)
    try:
        result = await cli(["status", f"https://{phone.address}", "--verify-ssl"])
        await asyncio.sleep(0.05)
    finally:
        loop.set_exception_handler(handler)
    assert result.code == 3, result.text
    assert "is not trusted" in result.err
    assert "drop --verify-ssl" in result.err
    assert "Check the address" not in result.err


@pytest.mark.parametrize("profile", [fast_profile(https=True)])
async def test_every_command_over_https(phone: SimulatedPhone) -> None:
    """HTTPS-only phone: every command finds it and works, the scheme detected."""
    host = phone.address
    assert (await cli(["probe", host, "--web"])).code == 0
    assert (await cli(["status", host])).code == 0
    assert (await cli(["lines", host])).code == 0
    phone.incoming_call("+4930123456")
    assert (await cli(["answer", host])).code == 0
    assert (await cli(["hold", host])).code == 0
    assert (await cli(["hangup", host])).code == 0
    phone.incoming_call("+4930123456")
    assert (await cli(["reject", host])).code == 0
    assert (await cli(["dial", host, "123", *KEYS])).code == 0
    assert (await cli(["watch", host, "--duration", "0.3"])).code == 0
    url = "http://192.0.2.5:8765/x"
    assert (await cli(["action-urls", "set", host, "--url", url])).code == 0
    assert (await cli(["action-urls", "show", host])).code == 0
    assert (await cli(["action-urls", "clear", host, "--url", url])).code == 0
    assert phone.profile.action_urls == {}
    assert (await cli(["keys", host, "ONHOOK", *KEYS])).code == 0
    assert (await cli(["reboot", host, "--yes"])).code == 0
    await phone.wait_online()
    assert {r.function for r in phone.requests} >= {
        "api-get_phone_status",
        "api-get_line_status",
        "api-get_accounts",
        "api-send_key",
        "api-phone_operation",
        "api-make_call",
        "api-sys_operation",
    }
