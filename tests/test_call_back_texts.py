"""The call-back item texts of every language (call_back_texts/*.json)."""

from __future__ import annotations

import json
from pathlib import Path
import re
import string

import pytest

from custom_components.grandstream import call_back_text
from custom_components.grandstream.call_back import CallBackItem
from custom_components.grandstream.plurals import categories, plural_category

TEXTS = Path(call_back_text.__file__).parent / "call_back_texts"
LANGUAGES = sorted(path.stem for path in TEXTS.glob("*.json"))
TRANSLATIONS = Path(call_back_text.__file__).parent / "translations"
COUNTS = (0, 1, 2, 5, 11, 21, 22, 25, 101)


def _load(language: str) -> dict[str, object]:
    data: dict[str, object] = json.loads(
        (TEXTS / f"{language}.json").read_text(encoding="utf-8")
    )
    return data


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_shipped_language_has_texts() -> None:
    """A language the integration ships has its call-back texts too."""
    shipped = {path.stem for path in TRANSLATIONS.glob("*.json")}
    assert set(LANGUAGES) == shipped


@pytest.mark.parametrize("language", LANGUAGES)
def test_same_keys_and_placeholders_as_english(language: str) -> None:
    """Every phrase of English, with the same placeholders."""
    english, other = _load("en"), _load(language)
    assert other.keys() == english.keys()
    for key, text in english.items():
        if isinstance(text, str):
            assert isinstance(other[key], str), key
            assert _placeholders(str(other[key])) == _placeholders(text), key
    assert isinstance(other["months"], list)
    assert len(other["months"]) == 12
    assert all(isinstance(m, str) and m for m in other["months"])


@pytest.mark.parametrize("language", LANGUAGES)
def test_plural_forms_are_the_languages_own(language: str) -> None:
    """Exactly the CLDR forms the language uses, each with the same placeholders."""
    forms = _load(language)["many_calls"]
    assert isinstance(forms, dict)
    assert set(forms) == categories(language)
    for text in forms.values():
        assert _placeholders(text) == {"count", "time", "date"}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("count", COUNTS)
def test_renders_for_every_count(language: str, count: int) -> None:
    """0, 1, 2, 5, 11, 21, 22, 25, 101 calls: a text, no placeholder left."""
    item = CallBackItem(
        uid="1",
        number="+4930123456",
        name="",
        times=[1_772_000_000.0 + 60 * i for i in range(min(count, 10))],
        count=count,
        line=1,
        account=2,
        account_label="Office",
    )
    text = call_back_text.description(item, language)
    assert "{" not in text
    assert text.startswith("+4930123456")
    if count > 1:
        assert str(count) in text.split("\n\n")[1]
    assert plural_category(language, count) in categories(language) | {"one"}


def test_russian_forms_follow_the_count() -> None:
    """1 and 21 one way, 2 and 22 another, 5, 11 and 25 a third."""
    forms = _load("ru")["many_calls"]
    assert isinstance(forms, dict)
    for count, form in ((21, "one"), (22, "few"), (25, "many"), (11, "many")):
        assert plural_category("ru", count) == form
        assert re.search(r"вызов\b" if form == "one" else "вызов", forms[form])


def test_unknown_language_reads_english() -> None:
    """A language we do not ship falls back to English; a region to its language."""
    assert call_back_text.phrases("xx")[0] == "en"
    assert call_back_text.phrases("de-CH")[0] == "de"
