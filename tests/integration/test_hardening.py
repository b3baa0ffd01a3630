"""A phone that misbehaves: outages during a call, refusals, slow answers, floods.

Every test runs against the simulator over real HTTP and reads Home
Assistant's own interfaces (states, services, config entries, the log).
The fault matrix at the end crosses the faults with the four places the
integration meets the phone: setup, polling, actions and pushes.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.grandstream.action_urls import action_urls
from custom_components.grandstream.const import DOMAIN, EVENT_CALL
from custom_components.grandstream.coordinator import PUSH_FETCH_SPACING
from simulator import Fault, PhoneProfile, SimulatedPhone

from ..helpers.actions import act
from ..helpers.dnd import verify_push
from ..helpers.entities import LINE_1
from ..helpers.entries import device_id, push_entry, store_our_action_urls
from ..helpers.phone import PASSCODE, change_passcode, fast_profile
from ..helpers.waiting import poll, settle

NUMBER = "+4930123456"


@pytest.fixture
def profile() -> PhoneProfile:
    """A phone that takes a while to push, like real ones (about a second)."""
    return fast_profile(action_url_delay=0.05)


@pytest.fixture
def entry(wired_entry: MockConfigEntry) -> MockConfigEntry:
    """The phone set up with push (see ``wired_entry``)."""
    return wired_entry


@pytest.fixture
def log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Everything logged, so tests can count warnings and find tracebacks."""
    caplog.set_level(logging.DEBUG)
    return caplog


def ours(log: pytest.LogCaptureFixture, level: int = logging.WARNING) -> list[str]:
    """Our log lines at ``level`` or above."""
    return [
        r.getMessage()
        for r in log.records
        if r.name.startswith("custom_components.grandstream") and r.levelno >= level
    ]


def tracebacks(log: pytest.LogCaptureFixture) -> list[str]:
    """Log records carrying a traceback that mention the integration."""
    return [
        r.getMessage()
        for r in log.records
        if r.exc_info
        and r.levelno >= logging.WARNING
        and (
            r.name.startswith("custom_components.grandstream")
            or "grandstream" in (r.exc_text or "")
            or "grandstream" in repr(r.exc_info[1])
        )
    ]


def passcode_requests(phone: SimulatedPhone, since: int = 0) -> int:
    """CTI requests that carried the passcode (any value) after the ``since``-th."""
    return sum(
        1
        for r in phone.requests[since:]
        if "passcode" in r.params or "password" in r.params
    )


# -- 1. a short outage while a call is up -------------------------------------


@pytest.mark.usefixtures("entry")
@pytest.mark.parametrize("stage", ["ringing", "answered"])
@pytest.mark.parametrize("kind", ["reset", "refuse"])
async def test_outage_during_a_call(
    hass: HomeAssistant,
    phone: SimulatedPhone,
    log: pytest.LogCaptureFixture,
    stage: str,
    kind: str,
) -> None:
    """The phone drops connections while a push arrives: the call comes back.

    Before the restructuring this path recursed between the coordinator's
    listeners and the call tracker until RecursionError, and the line stayed
    unavailable for good.
    """
    await verify_push(hass, phone)
    events = async_capture_events(hass, EVENT_CALL)
    phone.incoming_call(NUMBER)
    await settle(hass, phone)
    if stage == "answered":
        phone.answer()
        await settle(hass, phone)
    log.clear()
    # The phone drops every connection for a while; its own push still goes
    # out (pushes are sent by the phone, not fetched).
    phone.set_fault(Fault(kind, duration=0.6))  # type: ignore[arg-type]
    if stage == "answered":
        phone.remote_hangup(1)
    else:
        phone.answer()
    await settle(hass, phone)
    await asyncio.sleep(0.7)
    await phone.wait_listening()
    # The next successful poll shows the phone again.
    await poll(hass)
    await poll(hass)
    state = hass.states.get(LINE_1)
    assert state.state != "unavailable"
    expected = "idle" if stage == "answered" else "connected"
    assert state.state == expected
    assert not [m for m in ours(log, logging.ERROR) if "Recursion" in m]
    assert tracebacks(log) == []
    # At most one line for the outage and one for the recovery.
    assert len(ours(log, logging.WARNING)) <= 1
    assert len([m for m in ours(log, logging.INFO) if "recovered" in m]) <= 1
    types = [e.data["type"] for e in events]
    assert types[0] == "incoming"
    assert types.count("answered") <= 1


@pytest.mark.usefixtures("entry")
async def test_push_fetch_failing_brings_fast_polls(
    hass: HomeAssistant, phone: SimulatedPhone, log: pytest.LogCaptureFixture
) -> None:
    """A push whose line-status read fails: the next poll comes fast, not in 60 s."""
    await verify_push(hass, phone)
    # (Until cleared: a fast poll may fall due in the next moments.)
    phone.set_fault(Fault("reset"))
    phone.incoming_call(NUMBER)
    await settle(hass, phone)
    # The push's own event went out from what the push said.
    await asyncio.sleep(0.5)
    assert hass.states.get(LINE_1).state == "unavailable"
    phone.set_fault(None)
    # 6 s later (not 60) the phone is read again.
    await poll(hass, 6)
    assert hass.states.get(LINE_1).state == "ringing"
    assert tracebacks(log) == []


# -- 2. refusals in any shape stop the passcode ----------------------------------


@pytest.mark.parametrize(
    "style", ["body", "success", "http401", "text", "text_upper", "html"]
)
async def test_refusal_in_any_shape_stops_the_passcode(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    phone: SimulatedPhone,
    log: pytest.LogCaptureFixture,
    style: str,
) -> None:
    """After one refusal no request carries the passcode; reauth starts."""
    change_passcode(phone, style)
    since = len(phone.requests)
    await poll(hass, 61)  # whatever the poll interval, one poll falls due
    first = passcode_requests(phone, since)
    assert 1 <= first <= 2  # the requests of that one poll already on their way
    refused_at = len(phone.requests)
    # Polls, pushes and actions afterwards send nothing.
    for _ in range(3):
        await poll(hass)
    phone.profile.passcode = PASSCODE  # the phone would even accept it now
    phone.incoming_call(NUMBER)
    await settle(hass, phone)
    device = device_id(hass, entry)
    with pytest.raises(HomeAssistantError):
        await act(hass, "answer", device)
    assert passcode_requests(phone, refused_at) == 0
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [f["context"]["source"] for f in flows] == [SOURCE_REAUTH]
    assert tracebacks(log) == []


# -- 3. input that must not reach the phone ---------------------------------------

BAD_INPUTS: list[tuple[str, dict[str, Any]]] = [
    ("dial", {"number": "123\r\n456"}),
    ("dial", {"number": "12\n"}),
    ("dial", {"number": "1\t2"}),
    ("dial", {"number": "١٢٣"}),
    ("dial", {"number": "+49 30 12 3456", "account": 3}),
    ("dial", {"number": "+49 30 12 3456", "account": 0}),
    ("dial", {"number": "x" * 5000}),
    ("dial", {"number": ["1", "2"]}),
    ("send_keys", {"keys": "1:\r\n:2"}),
    ("send_keys", {"keys": "FLASH"}),
    ("send_keys", {"keys": ["1"] * 65}),
    ("answer", {"line": 17}),
    ("hold", {"line": "x"}),
]


@pytest.mark.parametrize(("action", "data"), BAD_INPUTS)
async def test_bad_input_never_reaches_the_phone(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    phone: SimulatedPhone,
    action: str,
    data: dict[str, Any],
) -> None:
    """Refused before anything is sent, with an error users can read."""
    device = device_id(hass, entry)
    since = len(phone.requests)
    with pytest.raises(Exception) as err:
        await act(hass, action, device, **data)
    assert "Traceback" not in str(err.value)
    commands = [
        r for r in phone.requests[since:] if r.function != "api-get_line_status"
    ]
    assert [r.function for r in commands if "status" not in r.function] == []


@pytest.mark.parametrize(("action", "data"), BAD_INPUTS)
async def test_bad_input_over_rest_is_http_400(  # noqa: PLR0917
    hass: HomeAssistant,
    hass_client: Any,
    entry: MockConfigEntry,
    phone: SimulatedPhone,
    action: str,
    data: dict[str, Any],
) -> None:
    """REST callers get 400, not 500 and a traceback in the log."""
    from homeassistant.setup import async_setup_component

    assert await async_setup_component(hass, "api", {})
    device = device_id(hass, entry)
    client = await hass_client()
    response = await client.post(
        f"/api/services/{DOMAIN}/{action}", json={"device_id": device, **data}
    )
    assert response.status == 400


# -- 5. a silent phone does not stall actions ---------------------------------------


async def test_silent_phone_bounds_an_action(
    hass: HomeAssistant, entry: MockConfigEntry, phone: SimulatedPhone
) -> None:
    """Dial against a phone that does not answer gives up after one timeout.

    (Before: the read before, the call and the read after each waited their
    own timeout, 40 s in all.)
    """
    device = device_id(hass, entry)
    timeout = 1.0
    phone.set_fault(Fault("latency", delay=2.5))
    started = time.monotonic()
    with (
        patch("custom_components.grandstream.call_control.REQUEST_TIMEOUT", timeout),
        pytest.raises(HomeAssistantError) as err,
    ):
        await act(hass, "dial", device, number="200")
    # One timeout, not one per request (a second would take another second;
    # the rest is room for a machine busy with other tests).
    assert time.monotonic() - started < 2 * timeout
    assert err.value.translation_key == "timeout"
    phone.set_fault(None)
    await asyncio.sleep(2.6)  # the simulator's slow answers run out


# -- 7. commands go out once --------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "data", "function", "reads_before"),
    [
        ("answer", {}, "api-phone_operation", 0),
        # dial reads the lines first (a read may be retried: two requests).
        ("dial", {"number": "200"}, "api-make_call", 2),
        ("send_keys", {"keys": "1:2"}, "api-send_key", 0),
    ],
)
async def test_commands_are_sent_once(  # noqa: PLR0917
    hass: HomeAssistant,
    entry: MockConfigEntry,
    phone: SimulatedPhone,
    action: str,
    data: dict[str, Any],
    function: str,
    reads_before: int,
) -> None:
    """A reset connection never makes the phone see one command twice."""
    if action == "answer":
        phone.incoming_call(NUMBER)
        # Its push (and the read that follows it) first: arriving late, on a
        # loaded machine, that read took the reset meant for the command.
        await settle(hass, phone)
        await poll(hass)
    device = device_id(hass, entry)
    since = len(phone.requests)
    # The connection is reset after the phone read the command.
    phone.set_fault(Fault("reset", count=reads_before + 1))
    with pytest.raises(HomeAssistantError):
        await act(hass, action, device, **data)
    sent = [r for r in phone.requests[since:] if r.function == function]
    assert len(sent) == 1


# -- 8. a push is a hint --------------------------------------------------------------


async def test_flood_costs_the_phone_few_requests(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    phone: SimulatedPhone,
    ha_url: str,
    log: pytest.LogCaptureFixture,
) -> None:
    """200 pushes in a burst: a few reads, no invented call, one warning."""
    from simulator.actionurl import send_raw_get

    url = action_urls(ha_url, entry.data[CONF_WEBHOOK_ID])["incoming"]
    since = len(phone.requests)
    senders = asyncio.Semaphore(20)

    async def forge(index: int) -> None:
        number = f"+49301234{index:04d}"
        async with senders:
            await send_raw_get(
                url.replace("$mac", "000b82123456").replace("$remote", number),
                "Grandstream GXP2170",
                20.0,
            )

    started = time.monotonic()
    await asyncio.gather(*(forge(i) for i in range(200)))
    await hass.async_block_till_done(wait_background_tasks=True)
    elapsed = time.monotonic() - started
    reads = [r for r in phone.requests[since:] if r.function == "api-get_line_status"]
    # One read in flight at a time, a few per second: not one (or two) per push.
    assert len(reads) <= 2 + elapsed / PUSH_FETCH_SPACING
    assert len(reads) < 40
    assert hass.states.get(LINE_1).state == "idle"
    assert hass.states.get("sensor.front_desk_missed_calls").state == "0"
    warnings = ours(log, logging.WARNING)
    assert 1 <= len(warnings) <= 2  # dropped (flood) and not confirmed, once each
    assert ConfigEntryState.LOADED is entry.state


# -- the fault matrix -------------------------------------------------------------

OUTAGES = ("reset", "refuse", "slow")
# The matrix's request timeout: short, but long enough for a healthy phone's
# answer on a machine busy with other tests (at 0.5 s a recovery read could
# miss it); "slow" answers take twice as long.
MATRIX_TIMEOUT = 1.0
SLOW = 2 * MATRIX_TIMEOUT
REFUSALS = ("refusal_text", "http401", "locked")
CELLS = ("setup", "poll", "action", "push")


async def _start(phone: SimulatedPhone, fault: str) -> None:
    if fault == "slow":
        phone.set_fault(Fault("latency", delay=SLOW))
    elif fault in ("reset", "refuse"):
        phone.set_fault(Fault(fault))  # type: ignore[arg-type]
        if fault == "refuse":
            await phone.wait_listening(False)
    else:
        phone.profile.unauthorized_style = (
            "text"
            if fault == "refusal_text"
            else ("http401" if fault == "http401" else "body")
        )
        if fault == "locked":
            phone.profile.wrong_passcode_style = "countdown"
            phone.profile.lockout_threshold = 1
        change_passcode(phone)


async def _stop(phone: SimulatedPhone, fault: str) -> None:
    phone.set_fault(None)
    if fault == "refuse":
        await phone.wait_listening()
    if fault == "slow":
        await asyncio.sleep(SLOW + 0.1)  # slow answers still on their way run out


def _available(hass: HomeAssistant) -> bool:
    return (
        hass.states.get(LINE_1) is not None
        and hass.states.get(LINE_1).state != "unavailable"
    )


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("fault", OUTAGES + REFUSALS)
async def test_fault_matrix(  # noqa: PLR0917
    hass: HomeAssistant,
    ha_url: str,
    phone: SimulatedPhone,
    log: pytest.LogCaptureFixture,
    fault: str,
    cell: str,
) -> None:
    """Each fault at each place: no traceback, honest availability, one line
    per outage, and not one passcode after a refusal."""
    # The wired_entry fixture's entry, set up here: the fault may come first.
    entry = push_entry(phone)
    entry.add_to_hass(hass)
    with (
        patch(
            "custom_components.grandstream.connection.REQUEST_TIMEOUT", MATRIX_TIMEOUT
        ),
        patch(
            "custom_components.grandstream.call_control.REQUEST_TIMEOUT", MATRIX_TIMEOUT
        ),
    ):
        if cell == "setup":
            await _start(phone, fault)
            since = len(phone.requests)
            await hass.config_entries.async_setup(entry.entry_id)
            await hass.async_block_till_done()
            assert entry.state in (
                ConfigEntryState.SETUP_RETRY,
                ConfigEntryState.SETUP_ERROR,
            )
        else:
            assert await hass.config_entries.async_setup(entry.entry_id)
            await hass.async_block_till_done()
            store_our_action_urls(phone, ha_url, entry)
            assert _available(hass)
            log.clear()
            await _start(phone, fault)
            since = len(phone.requests)
            if cell == "poll":
                await poll(hass)
            elif cell == "action":
                device = device_id(hass, entry)
                with pytest.raises(HomeAssistantError):
                    await act(hass, "dial", device, number="200")
                await poll(hass)
            else:  # push
                if fault != "refuse":
                    phone.incoming_call(NUMBER)
                    await settle(hass, phone)
                    await asyncio.sleep(SLOW + 0.2)
                await poll(hass)
            if fault in OUTAGES:
                assert not _available(hass), "unavailable while the phone is down"

        if fault in REFUSALS:
            refused_at = since + 1
            for _ in range(3):
                await poll(hass)
            # At most the requests of the one poll already on their way.
            assert passcode_requests(phone, since) <= 2
            assert passcode_requests(phone, refused_at + 1) == 0
            flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
            assert [f["context"]["source"] for f in flows] == [SOURCE_REAUTH]
        else:
            await _stop(phone, fault)
            if cell == "setup":
                await hass.config_entries.async_reload(entry.entry_id)
                await hass.async_block_till_done()
            else:
                await poll(hass)
                await poll(hass)
            assert _available(hass), "back when the phone is"
        assert tracebacks(log) == []
        problems = [m for m in ours(log, logging.WARNING) if "recovered" not in m]
        assert len(problems) <= 1, problems
    await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


async def test_dial_placed_is_not_reported_as_a_timeout(
    hass: HomeAssistant, entry: MockConfigEntry, phone: SimulatedPhone
) -> None:
    """The call went out; reading which line it took must not turn it into an error.

    (An automation retrying on an error would dial a second time.)
    """
    device = device_id(hass, entry)
    phone.set_fault(Fault("latency", delay=0.8))
    with patch("custom_components.grandstream.call_control.REQUEST_TIMEOUT", 2.0):
        response = await act(hass, "dial", device, number="200")
    assert response == {device: {"line": None, "method": "click_to_dial"}}
    assert len(phone.calls("api-make_call")) == 1
    phone.set_fault(None)
    await asyncio.sleep(0.9)


async def test_action_does_not_wait_for_the_read_after_it(
    hass: HomeAssistant, entry: MockConfigEntry, phone: SimulatedPhone
) -> None:
    """Answering returns once the phone answered, not after the refresh that follows."""
    device = device_id(hass, entry)
    phone.incoming_call(NUMBER)
    # Its push (and the read that follows it) first: arriving late, that read
    # would be slow too and could hold the answer up.
    await settle(hass, phone)
    await poll(hass)
    latency = 0.6
    phone.set_fault(Fault("latency", delay=latency))
    started = time.monotonic()
    with patch("custom_components.grandstream.call_control.REQUEST_TIMEOUT", 1.0):
        await act(hass, "answer", device)
    # One answer's latency, not two (the refresh's); the rest is room for a
    # machine busy with other tests.
    assert time.monotonic() - started < 2 * latency
    phone.set_fault(None)
    await hass.async_block_till_done()
    await asyncio.sleep(0.7)
