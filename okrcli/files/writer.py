"""Check-in edits: splice new scalars into a team file's original text, then prove the result.

A YAML round-trip dump rewrites far more than the edited value (quotes, indentation,
wrapping, `~`, CRLF, the BOM), so the new value is written into the original text at the
position the strict reader reports, and only there. A missing `current:` or `confidence:`
gets a line of its own next to its sibling. The result is re-parsed and compared with the
expected data before anyone writes it; the atomic write keeps the file's mode.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path as FsPath
from typing import Any, Literal

from okrcli.core.errors import OkrError
from okrcli.core.findings import Path
from okrcli.core.numbers import format_number
from okrcli.core.scalars import resolve_plain
from okrcli.files.yaml_strict import load_positioned
from okrcli.files.yamlsource import Positioned, YamlProblem, decode

Field = Literal["current", "done", "confidence"]

_BOM = "\ufeff".encode()
_NULL_LITERALS = frozenset(("~", "null", "Null", "NULL"))
# The siblings a missing key is written after, nearest first.
_ANCHORS: dict[str, tuple[str, ...]] = {
    "current": ("target",),
    "confidence": ("current", "done", "target"),
    "done": (),
}


@dataclass(frozen=True, slots=True)
class Change:
    """One new value for one field of one key result, found by ids (not by position)."""

    objective_id: str
    key_result_id: str
    field: Field
    value: int | float | bool

    @property
    def label(self) -> str:
        return f"{self.objective_id}/{self.key_result_id}"


class SpliceError(OkrError):
    """The file cannot be edited safely in place; nothing was written."""


def scalar_text(value: int | float | bool) -> str:
    """How a value is written: `true`/`false`, or a number in its shortest exact form."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return format_number(value)


# --- the edit -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Spliced:
    raw: bytes  # the file's new bytes
    # What they parse to, with positions (the proof parsed them): the caller need not parse
    # them again, and the next check-in of the same bytes need not either.
    positioned: Positioned


def splice(
    raw: bytes,
    changes: Sequence[Change],
    where: str = "the file",
    positioned: Positioned | None = None,
) -> Spliced:
    """The file's bytes with every change written in; raises SpliceError when it cannot be.

    `positioned` is the parse of exactly `raw` when the caller has it (cached by content).
    Each change is applied to the text the previous one produced (re-parsed in between, so
    positions are always fresh); the final text must parse to exactly the original data
    with the changed values, or nothing is returned.
    """
    bom = raw.startswith(_BOM)
    try:
        original = decode(raw)
        positioned = positioned or load_positioned(original)
    except YamlProblem as problem:
        raise SpliceError(
            f"{where} is not valid YAML ({problem.line}:{problem.col}: {problem.message}); "
            "fix it first"
        ) from None
    text = original
    expected = positioned.data
    for number, change in enumerate(changes):
        if number:
            positioned = _reread(text, where)
        kr_path = _key_result_path(positioned.data, change, where)
        text = _apply(text, positioned, kr_path, change, where)
        value = resolve_plain(scalar_text(change.value))
        expected = _with_value(expected, (*kr_path, change.field), value)
    proved = _prove(text, expected, where)
    return Spliced((_BOM if bom else b"") + text.encode("utf-8"), proved)


def _apply(text: str, positioned: Positioned, kr_path: Path, change: Change, where: str) -> str:
    _refuse_flow_style(text, positioned, kr_path, change, where)
    kr = _lookup(positioned.data, kr_path)
    new = scalar_text(change.value)
    field_path = (*kr_path, change.field)
    if field_path in positioned.positions:
        return _replace_value(text, positioned.positions[field_path], kr[change.field], new)
    for anchor in _ANCHORS[change.field]:
        anchor_path = (*kr_path, anchor)
        if anchor_path in positioned.positions:
            return _insert_after(text, positioned.positions[anchor_path], f"{change.field}: {new}")
    raise SpliceError(
        f"{where}: {change.label} has no '{change.field}' line and nothing to place one after; "
        f"add '{change.field}:' by hand"
    )


def _key_result_path(data: Any, change: Change, where: str) -> Path:
    """("objectives", i, "key_results", j) of the KR named by the change's ids."""
    objectives = data.get("objectives") if isinstance(data, dict) else None
    for oi, objective in enumerate(objectives if isinstance(objectives, list) else []):
        if not isinstance(objective, dict) or objective.get("id") != change.objective_id:
            continue
        key_results = objective.get("key_results")
        for ki, kr in enumerate(key_results if isinstance(key_results, list) else []):
            if isinstance(kr, dict) and kr.get("id") == change.key_result_id:
                return ("objectives", oi, "key_results", ki)
    raise SpliceError(f"{where} has no key result {change.label}; check the address")


def _reread(text: str, where: str) -> Positioned:
    try:
        return load_positioned(text)
    except YamlProblem as problem:
        raise SpliceError(
            f"{where}: the edited text would not parse ({problem.message}); nothing was "
            "written; edit the file by hand"
        ) from None


def _with_value(data: Any, path: Path, value: Any) -> Any:
    """A copy of `data` with the value at `path` set; only the containers on the path are
    copied (the rest is shared, and never changed)."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(data, dict):
        mapping = dict(data)
        mapping[head] = _with_value(data.get(head), rest, value)
        return mapping
    items = list(data)
    items[int(head)] = _with_value(items[int(head)], rest, value)
    return items


def _lookup(data: Any, path: Path) -> Any:
    for step in path:
        data = data[step]
    return data


def _refuse_flow_style(
    text: str, positioned: Positioned, kr_path: Path, change: Change, where: str
) -> None:
    # Block collections cannot sit inside flow ones, so a KR in flow style starts with `{`
    # whenever any of its ancestors is in flow style too.
    lines = _Lines(text)
    line, col, _, _ = positioned.positions[kr_path]
    if text[lines.index(line, col)] == "{":
        raise SpliceError(
            f"{where}: {change.label} is written in YAML flow style ({{id: …}}), which "
            "check-ins do not edit; rewrite it as a block mapping (one key per line)"
        )


# --- text surgery ---------------------------------------------------------------------------


_LINE_BREAK = re.compile("\n|\r(?!\n)")


class _Lines:
    """Maps the reader's 1-based (line, column) to string indices, counting as ruamel does:
    a line ends at `\\n` or a lone `\\r`, and a U+FEFF takes no column."""

    def __init__(self, text: str) -> None:
        self.text = text
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
        start = self.starts[line - 1]
        i = start
        while i < len(self.text) and self.text[i] not in "\r\n":
            i += 1
        return i

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


def _token_end(text: str, start: int, line_end: int) -> int:
    """End of a plain one-line scalar starting at `start`: before ` #` or trailing blanks."""
    end = line_end
    for i in range(start, line_end):
        if text[i] == "#" and i > start and text[i - 1] in " \t":
            end = i
            break
    while end > start and text[end - 1] in " \t":
        end -= 1
    return end


def _replace_value(text: str, position: tuple[int, int, int, int], old: Any, new: str) -> str:
    key_line, key_col, value_line, value_col = position
    lines = _Lines(text)
    if old is None:
        return _replace_null(text, lines, key_line, key_col, value_line, value_col, new)
    start = lines.index(value_line, value_col)
    end = _token_end(text, start, lines.end(value_line))
    return _splice_token(text, start, end, lines.end(value_line), new)


def _replace_null(
    text: str, lines: _Lines, key_line: int, key_col: int, value_line: int, value_col: int, new: str
) -> str:
    """`key: ~`, `key: null` or a bare `key:` (the reader then points at the next token)."""
    line_end = lines.end(key_line)
    colon = _colon_after_key(text, lines.index(key_line, key_col), line_end)
    rest = colon + 1
    while rest < line_end and text[rest] in " \t":
        rest += 1
    token_end = _token_end(text, rest, line_end)
    if text[rest:token_end] in _NULL_LITERALS:
        return _splice_token(text, rest, token_end, line_end, new)
    if value_line > key_line:
        start = lines.index(value_line, value_col)
        end = _token_end(text, start, lines.end(value_line))
        if text[start:end] in _NULL_LITERALS:
            return _splice_token(text, start, end, lines.end(value_line), new)
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


def _splice_token(text: str, start: int, end: int, line_end: int, new: str) -> str:
    """Replace text[start:end] by `new`, keeping a trailing comment in its column if it can."""
    gap_end = end
    while gap_end < line_end and text[gap_end] in " \t":
        gap_end += 1
    has_comment = gap_end < line_end and text[gap_end] == "#" and gap_end > end
    if has_comment and set(text[end:gap_end]) == {" "}:
        gap = max(1, (gap_end - end) - (len(new) - (end - start)))
        return text[:start] + new + " " * gap + text[gap_end:]
    return text[:start] + new + text[end:]


def _insert_after(text: str, anchor: tuple[int, int, int, int], new_line: str) -> str:
    """A new line right after the anchor key's value, indented like the anchor key."""
    key_line, key_col, value_line, _ = anchor
    lines = _Lines(text)
    last = max(key_line, value_line)
    indent = " " * (key_col - 1)
    terminator = lines.terminator(last)
    if terminator:
        at = lines.after(last)
        return text[:at] + indent + new_line + terminator + text[at:]
    return text + lines.file_terminator() + indent + new_line


# --- proof ----------------------------------------------------------------------------------


def _prove(text: str, expected: Any, where: str) -> Positioned:
    """The edited text's parse, when it is exactly the expected data; else SpliceError."""
    after = _reread(text, where)
    if not same_data(after.data, expected):
        raise SpliceError(
            f"{where}: the edit would change more than the checked-in values; nothing was "
            "written; edit the file by hand"
        )
    return after


def same_data(a: Any, b: Any) -> bool:
    """Equal values of equal types (so `true` never equals `1`, nor `70.0` equal `70`)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same_data(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same_data(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


# --- writing --------------------------------------------------------------------------------


# Temporary files are `.NAME.okr-XXXXXXXX.tmp` beside the file: a rename within one folder
# never crosses a file system or a mount point, so it is always atomic (one in the git
# directory would be so only when both share a mount). A kill -9 between creating and
# renaming leaves one behind; the next write in the folder removes it (stale_temporaries).
_TEMPORARY_MARK = ".okr-"
_TEMPORARY_SUFFIX = ".tmp"
# mkstemp's names: the prefix, eight random characters from this set, the suffix.
_TEMPORARY_NAME = re.compile(r"\..+\.okr-[a-z0-9_]{8}\.tmp")


def write_atomic(path: FsPath, data: bytes) -> None:
    """Replace the file's bytes all at once: a temporary file in the same folder, fsync, rename.

    A reader (or a crash) sees either the old bytes or the new ones, never a mix. The
    file's permission bits are kept. A symbolic link is refused: renaming over it would
    replace the link, not the file it points to.
    """
    if path.is_symlink():
        raise OkrError(f"{path} is a symbolic link; check-ins edit regular files only")
    mode = stat.S_IMODE(path.stat().st_mode)
    handle, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}{_TEMPORARY_MARK}", suffix=_TEMPORARY_SUFFIX
    )
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_folder(path.parent)


def remove_stale_temporaries(folder: FsPath) -> None:
    """Remove the temporary files that killed writes left in `folder`.

    Only for a caller holding the check-in lock: then no other okr writes there, so every
    temporary file of okr's in the folder is a leftover.
    """
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            if _TEMPORARY_NAME.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def _sync_folder(folder: FsPath) -> None:
    """Make the rename itself durable (where the platform allows opening a folder)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
