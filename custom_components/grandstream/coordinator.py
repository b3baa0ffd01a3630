"""Polls one phone and runs commands on it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
import time
from typing import TYPE_CHECKING

from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import (
    ConfigEntryAuthFailed,
    HomeAssistantError,
    ServiceValidationError,
)
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.debounce import Debouncer
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .const import (
    ACCOUNTS_REFRESH_INTERVAL,
    CONF_FIRMWARE,
    CONF_MODEL,
    DOMAIN,
    FAST_POLL_INTERVAL,
    LOGGER,
)
from .cti import (
    Account,
    GrandstreamAuthenticationError,
    GrandstreamBusyError,
    GrandstreamClient,
    GrandstreamConnectionError,
    GrandstreamError,
    GrandstreamForbiddenError,
    GrandstreamInvalidKeysError,
    GrandstreamInvalidRequestError,
    GrandstreamLockedError,
    GrandstreamRejectedError,
    GrandstreamTimeoutError,
    LineState,
    LineStatus,
    PhoneState,
    PhoneStatus,
)

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry

    from .call_tracker import CallTracker
    from .push import PushReceiver

# After a command, refresh at once, and at most once a second after that, so a
# dashboard shows the result within a second or two.
COMMAND_REFRESH_COOLDOWN = 1.0
# A push waits this long at most for the line status that names the caller.
PUSH_FETCH_TIMEOUT = 3.0


@dataclass(frozen=True, slots=True)
class PhoneSnapshot:
    """Everything one poll learnt about the phone."""

    status: PhoneStatus
    lines: tuple[LineStatus, ...]
    accounts: tuple[Account, ...]

    def line(self, number: int) -> LineStatus | None:
        """Return line ``number`` if the phone reports it."""
        return next((ls for ls in self.lines if ls.line == number), None)

    @property
    def ringing(self) -> bool:
        """Whether any line is ringing."""
        return any(ls.state is LineState.RINGING for ls in self.lines)

    @property
    def in_call(self) -> bool:
        """Whether any line has a call up (talking or held)."""
        return any(ls.in_call for ls in self.lines)


@dataclass
class GrandstreamRuntimeData:
    """What a loaded config entry holds."""

    client: GrandstreamClient
    coordinator: GrandstreamCoordinator
    tracker: CallTracker
    push: PushReceiver


type GrandstreamConfigEntry = ConfigEntry[GrandstreamRuntimeData]


@callback
def phone_device(
    hass: HomeAssistant, entry: GrandstreamConfigEntry
) -> dr.DeviceEntry | None:
    """The phone's device (an entry has exactly one).

    Looked up by config entry: lookups by identifier changed API across the
    Home Assistant versions we support.
    """
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    return devices[0] if devices else None


class GrandstreamCoordinator(DataUpdateCoordinator[PhoneSnapshot]):
    """Fetches phone and line status together; accounts less often."""

    config_entry: GrandstreamConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: GrandstreamConfigEntry,
        client: GrandstreamClient,
    ) -> None:
        """Set up polling for one phone."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} {entry.title}",
            update_interval=FAST_POLL_INTERVAL,
            request_refresh_debouncer=Debouncer(
                hass, LOGGER, cooldown=COMMAND_REFRESH_COOLDOWN, immediate=True
            ),
        )
        self.client = client
        self._accounts: tuple[Account, ...] = ()
        self._accounts_fetched_at: float | None = None
        self._logged_once: set[str] = set()

    async def async_fetch_now(self) -> PhoneSnapshot | None:
        """Fetch a snapshot without publishing it; None if the phone fails.

        For pushes, which need the line status at once and publish it
        themselves after handling the event.
        """
        try:
            async with asyncio.timeout(PUSH_FETCH_TIMEOUT):
                return await self._async_update_data()
        except (UpdateFailed, ConfigEntryAuthFailed, TimeoutError):
            return None

    @callback
    def update_device_info(self) -> None:
        """Copy model and firmware learnt from the phone to its device."""
        entry = self.config_entry
        if device := phone_device(self.hass, entry):
            dr.async_get(self.hass).async_update_device(
                device.id,
                model=entry.data.get(CONF_MODEL),
                sw_version=entry.data.get(CONF_FIRMWARE),
            )

    @callback
    def set_poll_interval(self, interval: timedelta) -> None:
        """Change how often the phone is polled, effective for the next poll."""
        if self.update_interval == interval:
            return
        self.update_interval = interval
        # Not after a failure: polling may have stopped on purpose (reauth).
        if self._listeners and self.last_update_success:
            # The next poll was scheduled with the old interval: move it.
            self._schedule_refresh()

    def invalidate_accounts(self) -> None:
        """Fetch accounts on the next refresh (registration changed)."""
        self._accounts_fetched_at = None

    async def _async_update_data(self) -> PhoneSnapshot:
        # Both requests go out together; the worst failure decides the outcome.
        status, lines = await asyncio.gather(
            self.client.phone_status(),
            self.client.line_status(),
            return_exceptions=True,
        )
        failures = [r for r in (status, lines) if isinstance(r, BaseException)]
        if not failures and self._accounts_due():
            try:
                self._accounts = tuple(await self.client.accounts())
                self._accounts_fetched_at = time.monotonic()
            except GrandstreamAuthenticationError as err:
                failures.append(err)
            except GrandstreamError as err:
                # Lines and status are fine: keep the accounts we know and
                # try again next poll rather than blank the whole phone.
                LOGGER.debug("Could not read the accounts of %s: %s", self.name, err)
        if failures:
            raise self._update_error(min(failures, key=_severity))
        assert isinstance(status, PhoneStatus)
        assert isinstance(lines, list)
        snapshot = PhoneSnapshot(
            status=status, lines=tuple(lines), accounts=self._accounts
        )
        self._log_unknown_states(snapshot)
        return snapshot

    def _accounts_due(self) -> bool:
        return (
            self._accounts_fetched_at is None
            or time.monotonic() - self._accounts_fetched_at
            > ACCOUNTS_REFRESH_INTERVAL.total_seconds()
        )

    def _update_error(self, err: BaseException) -> Exception:
        if not isinstance(err, GrandstreamError):
            # A bug, not a phone problem: let the coordinator log it in full.
            raise err
        key, placeholders = error_translation(err)
        if isinstance(err, GrandstreamAuthenticationError):
            # The client refuses to send this passcode again; the reauth
            # flow asks the user for a new one.
            return ConfigEntryAuthFailed(translation_domain=DOMAIN, translation_key=key)
        return UpdateFailed(
            translation_domain=DOMAIN,
            translation_key=key,
            translation_placeholders=placeholders,
        )

    def _log_unknown_states(self, snapshot: PhoneSnapshot) -> None:
        """Log each state string we do not know once, then stay quiet."""
        raw_unknown = []
        if snapshot.status.state is PhoneState.UNKNOWN:
            raw_unknown.append(("phone", snapshot.status.raw_state))
        raw_unknown += [
            ("line", ls.raw_state)
            for ls in snapshot.lines
            if ls.state is LineState.UNKNOWN
        ]
        for kind, raw in raw_unknown:
            self.log_once(
                f"{kind}:{raw}",
                "%s reports an unknown %s state %r; shown as 'other'",
                self.config_entry.title,
                kind,
                raw[:40],
            )

    def log_once(self, key: str, message: str, *args: object) -> None:
        """Log something worth knowing once per phone, not on every poll."""
        if key not in self._logged_once:
            self._logged_once.add(key)
            LOGGER.info(message, *args)

    async def async_command[T](
        self,
        command: Callable[[GrandstreamClient], Awaitable[T]],
        *,
        refused_key: str | None = None,
    ) -> T:
        """Run a command on the phone, turning client errors into HA errors.

        The one place where buttons and actions meet the phone, so that every
        failure reads the same whichever way the user got there.
        """
        try:
            result = await command(self.client)
        except GrandstreamError as err:
            key, placeholders = error_translation(err)
            if refused_key and type(err) is GrandstreamRejectedError:
                # The phone only says "false"; the caller knows what it means.
                key = refused_key
            if isinstance(err, GrandstreamInvalidKeysError):
                raise ServiceValidationError(
                    translation_domain=DOMAIN,
                    translation_key=key,
                    translation_placeholders=placeholders,
                ) from None
            if isinstance(err, GrandstreamAuthenticationError):
                self.config_entry.async_start_reauth(self.hass)
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key=key,
                translation_placeholders=placeholders,
            ) from None
        await self.async_request_refresh()
        return result


# Most serious first: an authentication failure must win over a timeout seen
# in the same poll, because only it stops polling and starts reauth.
_ERROR_TRANSLATIONS: tuple[tuple[type[GrandstreamError], str], ...] = (
    (GrandstreamLockedError, "locked_out"),
    (GrandstreamAuthenticationError, "invalid_auth"),
    (GrandstreamForbiddenError, "cti_disabled"),
    (GrandstreamInvalidKeysError, "invalid_keys"),
    (GrandstreamBusyError, "phone_busy"),
    (GrandstreamInvalidRequestError, "invalid_request"),
    (GrandstreamRejectedError, "command_rejected"),
    (GrandstreamTimeoutError, "timeout"),
    (GrandstreamConnectionError, "cannot_connect"),
    (GrandstreamError, "invalid_response"),
)


def _severity(err: BaseException) -> int:
    for rank, (kind, _) in enumerate(_ERROR_TRANSLATIONS):
        if isinstance(err, kind):
            return rank
    return -1  # not ours: a bug, surface it first


def error_translation(err: GrandstreamError) -> tuple[str, dict[str, str]]:
    """Return the translation key and placeholders describing ``err``.

    Messages of the client never contain the passcode, so ``error`` is safe
    to show.
    """
    key = _ERROR_TRANSLATIONS[_severity(err)][1]
    return key, {"error": str(err)}
