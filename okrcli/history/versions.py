"""Values of every KR across revisions: what log, diff and stale know about the past.

One `git log --raw` lists the commits that touched the cycle folder, with the blob ids of
each changed file before and after; the blobs are read through `git cat-file --batch` (a
few hundred per process) and each is reduced once to a snapshot (address -> fields). Blobs
never change, so a snapshot is cached under its blob id and a warm run reads no blob at all.

History uses only the raw parsed data, never validation: log and diff must read revisions
whose files parse as YAML but do not validate. Wrong types are carried along as they are.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeGuard

from okrcli.files import cache, yaml_fast, yamlsource
from okrcli.files.loader import git_blob_id, is_team_file_name, team_id_of
from okrcli.files.yaml_fast import load_fast
from okrcli.files.yaml_strict import load_positioned
from okrcli.files.yamlsource import NeedsStrictReader, YamlProblem, decode
from okrcli.history import gitrepo
from okrcli.history.message import Message, parse_message

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

    Blobs are read in batches, in the order they will be needed, so that a long history of
    a large file never sits in memory at once. Versions of one file are read in order, each
    from the one before where it can be (see patch); the last few parsed versions are kept
    for that, up to a memory bound.
    """

    BATCH = 256  # blobs per `git cat-file --batch`
    KEEP_BYTES = 32 * 1024 * 1024  # text of parsed versions kept as bases for patching

    def __init__(self, top: Path, namespace: str) -> None:
        self.top = top
        self.store = cache.Store(f"history\0{top}\0{namespace}")
        self.known: dict[str, Snapshot | None] = {}
        self._missing: dict[str, int] = {}  # ids to read from git -> order of use
        self._queue: list[str] = []
        self._blobs: dict[str, bytes] = {}
        self._parsed: dict[str, tuple[Parsed, int]] = {}
        self._parsed_bytes = 0

    def plan(self, oids: Iterable[str]) -> None:
        """Look the ids up in the cache; those missing are read from git when first needed."""
        for oid in dict.fromkeys(oids):
            if oid in self.known:
                continue
            entry = self.store.get(cache.key("snapshot", oid))
            if isinstance(entry, tuple):
                self.known[oid] = entry[0]
            elif oid not in self._missing:
                self._missing[oid] = len(self._queue)
                self._queue.append(oid)

    def _raw(self, oid: str) -> bytes | None:
        """A blob's bytes, read with the next ones planned (each blob is read once)."""
        if oid not in self._blobs:
            start = self._missing.get(oid)
            batch = [oid] if start is None else self._queue[start : start + self.BATCH]
            self._blobs.update(gitrepo.read_blobs(self.top, batch))
            for read in batch:
                self._missing.pop(read, None)
        return self._blobs.pop(oid, None)

    def version(self, oid: str, before: str | None = None) -> Snapshot | None:
        """The snapshot of blob `oid`, read from version `before` of the same file if it can."""
        if oid in self.known:
            return self.known[oid]
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
        self.known[oid] = parsed.snapshot
        self.store.put(cache.key("snapshot", oid), (parsed.snapshot,))
        return parsed.snapshot

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
        entry = self.store.get(cache.key("snapshot", oid))
        if isinstance(entry, tuple):
            result: Snapshot | None = entry[0]
            return result
        result = snapshot(raw)
        self.store.put(cache.key("snapshot", oid), (result,))
        return result

    def save(self) -> None:
        self.store.save()


# --- commits --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Commit:
    id: str
    date: str  # author date, ISO 8601 with the author's UTC offset
    author: str
    message: Message

    @property
    def day(self) -> dt.date:
        """The author's calendar date (in the author's own time zone)."""
        return dt.date.fromisoformat(self.date[:10])

    @property
    def moment(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.date)

    def note_for(self, kr_address: str) -> str:
        return self.message.note_for(kr_address)


def _commit(log_commit: gitrepo.LogCommit) -> Commit:
    message = parse_message(log_commit.message)
    return Commit(log_commit.id, log_commit.author_date, log_commit.author, message)


# --- history: the steps of each team file ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class FileStep:
    """One team file across one commit; None where the file was absent (or never parsed)."""

    team: str
    before: Snapshot | None
    after: Snapshot | None


@dataclass(frozen=True, slots=True)
class Step:
    commit: Commit
    files: tuple[FileStep, ...]


def load(
    top: Path,
    start: str | None,
    folder: str,
    tick: Callable[[int, int], None] | None = None,
    full_history: bool = False,
    snapshots: Snapshots | None = None,
) -> list[Step]:
    """The commits reachable from `start` that changed a team file of `folder` (a path from
    the top of the work tree), oldest first; [] when there is no commit yet. `tick(done,
    total)` hears how many commits have been read; `full_history` see gitrepo.changes_log."""
    if start is None:
        return []
    log = gitrepo.changes_log(top, start, folder, full_history)
    inside = folder.rstrip("/") + "/"
    relevant = [
        (commit, [c for c in commit.changes if _in_folder(c.path, inside)]) for commit in log
    ]
    snapshots = snapshots or Snapshots(top, folder)
    snapshots.plan(oid for _, changes in relevant for c in changes for oid in (c.old, c.new) if oid)
    steps = list(_steps(relevant, snapshots, tick))
    if tick is not None:
        tick(len(relevant), len(relevant))
    snapshots.save()
    return steps


def _in_folder(path: str, inside: str) -> bool:
    return path.startswith(inside) and is_team_file(path[len(inside) :])


def _steps(
    relevant: list[tuple[gitrepo.LogCommit, list[gitrepo.FileChange]]],
    snapshots: Snapshots,
    tick: Callable[[int, int], None] | None = None,
) -> Iterator[Step]:
    """Pair each change's before and after. A version that does not parse is passed over:
    the change after it is measured from the last version before it that did (found by
    blob id, so on its own branch: two branches' versions interleave by date)."""
    stand_ins: dict[str, Snapshot] = {}  # blob id of an unparseable version -> the last good
    for done, (log_commit, changes) in enumerate(relevant):
        if tick is not None:
            tick(done, len(relevant))
        files = []
        for change in changes:
            before = snapshots.version(change.old) if change.old else None
            if change.old and before is None:
                before = stand_ins.get(change.old)
            after = snapshots.version(change.new, change.old) if change.new else None
            if change.new and after is None:
                if before is not None:
                    stand_ins[change.new] = before
                continue
            files.append(FileStep(team_id_of(change.path), before, after))
        if files:
            yield Step(_commit(log_commit), tuple(files))


def key_results(snapshot: Snapshot) -> Iterator[tuple[str, Fields]]:
    """(OBJ/KR, fields) of every KR in a snapshot, in file order."""
    return ((key, fields) for key, fields in snapshot.items() if "/" in key)


@dataclass(frozen=True, slots=True)
class FieldChange:
    commit: Commit
    address: str  # TEAM/OBJ/KR, relative to the cycle
    field: str
    old: Any
    new: Any


def field_changes(steps: Iterable[Step], fields: tuple[str, ...] = LOG_FIELDS) -> list[FieldChange]:
    """Each change of a KR field, in commit order; a KR's first appearance is not a change."""
    found = []
    for step in steps:
        for file in step.files:
            before, after = file.before, file.after
            if before is None or after is None:
                continue
            for key, new_fields in after.items():
                old_fields = before.get(key)
                # Unchanged KRs share their fields dict with the version before (see patch).
                if old_fields is new_fields or old_fields is None or "/" not in key:
                    continue
                for name in fields:
                    old, new = old_fields.get(name), new_fields.get(name)
                    if not same(old, new):
                        found.append(FieldChange(step.commit, f"{file.team}/{key}", name, old, new))
    return found


def last_value_changes(
    steps: Iterable[Step], as_of: dt.date, now: dict[str, tuple[object, ...]] | None = None
) -> dict[str, Commit]:
    """Per KR address, the latest commit dated on or before `as_of` that changed its value
    (`current` or `done`) or added it.

    `now` holds each KR's value fields (VALUE_FIELDS) as they stand. A commit that set the
    value a KR has now wins over a later one that set another: where a merge combined two
    sides, the value came from the side the merge kept, and that is where it last changed.
    """
    latest: dict[str, Commit] = {}
    kept: dict[str, Commit] = {}
    for step in steps:
        if step.commit.day > as_of:
            continue
        for file in step.files:
            if file.after is None:
                continue
            before = file.before or {}
            for key, new_fields in key_results(file.after):
                old_fields = before.get(key)
                if old_fields is new_fields:
                    continue
                values = [new_fields.get(name) for name in VALUE_FIELDS]
                if old_fields is not None and same(
                    [old_fields.get(name) for name in VALUE_FIELDS], values
                ):
                    continue
                address = f"{file.team}/{key}"
                _keep_newer(latest, address, step.commit)
                if now is not None and address in now and same(list(now[address]), values):
                    _keep_newer(kept, address, step.commit)
    return latest | kept


def _keep_newer(found: dict[str, Commit], address: str, commit: Commit) -> None:
    known = found.get(address)
    if known is None or commit.moment >= known.moment:
        found[address] = commit


def rewound(steps: Iterable[Step], as_of: dt.date) -> dict[str, Snapshot | None]:
    """Per team changed by a commit dated after `as_of`: the team file as it was at the last
    commit dated on or before `as_of` (None when it did not exist yet, or never parsed)."""
    then: dict[str, Snapshot | None] = {}
    later: set[str] = set()
    for step in steps:
        for file in step.files:
            if step.commit.day > as_of:
                later.add(file.team)
            else:
                then[file.team] = file.after
    return {team: then.get(team) for team in sorted(later)}


def addresses(steps: Iterable[Step]) -> list[str]:
    """Every objective and KR address that any version in the history had."""
    seen: dict[str, None] = {}
    for step in steps:
        for file in step.files:
            for version in (file.before, file.after):
                for key in version or {}:
                    if key != TEAM_KEY:
                        seen[f"{file.team}/{key}"] = None
    return list(seen)


# --- whole cycle folders: at a revision, or in the working tree -----------------------------


def files_at(
    top: Path, commit: str, folder: str, snapshots: Snapshots
) -> dict[str, Snapshot | None]:
    """The team files of `folder` at a commit, by file name (None: not parseable)."""
    entries = gitrepo.tree_entries(top, f"{commit}:{folder}") or []
    files = {e.name: e.oid for e in entries if e.is_regular_file and is_team_file(e.name)}
    snapshots.plan(files.values())
    return {name: snapshots.version(oid) for name, oid in sorted(files.items())}


def kr_fields_at(
    top: Path, commit: str | None, folder: str, snapshots: Snapshots
) -> dict[str, Fields]:
    """Every KR's fields at a commit, by TEAM/OBJ/KR (from the team files that parse)."""
    if commit is None:
        return {}
    files = files_at(top, commit, folder, snapshots)
    return {
        f"{team_id_of(name)}/{key}": fields
        for name, snapshot in files.items()
        if snapshot is not None
        for key, fields in key_results(snapshot)
    }


def files_in(folder: Path, snapshots: Snapshots) -> dict[str, Snapshot | None]:
    """The team files of a folder of the working tree, by file name (None: not parseable)."""
    found: dict[str, Snapshot | None] = {}
    try:
        names = sorted(p.name for p in folder.iterdir() if p.is_file() and is_team_file(p.name))
    except (FileNotFoundError, NotADirectoryError):
        names = []
    for name in names:
        try:
            raw = (folder / name).read_bytes()
        except OSError:
            continue
        found[name] = snapshots.of_bytes(raw)
    return found
