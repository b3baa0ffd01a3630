"""Constants of the Grandstream IP Phone integration."""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import Final

DOMAIN: Final = "grandstream"
LOGGER = logging.getLogger(__package__)

MANUFACTURER: Final = "Grandstream"

CONF_PASSCODE: Final = "passcode"
# Learnt from the phone's Action URL (``$product``, ``$program_version``).
CONF_MODEL: Final = "model"
CONF_FIRMWARE: Final = "firmware"

# Poll fast until push is proven to work (see push.py), slowly once it is.
FAST_POLL_INTERVAL: Final = timedelta(seconds=5)
SLOW_POLL_INTERVAL: Final = timedelta(seconds=60)
# Accounts change rarely (registration); fetch them every few minutes.
ACCOUNTS_REFRESH_INTERVAL: Final = timedelta(minutes=2)
REQUEST_TIMEOUT: Final = 10.0

# Set once the phone's first push arrived; survives restarts.
CONF_PUSH_SEEN: Final = "push_seen"
# Bus event fired for every call event, with the device id.
EVENT_CALL: Final = "grandstream_call"
# Dispatcher signal (with the entry id) that resets the missed-call counter.
SIGNAL_RESET_MISSED: Final = "grandstream_reset_missed_{}"
