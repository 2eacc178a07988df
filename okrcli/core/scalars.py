"""The YAML 1.2 core schema: what an unquoted scalar means, and which numbers okr takes.

Both YAML readers resolve scalars here instead of trusting either library's resolver
(PyYAML is YAML 1.1: `NO` is false and `010` is 8; ruamel reads `1_000` and dates), so a
value never depends on which reader happened to run. Command-line numbers use it too.
"""

from __future__ import annotations

import math
import re
from typing import Any, TypeGuard

MAX_NUMBER = 1e15

_INT10 = re.compile(r"[-+]?[0-9]+\Z")
_INT8 = re.compile(r"0o[0-7]+\Z")
_INT16 = re.compile(r"0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_INF = re.compile(r"[-+]?\.(?:inf|Inf|INF)\Z")
_NAN = re.compile(r"\.(?:nan|NaN|NAN)\Z")
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_TRUE = frozenset(("true", "True", "TRUE"))
_FALSE = frozenset(("false", "False", "FALSE"))
_MAYBE_TYPED = frozenset("0123456789+-.~nNtTfF")
_MAX_INT_DIGITS = 4000
_TOO_LONG_INT: int = int("1" + "0" * _MAX_INT_DIGITS)


def resolve_plain(text: str) -> Any:
    """The value of an unquoted scalar under the YAML 1.2 core schema."""
    if text and text[0] not in _MAYBE_TYPED:
        return text
    if text in _NULLS:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if _INT10.match(text):
        return _decimal_int(text)
    if _INT8.match(text):
        return int(text[2:], 8)
    if _INT16.match(text):
        return int(text[2:], 16)
    if _FLOAT.match(text):
        return float(text)
    if _INF.match(text):
        return -math.inf if text[0] == "-" else math.inf
    if _NAN.match(text):
        return math.nan
    return text


def _decimal_int(text: str) -> int:
    """int(text), except that a literal too long for Python's int() (over 4300 digits,
    leading zeros not counted) becomes 10**4000 with its sign: far out of range all the
    same, and no crash."""
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("+-").lstrip("0") or "0"
    if len(digits) > _MAX_INT_DIGITS:
        return sign * _TOO_LONG_INT
    return sign * int(digits, 10)


def is_number(value: object) -> TypeGuard[int | float]:
    """A finite YAML number within okr's range; bools are not numbers."""
    kind = type(value)  # exact types: bool is a subclass of int, and this runs ~10^5 times
    if kind is int:
        return -MAX_NUMBER <= value <= MAX_NUMBER  # type: ignore[operator]
    if kind is float:
        return math.isfinite(value) and abs(value) <= MAX_NUMBER  # type: ignore[arg-type]
    return False
