"""Exit codes, and what each error of the library means for the person at the desk."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from .. import (
    GrandstreamAccountNotAllowedError,
    GrandstreamAuthenticationError,
    GrandstreamBusyError,
    GrandstreamCertificateError,
    GrandstreamConnectionDroppedError,
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


class ExitCode(IntEnum):
    """What ``grandstream-cti`` exits with (documented in the library README)."""

    OK = 0
    # An answer we cannot use (not a phone, garbage, HTTP 5xx), or a bug.
    FAILED = 1
    # Bad arguments, an undialable number, an unknown key, no passcode given.
    BAD_INPUT = 2
    # No answer: wrong address, phone off or rebooting, a firewall.
    UNREACHABLE = 3
    # The phone refused the passcode or the account (unauthorized, wrongN,
    # user is not allow). The passcode was not sent again.
    NOT_AUTHORIZED = 4
    # The phone's account is locked after too many wrong passwords.
    LOCKED = 5
    # The phone understood and refused the request (HTTP 403, Invalid
    # Request, false), or ignored a setting it answered success to.
    REFUSED = 6
    # A command went out and no readable answer came back (the connection
    # dropped, the time ran out, the answer was broken): it may or may not
    # have been carried out. Look before sending it again.
    UNKNOWN_OUTCOME = 7
    # action-urls: slots that hold someone else's URL were left alone.
    PARTLY_DONE = 8
    # Interrupted (Ctrl+C) before the end.
    INTERRUPTED = 130


def exit_code_for(err: BaseException, *, command: bool = False) -> ExitCode:
    """The exit code for an error; ``command``: the request changes something."""
    if isinstance(err, GrandstreamLockedError):
        return ExitCode.LOCKED
    if isinstance(err, GrandstreamAuthenticationError):
        return ExitCode.NOT_AUTHORIZED
    if command and (
        isinstance(err, GrandstreamConnectionDroppedError)
        or (isinstance(err, GrandstreamError) and err.command_sent)
    ):
        return ExitCode.UNKNOWN_OUTCOME
    if isinstance(err, GrandstreamConnectionError):
        return ExitCode.UNREACHABLE
    if isinstance(err, GrandstreamForbiddenError | GrandstreamRejectedError):
        return ExitCode.REFUSED
    if isinstance(err, GrandstreamInvalidKeysError | ValueError):
        return ExitCode.BAD_INPUT
    return ExitCode.FAILED


def phone_words(err: GrandstreamError) -> str | None:
    """What the phone answered, in its own words, where the error tells it."""
    if isinstance(err, GrandstreamWrongPasswordError):
        left = "" if err.attempts_left is None else str(err.attempts_left)
        return f"wrong{left}"
    if isinstance(err, GrandstreamLockedError):
        if err.lock_time is None:
            return "locked"
        return f"locked (lockTime {err.lock_time})"
    if isinstance(err, GrandstreamAccountNotAllowedError):
        return "user is not allow"
    if isinstance(err, GrandstreamNotAuthorizedError):
        if "HTTP 401" in str(err):
            return "HTTP 401"
        return "unauthorized"
    if isinstance(err, GrandstreamForbiddenError):
        return "HTTP 403"
    if isinstance(err, GrandstreamInvalidRequestError):
        return "Invalid Request"
    return None


# Where to look on the phone: the web UI's Remote Control page.
_REMOTE_CONTROL = "the phone's web page Network → Remote Control"


def causes(err: BaseException) -> list[str]:
    """Every cause we know for ``err``, most likely first, and what to do."""
    if isinstance(err, GrandstreamLockedError):
        when = (
            ""
            if err.lock_time is None
            else f" The phone said lockTime {err.lock_time} (its unit is not documented;"
            " seconds on the phones seen so far)."
        )
        return [
            "Too many wrong passwords locked the phone's account: ours or someone "
            "else's (another script, a person at the web page)." + when,
            "Wait for the lock to end, then try once with the right passcode.",
        ]
    if isinstance(err, GrandstreamWrongPasswordError):
        left = (
            "" if err.attempts_left is None else f" {err.attempts_left} attempts left."
        )
        return [
            "The passcode is wrong: it is the phone's web password (admin or user)."
            + left,
            (
                "Five wrong passwords lock the account; this tool never sends a refused "
                "passcode again."
            ),
        ]
    if isinstance(err, GrandstreamAccountNotAllowedError):
        return [
            (
                "This account may not use the phone's remote or web interface: allow it "
                "on the phone's web page, or use the admin password."
            ),
        ]
    if isinstance(err, GrandstreamNotAuthorizedError):
        return [
            "The passcode may be wrong (the phone's web password, admin or user).",
            (
                f"Remote Control Pop up Window Support may be enabled ({_REMOTE_CONTROL}):"
                " then the phone refuses even the right passcode. Disable it."
            ),
            "A web session on the phone may have expired (phones in session mode).",
            (
                "Every wrong passcode counts towards the phone's lockout (5 attempts); "
                "this tool sent it once and not again."
            ),
        ]
    if isinstance(err, GrandstreamForbiddenError):
        return [
            f"Action URI Support may be disabled ({_REMOTE_CONTROL}).",
            (
                "This computer's address may be missing from the Action URI Allowed IP "
                "List (same page; 'any' or this address)."
            ),
            "The passcode was not judged: this does not count towards the lockout.",
        ]
    if isinstance(err, GrandstreamInvalidRequestError):
        return [
            (
                "Click-To-Dial may be disabled (Settings → Call Features → Click-To-Dial "
                "Feature) — dial falls back to key presses unless --no-keys."
            ),
            (
                "The number may be empty or undialable, the account may not exist, or the "
                "keypad may be locked."
            ),
        ]
    if isinstance(err, GrandstreamSessionExpiredError):
        return [
            (
                "The web session ended: it expired, or someone logged in to the phone's "
                "web page with the same account."
            ),
        ]
    if isinstance(err, GrandstreamError) and err.command_sent:
        return [
            (
                "The phone got the command but gave no answer that can be read "
                "(it may be busy or rebooting, or its answer was broken). It may or "
                "may not have been carried out; look (status, lines) before "
                "repeating it."
            ),
        ]
    if isinstance(err, GrandstreamCertificateError):
        return [
            (
                "--verify-ssl checks the phone's certificate, and phones ship "
                "self-signed ones: drop --verify-ssl, or install the phone's CA "
                "certificate on this computer."
            ),
        ]
    if isinstance(err, GrandstreamTimeoutError):
        return [
            (
                "The phone did not answer in time: it may be rebooting (about a minute), "
                "busy, or behind a slow network. Try again, or raise --timeout."
            ),
        ]
    if isinstance(err, GrandstreamConnectionDroppedError):
        return [
            (
                "The phone closed the connection: it may be rebooting. A command may or "
                "may not have been carried out; look (status, lines) before repeating it."
            ),
        ]
    if isinstance(err, GrandstreamConnectionError):
        return [
            "Check the address and that the phone is on and reachable from here.",
            (
                "If the phone answers on another port or scheme, give it: HOST:PORT, "
                "https://HOST or --http."
            ),
        ]
    if isinstance(err, GrandstreamBusyError):
        return ["Too many commands are waiting for this phone."]
    return []


def error_data(err: BaseException, code: ExitCode, message: str) -> dict[str, Any]:
    """The error as ``--json`` prints it."""
    data: dict[str, Any] = {
        "ok": False,
        "exit_code": int(code),
        "error": {
            "type": type(err).__name__,
            "message": message,
            "phone_said": phone_words(err)
            if isinstance(err, GrandstreamError)
            else None,
            "causes": causes(err),
        },
    }
    if isinstance(err, GrandstreamWrongPasswordError):
        data["error"]["attempts_left"] = err.attempts_left
    if isinstance(err, GrandstreamLockedError):
        data["error"]["lock_time"] = err.lock_time
    return data
