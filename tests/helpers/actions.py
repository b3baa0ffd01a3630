"""What the integration's actions raise, as a test sees it on every Home Assistant."""

from __future__ import annotations

from homeassistant.exceptions import ServiceValidationError

from custom_components.grandstream.compat import vol


def input_error(err: BaseException) -> ServiceValidationError:
    """The translated input error an action raised, unwrapped where needed.

    On Home Assistant before 2026.10 our input error is also a schema error;
    raised inside a schema, voluptuous wraps it in ``MultipleInvalid``.
    """
    if isinstance(err, vol.MultipleInvalid):
        assert len(err.errors) == 1, err.errors
        err = err.errors[0]
    assert isinstance(err, ServiceValidationError), repr(err)
    return err
