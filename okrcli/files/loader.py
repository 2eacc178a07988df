"""A cycle's team files, validated: teams and positioned diagnostics.

read each team file of a cycle (cached by content) -> cross-file checks (alignment). Every
problem becomes a Diagnostic; nothing here raises for bad files. The OKR root, its
okr.yaml and its cycles are workspace.py's.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol

from okrcli.core.errors import Diagnostic
from okrcli.core.model import (
    Config,
    CycleSpan,
    DataSource,
    KeyResult,
    Objective,
    Person,
    Team,
    layout,
)
from okrcli.files import alignment, cache, codec, forked
from okrcli.files.alignment import AlignRef
from okrcli.files.diagnostics import diagnostic, positioned_diagnostics
from okrcli.files.teamfile import FileResult, read_team_file
from okrcli.files.workspace import CONFIG_FILE, Workspace, is_team_file_name, team_id_of
from okrcli.files.yaml_strict import load_positioned
from okrcli.files.yamlsource import Positioned, decode

if TYPE_CHECKING:  # a command that reads no history never imports it
    from okrcli.files import snapshot


# Part of every cache key: a change to any of these classes (or to how codec.py writes
# them: bump the number) changes the key, so an entry written for an older layout is never
# read back into a newer one.
_RESULT_FORMAT = "result-3" + layout(
    FileResult,
    AlignRef,
    Team,
    Objective,
    KeyResult,
    Config,
    CycleSpan,
    Person,
    DataSource,
    Diagnostic,
)


def _encode_result(result: FileResult) -> list[Any]:
    return [
        None if result.team is None else codec.encode_team(result.team),
        [codec.encode_diagnostic(d) for d in result.diagnostics],
        [codec.encode_align_ref(ref) for ref in result.aligns],
        None if result.objective_ids is None else list(result.objective_ids),
    ]


@codec.checked
def _decode_result(value: Any) -> tuple[FileResult, Any]:
    """A cached FileResult without its team, and the team as the cache holds it (None when
    the file has errors): building a company's teams is most of a warm run's work, and
    validate or piped JSON need none of them (see CycleData)."""
    team, diagnostics, aligns, objective_ids = codec.items(value, 4)
    codec.require(team is None or type(team) is list)
    result = FileResult(
        None,
        codec.decode_diagnostics(diagnostics),
        codec.decode_align_refs(aligns),
        None if objective_ids is None else codec.decode_texts(objective_ids),
    )
    return result, team


_decode_team = codec.checked(codec.decode_team)


@dataclass(frozen=True, slots=True)
class _CachedTeam:
    """A valid team file's team as the cache holds it, built when first asked for."""

    path: str
    entry_key: str
    written: Any

    def build(self, workspace: Workspace, raw: bytes) -> Team | None:
        team = _decode_team(self.written)
        if team is None:  # a damaged entry after all
            team = _read_afresh(workspace, self.path, raw, self.entry_key).team
            workspace.store.save()
        return team


@dataclass
class CycleData:
    workspace: Workspace
    cycle: CycleSpan
    diagnostics: list[Diagnostic] = field(default_factory=list)
    texts: dict[str, bytes] = field(default_factory=dict)
    # The valid team files by path, in file-name order: each team built, or still as the
    # cache holds it until first asked for (read it through team_paths, teams and team()).
    found: dict[str, Team | _CachedTeam] = field(default_factory=dict)
    # The files parsed afresh as history versions too, by blob id (load_cycle's `versions`):
    # the history starts from them instead of parsing them again.
    versions: dict[str, snapshot.Parsed] = field(default_factory=dict)

    @property
    def team_paths(self) -> list[str]:
        """The paths of the valid team files, in file-name order (builds no team)."""
        return list(self.found)

    @property
    def teams(self) -> list[Team]:
        """The valid team files' teams, in file-name order."""
        built = [self.team(path) for path in list(self.found)]
        return [team for team in built if team is not None]

    def team(self, path: str) -> Team | None:
        """The team of the valid team file at `path` (None only when a damaged cache entry
        said it was valid and it is not)."""
        found = self.found[path]
        if isinstance(found, _CachedTeam):
            built = found.build(self.workspace, self.texts[path])
            if built is None:
                del self.found[path]
                return None
            self.found[path] = found = built
        return found

    def blocking_errors(self) -> list[Diagnostic]:
        """Errors that stop reports on this cycle: its own files' and okr.yaml's. A folder
        elsewhere named like a cycle is reported by validate but blocks nothing here."""
        prefix = f"{self.cycle.id}/"
        return [
            d
            for d in self.diagnostics
            if d.severity == "error" and (d.path == CONFIG_FILE or d.path.startswith(prefix))
        ]


def _cycle_start(workspace: Workspace, path: str) -> dt.date | None:
    """The start of the file's cycle, which its `closed:` date must not precede."""
    span = workspace.cycles.get(path.split("/", 1)[0])
    return None if span is None else span.start


def _result_key(workspace: Workspace, path: str, raw: bytes) -> str:
    return cache.key(
        _RESULT_FORMAT,
        path,
        workspace.source.blob_id(path, raw),
        _lint_fingerprint(workspace.config),
        str(_cycle_start(workspace, path)),  # `closed:` is checked against it
    )


def _cached_result(
    workspace: Workspace,
    path: str,
    raw: bytes,
    positioned: Positioned | None = None,
    tree: dict[str, Any] | None = None,
) -> tuple[FileResult, _CachedTeam | None]:
    """read_team_file through the cache (keyed by the bytes' blob id, never stale); a
    cached valid file's team comes apart, still as the cache holds it."""
    entry_key = _result_key(workspace, path, raw)
    cached = _decode_result(workspace.store.get(entry_key))
    if cached is None:
        return _read_afresh(workspace, path, raw, entry_key, positioned, tree), None
    result, written = cached
    return result, None if written is None else _CachedTeam(path, entry_key, written)


class Waiting(Protocol):
    """Work for this process while it reads a cold cycle's files beside a forked child (a
    history read's early start, versions.EarlyRead): a little `between` the files it reads,
    and the rest once its own part is done (called, once; see forked.map_split)."""

    def between(self) -> None: ...

    def __call__(self) -> None: ...


def _read_all(
    workspace: Workspace,
    files: list[tuple[str, bytes]],
    tick: Callable[[int, int], None] | None = None,
    versions: dict[str, snapshot.Parsed] | None = None,
    waiting: Waiting | None = None,
) -> dict[str, tuple[FileResult, _CachedTeam | None]]:
    """_cached_result of every file; the ones the cache lacks are read on two cores when
    there are many (a company's first run, or one after an upgrade). `tick` hears of the
    files read (the child's as many as this process's: both halves go at one pace). Each
    file read afresh is also kept in `versions`, when given, as the history reads it."""
    found: dict[str, tuple[FileResult, _CachedTeam | None]] = {}
    missing: list[tuple[str, bytes, str]] = []
    for path, raw in files:
        entry_key = _result_key(workspace, path, raw)
        cached = _decode_result(workspace.store.get(entry_key))
        if cached is None:
            missing.append((path, raw, entry_key))
            continue
        result, written = cached
        found[path] = result, None if written is None else _CachedTeam(path, entry_key, written)

    pace = 2 if forked.worth_forking(len(missing)) else 1
    parent = os.getpid()
    total = len(files)
    done = total - len(missing)

    def read(item: tuple[str, bytes, str]) -> tuple[FileResult, snapshot.Parsed | None]:
        nonlocal done
        in_child = os.getpid() != parent
        if not in_child:
            if tick is not None:
                tick(min(done, total), total)
                done += pace
            if waiting is not None:
                waiting.between()
        path, raw, entry_key = item
        version, tree, text = _parsed_with_data(raw) if versions is not None else (None, None, None)
        start = _cycle_start(workspace, path)
        result = read_team_file(path, raw, workspace.config, None, start, tree, text)
        # Put where it is read: the child's entries come back encoded, and this process
        # takes in the child's half only once the child is done, when nothing else runs.
        workspace.store.put(entry_key, _encode_result(result), label=path)
        if version is None or version.lines is None:
            return result, None
        if in_child:  # sent back without its lines (the text's, rebuilt there)
            return result, replace(version, lines=None)
        return result, version

    def keep(item: tuple[str, bytes, str], got: tuple[FileResult, snapshot.Parsed | None]) -> None:
        (path, raw, _), (result, version) = item, got
        found[path] = result, None
        if versions is not None and version is not None:
            oid = workspace.source.blob_id(path, raw)
            if version.lines is None:
                from okrcli.files.snapshot import lines_of

                version = replace(version, lines=lines_of(raw))
            versions[oid] = version

    # This process's results are kept, and `waiting` called, while the child finishes.
    cache.map_split_keeping(workspace.store, read, missing, then=keep, waiting=waiting)
    if tick is not None:
        tick(total, total)
    return found


def _parsed_with_data(
    raw: bytes,
) -> tuple[snapshot.Parsed, dict[str, Any] | None, str | None]:
    from okrcli.files.snapshot import parse_with_data

    return parse_with_data(raw)


def _read_afresh(
    workspace: Workspace,
    path: str,
    raw: bytes,
    entry_key: str,
    positioned: Positioned | None = None,
    tree: dict[str, Any] | None = None,
) -> FileResult:
    """read_team_file, and its result kept in the cache (replacing a damaged entry)."""
    cycle_start = _cycle_start(workspace, path)
    result = read_team_file(path, raw, workspace.config, positioned, cycle_start, tree)
    workspace.store.put(entry_key, _encode_result(result), label=path)
    return result


def team_file_result(
    workspace: Workspace,
    path: str,
    raw: bytes,
    positioned: Positioned | None = None,
    tree: dict[str, Any] | None = None,
) -> FileResult:
    """read_team_file through the cache: keyed by the bytes' blob id, never stale.
    `positioned` or `tree`: what the bytes read as, when the caller has read them."""
    result, cached = _cached_result(workspace, path, raw, positioned, tree)
    if cached is None:
        return result
    team = _decode_team(cached.written)
    if team is None:  # a damaged entry after all
        return _read_afresh(workspace, path, raw, cached.entry_key, positioned, tree)
    return FileResult(team, result.diagnostics, result.aligns, result.objective_ids)


def team_file_findings(
    workspace: Workspace,
    path: str,
    raw: bytes,
    positioned: Positioned | None = None,
    tree: dict[str, Any] | None = None,
) -> tuple[bool, tuple[Diagnostic, ...]]:
    """Whether the file validates, and its diagnostics: team_file_result for a writer,
    which needs no team, so a cached valid file's team is not built (a sync writes 50)."""
    result, cached = _cached_result(workspace, path, raw, positioned, tree)
    return cached is not None or result.team is not None, result.diagnostics


def load_cycle(
    workspace: Workspace,
    cycle: CycleSpan,
    tick: Callable[[int, int], None] | None = None,
    versions: bool = False,
    waiting: Waiting | None = None,
) -> CycleData:
    """Every team file of the cycle, read through the cache; `tick(done, total)` is told
    how far it got (the CLI draws progress with it). With `versions`, the files parsed
    afresh are kept as history versions too (CycleData.versions), for a command that reads
    the history next. `waiting`: see Waiting (called once, before this returns)."""
    source = workspace.source
    names = [n for n in source.files(cycle.id) if is_team_file_name(n)]
    data = CycleData(workspace, cycle, list(workspace.diagnostics))
    results: list[tuple[str, FileResult]] = []
    seen_ids: dict[str, str] = {}
    files = [(f"{cycle.id}/{name}", source.read(f"{cycle.id}/{name}")) for name in names]
    kept = data.versions if versions else None
    present = [(p, raw) for p, raw in files if raw is not None]
    read = _read_all(workspace, present, tick, kept, waiting)
    for path, raw in files:
        if raw is None:
            continue
        data.texts[path] = raw
        result, cached = read[path]
        team_id = team_id_of(path)
        if team_id in seen_ids:
            cached = None
            result = FileResult(
                None,
                (
                    diagnostic(
                        path,
                        1,
                        1,
                        "E006",
                        f"team id '{team_id}' is also used by {seen_ids[team_id]}; rename one",
                    ),
                ),
                (),
            )
        seen_ids[team_id] = path
        results.append((path, result))
        found = cached or result.team
        if found is not None:
            data.found[path] = found
    if tick is not None:
        tick(len(names), len(names))
    workspace.store.save()
    for _, result in results:
        data.diagnostics.extend(result.diagnostics)
    data.diagnostics.extend(_alignment_diagnostics(results, data.texts))
    return data


def reload_cycle(data: CycleData) -> CycleData:
    """The cycle read again (a writer, under its lock, after reading it without one):
    `data` itself when the same team files still hold the same bytes, since the result
    depends on nothing else; else load_cycle."""
    source = data.workspace.source
    names = [n for n in source.files(data.cycle.id) if is_team_file_name(n)]
    paths = [f"{data.cycle.id}/{name}" for name in names]
    if paths == list(data.texts) and all(source.read(p) == data.texts[p] for p in paths):
        return data
    return load_cycle(data.workspace, data.cycle)


def _lint_fingerprint(config: Config | None) -> str:
    """What of okr.yaml a team file's findings depend on: the lint settings and the names of
    the sources (E013)."""
    if config is None:
        return "defaults"
    names = sorted(source.name for source in config.sources)
    return repr((config.max_objectives, config.max_key_results, config.vague_words, names))


def _alignment_diagnostics(
    results: list[tuple[str, FileResult]], texts: dict[str, bytes]
) -> list[Diagnostic]:
    """E009 and E010 across all files of the cycle, positioned in the files they concern."""
    files = [
        (path, team_id_of(path), result.objective_ids, result.aligns) for path, result in results
    ]
    diagnostics: list[Diagnostic] = []
    for path, file_findings in alignment.findings(files).items():
        text = decode(texts[path])
        diagnostics += positioned_diagnostics(path, text, load_positioned(text), file_findings)
    return diagnostics
