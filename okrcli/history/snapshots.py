"""One team file's version as a snapshot (address -> fields), and snapshots cached by blob id.

A blob is reduced once to a snapshot; blobs never change, so the snapshot is cached under
the blob's id and a warm run reads no blob at all. Versions of one file are read each from
the one before where they can be (`patch`), in batches of `git cat-file --batch`.

Only the raw parsed data is used, never validation: log and diff must read revisions whose
files parse as YAML but do not validate. Wrong types are carried along as they are.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeGuard

from okrcli.files import cache, yaml_fast, yamlsource
from okrcli.files.workspace import git_blob_id, is_team_file_name
from okrcli.files.yaml_fast import load_fast
from okrcli.files.yaml_strict import load_positioned
from okrcli.files.yamlsource import NeedsStrictReader, YamlProblem, decode
from okrcli.history import gitrepo, snapshot_codec

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
# `current: 70`). The first version of a file is parsed in full, noting on which line each
# KR field's one-line scalar value sits; a later version whose only changed lines are such
# value lines, with the key part unchanged, is read by parsing just those values. Anything
# else (a line added, a key renamed, a value that spans lines, flow style …) is parsed in full.
# Unchanged KRs keep the very same field dicts, so comparing versions is an identity check.

_ODD_LINE_BREAK = re.compile("\r(?!\n)")
_KEY_INDENT = re.compile(r"[ -]*\Z")
_NOT_A_SCALAR = object()


@dataclass(frozen=True, slots=True)
class Parsed:
    """One version of a team file, and what it takes to read the next one cheaply."""

    snapshot: Snapshot | None
    lines: list[str] | None = None
    index: dict[int, tuple[str, str, int]] | None = None  # line -> (OBJ/KR, field, value col)


def parse(raw: bytes) -> Parsed:
    """A full parse, with the line index of KR values when the fast reader takes the text
    (the index needs libyaml's nodes, so this composes rather than calling load_fast)."""
    try:
        text = decode(raw)
    except YamlProblem:
        return Parsed(None)
    if _ODD_LINE_BREAK.search(text):
        return Parsed(snapshot(raw))
    try:
        node = yaml_fast.compose_fast(text)
        tree = yaml_fast.load_fast_node(node)
    except NeedsStrictReader:
        return Parsed(snapshot(raw))
    lines = text.split("\n")
    return Parsed(snapshot_of(tree), lines, _line_index(node, lines))


def _line_index(root: Any, lines: list[str]) -> dict[int, tuple[str, str, int]]:
    """Lines holding exactly one KR field's one-line scalar value, in block style."""
    import yaml

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
            for key, value in kr.value:
                line = value.start_mark.line
                if (
                    key.value == "id"
                    or not isinstance(value, yaml.ScalarNode)
                    or value.end_mark.line != line
                    or key.start_mark.line != line
                    or not _KEY_INDENT.match(lines[line][: key.start_mark.column])
                ):
                    continue
                if line in index or line in crowded:
                    crowded.add(line)
                    index.pop(line, None)
                    continue
                index[line] = (f"{objective_id}/{kr_id}", key.value, value.start_mark.column)
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
    if len(lines) != len(old_lines) or len(raw) > yamlsource.MAX_BYTES:
        return None
    changed = [n for n, (old, new) in enumerate(zip(old_lines, lines, strict=True)) if old != new]
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


def _scalar(tail: str) -> Any:
    """The value written after `key: ` on one line, or _NOT_A_SCALAR."""
    tail = tail.rstrip("\r")
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


# --- snapshots, cached by blob id -----------------------------------------------------------


class Snapshots:
    """Snapshots of blobs by id: from the cache, else read from git and kept there.

    Blobs are read in batches, in the order they will be needed, bounded in number and in
    bytes (git tells their sizes first), so that a long history of a large file never sits
    in memory at once; a blob over the size limit is never read (it is no version okr
    reads). Versions of one file are read in order, each from the one before where it can
    be (see patch); the last few parsed versions are kept for that, up to a memory bound.
    """

    BATCH = 256  # blobs per `git cat-file --batch`, at most
    BATCH_BYTES = 32 * 1024 * 1024  # their content, at most (but at least one blob)
    KEEP_BYTES = 32 * 1024 * 1024  # text of parsed versions kept as bases for patching

    def __init__(self, top: Path, namespace: str) -> None:
        self.top = top
        self.store = cache.Store(f"history\0{top}\0{namespace}")
        # Under a replaced id git reads another object's content, and `git replace -d`
        # brings the original back: such an id is no name for one content, so its
        # snapshot is never cached.
        self._replaced = gitrepo.replaced_objects(top)
        self.known: dict[str, Snapshot | None] = {}
        self._missing: dict[str, int] = {}  # ids to read from git -> order of use
        self._queue: list[str] = []
        self._sizes: dict[str, int] = {}  # of the ids to read (0: missing in git)
        self._blobs: dict[str, bytes] = {}
        self._parsed: dict[str, tuple[Parsed, int]] = {}
        self._parsed_bytes = 0

    def plan(self, oids: Iterable[str]) -> None:
        """Look the ids up in the cache; those missing are read from git when first needed."""
        new = []
        for oid in dict.fromkeys(oids):
            if snapshot_codec.load(self.store, oid, self.known, self._replaced):
                continue  # known already, or now from the cache
            if oid not in self._missing:
                self._missing[oid] = len(self._queue)
                self._queue.append(oid)
                new.append(oid)
        sizes = gitrepo.blob_sizes(self.top, new)
        self._sizes.update((oid, sizes.get(oid, 0)) for oid in new)

    def recall(self, oids: Iterable[str]) -> int:
        """Look the ids up in the cache only (never git), and say how many it had: what a
        warm read can do while git is still listing the commits."""
        return sum(snapshot_codec.load(self.store, oid, self.known, self._replaced) for oid in oids)

    def _raw(self, oid: str) -> bytes | None:
        """A blob's bytes, read with the next ones planned (each blob is read once)."""
        if oid not in self._blobs:
            start = self._missing.get(oid)
            batch = [oid] if start is None else self._batch(start)
            self._blobs.update(gitrepo.read_blobs(self.top, batch))
            for read in batch:
                self._missing.pop(read, None)
        return self._blobs.pop(oid, None)

    def _batch(self, start: int) -> list[str]:
        """The blobs to read next, from the queue's `start` on: those not read yet, up to
        BATCH of them and BATCH_BYTES of content, and always the one at `start`."""
        batch: list[str] = []
        total = 0
        for oid in self._queue[start:]:
            if oid not in self._missing or self._too_large(oid):
                continue
            size = self._sizes.get(oid, 0)
            if batch and (len(batch) == self.BATCH or total + size > self.BATCH_BYTES):
                break
            batch.append(oid)
            total += size
        return batch

    def _too_large(self, oid: str) -> bool:
        if oid not in self._sizes:  # an id that was not planned
            self._sizes[oid] = gitrepo.blob_sizes(self.top, [oid]).get(oid, 0)
        return self._sizes[oid] > yamlsource.MAX_BYTES

    def version(self, oid: str, before: str | None = None) -> Snapshot | None:
        """The snapshot of blob `oid`, read from version `before` of the same file if it can."""
        if oid in self.known:
            return self.known[oid]
        if self._too_large(oid):  # no version okr reads, like one that does not parse
            self._missing.pop(oid, None)
            self._remember(oid, None)
            return None
        raw = self._raw(oid)
        if raw is None:  # not in this repository (a shallow clone): unknown, not remembered
            return None
        kept = self._parsed.get(before) if before else None
        base = kept[0] if kept is not None else None
        patched = patch(base, raw) if base is not None else None
        parsed = patched or parse(raw)
        previous = self.known.get(before) if before else None
        if patched is None and previous is not None and parsed.snapshot is not None:
            share(previous, parsed.snapshot)
        self._keep(oid, parsed, len(raw))
        self._remember(oid, parsed.snapshot, before, previous)
        return parsed.snapshot

    def _remember(
        self,
        oid: str,
        snapshot: Snapshot | None,
        before: str | None = None,
        previous: Snapshot | None = None,
    ) -> None:
        """Know the snapshot, and cache it (stored against `before`'s when that one is
        cached too) unless its id is replaced."""
        self.known[oid] = snapshot
        if oid in self._replaced:
            return
        if before in self._replaced:
            before = previous = None
        self.store.put(snapshot_codec.key(oid), snapshot_codec.encode(snapshot, before, previous))

    def _keep(self, oid: str, parsed: Parsed, size: int) -> None:
        if parsed.lines is None:
            return
        self._parsed[oid] = (parsed, size)
        self._parsed_bytes += size
        while self._parsed_bytes > self.KEEP_BYTES and len(self._parsed) > 1:
            oldest = next(iter(self._parsed))
            self._parsed_bytes -= self._parsed.pop(oldest)[1]

    def of_bytes(self, raw: bytes) -> Snapshot | None:
        oid = git_blob_id(raw)
        known: dict[str, Snapshot | None] = {}
        if snapshot_codec.load(self.store, oid, known, ()):
            return known[oid]
        result = snapshot(raw)
        self.store.put(snapshot_codec.key(oid), snapshot_codec.encode(result, None, None))
        return result

    def save(self) -> None:
        self.store.save()
