"""Values of every KR across revisions: what log, diff and stale know about the past.

One `git log --raw` lists the commits that touched the cycle folder, with the blob ids of
each changed file before and after; each blob becomes a snapshot (address -> fields) through
`snapshots.Snapshots`, which reads and caches them.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from okrcli.files.workspace import Source, team_id_of
from okrcli.history import gitlog, gitread
from okrcli.history.gitrepo import GitError
from okrcli.history.message import Message, parse_message
from okrcli.history.snapshots import (
    LOG_FIELDS,
    TEAM_KEY,
    VALUE_FIELDS,
    Fields,
    Snapshot,
    Snapshots,
    is_team_file,
    same,
)

# --- commits --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Commit:
    id: str
    date: str  # author date, ISO 8601 with the author's UTC offset
    author: str
    text: str  # the message as git has it (read into a Message when first asked for)
    email: str = ""

    @property
    def day(self) -> dt.date:
        """The author's calendar date (in the author's own time zone)."""
        return dt.date.fromisoformat(self.date[:10])

    @property
    def moment(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.date)

    @property
    def message(self) -> Message:
        return _message(self.text)

    def note_for(self, kr_address: str) -> str:
        return self.message.note_for(kr_address)


# Most commits of a history are never asked for their note (those after the as-of date, or
# outside a log's filter); a commit changing many KRs is asked once for each.
_message = functools.lru_cache(maxsize=1024)(parse_message)


def _commit(log_commit: gitlog.LogCommit) -> Commit:
    return Commit(
        log_commit.id,
        log_commit.author_date,
        log_commit.author,
        log_commit.message,
        log_commit.author_email,
    )


# --- history: the steps of each team file ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class FileStep:
    """One team file across one commit; None where the file was absent (or never parsed)."""

    team: str
    before: Snapshot | None
    after: Snapshot | None
    # The keys of `after` (TEAM_KEY, OBJ, OBJ/KR, in file order) whose fields are not
    # before's very dict: all that the commit may have changed. A version read by patch
    # shares every untouched KR's fields with its neighbour, so a check-in lists one KR of
    # twenty; the walks below (run several times over a company's history) look at those.
    changed: tuple[str, ...]


def changed_keys(before: Snapshot | None, after: Snapshot | None) -> tuple[str, ...]:
    """FileStep.changed: every key of `after` when there is no `before`."""
    if after is None:
        return ()
    if before is None:
        return tuple(after)
    get = before.get
    return tuple(key for key, fields in after.items() if get(key) is not fields)


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
    log: gitread.BackgroundLog | None = None,
    early: EarlyRead | None = None,
) -> list[Step]:
    """The commits reachable from `start` that changed a team file of `folder` (a path from
    the top of the work tree), oldest first; [] when there is no commit yet. `tick(done,
    total)` hears how many file changes have been read; `full_history` see
    gitread.changes_log. `log`: the same log, started earlier (so git walked the history
    meanwhile); `early`: that log taken already, and its blobs asked for (EarlyRead)."""
    if start is None:
        return []
    snapshots = snapshots or Snapshots(top, folder)
    relevant = relevant_changes(top, start, folder, full_history, snapshots, log, early)
    steps = read_steps(relevant, snapshots, tick)
    snapshots.save()
    return steps


class EarlyRead:
    """The log taken, and the blobs of a cold history asked of git, while the cycle's
    files are still being read (loader.Waiting): the log as soon as git has walked it,
    between two files this process reads, with the blobs' sizes asked in the background;
    the blobs once this process is done with its half of the files and the forked child
    not yet, so that git inflates them on a core that would wait anyway. Only when git has
    walked the history by then: waiting for it here would hold up the files' own errors
    (and a warm run, whose files come from the cache at once), so then the history is read
    as usual, later. A failure is kept, and raised by `load` or split.load_reduced in its
    turn, after the files'."""

    def __init__(self, snapshots: Snapshots, folder: str, log: gitread.BackgroundLog) -> None:
        self.snapshots, self.folder, self.log = snapshots, folder, log
        self.relevant: list[tuple[gitlog.LogCommit, list[gitlog.FileChange]]] | None = None
        self.error: Exception | None = None
        self._prefetching = False

    def between(self) -> None:
        """Called between the files this process reads (loader.Waiting.between):
        once git has walked the history, the log is taken and git asked the sizes of its
        blobs in the background, so that they are known when this process is done."""
        if self.relevant is not None or self.error is not None or not self.log.finished():
            return
        try:
            relevant = _logged(self.log, self.snapshots, self.folder)
            self.snapshots.plan(blob_ids(relevant), background=True)
        except (GitError, OSError) as error:
            self.error = error
            return
        self.relevant = relevant

    def __call__(self) -> None:
        self.between()
        if self.relevant is None or self.error is not None or self._prefetching:
            return
        self._prefetching = True
        try:
            # The newest version of each file is the file as it stands, which the loader
            # parses (the seeds): only where the work tree differs is it read after all.
            newest = {c.path: c.new for _, changes in self.relevant for c in changes}
            self.snapshots.prefetch_start(skip={oid for oid in newest.values() if oid})
        except (GitError, OSError) as error:
            self.error = error


def blob_ids(relevant: list[tuple[gitlog.LogCommit, list[gitlog.FileChange]]]) -> Iterator[str]:
    """The versions these changes name, newest first (as read_back reads them)."""
    for _, changes in reversed(relevant):
        for change in changes:
            yield from (oid for oid in (change.new, change.old) if oid)


def relevant_changes(
    top: Path,
    start: str,
    folder: str,
    full_history: bool,
    snapshots: Snapshots,
    log: gitread.BackgroundLog | None,
    early: EarlyRead | None,
) -> list[tuple[gitlog.LogCommit, list[gitlog.FileChange]]]:
    """The commits of the log, each with its changes of the folder's team files: as the
    early read took them, else from `log` (started earlier), else from git now."""
    if early is not None and early.error is not None:
        raise early.error
    if early is not None and early.relevant is not None:
        return early.relevant
    if log is not None:
        return _logged(log, snapshots, folder)
    inside = folder.rstrip("/") + "/"
    return _in_folder_changes(gitread.changes_log(top, start, folder, full_history), inside)


def _logged(
    log: gitread.BackgroundLog, snapshots: Snapshots, folder: str
) -> list[tuple[gitlog.LogCommit, list[gitlog.FileChange]]]:
    inside = folder.rstrip("/") + "/"
    return _in_folder_changes(log.result(_recaller(snapshots, inside)), inside)


def _in_folder_changes(
    commits: list[gitlog.LogCommit], inside: str
) -> list[tuple[gitlog.LogCommit, list[gitlog.FileChange]]]:
    return [
        (commit, [c for c in commit.changes if _in_folder(c.path, inside)]) for commit in commits
    ]


def read_steps(
    relevant: list[tuple[gitlog.LogCommit, list[gitlog.FileChange]]],
    snapshots: Snapshots,
    tick: Callable[[int, int], None] | None,
) -> list[Step]:
    newest_first = [(c.path, c.old, c.new) for _, changes in reversed(relevant) for c in changes]
    snapshots.plan(blob_ids(relevant))
    snapshots.read_back(newest_first, tick)
    return list(_steps(relevant, snapshots))


def _recaller(snapshots: Snapshots, inside: str) -> Callable[[list[gitlog.LogCommit]], None]:
    """What to do with the commits git lists while it still runs: look their versions up
    in the cache, so that little is left to do once it is done. A batch of which the cache
    has none says the cache is cold: then the rest waits for git (reading blobs is plan's)."""
    cold = False

    def recall(commits: list[gitlog.LogCommit]) -> None:
        nonlocal cold
        if not cold:
            changes = [c for commit in commits for c in commit.changes]
            oids = [oid for c in changes if _in_folder(c.path, inside) for oid in (c.old, c.new)]
            cold = snapshots.recall(oid for oid in oids if oid) == 0 and bool(oids)

    return recall


def _in_folder(path: str, inside: str) -> bool:
    return path.startswith(inside) and is_team_file(path[len(inside) :])


def _steps(
    relevant: list[tuple[gitlog.LogCommit, list[gitlog.FileChange]]], snapshots: Snapshots
) -> Iterator[Step]:
    """Pair each change's before and after. A version that does not parse is passed over:
    the change after it is measured from the last version before it that did (found by
    blob id, so on its own branch: two branches' versions interleave by date)."""
    stand_ins: dict[str, Snapshot] = {}  # blob id of an unparseable version -> the last good
    for log_commit, changes in relevant:
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
            files.append(
                FileStep(team_id_of(change.path), before, after, changed_keys(before, after))
            )
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
            for key in file.changed:
                old_fields, new_fields = before.get(key), after[key]
                if old_fields is None or "/" not in key:
                    continue
                for name in fields:
                    old, new = old_fields.get(name), new_fields.get(name)
                    if not same(old, new):
                        found.append(FieldChange(step.commit, f"{file.team}/{key}", name, old, new))
    return found


def kr_versions(
    steps: Iterable[Step], as_of: dt.date
) -> Iterator[tuple[Step, str, Fields | None, Fields]]:
    """Each KR version a commit dated on or before `as_of` wrote: (step, address, its fields
    before or None when it appeared, its fields after). A KR the commit left alone (its
    fields dict shared with the version before, see snapshots.patch) is not one."""
    for step in steps:
        if step.commit.day > as_of:
            continue
        for file in step.files:
            after = file.after
            if after is None:
                continue
            before = file.before or {}
            for key in file.changed:
                if "/" in key:
                    yield step, f"{file.team}/{key}", before.get(key), after[key]


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
    moments: dict[str, dt.datetime] = {}  # by commit id, each parsed once

    def newer(commit: Commit, known: Commit) -> bool:
        if commit.id not in moments:
            moments[commit.id] = commit.moment
        if known.id not in moments:
            moments[known.id] = known.moment
        return moments[commit.id] >= moments[known.id]

    held = now or {}
    for step, address, old_fields, new_fields in kr_versions(steps, as_of):
        values = tuple(map(new_fields.get, VALUE_FIELDS))
        if old_fields is not None and _same_values(
            tuple(map(old_fields.get, VALUE_FIELDS)), values
        ):
            continue
        commit = step.commit
        # Most addresses are found once (a KR added, then never changed): no comparing.
        known = latest.get(address)
        if known is None or newer(commit, known):
            latest[address] = commit
        held_values = held.get(address)
        if held_values is not None and _same_values(held_values, values):
            known = kept.get(address)
            if known is None or newer(commit, known):
                kept[address] = commit
    return latest | kept


def _same_values(old: tuple[object, ...], new: tuple[object, ...]) -> bool:
    """same(), item by item (most values are the very same objects)."""
    if len(old) != len(new):
        return False
    # A loop, not all() over a generator: this runs once per KR version, ~10^4 times.
    for a, b in zip(old, new, strict=True):  # noqa: SIM110
        if a is not b and not same(a, b):
            return False
    return True


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
    entries = gitread.tree_entries(top, f"{commit}:{folder}") or []
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


def files_in(source: Source, folder: str, snapshots: Snapshots) -> dict[str, Snapshot | None]:
    """The team files of a cycle folder as a source has them (the working tree), by file
    name (None: not parseable)."""
    found: dict[str, Snapshot | None] = {}
    if folder not in source.folders():
        return found
    for name in source.files(folder):
        raw = source.read(f"{folder}/{name}") if is_team_file(name) else None
        if raw is not None:
            found[name] = snapshots.of_bytes(raw)
    return found
