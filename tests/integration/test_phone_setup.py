"""Zero-touch setup: Home Assistant configures the phone over its web session.

Everything goes through Home Assistant's own interfaces (the config flow, the
options flow, the repairs API over HTTP, removing the entry) against the
simulated phone over real HTTP; what the phone ends up storing is read from
the simulator's slots, what it was asked from its web request log.
"""

from __future__ import annotations

from collections.abc import Iterator
from http import HTTPStatus
import json
import logging
from typing import Any

from homeassistant.config_entries import SOURCE_USER, ConfigEntry, ConfigEntryState
from homeassistant.const import CONF_HOST, CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.grandstream.action_urls import (
    EVENTS,
    MAX_ACTION_URL_LENGTH,
    action_urls,
    max_base_length,
    too_long,
)
from custom_components.grandstream.const import (
    CONF_FIRMWARE,
    CONF_FOREIGN_SLOTS,
    CONF_MODEL,
    CONF_PHONE_SET_UP,
    CONF_PUSH_BASE_URL,
    CONF_WEB_USERNAME,
    DOMAIN,
)
from simulator import SimulatedPhone

from ..helpers.entries import assert_model_learnt, entry_data
from ..helpers.flows import (
    STRINGS,
    assert_aborted,
    assert_set_up_beside,
    shown_text,
    user_input,
)
from ..helpers.phone import PASSCODE, PHONE_MAC, change_passcode, fast_profile
from ..helpers.ports import free_port
from ..helpers.push import CallEvents
from ..helpers.waiting import missed_call, poll, settle

# How the dialogs name the phone's events (English).
NAMES: dict[str, str] = {
    key.removeprefix("events_"): text
    for key, text in STRINGS[0]["common"].items()
    if key.startswith("events_")
}


def named(events: list[str] | tuple[str, ...] | Any) -> str:
    """Events as a dialog lists them."""
    return ", ".join(NAMES[event] for event in events)


# The "user" web account's password where a test sets one: long enough that
# finding it in a log cannot be a coincidence.
USER_PASSWORD = "Us3r-0nly!secret"
# Where another system (a PBX, a call logger) has the phone report an event.
FOREIGN_URL = "http://192.0.2.99/pbx/notify?event=missed&mac=$mac"
# Our P-values, as the simulator lists slots.
OUR_SLOTS = {event: f"P{pvalue}" for event, pvalue in EVENTS.items()}
OUR_PVALUES = [str(pvalue) for pvalue in EVENTS.values()]
CLICK_TO_DIAL = "1561"


pytestmark = pytest.mark.usefixtures("flow_results_checked")


@pytest.fixture
def ha_address(hass: HomeAssistant) -> str:
    """Home Assistant's local URL: a port on 127.0.0.1 where nothing listens."""
    url = f"http://127.0.0.1:{free_port()}"
    hass.config.internal_url = url
    return url


@pytest.fixture(autouse=True)
def no_secrets_in_logs(
    caplog: pytest.LogCaptureFixture, phone: SimulatedPhone
) -> Iterator[None]:
    """No password, login proof or session id reaches a log line, in any test.

    The secrets are taken from what the phone actually received, so a
    hashed login proof or a session id is caught as well as the password.
    """
    caplog.set_level(logging.DEBUG)
    yield
    secrets = {PASSCODE: "the passcode", USER_PASSWORD: "the user password"}
    for request in phone.web.requests:
        for key, kind in (("password", "a login proof"), ("sid", "a session id")):
            if len(value := request.params.get(key, "")) >= 8:
                secrets.setdefault(value, kind)
    logged = "\n".join(
        f"{record.getMessage()} {record.exc_text or ''}"
        for when in ("setup", "call")
        for record in caplog.get_records(when)
    )
    # Say which kind leaked, never the secret itself.
    leaked = sorted({kind for secret, kind in secrets.items() if secret in logged})
    assert not leaked, f"in the log: {leaked}"


# -- driving Home Assistant's interfaces ----------------------------------------


async def phone_setup_step(
    hass: HomeAssistant, phone: SimulatedPhone, connection: str = "http"
) -> Any:
    """Start adding the phone; the flow's phone_setup step."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(phone.address, connection=connection)
    )
    assert result["type"] is FlowResultType.FORM, result
    assert result["step_id"] == "phone_setup"
    return result


async def checked_phone_flow(hass: HomeAssistant, phone: SimulatedPhone) -> str:
    """Start adding the phone; return the flow waiting at the phone_setup step."""
    return str((await phone_setup_step(hass, phone))["flow_id"])


async def submit_setup(
    hass: HomeAssistant,
    flow_id: str,
    *,
    set_up: bool = True,
    username: str = "admin",
) -> Any:
    """Answer the phone_setup step; wait until a created entry is loaded.

    The created entry's data (with the passcode) is left out of the result, so
    that a failing assertion cannot print it; ``result["result"]`` is the entry.
    """
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"set_up_phone": set_up, CONF_WEB_USERNAME: username}
    )
    await hass.async_block_till_done()
    return {key: value for key, value in result.items() if key != "data"}


async def add_phone(
    hass: HomeAssistant, phone: SimulatedPhone, *, username: str = "admin"
) -> tuple[Any, ConfigEntry[Any]]:
    """Add the phone with zero-touch setup; the flow's result and the entry."""
    result = await submit_setup(
        hass, await checked_phone_flow(hass, phone), username=username
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    entry = result["result"]
    return result, entry


def our_urls(hass: HomeAssistant, entry: ConfigEntry[Any]) -> dict[str, str]:
    """The slot → URL this entry should have on the phone, for HA's current URL."""
    assert hass.config.internal_url is not None
    urls = action_urls(hass.config.internal_url, entry.data[CONF_WEBHOOK_ID])
    return {OUR_SLOTS[event]: url for event, url in urls.items()}


def logins(phone: SimulatedPhone) -> int:
    """How many times someone tried to log in to the phone's web interface."""
    return len(phone.web.calls("dologin"))


def writes(phone: SimulatedPhone) -> int:
    """How many write requests the phone's web interface received."""
    return len(phone.web.calls("config_update")) + len(
        phone.web.calls("api.values.post")
    )


def issue(
    hass: HomeAssistant, kind: str, entry: ConfigEntry[Any]
) -> ir.IssueEntry | None:
    """One of the phone's repair issues, if raised."""
    return ir.async_get(hass).async_get_issue(DOMAIN, f"{kind}_{entry.entry_id}")


def assert_logged_out(phone: SimulatedPhone) -> None:
    """Our web session ended by logging out: nothing of ours is left open."""
    assert not [s for s in phone.web.sessions if s.holder == "client"]
    ours = [e for e in phone.web.ended if e.holder == "client"]
    assert ours
    assert {e.reason for e in ours} == {"logout"}


async def repair_fix(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, issue_id: str
) -> tuple[Any, Any]:
    """Open the repair's fix dialog over HTTP, as the frontend does; submit it.

    Returns the dialog as first shown and the answer to the submit.
    """
    assert await async_setup_component(hass, "repairs", {})
    client = await hass_client()
    response = await client.post(
        "/api/repairs/issues/fix", json={"handler": DOMAIN, "issue_id": issue_id}
    )
    assert response.status == HTTPStatus.OK, await response.text()
    shown = await response.json()
    response = await client.post(f"/api/repairs/issues/fix/{shown['flow_id']}", json={})
    assert response.status == HTTPStatus.OK, await response.text()
    answer = await response.json()
    # Also the read the fix starts: a test that lets time pass next would
    # otherwise fire its timeout while it is still on its way (loaded machine).
    await hass.async_block_till_done(wait_background_tasks=True)
    return shown, answer


async def add_phone_beside_a_foreign_slot(
    hass: HomeAssistant, phone: SimulatedPhone
) -> tuple[Any, ConfigEntry[Any]]:
    """Add the phone while another system has its "missed" slot."""
    phone.store_action_url("missed", FOREIGN_URL)
    return await add_phone(hass, phone)


async def slots_in_use_repair(
    hass: HomeAssistant, phone: SimulatedPhone
) -> tuple[ConfigEntry[Any], ir.IssueEntry]:
    """Add the phone beside a foreign slot; the entry and its "slots in use" repair."""
    _, entry = await add_phone_beside_a_foreign_slot(hass, phone)
    in_use = issue(hass, "slots_in_use", entry)
    assert in_use is not None
    return entry, in_use


async def lose_pushes(
    hass: HomeAssistant, phone: SimulatedPhone, entry: ConfigEntry[Any], number: str
) -> ir.IssueEntry:
    """The phone forgets its Action URLs; a ring by ``number`` only polling sees.

    No push for it within the grace: the "push stopped" repair, returned.
    """
    phone.profile.action_urls = {}
    phone.incoming_call(number)
    await poll(hass, 61)
    await poll(hass, 6)
    stopped = issue(hass, "push_stopped", entry)
    assert stopped is not None
    return stopped


async def set_up_again(hass: HomeAssistant, entry: ConfigEntry[Any]) -> Any:
    """Configure → Set up the phone, as admin; the result of the submit."""
    menu = await hass.config_entries.options.async_init(entry.entry_id)
    assert menu["type"] is FlowResultType.MENU
    form = await hass.config_entries.options.async_configure(
        menu["flow_id"], {"next_step_id": "set_up"}
    )
    assert form["step_id"] == "set_up"
    return await hass.config_entries.options.async_configure(
        form["flow_id"], {CONF_WEB_USERNAME: "admin"}
    )


async def reload(hass: HomeAssistant, entry: ConfigEntry[Any]) -> None:
    """Reload the entry (a start of Home Assistant) and let its set-up finish."""
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)


async def remove(hass: HomeAssistant, entry: ConfigEntry[Any]) -> None:
    """Remove the entry, as the user does, and let its clean-up finish."""
    await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()


# -- the flow's setup step --------------------------------------------------------


@pytest.mark.parametrize(
    ("generation", "write_function", "mac"),
    [
        ("current", "config_update", PHONE_MAC),
        # Older firmware's login answer carries no MAC: the first push tells it.
        ("older", "api.values.post", None),
    ],
)
@pytest.mark.usefixtures("ha_address")
async def test_each_login_generation_wires_every_event(
    hass: HomeAssistant,
    phone: SimulatedPhone,
    generation: str,
    write_function: str,
    mac: str | None,
) -> None:
    """Both login generations: one login, every event wired, Click-To-Dial on."""
    phone.profile.web_login = generation
    phone.profile.click_to_dial = False

    result, entry = await add_phone(hass, phone)

    assert result["description"] == "set_up_complete"
    assert shown_text("config", result) == (
        f"Home Assistant set up the phone: all {len(EVENTS)} events are wired and "
        "Click-To-Dial is on. Calls show up the moment they happen."
    )
    slots = phone.web.slots()
    assert {slot: slots[slot] for slot in OUR_SLOTS.values()} == our_urls(hass, entry)
    # Slots we do not use stay empty: every slot we take is one nobody else has.
    assert not [v for slot, v in slots.items() if slot not in OUR_SLOTS.values() and v]
    assert phone.profile.click_to_dial is True
    assert logins(phone) == 1
    assert len(phone.web.calls(write_function)) == 1
    assert_logged_out(phone)
    assert entry.data[CONF_PHONE_SET_UP] is True
    assert entry.data[CONF_WEB_USERNAME] == "admin"
    assert entry.data[CONF_PUSH_BASE_URL] == hass.config.internal_url
    assert entry.data[CONF_FOREIGN_SLOTS] == []
    assert entry.data[CONF_MODEL] == phone.profile.model
    assert entry.unique_id == mac
    assert issue(hass, "slots_in_use", entry) is None


@pytest.mark.usefixtures("ha_address")
@pytest.mark.parametrize("profile", [fast_profile(https=True)])
async def test_phone_reached_over_https(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """Found on HTTPS (self-signed): the web session takes the same way."""
    result = await phone_setup_step(hass, phone, connection="auto")
    assert result["description_placeholders"]["connection"] == "HTTPS"

    result = await submit_setup(hass, result["flow_id"])

    assert result["description"] == "set_up_complete"
    assert {s: phone.web.slots()[s] for s in OUR_SLOTS.values()} == our_urls(
        hass, result["result"]
    )
    assert logins(phone) == 1


@pytest.mark.usefixtures("ha_address")
async def test_identity_known_right_after_the_flow(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """MAC, model and firmware come from the login: no push or poll needed."""
    phone.profile.model = "GRP2614"
    phone.profile.firmware = "1.0.5.67"

    _, entry = await add_phone(hass, phone)

    assert entry.unique_id == PHONE_MAC
    device = assert_model_learnt(hass, entry, "GRP2614", "1.0.5.67")
    assert (dr.CONNECTION_NETWORK_MAC, PHONE_MAC) in device.connections
    assert not phone.pushes


@pytest.mark.usefixtures("ha_address")
async def test_known_phone_at_a_new_address_is_not_set_up_twice(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """The login tells the MAC: a known phone aborts before anything is written."""
    known = MockConfigEntry(
        domain=DOMAIN,
        title="Front desk",
        unique_id=PHONE_MAC,
        data=entry_data("192.0.2.10"),
    )
    known.add_to_hass(hass)

    result = await submit_setup(hass, await checked_phone_flow(hass, phone))

    assert_aborted(result, "address_updated")
    assert logins(phone) == 1
    assert writes(phone) == 0
    assert_logged_out(phone)
    # The known entry follows the phone to the address it was reached at.
    assert known.data[CONF_HOST] == phone.address
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1


@pytest.mark.usefixtures("ha_address")
async def test_user_account_writes_checked_by_read_back(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """Logged in as user: what the phone silently ignored is reported, not done.

    This phone lets "user" change the Action URLs but not Click-To-Dial.
    """
    phone.profile.user_password = PASSCODE
    phone.profile.web_user_writable = OUR_PVALUES
    phone.profile.click_to_dial = False

    result, entry = await add_phone(hass, phone, username="user")

    assert result["description"] == "set_up_partial"
    assert shown_text("config", result) == (
        f"Home Assistant set up the phone in part: {len(EVENTS)} of {len(EVENTS)} "
        "events are wired.\n\n"
        "- Click-To-Dial stayed off: the phone kept its old value, so numbers are "
        "dialled by key presses (slower, default account only)."
    )
    assert phone.profile.click_to_dial is False
    assert {s: phone.web.slots()[s] for s in OUR_SLOTS.values()} == our_urls(
        hass, entry
    )
    assert [s.username for s in phone.web.ended] == ["user"]
    assert entry.data[CONF_WEB_USERNAME] == "user"


@pytest.mark.usefixtures("ha_address")
@pytest.mark.parametrize(
    "refusing_phone",
    [
        pytest.param({"gdms_managed": True}, id="cloud-managed"),
        pytest.param(
            {"user_password": PASSCODE, "web_user_writable": [CLICK_TO_DIAL]},
            id="user-account",
        ),
    ],
)
async def test_read_back_catches_silently_refused_writes(
    hass: HomeAssistant, phone: SimulatedPhone, refusing_phone: dict[str, Any]
) -> None:
    """The phone answers "success" and keeps the old values: reported as refused."""
    for name, value in refusing_phone.items():
        setattr(phone.profile, name, value)
    username = "user" if "user_password" in refusing_phone else "admin"

    result, entry = await add_phone(hass, phone, username=username)

    assert result["description"] == "set_up_partial"
    text = shown_text("config", result)
    assert f"0 of {len(EVENTS)} events are wired" in text
    assert (
        f"- The phone kept its old value for: {named(EVENTS)}. It does that when "
        "logged in as user (log in as admin) or when Grandstream's cloud (GDMS) "
        "manages it.\n"
    ) in text
    # Sections with nothing to say are left out.
    assert "Left alone" not in text
    assert "Too long" not in text
    assert "—" not in text
    assert not any(phone.web.slots()[slot] for slot in OUR_SLOTS.values())
    assert writes(phone) == 1
    assert entry.data[CONF_PHONE_SET_UP] is True


async def test_phone_storing_less_than_written_is_caught(
    hass: HomeAssistant, phone: SimulatedPhone, ha_address: str
) -> None:
    """A phone that keeps shorter URLs than we write: the read-back notices."""
    phone.profile.action_url_max_length = 110
    result, entry = await add_phone(hass, phone)

    urls = action_urls(ha_address, entry.data[CONF_WEBHOOK_ID])
    dropped = [event for event, url in urls.items() if len(url) > 110]
    assert dropped
    assert len(dropped) < len(EVENTS)
    assert result["description"] == "set_up_partial"
    text = shown_text("config", result)
    assert f"{len(EVENTS) - len(dropped)} of {len(EVENTS)} events are wired" in text
    assert f"- The phone kept its old value for: {named(dropped)}." in text


async def test_urls_over_the_256_limit_are_not_written(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """Home Assistant's URL leaves some events no room: those are left out.

    The phone would drop them silently, so they are not written; the flow and
    a repair say which, and how long Home Assistant's address may be.
    """
    # Webhook ids of new phones have 32 characters: the lengths are known.
    longest_fitting_base = max_base_length("0" * 32)
    base = "http://phones-reach-home-assistant.example:8123"
    hass.config.internal_url = base + "/x" * (
        (longest_fitting_base - len(base)) // 2 + 4
    )

    result, entry = await add_phone(hass, phone)

    urls = action_urls(hass.config.internal_url, entry.data[CONF_WEBHOOK_ID])
    long = too_long(urls)
    assert long
    assert len(long) < len(EVENTS)
    assert result["description"] == "set_up_partial"
    text = shown_text("config", result)
    assert f"{len(EVENTS) - len(long)} of {len(EVENTS)} events are wired" in text
    assert f"- Too long for the phone: {named(long)}. Give Home Assistant" in text
    slots = phone.web.slots()
    for event, url in urls.items():
        stored = slots[OUR_SLOTS[event]]
        assert stored == ("" if event in long else url), event
        assert len(stored) <= MAX_ACTION_URL_LENGTH
    too_long_issue = issue(hass, "action_url_too_long", entry)
    assert too_long_issue is not None
    assert too_long_issue.translation_placeholders["events"] == named(long)


@pytest.mark.usefixtures("ha_address")
async def test_failed_login_is_one_attempt_with_countdown_and_no_retry(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """A refused password: one attempt, the attempts left shown, nothing retried.

    The "user" account has another password than the one the phone accepted
    over CTI.
    """
    phone.profile.user_password = USER_PASSWORD
    flow_id = await checked_phone_flow(hass, phone)

    result = await submit_setup(hass, flow_id, username="user")

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "phone_setup"
    assert result["errors"] == {"base": "wrong_password"}
    assert result["description_placeholders"]["attempts_left"] == "4"
    assert logins(phone) == 1
    assert writes(phone) == 0
    # Time passes: nothing is retried on its own.
    await poll(hass, 61)
    assert logins(phone) == 1
    assert not hass.config_entries.async_entries(DOMAIN)

    # The user gives up on it: the phone is added without another login.
    result = await submit_setup(hass, flow_id, set_up=False)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["description"] == "set_up_skipped"
    assert logins(phone) == 1


@pytest.mark.usefixtures("ha_address")
async def test_locked_phone_shows_its_lock_time(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """The refusal that locks the phone says for how long; each submit one attempt.

    This phone locks at the first refused password.
    """
    phone.profile.lockout_threshold = 1
    phone.profile.user_password = USER_PASSWORD
    flow_id = await checked_phone_flow(hass, phone)

    result = await submit_setup(hass, flow_id, username="user")

    assert result["errors"] == {"base": "locked_out"}
    lock_time = result["description_placeholders"]["lock_time"]
    assert lock_time.isdigit()
    assert 0 < int(lock_time) <= phone.profile.lockout_duration
    assert phone.locked
    assert logins(phone) == 1
    await poll(hass, 61)
    assert logins(phone) == 1

    # Submitting again while locked is the user's choice: one more attempt.
    result = await submit_setup(hass, flow_id, username="admin")
    assert result["errors"] == {"base": "locked_out"}
    assert logins(phone) == 2


@pytest.mark.usefixtures("ha_address")
@pytest.mark.parametrize("one_session_per_account", [True, False])
async def test_session_held_by_a_person(
    hass: HomeAssistant, phone: SimulatedPhone, one_session_per_account: bool
) -> None:
    """Someone is logged in to the phone's web page while Home Assistant sets it up.

    A phone with one session per account ends theirs (the step's text warns);
    either way ours lasts only as long as the setup and ends with a logout.
    """
    phone.profile.web_one_session_per_account = one_session_per_account
    phone.web.person_login("admin")

    result, _ = await add_phone(hass, phone)

    assert result["description"] == "set_up_complete"
    assert phone.web.person_logged_in("admin") is not one_session_per_account
    person = [e for e in phone.web.ended if e.holder == "person"]
    assert [e.reason for e in person] == (
        ["replaced"] if one_session_per_account else []
    )
    assert_logged_out(phone)


@pytest.mark.usefixtures("ha_address")
async def test_manual_path_when_unticked(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """Unticked: no web login at all; the URLs to paste are offered instead."""
    result = await submit_setup(
        hass, await checked_phone_flow(hass, phone), set_up=False
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["description"] == "set_up_skipped"
    entry = result["result"]
    assert not phone.web.requests
    assert not any(phone.web.slots().values())
    assert not entry.data.get(CONF_PHONE_SET_UP)
    shown = issue(hass, "push_not_seen", entry)
    assert shown is not None
    for url in our_urls(hass, entry).values():
        assert url in shown.translation_placeholders["urls"]
    menu = await hass.config_entries.options.async_init(entry.entry_id)
    urls = await hass.config_entries.options.async_configure(
        menu["flow_id"], {"next_step_id": "urls"}
    )
    assert urls["step_id"] == "urls"
    assert (
        list(our_urls(hass, entry).values())[0]
        in (urls["description_placeholders"]["urls"])
    )
    # Removing a phone Home Assistant never set up does not log in to it.
    await hass.config_entries.async_remove(entry.entry_id)
    assert not phone.web.requests


@pytest.mark.usefixtures("ha_url")
async def test_pushes_arrive_once_set_up(
    hass: HomeAssistant, phone: SimulatedPhone, call_events: CallEvents
) -> None:
    """The URLs Home Assistant wrote work: a ring on the phone arrives by push."""
    _, entry = await add_phone(hass, phone)

    phone.incoming_call("+4930123456", "Erika Mustermann")
    await settle(hass, phone)

    assert [p.event for p in phone.pushes] == ["incoming"]
    assert {p.status for p in phone.pushes} == {200}
    assert [e.data["type"] for e in call_events] == ["incoming"]
    assert entry.runtime_data.pushes_received == 1


# -- slots someone else uses, and the repair that takes them over -----------------


@pytest.mark.usefixtures("ha_address")
async def test_slot_in_use_is_left_alone_then_taken_over_by_the_repair(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, phone: SimulatedPhone
) -> None:
    """A foreign slot is never overwritten, unless the user says so in Repairs."""
    result, entry = await add_phone_beside_a_foreign_slot(hass, phone)

    assert_set_up_beside(result, "Missed call")
    assert phone.web.slots()["P8312"] == FOREIGN_URL
    assert entry.data[CONF_FOREIGN_SLOTS] == ["missed"]
    in_use = issue(hass, "slots_in_use", entry)
    assert in_use is not None
    assert in_use.is_fixable
    assert in_use.translation_placeholders["events"] == "Missed call"

    shown, answer = await repair_fix(hass, hass_client, in_use.issue_id)

    assert shown["step_id"] == "confirm"
    assert shown["description_placeholders"]["events"] == "Missed call"
    assert answer["type"] == FlowResultType.CREATE_ENTRY
    assert phone.web.slots()["P8312"] == our_urls(hass, entry)["P8312"]
    assert entry.data[CONF_FOREIGN_SLOTS] == []
    assert issue(hass, "slots_in_use", entry) is None
    assert logins(phone) == 2
    assert_logged_out(phone)


@pytest.mark.usefixtures("ha_address")
async def test_repair_refused_by_the_phone_keeps_the_issue(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, phone: SimulatedPhone
) -> None:
    """The phone's password changed meanwhile: one attempt, the error, no retry."""
    entry, in_use = await slots_in_use_repair(hass, phone)
    change_passcode(phone)

    _, answer = await repair_fix(hass, hass_client, in_use.issue_id)

    assert answer["type"] == FlowResultType.FORM
    assert answer["errors"] == {"base": "wrong_password"}
    assert answer["description_placeholders"]["attempts_left"] == "4"
    assert logins(phone) == 2
    assert phone.web.slots()["P8312"] == FOREIGN_URL
    assert issue(hass, "slots_in_use", entry) is not None


@pytest.mark.usefixtures("ha_url")
async def test_pushes_stopped_repair_writes_the_urls_again(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, phone: SimulatedPhone
) -> None:
    """The phone lost its Action URLs (a factory reset): Repairs sets it up again."""
    _, entry = await add_phone(hass, phone)
    await missed_call(hass, phone, "+4930123456")
    assert issue(hass, "push_stopped", entry) is None

    # A ring only polling sees, and no push for it within the grace.
    stopped = await lose_pushes(hass, phone, entry, "+4930654321")
    assert stopped.is_fixable

    _, answer = await repair_fix(hass, hass_client, stopped.issue_id)

    assert answer["type"] == FlowResultType.CREATE_ENTRY
    assert {s: phone.web.slots()[s] for s in OUR_SLOTS.values()} == our_urls(
        hass, entry
    )
    assert issue(hass, "push_stopped", entry) is None
    assert logins(phone) == 2


@pytest.mark.usefixtures("ha_url")
async def test_pushes_stopped_comes_back_when_pushes_go_missing_again(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, phone: SimulatedPhone
) -> None:
    """Pushes missing again after the fix: the repair is raised again.

    Without forgetting what was missing before the fix, the push monitor
    would not say it a second time.
    """
    _, entry = await add_phone(hass, phone)
    await missed_call(hass, phone, "+4930123456")
    stopped = await lose_pushes(hass, phone, entry, "+4930654321")
    phone.miss_call()
    await poll(hass, 61)
    _, answer = await repair_fix(hass, hass_client, stopped.issue_id)
    assert answer["type"] == FlowResultType.CREATE_ENTRY
    assert issue(hass, "push_stopped", entry) is None

    # Raised again (lose_pushes asserts it).
    await lose_pushes(hass, phone, entry, "+4930777777")


# -- the phone's firmware -----------------------------------------------------------


@pytest.mark.usefixtures("ha_address")
@pytest.mark.parametrize(
    ("firmware", "affected"), [("1.0.7.79", True), ("1.0.7.81", False)]
)
async def test_firmware_with_cve_2026_2329_gets_a_repair(
    hass: HomeAssistant,
    phone: SimulatedPhone,
    firmware: str,
    affected: bool,
) -> None:
    """A GXP1628 up to 1.0.7.79 has a known flaw; 1.0.7.81 fixed it."""
    phone.profile.model = "GXP1628"
    phone.profile.firmware = firmware

    _, entry = await add_phone(hass, phone)

    cve = issue(hass, "firmware_cve_2026_2329", entry)
    assert (cve is not None) is affected
    if cve is not None:
        assert cve.severity is ir.IssueSeverity.ERROR
        assert not cve.is_fixable
        assert cve.translation_placeholders["model"] == "GXP1628"
        assert cve.translation_placeholders["firmware"] == firmware


@pytest.mark.usefixtures("ha_url")
async def test_cve_repair_goes_once_the_firmware_is_updated(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """The phone comes back with fixed firmware: its boot push clears the repair."""
    phone.profile.model = "GXP1628"
    phone.profile.firmware = "1.0.7.79"
    _, entry = await add_phone(hass, phone)
    assert issue(hass, "firmware_cve_2026_2329", entry) is not None

    phone.profile.firmware = "1.0.7.81"
    await phone.reboot()
    await phone.wait_online()
    await settle(hass, phone)

    assert "boot" in [p.event for p in phone.pushes]
    assert entry.data[CONF_FIRMWARE] == "1.0.7.81"
    assert issue(hass, "firmware_cve_2026_2329", entry) is None


# -- after the setup: set up again, Home Assistant moves, the phone is removed ------


@pytest.mark.usefixtures("ha_address")
async def test_options_set_the_phone_up_again(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """After a factory reset of the phone, Configure → Set up writes it all again."""
    _, entry = await add_phone(hass, phone)
    phone.profile.action_urls = {}
    phone.profile.click_to_dial = False

    result = await set_up_again(hass, entry)

    assert_aborted(result, "set_up_complete")
    assert {s: phone.web.slots()[s] for s in OUR_SLOTS.values()} == our_urls(
        hass, entry
    )
    assert phone.profile.click_to_dial is True
    assert logins(phone) == 2
    assert_logged_out(phone)


@pytest.mark.usefixtures("ha_address")
async def test_setting_up_again_updates_the_repairs(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """The other system gave its slot up: setting up again takes it, the repair goes."""
    entry, _ = await slots_in_use_repair(hass, phone)
    phone.store_action_url("missed", "")

    result = await set_up_again(hass, entry)

    assert result["reason"] == "set_up_complete"
    assert phone.web.slots()["P8312"] == our_urls(hass, entry)["P8312"]
    assert entry.data[CONF_FOREIGN_SLOTS] == []
    assert issue(hass, "slots_in_use", entry) is None


@pytest.mark.usefixtures("ha_address")
async def test_home_assistant_url_change_rewrites_only_our_slots(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """Home Assistant got a new address: our slots follow at the next start."""
    _, entry = await add_phone_beside_a_foreign_slot(hass, phone)
    # A start with the same address logs in to nothing.
    await reload(hass, entry)
    assert logins(phone) == 1

    new_address = f"http://127.0.0.1:{free_port()}"
    hass.config.internal_url = new_address
    await reload(hass, entry)

    assert logins(phone) == 2
    slots = phone.web.slots()
    expected = our_urls(hass, entry)
    assert expected["P8310"].startswith(new_address)
    for event, slot in OUR_SLOTS.items():
        assert slots[slot] == (FOREIGN_URL if event == "missed" else expected[slot])
    assert entry.data[CONF_PUSH_BASE_URL] == new_address
    assert entry.data[CONF_FOREIGN_SLOTS] == ["missed"]
    assert_logged_out(phone)


@pytest.mark.usefixtures("ha_address")
async def test_slot_taken_while_away_is_left_alone_and_reported(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """Another system took one of our slots; then Home Assistant's address changed.

    Our other slots follow the new address, the taken one stays the other
    system's, and the repair lists it.
    """
    _, entry = await add_phone_beside_a_foreign_slot(hass, phone)
    taken = "http://192.0.2.77/dnd?mac=$mac"
    phone.store_action_url("dnd_on", taken)

    hass.config.internal_url = f"http://127.0.0.1:{free_port()}"
    await reload(hass, entry)

    assert phone.web.slots()["P8316"] == taken
    assert entry.data[CONF_FOREIGN_SLOTS] == ["missed", "dnd_on"]
    in_use = issue(hass, "slots_in_use", entry)
    assert in_use is not None
    assert in_use.translation_placeholders["events"] == "Missed call, Do Not Disturb on"


async def test_removal_clears_only_our_slots(
    hass: HomeAssistant,
    phone: SimulatedPhone,
    ha_address: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Removing the phone empties its slots; another system's and another entry's stay."""
    other_webhook = f"{ha_address}/api/webhook/{'f' * 32}?e=established&m=$mac"
    phone.store_action_url("established", other_webhook)
    _, entry = await add_phone_beside_a_foreign_slot(hass, phone)
    wired = len(EVENTS) - 2

    await remove(hass, entry)

    slots = phone.web.slots()
    assert slots["P8312"] == FOREIGN_URL
    assert slots["P8313"] == other_webhook
    assert [slot for slot, value in slots.items() if value] == ["P8312", "P8313"]
    # Click-To-Dial may serve others too: it stays on.
    assert phone.profile.click_to_dial is True
    assert logins(phone) == 2
    assert_logged_out(phone)
    said = [r.getMessage() for r in caplog.records if "was removed" in r.getMessage()]
    assert len(said) == 1
    assert f"cleared its {wired} Action URLs" in said[0]


@pytest.mark.usefixtures("ha_address")
async def test_removal_of_a_phone_that_is_off(
    hass: HomeAssistant, phone: SimulatedPhone, caplog: pytest.LogCaptureFixture
) -> None:
    """The phone is off when it is removed: no error, one line in the log."""
    _, entry = await add_phone(hass, phone)
    phone.profile.reboot_duration = 60
    await phone.reboot()
    # Not caplog.clear(): the autouse check reads every record of the test.
    seen = len(caplog.records)

    await remove(hass, entry)

    assert not hass.config_entries.async_entries(DOMAIN)
    said = [
        r
        for r in caplog.records[seen:]
        if r.name.startswith("custom_components.grandstream")
        and r.levelno >= logging.INFO
    ]
    assert len(said) == 1, [r.getMessage() for r in said]
    assert said[0].levelno == logging.INFO
    assert "could not be cleared" in said[0].getMessage()
    assert said[0].exc_info is None


@pytest.mark.usefixtures("ha_address")
async def test_removal_sends_no_password_the_phone_refused(
    hass: HomeAssistant, phone: SimulatedPhone, caplog: pytest.LogCaptureFixture
) -> None:
    """The phone's password changed (reauth pending): removal does not log in."""
    _, entry = await add_phone(hass, phone)
    change_passcode(phone)
    await poll(hass)
    assert [
        flow["context"]["source"] for flow in hass.config_entries.flow.async_progress()
    ] == ["reauth"]
    # Not caplog.clear(): the autouse check reads every record of the test.
    seen = len(caplog.records)

    await remove(hass, entry)

    assert logins(phone) == 1
    said = [
        r.getMessage() for r in caplog.records[seen:] if "was removed" in r.getMessage()
    ]
    assert len(said) == 1
    assert "refused the stored password" in said[0]


# -- secrets --------------------------------------------------------------------------


@pytest.mark.usefixtures("ha_address")
async def test_diagnostics_show_no_password(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, phone: SimulatedPhone
) -> None:
    """A phone set up by Home Assistant: its diagnostics hold no password."""
    _, entry = await add_phone(hass, phone)

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)

    text = json.dumps(diagnostics)
    assert PASSCODE not in text
    assert entry.data[CONF_WEBHOOK_ID] not in text
    assert diagnostics["config_entry"]["data"][CONF_PHONE_SET_UP] is True
    # The set-up ran in the config flow, before the entry existed: its web
    # answers are in the entry's capture all the same, without nonce or session.
    web = diagnostics["capture"]["web"]
    assert [answer["function"] for answer in web][:3] == [
        "access",
        "dologin",
        "config_get",
    ]
    assert json.loads(web[0]["body"])["body"] == "REDACTED"
    assert json.loads(web[1]["body"])["body"]["sid"] == "REDACTED"
    assert web[-1]["function"] == "dologout"


# -- review fixes: never an automatic retry, never "done" when it is not ------------


@pytest.mark.usefixtures("ha_address")
async def test_refused_login_after_an_address_change_is_not_retried(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """Home Assistant moved and the phone refuses the web login: one attempt.

    The CTI still takes the passcode (polling goes on) but the web login is
    refused. The user is offered to set the phone up (push stopped); later
    starts do not try the refused login again.
    """
    _, entry = await add_phone(hass, phone)
    phone.profile.web_denied_users = ["admin"]
    hass.config.internal_url = f"http://127.0.0.1:{free_port()}"
    for _ in range(3):
        await reload(hass, entry)
    assert entry.state is ConfigEntryState.LOADED
    assert logins(phone) == 2  # the flow's, then exactly one for the new address
    assert issue(hass, "push_stopped", entry) is not None


@pytest.mark.usefixtures("ha_address")
async def test_repair_reports_partly_when_the_phone_keeps_its_values(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, phone: SimulatedPhone
) -> None:
    """A take-over the phone silently ignores is not reported as done."""
    entry, in_use = await slots_in_use_repair(hass, phone)
    phone.profile.gdms_managed = True

    _, answer = await repair_fix(hass, hass_client, in_use.issue_id)

    assert answer["type"] == FlowResultType.ABORT
    assert answer["reason"] == "set_up_partial"
    assert phone.web.slots()["P8312"] == FOREIGN_URL
    assert entry.data[CONF_FOREIGN_SLOTS] == ["missed"]
    assert issue(hass, "slots_in_use", entry) is not None


@pytest.mark.usefixtures("ha_address")
async def test_repair_writes_nothing_to_another_phone(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, phone: SimulatedPhone
) -> None:
    """Another phone took the address: the fix stops before writing anything."""
    entry, in_use = await slots_in_use_repair(hass, phone)
    hass.config_entries.async_update_entry(entry, unique_id="00:0b:82:aa:bb:cc")
    before = writes(phone)

    _, answer = await repair_fix(hass, hass_client, in_use.issue_id)

    assert answer["type"] == FlowResultType.ABORT
    assert answer["reason"] == "wrong_device"
    assert writes(phone) == before
    assert_logged_out(phone)


@pytest.mark.usefixtures("ha_address")
async def test_setting_up_again_waits_for_reauthentication(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """While the phone refuses the stored password, Configure does not log in."""
    _, entry = await add_phone(hass, phone)
    change_passcode(phone)
    await poll(hass, 61)  # the CTI refusal starts the reauthentication
    assert entry.async_get_active_flows(hass, {"reauth"})
    before = logins(phone)

    result = await set_up_again(hass, entry)

    assert result["errors"] == {"base": "reauth_pending"}
    assert logins(phone) == before


@pytest.mark.usefixtures("ha_address")
async def test_setup_notes_a_person_may_be_logged_out(
    hass: HomeAssistant, phone: SimulatedPhone, caplog: pytest.LogCaptureFixture
) -> None:
    """The phone does not tell whether our login ended someone's: the log says it may."""
    caplog.set_level(logging.INFO)
    await add_phone(hass, phone)
    notes = [r for r in caplog.records if "end a person's session" in r.getMessage()]
    assert len(notes) == 1
