"""Reading YAML safely: bytes in, plain data (and positions) out.

Two readers share one set of rules (`resolve_plain`, key handling, the guards):

* `load_fast` uses libyaml through PyYAML's C parser and keeps no positions. It is the bulk
  path for hundreds of files. It declines (raises `NeedsStrictReader`) whenever a file
  contains anything unusual, so it never has to explain a problem.
* `load_positioned` walks ruamel.yaml's event stream, keeps the 1-based position of every
  key and value, and turns every problem into a positioned `YamlProblem`.

Both implement the YAML 1.2 core schema themselves instead of trusting either library's
resolver (PyYAML is YAML 1.1: `NO` is false and `010` is 8; ruamel reads `1_000` and dates),
so a value never depends on which reader happened to run.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, TypeGuard

MAX_DEPTH = 64
MAX_BYTES = 16 * 1024 * 1024
MAX_NUMBER = 1e15

Path = tuple[str | int, ...]
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

_BOM = "\ufeff"
# YAML's printable set, less U+FEFF (a BOM is fine only as the file's first character) and
# the YAML 1.1 line breaks U+0085, U+2028, U+2029, which parsers disagree about.
# Written as the complement of the printable set: a negated class over all of Unicode
# costs ~9 ms to compile on every start.
_NON_PRINTABLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]"
)
_CONFLICT_MARKER = re.compile(r"^(?:<{7}|>{7}|\|{7})(?: |\r?$)|^={7}\r?$", re.MULTILINE)
_TAB_INDENT = re.compile(r"^ *\t", re.MULTILINE)
_MARKER_HINTS = re.compile(r"<<<<<<<|>>>>>>>|=======|\|\|\|\|\|\|\|")


# Characters that must never reach a terminal from user text: C0/C1 controls (tab and
# newline are flattened instead), bidi overrides and isolates, zero-width marks, BOM.
_UNSAFE_TO_SHOW = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]"
)


def printable(text: str) -> str:
    """Text safe to print on one line: unsafe characters removed, line breaks flattened."""
    flat = text.replace("\r\n", " ").replace("\n", " ").replace("\t", " ")
    return _UNSAFE_TO_SHOW.sub("", flat)


def _line_col(text: str, index: int) -> tuple[int, int]:
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
    if text.startswith(_BOM):
        text = text[1:]
    check_text(text)
    return text


def check_text(text: str) -> None:
    """Guards that hold for any text okr reads, before a parser sees it."""
    bad = _NON_PRINTABLE.search(text)
    if bad:
        line, col = _line_col(text, bad.start())
        raise YamlProblem(
            "E001",
            line,
            col,
            f"non-printable character U+{ord(bad.group()):04X}; remove it",
        )
    # `in` scans at memchr speed; the regexes run only when a marker or a tab may be there.
    marker = _CONFLICT_MARKER.search(text) if _MARKER_HINTS.search(text) else None
    if marker:
        line, col = _line_col(text, marker.start())
        raise YamlProblem(
            "E001", line, col, "merge conflict marker; resolve the conflict and remove the markers"
        )
    tab = _TAB_INDENT.search(text) if "\t" in text else None
    if tab:
        line, col = _line_col(text, tab.end() - 1)
        raise YamlProblem("E001", line, col, "tab character in indentation; indent with spaces")


# --- YAML 1.2 core schema -----------------------------------------------------------------

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


# --- the fast reader ------------------------------------------------------------------------

# Characters that introduce anchors, aliases, tags, directives, complex keys or tabs: a file
# with any of them goes to the strict reader, which can explain them.
_COMPLEX_KEY = re.compile(r"^\s*\?", re.MULTILINE)


def _needs_strict_reader(text: str) -> bool:
    # Plain `in` tests first: they scan at memchr speed, the regex only when '?' is there.
    return (
        "&" in text
        or "*" in text
        or "!" in text
        or "\t" in text
        or text.startswith("%")
        or "\n%" in text
        or ("?" in text and _COMPLEX_KEY.search(text) is not None)
    )


_PLAIN = "okr:plain"
_MAP_TAG = "tag:yaml.org,2002:map"

_fast_loader: Any = None


def _make_fast_loader() -> Any:
    import yaml

    plain_tag, str_tag = _PLAIN, "tag:yaml.org,2002:str"
    map_tag, seq_tag = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
    scalar_kind, mapping_kind = yaml.ScalarNode, yaml.MappingNode

    class FastLoader(yaml.CSafeLoader):
        # Resolution is ours (YAML 1.2); libyaml only has to say plain or quoted.
        def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
            if kind is scalar_kind:
                return plain_tag if implicit[0] else str_tag
            return map_tag if kind is mapping_kind else seq_tag

    return FastLoader


def compose_fast(text: str) -> Any:
    """libyaml's node tree of clean text (tags say plain or quoted, marks say where), or
    NeedsStrictReader for anything out of the ordinary."""
    if _needs_strict_reader(text):
        raise NeedsStrictReader
    global _fast_loader
    if _fast_loader is None:
        _fast_loader = _make_fast_loader()
    import yaml

    try:
        loader = _fast_loader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.YAMLError:
        raise NeedsStrictReader from None
    if node is None or node.tag != _MAP_TAG:
        raise NeedsStrictReader  # the strict reader positions "must be a mapping"
    return node


def load_fast(text: str) -> Any:
    """Plain data from clean text, or NeedsStrictReader for anything out of the ordinary."""
    return load_fast_node(compose_fast(text))


def _escaped_control(key_node: Any) -> bool:
    """A quoted key whose escapes spell a non-printable character (plain keys cannot)."""
    return key_node.tag != _PLAIN and _NON_PRINTABLE.search(key_node.value) is not None


def load_fast_node(node: Any) -> Any:
    """Plain data from a tree of `compose_fast`."""
    return _from_node(node, 1)


def plain_scalar(node: Any) -> Any:
    """The value of a scalar node of `compose_fast`'s tree."""
    return resolve_plain(node.value) if node.tag == _PLAIN else node.value


# The two walks of libyaml's tree (with and without positions) share these rules; anything
# they decline goes to the strict reader, which reports duplicates (E002), tags and escaped
# control characters (E001) with their positions.


def _fast_scalar(node: Any) -> Any:
    value = node.value
    if node.tag == _PLAIN:
        return resolve_plain(value)
    # isprintable() is a quick yes for almost every string; the regex decides the rest.
    if node.tag == "tag:yaml.org,2002:str" and (
        value.isprintable() or not _NON_PRINTABLE.search(value)
    ):
        return value
    raise NeedsStrictReader


def _fast_key(key_node: Any, mapping: dict[str, Any]) -> str:
    key = key_node.value
    if not isinstance(key, str) or key in mapping or _escaped_control(key_node):
        raise NeedsStrictReader
    return key


def _from_node(node: Any, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise NeedsStrictReader
    value = node.value
    if isinstance(value, str):
        return _fast_scalar(node)
    if node.tag == _MAP_TAG:
        mapping: dict[str, Any] = {}
        for key_node, value_node in value:
            mapping[_fast_key(key_node, mapping)] = _from_node(value_node, depth + 1)
        return mapping
    return [_from_node(item, depth + 1) for item in value]


# --- the strict, positioned reader ----------------------------------------------------------


def load_positioned(text: str, *, strict: bool = False) -> Positioned:
    """Plain data and positions from text, or a positioned YamlProblem (E001).

    Clean text is positioned from libyaml's marks (fast enough for a 1,000-KR file on every
    check-in); anything the fast reader declines, or `strict=True`, goes through ruamel's
    event stream, which explains every problem. Both give the same data and positions.
    """
    check_text(text)
    if not strict:
        try:
            return _positioned_from_node(compose_fast(text))
        except NeedsStrictReader:
            pass
    return _positioned_strict(text)


def _positioned_from_node(root: Any) -> Positioned:
    result = Positioned(data=None)
    result.data = _walk_positioned(root, (), 1, result.positions)
    return result


def _walk_positioned(node: Any, path: Path, depth: int, positions: dict[Path, Position]) -> Any:
    if depth > MAX_DEPTH:
        raise NeedsStrictReader
    value = node.value
    if isinstance(value, str):
        return _fast_scalar(node)
    if node.tag == _MAP_TAG:
        mapping: dict[str, Any] = {}
        for key_node, value_node in value:
            key = _fast_key(key_node, mapping)
            key_line, key_col = key_node.start_mark.line + 1, key_node.start_mark.column + 1
            if value_node.tag == _PLAIN and value_node.value == "":
                value_line, value_col = key_line, key_col  # as the strict reader: see there
            else:
                mark = value_node.start_mark
                value_line, value_col = mark.line + 1, mark.column + 1
            key_path = (*path, key)
            positions[key_path] = (key_line, key_col, value_line, value_col)
            mapping[key] = _walk_positioned(value_node, key_path, depth + 1, positions)
        return mapping
    items = []
    for index, item in enumerate(value):
        item_path = (*path, index)
        line, col = item.start_mark.line + 1, item.start_mark.column + 1
        positions[item_path] = (line, col, line, col)
        items.append(_walk_positioned(item, item_path, depth + 1, positions))
    return items


def _positioned_strict(text: str) -> Positioned:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    result = Positioned(data=None)
    # "safe", not "rt": the round-trip parser marks folds in `>` scalars with U+0007.
    events = YAML(typ="safe", pure=True).parse(text)
    try:
        _build(text, iter(events), result)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        slip = common_slip(text, line)
        if slip is not None:
            raise slip from None
        raise _syntax_problem(exc, text, line, col) from None
    except (YAMLError, RecursionError) as exc:
        raise YamlProblem("E001", 1, 1, f"not valid YAML: {exc}") from None
    return result


# How to fix what the parser says most often, by the start of its message, and whether the
# place to show is where the parser's context began (the key, the bracket) rather than where
# it gave up.
_SYNTAX_HINTS = (
    (
        "mapping values are not allowed",
        "a ':' where no key can start; indent the line like the keys above it, or put a "
        "value that contains ': ' in quotes",
        False,
    ),
    (
        "expected <block end>",
        "the line is indented unlike the entries beside it; line it up",
        False,
    ),
    ("expected ',' or ']'", "this [ … ] list is not closed; add the ']'", True),
    ("expected ',' or '}'", "this { … } mapping is not closed; add the '}'", True),
    ("could not find expected ':'", "a key needs ':' and a space after it", True),
    ("expected the node content", "a value was due here; close any open '[' or '{'", False),
    (
        "found unknown escape character",
        "in double quotes a backslash starts an escape; write \\\\ for one, or use single quotes",
        False,
    ),
)


def _syntax_problem(exc: Any, text: str, line: int, col: int) -> YamlProblem:
    """The parser's complaint with a way to fix it, where the fix goes. An unclosed quote is
    shown where it opens: the parser only notices at the end of the file, or (when a later
    quote closes it) somewhere after, in a line that is fine."""
    context, start, problem = exc.context or "", exc.context_mark, exc.problem or ""
    unclosed = "end of stream" in problem or "document separator" in problem
    if "quoted scalar" in context and unclosed and start is not None:
        return YamlProblem(
            "E001",
            start.line + 1,
            start.column + 1,
            "a quoted value is never closed; add the closing quote on its line",
        )
    opened = _quote_left_open(text, line)
    if opened is not None:
        return YamlProblem(
            "E001",
            *opened,
            "a quoted value is not closed on its line, so it runs on into the lines below; "
            "add the closing quote",
        )
    problem = problem or context or "syntax error"
    if problem.startswith("expected <block end>, but found '<scalar>'"):
        return YamlProblem("E001", line, col, _text_after_value(text, line, col))
    for opening, hint, at_context in _SYNTAX_HINTS:
        if problem.startswith(opening):
            if at_context and start is not None:
                line, col = start.line + 1, start.column + 1
            return YamlProblem("E001", line, col, f"not valid YAML ({problem}); {hint}")
    return YamlProblem(
        "E001", line, col, f"not valid YAML ({problem}); check the indentation and quoting here"
    )


def _text_after_value(text: str, line: int, col: int) -> str:
    lines = text.splitlines()
    before = lines[line - 1][: col - 1].rstrip() if line <= len(lines) else ""
    if before.endswith("'"):
        return (
            "text after a closing single quote; inside single quotes write '' for an "
            "apostrophe (it's → it''s), or use double quotes"
        )
    if before.endswith('"'):
        return "text after a closing double quote; put the whole value inside the quotes"
    return "text after a complete value; put the whole value in quotes"


# A value that opens a quote: `key: "…` or `- '…` (group 1: the line's indentation).
_OPENING_QUOTE = re.compile(r"""^([ ]*)(?:- |[A-Za-z0-9_-]+:[ ]+)(["'])""")
_CLOSING = {'"': re.compile(r'(?<!\\)(?:\\\\)*"'), "'": re.compile(r"'(?!')")}
_KEY_LINE = re.compile(r"^([ ]*)(?:- )?[A-Za-z0-9_-]+:(?:[ ]|$)")
_BLOCK_SCALAR = re.compile(r"^([ ]*)(?:- )?(?:[A-Za-z0-9_-]+:[ ]+)?[|>][-+0-9]*[ ]*(?:#.*)?$")


def _quote_left_open(text: str, error_line: int) -> tuple[int, int] | None:
    """(line, col) of a quote above the error that its line does not close and whose value
    then swallowed a line shaped like a key at the same or a shallower indentation.

    A quoted value may span lines in YAML; one that runs over the next key is a missing
    quote that some later quote closed, far from where the parser complains.
    """
    lines = text.splitlines()
    end = min(error_line, len(lines))
    block_indent: int | None = None  # inside a `|` or `>` block: its key's indentation
    for number in range(1, end):
        line = lines[number - 1]
        indent = len(line) - len(line.lstrip(" "))
        if block_indent is not None:
            if not line.strip() or indent > block_indent:
                continue
            block_indent = None
        block = _BLOCK_SCALAR.match(line)
        if block:
            block_indent = len(block.group(1))
            continue
        opening = _OPENING_QUOTE.match(line)
        if opening is None:
            continue
        quote = opening.group(2)
        rest = line[opening.end() :]
        if quote == "'":
            rest = rest.replace("''", "")
        if _CLOSING[quote].search(rest):
            continue
        own_indent = len(opening.group(1))
        for later in lines[number:end]:
            key = _KEY_LINE.match(later)
            if key and len(key.group(1)) <= own_indent:
                return number, opening.start(2) + 1  # swallowed a key while open
            if _CLOSING[quote].search(later.replace("''", "") if quote == "'" else later):
                break  # a value on several lines, closed before any key: fine
    return None


# `key:value`; not a URL (`https://…`) nor a time (`10:30`): keys start with a letter.
_NO_SPACE_AFTER_COLON = re.compile(r"^[ ]*(?:- )?([A-Za-z_][A-Za-z0-9_-]*):(?=[^\s/])")
# A key typed with an IME's colon; keys are ASCII, so '：' inside text never matches.
_FULL_WIDTH_COLON = re.compile(r"^[ ]*(?:- )?[A-Za-z0-9_-]+[ ]*(：)")


def common_slip(text: str, error_line: int) -> YamlProblem | None:
    """The likely typo behind a syntax error: parsers report it where they gave up, often
    a line or two later (past blank lines and comments). A full-width colon (an IME slip)
    or `key:value` without a space."""
    lines = text.splitlines()
    for number in _lines_up_to(lines, error_line):
        line = lines[number - 1]
        full_width = _FULL_WIDTH_COLON.match(line)
        if full_width:
            return YamlProblem(
                "E001",
                number,
                full_width.start(1) + 1,
                "full-width colon '：' where YAML needs ':' and a space; type an ASCII colon",
            )
        no_space = _NO_SPACE_AFTER_COLON.match(line)
        if no_space:
            key = no_space.group(1)
            return YamlProblem(
                "E001",
                number,
                no_space.end(),
                f"no space after the colon in '{key}:'; write '{key}: value'",
            )
    return None


def _lines_up_to(lines: list[str], error_line: int, before: int = 2) -> list[int]:
    """The error's line and the `before` lines with content above it, top down."""
    found = [error_line] if 0 < error_line <= len(lines) else []
    wanted = len(found) + before
    number = min(error_line, len(lines) + 1) - 1
    while number >= 1 and len(found) < wanted:
        stripped = lines[number - 1].strip()
        if stripped and not stripped.startswith("#"):
            found.append(number)
        number -= 1
    return sorted(found)


def _mark(event: Any) -> tuple[int, int]:
    return event.start_mark.line + 1, event.start_mark.column + 1


def _refuse_decorations(event: Any) -> None:
    line, col = _mark(event)
    if getattr(event, "anchor", None) is not None:
        raise YamlProblem(
            "E001", line, col, "anchors and aliases are not allowed; write the value out"
        )
    tag = getattr(event, "tag", None)
    if tag is not None:
        written = tag.replace("tag:yaml.org,2002:", "!!", 1)
        raise YamlProblem(
            "E001", line, col, f"tags like '{written}' are not allowed; remove the tag"
        )


def _refuse_escaped_controls(event: Any) -> None:
    """A double-quoted escape (`"\\0"`, `"\\e"`) can put into a value the non-printable
    characters that check_text refuses in the file itself; they are refused alike."""
    bad = _NON_PRINTABLE.search(event.value)
    if bad:
        line, col = _mark(event)
        raise YamlProblem(
            "E001",
            line,
            col,
            f"non-printable character U+{ord(bad.group()):04X} (written as an escape); remove it",
        )


def _build(text: str, events: Iterator[Any], result: Positioned) -> None:
    from ruamel.yaml import events as ev

    next(events)  # StreamStart
    start = next(events)
    if isinstance(start, ev.StreamEndEvent):
        result.data = {}  # an empty file is an empty mapping: its missing keys are reported
        return
    if getattr(start, "version", None) is not None or getattr(start, "tags", None):
        directive = re.search(r"^%", text, re.MULTILINE)
        line, col = _line_col(text, directive.start()) if directive else _mark(start)
        raise YamlProblem("E001", line, col, "YAML directives (%YAML, %TAG) are not allowed")
    root_event = next(events)
    result.data = _build_node(root_event, events, result, (), 1)
    if result.data is None:
        result.data = {}
    if not isinstance(result.data, dict):
        line, col = _mark(root_event)
        # `name：Sales` alone is text, not a key: the slip explains it better.
        raise common_slip(text, line) or YamlProblem(
            "E001", line, col, "the file must be a mapping of keys at the top level"
        )
    next(events)  # DocumentEnd
    after = next(events)
    if not isinstance(after, ev.StreamEndEvent):
        line, col = _mark(after)
        raise YamlProblem("E001", line, col, "more than one YAML document; keep one per file")


def _is_empty(event: Any) -> bool:
    from ruamel.yaml import events as ev

    return isinstance(event, ev.ScalarEvent) and event.value == "" and event.style is None


def _build_node(
    event: Any, events: Iterator[Any], result: Positioned, path: Path, depth: int
) -> Any:
    from ruamel.yaml import events as ev

    if isinstance(event, ev.AliasEvent):
        line, col = _mark(event)
        raise YamlProblem(
            "E001", line, col, "anchors and aliases are not allowed; write the value out"
        )
    _refuse_decorations(event)
    if isinstance(event, ev.ScalarEvent):
        if event.implicit[0]:
            return resolve_plain(event.value)
        _refuse_escaped_controls(event)
        return event.value
    if depth > MAX_DEPTH:
        line, col = _mark(event)
        raise YamlProblem("E001", line, col, f"nesting deeper than {MAX_DEPTH} levels")
    if isinstance(event, ev.SequenceStartEvent):
        items: list[Any] = []
        while not isinstance(item_event := next(events), ev.SequenceEndEvent):
            line, col = _mark(item_event)
            item_path = (*path, len(items))
            result.positions[item_path] = (line, col, line, col)
            items.append(_build_node(item_event, events, result, item_path, depth + 1))
        return items
    mapping: dict[str, Any] = {}
    while True:
        key_event = next(events)
        if isinstance(key_event, ev.MappingEndEvent):
            return mapping
        key_line, key_col = _mark(key_event)
        if not isinstance(key_event, ev.ScalarEvent):
            raise YamlProblem("E001", key_line, key_col, "keys must be plain text")
        _refuse_decorations(key_event)
        _refuse_escaped_controls(key_event)
        key = key_event.value
        value_event = next(events)
        value_line, value_col = _mark(value_event)
        if _is_empty(value_event):
            # An empty value has no text of its own; the parser marks wherever the next
            # token starts (often the next line), so a finding about it points at its key.
            value_line, value_col = key_line, key_col
        if key in mapping:
            result.duplicates.append(
                YamlProblem(
                    "E002",
                    key_line,
                    key_col,
                    f"duplicate key '{key}'; the first one is used, remove or rename this one",
                )
            )
            _build_node(value_event, events, Positioned(None), (), depth + 1)
            continue
        key_path = (*path, key)
        result.positions[key_path] = (key_line, key_col, value_line, value_col)
        mapping[key] = _build_node(value_event, events, result, key_path, depth + 1)
