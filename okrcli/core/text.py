"""User text made safe to show: nothing a title or a note holds can restyle a terminal."""

from __future__ import annotations

import functools
import re
import unicodedata

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


def display_width(text: str) -> int:
    """Terminal columns: CJK wide characters take two, combining marks none."""
    if text.isascii():
        return len(text)
    return sum(map(_char_width, text))


@functools.cache
def _char_width(ch: str) -> int:
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


# No line may start with closing punctuation or end with an opening bracket (the CJK
# line-breaking rules, kinsoku), so each is glued to its neighbour before packing lines.
_CLOSING = frozenset("，。、,.;；：:)）]】」』》〉!！?？…")
_OPENING = frozenset("(（[【「『《〈")


def _units(text: str) -> list[str]:
    """Pieces a line may break between: a word, a space, one CJK character (with any
    closing punctuation after it and any opening bracket before it)."""
    units: list[str] = []
    for ch in text:
        last = units[-1][-1] if units else " "
        joins = (
            last != " "
            and ch != " "
            and (
                ch in _CLOSING
                or last in _OPENING
                or (_char_width(ch) < 2 and _char_width(last) < 2)
            )
        )
        if joins:
            units[-1] += ch
        else:
            units.append(ch)
    return units


def _fold(unit: str, width: int) -> list[str]:
    """A piece wider than the line, cut at the width (at least one character a line)."""
    pieces: list[str] = []
    piece, used = "", 0
    for ch in unit:
        w = _char_width(ch)
        if piece and used + w > width:
            pieces.append(piece)
            piece, used = "", 0
        piece += ch
        used += w
    return [*pieces, piece] if piece else pieces


def wrap(text: str, width: int, first: int | None = None) -> list[str]:
    """Lines of at most `width` columns (the first line `first`, when given), broken between
    words and between CJK characters but never before closing punctuation or after an
    opening bracket; nothing is dropped but the spaces a line breaks at."""
    width = max(width, 2)
    lines: list[str] = []
    line, used = "", 0
    limit = width if first is None else max(first, 2)
    for unit in _units(printable(text)):
        if lines:
            limit = width
        if unit == " ":
            if line:
                line, used = line + " ", used + 1
            continue
        size = display_width(unit)
        if used + size <= limit:
            line, used = line + unit, used + size
            continue
        if line.strip() or first is not None:
            lines.append(line.rstrip())
        *full, unit = _fold(unit, width)
        lines.extend(full)
        line, used = unit, display_width(unit)
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return lines
