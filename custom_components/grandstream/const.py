"""Constants of the Grandstream IP Phone integration."""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import Final

DOMAIN: Final = "grandstream"
LOGGER = logging.getLogger(__package__)

MANUFACTURER: Final = "Grandstream"
# Grandstream's MAC prefixes (docs/phone-protocol.md §9), as
# identity.normalize_mac writes them.
GRANDSTREAM_OUIS: Final = frozenset({"00:0b:82", "c0:74:ad", "ec:74:d7"})

CONF_PASSCODE: Final = "passcode"
# Learnt from the phone (its web session, or ``$product``/``$program_version``
# of its boot push).
CONF_MODEL: Final = "model"
CONF_FIRMWARE: Final = "firmware"

# Poll fast until push is proven to work (see push_health.py), slowly once it is.
FAST_POLL_INTERVAL: Final = timedelta(seconds=5)
SLOW_POLL_INTERVAL: Final = timedelta(seconds=60)
# Accounts change rarely (registration); fetch them every few minutes.
ACCOUNTS_REFRESH_INTERVAL: Final = timedelta(minutes=2)
REQUEST_TIMEOUT: Final = 10.0

# What Home Assistant keeps of a phone (call-back list, record) is written this
# long after a change, so a burst of calls costs one write.
STORAGE_SAVE_DELAY: Final = 10.0
# Earlier versions kept "a push arrived once" in the entry (phone_record.py
# takes it over).
CONF_PUSH_SEEN: Final = "push_seen"
# How to reach the phone, as chosen in the flow: detected, or forced.
CONF_CONNECTION: Final = "connection"
CONNECTION_AUTO: Final = "auto"
CONNECTION_HTTPS: Final = "https"
CONNECTION_HTTP: Final = "http"
# Zero-touch setup: whether Home Assistant set up the phone itself, the web
# account it used, the Home Assistant URL written into the phone, and the
# events whose slots something else used at the time.
CONF_PHONE_SET_UP: Final = "phone_set_up"
CONF_WEB_USERNAME: Final = "web_username"
CONF_PUSH_BASE_URL: Final = "push_base_url"
CONF_FOREIGN_SLOTS: Final = "foreign_slots"
# The phone refused to let its URLs follow Home Assistant's new address: its
# pushes go to the old one until the user sets it up again (kept across
# restarts so the refused login is not tried again, and the repair stays).
CONF_REWRITE_REFUSED: Final = "rewrite_refused"
# Version 1.3 made Do Not Disturb a switch: the old binary sensor's entity id,
# kept while automations or scripts still use it (replaced_entities.py).
CONF_REPLACED_DND_SENSOR: Final = "replaced_dnd_sensor"
# The call-back list's entity key: todo.py names the entity with it, the voice
# intents find the entity by it.
CALL_BACK_LIST_KEY: Final = "call_back"
# Do Not Disturb's entity key: the switch, and the binary sensor it replaced
# (both unique ids end in it, replaced_entities.py moves one to the other).
DND_KEY: Final = "do_not_disturb"
# Bus event fired for every call event, with the device id.
EVENT_CALL: Final = "grandstream_call"

# The languages of translations/ (Home Assistant's codes; tests check the list).
LANGUAGES: Final = frozenset(
    {
        *("cs", "da", "de", "en", "es", "fr", "it", "nb"),
        *("nl", "pl", "pt-BR", "ru", "sv", "uk", "zh-Hans"),
    }
)


def shipped_language(language: str) -> str:
    """The language we ship for ``language``, else the nearest, else English.

    Itself; its base ("de-CH" reads "de"); a variant of its base ("pt" reads
    "pt-BR", "zh-Hant" reads "zh-Hans"); English.
    """
    if language in LANGUAGES:
        return language
    base = language.split("-", maxsplit=1)[0].lower()
    if base in LANGUAGES:
        return base
    return next(
        (shipped for shipped in sorted(LANGUAGES) if shipped.split("-")[0] == base),
        "en",
    )
