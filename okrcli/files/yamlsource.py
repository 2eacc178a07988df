"""Reading YAML safely: what both readers share, and the guards every text passes first.

Two readers share these rules (and `core.scalars` for what a scalar means):

* `yaml_fast.load_fast` uses libyaml through PyYAML's C parser and keeps no positions. It
  is the bulk path for hundreds of files. It declines (raises `NeedsStrictReader`) whenever
  a file contains anything unusual, so it never has to explain a problem.
* `yaml_strict.load_positioned` keeps the 1-based position of every key and value: from
  libyaml's marks for clean text, else from ruamel.yaml's event stream, which turns every
  problem into a positioned `YamlProblem` (with a hint from `yaml_hints`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from okrcli.core.findings import Path

MAX_DEPTH = 64
MAX_BYTES = 16 * 1024 * 1024

# (key line, key col, value line, value col), 1-based; a sequence item has key == value.
Position = tuple[int, int, int, int]


class YamlProblem(Exception):
    """A file that cannot be read as okr's YAML subset; positioned, 1-based."""

    def __init__(self, code: str, line: int, col: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.line = line
        self.col = col
        self.message = message


class NeedsStrictReader(Exception):
    """The fast reader declines this text; the strict reader will explain or accept it."""


@dataclass(slots=True)
class Positioned:
    data: Any
    positions: dict[Path, Position] = field(default_factory=dict)
    duplicates: list[YamlProblem] = field(default_factory=list)  # E002, the rest still read

    def key_position(self, path: Path) -> tuple[int, int]:
        line, col, _, _ = self._nearest(path)
        return line, col

    def value_position(self, path: Path) -> tuple[int, int]:
        _, _, line, col = self._nearest(path)
        return line, col

    def _nearest(self, path: Path) -> Position:
        """The position of `path`, or of its closest ancestor that exists in the file."""
        while path and path not in self.positions:
            path = path[:-1]
        return self.positions.get(path, (1, 1, 1, 1))


# --- text guards -------------------------------------------------------------------------

BOM = "\ufeff"
# YAML's printable set, less U+FEFF (a BOM is fine only as the file's first character) and
# the YAML 1.1 line breaks U+0085, U+2028, U+2029, which parsers disagree about.
# Written as the complement of the printable set: a negated class over all of Unicode
# costs ~9 ms to compile on every start.
NON_PRINTABLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]"
)
_CONFLICT_MARKER = re.compile(r"^(?:<{7}|>{7}|\|{7})(?: |\r?$)|^={7}\r?$", re.MULTILINE)
_TAB_INDENT = re.compile(r"^ *\t", re.MULTILINE)
_MARKER_HINTS = re.compile(r"<<<<<<<|>>>>>>>|=======|\|\|\|\|\|\|\|")


def line_col(text: str, index: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


def decode(raw: bytes) -> str:
    """UTF-8 bytes to text, refusing what okr does not read (all E001)."""
    if len(raw) > MAX_BYTES:
        raise YamlProblem("E001", 1, 1, f"file is larger than {MAX_BYTES // (1024 * 1024)} MiB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        prefix = raw[: exc.start]
        line = prefix.count(b"\n") + 1
        col = len(prefix[prefix.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        raise YamlProblem(
            "E001", line, col, "file is not valid UTF-8; save it with UTF-8 encoding"
        ) from None
    if text.startswith(BOM):
        text = text[1:]
    check_text(text)
    return text


def check_text(text: str) -> None:
    """Guards that hold for any text okr reads, before a parser sees it."""
    bad = NON_PRINTABLE.search(text)
    if bad:
        line, col = line_col(text, bad.start())
        raise YamlProblem(
            "E001",
            line,
            col,
            f"non-printable character U+{ord(bad.group()):04X}; remove it",
        )
    # `in` scans at memchr speed; the regexes run only when a marker or a tab may be there.
    marker = _CONFLICT_MARKER.search(text) if _MARKER_HINTS.search(text) else None
    if marker:
        line, col = line_col(text, marker.start())
        raise YamlProblem(
            "E001", line, col, "merge conflict marker; resolve the conflict and remove the markers"
        )
    tab = _TAB_INDENT.search(text) if "\t" in text else None
    if tab:
        line, col = line_col(text, tab.end() - 1)
        raise YamlProblem("E001", line, col, "tab character in indentation; indent with spaces")
