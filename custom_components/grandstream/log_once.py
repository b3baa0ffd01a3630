"""Logging what is worth knowing once per phone, not on every poll."""

from __future__ import annotations

import logging
from typing import Final

# More different things than this to log once is a phone gone mad: stay quiet.
MAX_KEYS: Final = 64


class LogOnce:
    """Logs a message the first time its key comes up, then stays quiet."""

    def __init__(self, logger: logging.Logger) -> None:
        """Log through ``logger``."""
        self._logger = logger
        self._logged: set[str] = set()

    def __call__(self, key: str, level: int, message: str, *args: object) -> None:
        """Log ``message`` unless ``key`` was logged before."""
        if key not in self._logged and len(self._logged) < MAX_KEYS:
            self._logged.add(key)
            self._logger.log(level, message, *args)
