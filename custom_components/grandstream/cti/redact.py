"""Keep secrets out of messages."""

from __future__ import annotations

import re

# Parameters that carry the phone's web password. ``password`` is what older
# firmware expects for api-make_call, so both are sent and both are hidden.
_SECRET_PARAMS = re.compile(r"(?i)\b(passcode|password)=[^&#\s]*")


def redact_url(url: str) -> str:
    """Return ``url`` with every passcode value replaced by ``***``."""
    return _SECRET_PARAMS.sub(r"\1=***", url)


def redact_text(text: str, secret: str) -> str:
    """Return ``text`` with ``secret`` and any passcode parameter hidden."""
    text = redact_url(text)
    if secret:
        text = text.replace(secret, "***")
    return text
