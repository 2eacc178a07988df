"""One team file's version as a snapshot (address -> fields), and the next version read
from the one before by its changed value lines (`patch`), without parsing it again.

Only the raw parsed data is used, never validation: log and diff must read revisions whose
files parse as YAML but do not validate. Wrong types are carried along as they are. The
blob cache and the reading from git are history/snapshots.py's.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import compress
from operator import ne
from typing import Any, TypeGuard

from okrcli.core.records import pickled_as_call
from okrcli.core.scalars import resolve_plain
from okrcli.files import yaml_fast, yamlsource
from okrcli.files.workspace import is_team_file_name
from okrcli.files.yaml_fast import load_fast
from okrcli.files.yaml_strict import load_positioned
from okrcli.files.yamlsource import BOM, NeedsStrictReader, YamlProblem, decode

Fields = dict[str, Any]
# "" -> the team's own fields; "OBJ" -> an objective's; "OBJ/KR" -> a key result's.
Snapshot = dict[str, Fields]

VALUE_FIELDS = ("current", "done")
LOG_FIELDS = ("current", "done", "confidence", "baseline", "target")
REVISION_FIELDS = frozenset({"baseline", "target"})
TEAM_KEY = ""


# --- one file: bytes -> snapshot ------------------------------------------------------------


def snapshot(raw: bytes) -> Snapshot | None:
    """The fields of a team file's objectives and KRs, or None when it is not YAML at all."""
    try:
        text = decode(raw)
        try:
            tree = load_fast(text)
        except NeedsStrictReader:
            tree = load_positioned(text).data
    except YamlProblem:
        return None
    return snapshot_of(tree)


def snapshot_of(tree: Any) -> Snapshot:
    """Walk objectives[*].key_results[*], skipping whatever is not shaped like one.

    An id that is not a string (or holds a '/') cannot be addressed and is skipped; when an
    id repeats, the first one wins, as a reader of the file would assume.
    """
    result: Snapshot = {}
    if not isinstance(tree, dict):
        return result
    result[TEAM_KEY] = _fields(tree, ("objectives",))
    for objective in _mappings(tree.get("objectives")):
        objective_id = objective.get("id")
        if not _usable_id(objective_id) or objective_id in result:
            continue
        result[objective_id] = _fields(objective, ("id", "key_results"))
        for kr in _mappings(objective.get("key_results")):
            kr_id = kr.get("id")
            address = f"{objective_id}/{kr_id}"
            if _usable_id(kr_id) and address not in result:
                result[address] = _fields(kr, ("id",))
    return result


def _usable_id(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and value != "" and "/" not in value


def _mappings(value: object) -> Iterator[dict[str, Any]]:
    if isinstance(value, list):
        yield from (item for item in value if isinstance(item, dict))


def _fields(mapping: dict[str, Any], skip: tuple[str, ...]) -> Fields:
    return {key: plain(value) for key, value in mapping.items() if key not in skip}


def plain(value: Any) -> Any:
    """A JSON-safe copy: a NaN or infinity (written `.nan`, `.inf`) becomes its YAML text."""
    if isinstance(value, float) and not math.isfinite(value):
        return ".nan" if math.isnan(value) else ("-.inf" if value < 0 else ".inf")
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    return value


def same(old: object, new: object) -> bool:
    """Equal values of the same kind: 68 == 68.0, but True is not 1 and 1 is not '1'."""
    if isinstance(old, bool) or isinstance(new, bool):
        return type(old) is type(new) and old == new
    if isinstance(old, int | float) and isinstance(new, int | float):
        return old == new
    if isinstance(old, list) and isinstance(new, list):
        return len(old) == len(new) and all(same(a, b) for a, b in zip(old, new, strict=True))
    if isinstance(old, dict) and isinstance(new, dict):
        return old.keys() == new.keys() and all(same(old[k], new[k]) for k in old)
    return type(old) is type(new) and old == new


def is_team_file(name: str) -> bool:
    return is_team_file_name(name) and "/" not in name


# --- many versions of one file: parse once, then patch changed value lines -----------------
#
# Consecutive versions of a team file mostly differ in a value or two (`current: 68` ->
# `current: 70`). One version is parsed in full, noting on which line each KR field's
# one-line scalar value sits; a neighbouring version (newer or older: the history is read
# newest first) whose only changed lines are such value lines, with the key part unchanged,
# or that adds or takes away one such line, is read by parsing just those values. Anything
# else (a key renamed, a value that spans lines, flow style …) is parsed in full. Unchanged
# KRs keep the very same field dicts, so comparing versions is an identity check.

_ODD_LINE_BREAK = re.compile("\r(?!\n)")
_KEY_PREFIX = re.compile(r"[ -]*")
_NOT_A_SCALAR = object()
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?\Z")  # what any reader reads as one number


@pickled_as_call
@dataclass(frozen=True, slots=True)
class Parsed:
    """One version of a team file, and what it takes to read the next one cheaply."""

    snapshot: Snapshot | None
    lines: list[str] | None = None
    index: dict[int, tuple[str, str, int]] | None = None  # line -> (OBJ/KR, field, value col)


def parse(raw: bytes) -> Parsed:
    """A full parse, with the line index of KR values when the fast reader takes the text
    (the index needs libyaml's nodes, so this composes rather than calling load_fast)."""
    return parse_with_data(raw)[0]


def parse_with_data(raw: bytes) -> tuple[Parsed, dict[str, Any] | None, str | None]:
    """parse, the data the fast reader read (None when it did not take the text) and the
    text `decode` made of the bytes (None when it refused them): what the loader validates,
    so that a file read for both is decoded and parsed once."""
    try:
        text = decode(raw)
    except YamlProblem:
        return Parsed(None), None, None
    if _ODD_LINE_BREAK.search(text):
        return Parsed(snapshot(raw)), None, text
    try:
        node = yaml_fast.compose_fast(text)
        tree = yaml_fast.load_fast_node(node)
    except NeedsStrictReader:
        return Parsed(snapshot(raw)), None, text
    lines = text.split("\n")
    parsed = Parsed(snapshot_of(tree), lines, _line_index(node, lines))
    return parsed, tree if isinstance(tree, dict) else None, text


def lines_of(raw: bytes) -> list[str]:
    """The lines `parse` keeps, of bytes it took (so they decode, and its guards are not run
    again): to send a Parsed between processes without its text."""
    return raw.decode("utf-8").removeprefix(BOM).split("\n")


def _line_index(root: Any, lines: list[str]) -> dict[int, tuple[str, str, int]]:
    """Lines holding exactly one KR field's one-line scalar value, in block style."""
    from yaml import ScalarNode

    index: dict[int, tuple[str, str, int]] = {}
    crowded: set[int] = set()
    objective_ids: set[str] = set()
    for objective in _node_items(_node_value(root, "objectives")):
        objective_id = _node_id(objective)
        if objective_id is None or objective_id in objective_ids:
            continue  # the same rule as snapshot_of: the first of a repeated id wins
        objective_ids.add(objective_id)
        kr_ids: set[str] = set()
        for kr in _node_items(_node_value(objective, "key_results")):
            kr_id = _node_id(kr)
            if kr_id is None or kr_id in kr_ids:
                continue
            kr_ids.add(kr_id)
            address = f"{objective_id}/{kr_id}"
            # Run for every field of every KR of a company's files: each mark is read once,
            # and the key's indent (spaces and a list's dash only) is tested by strip, not a
            # regex (the index of 500 files of 20 KRs: 39 -> 29 ms).
            for key, value in kr.value:
                if not isinstance(value, ScalarNode) or key.value == "id":
                    continue
                start, key_start = value.start_mark, key.start_mark
                line = start.line
                if (
                    value.end_mark.line != line
                    or key_start.line != line
                    or lines[line][: key_start.column].strip(" -")
                ):
                    continue
                if line in index or line in crowded:
                    crowded.add(line)
                    index.pop(line, None)
                    continue
                index[line] = (address, key.value, start.column)
    return index


def _node_value(mapping: Any, name: str) -> Any:
    import yaml

    if isinstance(mapping, yaml.MappingNode):
        for key, value in mapping.value:
            if key.value == name:
                return value
    return None


def _node_items(sequence: Any) -> Iterator[Any]:
    import yaml

    if isinstance(sequence, yaml.SequenceNode):
        yield from (item for item in sequence.value if isinstance(item, yaml.MappingNode))


def _node_id(mapping: Any) -> str | None:
    import yaml

    node = _node_value(mapping, "id")
    if not isinstance(node, yaml.ScalarNode):
        return None
    value = yaml_fast.plain_scalar(node)
    return value if _usable_id(value) else None


def patch(base: Parsed, raw: bytes) -> Parsed | None:
    """The next version read from `base` by re-reading only its changed value lines, or None
    when the change is anything else (then the caller parses the file in full)."""
    if base.snapshot is None or base.lines is None or base.index is None:
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    text = text.removeprefix("\ufeff")
    lines = text.split("\n")
    old_lines = base.lines
    if len(raw) > yamlsource.MAX_BYTES:
        return None
    if len(lines) == len(old_lines) + 1:
        return _inserted(base, lines)
    if len(lines) == len(old_lines) - 1:
        return _removed(base, lines)
    if len(lines) != len(old_lines):
        return None
    changed = list(compress(range(len(lines)), map(ne, old_lines, lines)))
    if not changed:
        return None
    result = dict(base.snapshot)
    for number in changed:
        entry = base.index.get(number)
        if entry is None:
            return None
        key, name, column = entry
        old_line, new_line = old_lines[number], lines[number]
        if new_line[:column] != old_line[:column] or _ODD_LINE_BREAK.search(new_line + "\n"):
            return None
        try:
            yamlsource.check_text(new_line)
        except YamlProblem:
            return None
        fields = base.snapshot[key]
        old_value = _scalar(old_line[column:])
        new_value = _scalar(new_line[column:])
        if old_value is _NOT_A_SCALAR or new_value is _NOT_A_SCALAR:
            return None
        if not same(plain(old_value), fields.get(name)):
            return None  # the index does not describe this line after all
        if result[key] is fields:
            result[key] = dict(fields)
        result[key][name] = plain(new_value)
    return Parsed(result, lines, base.index)


_NEW_KEY = re.compile(r"( *)([A-Za-z_][A-Za-z0-9_]*):( +)")


def _inserted(base: Parsed, lines: list[str]) -> Parsed | None:
    """The next version when all it does is add one `key: value` line to a KR right below
    a value line of that KR, at the same indent (a KR's first check-in adds `current:`
    below `target:`): a line there belongs to the same block mapping. Else None."""
    assert base.snapshot is not None and base.lines is not None and base.index is not None
    old_lines = base.lines
    at = next(
        (n for n, (a, b) in enumerate(zip(old_lines, lines[:-1], strict=True)) if a != b),
        len(old_lines),
    )
    entry = base.index.get(at - 1)
    if entry is None or lines[at + 1 :] != old_lines[at:]:
        return None
    key, above, _ = entry
    new_line = lines[at]
    match = _NEW_KEY.match(new_line)
    indent = _KEY_PREFIX.match(old_lines[at - 1])
    if match is None or indent is None or len(match.group(1)) != indent.end():
        return None
    name = match.group(2)
    fields = base.snapshot[key]
    if name == "id" or name in fields or _ODD_LINE_BREAK.search(new_line + "\n"):
        return None  # a repeated key is the full parse's to report
    try:
        yamlsource.check_text(new_line)
    except YamlProblem:
        return None
    value = _scalar(new_line[match.end() :])
    if value is _NOT_A_SCALAR:
        return None
    grown: Fields = {}
    for field_name, field_value in fields.items():  # in file order, as a full parse has them
        grown[field_name] = field_value
        if field_name == above:
            grown[name] = plain(value)
    result = dict(base.snapshot)
    result[key] = grown
    index = {(n if n < at else n + 1): found for n, found in base.index.items()}
    index[at] = (key, name, match.end())
    return Parsed(result, lines, index)


def _removed(base: Parsed, lines: list[str]) -> Parsed | None:
    """The next version when all it does is take away one KR value line that holds only its
    key (not the first key of a `- ` item) and a one-line value: `_inserted` backwards, as
    the history is read from its newest end. Else None."""
    assert base.snapshot is not None and base.lines is not None and base.index is not None
    old_lines = base.lines
    at = next(
        (n for n, (a, b) in enumerate(zip(lines, old_lines[:-1], strict=True)) if a != b),
        len(lines),
    )
    entry = base.index.get(at)
    if entry is None or lines[at:] != old_lines[at + 1 :]:
        return None
    key, name, column = entry
    gone = old_lines[at]
    if "-" in gone[: len(gone) - len(gone.lstrip(" -"))]:
        return None  # `- key: value` starts its item: without it the item is another shape
    fields = base.snapshot[key]
    value = _scalar(gone[column:])
    if value is _NOT_A_SCALAR or not same(plain(value), fields.get(name)):
        return None  # the index does not describe this line after all
    result = dict(base.snapshot)
    result[key] = {field: value for field, value in fields.items() if field != name}
    index = {(n if n < at else n - 1): found for n, found in base.index.items() if n != at}
    return Parsed(result, lines, index)


def _scalar(tail: str) -> Any:
    """The value written after `key: ` on one line, or _NOT_A_SCALAR."""
    tail = tail.rstrip("\r")
    if _PLAIN_NUMBER.match(tail):  # most value lines: `current: 68`, read as a full parse would
        return resolve_plain(tail)
    if tail.strip()[:1] in ("", "#", "|", ">", "&", "*", "!", "{", "[", "-", "?", "%"):
        return _NOT_A_SCALAR
    try:
        try:
            tree = load_fast("k: " + tail)
        except NeedsStrictReader:
            tree = load_positioned("k: " + tail).data
    except YamlProblem:
        return _NOT_A_SCALAR
    if not isinstance(tree, dict) or list(tree) != ["k"]:
        return _NOT_A_SCALAR
    value = tree["k"]
    return _NOT_A_SCALAR if value is None or isinstance(value, list | dict) else value


def share(before: Snapshot, after: Snapshot) -> None:
    """Let `after` reuse the field dicts `before` has with the same content."""
    for key, fields in after.items():
        old = before.get(key)
        if old is not None and old is not fields and old == fields and same(old, fields):
            after[key] = old
