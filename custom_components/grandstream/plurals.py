"""CLDR plural categories of whole numbers, for the languages we ship.

The call-back list counts missed calls ("3 missed calls"); languages differ
in how many forms such a phrase has and which number takes which: Russian
says 1, 21 and 101 one way, 2-4 and 22-24 another, 5-20 and 25 a third.
The rules below are the Unicode CLDR cardinal plural rules (version 46)
restricted to whole numbers (``i`` = n, ``v`` = 0), for every language of
``translations/``; a language not listed has one form ("other").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

ONE: Final = "one"
FEW: Final = "few"
MANY: Final = "many"
OTHER: Final = "other"


def _one_if_1(n: int) -> str:
    return ONE if n == 1 else OTHER


def _romance(n: int) -> str:
    # es, it: one for 1; "many" for whole millions (1 000 000 missed calls).
    if n == 1:
        return ONE
    return MANY if n != 0 and n % 1_000_000 == 0 else OTHER


def _french(n: int) -> str:
    # fr, pt (Brazil): 0 and 1 take the singular.
    if n in (0, 1):
        return ONE
    return MANY if n % 1_000_000 == 0 else OTHER


def _east_slavic(n: int) -> str:
    # ru, uk
    if n % 10 == 1 and n % 100 != 11:
        return ONE
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return FEW
    return MANY


def _polish(n: int) -> str:
    if n == 1:
        return ONE
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return FEW
    return MANY


def _czech(n: int) -> str:
    # "many" is for fractions only in Czech.
    if n == 1:
        return ONE
    return FEW if 2 <= n <= 4 else OTHER


def _no_plural(_n: int) -> str:
    return OTHER


RULES: Final[dict[str, Callable[[int], str]]] = {
    "cs": _czech,
    "da": _one_if_1,
    "de": _one_if_1,
    "en": _one_if_1,
    "es": _romance,
    "fr": _french,
    "it": _romance,
    "nb": _one_if_1,
    "nl": _one_if_1,
    "pl": _polish,
    "pt": _french,
    "ru": _east_slavic,
    "sv": _one_if_1,
    "uk": _east_slavic,
    "zh": _no_plural,
}
# What each rule can answer for whole numbers: the forms a language must have.
CATEGORIES: Final[dict[str, frozenset[str]]] = {
    "cs": frozenset({ONE, FEW, OTHER}),
    "es": frozenset({ONE, MANY, OTHER}),
    "fr": frozenset({ONE, MANY, OTHER}),
    "it": frozenset({ONE, MANY, OTHER}),
    "pl": frozenset({ONE, FEW, MANY}),
    "pt": frozenset({ONE, MANY, OTHER}),
    "ru": frozenset({ONE, FEW, MANY}),
    "uk": frozenset({ONE, FEW, MANY}),
    "zh": frozenset({OTHER}),
}


def plural_category(language: str, count: int) -> str:
    """The CLDR category of ``count`` in ``language`` ("pt-BR" follows "pt")."""
    rule = RULES.get(language.split("-", maxsplit=1)[0].lower(), _no_plural)
    return rule(abs(count))


def categories(language: str) -> frozenset[str]:
    """The forms a phrase with a count needs in ``language``."""
    base = language.split("-", maxsplit=1)[0].lower()
    return CATEGORIES.get(
        base, frozenset({ONE, OTHER}) if base in RULES else frozenset({OTHER})
    )
