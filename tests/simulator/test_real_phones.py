"""The simulator plays the phones the captures describe (phone-protocol.md §2-7).

Presets, refusal variants, success bodies, transports, Action URL storage,
push variables and timed faults, checked on the wire.
"""

from __future__ import annotations

import asyncio
import json
import ssl
from typing import Any

import aiohttp
import pytest

from simulator import Fault, PhoneProfile, SimAccount, SimulatedPhone
from simulator.__main__ import (
    build_ctl_parser,
    build_serve_parser,
    ctl_request,
    profile_from_args,
)

from ..helpers.simulator_http import FAST, RawReceiver, body, control, cti

pytestmark = pytest.mark.enable_socket


async def line_entries(
    session: aiohttp.ClientSession, phone: SimulatedPhone
) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = (await body(session, phone, "api-get_line_status"))[
        "body"
    ]
    return entries


# -- presets ---------------------------------------------------------------


async def test_wp826(session: aiohttp.ClientSession) -> None:
    """acct 0 everywhere, conf, name empty while ringing then the number, misc 0."""
    async with SimulatedPhone(PhoneProfile.preset("wp826", **FAST)) as phone:
        assert (phone.profile.model, phone.profile.firmware) == ("WP826", "1.0.3.35")
        idle = await line_entries(session, phone)
        assert idle[0] == {
            "line": 1,
            "state": "idle",
            "acct": 0,
            "remotename": "",
            "remotenumber": "",
            "active": 0,
            "conf": 0,
        }
        assert len(idle) == 4
        assert {entry["acct"] for entry in idle} == {0}
        reply = await body(session, phone, "api-get_phone_status")
        assert reply == {"response": "success", "body": "available", "misc": "0"}

        phone.incoming_call("0301234567")
        ringing = (await line_entries(session, phone))[0]
        assert (ringing["state"], ringing["acct"], ringing["remotename"]) == (
            "ringing",
            0,
            "",
        )
        phone.answer()
        connected = (await line_entries(session, phone))[0]
        assert connected["state"] == "connected"
        assert connected["remotename"] == connected["remotenumber"] == "0301234567"
        assert (connected["acct"], connected["active"]) == (0, 0)
        phone.phone_operation("holdcall")
        held = (await line_entries(session, phone))[0]
        assert (held["state"], held["remotename"]) == ("onhold", "0301234567")


async def test_wp826_three_lines(session: aiohttp.ClientSession) -> None:
    """The older firmware has three lines."""
    async with SimulatedPhone(PhoneProfile.preset("wp826-3line", **FAST)) as phone:
        assert phone.profile.firmware == "1.0.1.87"
        entries = await line_entries(session, phone)
        assert [entry["line"] for entry in entries] == [1, 2, 3]
        assert {entry["acct"] for entry in entries} == {0}


async def test_gxp21xx(session: aiohttp.ClientSession) -> None:
    """Spaced JSON, 8 lines, acct 1 idle and the account id in a call, UTF-8 names."""
    async with SimulatedPhone(PhoneProfile.preset("gxp21xx", **FAST)) as phone:
        line = phone.incoming_call("+74951234567", "Иван Петров", account=2)
        phone.answer(line)
        status, text, _ = await cti(session, phone, "api-get_line_status")
        assert status == 200
        assert text.startswith('{ "response": "success", "body": [{"line": 1, ')
        assert "Иван Петров" in text  # not \u escapes
        entries = json.loads(text)["body"]
        assert len(entries) == 8
        call = entries[line - 1]
        assert (call["acct"], call["active"], call["remotename"]) == (
            2,
            1,
            "Иван Петров",
        )
        others = [entry for entry in entries if entry is not call]
        assert {(entry["acct"], entry["active"]) for entry in others} == {(1, 0)}
        accounts = (await body(session, phone, "api-get_accounts"))["body"]
        assert [account["id"] for account in accounts] == [1, 2]


async def test_guide_is_the_default(session: aiohttp.ClientSession) -> None:
    """The guides' examples: "" on idle lines, the account id in a call."""
    async with SimulatedPhone(PhoneProfile.preset("guide", **FAST)) as phone:
        assert phone.profile == PhoneProfile(**FAST)
        phone.incoming_call("1")
        first, second, *_ = await line_entries(session, phone)
        assert (first["acct"], second["acct"]) == ("1", "")
    with pytest.raises(ValueError, match="unknown profile"):
        PhoneProfile.preset("gxp9999")
    assert PhoneProfile.preset("wp826", lines=3).lines == 3


# -- refusals -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("style", "status", "content_type", "text"),
    [
        ("body", 200, "text/plain", '{"response":"error","body":"unauthorized"}'),
        ("success", 200, "text/plain", '{"response":"success","body":"unauthorized"}'),
        ("http401", 401, "text/plain", '{"response":"error","body":"unauthorized"}'),
        ("text", 200, "text/plain", "unauthorized"),
        ("text_upper", 200, "text/plain", "UNAUTHORIZED"),
        ("html", 200, "text/html", "<title>Unauthorized</title>"),
    ],
)
async def test_unauthorized_styles(
    session: aiohttp.ClientSession,
    style: str,
    status: int,
    content_type: str,
    text: str,
) -> None:
    """Each way of saying "unauthorized"; each wrong passcode counts."""
    async with SimulatedPhone(PhoneProfile(unauthorized_style=style, **FAST)) as sim:
        got = await cti(session, sim, "api-get_phone_status", passcode="wrong")
        assert got[0] == status
        assert text in got[1]
        assert got[2].startswith(content_type)
        assert sim.failures == 1


async def test_popup_window_refuses_the_right_passcode(
    phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    """Pop-up window support on: "unauthorized" to the right passcode, no failure."""
    phone.profile.popup_window_enabled = True
    reply = await body(session, phone, "api-get_phone_status")
    assert reply == {"response": "error", "body": "unauthorized"}
    assert phone.failures == 0
    await body(session, phone, "api-get_phone_status", passcode="wrong")
    assert phone.failures == 1


async def test_countdown_then_locked_with_lock_time(
    phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    """wrong4 ... wrong1, locked with lockTime, then locked even for the right one."""
    phone.profile.wrong_passcode_style = "countdown"
    phone.profile.lockout_duration = 30.0
    answers = [
        (await body(session, phone, "api-get_accounts", passcode="nope"))["body"]
        for _ in range(4)
    ]
    assert answers == ["wrong4", "wrong3", "wrong2", "wrong1"]
    fifth = await body(session, phone, "api-get_accounts", passcode="nope")
    assert fifth["body"] == "locked"
    assert fifth["lockTime"] == 30
    assert phone.locked
    right = await body(session, phone, "api-get_accounts")
    assert (right["body"], right["response"]) == ("locked", "error")
    assert "lockTime" in right


async def test_account_not_allowed(
    phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    """ "user is not allow" to everyone; wrong passcodes still count."""
    phone.profile.account_not_allowed = True
    assert await body(session, phone, "api-get_line_status") == {
        "response": "error",
        "body": "user is not allow",
    }
    assert phone.failures == 0
    for _ in range(5):
        reply = await body(session, phone, "api-get_line_status", passcode="x")
        assert reply["body"] == "user is not allow"
    assert phone.locked


# -- success bodies ---------------------------------------------------------


@pytest.mark.parametrize(
    ("choice", "sent"), [("true", True), ("complete", "complete"), ("1", 1)]
)
async def test_operation_success_body(
    phone: SimulatedPhone, session: aiohttp.ClientSession, choice: str, sent: object
) -> None:
    """The body of a successful api-phone_operation is selectable."""
    phone.profile.update({"operation_success_body": choice})
    phone.incoming_call("1")
    reply = await body(session, phone, "api-phone_operation", cmd="acceptcall")
    assert reply == {"response": "success", "body": sent}
    reply = await body(session, phone, "api-phone_operation", cmd="acceptcall")
    assert reply == {"response": "error", "body": False}
    with pytest.raises(ValueError, match="operation_success_body"):
        phone.profile.update({"operation_success_body": "yes"})


# -- transports ---------------------------------------------------------------


async def test_http_and_https_on_two_ports(session: aiohttp.ClientSession) -> None:
    """ "both": HTTP on the main port, HTTPS on a second one, through a reboot."""
    profile = PhoneProfile(extra_https_port=True, **FAST)
    async with SimulatedPhone(profile) as phone:
        assert phone.base_url.startswith("http://")
        assert phone.https_port not in (None, phone.port)
        assert phone.https_base_url == f"https://127.0.0.1:{phone.https_port}"
        assert phone.certificate_pem is not None
        plain = await body(session, phone, "api-get_phone_status")
        url = f"{phone.https_base_url}/cgi-bin/api-get_phone_status"
        async with session.get(url, params={"passcode": "admin"}, ssl=False) as reply:
            assert await reply.json(content_type=None) == plain
        ports = (phone.port, phone.https_port)
        await phone.reboot()
        await phone.wait_online()
        assert (phone.port, phone.https_port) == ports
        async with session.get(url, params={"passcode": "admin"}, ssl=False) as reply:
            assert reply.status == 200
    with pytest.raises(ValueError, match="extra_https_port"):
        PhoneProfile(https=True, extra_https_port=True)


async def test_https_only(session: aiohttp.ClientSession) -> None:
    """HTTPS on the main port; plain HTTP gets no answer there."""
    async with SimulatedPhone(PhoneProfile(https=True, **FAST)) as phone:
        assert phone.https_base_url == phone.base_url
        context = ssl.create_default_context(cadata=phone.certificate_pem)
        context.check_hostname = False
        status, _, _ = await cti(
            session, phone, "api-get_phone_status", ssl_arg=context
        )
        assert status == 200
        loop = asyncio.get_running_loop()
        handler = loop.get_exception_handler()
        loop.set_exception_handler(lambda _loop, _context: None)
        try:
            with pytest.raises(aiohttp.ClientError):
                async with session.get(f"http://{phone.address}/cgi-bin/x"):
                    pass
            await asyncio.sleep(0.05)
        finally:
            loop.set_exception_handler(handler)


async def test_http_only_has_no_https_port(phone: SimulatedPhone) -> None:
    """The default transport."""
    assert phone.https_port is None
    assert phone.https_base_url is None


# -- Action URLs ---------------------------------------------------------------


async def test_action_url_length_limit_applies_when_written(
    phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    """256 characters are kept, a longer write keeps the old URL and "succeeds"."""
    base = "http://127.0.0.1:1/hook?x="
    exact = base + "a" * (256 - len(base))
    assert phone.store_action_url("incoming", exact)
    assert not phone.store_action_url("incoming", base + "b" * 300)
    assert phone.profile.action_urls == {"incoming": exact}

    reply = await control(
        session, phone, "action_url", {"event": "missed", "url": base + "c" * 300}
    )
    assert reply["stored"] is False
    assert "missed" not in phone.profile.action_urls
    reply = await control(
        session, phone, "action_url", {"event": "missed", "url": base}
    )
    assert reply == {"stored": True, "action_urls": {"incoming": exact, "missed": base}}
    await control(session, phone, "action_url", {"event": "missed", "url": ""})
    assert "missed" not in phone.profile.action_urls
    await control(
        session, phone, "action_url", {"event": "nope", "url": ""}, expect=400
    )

    # A whole-profile update writes slot by slot the same way.
    phone.profile.update({"action_urls": {"incoming": base + "d" * 300, "boot": base}})
    assert phone.profile.action_urls == {"incoming": exact, "boot": base}


@pytest.mark.parametrize(("style", "expected"), [("sip_id", "2002"), ("account", "2")])
async def test_active_user(phone: SimulatedPhone, style: str, expected: str) -> None:
    """$active_user: the SIP user id of the call's account, or its number."""
    phone.profile.accounts.append(SimAccount(id=2, sip_id="2002", name="Home"))
    phone.profile.active_user = style
    async with RawReceiver() as receiver:
        phone.profile.action_urls = {
            "incoming": f"http://127.0.0.1:{receiver.port}/in?u=$active_user&id=$call-id"
        }
        phone.incoming_call("1", account=2)
        await phone.wait_pushes()
    assert receiver.lines == [f"GET /in?u={expected}&id=$call-id HTTP/1.1"]


# -- timed faults -------------------------------------------------------------------


async def test_reset_for_a_while(
    phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    """Every request is read and reset while the fault lasts, then none."""
    phone.set_fault(Fault("reset", duration=30))
    for _ in range(3):
        with pytest.raises(aiohttp.ClientError):
            await cti(session, phone, "api-get_phone_status")
    # aiohttp resends each GET once after the reset: both were read and reset.
    assert len(phone.requests) == 6
    phone.set_fault(Fault("reset", duration=0.2))
    await asyncio.sleep(0.25)
    status, _, _ = await cti(session, phone, "api-get_phone_status")
    assert status == 200
    assert phone.fault is None


async def test_refuse_connections_then_recover(
    phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    """The phone stops listening: connections are refused, nothing is logged."""
    reply = await control(session, phone, "fault", {"kind": "refuse", "duration": 1.0})
    assert reply["fault"]["duration"] == 1.0
    await phone.wait_listening(False)
    assert not phone.listening
    with pytest.raises(aiohttp.ClientConnectorError):
        await cti(session, phone, "api-get_phone_status")
    assert phone.requests == []
    await phone.wait_listening()
    assert phone.fault is None
    assert (await control(session, phone, "state"))["listening"] is True


async def test_refuse_until_cleared(
    phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    """Without a duration the outage lasts until the fault is cleared."""
    phone.set_fault(Fault("refuse"))
    await phone.wait_listening(False)
    phone.set_fault(None)
    await phone.wait_listening()
    status, _, _ = await cti(session, phone, "api-get_phone_status")
    assert status == 200


async def test_stop_during_an_outage() -> None:
    """Stopping a phone that refuses connections leaves nothing running."""
    phone = SimulatedPhone(PhoneProfile(**FAST))
    await phone.start()
    phone.set_fault(Fault("refuse", duration=30))
    await phone.wait_listening(False)
    await phone.stop()
    assert not phone.listening


def test_fault_validation() -> None:
    """Durations are positive; a refusal is timed, not counted."""
    with pytest.raises(ValueError, match="duration"):
        Fault("reset", duration=0)
    with pytest.raises(ValueError, match="refuse"):
        Fault("refuse", count=1)


# -- command line -------------------------------------------------------------------


def test_cli_profiles_and_transports() -> None:
    """--profile picks a captured phone; explicit flags override it."""
    parser = build_serve_parser()
    wp826 = profile_from_args(parser.parse_args(["--profile", "wp826"]))
    assert (wp826.model, wp826.lines, wp826.account_base) == ("WP826", 4, 0)
    three = profile_from_args(parser.parse_args(["--profile", "wp826", "--lines", "3"]))
    assert three.lines == 3
    both = profile_from_args(parser.parse_args(["--transport", "both"]))
    assert (both.https, both.extra_https_port) == (False, True)
    https = profile_from_args(parser.parse_args(["--https"]))
    assert (https.https, https.extra_https_port) == (True, False)
    too_long = "incoming=http://h/" + "x" * 300
    with pytest.raises(ValueError, match="longer than"):
        profile_from_args(parser.parse_args(["--action-url", too_long]))

    ctl = build_ctl_parser()
    assert ctl_request(
        ctl.parse_args(["fault", "--kind", "refuse", "--duration", "5"])
    ) == (
        "POST",
        "/_sim/fault",
        {"kind": "refuse", "delay": 0.0, "count": None, "duration": 5.0},
    )
    # The slot's URL and the simulator's own --url are two things.
    args = ctl.parse_args(
        ["--url", "http://127.0.0.1:9", "action-url", "incoming", "http://h/x"]
    )
    assert args.url == "http://127.0.0.1:9"
    assert ctl_request(args) == (
        "POST",
        "/_sim/action_url",
        {"event": "incoming", "url": "http://h/x"},
    )


async def test_raw_query_logged_and_redacted(
    phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    """The log keeps the query as sent; the control API hides the passcode."""
    await cti(session, phone, "api-send_key", keys="1:#")
    request = phone.requests[0]
    assert "keys=1:%23" in request.raw_query
    assert "admin" not in repr(request)
    logged = (await control(session, phone, "requests"))[0]
    assert "passcode=***" in logged["raw_query"]
    assert "admin" not in logged["raw_query"]
