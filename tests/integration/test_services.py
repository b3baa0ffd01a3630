"""The actions (dial, send_keys, answer, reject, hangup, hold) end to end.

Every test goes through Home Assistant's service interface against the
simulated phone and checks what reached the phone on the wire.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
import json
import logging
from pathlib import Path
import re
import time
from typing import Any

from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.setup import async_setup_component
from homeassistant.util.yaml import load_yaml_dict
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.grandstream.const import DOMAIN
from custom_components.grandstream.cti import GrandstreamClient
from custom_components.grandstream.cti.client import DEFAULT_MAX_PENDING_COMMANDS
from simulator import Fault, PhoneProfile, SimAccount, SimulatedPhone

from ..helpers.actions import act, input_error
from ..helpers.entries import device_id, phone_entry, set_up_at_key_pace
from ..helpers.phone import HOLD_KEY_INTERVAL, PASSCODE, change_passcode, fast_profile

INTEGRATION = Path(__file__).parents[2] / "custom_components" / DOMAIN
STRINGS = json.loads((INTEGRATION / "strings.json").read_text(encoding="utf-8"))
SERVICES_YAML = load_yaml_dict(INTEGRATION / "services.yaml")

ACTIONS = ("dial", "send_keys", "answer", "reject", "hangup", "hold")
READS = frozenset({"api-get_line_status", "api-get_phone_status", "api-get_accounts"})


# -- helpers -----------------------------------------------------------------


def commands(phone: SimulatedPhone) -> list[tuple[str, dict[str, str]]]:
    """The commands (not status reads) the phone received, with their parameters."""
    return [(r.function, r.params) for r in phone.requests if r.function not in READS]


def operation(cmd: str) -> tuple[str, dict[str, str]]:
    """An api-phone_operation request as it appears on the wire."""
    return ("api-phone_operation", {"cmd": cmd, "passcode": PASSCODE})


def keys_request(keys: str) -> tuple[str, dict[str, str]]:
    """An api-send_key request as it appears on the wire."""
    return ("api-send_key", {"keys": keys, "passcode": PASSCODE})


def make_call_request(
    number: str, account: str | None = None
) -> tuple[str, dict[str, str]]:
    """An api-make_call request (passcode sent as passcode and password)."""
    params = {"phonenumber": number}
    if account is not None:
        params["account"] = account
    return ("api-make_call", {**params, "passcode": PASSCODE, "password": PASSCODE})


def functions_before(phone: SimulatedPhone, function: str) -> list[str]:
    """The functions requested before the first ``function`` request."""
    names = [r.function for r in phone.requests]
    return names[: names.index(function)]


async def until(predicate: Callable[[], bool]) -> None:
    """Wait, in real time and for at most 2.5 s, until ``predicate`` holds."""
    deadline = time.monotonic() + 2.5
    for _ in range(10_000):
        if predicate():
            return
        assert time.monotonic() < deadline, "gave up waiting"
        await asyncio.sleep(0.005)


def assert_translated(err: HomeAssistantError, key: str) -> None:
    """The error carries ``key``, which exists with every placeholder it needs."""
    assert err.translation_domain == DOMAIN
    assert err.translation_key == key
    message = STRINGS["exceptions"][key]["message"]
    needed = set(re.findall(r"{(\w+)}", message))
    assert needed <= set(err.translation_placeholders or {})


async def assert_refused(
    hass: HomeAssistant,
    action: str,
    devices: list[str],
    key: str,
    *,
    kind: type[HomeAssistantError] = HomeAssistantError,
    **data: Any,
) -> HomeAssistantError:
    """The action raises ``kind`` with ``key`` (see ``assert_translated``)."""
    with pytest.raises(kind) as err:
        await act(hass, action, devices, **data)
    assert_translated(err.value, key)
    return err.value


def line_state(hass: HomeAssistant, entry: MockConfigEntry, line: int) -> str:
    """What the sensor of ``line`` shows."""
    state = hass.states.get(line_entity(hass, entry, line))
    assert state is not None
    return state.state


def line_entity(hass: HomeAssistant, entry: MockConfigEntry, line: int) -> str:
    """The entity id of the sensor of ``line``."""
    entity_id = er.async_get(hass).async_get_entity_id(
        "sensor", DOMAIN, f"{entry.entry_id}_line_{line}"
    )
    assert entity_id is not None
    return entity_id


@pytest.fixture
async def integration(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, phone: SimulatedPhone
) -> MockConfigEntry:
    """The integration set up against the phone, with the setup's requests forgotten."""
    await set_up_at_key_pace(hass, mock_config_entry, phone)
    phone.clear_logs()
    return mock_config_entry


@pytest.fixture
def device(hass: HomeAssistant, integration: MockConfigEntry) -> str:
    """The device id of the phone."""
    return device_id(hass, integration)


@pytest.fixture
async def second_phone(socket_enabled: None) -> AsyncIterator[SimulatedPhone]:
    """Another simulated phone, set up as a second config entry by the test."""
    sim = SimulatedPhone(fast_profile(mac="00:0B:82:65:43:21"))
    await sim.start()
    try:
        yield sim
    finally:
        await sim.stop()


# -- registration and texts --------------------------------------------------


async def test_actions_registered_without_entries(hass: HomeAssistant) -> None:
    """The actions exist as soon as the integration is set up, with no phone."""
    assert await async_setup_component(hass, DOMAIN, {})
    assert hass.config_entries.async_entries(DOMAIN) == []
    registered = set(hass.services.async_services_for_domain(DOMAIN))
    assert registered >= set(ACTIONS)
    assert registered == set(SERVICES_YAML)


def test_every_action_is_described() -> None:
    """services.yaml and strings.json describe the same actions and fields."""
    assert set(SERVICES_YAML) >= set(ACTIONS)
    assert set(STRINGS["services"]) == set(SERVICES_YAML)
    for action, spec in SERVICES_YAML.items():
        texts = STRINGS["services"][action]
        assert texts["name"]
        assert texts["description"]
        assert set(texts.get("fields", {})) == set((spec or {}).get("fields", {}))
        for field in texts.get("fields", {}).values():
            assert field["name"]
            assert field["description"]


# -- dial --------------------------------------------------------------------


async def test_dial_click_to_dial(
    hass: HomeAssistant,
    integration: MockConfigEntry,
    device: str,
    phone: SimulatedPhone,
) -> None:
    """Dial uses make_call, answers with the line, and the line shows the call."""
    response = await act(hass, "dial", [device], number="+49 30 1234567")

    assert response == {device: {"line": 1, "method": "click_to_dial"}}
    assert commands(phone) == [make_call_request("+49301234567")]
    # The lines are read just before and once the phone accepted the call.
    assert [r.function for r in phone.requests[:3]] == [
        "api-get_line_status",
        "api-make_call",
        "api-get_line_status",
    ]
    await hass.async_block_till_done()
    state = hass.states.get(line_entity(hass, integration, 1))
    assert state is not None
    assert state.state == "calling"
    assert state.attributes["remote_number"] == "+49301234567"


async def test_dial_without_response(
    hass: HomeAssistant, integration: MockConfigEntry, phone: SimulatedPhone
) -> None:
    """The response is optional; a single device id needs no list."""
    assert (
        await hass.services.async_call(
            DOMAIN,
            "dial",
            {"device_id": device_id(hass, integration), "number": 12345},
            blocking=True,
        )
        is None
    )
    assert commands(phone) == [make_call_request("12345")]


@pytest.fixture
def two_accounts(profile: PhoneProfile) -> None:
    """The phone lists a second account (before the integration is set up)."""
    profile.accounts.append(SimAccount(id=2, sip_id="1002", name="Home"))


@pytest.mark.usefixtures("two_accounts")
async def test_dial_with_account(
    hass: HomeAssistant, device: str, phone: SimulatedPhone
) -> None:
    """Accounts are 1-based in the action and 0-based on the wire."""
    response = await act(hass, "dial", [device], number="200", account=2)

    assert response == {device: {"line": 1, "method": "click_to_dial"}}
    assert commands(phone) == [make_call_request("200", account="1")]
    assert phone.line(1).account == 2


async def test_dial_account_the_phone_does_not_list(
    hass: HomeAssistant, device: str, phone: SimulatedPhone
) -> None:
    """An account the phone does not list is refused before anything is sent."""
    error = await assert_refused(
        hass,
        "dial",
        [device],
        "invalid_account",
        kind=ServiceValidationError,
        number="200",
        account=2,
    )
    assert error.translation_placeholders == {"account": "2", "accounts": "1"}
    assert commands(phone) == []


@pytest.mark.parametrize("account", [0, 17, "first", 1.5])
async def test_dial_account_out_of_range(
    hass: HomeAssistant, device: str, phone: SimulatedPhone, account: object
) -> None:
    """Account numbers outside 1-16 are refused by the schema, saying what is allowed."""
    error = await assert_refused(
        hass,
        "dial",
        [device],
        "invalid_account_input",
        kind=ServiceValidationError,
        number="200",
        account=account,
    )
    assert str(error) == (
        f'"{account}" is not an account: give an account number from 1 to 16 '
        "(1 = the phone's first account), or leave it empty for the phone's default"
    )
    assert commands(phone) == []


@pytest.mark.parametrize(
    ("number", "sent"),
    [
        ("+49 (30) 123-45 67", "+49301234567"),
        ("030/123.456", "030123456"),
        ("*21#", "*21#"),
        ("  0800 - 11 22 33  ", "0800112233"),
    ],
)
async def test_dial_normalises_number(
    hass: HomeAssistant, device: str, phone: SimulatedPhone, number: str, sent: str
) -> None:
    """Spaces, dashes, brackets, dots and slashes are dropped; + * # are kept."""
    await act(hass, "dial", [device], number=number)
    assert commands(phone) == [make_call_request(sent)]


@pytest.mark.parametrize("number", ["abc", "1+2", "+", "12a4", "1;2", "0" * 41, "--"])
async def test_dial_refuses_number(
    hass: HomeAssistant, device: str, phone: SimulatedPhone, number: str
) -> None:
    """Anything that is not a dialable number is refused before anything is sent."""
    with pytest.raises(ServiceValidationError) as err:
        await act(hass, "dial", [device], number=number)
    error = input_error(err.value)
    assert_translated(error, "invalid_number")
    assert error.translation_placeholders == {"number": number[:40], "max": "40"}
    assert commands(phone) == []


async def test_dial_refusal_reads_as_a_sentence(
    hass: HomeAssistant, device: str, phone: SimulatedPhone
) -> None:
    """What was wrong and what is allowed; + is the only sign that must come first."""
    with pytest.raises(ServiceValidationError) as err:
        await act(hass, "dial", [device], number="12ab")
    assert str(err.value) == (
        '"12ab" is not a number a phone can dial. A number is made of digits, * and #, '
        "with , for a pause and an optional + in front, at most 40 of them; spaces, "
        "dashes, brackets, dots and slashes are ignored"
    )


@pytest.mark.parametrize("number", ["", "   ", None, [], True])
async def test_dial_without_a_number(
    hass: HomeAssistant, device: str, phone: SimulatedPhone, number: object
) -> None:
    """No number at all is said as such."""
    await assert_refused(
        hass, "dial", [device], "no_number", kind=ServiceValidationError, number=number
    )
    assert commands(phone) == []


@pytest.mark.parametrize("profile", [fast_profile(key_interval=HOLD_KEY_INTERVAL)])
async def test_dial_falls_back_to_keys(
    hass: HomeAssistant,
    device: str,
    phone: SimulatedPhone,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Without click-to-dial the number is typed; the path is logged once."""
    phone.profile.click_to_dial = False
    caplog.set_level(logging.INFO, logger="custom_components.grandstream")

    response = await act(hass, "dial", [device], number="+49 30 1234567")

    assert response == {device: {"line": 1, "method": "keys"}}
    assert commands(phone) == [
        make_call_request("+49301234567"),
        keys_request("0:0:4:9:3:0:1:2:3:4:5:6:7:SEND"),
    ]
    # Every key was pressed before the action returned.
    assert [k.key for k in phone.key_log][-1] == "SEND"
    assert phone.line(1).state == "calling"
    assert phone.line(1).remote_number == "00493012345" + "67"

    phone.remote_hangup(1)
    response = await act(hass, "dial", [device], number="*21#")
    assert response == {device: {"line": 1, "method": "keys"}}
    assert commands(phone)[2:] == [
        make_call_request("*21#"),
        keys_request("STAR:2:1:#:SEND"),
    ]

    logged = [r for r in caplog.records if "refused click-to-dial" in r.getMessage()]
    assert len(logged) == 1
    assert "Front desk" in logged[0].getMessage()
    assert "Click-To-Dial Feature" in logged[0].getMessage()


@pytest.mark.parametrize("in_call", [False, True], ids=["account", "in_call"])
async def test_dial_no_key_fallback(
    hass: HomeAssistant, device: str, phone: SimulatedPhone, in_call: bool
) -> None:
    """No typing when an account was asked for or a call is up (digits = DTMF)."""
    phone.profile.click_to_dial = False
    data: dict[str, object] = {"number": "200"}
    if in_call:
        phone.incoming_call("5551234")
        phone.answer()
    else:
        data["account"] = 1
    await assert_refused(hass, "dial", [device], "invalid_request", **data)
    assert [r.function for r in phone.requests if r.function == "api-send_key"] == []


async def test_dial_pause_cannot_be_typed(
    hass: HomeAssistant, device: str, phone: SimulatedPhone
) -> None:
    """A pause is fine for click-to-dial but cannot be typed on the keypad."""
    phone.profile.click_to_dial = False

    await assert_refused(
        hass,
        "dial",
        [device],
        "invalid_keys",
        kind=ServiceValidationError,
        number="123,45",
    )
    assert commands(phone) == [make_call_request("123,45")]
    assert phone.key_log == []


async def test_dial_keypad_locked(
    hass: HomeAssistant, device: str, phone: SimulatedPhone
) -> None:
    """A locked keypad refuses make_call and swallows the typed number."""
    phone.profile.keypad_locked = True

    await assert_refused(hass, "dial", [device], "invalid_request", number="200")
    assert commands(phone) == [make_call_request("200"), keys_request("2:0:0:SEND")]
    assert all(k.ignored for k in phone.key_log)
    assert {line.state for line in phone.lines} == {"idle"}


async def test_dial_by_keys_during_a_call(
    hass: HomeAssistant,
    integration: MockConfigEntry,
    device: str,
    phone: SimulatedPhone,
) -> None:
    """Digits typed during a call are DTMF: no call starts, so the dial fails."""
    phone.profile.click_to_dial = False
    phone.incoming_call("5551234")
    phone.answer()
    await integration.runtime_data.async_refresh()

    await assert_refused(hass, "dial", [device], "invalid_request", number="200")
    assert [line.state for line in phone.lines] == ["connected", *["idle"] * 3]


async def test_dial_line_unknown(
    hass: HomeAssistant,
    device: str,
    phone: SimulatedPhone,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """When the line cannot be read after dialling, the call still counts."""
    make_call = phone.make_call

    def make_call_then_break(number: str, account: int = 0) -> int | None:
        phone.set_fault(Fault("http500", count=1))
        return make_call(number, account)

    monkeypatch.setattr(phone, "make_call", make_call_then_break)

    response = await act(hass, "dial", [device], number="200")

    assert response == {device: {"line": None, "method": "click_to_dial"}}
    assert phone.line(1).state == "calling"


async def test_dial_beside_other_calls(
    hass: HomeAssistant, device: str, phone: SimulatedPhone
) -> None:
    """The new call's line is found while other lines hold or ring calls."""
    phone.profile.auto_answer_outgoing = True
    await act(hass, "dial", [device], number="200")
    # The phone reports line 1's call; now ring line 2 and dial from line 3.
    phone.incoming_call("300")
    response = await act(hass, "dial", [device], number="400")
    assert response == {device: {"line": 3, "method": "click_to_dial"}}


async def test_dial_several_phones(
    hass: HomeAssistant,
    integration: MockConfigEntry,
    phone: SimulatedPhone,
    second_phone: SimulatedPhone,
) -> None:
    """One dial action may name several phones; each answers for itself."""
    second = phone_entry(
        second_phone, title="Back office", entry_id="01JGRANDSTREAMENTRY00000002"
    )
    await set_up_at_key_pace(hass, second, second_phone)
    second_phone.clear_logs()
    first_id, second_id = device_id(hass, integration), device_id(hass, second)
    second_phone.profile.click_to_dial = False

    response = await act(hass, "dial", [first_id, second_id], number="200")

    assert response == {
        first_id: {"line": 1, "method": "click_to_dial"},
        second_id: {"line": 1, "method": "keys"},
    }
    assert commands(phone) == [make_call_request("200")]
    assert commands(second_phone) == [
        make_call_request("200"),
        keys_request("2:0:0:SEND"),
    ]


# -- send_keys ---------------------------------------------------------------


@pytest.mark.parametrize("profile", [fast_profile(key_interval=HOLD_KEY_INTERVAL)])
@pytest.mark.parametrize(
    ("keys", "sent"),
    [
        ("1:2:POUND:SEND", "1:2:#:SEND"),
        (["1", "2", "#", "*", "SEND"], "1:2:#:STAR:SEND"),
        ("*:#:line1: mpk2 ", "STAR:#:LINE1:MPK2"),
        ([1, 2], "1:2"),
    ],
)
async def test_send_keys(
    hass: HomeAssistant, device: str, phone: SimulatedPhone, keys: object, sent: str
) -> None:
    """Keys as a list or in colon form, with * and # for STAR and POUND."""
    await act(hass, "send_keys", [device], keys=keys)

    assert commands(phone) == [keys_request(sent)]
    # The action returns once the phone has pressed every key.
    assert [k.key for k in phone.key_log] == sent.split(":")


async def test_send_keys_at_most_64(
    hass: HomeAssistant, device: str, phone: SimulatedPhone
) -> None:
    """64 keys is the longest sequence accepted."""
    await act(hass, "send_keys", [device], keys=["UP"] * 64)
    assert commands(phone) == [keys_request(":".join(["UP"] * 64))]


@pytest.mark.parametrize(
    ("keys", "key", "placeholders"),
    [
        ("FLASH", "invalid_key", {"key": "FLASH"}),
        ("1:FLASH:2", "invalid_key", {"key": "FLASH"}),
        ("", "no_keys", None),
        ("  ", "no_keys", None),
        ([], "no_keys", None),
        ("1::2", "invalid_key", {"key": ""}),
        (["1", "+"], "invalid_key", {"key": "+"}),
        (["1"] * 65, "too_many_keys", {"count": "65", "max": "64"}),
        ("LINE0", "invalid_key", {"key": "LINE0"}),
    ],
)
async def test_send_keys_refused(
    hass: HomeAssistant,
    *,
    device: str,
    phone: SimulatedPhone,
    keys: object,
    key: str,
    placeholders: dict[str, str] | None,
) -> None:
    """Unknown keys, no keys and over-long sequences: nothing is sent."""
    with pytest.raises(ServiceValidationError) as err:
        await act(hass, "send_keys", [device], keys=keys)
    error = input_error(err.value)
    assert_translated(error, key)
    assert error.translation_placeholders == placeholders
    assert commands(phone) == []
    assert phone.key_log == []


async def test_send_keys_refusal_names_the_key(
    hass: HomeAssistant, device: str, phone: SimulatedPhone
) -> None:
    """The unknown key is quoted, and what keys exist is said."""
    with pytest.raises(ServiceValidationError) as err:
        await act(hass, "send_keys", [device], keys="1:FLASH:2")
    assert str(err.value).startswith('"FLASH" is not a key of the phone. Keys are 0-9')


# -- answer ------------------------------------------------------------------


async def test_answer_ringing_call(
    hass: HomeAssistant,
    integration: MockConfigEntry,
    device: str,
    phone: SimulatedPhone,
) -> None:
    """Without a line, the phone answers the ringing call."""
    phone.incoming_call("5551234", "Erika")

    await act(hass, "answer", [device])

    assert commands(phone) == [operation("acceptcall")]
    assert phone.line(1).state == "connected"
    await hass.async_block_till_done()
    state = hass.states.get(line_entity(hass, integration, 1))
    assert state is not None
    assert state.state == "connected"
    assert state.attributes["remote_name"] == "Erika"


@pytest.mark.parametrize(
    ("action", "cmd", "after"),
    [("answer", "acceptcall", "connected"), ("reject", "rejectcall", "idle")],
)
async def test_answer_or_reject_line(
    hass: HomeAssistant,
    device: str,
    phone: SimulatedPhone,
    *,
    action: str,
    cmd: str,
    after: str,
) -> None:
    """With a line, the line must be ringing: it is checked first."""
    phone.incoming_call("5551234")

    await act(hass, action, [device], line=1)

    assert commands(phone) == [operation(cmd)]
    assert functions_before(phone, "api-phone_operation") == ["api-get_line_status"]
    assert phone.line(1).state == after


async def test_answer_line_of_two_ringing(
    hass: HomeAssistant, device: str, phone: SimulatedPhone
) -> None:
    """With two calls ringing, the line key picks up the one asked for."""
    phone.incoming_call("5551111")
    phone.incoming_call("5552222")

    await act(hass, "answer", [device], line=2)

    assert commands(phone) == [keys_request("LINE2")]
    assert functions_before(phone, "api-send_key") == ["api-get_line_status"]
    assert [line.state for line in phone.lines][:2] == ["ringing", "connected"]


@pytest.mark.parametrize("data", [{}, {"line": 1}, {"line": 2}])
async def test_answer_nothing_ringing(
    hass: HomeAssistant, device: str, phone: SimulatedPhone, data: dict[str, int]
) -> None:
    """Nothing to answer: the phone's refusal and our own check read the same."""
    phone.incoming_call("5551234")
    phone.answer()  # line 1 is in a call, not ringing

    await assert_refused(hass, "answer", [device], "no_ringing_call", **data)
    assert commands(phone) == ([operation("acceptcall")] if not data else [])


# -- reject ------------------------------------------------------------------


async def test_reject(hass: HomeAssistant, device: str, phone: SimulatedPhone) -> None:
    """Reject ends the ringing call."""
    phone.incoming_call("5551234")

    await act(hass, "reject", [device])

    assert commands(phone) == [operation("rejectcall")]
    assert phone.line(1).state == "idle"


async def test_reject_line_of_two_ringing(
    hass: HomeAssistant, device: str, phone: SimulatedPhone
) -> None:
    """Rejecting line 2 never rejects the call ringing on line 1: it is refused."""
    phone.incoming_call("5551111")
    phone.incoming_call("5552222")

    await assert_refused(hass, "reject", [device], "reject_line_ambiguous", line=2)
    assert phone.line(1).state == "ringing"
    assert phone.line(2).state == "ringing"


@pytest.mark.parametrize("data", [{}, {"line": 2}])
async def test_reject_nothing_ringing(
    hass: HomeAssistant, device: str, phone: SimulatedPhone, data: dict[str, int]
) -> None:
    """Nothing ringing (on that line): no_ringing_call."""
    if data:
        phone.incoming_call("5551234")  # rings on line 1, not line 2

    await assert_refused(hass, "reject", [device], "no_ringing_call", **data)
    assert commands(phone) == ([] if data else [operation("rejectcall")])


# -- hangup ------------------------------------------------------------------


async def _two_calls(phone: SimulatedPhone) -> None:
    """Line 1 on hold, line 2 connected and in focus."""
    phone.incoming_call("5551111")
    phone.answer(1)
    phone.incoming_call("5552222")
    phone.answer(2)
    assert [line.state for line in phone.lines][:2] == ["onhold", "connected"]
    assert phone.active_line == 2


@pytest.mark.parametrize("data", [{}, {"line": 2}], ids=["no_line", "line_in_focus"])
async def test_hangup_active_call(
    hass: HomeAssistant, device: str, phone: SimulatedPhone, data: dict[str, int]
) -> None:
    """Without a line the active call ends; a line with the focus needs no line key."""
    await _two_calls(phone)

    await act(hass, "hangup", [device], **data)

    assert commands(phone) == [operation("endcall")]
    assert [line.state for line in phone.lines][:2] == ["onhold", "idle"]


async def test_hangup_held_line(
    hass: HomeAssistant, device: str, phone: SimulatedPhone
) -> None:
    """A held call without focus: its line key first, then endcall."""
    await _two_calls(phone)

    await act(hass, "hangup", [device], line=1)

    assert commands(phone) == [keys_request("LINE1"), operation("endcall")]
    assert functions_before(phone, "api-send_key") == ["api-get_line_status"]
    assert [line.state for line in phone.lines][:2] == ["idle", "onhold"]


@pytest.mark.parametrize("data", [{}, {"line": 3}])
async def test_hangup_no_call(
    hass: HomeAssistant, device: str, phone: SimulatedPhone, data: dict[str, int]
) -> None:
    """No call (on that line): no_active_call."""
    if data:
        phone.incoming_call("5551234")
        phone.answer()

    await assert_refused(hass, "hangup", [device], "no_active_call", **data)
    assert commands(phone) == ([] if data else [operation("endcall")])


async def test_hangup_outgoing_call_refreshes(
    hass: HomeAssistant,
    integration: MockConfigEntry,
    device: str,
    phone: SimulatedPhone,
) -> None:
    """Two commands in a row: both show up on the dashboard within seconds."""
    await act(hass, "dial", [device], number="200")
    await hass.async_block_till_done()
    assert line_state(hass, integration, 1) == "calling"

    await act(hass, "hangup", [device])

    assert commands(phone)[-1] == operation("endcall")
    # The second refresh is due within the one-second cooldown.
    await until(lambda: line_state(hass, integration, 1) == "idle")


# -- hold --------------------------------------------------------------------


async def test_hold_toggles(
    hass: HomeAssistant,
    integration: MockConfigEntry,
    device: str,
    phone: SimulatedPhone,
) -> None:
    """Hold puts the active call on hold, and the next one resumes it."""
    phone.incoming_call("5551234")
    phone.answer()

    await act(hass, "hold", [device])
    assert phone.line(1).state == "onhold"
    await hass.async_block_till_done()
    assert line_state(hass, integration, 1) == "on_hold"

    await act(hass, "hold", [device], line=1)
    assert phone.line(1).state == "connected"
    assert commands(phone) == [operation("holdcall"), operation("holdcall")]


async def test_hold_resumes_other_line(
    hass: HomeAssistant, device: str, phone: SimulatedPhone
) -> None:
    """Resuming a held line without focus: its line key alone does it."""
    await _two_calls(phone)

    await act(hass, "hold", [device], line=1)

    assert commands(phone) == [keys_request("LINE1")]
    assert [line.state for line in phone.lines][:2] == ["connected", "onhold"]
    assert phone.active_line == 1


@pytest.mark.parametrize("data", [{}, {"line": 1}])
async def test_hold_no_call(
    hass: HomeAssistant, device: str, phone: SimulatedPhone, data: dict[str, int]
) -> None:
    """A ringing call cannot be held."""
    phone.incoming_call("5551234")

    await assert_refused(hass, "hold", [device], "no_active_call", **data)
    assert commands(phone) == ([] if data else [operation("holdcall")])


# -- reset_missed_calls ------------------------------------------------------


async def test_reset_missed_calls_sends_nothing(
    hass: HomeAssistant, device: str, phone: SimulatedPhone
) -> None:
    """Resetting the missed-call counter is Home Assistant's business alone."""
    await hass.services.async_call(
        DOMAIN, "reset_missed_calls", {"device_id": [device]}, blocking=True
    )
    assert phone.requests == []


# -- invalid targets ---------------------------------------------------------


@pytest.mark.parametrize("action", ["answer", "reject", "hangup", "hold"])
async def test_line_the_phone_does_not_have(
    hass: HomeAssistant, device: str, phone: SimulatedPhone, action: str
) -> None:
    """Line 9 on a four-line phone is a validation error; nothing is sent."""
    error = await assert_refused(
        hass, action, [device], "invalid_line", kind=ServiceValidationError, line=9
    )
    assert error.translation_placeholders == {"line": "9", "count": "4"}
    assert commands(phone) == []


@pytest.mark.parametrize("line", [0, 17, "first", None])
async def test_line_out_of_range(
    hass: HomeAssistant, device: str, phone: SimulatedPhone, line: object
) -> None:
    """Line numbers outside 1-16 are refused by the schema, saying what is allowed."""
    error = await assert_refused(
        hass,
        "answer",
        [device],
        "invalid_line_input",
        kind=ServiceValidationError,
        line=line,
    )
    assert str(error) == (
        f'"{line}" is not a line: give a line number from 1 to 16 (1 = the first line '
        "key), or leave it empty for the ringing or active call"
    )
    assert phone.requests == []


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("dial", {"number": "200"}),
        ("send_keys", {"keys": "1"}),
        ("answer", {}),
        ("reject", {}),
        ("hangup", {}),
        ("hold", {"line": 1}),
    ],
)
async def test_not_a_phone(
    hass: HomeAssistant,
    device: str,
    phone: SimulatedPhone,
    action: str,
    data: dict[str, Any],
) -> None:
    """A device of another integration is refused, even next to a phone."""
    other = MockConfigEntry(domain="other", entry_id="01JOTHERENTRY0000000000001")
    other.add_to_hass(hass)
    foreign = dr.async_get(hass).async_get_or_create(
        config_entry_id=other.entry_id, identifiers={("other", "lamp")}
    )

    error = await assert_refused(
        hass,
        action,
        [device, foreign.id],
        "not_a_phone",
        kind=ServiceValidationError,
        **data,
    )
    assert error.translation_placeholders == {"device_id": foreign.id}
    assert commands(phone) == []


@pytest.mark.usefixtures("integration")
async def test_unknown_device(hass: HomeAssistant, phone: SimulatedPhone) -> None:
    """A device id that does not exist is refused."""
    await assert_refused(
        hass,
        "send_keys",
        ["0123456789abcdef"],
        "not_a_phone",
        kind=ServiceValidationError,
        keys="1",
    )
    assert commands(phone) == []


@pytest.mark.parametrize("devices", [[], [""], ["a"] * 33, [{"id": "a"}]])
async def test_no_device(
    hass: HomeAssistant, integration: MockConfigEntry, devices: object
) -> None:
    """At least one phone must be named, and at most 32."""
    await assert_refused(
        hass,
        "answer",
        devices,  # type: ignore[arg-type]
        "invalid_devices",
        kind=ServiceValidationError,
    )


@pytest.mark.parametrize(
    ("data", "key", "field"),
    [
        ({}, "missing_field", "number"),
        ({"number": "200", "volume": 3}, "unknown_field", "volume"),
    ],
)
async def test_fields_missing_or_unknown(
    hass: HomeAssistant,
    *,
    device: str,
    phone: SimulatedPhone,
    data: dict[str, Any],
    key: str,
    field: str,
) -> None:
    """A missing or unknown field is named, in our words."""
    error = await assert_refused(
        hass, "dial", [device], key, kind=ServiceValidationError, **data
    )
    assert error.translation_placeholders == {"field": field}
    assert commands(phone) == []


@pytest.mark.parametrize(
    ("action", "data", "message"),
    [
        (
            "dial",
            {"number": "12ab"},
            '"12ab" is not a number a phone can dial. A number is made of digits',
        ),
        ("answer", {"line": "x"}, '"x" is not a line: give a line number from 1'),
        ("dial", {"number": "1", "colour": 1}, "This action has no field colour."),
    ],
)
async def test_frontend_reads_our_words(
    hass: HomeAssistant,
    *,
    hass_ws_client: Any,
    device: str,
    phone: SimulatedPhone,
    action: str,
    data: dict[str, Any],
    message: str,
) -> None:
    """An action run from the frontend (execute_script) fails with our message.

    Not the schema library's wording with ". Got None" appended, which is
    what Home Assistant sends for a schema error it has to describe itself.
    """
    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {
            "type": "execute_script",
            "sequence": [
                {"action": f"{DOMAIN}.{action}", "data": {"device_id": device, **data}}
            ],
        }
    )
    result = await client.receive_json()
    assert not result["success"]
    assert result["error"]["message"].startswith(message)
    assert "Got" not in result["error"]["message"]
    assert result["error"]["translation_domain"] == DOMAIN
    assert commands(phone) == []


async def test_phone_not_loaded(
    hass: HomeAssistant,
    integration: MockConfigEntry,
    device: str,
    phone: SimulatedPhone,
) -> None:
    """A phone whose entry is unloaded is refused with its name."""
    assert await hass.config_entries.async_unload(integration.entry_id)
    phone.clear_logs()

    error = await assert_refused(
        hass,
        "dial",
        [device],
        "phone_not_loaded",
        kind=ServiceValidationError,
        number="200",
    )
    assert error.translation_placeholders == {"name": "Front desk"}
    assert phone.requests == []


# -- the phone failing -------------------------------------------------------


async def test_phone_unreachable(
    hass: HomeAssistant, device: str, phone: SimulatedPhone
) -> None:
    """A phone that is off never got the request: "cannot reach"."""
    await phone.stop()

    error = await assert_refused(
        hass, "send_keys", [device], "cannot_connect", keys="1"
    )
    assert str(error).startswith("Cannot reach the phone: it did not take the request")
    assert not isinstance(error, ServiceValidationError)
    assert phone.key_log == []


@pytest.mark.parametrize(
    ("fault", "delay"),
    [("truncated", 0.0), ("html", 0.0), ("http500", 0.0), ("latency", 0.6)],
)
async def test_command_answer_unreadable_or_late(
    hass: HomeAssistant,
    *,
    device: str,
    phone: SimulatedPhone,
    fault: str,
    delay: float,
) -> None:
    """The phone took the command, and its answer is half, a page, a 500 or too
    late: the outcome is unknown (command_unanswered), not "not a phone" nor
    "cannot reach", and the command is not sent again."""
    phone.incoming_call("100")
    phone.clear_logs()
    phone.set_fault(Fault(fault, delay=delay, count=1))  # type: ignore[arg-type]
    entry = hass.config_entries.async_entries(DOMAIN)[0]
    client = entry.runtime_data.client
    client._timeout = 0.3  # a late answer without a long test

    error = await assert_refused(hass, "answer", [device], "command_unanswered")
    assert not isinstance(error, ServiceValidationError)
    calls = [r for r in phone.requests if r.function == "api-phone_operation"]
    assert len(calls) == 1
    if fault == "truncated":
        assert phone.line(1).state == "connected"  # it was carried out
    await asyncio.sleep(delay)  # let a late answer finish


@pytest.mark.parametrize(
    ("action", "data", "function"),
    [
        ("answer", {}, "api-phone_operation"),
        ("hangup", {}, "api-phone_operation"),
        # (dial reads the lines first: tests/cti/test_retry_guard.py has make_call)
        ("send_keys", {"keys": "1:2"}, "api-send_key"),
    ],
)
async def test_connection_closed_after_the_command(
    hass: HomeAssistant,
    *,
    device: str,
    phone: SimulatedPhone,
    action: str,
    data: dict[str, Any],
    function: str,
) -> None:
    """The phone read the command, then closed the connection unanswered.

    The command went out once and may have been carried out: the action says
    so, instead of "cannot reach the phone".
    """
    if action == "answer":
        phone.incoming_call("100")
    elif action == "hangup":
        phone.incoming_call("100")
        phone.answer(1)
    phone.clear_logs()
    phone.set_fault(Fault("reset", count=1))

    error = await assert_refused(hass, action, [device], "command_unanswered", **data)
    assert str(error) == (
        "The phone took the command but gave no answer Home Assistant could read (it "
        "closed the connection, took too long or answered garbage), so Home Assistant "
        "cannot tell whether it carried it out. It may have (the line shows what "
        "happened), or it may just have gone offline. The command was not sent again"
    )
    assert not isinstance(error, ServiceValidationError)
    assert [r.function for r in phone.requests if r.function == function] == [function]


async def test_wrong_passcode_starts_reauth(
    hass: HomeAssistant,
    integration: MockConfigEntry,
    device: str,
    phone: SimulatedPhone,
) -> None:
    """A passcode changed on the phone: not_authorized, and reauth is under way."""
    change_passcode(phone)

    await assert_refused(hass, "send_keys", [device], "not_authorized", keys="1")
    await hass.async_block_till_done()
    flows = integration.async_get_active_flows(hass, {SOURCE_REAUTH})
    assert len(list(flows)) == 1
    assert phone.failures == 1
    # The rejected passcode is never sent again, whatever the user tries.
    await assert_refused(hass, "answer", [device], "not_authorized")
    assert phone.failures == 1
    assert len(phone.requests) == 1


async def test_restart_button_shares_call_control(
    hass: HomeAssistant, integration: MockConfigEntry, phone: SimulatedPhone
) -> None:
    """The restart button goes through the same command path as the actions."""
    entity_id = er.async_get(hass).async_get_entity_id(
        "button", DOMAIN, f"{integration.entry_id}_restart"
    )
    assert entity_id is not None

    await hass.services.async_call(
        "button", "press", {"entity_id": entity_id}, blocking=True
    )

    assert commands(phone) == [
        ("api-sys_operation", {"request": "REBOOT", "passcode": PASSCODE})
    ]
    await phone.wait_online()


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("answer", {}),
        ("hangup", {"line": 1}),
        ("dial", {"number": "200"}),
    ],
)
async def test_action_bounded_by_request_timeout(
    hass: HomeAssistant,
    *,
    device: str,
    phone: SimulatedPhone,
    monkeypatch: pytest.MonkeyPatch,
    action: str,
    data: dict[str, Any],
) -> None:
    """However slow the phone, an action gives up after one request timeout.

    (Key presses add their own time once sent: send_keys is not timed here.)
    """
    monkeypatch.setattr(
        "custom_components.grandstream.call_control.REQUEST_TIMEOUT", 0.3
    )
    latency = 1.5
    phone.set_fault(Fault("latency", delay=latency))
    started = time.monotonic()

    with pytest.raises(HomeAssistantError) as err:
        await act(hass, action, [device], **data)

    assert time.monotonic() - started < latency - 0.3
    assert_translated(err.value, "timeout")
    # Let the phone's late answers go out before it shuts down.
    phone.set_fault(None)
    await asyncio.sleep(latency)


# -- serialisation -----------------------------------------------------------


@pytest.mark.parametrize("profile", [fast_profile(key_interval=HOLD_KEY_INTERVAL)])
async def test_commands_to_one_phone_do_not_interleave(
    hass: HomeAssistant, device: str, phone: SimulatedPhone
) -> None:
    """Two key sequences at once: the second waits until the first is pressed."""
    first = [str(d) for d in range(10)]
    second = ["UP", "DOWN", "LEFT", "RIGHT", "OK"] * 2

    await asyncio.gather(
        act(hass, "send_keys", [device], keys=first),
        act(hass, "send_keys", [device], keys=second),
    )

    sequences = [k.sequence for k in phone.key_log]
    assert len(sequences) == 20
    assert sequences == sorted(sequences)
    assert [k.key for k in phone.key_log] in (first + second, second + first)
    requests = phone.calls("api-send_key")
    assert len(requests) == 2
    assert requests[1].time >= phone.key_log[9].time


async def test_commands_to_two_phones_overlap(
    hass: HomeAssistant,
    integration: MockConfigEntry,
    phone: SimulatedPhone,
    second_phone: SimulatedPhone,
) -> None:
    """Each phone has its own queue: key sequences on two phones overlap."""
    phone.profile.key_interval = second_phone.profile.key_interval = 0.1
    second = phone_entry(
        second_phone, title="Back office", entry_id="01JGRANDSTREAMENTRY00000002"
    )
    await set_up_at_key_pace(hass, second, second_phone)
    first_id, second_id = device_id(hass, integration), device_id(hass, second)
    keys = "1:2:3:4:5"

    await asyncio.gather(
        act(hass, "send_keys", [first_id], keys=keys),
        act(hass, "send_keys", [second_id], keys=keys),
    )
    first_window = (phone.key_log[0].time, phone.key_log[-1].time)
    second_window = (second_phone.key_log[0].time, second_phone.key_log[-1].time)
    assert first_window[0] < second_window[1]
    assert second_window[0] < first_window[1]

    # One action naming both phones drives them in parallel too.
    phone.clear_logs()
    second_phone.clear_logs()
    await act(hass, "send_keys", [first_id, second_id], keys=keys)
    assert phone.key_log[0].time < second_phone.key_log[-1].time
    assert second_phone.key_log[0].time < phone.key_log[-1].time


async def test_queue_is_bounded(
    hass: HomeAssistant, device: str, phone: SimulatedPhone
) -> None:
    """With the phone busy and the queue full, another action is refused."""
    phone.profile.key_interval = 0.02
    client: GrandstreamClient
    entry = hass.config_entries.async_entries(DOMAIN)[0]
    client = entry.runtime_data.client
    long_sequence = ["UP"] * 25  # keeps the phone busy for about half a second

    running = [
        hass.async_create_task(act(hass, "send_keys", [device], keys=long_sequence))
    ]
    await until(lambda: bool(phone.calls("api-send_key")))
    running += [
        hass.async_create_task(act(hass, "send_keys", [device], keys="DOWN"))
        for _ in range(DEFAULT_MAX_PENDING_COMMANDS - 1)
    ]
    await until(lambda: client.pending_commands == DEFAULT_MAX_PENDING_COMMANDS)

    await assert_refused(hass, "hangup", [device], "phone_busy")

    await asyncio.gather(*running)
    assert [r.params["keys"] for r in phone.calls("api-send_key")] == [
        ":".join(long_sequence),
        *["DOWN"] * (DEFAULT_MAX_PENDING_COMMANDS - 1),
    ]
    assert phone.calls("api-phone_operation") == []
    assert client.pending_commands == 0
