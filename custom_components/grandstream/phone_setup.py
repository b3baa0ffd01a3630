"""Zero-touch setup: Home Assistant configures the phone over its web session.

One login per user action, with the password the phone already accepted
over CTI; then the Action URLs go into slots that are empty or already ours
(never into a slot something else uses, unless the user asked to take it
over), Click-To-Dial is switched on, everything is read back, and the
session ends. A write the phone silently ignored (the ``user`` role, a
cloud-managed phone) or dropped (too long) is reported as such, never as done.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass
import re
from typing import Any, Final, Self

from aiohttp import ClientSession
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntry
from homeassistant.const import CONF_HOST, CONF_SSL, CONF_VERIFY_SSL, CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from . import identity
from .action_urls import (
    EVENTS,
    MAX_ACTION_URL_LENGTH,
    action_urls,
    home_assistant_url,
    webhook_path,
)
from .capture_keeper import capture_keeper
from .const import (
    CONF_FIRMWARE,
    CONF_FOREIGN_SLOTS,
    CONF_MODEL,
    CONF_PASSCODE,
    CONF_PHONE_SET_UP,
    CONF_PUSH_BASE_URL,
    CONF_REWRITE_REFUSED,
    CONF_WEB_USERNAME,
    LOGGER,
)
from .cti import (
    GrandstreamAuthenticationError,
    GrandstreamError,
    GrandstreamWebSession,
    WebRole,
)
from .cti.transport import RawAnswer
from .texts import Phrases

# P-value of "Click-To-Dial Feature" ("1" = on).
CLICK_TO_DIAL: Final = "1561"
# The named key of the phone's model in config_get.
PHONE_MODEL: Final = "phone_model"
# Models and firmware affected by CVE-2026-2329 (fixed in 1.0.7.81).
CVE_2026_2329_MODELS: Final = frozenset(
    {"GXP1610", "GXP1615", "GXP1620", "GXP1625", "GXP1628", "GXP1630"}
)
CVE_2026_2329_LAST_AFFECTED: Final = (1, 0, 7, 79)
# Phones whose web login was noted in the log (once per phone and run).
_SAID_SESSION_NOTE: set[str] = set()
# Removing a phone waits this long at most for it to clear its slots.
FORGET_TIMEOUT: Final = 15.0


@dataclass(frozen=True, slots=True)
class PhoneIdentity:
    """Who the phone says it is, from its login answer and settings."""

    mac: str | None
    firmware: str | None
    model: str | None
    role: WebRole


@dataclass(frozen=True, slots=True)
class PhoneSetupReport:
    """What setting up the phone did, for the user and the entry."""

    identity: PhoneIdentity
    # Events whose slot holds our URL, read back from the phone.
    wired: tuple[str, ...] = ()
    # Events whose slot something else uses: left alone.
    foreign: tuple[str, ...] = ()
    # Events whose URL the phone kept its old value for (silently refused).
    refused: tuple[str, ...] = ()
    # Events whose URL is longer than the phone stores: not written.
    too_long: tuple[str, ...] = ()
    # Click-To-Dial as read back: True on, False off, None unknown.
    click_to_dial: bool | None = None
    # Whether we switched it on just now.
    click_to_dial_changed: bool = False

    @property
    def complete(self) -> bool:
        """Every event is wired."""
        return set(self.wired) == set(EVENTS)


def is_ours(value: str, webhook_id: str) -> bool:
    """Whether a slot's value is an Action URL of this phone's webhook."""
    path = webhook_path(webhook_id)
    return f"{path}?" in value or value.rstrip("/").endswith(path)


def _slot(event: str) -> str:
    return str(EVENTS[event])


class PhoneConfigurator:
    """One web session to set a phone up: identity first, then its settings.

    ``async with PhoneConfigurator(...) as phone:`` makes the one login
    attempt and reads the phone's identity and current slots; the caller can
    check the identity (a duplicate, say) before anything is written; the
    session ends when the block does, whatever happens in it.
    """

    def __init__(
        self,
        *,
        session: ClientSession,
        host: str,
        use_ssl: bool,
        verify_ssl: bool,
        password: str,
        username: str,
    ) -> None:
        """Prepare; nothing is sent before the block starts."""
        self._web = GrandstreamWebSession(
            host,
            password,
            session=session,
            username=username,
            use_ssl=use_ssl,
            verify_ssl=verify_ssl,
        )
        self._username = username
        self._before: dict[str, str] = {}
        self.identity = PhoneIdentity(None, None, None, WebRole.UNKNOWN)

    async def __aenter__(self) -> Self:
        """Log in (one attempt) and read identity and slots."""
        info = await self._web.login()
        if self._web.base_url not in _SAID_SESSION_NOTE:
            # The phone does not say whether it ended someone's session.
            _SAID_SESSION_NOTE.add(self._web.base_url)
            LOGGER.info(
                "Logged in to the web interface of %s as %s; phones that allow one "
                "web session per account end a person's session there",
                self._web.base_url,
                self._username,
            )
        try:
            keys = [*(_slot(event) for event in EVENTS), CLICK_TO_DIAL, PHONE_MODEL]
            self._before = await self._web.get(keys)
        except BaseException:
            await self._web.logout()
            raise
        self.identity = PhoneIdentity(
            mac=info.mac,
            firmware=info.firmware,
            model=self._before.get(PHONE_MODEL, "").strip().upper()[:32] or None,
            role=info.role,
        )
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        """Log out, whatever happened (a person's session may be waiting)."""
        await self._web.logout()

    @property
    def web_answers(self) -> list[tuple[str, RawAnswer]]:
        """Every answer of the web session so far, in order (for diagnostics)."""
        return self._web.answer_log.answers()

    def slots_of(self, webhook_id: str) -> dict[str, str]:
        """Events whose slot something else uses, with the value found."""
        return {
            event: value
            for event in EVENTS
            if (value := self._before.get(_slot(event), ""))
            and not is_ours(value, webhook_id)
        }

    async def wire(
        self, *, webhook_id: str, base_url: str, take_over: Collection[str] = ()
    ) -> PhoneSetupReport:
        """Write the Action URLs and Click-To-Dial where allowed; read back."""
        urls = action_urls(base_url, webhook_id)
        foreign = {
            event: value
            for event, value in self.slots_of(webhook_id).items()
            if event not in take_over
        }
        writes: dict[str, str] = {}
        too_long: list[str] = []
        for event, url in urls.items():
            if event in foreign:
                continue
            if len(url) > MAX_ACTION_URL_LENGTH:
                too_long.append(event)
            elif self._before.get(_slot(event), "") != url:
                writes[_slot(event)] = url
        click_to_dial_was = self._before.get(CLICK_TO_DIAL, "")
        if click_to_dial_was != "1":
            writes[CLICK_TO_DIAL] = "1"
        kept = await self._web.write_and_verify(writes) if writes else {}
        refused = [event for event in EVENTS if kept.get(_slot(event)) is False]
        if CLICK_TO_DIAL in kept:
            click_to_dial: bool | None = kept[CLICK_TO_DIAL]
        else:
            click_to_dial = click_to_dial_was == "1" if click_to_dial_was else None
        report = PhoneSetupReport(
            identity=self.identity,
            wired=tuple(
                event
                for event in EVENTS
                if event not in foreign
                and event not in too_long
                and event not in refused
            ),
            foreign=tuple(foreign),
            refused=tuple(refused),
            too_long=tuple(too_long),
            click_to_dial=click_to_dial,
            click_to_dial_changed=bool(kept.get(CLICK_TO_DIAL)),
        )
        LOGGER.debug(
            "Set up %s: %d events wired, %d left alone, %d refused, Click-To-Dial %s",
            self._web.base_url,
            len(report.wired),
            len(report.foreign),
            len(report.refused),
            report.click_to_dial,
        )
        return report

    async def clear(self, *, webhook_id: str) -> tuple[int, int]:
        """Empty the slots that point at this webhook; (cleared, still there)."""
        ours = {
            _slot(event): ""
            for event in EVENTS
            if is_ours(self._before.get(_slot(event), ""), webhook_id)
        }
        kept = await self._web.write_and_verify(ours) if ours else {}
        cleared = sum(1 for ok in kept.values() if ok)
        return cleared, len(ours) - cleared


def _version(text: str) -> tuple[int, ...] | None:
    if not re.fullmatch(r"[0-9]+(\.[0-9]+){1,4}", text):
        return None
    return tuple(int(part) for part in text.split("."))


def affected_by_cve_2026_2329(model: str | None, firmware: str | None) -> bool:
    """Whether this model and firmware have CVE-2026-2329 (phone-protocol.md §9)."""
    if not model or not firmware:
        return False
    version = _version(firmware)
    return (
        model.strip().upper() in CVE_2026_2329_MODELS
        and version is not None
        and version <= CVE_2026_2329_LAST_AFFECTED
    )


def summary_placeholders(report: PhoneSetupReport, phrases: Phrases) -> dict[str, str]:
    """Placeholders describing a setup, for the flow's result and repairs.

    ``details`` lists only what has something to say, one Markdown item
    each, in Home Assistant's language (placeholders are not translated).
    """
    details = [
        phrases.text(f"setup.{kind}", events=phrases.events(events))
        for kind, events in (
            ("foreign", report.foreign),
            ("refused", report.refused),
            ("too_long", report.too_long),
        )
        if events
    ]
    click_to_dial = {True: "on", False: "off", None: "unknown"}[report.click_to_dial]
    details.append(phrases.text(f"setup.click_to_dial_{click_to_dial}"))
    return {
        "wired": str(len(report.wired)),
        "total": str(len(EVENTS)),
        "details": "\n".join(f"- {item}" for item in details),
    }


async def async_run_phone_setup(
    hass: HomeAssistant,
    data: Mapping[str, Any],
    *,
    username: str,
    take_over: tuple[str, ...] = (),
    check_identity: Callable[[PhoneIdentity], Awaitable[None]] | None = None,
) -> PhoneSetupReport:
    """One web login with the entry's passcode: wire the phone, read back, log out.

    ``check_identity`` (async, takes the PhoneIdentity) runs before anything
    is written; it may raise to stop (e.g. the phone is already configured).
    """
    base_url = home_assistant_url(hass)
    if base_url is None:
        raise NoLocalUrlError
    configurator = _configurator(hass, data, username)
    try:
        async with configurator as phone:
            if check_identity is not None:
                await check_identity(phone.identity)
            return await phone.wire(
                webhook_id=str(data[CONF_WEBHOOK_ID]),
                base_url=base_url,
                take_over=take_over,
            )
    finally:
        # A refused login is worth as much to a bug report as a set-up.
        keeper = capture_keeper(hass, str(data[CONF_WEBHOOK_ID]))
        keeper.set_up_answers(configurator.web_answers)


class NoLocalUrlError(Exception):
    """Home Assistant does not know the address phones reach it at."""


class OtherPhoneError(Exception):
    """Another phone answers at the entry's address: nothing is written to it."""


class ReauthPendingError(Exception):
    """The phone refused the stored password: the user must give it first."""


def setup_result(
    report: PhoneSetupReport, phrases: Phrases
) -> tuple[str, dict[str, str]]:
    """The translation key and placeholders that tell what setup did."""
    complete = report.complete and report.click_to_dial is True
    return (
        "set_up_complete" if complete else "set_up_partial",
        summary_placeholders(report, phrases),
    )


def entry_data_after_setup(
    data: Mapping[str, Any],
    report: PhoneSetupReport,
    *,
    username: str,
    base_url: str,
    take_over: Collection[str] = (),
) -> dict[str, Any]:
    """Entry data once the phone was set up (identity, account, URL, slots).

    A slot we tried to take over but the phone kept is still someone else's.
    """
    still_foreign = [e for e in take_over if e in report.refused]
    updated = {
        **data,
        CONF_PHONE_SET_UP: True,
        CONF_WEB_USERNAME: username,
        CONF_PUSH_BASE_URL: base_url,
        CONF_FOREIGN_SLOTS: [*report.foreign, *still_foreign],
    }
    updated.pop(CONF_REWRITE_REFUSED, None)
    if report.identity.model:
        updated[CONF_MODEL] = report.identity.model
    if report.identity.firmware:
        updated[CONF_FIRMWARE] = report.identity.firmware
    return updated


def _configurator(
    hass: HomeAssistant, data: Mapping[str, Any], username: str
) -> PhoneConfigurator:
    return PhoneConfigurator(
        session=async_get_clientsession(hass),
        host=str(data[CONF_HOST]),
        use_ssl=bool(data.get(CONF_SSL)),
        verify_ssl=bool(data.get(CONF_VERIFY_SSL)),
        password=str(data[CONF_PASSCODE]),
        username=username,
    )


def _same_phone(
    entry: ConfigEntry[Any],
) -> Callable[[PhoneIdentity], Awaitable[None]]:
    """A check that the phone answering is the entry's phone."""

    async def check(identity: PhoneIdentity) -> None:
        if identity.mac and entry.unique_id and identity.mac != entry.unique_id:
            raise OtherPhoneError

    return check


async def async_set_up_again(
    hass: HomeAssistant,
    entry: ConfigEntry[Any],
    *,
    username: str | None = None,
    take_over: tuple[str, ...] = (),
) -> PhoneSetupReport:
    """Set an entry's phone up again (options, repairs, a new Home Assistant address).

    One login with the stored password, not while the phone refuses it;
    nothing is written to another phone that took the entry's address. The
    entry and its device learn what the phone said.
    """
    if any(entry.async_get_active_flows(hass, {SOURCE_REAUTH})):
        raise ReauthPendingError
    username = username or str(entry.data.get(CONF_WEB_USERNAME, "admin"))
    base_url = home_assistant_url(hass)
    if base_url is None:
        raise NoLocalUrlError
    report = await async_run_phone_setup(
        hass,
        entry.data,
        username=username,
        take_over=take_over,
        check_identity=_same_phone(entry),
    )
    hass.config_entries.async_update_entry(
        entry,
        data=entry_data_after_setup(
            entry.data,
            report,
            username=username,
            base_url=base_url,
            take_over=take_over,
        ),
    )
    identity.async_learn_model(
        hass, entry, model=report.identity.model, firmware=report.identity.firmware
    )
    return report


async def async_follow_home_assistant_url(
    hass: HomeAssistant, entry: ConfigEntry[Any]
) -> bool | None:
    """Rewrite our Action URLs when Home Assistant's address changed.

    Only for phones Home Assistant set up itself, only into slots that are
    ours, with one login. True: rewritten; None: nothing done (no need, or
    not now). False when the phone refused: the new address is remembered
    all the same, so the login is not tried again at the next start (the
    caller offers the user to set the phone up).
    """
    if not entry.data.get(CONF_PHONE_SET_UP):
        return None
    base_url = home_assistant_url(hass)
    if base_url is None or base_url == entry.data.get(CONF_PUSH_BASE_URL):
        return None
    try:
        report = await async_set_up_again(hass, entry)
    except ReauthPendingError:
        return None  # the reauthentication asks the user first
    except (GrandstreamError, OtherPhoneError) as err:
        LOGGER.warning(
            "Home Assistant's address changed, but the Action URLs on %s could not "
            "be rewritten (%s). Use Configure → Set up the phone again",
            entry.title,
            err if isinstance(err, GrandstreamError) else "another phone answers",
        )
        if isinstance(err, GrandstreamAuthenticationError | OtherPhoneError):
            hass.config_entries.async_update_entry(
                entry,
                data={
                    **entry.data,
                    CONF_PUSH_BASE_URL: base_url,
                    CONF_REWRITE_REFUSED: True,
                },
            )
            return False
        return None  # tried again at the next start
    LOGGER.info(
        "Home Assistant's address changed: rewrote %d Action URLs on %s",
        len(report.wired),
        entry.title,
    )
    return True


async def async_forget_phone(hass: HomeAssistant, entry: ConfigEntry[Any]) -> None:
    """The entry is removed: clear the slots that point at its webhook.

    Best effort: a phone that is off or refuses is not an error, and it is
    said in the log either way. Only phones Home Assistant set up itself:
    for the others the web login was never tried, and a password it does
    not take would cost one of the phone's five attempts; nor when the
    phone has refused the stored password already.
    """
    if CONF_WEBHOOK_ID not in entry.data or not entry.data.get(CONF_PHONE_SET_UP):
        return
    if any(entry.async_get_active_flows(hass, {SOURCE_REAUTH})):
        LOGGER.info(
            "%s was removed; its Action URLs were not cleared on the phone, which "
            "refused the stored password. Clear them on the phone's web page if "
            "you no longer use them",
            entry.title,
        )
        return
    username = str(entry.data.get(CONF_WEB_USERNAME, "admin"))
    try:
        async with asyncio.timeout(FORGET_TIMEOUT):
            async with _configurator(hass, entry.data, username) as phone:
                cleared, left = await phone.clear(
                    webhook_id=str(entry.data[CONF_WEBHOOK_ID])
                )
    except (GrandstreamError, TimeoutError) as err:
        LOGGER.info(
            "%s was removed; its Action URLs could not be cleared on the phone "
            "(%s). Clear them on the phone's web page if you no longer use them",
            entry.title,
            err or "no answer",
        )
        return
    if left:
        LOGGER.info(
            "%s was removed; cleared %d of its Action URLs on the phone, %d kept "
            "their value (log in as admin to clear them)",
            entry.title,
            cleared,
            left,
        )
    else:
        LOGGER.info(
            "%s was removed; cleared its %d Action URLs on the phone",
            entry.title,
            cleared,
        )
