"""Errors raised by the phone clients (CTI and web session).

One hierarchy so callers can catch as broadly or as narrowly as they need.
No message ever carries the passcode or a session id: URLs are redacted
before they are formatted into a message (see ``redact_url``).

    GrandstreamError
    ├── GrandstreamConnectionError            phone unreachable
    │   ├── GrandstreamConnectionDroppedError closed/reset after the request went out
    │   ├── GrandstreamCertificateError     HTTPS: the phone's certificate is not trusted
    │   └── GrandstreamTimeoutError
    ├── GrandstreamResponseError              an answer we cannot use (HTTP 5xx, garbage)
    │   ├── GrandstreamRejectedError          understood and refused ("error", false)
    │   │   └── GrandstreamInvalidRequestError  "Invalid Request"
    │   ├── GrandstreamForbiddenError         HTTP 403: refused before judging the passcode
    │   ├── GrandstreamSessionExpiredError    web session: expired or ended by another login
    │   └── GrandstreamAuthenticationError    stop using this passcode; ask the user
    │       ├── GrandstreamNotAuthorizedError   "unauthorized" / HTTP 401 (several causes)
    │       ├── GrandstreamWrongPasswordError   "wrongN": N attempts left
    │       ├── GrandstreamLockedError          "locked": too many failures
    │       └── GrandstreamAccountNotAllowedError  "user is not allow"
    └── GrandstreamBusyError (client.py), GrandstreamInvalidKeysError (keys.py)
"""

from __future__ import annotations


class GrandstreamError(Exception):
    """Base class for every error of the phone clients.

    ``command_sent`` is True when a command (answer, dial, keys…) went out
    and no readable answer came back (the connection dropped, the time ran
    out, the answer was garbage): the phone may well have carried it out,
    so it must not be reported as "unreachable" or "not a phone", nor sent
    again without looking first.
    """

    command_sent: bool = False


class GrandstreamConnectionError(GrandstreamError):
    """The phone could not be reached, or dropped the connection."""


class GrandstreamConnectionDroppedError(GrandstreamConnectionError):
    """The phone closed or reset the connection after the request was sent."""

    def __init__(self, message: str, *, command_sent: bool = False) -> None:
        """Keep whether a command was sent before the connection closed."""
        super().__init__(message)
        self.command_sent = command_sent


class GrandstreamCertificateError(GrandstreamConnectionError):
    """Certificate checks are on and the phone's certificate is not trusted.

    Phones ship self-signed certificates: without its CA installed here,
    the check fails before any request is sent.
    """


class GrandstreamTimeoutError(GrandstreamConnectionError):
    """The phone did not answer within the request timeout."""

    def __init__(self, message: str, *, command_sent: bool = False) -> None:
        """Keep whether a command may have reached the phone meanwhile."""
        super().__init__(message)
        self.command_sent = command_sent


class GrandstreamResponseError(GrandstreamError):
    """The phone answered something we cannot use (HTTP error, garbage, HTML)."""

    def __init__(
        self, message: str, *, command_sent: bool = False, status: int | None = None
    ) -> None:
        """Keep whether the unreadable answer was a command's, and its HTTP
        status where that was the fault (a phone's web server failing: 5xx)."""
        super().__init__(message)
        self.command_sent = command_sent
        self.status = status


class GrandstreamRejectedError(GrandstreamResponseError):
    """The phone understood the request and refused it (``response: error``)."""


class GrandstreamInvalidRequestError(GrandstreamRejectedError):
    """``Invalid Request``: click-to-dial off, bad number or account, keypad locked.

    The phone uses the same answer for all of these, so callers cannot tell
    them apart; the integration falls back to key presses for dialling.
    """


class GrandstreamForbiddenError(GrandstreamResponseError):
    """HTTP 403: the phone refused the request without judging the passcode.

    No public source shows what a phone answers with Action URI Support
    disabled or from an address outside its Allowed IP List; every 403 seen
    is the web interface's same-origin check. So this says "refused", not
    why. It does not count towards the lockout.
    """


class GrandstreamSessionExpiredError(GrandstreamResponseError):
    """The web session expired or was ended (e.g. by another login)."""


class GrandstreamAuthenticationError(GrandstreamResponseError):
    """The phone refused the passcode or account: never send it again on our own.

    Five failures lock the phone's account, so every subclass stops all
    further use of this passcode until the user enters one.
    """


class GrandstreamNotAuthorizedError(GrandstreamAuthenticationError):
    """``unauthorized`` (any shape) or HTTP 401.

    Not necessarily a wrong passcode: phones answer this with the right one
    while "Remote Control Pop up Window Support" is enabled, or when a web
    session expired. No public source shows what a wrong passcode returns.
    """


class GrandstreamWrongPasswordError(GrandstreamAuthenticationError):
    """``wrongN``: the password was wrong; ``attempts_left`` before the lock."""

    def __init__(self, message: str, *, attempts_left: int | None = None) -> None:
        """Keep how many attempts the phone says are left, if it says."""
        super().__init__(message)
        self.attempts_left = attempts_left


class GrandstreamLockedError(GrandstreamAuthenticationError):
    """The phone locked the account after too many failures.

    ``lock_time`` is the phone's ``lockTime`` value, if it sent one (its unit
    is not documented).
    """

    def __init__(self, message: str, *, lock_time: int | None = None) -> None:
        """Keep the lock time the phone reported, if any."""
        super().__init__(message)
        self.lock_time = lock_time


class GrandstreamAccountNotAllowedError(GrandstreamAuthenticationError):
    """``user is not allow``: this account may not use the web/remote interface."""
