"""The proof of an edit that only swapped one-token numbers and booleans, without a parse.

A sync writes a new `current:` (or `done:`) into every KR of fifty files; reading each
edited file back in full to prove it costs more than the edit. When the new text differs
from the old only inside lines where the reader found one of the edited values, and on
each such line only a plain number or boolean token became another one (the rest of the
line, a comment aside from its blanks, as it was), the YAML structure cannot have moved: a
plain scalar made of digits, `.`, `-` or the letters of `true`/`false` starts no indicator
and ends where it ends. The text then reads as the old data with those values swapped,
which the caller expected; anything else is left to the full proof (writer._prove).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import compress
from operator import ne
from typing import Any

from okrcli.core.findings import Path
from okrcli.core.scalars import resolve_plain
from okrcli.files.yamlsource import Position

# Tokens every YAML reader (1.1 and 1.2) reads alike: no leading zeros, no exponent.
_TOKEN = re.compile(r"(?:-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?|true|false)(?=[ \t\r]|\Z)")


def swapped_tokens(
    original: str,
    text: str,
    positions: dict[Path, Position],
    fields: Iterable[Path],
    old_data: Any,
    new_data: Any,
) -> bool:
    """Whether `text` is `original` with only the one-token values at `fields` (paths into
    the data, as `positions` has them) swapped: what `old_data` held there for what
    `new_data` holds. (An old token that does not read as the old value is not the whole
    value: a plain scalar continued on the next line. Then the answer is no.)"""
    if original.count("\r") != original.count("\r\n"):
        return False  # a lone \r ends a line for the reader, not for str.split
    old_lines, new_lines = original.split("\n"), text.split("\n")
    if len(old_lines) != len(new_lines):
        return False
    at: dict[int, tuple[int, Path]] = {}  # line index -> (value's string index, field path)
    for path in fields:
        position = positions.get(path)
        if position is None:
            return False
        key_line, _, value_line, value_col = position
        if value_line != key_line or at.get(value_line - 1, (0, path))[1] != path:
            return False
        at[value_line - 1] = (value_col - 1, path)
    if any(n not in at for n in compress(range(len(new_lines)), map(ne, old_lines, new_lines))):
        return False
    for number, (column, path) in at.items():
        old_line, new_line = old_lines[number], new_lines[number]
        if old_line == new_line:  # the value the caller expects there is the one it had
            if not _identical(_lookup(old_data, path), _lookup(new_data, path)):
                return False
            continue
        if old_line[:column] != new_line[:column]:
            return False
        old, new = _TOKEN.match(old_line, column), _TOKEN.match(new_line, column)
        if old is None or new is None:
            return False
        if not (_rest_fits(old_line[old.end() :], new_line[new.end() :])):
            return False
        if not _identical(resolve_plain(old.group()), _lookup(old_data, path)):
            return False
        if not _identical(resolve_plain(new.group()), _lookup(new_data, path)):
            return False
    return True


def _rest_fits(old: str, new: str) -> bool:
    """What follows the token: the same blanks-and-comment or nothing (the blanks before a
    comment may differ: it keeps its column)."""
    old_rest, new_rest = old.lstrip(" \t"), new.lstrip(" \t")
    if old_rest != new_rest or (old_rest not in ("", "\r") and not old_rest.startswith("#")):
        return False
    return not old_rest.startswith("#") or (old[:1] in (" ", "\t") and new[:1] in (" ", "\t"))


def _identical(a: Any, b: Any) -> bool:
    return type(a) is type(b) and bool(a == b)


def _lookup(data: Any, path: Path) -> Any:
    for step in path:
        data = data[step]
    return data
