"""A cycle's team files, validated: teams and positioned diagnostics.

read each team file of a cycle (cached by content) -> cross-file checks (alignment). Every
problem becomes a Diagnostic; nothing here raises for bad files. The OKR root, its
okr.yaml and its cycles are workspace.py's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

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
    pickled_by_fields,
)
from okrcli.files import alignment, cache
from okrcli.files.alignment import AlignRef
from okrcli.files.diagnostics import diagnostic, from_problem, positioned_diagnostics
from okrcli.files.workspace import CONFIG_FILE, Workspace, is_team_file_name, team_id_of
from okrcli.files.yaml_fast import load_fast
from okrcli.files.yaml_strict import load_positioned
from okrcli.files.yamlsource import NeedsStrictReader, Positioned, YamlProblem, decode


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class FileResult:
    team: Team | None  # None when the file has errors
    diagnostics: tuple[Diagnostic, ...]
    aligns: tuple[AlignRef, ...]
    # The file's objective ids even when it has errors, so that another file's `aligns`
    # naming one of them is not reported as naming nothing; None when it is not YAML.
    objective_ids: tuple[str, ...] | None = ()


# Part of every cache key: a change to any of these classes changes the key, so an entry
# pickled by an older layout is never read back into a newer one.
_RESULT_FORMAT = layout(
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


@dataclass
class CycleData:
    workspace: Workspace
    cycle: CycleSpan
    teams: list[Team]  # the valid team files, in file-name order
    diagnostics: list[Diagnostic] = field(default_factory=list)
    texts: dict[str, bytes] = field(default_factory=dict)

    def blocking_errors(self) -> list[Diagnostic]:
        """Errors that stop reports on this cycle: its own files' and okr.yaml's. A folder
        elsewhere named like a cycle is reported by validate but blocks nothing here."""
        prefix = f"{self.cycle.id}/"
        return [
            d
            for d in self.diagnostics
            if d.severity == "error" and (d.path == CONFIG_FILE or d.path.startswith(prefix))
        ]


def team_file_result(
    workspace: Workspace, path: str, raw: bytes, positioned: Positioned | None = None
) -> FileResult:
    """read_team_file through the cache: keyed by the bytes' blob id, never stale."""
    span = workspace.cycles.get(path.split("/", 1)[0])
    cycle_start = None if span is None else span.start
    entry_key = cache.key(
        _RESULT_FORMAT,
        path,
        workspace.source.blob_id(path, raw),
        _lint_fingerprint(workspace.config),
        str(cycle_start),  # `closed:` is checked against it
    )
    result = workspace.store.get(entry_key)
    if not isinstance(result, FileResult):
        result = read_team_file(path, raw, workspace.config, positioned, cycle_start)
        workspace.store.put(entry_key, result, label=path)
    return result


class PositionsCache:
    """The positioned parse of each team file as a check-in on this machine last wrote it,
    by content: the next check-in of the same file splices without parsing it first (a
    file changed since, by a pull or by hand, is parsed as usual).

    One small store per file, read by check-ins only: no other command unpickles positions,
    and a check-in reads only its own files'.
    """

    def __init__(self, workspace: Workspace) -> None:
        self._workspace = workspace
        self._stores: dict[str, cache.Store] = {}

    def _store(self, path: str) -> cache.Store:
        if path not in self._stores:
            self._stores[path] = cache.Store(f"positions\0{self._workspace.root}\0{path}")
        return self._stores[path]

    def _key(self, path: str, raw: bytes) -> str:
        return cache.key(_POSITIONS_FORMAT, path, self._workspace.source.blob_id(path, raw))

    def get(self, path: str, raw: bytes) -> Positioned | None:
        found = self._store(path).get(self._key(path, raw))
        return found if isinstance(found, Positioned) else None

    def put(self, path: str, raw: bytes, positioned: Positioned) -> None:
        self._store(path).put(self._key(path, raw), positioned, label=path)

    def save(self) -> None:
        for store in self._stores.values():
            store.save()


_POSITIONS_FORMAT = layout(Positioned)


def load_cycle(
    workspace: Workspace, cycle: CycleSpan, tick: Callable[[int, int], None] | None = None
) -> CycleData:
    """Every team file of the cycle, read through the cache; `tick(done, total)` is told
    how far it got (the CLI draws progress with it)."""
    source = workspace.source
    names = [n for n in source.files(cycle.id) if is_team_file_name(n)]
    data = CycleData(workspace, cycle, [], list(workspace.diagnostics))
    results: list[tuple[str, FileResult]] = []
    seen_ids: dict[str, str] = {}
    for done, name in enumerate(names):
        if tick is not None:
            tick(done, len(names))
        path = f"{cycle.id}/{name}"
        raw = source.read(path)
        if raw is None:
            continue
        data.texts[path] = raw
        result = team_file_result(workspace, path, raw)
        team_id = team_id_of(path)
        if team_id in seen_ids:
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
    if tick is not None:
        tick(len(names), len(names))
    workspace.store.save()
    for _, result in results:
        data.diagnostics.extend(result.diagnostics)
        if result.team is not None:
            data.teams.append(result.team)
    data.diagnostics.extend(_alignment_diagnostics(results, data.texts))
    return data


def _lint_fingerprint(config: Config | None) -> str:
    """What of okr.yaml a team file's findings depend on: the lint settings and the names of
    the sources (E013)."""
    if config is None:
        return "defaults"
    names = sorted(source.name for source in config.sources)
    return repr((config.max_objectives, config.max_key_results, config.vague_words, names))


def read_team_file(
    path: str,
    raw: bytes,
    config: Config | None,
    positioned: Positioned | None = None,
    cycle_start: dt.date | None = None,
) -> FileResult:
    """Parse, validate and (when clean) build one team file. Pure: bytes in, result out.

    `positioned` is the parse of exactly these bytes when the caller has it already (a
    check-in parses its edited text to prove the edit), so they are not parsed twice.
    `cycle_start` is the start of the file's cycle, which a `closed:` date must not precede.
    """
    from okrcli.core.model import DEFAULT_MAX_KEY_RESULTS, DEFAULT_MAX_OBJECTIVES
    from okrcli.files import checks, domain

    team_id = team_id_of(path)
    lint = checks.LintSettings(
        config.max_objectives if config else DEFAULT_MAX_OBJECTIVES,
        config.max_key_results if config else DEFAULT_MAX_KEY_RESULTS,
        config.vague_words if config else (),
    )
    try:
        text = decode(raw)
        if positioned is None:
            try:
                tree = load_fast(text)
            except NeedsStrictReader:
                positioned = load_positioned(text)
        if positioned is not None:
            tree = positioned.data
    except YamlProblem as problem:
        return FileResult(None, (from_problem(path, problem),), (), None)
    sources = None if config is None else {source.name for source in config.sources}
    findings = checks.check_team(tree, lint, team_id, cycle_start, sources)
    diagnostics: list[Diagnostic] = []
    if findings or (positioned and positioned.duplicates):
        positioned = positioned or load_positioned(text)
        diagnostics = positioned_diagnostics(path, text, positioned, findings)
        diagnostics += [from_problem(path, dup) for dup in positioned.duplicates]
    team = None
    if not any(d.severity == "error" for d in diagnostics) and not any(
        f.severity == "error" for f in findings
    ):
        team = domain.to_team(team_id, path, tree)
    return FileResult(
        team, tuple(diagnostics), tuple(alignment.align_refs(tree)), tuple(_objective_ids(tree))
    )


def _objective_ids(tree: dict[str, Any]) -> Iterable[str]:
    objectives = tree.get("objectives")
    if isinstance(objectives, list):
        for objective in objectives:
            if isinstance(objective, dict) and isinstance(objective.get("id"), str):
                yield objective["id"]


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
