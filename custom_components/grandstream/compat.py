"""What differs between the Home Assistant versions we support (2025.4 onwards).

Schemas: Home Assistant 2026 validates with probatio, voluptuous'
API-compatible successor, and its type hints only accept probatio's classes.
Our schemas must be built with the library Home Assistant itself uses,
because they are mixed with its own (``cv``, ``DEVICE_TRIGGER_BASE_SCHEMA``).
Home Assistant 2026 needs Python 3.14, so the Python version tells the type
checker which library to expect; at run time we ask Home Assistant's config
validation.

Bad input to an action: the REST API answers ``ServiceValidationError`` with
HTTP 400 and its message in 2026.10 (checked), but with HTTP 500 and a
traceback in the log in 2025.4 (checked) and still in 2026.7 (reported); it
has always answered a schema error (``Invalid``) with 400. So before 2026.10
the error we raise for bad input is both.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from homeassistant.const import MAJOR_VERSION, MINOR_VERSION
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv

if sys.version_info >= (3, 14):
    if hasattr(cv, "probatio"):
        import probatio as vol
    else:  # a 2026 release from before the switch
        import voluptuous as vol  # type: ignore[no-redef]
else:
    import voluptuous as vol

# What a repair's fix flow step returns: its own type since 2026.
if TYPE_CHECKING and sys.version_info >= (3, 14):
    from homeassistant.components.repairs import RepairsFlowResult as RepairsStepResult
else:
    from homeassistant.data_entry_flow import FlowResult as RepairsStepResult

# Whether the REST API turns ServiceValidationError into a 400 by itself.
REST_REPORTS_VALIDATION_ERRORS = (MAJOR_VERSION, MINOR_VERSION) >= (2026, 10)


class _ValidationAndSchemaError(ServiceValidationError, vol.Invalid):
    """A translated validation error that older REST APIs answer with 400."""

    def __init__(
        self,
        *,
        translation_domain: str,
        translation_key: str,
        translation_placeholders: dict[str, str] | None = None,
    ) -> None:
        ServiceValidationError.__init__(
            self,
            translation_domain=translation_domain,
            translation_key=translation_key,
            translation_placeholders=translation_placeholders,
        )
        vol.Invalid.__init__(self, translation_key)

    def __str__(self) -> str:
        return ServiceValidationError.__str__(self)


InputError: type[ServiceValidationError] = (
    ServiceValidationError
    if REST_REPORTS_VALIDATION_ERRORS
    else _ValidationAndSchemaError
)

__all__ = ["REST_REPORTS_VALIDATION_ERRORS", "InputError", "RepairsStepResult", "vol"]
