"""What the voice intents say, in the language they were asked in.

The sentences live in the integration's translations (keys ``voice_*`` of
the section ``common`` of strings.json and translations/*.json), so they are translated like every
other text; failures of the phone are spoken with the same messages the
actions raise (section ``exceptions``). A regional variant we do not ship
speaks its base language ("de-CH" speaks "de"; "pt-BR" and "zh-Hans" are
shipped as such); a language we do not have speaks English.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Final

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.translation import async_get_translations
from homeassistant.util import dt as dt_util

from .call_back import CallBackItem
from .const import DOMAIN, shipped_language

_COMMON: Final = f"component.{DOMAIN}.common."
_EXCEPTIONS: Final = f"component.{DOMAIN}.exceptions."


class Speech:
    """The sentences of one language."""

    def __init__(
        self, common: Mapping[str, str], exceptions: Mapping[str, str]
    ) -> None:
        """The sections ``common`` and ``exceptions`` as Home Assistant caches them.

        Keys stay flattened (``component.grandstream.common.voice_nobody``):
        the cache's own dictionaries, looked up, never copied per intent.
        """
        self._common = common
        self._exceptions = exceptions

    @classmethod
    async def async_load(cls, hass: HomeAssistant, language: str) -> Speech:
        """The sentences of ``language`` (English where we have none)."""
        shipped = shipped_language(language)
        common = await async_get_translations(hass, shipped, "common", [DOMAIN])
        exceptions = await async_get_translations(hass, shipped, "exceptions", [DOMAIN])
        return cls(common, exceptions)

    def say(self, key: str, **placeholders: str) -> str:
        """The sentence ``voice_<key>`` with its placeholders filled in."""
        return self._common.get(f"{_COMMON}voice_{key}", key).format(**placeholders)

    def error(self, err: HomeAssistantError) -> str:
        """What went wrong, as the action would have said it (in this language)."""
        template = (
            self._exceptions.get(f"{_EXCEPTIONS}{err.translation_key}.message")
            if err.translation_domain == DOMAIN and err.translation_key
            else None
        )
        if template is None:
            return str(err)
        try:
            return template.format(**(err.translation_placeholders or {}))
        except (KeyError, IndexError, ValueError):
            return str(err)

    def caller(self, item: CallBackItem) -> str:
        """Who called: the name the user gave, the caller's name, or the number."""
        for text in (item.own_summary, item.name, item.number):
            if text and text.strip():
                return text.strip()
        return self.say("unknown_caller")

    def when(self, timestamp: float, now: datetime | None = None) -> str:
        """When, said the short way: today, yesterday, or the date."""
        now = now or dt_util.now()
        moment = dt_util.as_local(dt_util.utc_from_timestamp(timestamp))
        time = moment.strftime("%H:%M")
        if moment.date() == now.date():
            return self.say("when_today", time=time)
        if moment.date() == (now - timedelta(days=1)).date():
            return self.say("when_yesterday", time=time)
        date = self.say(
            "date", day=str(moment.day), month=self.say(f"month_{moment.month}")
        )
        return self.say("when_date", date=date, time=time)

    def item(self, item: CallBackItem) -> str:
        """One caller on the call-back list: who, how often, when last."""
        when = self.when(item.last_call) if item.times else ""
        if item.count > 1:
            return self.say(
                "caller_repeatedly",
                caller=self.caller(item),
                count=str(item.count),
                when=when,
            )
        return self.say("caller_once", caller=self.caller(item), when=when)
