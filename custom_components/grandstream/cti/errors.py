"""Errors raised by the CTI client.

One hierarchy so callers can catch as broadly or as narrowly as they need.
No message ever carries the passcode: URLs are redacted before they are
formatted into a message (see ``redact_url``).
"""

from __future__ import annotations


class GrandstreamError(Exception):
    """Base class for every error of the CTI client."""


class GrandstreamConnectionError(GrandstreamError):
    """The phone could not be reached, or dropped the connection."""


class GrandstreamConnectionDroppedError(GrandstreamConnectionError):
    """The phone closed or reset the connection after the request was sent."""


class GrandstreamTimeoutError(GrandstreamConnectionError):
    """The phone did not answer within the request timeout."""


class GrandstreamResponseError(GrandstreamError):
    """The phone answered something we cannot use (HTTP error, garbage, HTML)."""


class GrandstreamRejectedError(GrandstreamResponseError):
    """The phone understood the request and refused it (``response: error``)."""


class GrandstreamInvalidRequestError(GrandstreamRejectedError):
    """``Invalid Request``: click-to-dial off, bad number or account, keypad locked.

    The phone uses the same answer for all of these, so callers cannot tell
    them apart; the integration falls back to key presses for dialling.
    """


class GrandstreamAuthenticationError(GrandstreamResponseError):
    """The passcode was rejected. Never retry: five failures lock the phone."""


class GrandstreamLockedError(GrandstreamAuthenticationError):
    """The phone locked its account after too many failed passcodes."""


class GrandstreamCtiDisabledError(GrandstreamError):
    """The phone refuses remote control: CTI / Action URI support not enabled.

    Also raised when Home Assistant's address is not in the phone's
    "Action URI Allowed IP List". The passcode was not judged, so this does
    not count towards the lockout.
    """
