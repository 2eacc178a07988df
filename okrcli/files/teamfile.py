"""One team file read, validated and (when clean) built: bytes in, FileResult out, pure.

The cache, the cycle's other files and the checks across them are loader.py's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from okrcli.core.errors import Diagnostic
from okrcli.core.model import Config, Team
from okrcli.core.records import pickled_as_call
from okrcli.files import alignment
from okrcli.files.alignment import AlignRef
from okrcli.files.diagnostics import from_problem, positioned_diagnostics
from okrcli.files.workspace import team_id_of
from okrcli.files.yaml_fast import load_fast
from okrcli.files.yaml_strict import load_positioned
from okrcli.files.yamlsource import NeedsStrictReader, Positioned, YamlProblem, decode


@pickled_as_call
@dataclass(frozen=True, slots=True)
class FileResult:
    team: Team | None  # None when the file has errors
    diagnostics: tuple[Diagnostic, ...]
    aligns: tuple[AlignRef, ...]
    # The file's objective ids even when it has errors, so that another file's `aligns`
    # naming one of them is not reported as naming nothing; None when it is not YAML.
    objective_ids: tuple[str, ...] | None = ()


def read_team_file(
    path: str,
    raw: bytes,
    config: Config | None,
    positioned: Positioned | None = None,
    cycle_start: dt.date | None = None,
    tree: dict[str, Any] | None = None,
    text: str | None = None,
) -> FileResult:
    """Parse, validate and (when clean) build one team file. Pure: bytes in, result out.

    `positioned` is the parse of exactly these bytes when the caller has it already (a
    check-in parses its edited text to prove the edit), so they are not parsed twice; `tree`
    is their data without positions (a file okr emitted and read back), parsed again for
    positions only when there is a finding to place; `text` is what `decode` made of these
    bytes, when the caller decoded them already (its guards ran on exactly them).
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
        text = decode(raw) if text is None else text
        if positioned is None and tree is None:
            try:
                tree = load_fast(text)
            except NeedsStrictReader:
                positioned = load_positioned(text)
        if positioned is not None:
            tree = positioned.data
    except YamlProblem as problem:
        return FileResult(None, (from_problem(path, problem),), (), None)
    assert tree is not None  # one of the three ways above read it
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
