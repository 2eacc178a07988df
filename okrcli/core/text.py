"""User text made safe to show: nothing a title or a note holds can restyle a terminal."""

from __future__ import annotations

import re

# Characters that must never reach a terminal from user text: C0/C1 controls (tab and
# newline are flattened instead), bidi overrides and isolates, zero-width marks, BOM.
_UNSAFE_TO_SHOW = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]"
)


def printable(text: str) -> str:
    """Text safe to print on one line: unsafe characters removed, line breaks flattened."""
    flat = text.replace("\r\n", " ").replace("\n", " ").replace("\t", " ")
    return _UNSAFE_TO_SHOW.sub("", flat)
