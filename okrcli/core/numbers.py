"""Numbers as people write them: shortest exact form in, shortest exact form out."""

from __future__ import annotations

import math

from okrcli.core.scalars import MAX_NUMBER, is_number, resolve_plain

MAX_NUMBER_TEXT = f"{MAX_NUMBER:.0e}".replace("+", "")  # "1e15"


def format_number(value: object) -> str:
    """`70` not `70.0`, `7.4` not `7.3999999`: repr is Python's shortest round-trip form."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, float) and value.is_integer() and abs(value) <= 1e15:
        return str(int(value))
    text = repr(value)
    if "e" in text:
        # 1e-07 is a number in YAML 1.2 but text to YAML 1.1 readers; 0.0000001 is both.
        from decimal import Decimal

        text = format(Decimal(text), "f")
    return text


def parse_number(text: str) -> int | float | None:
    """A number written on the command line, read by the same rules as the files."""
    value = resolve_plain(text.strip())
    return value if is_number(value) else None


def over_the_limit(text: str) -> bool:
    """Written as a number, but beyond the ±1e15 okr takes (`1e16`, `7e400`, `.inf`)."""
    value = resolve_plain(text.strip())
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return not is_number(value) and not (isinstance(value, float) and math.isnan(value))


def round_half(value: float, digits: int = 4) -> float:
    """Rounded for output; -0.0 never shows."""
    return round(value, digits) + 0.0
