"""Edits of a team file: splice new values into its original text, then prove the result.

A YAML round-trip dump rewrites far more than the edited value (quotes, indentation,
wrapping, `~`, CRLF, the BOM), so the new value is written into the original text at the
position the strict reader reports, and only there (textedit.py cuts and pastes). A
missing key gets lines of its own next to a sibling: a KR's `current:`, `confidence:`,
`score:` and `retro:` after the values before them, an objective's `retro:` above its
`key_results:`, the team's `closed:` and `retro:` above `objectives:`. The result is
re-parsed and compared with the expected data before anyone writes it (atomic.py
writes it), unless all that changed is numbers and booleans, one token each on its line
(tokenproof.py proves that without a parse).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from okrcli.core.findings import Path
from okrcli.core.numbers import format_number
from okrcli.core.scalars import resolve_plain
from okrcli.files import textedit, tokenproof
from okrcli.files.textedit import SpliceError
from okrcli.files.yaml_fast import load_fast
from okrcli.files.yaml_strict import load_positioned
from okrcli.files.yamlsource import (
    NeedsStrictReader,
    Positioned,
    YamlProblem,
    check_text,
    decode,
)

__all__ = ["Change", "Field", "SpliceError", "Spliced", "same_data", "scalar_text", "splice"]

Field = Literal["current", "done", "confidence", "score", "retro", "target", "baseline", "closed"]
Value = int | float | bool | str | dt.date
TEXT_FIELDS = frozenset(("retro",))

_BOM = "\ufeff".encode()
# Where a missing key goes: after the first of these siblings that the mapping has
# (nearest first) ...
_AFTER: dict[tuple[str, str], tuple[str, ...]] = {
    ("key result", "current"): ("target",),
    ("key result", "confidence"): ("current", "done", "target"),
    ("key result", "score"): ("confidence", "current", "done", "target"),
    ("key result", "retro"): ("score", "confidence", "current", "done", "target"),
    ("objective", "retro"): ("kind", "carried_from", "id"),
}
# ... or, first choice, just above this one (when it starts its line).
_BEFORE: dict[tuple[str, str], str] = {
    ("objective", "retro"): "key_results",
    ("team", "closed"): "objectives",
    ("team", "retro"): "objectives",
}


@dataclass(frozen=True, slots=True)
class Change:
    """One new value for one key, found by ids (not by position): of a key result, of an
    objective (no key_result_id), or of the team itself (no ids)."""

    objective_id: str | None
    key_result_id: str | None
    field: Field
    value: Value

    @property
    def level(self) -> str:
        if self.objective_id is None:
            return "team"
        return "objective" if self.key_result_id is None else "key result"

    @property
    def label(self) -> str:
        if self.objective_id is None:
            return "the team"
        if self.key_result_id is None:
            return self.objective_id
        return f"{self.objective_id}/{self.key_result_id}"


def scalar_text(value: Value) -> str:
    """How a one-token value is written: `true`/`false`, a number in its shortest exact
    form, a date as YYYY-MM-DD."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return format_number(value)


def _as_read(change: Change) -> Any:
    """The value the file holds once the change is written, as the reader gives it."""
    if change.field in TEXT_FIELDS:
        return change.value
    return resolve_plain(scalar_text(change.value))


# --- the edit -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Spliced:
    raw: bytes  # the file's new bytes
    data: Any  # what they read as (proved): nobody need read them again
    # Where each value is in them, when the splice was asked for positions (or the proof
    # read them back with the strict reader, which gives them): the next edit of the same
    # bytes need not parse them.
    positioned: Positioned | None


def splice(
    raw: bytes,
    changes: Sequence[Change],
    where: str = "the file",
    positioned: Positioned | None = None,
    *,
    positions: bool = True,
) -> Spliced:
    """The file's bytes with every change written in; raises SpliceError when it cannot be.

    `positioned` is the parse of exactly `raw` when the caller has it (cached by content).
    Without `positions`, the new text is proved with the fast reader, which gives no
    positions (a third faster: for a caller that keeps none).
    The key results' changes are applied from the bottom of the file up: a KR's edit moves
    only its own text and what follows, so every KR above it keeps the positions of the
    first parse, and the file is parsed once, not once per KR (`okr sync` may change every
    KR of a file); a KR's own changes keep their order, each after the first reading the
    positions afresh. The objectives' and the team's changes follow, each on a fresh parse
    (their keys may sit anywhere around their KRs). The final text must parse to exactly
    the original data with the changed values, or nothing is returned.
    """
    bom = raw.startswith(_BOM)
    try:
        original = decode(raw)
        parsed_here = positioned is None
        positioned = first = positioned or load_positioned(original)
    except YamlProblem as problem:
        raise SpliceError(
            f"{where} is not valid YAML ({problem.line}:{problem.col}: {problem.message}); "
            "fix it first"
        ) from None
    text = original
    expected = positioned.data
    located = [(_mapping_path(positioned.data, change, where), change) for change in changes]
    starts = positioned.positions
    key_results = [item for item in located if item[1].level == "key result"]
    key_results.sort(key=lambda item: starts[item[0]][:2], reverse=True)  # stable
    others = [item for item in located if item[1].level != "key result"]
    previous: Path | None = None
    edited_from: int | None = None  # the first line an edit so far may have moved
    # Made once per reading: an edit changes its own KR's lines and those below, and the
    # KRs go from the bottom up, so every line the next KR's edit looks at is mapped still.
    lines = textedit.Lines(text)
    for path, change in [*key_results, *others]:
        reach: tuple[int, int] | None  # the last line the edit reads, the first it may move
        if change.level == "key result":
            stale = path == previous
            reach = (starts[path][0], starts[path][0])
        else:
            reach = _lines_of(positioned, path, change)
            stale = edited_from is not None and (reach is None or reach[0] >= edited_from)
        if stale:
            positioned, lines, edited_from = _reread(text, where), textedit.Lines(text), None
            if change.level != "key result":
                reach = _lines_of(positioned, path, change)
        text = _apply(text, lines, positioned, path, change, where)
        expected = _with_value(expected, (*path, change.field), _as_read(change))
        previous = path
        if reach is None:  # an edit of unknown extent: whatever follows reads afresh
            positioned, lines, edited_from = _reread(text, where), textedit.Lines(text), None
        else:
            edited_from = reach[1] if edited_from is None else min(edited_from, reach[1])
    fields = [(*path, change.field) for path, change in located]
    # The short proof stands on the first parse, so only on one made here: a parse the
    # caller kept (the positions cache) is proved wrong, when it is, by reading back.
    swapped = parsed_here and tokenproof.swapped_tokens(
        original, text, first.positions, fields, first.data, expected
    )
    if swapped:
        # Only numbers and booleans changed, each after its value's start on its own line:
        # every key and value still starts where the first parse saw it.
        kept = Positioned(expected, first.positions, first.duplicates) if positions else None
        data, proved = expected, kept
    else:
        data, proved = _prove(text, expected, where, positions)
    return Spliced((_BOM if bom else b"") + text.encode("utf-8"), data, proved)


def _apply(
    text: str, lines: textedit.Lines, positioned: Positioned, path: Path, change: Change, where: str
) -> str:
    _refuse_flow_style(lines, positioned, path, change, where)
    mapping = _lookup(positioned.data, path)
    field_path = (*path, change.field)
    positions = positioned.positions
    if field_path in positions:
        if change.field in TEXT_FIELDS:
            assert isinstance(change.value, str)
            return textedit.replace_text(text, positions[field_path], change.value, lines)
        old = mapping[change.field]
        new = scalar_text(change.value)
        return textedit.replace_value(text, positions[field_path], old, new, lines)
    slot = (change.level, change.field)
    before = _BEFORE.get(slot)
    if before is not None and (*path, before) in positions:
        key = positions[(*path, before)]
        inserted = textedit.insert_before(text, key, _new_lines(change, key[1] - 1), lines)
        if inserted is not None:
            return inserted
    for anchor in _AFTER.get(slot, ()):
        if (*path, anchor) in positions:
            position = positions[(*path, anchor)]
            new_lines = _new_lines(change, position[1] - 1)
            return textedit.insert_after(text, position, new_lines, lines)
    raise SpliceError(
        f"{where}: {change.label} has no '{change.field}' line and nothing to place one "
        f"beside; add '{change.field}:' by hand"
    )


def _lines_of(positioned: Positioned, path: Path, change: Change) -> tuple[int, int] | None:
    """For an objective's or the team's change: (the last line `_apply` reads, the first
    line it may move), or None when that is not known from the positions (a text value,
    which may span lines). The edit can then use the positions of an earlier parse as long
    as every edit since was below the line it reads: the text above those is untouched."""
    positions = positioned.positions
    field_path = (*path, change.field)
    if field_path in positions:
        if change.field in TEXT_FIELDS:
            return None
        key_line, _, value_line, _ = positions[field_path]
        return max(key_line, value_line), min(key_line, value_line)
    # insert_before may decline its key, and then the first anchor after takes the line.
    anchors = [positions[(*path, a)] for a in _AFTER.get((change.level, change.field), ())
               if (*path, a) in positions][:1]  # fmt: skip
    before = _BEFORE.get((change.level, change.field))
    reads = [max(anchor[0], anchor[2]) for anchor in anchors]
    moves = [max(anchor[0], anchor[2]) + 1 for anchor in anchors]
    if before is not None and (*path, before) in positions:
        key_line = positions[(*path, before)][0]
        reads.append(key_line)
        moves.append(key_line)
    if path:  # _refuse_flow_style reads where the mapping starts
        reads.append(positions[path][0])
    return (max(reads), min(moves)) if moves else None


def _new_lines(change: Change, indent: int) -> list[str]:
    if change.field in TEXT_FIELDS:
        assert isinstance(change.value, str)
        return textedit.key_lines(change.field, indent, change.value)
    return [" " * indent + f"{change.field}: {scalar_text(change.value)}"]


def _mapping_path(data: Any, change: Change, where: str) -> Path:
    """Where the mapping the change names sits: () for the team, ("objectives", i) for an
    objective, ("objectives", i, "key_results", j) for a key result."""
    if change.objective_id is None:
        return ()
    objectives = data.get("objectives") if isinstance(data, dict) else None
    for oi, objective in enumerate(objectives if isinstance(objectives, list) else []):
        if not isinstance(objective, dict) or objective.get("id") != change.objective_id:
            continue
        if change.key_result_id is None:
            return ("objectives", oi)
        key_results = objective.get("key_results")
        for ki, kr in enumerate(key_results if isinstance(key_results, list) else []):
            if isinstance(kr, dict) and kr.get("id") == change.key_result_id:
                return ("objectives", oi, "key_results", ki)
    what = "objective" if change.key_result_id is None else "key result"
    raise SpliceError(f"{where} has no {what} {change.label}; check the address")


def _reread(text: str, where: str) -> Positioned:
    try:
        return load_positioned(text)
    except YamlProblem as problem:
        raise _unreadable(where, problem) from None


def _reread_data(text: str, where: str) -> Any:
    """What the edited text reads as, by the faster reader when it takes the text."""
    try:
        try:
            return load_fast(text)
        except NeedsStrictReader:
            return load_positioned(text).data
    except YamlProblem as problem:
        raise _unreadable(where, problem) from None


def _unreadable(where: str, problem: YamlProblem) -> SpliceError:
    return SpliceError(
        f"{where}: the edited text would not parse ({problem.message}); nothing was "
        "written; edit the file by hand"
    )


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
    lines: textedit.Lines, positioned: Positioned, path: Path, change: Change, where: str
) -> None:
    # Block collections cannot sit inside flow ones, so a KR or objective in flow style
    # starts with `{` whenever any of its ancestors is in flow style too. (A team file in
    # flow style has no line to put a new key above: insert_before declines it.)
    if not path:
        return
    line, col, _, _ = positioned.positions[path]
    if lines.text[lines.index(line, col)] == "{":
        raise SpliceError(
            f"{where}: {change.label} is written in YAML flow style ({{id: …}}), which "
            "okr does not edit; rewrite it as a block mapping (one key per line)"
        )


# --- proof ----------------------------------------------------------------------------------


def _prove(text: str, expected: Any, where: str, positions: bool) -> tuple[Any, Positioned | None]:
    """The edited text's data (and its parse with positions, if asked for or only the
    strict reader reads it), when it is exactly the expected data; else SpliceError."""
    data, after = _read_back(text, where, positions)
    if not same_data(data, expected):
        raise SpliceError(
            f"{where}: the edit would change more than the checked-in values; nothing was "
            "written; edit the file by hand"
        )
    return data, after


def _read_back(text: str, where: str, positions: bool) -> tuple[Any, Positioned | None]:
    if not positions:
        try:
            check_text(text)
            return load_fast(text), None
        except (NeedsStrictReader, YamlProblem):
            pass  # the strict reader reads what the fast one declines, or says what is wrong
    after = _reread(text, where)
    return after.data, after


def same_data(a: Any, b: Any) -> bool:
    """Equal values of equal types (so `true` never equals `1`, nor `70.0` equal `70`)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same_data(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same_data(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)
