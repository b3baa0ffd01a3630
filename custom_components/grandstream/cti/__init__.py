"""Client for the CTI HTTP interface of Grandstream IP desk phones.

Independent of Home Assistant (no ``homeassistant`` import) so that it can be
published on its own later.
"""

from .client import (
    DEFAULT_KEY_INTERVAL,
    DEFAULT_TIMEOUT,
    DialMethod,
    GrandstreamBusyError,
    GrandstreamClient,
    PhoneOperation,
    build_base_url,
)
from .errors import (
    GrandstreamAccountNotAllowedError,
    GrandstreamAuthenticationError,
    GrandstreamConnectionDroppedError,
    GrandstreamConnectionError,
    GrandstreamCtiDisabledError,
    GrandstreamError,
    GrandstreamForbiddenError,
    GrandstreamInvalidRequestError,
    GrandstreamLockedError,
    GrandstreamNotAuthorizedError,
    GrandstreamRejectedError,
    GrandstreamResponseError,
    GrandstreamSessionExpiredError,
    GrandstreamTimeoutError,
    GrandstreamWrongPasswordError,
)
from .keys import (
    MAX_KEYS,
    GrandstreamInvalidKeysError,
    digits,
    normalize_key,
    normalize_number,
    number_to_keys,
    parse_keys,
    same_number,
)
from .models import Account, LineState, LineStatus, PhoneState, PhoneStatus
from .redact import redact_text, redact_url
from .web import GrandstreamWebSession
from .web_models import WebLoginGeneration, WebRole, WebSessionInfo

__all__ = [
    "DEFAULT_KEY_INTERVAL",
    "DEFAULT_TIMEOUT",
    "MAX_KEYS",
    "Account",
    "DialMethod",
    "GrandstreamAccountNotAllowedError",
    "GrandstreamAuthenticationError",
    "GrandstreamBusyError",
    "GrandstreamClient",
    "GrandstreamConnectionDroppedError",
    "GrandstreamConnectionError",
    "GrandstreamCtiDisabledError",
    "GrandstreamError",
    "GrandstreamForbiddenError",
    "GrandstreamInvalidKeysError",
    "GrandstreamInvalidRequestError",
    "GrandstreamLockedError",
    "GrandstreamNotAuthorizedError",
    "GrandstreamRejectedError",
    "GrandstreamResponseError",
    "GrandstreamSessionExpiredError",
    "GrandstreamTimeoutError",
    "GrandstreamWebSession",
    "GrandstreamWrongPasswordError",
    "LineState",
    "LineStatus",
    "PhoneOperation",
    "PhoneState",
    "PhoneStatus",
    "WebLoginGeneration",
    "WebRole",
    "WebSessionInfo",
    "build_base_url",
    "digits",
    "normalize_key",
    "normalize_number",
    "number_to_keys",
    "parse_keys",
    "redact_text",
    "redact_url",
    "same_number",
]
