"""Where an OKR root's files come from, and what its okr.yaml says.

find the OKR root (like git finds .git) -> read okr.yaml (through the cache) -> discover the
cycle folders. A Source is the working tree or a git revision (see revsource.py); team
files are read from it by loader.py.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path as FsPath
from typing import Any, Protocol

from okrcli.core import scoring
from okrcli.core.errors import Diagnostic, OkrError
from okrcli.core.model import Config, CycleSpan, DataSource, Person, layout
from okrcli.files import cache, codec
from okrcli.files.diagnostics import diagnostic, from_problem, positioned_diagnostics
from okrcli.files.yaml_strict import load_positioned
from okrcli.files.yamlsource import MAX_BYTES, YamlProblem, decode

CONFIG_FILE = "okr.yaml"
TEAM_SUFFIXES = (".yaml", ".yml")
_CYCLE_LIKE = re.compile(r"\d{4}-")
# Part of the config's cache key: a change to these classes (or to how codec.py writes them:
# bump the number) changes the key, so an entry of an older layout is never read back.
_CONFIG_FORMAT = "config-3" + layout(Config, CycleSpan, Person, DataSource, Diagnostic)


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
                if os.fstat(handle.fileno()).st_size > MAX_BYTES:
                    return handle.read(MAX_BYTES + 1)
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
    config_key = cache.key(_CONFIG_FORMAT, CONFIG_FILE, source.blob_id(CONFIG_FILE, raw))
    cached = _decode_config(store.get(config_key))
    if cached is None:
        cached = _read_config(raw)
        # What `okr sync` reads and runs comes from okr.yaml itself, never from the cache:
        # an okr.yaml that declares sources is read afresh by every run.
        if cached[0] is None or not cached[0].sources:
            store.put(config_key, _encode_config(cached), label=CONFIG_FILE)
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


# okr.yaml read: the config (None when it has errors), its findings, the declared cycles.
ConfigRead = tuple[Config | None, list[Diagnostic], dict[str, CycleSpan | None]]


def _encode_config(read: ConfigRead) -> list[Any]:
    config, diagnostics, declared = read
    return [
        None if config is None else codec.encode_config(config),
        [codec.encode_diagnostic(d) for d in diagnostics],
        [
            [name, None if span is None else codec.encode_span(span)]
            for name, span in declared.items()
        ],
    ]


@codec.checked
def _decode_config(value: Any) -> ConfigRead:
    config, diagnostics, declared = codec.items(value, 3)
    codec.require(type(declared) is list)
    spans: dict[str, CycleSpan | None] = {}
    for item in declared:
        name, span = codec.items(item, 2)
        decoded = None if span is None else codec.decode_span(span)
        codec.require(type(name) is str and (decoded is None or decoded.id == name))
        spans[name] = decoded
    return (
        None if config is None else codec.decode_config(config),
        list(codec.decode_diagnostics(diagnostics)),
        spans,
    )


def _read_config(raw: bytes) -> ConfigRead:
    """The config (None when okr.yaml has errors), its findings, and the declared cycles.

    Declared cycles are kept even when another part of okr.yaml is wrong (a declared cycle
    whose own dates are wrong maps to None), so its folder is never called undeclared.
    """
    from okrcli.files import config_checks, domain

    try:
        text = decode(raw)
        positioned = load_positioned(text)
    except YamlProblem as problem:
        return None, [from_problem(CONFIG_FILE, problem)], {}
    findings = config_checks.check_config(positioned.data)
    diagnostics = positioned_diagnostics(CONFIG_FILE, text, positioned, findings)
    diagnostics += [from_problem(CONFIG_FILE, dup) for dup in positioned.duplicates]
    declared = domain.declared_cycles(positioned.data)
    if any(d.severity == "error" for d in diagnostics):
        return None, diagnostics, declared
    return domain.to_config(positioned.data), diagnostics, declared


# --- names ----------------------------------------------------------------------------------


def team_id_of(path: str) -> str:
    """A team's id is its file's name without the suffix: `2026-Q3/hr-admin.yaml` -> `hr-admin`."""
    return path.rsplit("/", 1)[-1].rsplit(".", 1)[0]


def is_team_file_name(name: str) -> bool:
    """`*.yaml` or `*.yml`, as a shell glob means it: hidden files (editor and OS litter
    such as `._team.yaml`) are not team files."""
    return name.endswith(TEAM_SUFFIXES) and not name.startswith(".")
