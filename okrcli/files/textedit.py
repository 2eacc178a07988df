"""Text surgery at the reader's positions: replace one scalar, or add the lines of a new key.

writer.py decides *what* changes and proves the result; these functions only cut and
paste text, keeping every byte they are not asked to touch (comments, blank lines, quoting,
line endings). Positions are the strict reader's 1-based (line, column) pairs.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate

from okrcli.core.errors import OkrError
from okrcli.files.yamlsource import Position

_NULL_LITERALS = frozenset(("~", "null", "Null", "NULL"))
_LINE_BREAK = re.compile("\n|\r(?!\n)")
# What check_text refuses at the start of a line (a tab in the indentation): such a line
# cannot be written in a block scalar, whose lines are indented.
_TAB_AFTER_SPACES = re.compile(r" *\t")


class SpliceError(OkrError):
    """The file cannot be edited safely in place; nothing was written."""


class Lines:
    """Maps the reader's 1-based (line, column) to string indices, counting as ruamel does:
    a line ends at `\\n` or a lone `\\r`, and a U+FEFF takes no column."""

    def __init__(self, text: str) -> None:
        self.text = text
        if "\r" not in text or text.count("\r") == text.count("\r\n"):
            # No lone \r (nearly every file): the lines are what \n splits, counted in C.
            lengths = map((1).__add__, map(len, text.split("\n")[:-1]))
            self.starts = list(accumulate(lengths, initial=0))
        else:
            self.starts = [0, *(match.end() for match in _LINE_BREAK.finditer(text))]

    def index(self, line: int, col: int) -> int:
        start = self.starts[line - 1]
        end = self.end(line)
        if "\ufeff" not in self.text[start:end]:
            return start + col - 1
        column = 1
        for i in range(start, end):
            if self.text[i] == "\ufeff":
                continue
            if column == col:
                return i
            column += 1
        return end

    def end(self, line: int) -> int:
        """Index of the line's terminator (or of the end of the text)."""
        start, text = self.starts[line - 1], self.text
        if line == len(self.starts):
            return len(text)  # the last line has no terminator
        end = self.starts[line] - 1  # the terminator's last character
        if text[end] == "\n" and end > start and text[end - 1] == "\r":
            end -= 1
        return end

    def after(self, line: int) -> int:
        """Index just past the line's terminator."""
        return self.starts[line] if line < len(self.starts) else len(self.text)

    def terminator(self, line: int) -> str:
        end = self.end(line)
        if self.text.startswith("\r\n", end):
            return "\r\n"
        return self.text[end : end + 1]

    def file_terminator(self) -> str:
        for line in range(1, len(self.starts) + 1):
            found = self.terminator(line)
            if found:
                return found
        return "\n"

    def count(self) -> int:
        return len(self.starts)

    def content(self, line: int) -> str:
        return self.text[self.starts[line - 1] : self.end(line)]


# --- one-token scalars (numbers, booleans, dates) -------------------------------------------


def token_end(text: str, start: int, line_end: int) -> int:
    """End of a plain one-line scalar starting at `start`: before ` #` or trailing blanks."""
    end = line_end
    for i in range(start, line_end):
        if text[i] == "#" and i > start and text[i - 1] in " \t":
            end = i
            break
    while end > start and text[end - 1] in " \t":
        end -= 1
    return end


def replace_value(
    text: str, position: Position, old: object, new: str, lines: Lines | None = None
) -> str:
    """The one-token value at `position` (or a null written any way) replaced by `new`.

    `lines`, when given, map at least the lines from the start of the text to the value's
    line as they are in `text` (made for an earlier text that differs only below them)."""
    key_line, key_col, value_line, value_col = position
    lines = Lines(text) if lines is None else lines
    if old is None:
        return _replace_null(text, lines, key_line, key_col, value_line, value_col, new)
    start = lines.index(value_line, value_col)
    end = token_end(text, start, lines.end(value_line))
    return splice_token(text, start, end, lines.end(value_line), new)


def _replace_null(
    text: str, lines: Lines, key_line: int, key_col: int, value_line: int, value_col: int, new: str
) -> str:
    """`key: ~`, `key: null` or a bare `key:` (the reader then points at the next token)."""
    line_end = lines.end(key_line)
    colon = _colon_after_key(text, lines.index(key_line, key_col), line_end)
    rest = colon + 1
    while rest < line_end and text[rest] in " \t":
        rest += 1
    end = token_end(text, rest, line_end)
    if text[rest:end] in _NULL_LITERALS:
        return splice_token(text, rest, end, line_end, new)
    if value_line > key_line:
        start = lines.index(value_line, value_col)
        end = token_end(text, start, lines.end(value_line))
        if text[start:end] in _NULL_LITERALS:
            return splice_token(text, start, end, lines.end(value_line), new)
    if rest < line_end and text[rest] == "#":
        # `key:   # comment`: the value takes the blanks, the comment keeps its column.
        gap = max(1, rest - colon - 2 - len(new))
        return text[: colon + 1] + " " + new + " " * gap + text[rest:]
    return text[: colon + 1] + " " + new + text[colon + 1 :]


def _colon_after_key(text: str, key_start: int, line_end: int) -> int:
    i = key_start
    if text[i] in "\"'":
        quote = text[i]
        i += 1
        while i < line_end and text[i] != quote:
            i += 2 if text[i] == "\\" and quote == '"' else 1
        i += 1
    while i < line_end and text[i] != ":":
        i += 1
    if i >= line_end:
        raise SpliceError("cannot find the ':' after a key; edit the file by hand")
    return i


def splice_token(text: str, start: int, end: int, line_end: int, new: str) -> str:
    """Replace text[start:end] by `new`, keeping a trailing comment in its column if it can."""
    gap_end = end
    while gap_end < line_end and text[gap_end] in " \t":
        gap_end += 1
    has_comment = gap_end < line_end and text[gap_end] == "#" and gap_end > end
    if has_comment and set(text[end:gap_end]) == {" "}:
        gap = max(1, (gap_end - end) - (len(new) - (end - start)))
        return text[:start] + new + " " * gap + text[gap_end:]
    return text[:start] + new + text[end:]


# --- text values (retro) --------------------------------------------------------------------


def text_scalar(value: str, indent: int) -> tuple[str, list[str]]:
    """A text as YAML for a key indented by `indent` columns: what follows `key: ` on its
    line, and the lines after it (indented). One line of text is double-quoted (any
    character reads back as itself); several are a literal block (`|`), each line as typed,
    unless a line could not be written in one (then double-quoted with `\\n` escapes)."""
    lines = value.split("\n")
    if "\n" not in value or not _fits_a_block(value, lines):
        return json.dumps(value, ensure_ascii=False), []
    if value.endswith("\n"):
        chomp, lines = "", lines[:-1]  # one final line break: YAML's default ("clip")
    else:
        chomp = "-"
    first = next(line for line in lines if line)
    # A first line that starts with a blank would set the indentation itself: say it.
    indicator = "2" if first.startswith(" ") else ""
    body = [" " * (indent + 2) + line if line else "" for line in lines]
    return f"|{indicator}{chomp}", body


def _fits_a_block(value: str, lines: list[str]) -> bool:
    return (
        "\r" not in value
        and not value.endswith("\n\n")  # kept blank lines would swallow the file's own
        and any(line.strip() for line in lines)
        and not any(_TAB_AFTER_SPACES.match(line) for line in lines)
    )


def key_lines(key: str, indent: int, value: str) -> list[str]:
    """The lines of a new `key: text` at `indent` columns."""
    first, more = text_scalar(value, indent)
    return [" " * indent + f"{key}: {first}", *more]


def replace_text(text: str, position: Position, new: str, lines: Lines | None = None) -> str:
    """The text value at `position` (plain, quoted or a block, on one line or several)
    replaced by `new`, written as text_scalar writes it; a comment after it stays."""
    _, key_col, value_line, value_col = position
    lines = Lines(text) if lines is None else lines
    start = lines.index(value_line, value_col)
    end, end_line, last_line = _scalar_extent(text, lines, start, value_line, key_col - 1)
    first, more = text_scalar(new, key_col - 1)
    terminator = lines.terminator(end_line) or lines.file_terminator()
    return (
        text[:start]
        + first
        + text[end : lines.end(end_line)]
        + "".join(terminator + line for line in more)
        + text[lines.end(last_line) :]
    )


def _scalar_extent(
    text: str, lines: Lines, start: int, line: int, indent: int
) -> tuple[int, int, int]:
    """Where the scalar starting at `start` ends: (the index after its text, or after a
    block's header; the line that is on; the value's last line, a block's last line)."""
    mark = text[start]
    if mark in "\"'":
        end = _closing_quote(text, start) + 1
        end_line = line + len(_LINE_BREAK.findall(text, start, end))
        return end, end_line, end_line
    first_end = token_end(text, start, lines.end(line))
    if mark in "|>":
        return first_end, line, _last_indented_line(lines, line, indent, block=True)
    if text[first_end : lines.end(line)].strip():
        return first_end, line, line  # a comment ends a plain scalar
    last = _last_indented_line(lines, line, indent, block=False)
    if last == line:
        return first_end, line, line
    return token_end(text, lines.starts[last - 1], lines.end(last)), last, last


def _last_indented_line(lines: Lines, line: int, indent: int, block: bool) -> int:
    """The last line after `line` that belongs to a value at a key of `indent` columns:
    lines indented deeper, blank lines between them (a comment line ends a plain scalar)."""
    last = line
    for later in range(line + 1, lines.count() + 1):
        content = lines.content(later)
        stripped = content.strip()
        if not stripped:
            continue
        if len(content) - len(content.lstrip(" ")) <= indent:
            break
        if not block and stripped.startswith("#"):
            break
        last = later
    return last


def _closing_quote(text: str, start: int) -> int:
    quote = text[start]
    i = start + 1
    while i < len(text):
        if quote == '"' and text[i] == "\\":
            i += 2
            continue
        if text[i] == quote:
            if quote == "'" and text.startswith("''", i):
                i += 2
                continue
            return i
        i += 1
    raise SpliceError("a quoted value is not closed; edit the file by hand")


# --- new lines ------------------------------------------------------------------------------


def insert_after(
    text: str, anchor: Position, new_lines: list[str], lines: Lines | None = None
) -> str:
    """New lines right after the anchor key's one-line value (a file that ends without a
    line break still does). `lines` as replace_value takes them."""
    key_line, _, value_line, _ = anchor
    lines = Lines(text) if lines is None else lines
    last = max(key_line, value_line)
    terminator = lines.terminator(last) or lines.file_terminator()
    at = lines.end(last)
    return text[:at] + "".join(terminator + line for line in new_lines) + text[at:]


def insert_before(
    text: str, key: Position, new_lines: list[str], lines: Lines | None = None
) -> str | None:
    """New lines just above a key that starts its line; None when something precedes the
    key on its line (a `- ` or a flow mapping's `{`). `lines` as replace_value takes them."""
    key_line, key_col, _, _ = key
    lines = Lines(text) if lines is None else lines
    line_start = lines.starts[key_line - 1]
    if text[line_start : lines.index(key_line, key_col)].strip(" \ufeff"):
        return None
    terminator = lines.terminator(key_line) or lines.file_terminator()
    return text[:line_start] + "".join(line + terminator for line in new_lines) + text[line_start:]
