"""Tests for the simulated Grandstream phone (no Home Assistant involved)."""

from __future__ import annotations

import asyncio
import json
import ssl
import time
from typing import Any

import aiohttp
from cryptography import x509
import pytest

from simulator import Fault, PhoneFleet, PhoneProfile, SimAccount, SimulatedPhone
from simulator.__main__ import (
    build_ctl_parser,
    build_serve_parser,
    ctl_request,
    main,
    parse_action_urls,
    profile_from_args,
)
from simulator.actionurl import fill_template
from simulator.fleet import fleet_mac
from simulator.models import SimulatorError

from ..helpers.simulator_http import FAST, RawReceiver, body, control, cti
from ..helpers.simulator_process import serving, simulator

# Home Assistant's pytest plugin blocks sockets; the simulator needs real
# 127.0.0.1 sockets.
pytestmark = pytest.mark.enable_socket


def states(phone: SimulatedPhone) -> list[str]:
    return [line.state for line in phone.lines]


def focus(phone: SimulatedPhone) -> int | None:
    # A function call, so mypy does not narrow the property across calls.
    return phone.active_line


def locked_keypad(phone: SimulatedPhone) -> bool:
    return phone.profile.keypad_locked


def event_names(phone: SimulatedPhone) -> list[str]:
    return [event.name for event in phone.events]


# ---------------------------------------------------------------------------
# Endpoints and formatting


async def test_line_status_idle_exact_format(
    phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    status, text, content_type = await cti(session, phone, "api-get_line_status")
    assert status == 200
    assert content_type == "text/plain"
    assert text.startswith(
        '{"response":"success","body":[{"line":1,"state":"idle","acct":"",'
        '"remotename":"","remotenumber":"","active":0},'
    )
    assert len(json.loads(text)["body"]) == 4
    assert phone.address == f"127.0.0.1:{phone.port}"


async def test_phone_status_and_accounts(
    phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    assert await body(session, phone, "api-get_phone_status") == {
        "response": "success",
        "body": "available",
        "misc": "1",
    }
    assert (await body(session, phone, "api-get_accounts"))["body"] == [
        {
            "id": 1,
            "sip_server": "pbx.example.test",
            "sip_id": "1001",
            "name": "Office",
            "reg": 1,
        }
    ]
    phone.incoming_call("555")
    reply = await body(session, phone, "api-get_phone_status")
    assert (reply["body"], reply["misc"]) == ("ringing", "0")
    phone.answer()
    assert (await body(session, phone, "api-get_phone_status"))["body"] == "busy"
    phone.remote_hangup()
    phone.set_registered(1, False)
    reply = await body(session, phone, "api-get_phone_status")
    assert (reply["body"], reply["misc"]) == ("unavailable", "1")
    assert (await body(session, phone, "api-get_accounts"))["body"][0]["reg"] == 0


async def test_post_with_form_body(
    phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    status, text, _ = await cti(
        session, phone, "api-make_call", method="POST", phonenumber="123", account="0"
    )
    assert (status, json.loads(text)["body"]) == (200, True)
    assert phone.calls("make_call")[0].method == "POST"
    assert phone.calls("api-make_call")[0].params == {
        "passcode": "admin",
        "phonenumber": "123",
        "account": "0",
    }


async def test_firmware_variants(session: aiohttp.ClientSession) -> None:
    profile = PhoneProfile(
        compact_json=False,
        acct_as_number=True,
        include_conf=True,
        remotename_repeats_number=False,
        content_type="application/json",
        lines=2,
        **FAST,
    )
    async with SimulatedPhone(profile) as sim:
        sim.incoming_call("+4930123")
        _, text, content_type = await cti(session, sim, "api-get_line_status")
        assert content_type == "application/json"
        assert text.startswith('{ "response": "success", "body": [{"line": 1, ')
        first, second = json.loads(text)["body"]
        assert first["acct"] == 1
        assert first["remotename"] == ""
        assert first["conf"] == 0
        assert second["acct"] == ""
        # Flip options at runtime: the next answer follows them.
        profile.remotename_repeats_number = True
        profile.lines = 3
        first, *rest = (await body(session, sim, "api-get_line_status"))["body"]
        # Ringing: the number is not repeated as the name (phone-protocol.md §3)...
        assert first["remotename"] == ""
        assert len(rest) == 2
        # ...unless this firmware variant does that too.
        profile.remotename_repeats_while_ringing = True
        first = (await body(session, sim, "api-get_line_status"))["body"][0]
        assert first["remotename"] == "+4930123"
        profile.remotename_repeats_while_ringing = False
        sim.answer()
        first = (await body(session, sim, "api-get_line_status"))["body"][0]
        assert first["remotename"] == "+4930123"


async def test_unknown_function_is_404(
    phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    status, _, _ = await cti(session, phone, "api-do_magic")
    assert status == 404
    assert phone.failures == 0


# ---------------------------------------------------------------------------
# Authentication


@pytest.mark.parametrize(
    ("style", "expected_status"), [("body", 200), ("http401", 401)]
)
async def test_unauthorized_styles(
    session: aiohttp.ClientSession, style: str, expected_status: int
) -> None:
    async with SimulatedPhone(PhoneProfile(unauthorized_style=style)) as sim:
        for passcode in ("wrong", None):
            status, text, _ = await cti(
                session, sim, "api-get_phone_status", passcode=passcode
            )
            assert status == expected_status
            assert json.loads(text) == {"response": "error", "body": "unauthorized"}
        assert sim.failures == 2


async def test_lockout_after_threshold(
    phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    # Long enough to be seen locked by the requests below on a loaded machine
    # (the fast profile's 0.3 s is not), short enough to wait for.
    phone.profile.lockout_duration = 1.0
    # A correct passcode resets the counter.
    for _ in range(4):
        await cti(session, phone, "api-get_accounts", passcode="nope")
    assert (await body(session, phone, "api-get_accounts"))["response"] == "success"
    assert phone.failures == 0
    for _ in range(5):
        reply = await body(session, phone, "api-get_accounts", passcode="nope")
        assert reply["body"] == "unauthorized"
    assert phone.locked
    reply = await body(session, phone, "api-get_accounts")
    assert reply == {"response": "error", "body": "locked"}
    await asyncio.sleep(1.05)
    assert (await body(session, phone, "api-get_accounts"))["response"] == "success"
    state = await control(session, phone, "state")
    assert state["locked"] is False


async def test_cti_disabled_is_403_and_not_a_failed_login(
    phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    phone.profile.cti_enabled = False
    for _ in range(6):
        status, text, content_type = await cti(session, phone, "api-get_line_status")
        assert status == 403
        assert "Forbidden" in text
        assert content_type.startswith("text/html")
    assert phone.failures == 0
    assert not phone.locked


async def test_password_only_accepted_for_make_call(
    phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    reply = await body(
        session,
        phone,
        "api-make_call",
        passcode=None,
        password="admin",
        phonenumber="1",
    )
    assert reply == {"response": "success", "body": True}
    reply = await body(
        session, phone, "api-get_line_status", passcode=None, password="admin"
    )
    assert reply["body"] == "unauthorized"


# ---------------------------------------------------------------------------
# Calls


async def test_make_call_and_remote_answer(
    phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    reply = await body(
        session, phone, "api-make_call", phonenumber="+4930123", account="0"
    )
    assert reply == {"response": "success", "body": True}
    line = (await body(session, phone, "api-get_line_status"))["body"][0]
    assert line == {
        "line": 1,
        "state": "calling",
        "acct": "1",
        "remotename": "+4930123",
        "remotenumber": "+4930123",
        "active": 1,
    }
    phone.remote_answer(1)
    assert states(phone)[0] == "connected"
    await asyncio.sleep(0.01)
    phone.remote_hangup(1)
    assert states(phone) == ["idle"] * 4
    assert event_names(phone) == [
        "offhook",
        "outgoing",
        "established",
        "terminated",
        "onhook",
    ]
    with pytest.raises(SimulatorError):
        phone.remote_answer(1)


@pytest.mark.parametrize(
    ("change", "params"),
    [
        ({"click_to_dial": False}, {"phonenumber": "123"}),
        ({}, {"phonenumber": ""}),
        ({}, {"phonenumber": "12 3"}),
        ({}, {"phonenumber": "123", "account": "1"}),
        ({}, {"phonenumber": "123", "account": "x"}),
        ({"keypad_locked": True}, {"phonenumber": "123"}),
    ],
)
async def test_make_call_invalid_request(
    phone: SimulatedPhone,
    session: aiohttp.ClientSession,
    change: dict[str, Any],
    params: dict[str, str],
) -> None:
    phone.profile.update(change)
    reply = await body(session, phone, "api-make_call", **params)
    assert reply == {"response": "error", "body": "Invalid Request"}
    assert states(phone) == ["idle"] * 4


async def test_make_call_no_free_line(phone: SimulatedPhone) -> None:
    for number in ("1", "2", "3", "4"):
        assert phone.make_call(number) is not None
    assert phone.make_call("5") is None
    with pytest.raises(SimulatorError):
        phone.incoming_call("6")
    with pytest.raises(SimulatorError):
        phone.incoming_call("6", account=9)


async def test_make_call_unregistered_account_fails(phone: SimulatedPhone) -> None:
    phone.profile.accounts.append(SimAccount(id=2, sip_id="2002", registered=False))
    line = phone.make_call("123", account=1)
    assert line == 1
    assert states(phone)[0] == "failed"
    assert phone.line(1).account == 2
    await asyncio.sleep(0.3)
    assert states(phone)[0] == "idle"
    assert event_names(phone) == ["offhook", "outgoing", "terminated", "onhook"]


async def test_fail_call_and_auto_answer(phone: SimulatedPhone) -> None:
    phone.make_call("123")
    phone.fail_call(1)
    assert phone.phone_operation("cancel") is True
    assert states(phone)[0] == "idle"
    with pytest.raises(SimulatorError):
        phone.fail_call(1)
    phone.profile.auto_answer_outgoing = True
    phone.make_call("456")
    assert states(phone)[0] == "connected"


async def test_incoming_answer_hold_and_second_call(phone: SimulatedPhone) -> None:
    assert phone.incoming_call("+4930123", "Erika Mustermann") == 1
    assert phone.active_line == 1
    assert phone.answer() == 1
    assert phone.incoming_call("777") == 2
    # The phone stays focused on the connected call while line 2 rings.
    assert phone.active_line == 1
    phone.answer(2)
    assert states(phone)[:2] == ["onhold", "connected"]
    assert phone.active_line == 2
    phone.remote_hangup(2)
    # Focus moves to the held call.
    assert phone.active_line == 1
    assert phone.phone_operation("holdcall") is True
    assert states(phone)[0] == "connected"
    phone.remote_hangup()
    assert focus(phone) is None
    assert event_names(phone) == [
        "incoming",
        "offhook",
        "established",
        "incoming",
        "hold",
        "established",
        "terminated",
        "unhold",
        "terminated",
        "onhook",
    ]
    with pytest.raises(SimulatorError):
        phone.answer()
    with pytest.raises(SimulatorError):
        phone.remote_hangup()
    with pytest.raises(SimulatorError):
        phone.line(9)


async def test_miss_and_hangup_while_ringing(phone: SimulatedPhone) -> None:
    phone.incoming_call("1")
    phone.miss_call()
    phone.incoming_call("2")
    assert phone.remote_hangup() == 1  # a ringing caller hanging up = missed
    assert event_names(phone) == ["incoming", "missed", "incoming", "missed"]
    with pytest.raises(SimulatorError):
        phone.miss_call()


async def test_phone_operations(
    phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    async def op(cmd: str) -> Any:
        return (await body(session, phone, "api-phone_operation", cmd=cmd))["body"]

    for cmd in ("acceptcall", "rejectcall", "endcall", "holdcall", "cancel", "dance"):
        assert await op(cmd) is False
    phone.incoming_call("1")
    assert await op("rejectcall") is True
    assert states(phone)[0] == "idle"
    phone.incoming_call("2")
    assert await op("acceptcall") is True
    assert await op("holdcall") is True
    assert states(phone)[0] == "onhold"
    assert await op("holdcall") is True
    assert states(phone)[0] == "connected"
    assert await op("cancel") is False
    assert await op("endcall") is True
    phone.make_call("3")
    assert await op("cancel") is True
    assert event_names(phone).count("terminated") == 3
    _, text, _ = await cti(session, phone, "api-phone_operation", cmd="endcall")
    assert json.loads(text) == {"response": "error", "body": False}


# ---------------------------------------------------------------------------
# Keys


async def send_keys(
    session: aiohttp.ClientSession, phone: SimulatedPhone, keys: str
) -> Any:
    return (await body(session, phone, "api-send_key", keys=keys))["body"]


async def test_dialing_with_keys(
    phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    assert await send_keys(session, phone, "0:3:0:#:STAR:#:SEND") == "complete"
    await phone.wait_idle_keys()
    line = phone.line(1)
    assert (line.state, line.remote_number) == ("calling", "030#*#")
    await send_keys(session, phone, "ONHOOK")
    await phone.wait_idle_keys()
    assert states(phone)[0] == "idle"
    # OFFHOOK on an idle phone starts dialing; SEND without digits does nothing.
    await send_keys(session, phone, "OFFHOOK:SEND")
    await phone.wait_idle_keys()
    assert states(phone)[0] == "dialing"
    line_entry = (await body(session, phone, "api-get_line_status"))["body"][0]
    assert line_entry["remotename"] == ""
    await send_keys(session, phone, "ONHOOK")
    await phone.wait_idle_keys()
    assert event_names(phone) == [
        "offhook",
        "outgoing",
        "terminated",
        "onhook",
        "offhook",
        "onhook",
    ]


async def test_keys_answer_hold_line_and_mute(
    phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    phone.incoming_call("1")
    await send_keys(session, phone, "OFFHOOK:HOLD")
    await phone.wait_idle_keys()
    assert states(phone)[0] == "onhold"
    await send_keys(session, phone, "LINE1:5:MUTE:VUP:VDOWN:VDOWN")
    await phone.wait_idle_keys()
    assert states(phone)[0] == "connected"
    assert phone.muted is True
    assert phone.volume == 3
    await send_keys(session, phone, "LINE2:ONHOOK")
    await phone.wait_idle_keys()
    # LINE2 went off hook on line 2 (holding line 1); ONHOOK ended the dialing.
    assert states(phone)[:2] == ["onhold", "idle"]
    await send_keys(session, phone, "LINE1:ONHOOK:MUTE")
    await phone.wait_idle_keys()
    assert phone.dnd is True  # MUTE on an idle phone toggles DND
    phone.incoming_call("2")
    await send_keys(session, phone, "ONHOOK")  # rejects the ringing call
    phone.incoming_call("3")
    await phone.wait_idle_keys()
    await send_keys(session, phone, "OK:UP:DOWN:LEFT:RIGHT:SOFT1:MPK3:CONF:TRANSFER")
    await phone.wait_idle_keys()
    assert phone.line(1).state == "connected"
    assert "dnd_on" in event_names(phone)


async def test_unknown_keys_press_nothing(
    phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    for keys in ("1:FLASH", "", "LINE5", "1::2", "one"):
        _, text, _ = await cti(session, phone, "api-send_key", keys=keys)
        assert json.loads(text) == {"response": "error", "body": "unknown"}
    await phone.wait_idle_keys()
    assert phone.key_log == []


async def test_keypad_lock(
    phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    await send_keys(session, phone, "LOCK:1:2")
    await phone.wait_idle_keys()
    assert locked_keypad(phone)
    assert states(phone)[0] == "idle"
    assert [k.ignored for k in phone.key_log] == [False, True, True]
    await send_keys(session, phone, "UNLOCK:1")
    await phone.wait_idle_keys()
    assert not locked_keypad(phone)
    assert states(phone)[0] == "dialing"


async def test_two_sequences_interleave(
    phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    start = time.monotonic()
    replies = await asyncio.gather(
        send_keys(session, phone, "1:2:3"), send_keys(session, phone, "4:5:6")
    )
    # Both answered at once, before the keys are pressed.
    assert list(replies) == ["complete", "complete"]
    assert time.monotonic() - start < 0.5
    await phone.wait_idle_keys()
    sequences = [k.sequence for k in phone.key_log]
    assert sorted(sequences) == [1, 1, 1, 2, 2, 2]
    assert sequences[:2] != [sequences[0]] * 2  # keys alternate, not in blocks
    digits = phone.line(1).remote_number
    assert sorted(digits) == list("123456")
    assert digits not in ("123456", "456123")
    times = [k.time for k in phone.key_log if k.sequence == 1]
    assert times[2] - times[0] >= 2 * 0.02 * 0.9


# ---------------------------------------------------------------------------
# System operations and reboot


async def test_reboot_drops_connection_and_comes_back(
    phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    # Down long enough to be seen down below on a loaded machine (the fast
    # profile's 0.3 s is not).
    phone.profile.reboot_duration = 1.0
    phone.incoming_call("1")
    phone.answer()
    with pytest.raises(aiohttp.ClientError):
        await cti(session, phone, "api-sys_operation", request="REBOOT")
    assert not phone.online
    assert states(phone) == ["idle"] * 4
    await asyncio.sleep(0.1)
    with pytest.raises(aiohttp.ClientConnectorError):
        await cti(session, phone, "api-get_phone_status")
    with pytest.raises(SimulatorError):
        phone.incoming_call("2")
    assert phone.make_call("2") is None
    await asyncio.wait_for(phone.wait_online(), 5)
    assert (await body(session, phone, "api-get_phone_status"))["body"] == "available"
    assert event_names(phone)[-2:] == ["boot", "registered"]
    assert "terminated" not in event_names(phone)


async def test_reboot_with_answer_and_reset(
    phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    phone.profile.compact_json = False
    reply = await body(session, phone, "api-sys_operation", request="RESET")
    assert reply == {"response": "success", "body": "reset"}
    assert phone.resets == 1
    reply = await body(session, phone, "api-sys_operation", request="SHUTDOWN")
    assert reply == {"response": "error", "body": "unknown"}
    phone.profile.reboot_drops_connection = False
    reply = await body(session, phone, "api-sys_operation", request="REBOOT")
    assert reply == {"response": "success", "body": "savereboot"}
    await phone.wait_online()
    # Python-side reboot returns once the server is down.
    await phone.reboot()
    assert not phone.online
    await phone.reboot()  # already rebooting: no-op
    await phone.wait_online()
    assert phone.online


# ---------------------------------------------------------------------------
# Faults


async def test_fault_latency(
    phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    phone.set_fault(Fault("latency", delay=0.2, count=1))
    start = time.monotonic()
    assert (await body(session, phone, "api-get_accounts"))["response"] == "success"
    assert time.monotonic() - start >= 0.2
    assert phone.fault is None  # count exhausted


@pytest.mark.parametrize(
    ("kind", "status", "check"),
    [
        ("http500", 500, "Internal Server Error"),
        ("non_json", 200, "OK"),
        ("html", 200, "<form"),
    ],
)
async def test_fault_bodies(
    phone: SimulatedPhone,
    session: aiohttp.ClientSession,
    kind: Any,
    status: int,
    check: str,
) -> None:
    phone.set_fault(Fault(kind))
    for _ in range(2):  # count=None: persists until cleared
        got_status, text, _ = await cti(session, phone, "api-get_phone_status")
        assert got_status == status
        assert check in text
    phone.set_fault(None)
    assert (await body(session, phone, "api-get_phone_status"))["body"] == "available"


async def test_fault_truncated_still_acts(
    phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    phone.set_fault(Fault("truncated", count=1))
    status, text, _ = await cti(session, phone, "api-make_call", phonenumber="123")
    assert status == 200
    assert text == '{"response":"succ'
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)
    assert states(phone)[0] == "calling"


async def test_fault_reset(
    phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    # aiohttp retries an idempotent GET once after a disconnect, so a single
    # reset is invisible to a GET client: it needs two.
    phone.set_fault(Fault("reset", count=2))
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await cti(session, phone, "api-get_accounts")
    assert len(phone.calls("get_accounts")) == 2
    assert (await body(session, phone, "api-get_accounts"))["response"] == "success"
    # POST is not retried.
    phone.set_fault(Fault("reset", count=1))
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await cti(session, phone, "api-get_accounts", method="POST")
    assert len(phone.calls("get_accounts")) == 4


def test_fault_validation() -> None:
    with pytest.raises(ValueError, match="unknown fault"):
        Fault("explode")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="negative"):
        Fault("latency", delay=-1)
    with pytest.raises(ValueError, match="positive"):
        Fault("html", count=0)


# ---------------------------------------------------------------------------
# HTTPS


async def test_https_self_signed(session: aiohttp.ClientSession) -> None:
    async with SimulatedPhone(PhoneProfile(https=True)) as sim:
        assert sim.base_url.startswith("https://127.0.0.1:")
        # Not checked here: a verifying client fails the handshake, and the
        # server-side reset is logged by asyncio, which Home Assistant's test
        # plugin turns into a test error.
        status, _, _ = await cti(session, sim, "api-get_phone_status", ssl_arg=False)
        assert status == 200
        assert sim.certificate_pem is not None
        cert = x509.load_pem_x509_certificate(sim.certificate_pem.encode())
        assert cert.issuer == cert.subject  # self-signed, like a real phone
        pinned = ssl.create_default_context(cadata=sim.certificate_pem)
        status, text, _ = await cti(session, sim, "api-get_accounts", ssl_arg=pinned)
        assert json.loads(text)["response"] == "success"


# ---------------------------------------------------------------------------
# Action URLs


async def test_action_url_raw_get(phone: SimulatedPhone) -> None:
    async with RawReceiver() as receiver:
        base = f"http://127.0.0.1:{receiver.port}/hook"
        phone.profile.update(
            {
                "action_urls": {
                    "incoming": base
                    + "?e=in&mac=$mac&remote=$remote&name=$display_remote"
                    + "&id=$call-id&dir=$calldirection&x=$unknown",
                    "outgoing": base + "?e=out&id=$call-id",
                    "established": base + "?e=est&id=$call-id",
                    "terminated": base + "?e=end&id=$call-id&d=$duration",
                    "dnd_on": base + "?e=dnd&remote=$remote&local=$local",
                },
                "action_url_delay": 0.01,
            }
        )
        phone.incoming_call("+4930123456", "Erika Mustermann")
        phone.answer()
        phone.remote_hangup()
        phone.set_dnd(True)
        # Only a profile that fills $call-id (Android models) sends a value.
        phone.profile.fill_call_id = True
        phone.make_call("200")
        await phone.wait_pushes()
    assert receiver.lines == [
        (
            "GET /hook?e=in&mac=000b82123456&remote=+4930123456&name=Erika Mustermann"
            "&id=$call-id&dir=incoming&x=$unknown HTTP/1.1"
        ),
        # Desk phones do not fill $call-id: it arrives literally.
        "GET /hook?e=est&id=$call-id HTTP/1.1",
        "GET /hook?e=end&id=$call-id&d=0 HTTP/1.1",
        # Call variables cannot be filled for a DND event: they stay literal.
        "GET /hook?e=dnd&remote=$remote&local=1001 HTTP/1.1",
        "GET /hook?e=out&id=2 HTTP/1.1",
    ]
    assert [p.status for p in phone.pushes] == [200] * 5
    assert [p.event for p in phone.pushes] == [
        "incoming",
        "established",
        "terminated",
        "dnd_on",
        "outgoing",
    ]


async def test_action_url_boot_dropped_and_errors(phone: SimulatedPhone) -> None:
    async with RawReceiver() as receiver:
        base = f"http://127.0.0.1:{receiver.port}"
        phone.profile.action_urls = {
            "boot": base + "/boot?mac=$mac&fw=$program_version&m=$product",
            "registered": base + "/reg?u=$active_user&h=$active_host&ip=$phone_ip",
            "incoming": base + "/in?n=$display_remote",
            "missed": "http://127.0.0.1:1/closed",
            "forward_on": "ftp://example.test/x",
        }
        phone.profile.mac_format = "colon"
        await phone.reboot()
        await phone.wait_online()
        # Sending never drops for length (the limit applies when writing).
        phone.incoming_call("1", "x" * 300)
        phone.miss_call()
        phone.set_forward(True)
        phone.set_forward(False)
        await phone.wait_pushes()
    assert receiver.lines == [
        "GET /boot?mac=00:0B:82:12:34:56&fw=1.0.11.23&m=GXP2170 HTTP/1.1",
        "GET /reg?u=1001&h=pbx.example.test&ip=127.0.0.1 HTTP/1.1",
        "GET /in?n=" + "x" * 300 + " HTTP/1.1",
    ]
    incoming, missed, forward = phone.pushes[2:]
    assert incoming.status == 200
    assert missed.error is not None
    assert forward.error is not None
    assert "forward_off" in event_names(phone)


def test_fill_template_longest_first() -> None:
    values = {"remote": "R", "display_remote": "D", "call-id": "7", "mac": "m"}
    assert fill_template("$display_remote|$remote|$call-id|$call|$mac2", values) == (
        "D|R|7|$call|m2"
    )


def test_mac_formats() -> None:
    profile = PhoneProfile(mac="00-0B-82-AB-CD-EF")
    assert profile.formatted_mac() == "000b82abcdef"
    profile.mac_format = "dash"
    assert profile.formatted_mac() == "00-0b-82-ab-cd-ef"
    profile.mac_format = "colon"
    assert profile.formatted_mac() == "00:0B:82:AB:CD:EF"


def test_profile_validation() -> None:
    for bad in (
        {"lines": 1},
        {"lines": 17},
        {"unauthorized_style": "teapot"},
        {"mac_format": "dots"},
        {"mac": "00:0B"},
        {"key_interval": -1.0},
        {"lockout_threshold": 0},
        {"action_urls": {"explode": "http://x"}},
        {"accounts": [SimAccount(1, "1"), SimAccount(1, "2")]},
    ):
        with pytest.raises(ValueError, match=r"must|unknown"):
            PhoneProfile(**bad)
    profile = PhoneProfile()
    update: dict[str, Any]
    for update in (
        {"lines": "4"},
        {"https": 1},
        {"key_interval": True},
        {"model": 5},
        {"action_urls": {"boot": 1}},
        {"accounts": []},
        {"nonsense": 1},
        {"lines": 20},
    ):
        with pytest.raises(ValueError, match=r"profile field|must be"):
            profile.update(update)
    assert profile.lines == 4
    assert profile.update({"key_interval": 2, "lines": 6}) == ["key_interval", "lines"]
    assert profile.key_interval == 2.0
    assert "passcode" not in profile.summary()


# ---------------------------------------------------------------------------
# Control API


async def test_control_api(
    phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    ring = {"number": "+4930123456", "name": "Erika Mustermann"}
    assert await control(session, phone, "ring", ring) == {"line": 1, "call_id": 1}
    assert await control(session, phone, "answer", {}) == {"line": 1}
    assert await control(session, phone, "hangup", {}) == {"line": 1}
    await control(session, phone, "ring", {"number": "2"})
    assert await control(session, phone, "miss", {"line": 1}) == {"line": 1}
    await body(session, phone, "api-make_call", phonenumber="3")
    assert await control(session, phone, "remote_answer", {}) == {"line": 1}
    await control(session, phone, "hangup", {"line": 1})
    await control(session, phone, "remote_answer", {}, expect=400)
    await body(session, phone, "api-make_call", phonenumber="4")
    # Failed until the state is read below (the fast profile's 0.2 s can pass
    # between two requests on a loaded machine).
    phone.profile.failed_duration = 30.0
    assert await control(session, phone, "fail", {"line": 1}) == {"line": 1}
    await control(session, phone, "answer", {}, expect=400)
    await control(session, phone, "ring", {"name": "no number"}, expect=400)

    state = await control(session, phone, "state")
    assert state["online"] is True
    assert state["phone_status"] == "available"
    assert state["lines"][0]["state"] == "failed"
    assert state["profile"]["model"] == "GXP2170"
    assert "passcode" not in state["profile"]

    requests = await control(session, phone, "requests")
    assert requests[0]["params"]["passcode"] == "***"
    assert requests[0]["function"] == "api-make_call"

    await send_keys(session, phone, "1:2")
    await phone.wait_idle_keys()
    keys = await control(session, phone, "keys")
    assert [k["key"] for k in keys] == ["1", "2"]

    fault = await control(
        session, phone, "fault", {"kind": "latency", "delay": 0.01, "count": 1}
    )
    assert fault == {
        "fault": {"kind": "latency", "delay": 0.01, "count": 1, "duration": None}
    }
    assert (await control(session, phone, "state"))["fault"]["kind"] == "latency"
    assert await control(session, phone, "fault", {}) == {"fault": None}
    await control(session, phone, "fault", {"kind": "nope"}, expect=400)

    changed = await control(
        session,
        phone,
        "profile",
        {"click_to_dial": False, "action_urls": {"boot": "http://x/"}},
    )
    assert changed["changed"] == ["action_urls", "click_to_dial"]
    assert phone.profile.action_urls == {"boot": "http://x/"}
    await control(session, phone, "profile", {"lines": "many"}, expect=400)

    reg = await control(session, phone, "register", {"account": 1, "registered": False})
    assert reg["accounts"][0]["reg"] == 0
    await control(session, phone, "register", {"account": 7}, expect=400)
    assert (await control(session, phone, "dnd", {"on": True})) == {"dnd": True}
    assert (await control(session, phone, "forward", {})) == {"forward": True}
    events = await control(session, phone, "events")
    assert "unregistered" in [e["name"] for e in events["events"]]
    assert await control(session, phone, "clear_logs", {}) == {"cleared": True}
    assert phone.requests == []

    async with session.post(f"{phone.base_url}/_sim/ring", data="not json") as resp:
        assert resp.status == 400
    async with session.post(f"{phone.base_url}/_sim/ring", json=[1]) as resp:
        assert resp.status == 400

    phone.profile.action_urls = {}
    phone.profile.reboot_duration = 1.0  # still down below, however busy the machine
    assert (await control(session, phone, "reboot", {}))["rebooting"] is True
    await asyncio.sleep(0.15)
    assert not phone.online
    await phone.wait_online()
    assert (await control(session, phone, "state"))["online"] is True


# ---------------------------------------------------------------------------
# Fleet and CLI


async def test_fleet(session: aiohttp.ClientSession) -> None:
    base = PhoneProfile(passcode="secret")
    async with PhoneFleet(3, base) as fleet:
        ports = [p.port for p in fleet]
        assert ports == [ports[0], ports[0] + 1, ports[0] + 2]
        assert [p.profile.mac for p in fleet] == [
            "00:0B:82:00:00:01",
            "00:0B:82:00:00:02",
            "00:0B:82:00:00:03",
        ]
        assert len(fleet) == 3
        fleet[0].profile.lines = 2
        assert fleet[1].profile.lines == 4
        reply = await body(session, fleet[2], "api-get_accounts", passcode="secret")
        assert reply["response"] == "success"
    assert base.mac == "00:0B:82:12:34:56"
    with pytest.raises(ValueError, match="at least one"):
        PhoneFleet(0)
    with pytest.raises(ValueError, match="out of range"):
        fleet_mac(0)


async def test_fleet_rings_at_one_moment(session: aiohttp.ClientSession) -> None:
    """Any phone's /_sim/fleet/... rings its fleet's phones; pushes carry times."""
    async with RawReceiver() as receiver, PhoneFleet(3, PhoneProfile(**FAST)) as fleet:
        for sim in fleet:
            sim.profile.action_urls = {
                "incoming": f"http://127.0.0.1:{receiver.port}/in?n=$remote"
            }
        before = time.monotonic()
        calls = [{"phone": 1, "number": "11"}, {"phone": 3, "number": "33"}]
        rung = await control(session, fleet[1], "fleet/ring", {"calls": calls})
        assert rung == {
            "rings": [
                {"phone": 1, "line": 1, "call_id": 1},
                {"phone": 3, "line": 1, "call_id": 1},
            ]
        }
        assert [states(sim)[0] for sim in fleet] == ["ringing", "idle", "ringing"]
        # Both rang in the same turn of the simulator's event loop.
        assert fleet[0].events[-1].time == pytest.approx(fleet[2].events[-1].time)
        await fleet[0].wait_pushes()
        push = fleet[0].pushes[0]
        assert push.call_id == 1
        assert push.sent is not None
        assert before <= push.time <= push.sent <= time.monotonic()
        reported = (await control(session, fleet[0], "events"))["pushes"][0]
        assert (reported["call_id"], reported["sent"]) == (1, push.sent)
        await control(
            session, fleet[0], "fleet/ring", {"calls": [{"phone": 4}]}, expect=400
        )
        missed = await control(session, fleet[0], "fleet/miss", {"phones": [3, 1]})
        assert missed == {"missed": [{"phone": 3, "line": 1}, {"phone": 1, "line": 1}]}
        assert [states(sim)[0] for sim in fleet] == ["idle"] * 3
        await control(session, fleet[0], "fleet/miss", {"phones": [2]}, expect=400)
    assert receiver.lines == ["GET /in?n=11 HTTP/1.1", "GET /in?n=33 HTTP/1.1"]


async def test_fleet_on_given_port_and_conflict() -> None:
    async with PhoneFleet(1) as first:
        taken = first[0].port
        fleet = PhoneFleet(2)
        with pytest.raises(OSError, match="address already in use"):
            await fleet.start(port=taken - 1 if taken > 1024 else taken)
        assert all(not p.online for p in fleet)


def test_cli_parsing() -> None:
    args = build_serve_parser().parse_args(
        [
            "--port",
            "9000",
            "--phones",
            "2",
            "--https",
            "--key-interval",
            "0.5",
            "--action-url",
            "incoming=http://ha/hook?n=$remote",
        ]
    )
    profile = profile_from_args(args)
    assert (args.port, args.phones, profile.https, profile.key_interval) == (
        9000,
        2,
        True,
        0.5,
    )
    assert profile.action_urls == {"incoming": "http://ha/hook?n=$remote"}
    with pytest.raises(ValueError, match="bad --action-url"):
        parse_action_urls(["nope"])
    with pytest.raises(ValueError, match="bad --action-url"):
        parse_action_urls(["explode=http://x"])
    with pytest.raises(SystemExit):
        main(["--action-url", "bad", "--port", "1"])

    ctl = build_ctl_parser()
    cases = [
        (
            ["ring", "--number", "+49", "--name", "Erika Mustermann"],
            "POST",
            "/_sim/ring",
        ),
        (["answer"], "POST", "/_sim/answer"),
        (["remote-answer", "--line", "2"], "POST", "/_sim/remote_answer"),
        (["hangup"], "POST", "/_sim/hangup"),
        (["miss"], "POST", "/_sim/miss"),
        (["reboot"], "POST", "/_sim/reboot"),
        (["state"], "GET", "/_sim/state"),
        (["fault", "--kind", "html"], "POST", "/_sim/fault"),
        (["fault"], "POST", "/_sim/fault"),
        (["register", "--unregistered"], "POST", "/_sim/register"),
        (["profile", "click_to_dial=false", "model=GXP1625"], "POST", "/_sim/profile"),
    ]
    bodies = {}
    for argv, method, path in cases:
        got_method, got_path, data = ctl_request(ctl.parse_args(argv))
        assert (got_method, got_path) == (method, path)
        bodies[argv[0] + str(len(argv))] = data
    assert bodies["ring5"] == {
        "number": "+49",
        "name": "Erika Mustermann",
        "account": 1,
    }
    assert bodies["remote-answer3"] == {"line": 2}
    assert bodies["register2"] == {"account": 1, "registered": False}
    assert bodies["profile3"] == {"click_to_dial": False, "model": "GXP1625"}
    assert bodies["fault1"] == {}
    with pytest.raises(ValueError, match="bad setting"):
        ctl_request(ctl.parse_args(["profile", "novalue"]))


async def test_cli_end_to_end() -> None:
    async with serving("--port", "0", "--phones", "2") as output:
        first = (await asyncio.wait_for(output.readline(), 10)).decode()
        second = (await asyncio.wait_for(output.readline(), 10)).decode()
        assert first.startswith("phone 1: http://127.0.0.1:")
        assert second.endswith("mac 00:0B:82:00:00:02\n")
        url = first.split()[2]

        async def ctl(*argv: str) -> tuple[int, Any]:
            proc = await simulator(
                "ctl", "--url", url, *argv, stderr=asyncio.subprocess.PIPE
            )
            out, _ = await asyncio.wait_for(proc.communicate(), 10)
            return proc.returncode or 0, json.loads(out) if out else None

        code, reply = await ctl("ring", "--number", "+4930123456", "--name", "Erika M")
        assert (code, reply) == (0, {"line": 1, "call_id": 1})
        code, state = await ctl("state")
        assert state["lines"][0]["remotename"] == "Erika M"
        code, _ = await ctl("answer", "--line", "3")
        assert code == 1


async def test_stop_during_reboot() -> None:
    sim = SimulatedPhone(PhoneProfile(**FAST))
    await sim.start()
    sim.schedule_reboot()
    await sim.stop()  # waits for the server to close, then cancels the comeback
    assert not sim.online
    sim2 = SimulatedPhone(PhoneProfile(**FAST))
    await sim2.start()
    await sim2.reboot()
    await sim2.stop()
