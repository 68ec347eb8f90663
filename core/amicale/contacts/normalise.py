"""Turning what people type into what the database compares: accent-free search words,
international phone numbers, country codes."""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
import pycountry

_WORD = re.compile(r"[0-9a-z]+")


def fold(text: str | None) -> str:
    """Lower-case, accents removed: "Hélène Çelik" -> "helene celik"."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.replace("ß", "ss").replace("œ", "oe").replace("æ", "ae").lower()


def search_words(*texts: str | None) -> set[str]:
    words: set[str] = set()
    for text in texts:
        words.update(w[:100] for w in _WORD.findall(fold(text)))
    return words


def prefix_upper_bound(prefix: str) -> str:
    """The smallest string greater than every string starting with ``prefix`` (for ranges)."""
    return prefix + "\uffff"


class PhoneError(ValueError):
    pass


def normalise_phone(raw: str, default_region: str) -> tuple[str, str]:
    """(shown, E.164) for a phone number; raises PhoneError when it is not a possible number."""
    try:
        number = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException as exc:
        raise PhoneError(str(exc)) from exc
    if not phonenumbers.is_possible_number(number) or not phonenumbers.is_valid_number(number):
        raise PhoneError("not a valid phone number")
    shown = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return shown, phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_search_prefix(query: str, default_region: str) -> str | None:
    """The E.164 prefix that a partly typed number stands for, or None if it is no number."""
    digits = re.sub(r"[^\d+]", "", query)
    if len(re.sub(r"\D", "", digits)) < 3:
        return None
    if digits.startswith("+"):
        return "+" + re.sub(r"\D", "", digits)
    if digits.startswith("00"):
        return "+" + digits[2:]
    code = phonenumbers.country_code_for_region(default_region) or 0
    if digits.startswith("0"):
        return f"+{code}{digits[1:]}"
    return f"+{code}{digits}"


def is_country_code(code: str | None) -> bool:
    return (
        bool(code) and len(code) == 2 and pycountry.countries.get(alpha_2=code.upper()) is not None
    )


def country_name(code: str | None, locale: str = "fr") -> str:
    if not code:
        return ""
    from babel import Locale

    try:
        return Locale.parse(locale).territories.get(code.upper(), code)
    except Exception:  # an unknown locale: the code is still meaningful
        return code
