"""Client for the CTI HTTP interface of Grandstream IP desk phones.

Independent of Home Assistant (no ``homeassistant`` import): the same source is
the integration's client and the ``grandstream-cti`` library (import name
``grandstream_cti``), built from this folder by the repository's pyproject.toml.
"""

from .action_url_slots import (
    ACTION_URL_SLOTS,
    DEFAULT_EVENTS,
    MAX_ACTION_URL_LENGTH,
    ActionUrlReport,
    action_url,
    action_urls_for,
    clear_action_urls,
    is_own_action_url,
    read_action_urls,
    write_action_urls,
)
from .answer_log import AnswerLog, UnknownValue
from .capture import (
    Capture,
    CapturedAnswer,
    CapturedPush,
    CaptureFormatError,
    CaptureManifest,
    capture_in,
    capture_of,
    load_capture,
)
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
    GrandstreamCertificateError,
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
from .redact import Redactor, redact_text, redact_url
from .redact_answers import redact_answer
from .retry_guard import command_retry_guard, has_command_retry_guard
from .scheme import DEFAULT_DETECT_TIMEOUT, DetectedScheme, detect_scheme
from .web import GrandstreamWebSession
from .web_models import WebLoginGeneration, WebRole, WebSessionInfo

# The library's version, in this one place: manifest.json's "version" equals it
# (a test checks) and a release writes its tag into both.
__version__ = "0.2.0"

__all__ = [
    "ACTION_URL_SLOTS",
    "DEFAULT_DETECT_TIMEOUT",
    "DEFAULT_EVENTS",
    "DEFAULT_KEY_INTERVAL",
    "DEFAULT_TIMEOUT",
    "MAX_ACTION_URL_LENGTH",
    "MAX_KEYS",
    "MAX_NUMBER_LENGTH",
    "Account",
    "ActionUrlReport",
    "AnswerLog",
    "Capture",
    "CaptureFormatError",
    "CaptureManifest",
    "CapturedAnswer",
    "CapturedPush",
    "DetectedScheme",
    "DialMethod",
    "GrandstreamAccountNotAllowedError",
    "GrandstreamAuthenticationError",
    "GrandstreamBusyError",
    "GrandstreamCertificateError",
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
    "Redactor",
    "UnknownValue",
    "WebLoginGeneration",
    "WebRole",
    "WebSessionInfo",
    "__version__",
    "account_base",
    "account_number",
    "action_url",
    "action_urls_for",
    "build_base_url",
    "capture_in",
    "capture_of",
    "clear_action_urls",
    "command_retry_guard",
    "detect_scheme",
    "digits",
    "has_command_retry_guard",
    "is_own_action_url",
    "key_sequence_hold",
    "load_capture",
    "normalize_key",
    "normalize_number",
    "number_kind",
    "number_to_keys",
    "parse_keys",
    "read_action_urls",
    "redact_answer",
    "redact_text",
    "redact_url",
    "same_party",
    "write_action_urls",
]
