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
    MAX_NUMBER_LENGTH,
    GrandstreamInvalidKeysError,
    key_sequence_hold,
    normalize_key,
    normalize_number,
    number_to_keys,
    parse_keys,
)
from .models import (
    Account,
    LineState,
    LineStatus,
    PhoneState,
    PhoneStatus,
    account_base,
    account_number,
)
from .numbers import NumberKind, digits, number_kind, same_party
from .redact import redact_text, redact_url
from .retry_guard import command_retry_guard, has_command_retry_guard
from .scheme import DEFAULT_DETECT_TIMEOUT, DetectedScheme, detect_scheme
from .web import GrandstreamWebSession
from .web_models import WebLoginGeneration, WebRole, WebSessionInfo

__all__ = [
    "DEFAULT_DETECT_TIMEOUT",
    "DEFAULT_KEY_INTERVAL",
    "DEFAULT_TIMEOUT",
    "MAX_KEYS",
    "MAX_NUMBER_LENGTH",
    "Account",
    "DetectedScheme",
    "DialMethod",
    "GrandstreamAccountNotAllowedError",
    "GrandstreamAuthenticationError",
    "GrandstreamBusyError",
    "GrandstreamClient",
    "GrandstreamConnectionDroppedError",
    "GrandstreamConnectionError",
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
    "NumberKind",
    "PhoneOperation",
    "PhoneState",
    "PhoneStatus",
    "WebLoginGeneration",
    "WebRole",
    "WebSessionInfo",
    "account_base",
    "account_number",
    "build_base_url",
    "command_retry_guard",
    "detect_scheme",
    "digits",
    "has_command_retry_guard",
    "key_sequence_hold",
    "normalize_key",
    "normalize_number",
    "number_kind",
    "number_to_keys",
    "parse_keys",
    "redact_text",
    "redact_url",
    "same_party",
]
