"""The CTI client against the phone simulator, over real HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
import pytest

from custom_components.grandstream.cti import (
    Account,
    GrandstreamAuthenticationError,
    GrandstreamBusyError,
    GrandstreamCertificateError,
    GrandstreamClient,
    GrandstreamConnectionError,
    GrandstreamForbiddenError,
    GrandstreamInvalidKeysError,
    GrandstreamInvalidRequestError,
    GrandstreamLockedError,
    GrandstreamRejectedError,
    GrandstreamResponseError,
    GrandstreamTimeoutError,
    LineState,
    PhoneState,
)
from simulator import Fault, PhoneProfile, SimAccount, SimulatedPhone

from ..helpers.cti_client import make_client
from ..helpers.phone import HOLD_KEY_INTERVAL, PASSCODE, fast_profile


async def test_idle_phone(client: GrandstreamClient, phone: SimulatedPhone) -> None:
    """An idle phone: every line idle, registered, idle calls allowed."""
    lines = await client.line_status()
    assert [line.line for line in lines] == [1, 2, 3, 4]
    assert {line.state for line in lines} == {LineState.IDLE}
    assert lines[0].account is None
    assert lines[0].remote_number == lines[0].remote_name == ""
    status = await client.phone_status()
    assert status.state is PhoneState.AVAILABLE
    assert status.idle_call_allowed is True
    assert await client.accounts() == [
        Account(
            id=1,
            sip_user="1001",
            name="Office",
            server="pbx.example.test",
            registered=True,
        )
    ]
    request = phone.calls("api-get_line_status")[0]
    assert request.params["passcode"] == PASSCODE


@pytest.mark.parametrize(
    "changes",
    [
        {"compact_json": False},
        {"acct_as_number": True},
        {"include_conf": True},
        {"content_type": "application/json"},
        {"lines": 2},
        {"lines": 16},
        {"remotename_repeats_number": False},
    ],
)
async def test_response_variants(
    profile: PhoneProfile,
    phone: SimulatedPhone,
    session: aiohttp.ClientSession,
    changes: dict[str, object],
) -> None:
    """Every response style of docs/phone-protocol.md §2-3 parses the same."""
    for name, value in changes.items():
        setattr(profile, name, value)
    client = make_client(phone, session)
    line = phone.incoming_call("+4930123456", account=1)
    lines = await client.line_status()
    assert len(lines) == profile.lines
    ringing = lines[line - 1]
    assert ringing.state is LineState.RINGING
    assert ringing.account == 1
    assert ringing.remote_number == "+4930123456"
    # No caller name: whether or not the phone repeats the number, there is none.
    assert ringing.remote_name == ""
    assert ringing.conference is False
    status = await client.phone_status()
    assert status.state is PhoneState.RINGING
    assert status.idle_call_allowed is False


async def test_caller_name(client: GrandstreamClient, phone: SimulatedPhone) -> None:
    """A caller name is reported as is."""
    phone.incoming_call("+4930123456", name="Erika Mustermann")
    lines = await client.line_status()
    assert lines[0].remote_name == "Erika Mustermann"


async def test_call_model(client: GrandstreamClient, phone: SimulatedPhone) -> None:
    """Answer, hold, resume and hang up through phone operations."""
    phone.incoming_call("200")
    await client.accept_call()
    assert (await client.line_status())[0].state is LineState.CONNECTED
    assert (await client.phone_status()).state is PhoneState.BUSY
    await client.hold_call()
    assert (await client.line_status())[0].state is LineState.ON_HOLD
    await client.hold_call()
    assert (await client.line_status())[0].state is LineState.CONNECTED
    await client.end_call()
    assert (await client.line_status())[0].state is LineState.IDLE
    ops = [r.params["cmd"] for r in phone.calls("api-phone_operation")]
    assert ops == ["acceptcall", "holdcall", "holdcall", "endcall"]


async def test_reject_and_cancel(
    client: GrandstreamClient, phone: SimulatedPhone
) -> None:
    """Reject a ringing call; cancel an outgoing one."""
    phone.incoming_call("200")
    await client.reject_call()
    assert (await client.line_status())[0].state is LineState.IDLE
    await client.make_call("300")
    assert (await client.line_status())[0].state is LineState.CALLING
    await client.cancel()
    assert (await client.line_status())[0].state is LineState.IDLE


async def test_operation_refused(client: GrandstreamClient) -> None:
    """Nothing ringing: the phone answers false and the client raises."""
    with pytest.raises(GrandstreamRejectedError):
        await client.accept_call()


async def test_make_call(client: GrandstreamClient, phone: SimulatedPhone) -> None:
    """Numbers are cleaned up; account is 0-based on the wire."""
    phone.profile.accounts.append(
        SimAccount(id=2, sip_id="1002", name="Home", server="h.test", registered=True)
    )
    await client.make_call("+49 (30) 1234-5", account=2)
    request = phone.calls("api-make_call")[0]
    assert request.params["phonenumber"] == "+493012345"
    assert request.params["account"] == "1"
    assert request.params["passcode"] == request.params["password"] == PASSCODE
    line = (await client.line_status())[0]
    assert line.state is LineState.CALLING
    assert line.remote_number == "+493012345"
    assert line.account == 2


async def test_make_call_without_account(
    client: GrandstreamClient, phone: SimulatedPhone
) -> None:
    """Without an account the phone picks its default."""
    await client.make_call("300")
    assert "account" not in phone.calls("api-make_call")[0].params
    with pytest.raises(GrandstreamInvalidRequestError):
        await client.make_call("300", account=0)


async def test_click_to_dial_disabled(
    client: GrandstreamClient, phone: SimulatedPhone
) -> None:
    """Click-to-dial off: Invalid Request becomes its own error type."""
    phone.profile.click_to_dial = False
    with pytest.raises(GrandstreamInvalidRequestError):
        await client.make_call("300")


@pytest.mark.parametrize("profile", [fast_profile(key_interval=HOLD_KEY_INTERVAL)])
async def test_send_keys_waits_for_the_phone(
    client: GrandstreamClient, phone: SimulatedPhone
) -> None:
    """send_keys returns once the phone pressed every key."""
    await client.send_keys("1:2:#:SEND")
    assert phone.calls("api-send_key")[0].params["keys"] == "1:2:#:SEND"
    assert [k.key for k in phone.key_log] == ["1", "2", "#", "SEND"]
    assert (await client.line_status())[0].state is LineState.CALLING


async def test_unknown_key_sends_nothing(
    client: GrandstreamClient, phone: SimulatedPhone
) -> None:
    """Keys are validated before any request."""
    for keys in ("1:FLASH", "", [], ["1"] * 65, "1::2"):
        with pytest.raises(GrandstreamInvalidKeysError):
            await client.send_keys(keys)
    with pytest.raises(GrandstreamInvalidKeysError):
        await client.make_call("12ab")
    assert phone.requests == []


@pytest.mark.parametrize("profile", [fast_profile(key_interval=HOLD_KEY_INTERVAL)])
async def test_key_sequences_never_interleave(
    client: GrandstreamClient, phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    """Two sequences at once: the client runs them one after the other."""
    first = ["1"] * 5
    second = ["2"] * 5
    await asyncio.gather(client.send_keys(first), client.send_keys(second))
    assert "".join(k.key for k in phone.key_log) in ("1111122222", "2222211111")

    # Without serialisation the phone really interleaves them.
    phone.clear_logs()
    base = f"{phone.base_url}/cgi-bin/api-send_key"
    for keys in ("3:3:3:3", "4:4:4:4"):
        async with session.get(base, params={"passcode": PASSCODE, "keys": keys}):
            pass
    await phone.wait_idle_keys()
    pressed = "".join(k.key for k in phone.key_log)
    assert pressed not in ("33334444", "44443333")


async def test_command_queue_is_bounded(
    phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    """Beyond the bound a command is refused instead of waiting forever."""
    client = make_client(phone, session, max_pending_commands=2)
    first = asyncio.create_task(client.send_keys(["1"] * 10))
    second = asyncio.create_task(client.send_keys(["2"]))
    await asyncio.sleep(0)
    assert client.pending_commands == 2
    with pytest.raises(GrandstreamBusyError):
        await client.send_keys(["3"])
    await asyncio.gather(first, second)
    assert client.pending_commands == 0


@pytest.mark.parametrize("drops", [True, False])
async def test_reboot(
    client: GrandstreamClient, phone: SimulatedPhone, drops: bool
) -> None:
    """A reboot succeeds whether or not the phone answers before restarting."""
    phone.profile.reboot_drops_connection = drops
    await client.reboot()
    await asyncio.sleep(0.05)
    with pytest.raises(GrandstreamConnectionError):
        await client.phone_status()
    await phone.wait_online()
    assert (await client.phone_status()).state is PhoneState.AVAILABLE


@pytest.mark.parametrize("style", ["body", "http401"])
async def test_wrong_passcode_is_never_retried(
    phone: SimulatedPhone, session: aiohttp.ClientSession, style: str
) -> None:
    """One rejection and the client never sends that passcode again."""
    phone.profile.unauthorized_style = style
    client = make_client(phone, session, passcode="wrong")
    with pytest.raises(GrandstreamAuthenticationError) as err:
        await client.phone_status()
    assert not isinstance(err.value, GrandstreamLockedError)
    for _ in range(3):
        with pytest.raises(GrandstreamAuthenticationError):
            await client.line_status()
    assert len(phone.requests) == 1
    assert phone.failures == 1


async def test_locked_phone(
    phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    """After five wrong passcodes even the right one is refused as locked."""
    for _ in range(5):
        with pytest.raises(GrandstreamAuthenticationError):
            await make_client(phone, session, passcode="wrong").phone_status()
    assert phone.locked
    with pytest.raises(GrandstreamLockedError):
        await make_client(phone, session).phone_status()


async def test_forbidden(client: GrandstreamClient, phone: SimulatedPhone) -> None:
    """HTTP 403 is told apart from a refused passcode and does not latch it."""
    phone.profile.cti_enabled = False
    with pytest.raises(GrandstreamForbiddenError) as err:
        await client.phone_status()
    assert not isinstance(err.value, GrandstreamAuthenticationError)
    message = str(err.value)
    assert "HTTP 403" in message
    assert "Remote Control settings" in message
    assert "Action URI Allowed IP List" in message
    assert "disabled" not in message.lower()
    assert phone.failures == 0
    # Not latched: once the phone lets us in, the same client works.
    phone.profile.cti_enabled = True
    assert (await client.phone_status()).state is PhoneState.AVAILABLE
    assert len(phone.calls("api-get_phone_status")) == 2


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        ("http500", GrandstreamResponseError),
        ("truncated", GrandstreamResponseError),
        ("non_json", GrandstreamResponseError),
        ("html", GrandstreamResponseError),
        ("reset", GrandstreamConnectionError),
    ],
)
async def test_faults(
    client: GrandstreamClient,
    phone: SimulatedPhone,
    kind: str,
    error: type[Exception],
) -> None:
    """Every kind of broken answer becomes a typed error, then recovery."""
    # Until cleared: aiohttp resends once on a dropped keep-alive connection.
    phone.set_fault(Fault(kind=kind))  # type: ignore[arg-type]
    with pytest.raises(error) as err:
        await client.line_status()
    assert PASSCODE not in str(err.value)
    phone.set_fault(None)
    assert len(await client.line_status()) == 4


async def test_timeout(phone: SimulatedPhone, session: aiohttp.ClientSession) -> None:
    """A slow phone raises a timeout error after the request timeout."""
    phone.set_fault(Fault(kind="latency", delay=0.4, count=1))
    client = make_client(phone, session, request_timeout=0.1)
    with pytest.raises(GrandstreamTimeoutError):
        await client.phone_status()
    await asyncio.sleep(0.4)  # let the simulator's slow answer finish


@pytest.mark.usefixtures("socket_enabled")
async def test_unreachable(session: aiohttp.ClientSession) -> None:
    """Nothing listening: a connection error without the passcode in it."""
    client = GrandstreamClient("127.0.0.1:9", PASSCODE, session=session)
    with pytest.raises(GrandstreamConnectionError) as err:
        await client.phone_status()
    assert PASSCODE not in str(err.value)
    assert "127.0.0.1:9" in str(err.value)


async def test_passcode_never_shown(
    phone: SimulatedPhone,
    session: aiohttp.ClientSession,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Not in repr, not in an error, not in a log line."""
    caplog.set_level(logging.DEBUG)
    client = make_client(phone, session)
    assert PASSCODE not in repr(client)
    await client.line_status()
    phone.set_fault(Fault(kind="reset"))
    with pytest.raises(GrandstreamConnectionError) as err:
        await client.line_status()
    assert PASSCODE not in str(err.value)
    assert PASSCODE not in caplog.text
    assert "Requesting" in caplog.text


@pytest.mark.usefixtures("socket_enabled")
async def test_https(profile: PhoneProfile) -> None:
    """HTTPS with the self-signed certificate: works unverified, fails verified."""
    profile.https = True
    async with SimulatedPhone(profile) as phone, aiohttp.ClientSession() as session:
        client = make_client(phone, session)
        assert client.base_url.startswith("https://")
        assert (await client.phone_status()).state is PhoneState.AVAILABLE
        verified = make_client(phone, session, verify_ssl=True)
        # The simulator's side of the refused handshake is reported to the
        # loop's exception handler; it is expected here.
        loop = asyncio.get_running_loop()
        handler = loop.get_exception_handler()
        loop.set_exception_handler(lambda _loop, _context: None)
        try:
            with pytest.raises(GrandstreamCertificateError) as err:
                await verified.phone_status()
            assert isinstance(err.value, GrandstreamConnectionError)
            assert "certificate" in str(err.value)
            assert "not trusted" in str(err.value)
            await asyncio.sleep(0.05)
        finally:
            loop.set_exception_handler(handler)


async def test_concurrent_requests_cost_one_attempt(
    phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    """Until the passcode is proven, requests go one at a time."""
    client = make_client(phone, session, passcode="wrong")
    results = await asyncio.gather(
        client.phone_status(), client.line_status(), return_exceptions=True
    )
    assert all(isinstance(r, GrandstreamAuthenticationError) for r in results)
    assert phone.failures == 1
    assert len(phone.requests) == 1


async def test_proven_passcode_allows_concurrency(
    client: GrandstreamClient, phone: SimulatedPhone
) -> None:
    """Once accepted, status and lines may be fetched together."""
    phone.set_fault(Fault(kind="latency", delay=0.2))
    await client.phone_status()
    started = asyncio.get_running_loop().time()
    await asyncio.gather(client.phone_status(), client.line_status())
    assert asyncio.get_running_loop().time() - started < 0.35
    phone.set_fault(None)


async def test_login_countdown_is_an_auth_failure(
    client: GrandstreamClient, phone: SimulatedPhone, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Firmware that answers "wrong4" counts down to a lockout: never retry."""
    original = phone._envelope

    def countdown(outcome: str, body: object, **kwargs: object) -> object:
        if body == "unauthorized":
            body = "wrong4"
        return original(outcome, body, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(phone, "_envelope", countdown)
    phone.profile.passcode = "changed"
    with pytest.raises(GrandstreamAuthenticationError):
        await client.phone_status()
    with pytest.raises(GrandstreamAuthenticationError):
        await client.phone_status()
    assert phone.failures == 1
