"""From a folder (or a git revision) to validated teams and positioned diagnostics.

find the OKR root -> read okr.yaml -> discover cycles -> read each team file of a cycle
(cached by content) -> cross-file checks (alignment). Every problem becomes a Diagnostic;
nothing here raises for bad files, only for a missing root or an unknown cycle.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Any, Protocol

from okrcli.core import scoring
from okrcli.core.errors import Diagnostic, OkrError, Severity
from okrcli.core.findings import Finding
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
from okrcli.core.text import printable
from okrcli.files import alignment, cache, yamlsource
from okrcli.files.alignment import AlignRef
from okrcli.files.yaml_fast import load_fast
from okrcli.files.yaml_strict import load_positioned
from okrcli.files.yamlsource import NeedsStrictReader, Positioned, YamlProblem, decode

CONFIG_FILE = "okr.yaml"
TEAM_SUFFIXES = (".yaml", ".yml")
_CYCLE_LIKE = re.compile(r"\d{4}-")
_IGNORE = re.compile(r"#\s*okr:\s*ignore\[([A-Za-z0-9,\s]+)\]")


class Source(Protocol):
    """Where files come from: the working tree, or a git revision (see revsource.py)."""

    label: str

    def read(self, path: str) -> bytes | None:
        """The bytes of a file relative to the OKR root, or None if there is none."""

    def folders(self) -> list[str]:
        """Names of the folders directly under the OKR root."""

    def files(self, folder: str) -> list[str]:
        """Names of the files directly in a folder under the OKR root."""

    def blob_id(self, path: str, data: bytes) -> str:
        """The git blob id of a file's bytes (a cache key that never goes stale)."""


def git_blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


class WorkTreeSource:
    label = "working tree"

    def __init__(self, root: FsPath) -> None:
        self.root = root

    def read(self, path: str) -> bytes | None:
        try:
            with open(self.root / path, "rb") as handle:
                # The bytes past the limit are enough for decode() to refuse the file; a
                # file of gigabytes (or the target of a link) is never read whole.
                if os.fstat(handle.fileno()).st_size > yamlsource.MAX_BYTES:
                    return handle.read(yamlsource.MAX_BYTES + 1)
                return handle.read()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None
        except OSError as exc:
            raise OkrError(f"cannot read {path}: {exc.strerror}") from None

    def folders(self) -> list[str]:
        return self._entries(".", os.DirEntry.is_dir)

    def files(self, folder: str) -> list[str]:
        return self._entries(folder, os.DirEntry.is_file)

    def _entries(self, folder: str, wanted: Callable[[os.DirEntry[str]], bool]) -> list[str]:
        """Names of the entries of a folder of the kind wanted, following symbolic links; a
        link that leads nowhere (missing, looping) is no entry of any kind."""
        names = []
        try:
            with os.scandir(self.root / folder) as entries:
                for entry in entries:
                    try:
                        if wanted(entry):
                            names.append(entry.name)
                    except OSError:
                        continue
        except OSError as exc:
            where = self.root if folder == "." else folder
            raise OkrError(f"cannot read the folder {where}: {exc.strerror}") from None
        return sorted(names)

    def blob_id(self, path: str, data: bytes) -> str:
        return git_blob_id(data)


def find_root(start: FsPath) -> FsPath:
    """The nearest folder at or above `start` holding okr.yaml (like git finds .git)."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    raise OkrError(
        f"no {CONFIG_FILE} in {start} or any folder above it; run 'okr init' to start one"
    )


# --- okr.yaml and cycles --------------------------------------------------------------------


@dataclass
class Workspace:
    root: FsPath
    source: Source
    config: Config | None  # None when okr.yaml has errors
    diagnostics: list[Diagnostic]  # okr.yaml's own findings and misnamed folders
    cycles: dict[str, CycleSpan]  # the cycle folders present, by id
    store: cache.Store  # parsed files of this root, by content

    def select_cycle(self, cycle_id: str | None, as_of: dt.date) -> CycleSpan:
        if cycle_id is not None:
            if cycle_id not in self.cycles:
                raise OkrError(f"unknown cycle '{cycle_id}'; cycles here: {self._listing()}")
            return self.cycles[cycle_id]
        if not self.cycles:
            raise OkrError(
                f"no cycle folders in {self.root}; create one named like "
                f"{as_of.year:04d}-Q{(as_of.month - 1) // 3 + 1}/ or run 'okr init'"
            )
        # Among cycles ending the same day (2026-Q4 and a declared 2026-H2) the shorter one
        # is the more specific: it wins as "the one that ends first" and as "the latest".
        current = [span for span in self.cycles.values() if span.start <= as_of <= span.end]
        if current:
            return min(current, key=lambda span: (span.end, -span.start.toordinal(), span.id))
        return max(self.cycles.values(), key=lambda span: (span.end, span.start, span.id))

    def _listing(self) -> str:
        return ", ".join(sorted(self.cycles)) or "none"


def open_workspace(root: FsPath, source: Source | None = None) -> Workspace:
    source = source or WorkTreeSource(root)
    raw = source.read(CONFIG_FILE)
    if raw is None:
        raise OkrError(f"no {CONFIG_FILE} in {root} at {source.label}")
    store = cache.Store(f"files\0{root}")
    config_key = cache.key(_RESULT_FORMAT, CONFIG_FILE, source.blob_id(CONFIG_FILE, raw))
    cached = store.get(config_key)
    if not isinstance(cached, tuple):
        cached = _read_config(raw)
        store.put(config_key, cached, label=CONFIG_FILE)
    config, diagnostics, declared = cached[0], list(cached[1]), cached[2]
    cycles: dict[str, CycleSpan] = {}
    for folder in source.folders():
        span = declared.get(folder) or scoring.quarter_span(folder)
        if span is not None:
            cycles[folder] = span
        elif _CYCLE_LIKE.match(folder) and folder not in declared:
            diagnostics.append(
                diagnostic(
                    folder,
                    1,
                    1,
                    "E012",
                    f"folder '{folder}' is named like a cycle but is neither a quarter "
                    f"(YYYY-QN) nor declared under 'cycles:' in {CONFIG_FILE}; declare it or "
                    "rename it",
                )
            )
    return Workspace(root, source, config, diagnostics, cycles, store)


def _read_config(
    raw: bytes,
) -> tuple[Config | None, list[Diagnostic], dict[str, CycleSpan | None]]:
    """The config (None when okr.yaml has errors), its findings, and the declared cycles.

    Declared cycles are kept even when another part of okr.yaml is wrong (a declared cycle
    whose own dates are wrong maps to None), so its folder is never called undeclared.
    """
    from okrcli.files import config_checks, domain

    try:
        text = decode(raw)
        positioned = load_positioned(text)
    except YamlProblem as problem:
        return None, [_from_problem(CONFIG_FILE, problem)], {}
    findings = config_checks.check_config(positioned.data)
    diagnostics = _positioned(CONFIG_FILE, text, positioned, findings)
    diagnostics += [_from_problem(CONFIG_FILE, dup) for dup in positioned.duplicates]
    declared = domain.declared_cycles(positioned.data)
    if any(d.severity == "error" for d in diagnostics):
        return None, diagnostics, declared
    return domain.to_config(positioned.data), diagnostics, declared


# --- team files -----------------------------------------------------------------------------


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


def team_id_of(path: str) -> str:
    """A team's id is its file's name without the suffix: `2026-Q3/hr-admin.yaml` -> `hr-admin`."""
    return path.rsplit("/", 1)[-1].rsplit(".", 1)[0]


def is_team_file_name(name: str) -> bool:
    """`*.yaml` or `*.yml`, as a shell glob means it: hidden files (editor and OS litter
    such as `._team.yaml`) are not team files."""
    return name.endswith(TEAM_SUFFIXES) and not name.startswith(".")


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
        return FileResult(None, (_from_problem(path, problem),), (), None)
    sources = None if config is None else {source.name for source in config.sources}
    findings = checks.check_team(tree, lint, team_id, cycle_start, sources)
    diagnostics: list[Diagnostic] = []
    if findings or (positioned and positioned.duplicates):
        positioned = positioned or load_positioned(text)
        diagnostics = _positioned(path, text, positioned, findings)
        diagnostics += [_from_problem(path, dup) for dup in positioned.duplicates]
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
        diagnostics += _positioned(path, text, load_positioned(text), file_findings)
    return diagnostics


def diagnostic(path: str, line: int, col: int, code: str, message: str) -> Diagnostic:
    """A Diagnostic whose path and message are safe to print: they quote user text (file
    names, keys, values), which may hold control or bidi characters."""
    severity: Severity = "warning" if code.startswith("W") else "error"
    return Diagnostic(printable(path), line, col, severity, code, printable(message))


def _from_problem(path: str, problem: YamlProblem) -> Diagnostic:
    return diagnostic(path, problem.line, problem.col, problem.code, problem.message)


def _positioned(
    path: str, text: str, positioned: Positioned, findings: list[Finding]
) -> list[Diagnostic]:
    """Findings with line:col; warnings silenced by `# okr: ignore[CODE]` on their line."""
    lines = text.splitlines()
    diagnostics = []
    for finding in findings:
        if finding.at == "key":
            line, col = positioned.key_position(finding.path)
        else:
            line, col = positioned.value_position(finding.path)
        if finding.severity == "warning" and _ignored(lines, line, finding.code):
            continue
        diagnostics.append(diagnostic(path, line, col, finding.code, finding.message))
    return diagnostics


def _ignored(lines: list[str], line: int, code: str) -> bool:
    if not 0 < line <= len(lines):
        return False
    match = _IGNORE.search(lines[line - 1])
    return match is not None and code in {c.strip().upper() for c in match.group(1).split(",")}
