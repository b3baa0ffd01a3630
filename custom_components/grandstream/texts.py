"""Texts Home Assistant puts together itself, in its configured language.

The frontend translates a dialog's title and description, but fills their
placeholders with whatever the integration gives, untranslated. Some of what
the user reads depends on what happened: which of the phone's events a setup
left alone, what a call in the logbook was and how long it took. Those parts
are composed here from the integration's own translations (keys of the
``common`` section of strings.json, the one section hassfest lets an
integration fill with its own texts: flat slugs, ``setup.foreign`` is
``setup_foreign``), in Home Assistant's language, the only one a backend
knows (the logbook and repairs have no user at hand either).

The section is loaded when the integration is (and again when the language
changes), so the synchronous users (logbook, repairs) read it from Home
Assistant's translation cache. A key missing there falls back to English,
never to the raw key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

from homeassistant.const import EVENT_CORE_CONFIG_UPDATE
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.helpers.translation import (
    async_get_cached_translations,
    async_get_translations,
)

from .const import DOMAIN, LOGGER, shipped_language

CATEGORY: Final = "common"
_PREFIX: Final = f"component.{DOMAIN}.{CATEGORY}."
FALLBACK_LANGUAGE: Final = "en"


async def async_load(hass: HomeAssistant) -> None:
    """Make the texts of Home Assistant's language (and English) available."""
    for language in {shipped_language(hass.config.language), FALLBACK_LANGUAGE}:
        await async_get_translations(hass, language, CATEGORY, [DOMAIN])


@callback
def async_follow_language(hass: HomeAssistant) -> CALLBACK_TYPE:
    """Load the texts of a language chosen while Home Assistant runs."""

    async def changed(_event: Event) -> None:
        await async_load(hass)

    return hass.bus.async_listen(EVENT_CORE_CONFIG_UPDATE, changed)


class Phrases:
    """The texts in one language, with English behind it."""

    def __init__(self, texts: Mapping[str, str], fallback: Mapping[str, str]) -> None:
        """Keep both languages (flattened keys as Home Assistant caches them)."""
        self._texts = texts
        self._fallback = fallback

    def text(self, key: str, **placeholders: str) -> str:
        """The text at ``key`` (``setup.foreign``) with its placeholders filled."""
        slug = _PREFIX + key.replace(".", "_")
        template = self._texts.get(slug) or self._fallback.get(slug)
        if template is None:
            # Only if the translations could not be loaded at all.
            LOGGER.warning("No text %s in the integration's translations", key)
            return " ".join(placeholders.values())
        # Every language has English's placeholders (tests/test_translations.py).
        return template.format(**placeholders)

    def event(self, event: str) -> str:
        """The name of one of the phone's Action URL events (``incoming``)."""
        return self.text(f"events.{event}")

    def events(self, events: Iterable[str]) -> str:
        """Event names as a list in running text."""
        return ", ".join(self.event(event) for event in events)

    def duration(self, seconds: float) -> str:
        """``3 min 12 s``, ``1 h 5 min``, ``45 s``."""
        total = max(0, round(seconds))
        hours, rest = divmod(total, 3600)
        minutes, secs = divmod(rest, 60)
        if hours:
            parts = [self.text("duration.hours", hours=str(hours))]
            if minutes:
                parts.append(self.text("duration.minutes", minutes=str(minutes)))
        elif minutes:
            parts = [self.text("duration.minutes", minutes=str(minutes))]
            if secs:
                parts.append(self.text("duration.seconds", seconds=str(secs)))
        else:
            parts = [self.text("duration.seconds", seconds=str(secs))]
        return " ".join(parts)


@callback
def phrases(hass: HomeAssistant) -> Phrases:
    """The texts in Home Assistant's language, as loaded by :func:`async_load`."""
    return Phrases(
        async_get_cached_translations(
            hass, shipped_language(hass.config.language), CATEGORY, DOMAIN
        ),
        async_get_cached_translations(hass, FALLBACK_LANGUAGE, CATEGORY, DOMAIN),
    )


async def async_phrases(hass: HomeAssistant) -> Phrases:
    """:func:`phrases`, loading them first if needed (flows)."""
    await async_load(hass)
    return phrases(hass)
