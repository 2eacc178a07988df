"""User text made safe to show: nothing a title or a note holds can restyle a terminal."""

from __future__ import annotations

import re

from okrcli.core.numbers import format_number

# Characters that must never reach a terminal from user text: C0/C1 controls (tab and
# newline are flattened instead), bidi overrides and isolates, zero-width marks, BOM.
_UNSAFE_TO_SHOW = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]"
)


def printable(text: str) -> str:
    """Text safe to print on one line: unsafe characters removed, line breaks flattened."""
    flat = text.replace("\r\n", " ").replace("\n", " ").replace("\t", " ")
    return _UNSAFE_TO_SHOW.sub("", flat)


def inert(text: object) -> str:
    """User text with control, bidi and zero-width characters removed, newlines flattened."""
    return printable(str(text))


def percent(value: float | None) -> str:
    return "" if value is None else f"{round(value * 100):d}%"


def value_text(value: object, unit: str | None, missing: str = "") -> str:
    """A KR value as people read it: `68 %`, `done`, `not done`, or `missing`."""
    if value is None:
        return missing
    if isinstance(value, bool):
        return "done" if value else "not done"
    text = format_number(value)
    return f"{text} {inert(unit)}" if unit else text
