"""Whether a conversation spells a value: the proof that a missing_info case really leaves out what it withholds.

A case names the value a complete request would have given; no message may spell it in any of the ways people
write such a value. The check errs towards finding one, because a false alarm costs the writer a rewording while a
miss would let a request that gives the value pass for one that withholds it:
- a date (an ISO date, or an argument of format `date` or `date-time`): any date at all, since "tomorrow",
  "Friday", "3/12" and "March 3rd" each give one;
- a time of day (`HH:MM`, or format `time` or `date-time`): any time at all ("7pm", "19:00", "at seven", "noon");
- an argument with an `enum`: any of its members, since naming one gives the value;
- a number: its digits (with or without thousands separators), its words up to ninety-nine and round hundreds and
  thousands, and the idioms that count ("a couple", "a dozen", "two and a half");
- any other string: the whole value and each of its words of four characters or more (an email address only
  whole: "Marcus" does not give marcus.reed@example.com);
- an array or an object: each of its elements or member values.
Text is compared ignoring case, and the tokens of a spelling match across any punctuation or none ("le-bernardin",
"LeBernardin"; "2,500", "2500"). A boolean has no spelling ("public" gives `is_public`), so it is not a value that
can be withheld. Synonyms ("dollars" for USD) and values given by reference ("my usual table") are beyond a
mechanical check: a reviewer still reads the cases.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

# fmt: off
_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
         "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december"]
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
# fmt: on
_IDIOMS = {
    1: ["single", "alone", "solo", "just me"],
    2: ["couple", "pair", "both of us"],
    6: ["half a dozen"],
    12: ["dozen"],
    24: ["two dozen"],
}
"""Numbers said without being written: "a table for the two of us" is caught by "two", "a couple" only here."""


def _either(words: Iterable[str]) -> str:
    return "|".join(map(re.escape, words))


_ANY_DATE = re.compile(
    r"\d{4}-\d{1,2}-\d{1,2}|\b\d{1,2}/\d{1,2}\b|\b\d{1,2}\.\d{1,2}\.|\b\d{1,2}(?:st|nd|rd|th)\b"
    rf"|\b(?:{_either([*_MONTHS, *(m[:3] for m in _MONTHS), 'sept', *_WEEKDAYS, 'tues', 'thurs'])})\b"
    r"|\b(?:today|tonight|tomorrow|yesterday|weekend|(?:this|next) (?:week|month)|christmas|new year)\b"
    r"|\bin (?:a|an|\d+|[a-z]+) (?:days?|weeks?|months?)\b"
)
_ANY_TIME = re.compile(
    r"\b\d{1,2}:\d{2}\b|\b\d{1,2} ?(?:am|pm|a\.m\.|p\.m\.)|\b\d{1,2}h\d{0,2}\b"
    r"|\b(?:noon|midday|midnight|o'?clock|half past|quarter past|quarter to)\b"
    rf"|\bat (?:\d{{1,2}}|{_either(_ONES[1:13])})\b"
)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_CLOCK = re.compile(r"(?:\d{4}-\d{2}-\d{2}T)?\d{1,2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?")
_TOKEN = re.compile(r"[a-z0-9]+")


def _phrase(text: str) -> re.Pattern[str] | None:
    """A spelling as a pattern: its tokens in order, separated by any punctuation or none, never inside a word."""
    tokens = _TOKEN.findall(text.lower())
    if not tokens:
        return None
    return re.compile(rf"(?<![a-z0-9]){'[^a-z0-9]*'.join(map(re.escape, tokens))}(?![a-z0-9])")


def _number_words(n: int) -> list[str]:
    if n < 20:
        return [_ONES[n]]
    if n < 100:
        tens, ones = divmod(n, 10)
        return [_TENS[tens - 2] + (f" {_ONES[ones]}" if ones else "")]
    for unit, word in ((1000, "thousand"), (100, "hundred")):
        if n % unit == 0 and n < 100 * unit:
            return [*(f"{w} {word}" for w in _number_words(n // unit)), *([f"a {word}"] if n == unit else [])]
    return []


def _number_phrases(number: float) -> list[str]:
    size = abs(number)
    if float(size).is_integer():
        n = int(size)
        thousands = [f"{n // 1000}k"] if n and n % 1000 == 0 else []
        return [f"{n:,}", *_number_words(n), *_IDIOMS.get(n, []), *thousands]
    whole = int(size)
    halves = [f"{w} and a half" for w in (str(whole), *_number_words(whole))] if size % 1 == 0.5 else []
    return [f"{size:,}", *halves, *(["half"] if size == 0.5 else [])]


def _phrases(value: Any, whole: bool) -> list[str]:
    """What a request would write for a plain value: a number's forms; a string whole, and unless `whole` (an
    enum member: "living room", not "room"; an address) word by word too, four characters or more."""
    if isinstance(value, bool) or value is None:
        return []
    if isinstance(value, int | float):
        return _number_phrases(value)
    if not isinstance(value, str):
        return []
    if whole:
        return [value]
    return [value, *(token for token in _TOKEN.findall(value.lower()) if len(token) >= 4)]


def _part(schema: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """A subschema, or no constraint where there is none (JSON Schema also allows `true` as a schema)."""
    found = schema.get(key)
    return found if isinstance(found, dict) else {}


def looks_for(value: Any, schema: Mapping[str, Any]) -> list[re.Pattern[str]]:
    """Every pattern that would find `value` (of an argument with JSON Schema `schema`) in a message; empty when
    nothing can be looked for (a boolean, null, an empty array or object)."""
    if isinstance(value, list):
        return [p for item in value for p in looks_for(item, _part(schema, "items"))]
    if isinstance(value, dict):
        members = _part(schema, "properties")
        return [p for key, item in value.items() for p in looks_for(item, _part(members, key))]
    patterns: list[re.Pattern[str] | None] = []
    if isinstance(value, str):
        fmt = schema.get("format")
        if fmt in ("date", "date-time") or _ISO_DATE.match(value):
            patterns.append(_ANY_DATE)
        if fmt in ("time", "date-time") or _CLOCK.fullmatch(value):
            patterns.append(_ANY_TIME)
    if not patterns:
        whole = "enum" in schema or (isinstance(value, str) and "@" in value)  # "Marcus" is no address
        patterns += map(_phrase, _phrases(value, whole))
    if patterns:  # naming any member gives an enum argument its value
        patterns += (_phrase(p) for member in schema.get("enum", []) for p in _phrases(member, whole=True))
    return [p for p in patterns if p is not None]


def first_spelling(patterns: Sequence[re.Pattern[str]], texts: Sequence[str]) -> tuple[int, str] | None:
    """The first text (by index) that any pattern finds, with the words it found; None when none spells it."""
    for index, text in enumerate(texts):
        flat = " ".join(text.lower().replace("\u2019", "'").split())
        for pattern in patterns:
            found = pattern.search(flat)
            if found:
                return index, found.group(0)
    return None
