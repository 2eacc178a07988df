"""`okr next` (SPEC §16): the next cycle's team files, started from the selected cycle.

What is carried is decided from the source's validated teams (plan), written as new files
by the emitter, validated, proven to read back, and then written and committed as one
commit under transaction's rules, or printed (`--dry-run`, which validates the data and
skips the read-back of bytes it does not write). Nothing is written when any
target file exists or the source has errors.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from okrcli.core import scoring
from okrcli.core.errors import Diagnostic, InvalidFilesError, OkrError, sort_key
from okrcli.core.model import Config, CycleSpan, Objective, Team
from okrcli.core.numbers import format_number
from okrcli.files import emitter, forked, loader, teamfile
from okrcli.files.loader import CycleData
from okrcli.files.workspace import TEAM_SUFFIXES, team_id_of
from okrcli.services import transaction

NEXT_KEY = "OKR-Next"
_DONE = 1 - scoring.TOLERANCE  # progress at or above this is done (§5's tie counts upwards)


# --- the target cycle -----------------------------------------------------------------------


def next_quarter(cycle_id: str) -> str | None:
    span = scoring.quarter_span(cycle_id)
    if span is None:
        return None
    day = span.end + dt.timedelta(days=1)
    return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"


def target_cycle(source: CycleSpan, config: Config, to: str | None) -> CycleSpan:
    """`--to`, else the next quarter of a quarter, else the declared cycle that starts the
    day after the source ends."""
    declared = {span.id: span for span in config.cycles}
    if to is not None:
        span = declared.get(to) or scoring.quarter_span(to)
        if span is None:
            raise OkrError(
                f"cycle '{to}' is neither a quarter (YYYY-QN) nor declared under 'cycles:' in "
                f"okr.yaml; declare it there with its start and end, then run okr next again"
            )
        if span.start <= source.start:
            raise OkrError(
                f"{span.id} does not start after {source.id}; okr next starts a later cycle "
                "from an earlier one, so give --to a later cycle"
            )
        return span
    quarter = next_quarter(source.id)
    if quarter is not None:
        span = declared.get(quarter) or scoring.quarter_span(quarter)
        if span is None:
            raise OkrError(f"{source.id} has no next quarter; give the target cycle with --to")
        return span
    day = source.end + dt.timedelta(days=1)
    following = sorted(span.id for span in config.cycles if span.start == day)
    if len(following) == 1:
        return declared[following[0]]
    from okrcli.core.errors import UsageError

    if following:
        raise UsageError(
            f"{' and '.join(following)} both start the day after {source.id} ends; choose "
            "the target cycle with --to"
        )
    raise UsageError(
        f"no cycle declared in okr.yaml starts the day after {source.id} ends ({day}); give "
        f"the target cycle with --to, like --to {day.year:04d}-Q{(day.month - 1) // 3 + 1}"
    )


# --- what is carried ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Carried:
    """One new team file."""

    team: str
    path: str  # relative to the OKR root
    data: dict[str, Any]  # what the file holds, in the order it is written
    text: str
    objectives: int
    key_results: int


@dataclass(frozen=True, slots=True)
class Plan:
    source: CycleSpan
    target: CycleSpan
    files: list[Carried]
    notes: list[str] = field(default_factory=list)  # what was left out, for stderr


def _done(progress: float) -> bool:
    return progress >= _DONE


def _carried_krs(
    objective: Objective, where: str, carry_all: bool, notes: list[str]
) -> list[dict[str, Any]]:
    krs = []
    for kr in objective.key_results:
        if not carry_all and _done(scoring.kr_progress(kr)):
            continue
        entry: dict[str, Any] = {"id": kr.id, "title": kr.title, "owner": kr.owner, "unit": kr.unit}
        if kr.is_milestone:
            entry["done"] = False
        else:
            last = kr.value
            assert isinstance(last, int | float) and kr.target is not None
            if last == kr.target:
                notes.append(
                    f"{where}/{kr.id} is left out: its last value {format_number(last)} is its "
                    "target, so as a baseline it would leave nothing to do (E008)"
                )
                continue
            if scoring.kr_raw_progress(kr) > 1:
                notes.append(
                    f"{where}/{kr.id} starts at {format_number(last)}, past its target "
                    f"{format_number(kr.target)}, so it now reads the other way round; "
                    "revise its target"
                )
            entry["baseline"] = last
            entry["target"] = kr.target
        entry["weight"] = None if kr.weight == 1 else kr.weight
        entry["source"] = kr.source
        krs.append(entry)
    return krs


def plan(
    data: CycleData,
    target: CycleSpan,
    teams: Sequence[Team],
    carry_all: bool,
    present: Collection[str] = (),
) -> Plan:
    """The files for `teams`; `present` are the objective addresses the target cycle has
    already (in files of other teams), which an `aligns` may keep naming."""
    source = data.cycle
    notes: list[str] = []
    chosen: list[tuple[Team, list[tuple[Objective, list[dict[str, Any]]]]]] = []
    for team in teams:
        objectives = []
        for objective in team.objectives:
            where = f"{team.id}/{objective.id}"
            if not carry_all and _done(scoring.objective_progress(objective)):
                continue
            krs = _carried_krs(objective, where, carry_all, notes)
            if not krs:
                notes.append(f"{where} is left out: none of its key results is carried")
                continue
            objectives.append((objective, krs))
        chosen.append((team, objectives))
    carried = {f"{team.id}/{o.id}" for team, objectives in chosen for o, _ in objectives}
    kept = carried | set(present)
    datas = []
    for team, objectives in chosen:
        rows = [
            _objective(team, o, krs, kept, source.id, target.id, notes) for o, krs in objectives
        ]
        datas.append({"name": team.name, "owner": team.owner, "objectives": rows})
    comment = f"{target.id}, carried over from {source.id} by okr next"
    texts = forked.map_split(lambda team_data: emitter.document(team_data, comment), datas)
    files = []
    for (team, objectives), team_data, text in zip(chosen, datas, texts, strict=True):
        path = f"{target.id}/{team.id}{_suffix(team.path)}"
        count = sum(len(krs) for _, krs in objectives)
        files.append(Carried(team.id, path, team_data, text, len(objectives), count))
    return Plan(source, target, files, notes)


def _objective(
    team: Team,
    objective: Objective,
    krs: list[dict[str, Any]],
    kept: Collection[str],
    source: str,
    target: str,
    notes: list[str],
) -> dict[str, Any]:
    where = f"{team.id}/{objective.id}"
    aligns = []
    for parent in objective.aligns:
        if parent in kept:
            aligns.append(parent)
        else:
            notes.append(
                f"{where} no longer aligns to {parent}: that objective is not carried to "
                f"{target}; add the line back once it is there"
            )
    return {
        "id": objective.id,
        "title": objective.title,
        "owner": objective.owner,
        "kind": objective.kind,
        "aligns": aligns[0] if len(aligns) == 1 else (aligns or None),
        "carried_from": f"{source}/{where}",
        "key_results": krs,
    }


def _suffix(path: str) -> str:
    return ".yml" if path.endswith(".yml") else ".yaml"


# --- the command ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outcome:
    plan: Plan
    commit: str | None  # the short id of the new commit
    written: bool
    warnings: list[Diagnostic]


def selected(data: CycleData, names: Sequence[str]) -> list[Team]:
    """Every team of the source, or the ones named (each once, in file-name order)."""
    if not names:
        return data.teams
    known = {team.id: team for team in data.teams}
    unknown = [name for name in dict.fromkeys(names) if name not in known]
    if unknown:
        raise OkrError(
            f"no team {', '.join(repr(n) for n in unknown)} in {data.cycle.id}; teams here: "
            f"{', '.join(known) or 'none'}"
        )
    wanted = set(names)
    return [team for team in data.teams if team.id in wanted]


def existing_files(root: Path, target: str, teams: Sequence[Team]) -> list[str]:
    """The target team files there already (under either suffix: both would be one team)."""
    found = []
    for team in teams:
        for suffix in TEAM_SUFFIXES:
            path = f"{target}/{team.id}{suffix}"
            if os.path.lexists(root / path):
                found.append(path)
    return found


def start(
    scope: transaction.Scope,
    names: Sequence[str],
    to: str | None,
    carry_all: bool,
    dry_run: bool,
) -> Outcome:
    """Plan the target cycle's files from the scope's cycle; write and commit them unless
    `dry_run`; refuse, writing nothing, when a target file exists or the source has errors."""
    held = contextlib.nullcontext() if dry_run else transaction.lock(scope)
    with held:
        data = loader.load_cycle(scope.workspace, scope.cycle)
        errors = sorted(data.blocking_errors(), key=sort_key)
        if errors or scope.workspace.config is None:
            raise InvalidFilesError(
                f"{data.cycle.id} has {len(errors)} error(s); fix them first (see 'okr "
                "validate'), then start the next cycle",
                errors,
            )
        target = target_cycle(data.cycle, scope.workspace.config, to)
        teams = selected(data, names)
        if not teams:
            raise OkrError(
                f"{data.cycle.id} has no team files, so there is nothing to start "
                f"{target.id} from; create a team file, or start with 'okr init'"
            )
        existing = existing_files(scope.root, target.id, teams)
        if existing:
            taken = {team_id_of(path) for path in existing}
            others = [team.id for team in data.teams if team.id not in taken]
            hint = f", or name only the other teams ({', '.join(others)})" if others else ""
            one = len(existing) == 1
            raise OkrError(
                f"{', '.join(existing)} already exist{'s' if one else ''}; okr next only "
                f"writes new files, so nothing was written; move {'it' if one else 'them'} "
                f"away{hint}"
            )
        for team in teams:  # a linked cycle folder would put the files somewhere else
            transaction.require_regular(scope, f"{target.id}/{team.id}.yaml")
        result = plan(data, target, teams, carry_all, _present(data, target, teams))
        warnings = _validated(scope, result, read_back=not dry_run)
        if dry_run:
            return Outcome(result, None, False, warnings)
        edits = [transaction.new_file(c.path, c.text.encode("utf-8"), []) for c in result.files]
        commit = transaction.write_and_commit(scope, edits, message(result))
        return Outcome(result, commit, True, warnings)


def _present(data: CycleData, target: CycleSpan, teams: Sequence[Team]) -> set[str]:
    """The objectives the target cycle holds already, in files of teams not carried now."""
    workspace = data.workspace
    if target.id not in workspace.cycles:
        return set()
    written = {team.id for team in teams}
    there = loader.load_cycle(workspace, workspace.cycles[target.id])
    return {f"{t.id}/{o.id}" for t in there.teams if t.id not in written for o in t.objectives}


def _validated(scope: transaction.Scope, result: Plan, read_back: bool) -> list[Diagnostic]:
    """Every new file validates (or the plan is a bug: refuse rather than write it); its
    warnings, such as too many objectives, are the source's and are passed on.

    Before writing, each text is read back and must be exactly the data it was emitted
    from (`read_back`); a dry run checks the data the text is meant to hold and leaves
    the proof of the bytes to the run that writes them.
    """
    config = scope.workspace.config
    start = result.target.start

    def warnings_of(carried: Carried) -> list[Diagnostic]:
        raw = carried.text.encode("utf-8")
        if read_back:
            tree = emitter.prove(carried.text, carried.data, carried.path)
        else:
            tree = emitter.as_written(carried.data)
        checked = teamfile.read_team_file(carried.path, raw, config, cycle_start=start, tree=tree)
        errors = [d for d in checked.diagnostics if d.severity == "error"]
        if errors or checked.team is None:
            raise InvalidFilesError(
                f"{carried.path} would not validate; nothing was written", errors
            )
        return list(checked.diagnostics)

    return [d for found in forked.map_split(warnings_of, result.files) for d in found]


def message(result: Plan) -> str:
    """`next: 2026-Q4 from 2026-Q3`, a line per team, and the OKR-Next trailer."""
    lines = [
        f"{c.team}: {_count(c.objectives, 'objective')}, {_count(c.key_results, 'key result')}"
        for c in result.files
    ]
    subject = f"next: {result.target.id} from {result.source.id}"
    return f"{subject}\n\n" + "\n".join(lines) + f"\n\n{NEXT_KEY}: {result.target.id}\n"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def summary(carried: Carried) -> str:
    return (
        f"{carried.path}: {_count(carried.objectives, 'objective')}, "
        f"{_count(carried.key_results, 'key result')}"
    )
