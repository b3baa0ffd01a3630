"""One error vocabulary: what a phone client error means to the user.

Polling, actions, buttons and the config flow all describe a failure with
the same translation key, so a phone that refuses reads the same wherever
the user meets it. The keys exist under ``exceptions`` and ``config.error``
in strings.json (a test checks both).
"""

from __future__ import annotations

from typing import Final

from homeassistant.exceptions import (
    ConfigEntryAuthFailed,
    ConfigEntryNotReady,
    HomeAssistantError,
    ServiceValidationError,
)
from homeassistant.helpers.update_coordinator import UpdateFailed

from .compat import InputError
from .const import DOMAIN, LOGGER
from .cti import (
    GrandstreamAccountNotAllowedError,
    GrandstreamAuthenticationError,
    GrandstreamBusyError,
    GrandstreamConnectionError,
    GrandstreamError,
    GrandstreamForbiddenError,
    GrandstreamInvalidKeysError,
    GrandstreamInvalidRequestError,
    GrandstreamLockedError,
    GrandstreamNotAuthorizedError,
    GrandstreamRejectedError,
    GrandstreamSessionExpiredError,
    GrandstreamTimeoutError,
    GrandstreamWrongPasswordError,
)

# Most specific first; also most serious first: when one poll meets several
# failures, the first in this table wins, so a refused passcode (which stops
# polling and asks the user) beats a timeout seen in the same poll.
ERROR_KEYS: tuple[tuple[type[GrandstreamError], str], ...] = (
    (GrandstreamLockedError, "locked_out"),
    (GrandstreamWrongPasswordError, "wrong_password"),
    (GrandstreamAccountNotAllowedError, "account_not_allowed"),
    (GrandstreamNotAuthorizedError, "not_authorized"),
    (GrandstreamAuthenticationError, "not_authorized"),
    (GrandstreamForbiddenError, "request_forbidden"),
    (GrandstreamSessionExpiredError, "session_expired"),
    (GrandstreamInvalidKeysError, "invalid_keys"),
    (GrandstreamBusyError, "phone_busy"),
    (GrandstreamInvalidRequestError, "invalid_request"),
    (GrandstreamRejectedError, "command_rejected"),
    (GrandstreamTimeoutError, "timeout"),
    (GrandstreamConnectionError, "cannot_connect"),
    (GrandstreamError, "invalid_response"),
)


# A command the phone read and then closed the connection on, unanswered: it
# may well have been carried out, so this is no "cannot reach" (phones that
# never took the request are).
COMMAND_UNANSWERED: Final = "command_unanswered"

# What a form (config flow, options, repair fix) may show; anything else the
# phone answers reads as "not a phone we understand".
FORM_ERRORS = frozenset(
    {
        "not_authorized",
        "wrong_password",
        "locked_out",
        "account_not_allowed",
        "request_forbidden",
        "session_expired",
        "cannot_connect",
        "invalid_response",
    }
)
# Form errors that mean "this passcode (or account) was refused".
AUTH_FORM_ERRORS = frozenset(
    {"not_authorized", "wrong_password", "locked_out", "account_not_allowed"}
)


def severity(err: BaseException) -> int:
    """Rank of ``err`` in ``ERROR_KEYS`` (lower is more serious); -1 if not ours."""
    for rank, (kind, _) in enumerate(ERROR_KEYS):
        if isinstance(err, kind):
            return rank
    return -1


def error_key(err: GrandstreamError) -> str:
    """The translation key describing ``err``."""
    return ERROR_KEYS[severity(err)][1]


def form_error(err: GrandstreamError) -> str:
    """The form error describing ``err`` (a slow phone is one we cannot reach)."""
    if isinstance(err, GrandstreamConnectionError):
        return "cannot_connect"
    key = error_key(err)
    return key if key in FORM_ERRORS else "invalid_response"


def error_placeholders(err: GrandstreamError) -> dict[str, str]:
    """Placeholders for ``err``'s message.

    Messages of the clients never contain the passcode or a session id, so
    ``error`` is safe to show; the user-facing texts leave it out (it is the
    client's technical detail, logged at debug level instead).
    """
    placeholders = {"error": str(err)}
    if isinstance(err, GrandstreamWrongPasswordError):
        placeholders["attempts_left"] = (
            "?" if err.attempts_left is None else str(err.attempts_left)
        )
    if isinstance(err, GrandstreamLockedError):
        placeholders["lock_time"] = "?" if err.lock_time is None else str(err.lock_time)
    return placeholders


def update_error(err: GrandstreamError) -> UpdateFailed | ConfigEntryAuthFailed:
    """What a failed poll raises: a refusal starts re-authentication."""
    key, placeholders = error_key(err), error_placeholders(err)
    LOGGER.debug("Reading the phone failed (%s): %s", key, err)
    if isinstance(err, GrandstreamAuthenticationError):
        # The client refuses to send this passcode again; the reauth flow
        # asks the user for one.
        return ConfigEntryAuthFailed(
            translation_domain=DOMAIN,
            translation_key=key,
            translation_placeholders=placeholders,
        )
    return UpdateFailed(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders,
    )


def not_ready(err: ConfigEntryNotReady) -> ConfigEntryNotReady:
    """The first fetch failed: say why in the user's language.

    Older Home Assistant drops the translation of the update failure that
    caused it.
    """
    cause = err.__cause__
    if isinstance(cause, UpdateFailed) and cause.translation_key:
        return ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key=cause.translation_key,
            translation_placeholders=cause.translation_placeholders,
        )
    return err


def command_error(
    err: GrandstreamError, *, refused_key: str | None = None
) -> HomeAssistantError:
    """What a failed action or button press raises.

    ``refused_key`` replaces the generic "refused" for callers that know
    what a bare refusal means (e.g. nothing ringing to answer).
    """
    key, placeholders = error_key(err), error_placeholders(err)
    if refused_key and type(err) is GrandstreamRejectedError:
        key = refused_key
    elif err.command_sent:
        key = COMMAND_UNANSWERED
    LOGGER.debug("A command to the phone failed (%s): %s", key, err)
    kind = (
        ServiceValidationError
        if isinstance(err, GrandstreamInvalidKeysError)
        else HomeAssistantError
    )
    return kind(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders,
    )


def refused(key: str, /, **placeholders: str) -> HomeAssistantError:
    """A translated refusal decided by us, not by the phone."""
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders or None,
    )


def cannot_now(key: str, **placeholders: str) -> ServiceValidationError:
    """A translated refusal of a request the phone's state does not allow now.

    Not a fault of the phone and not bad input: the same request works later
    (e.g. Do Not Disturb once the call is over).
    """
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders or None,
    )


def invalid_input(key: str, /, **placeholders: str) -> ServiceValidationError:
    """A translated complaint about what the user asked for (HTTP 400 over REST)."""
    return InputError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders or None,
    )
