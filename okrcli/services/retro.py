"""The retrospective (SPEC §15) as plain data: scores, paths, check-ins, revisions, flags.

From the cycle's validated teams (scores, retro texts) and the history that log reads
(`versions.load`): the values' path is log's trend (`changes.value_series`), check-ins and
revisions are log's entries (`versions.field_changes`), and the confidence and no-stretch
read the KR versions the same steps hold. `as_json` is exactly §15's JSON; the renderers
draw the same objects, with the titles and each flag's reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from okrcli.core import scoring
from okrcli.core.model import KeyResult, Objective, Team
from okrcli.core.numbers import format_number, round_half
from okrcli.core.records import pickled_as_call
from okrcli.core.scalars import is_number
from okrcli.files.loader import CycleData
from okrcli.history import versions as history
from okrcli.history.snapshots import REVISION_FIELDS, VALUE_FIELDS, Fields
from okrcli.history.versions import Step
from okrcli.services import changes

DIGITS = 4
CONFIDENCE_DROP = 0.3
STRETCH_DAYS = 30  # no-stretch: the target was reached before the cycle's last 30 days
FLAGS = ("committed-missed", "no-stretch", "never-checked-in", "moved-goalposts", "confidence-drop")


@dataclass(frozen=True, slots=True)
class Flag:
    word: str  # one of FLAGS
    reason: str  # for people: why the meeting should look here


@pickled_as_call
@dataclass(frozen=True, slots=True)
class Revision:
    date: str  # the commit's author date, ISO 8601 (as in `okr log`)
    field: str  # baseline | target
    old: Any
    new: Any
    note: str


# The rows are plain (not frozen) dataclasses: a company's retro makes 10,000 KR rows, and
# a frozen one's every field is set through object.__setattr__ (twice the time).
@dataclass(slots=True)
class KrRetro:
    address: str
    title: str
    unit: str | None
    milestone: bool
    score: float
    path: list[float]  # the values over the cycle, first to last (a milestone: 0 or 1)
    first: Any
    last: Any
    checkins: int
    revisions: list[Revision]
    confidence: tuple[float | None, float | None]
    retro: str | None
    flags: list[Flag]


@dataclass(slots=True)
class ObjectiveRetro:
    address: str
    title: str
    kind: str
    score: float
    retro: str | None
    flags: list[Flag]
    key_results: list[KrRetro]


@dataclass(slots=True)
class TeamRetro:
    team: str
    name: str
    closed: dt.date | None
    score: float
    retro: str | None
    objectives: list[ObjectiveRetro]


@dataclass(frozen=True, slots=True)
class Retro:
    cycle: str
    score: float  # the mean score over every objective shown
    teams: list[TeamRetro]


# --- what the history says about each KR ----------------------------------------------------


@dataclass
class Seen:
    """Per KR address, what the history says. Each KR lives in one file, so the facts of
    groups of files (split.load_reduced) are merged by putting them side by side."""

    checkins: dict[str, set[str]]  # commits that changed the value or the confidence
    valued: set[str]  # the KRs whose value some commit changed
    revisions: dict[str, list[Revision]]
    confidences: dict[str, list[float]]  # every confidence given, in commit order
    reached: dict[str, dt.date]  # the first day raw progress was >= 1, before the last days
    paths: dict[str, list[float]]  # the values' path of each KR whose value changed


def history_facts(data: CycleData, teams: Sequence[Team], steps: Sequence[Step]) -> Seen:
    """What the history (these steps: all of it, or its part for some files) says."""
    now = _now_fields(_changed(teams, steps))  # a part: its teams only
    paths = {
        item["address"]: item["values"] for item in changes.value_series(list(steps), None, now)
    }
    return _seen(steps, _cutoff(data), paths)


def _changed(teams: Sequence[Team], steps: Sequence[Step]) -> list[Team]:
    """The teams whose files these steps change."""
    changed = {file.team for step in steps for file in step.files}
    return [team for team in teams if team.id in changed]


def _no_history() -> Seen:
    return Seen({}, set(), {}, {}, {}, {})


def merged(parts: Sequence[Seen]) -> Seen:
    """The facts of several groups of files as one (no KR is in two)."""
    whole = _no_history()
    for part in parts:
        whole.checkins.update(part.checkins)
        whole.valued.update(part.valued)
        whole.revisions.update(part.revisions)
        whole.confidences.update(part.confidences)
        whole.reached.update(part.reached)
        whole.paths.update(part.paths)
    return whole


def _seen(steps: Sequence[Step], cutoff: dt.date, paths: dict[str, list[float]]) -> Seen:
    seen = Seen({}, set(), {}, {}, {}, paths)
    # A check-in is what `okr people` counts (SPEC §18): a commit that changed a KR's value
    # or confidence; never-checked-in is about the value alone (SPEC §15).
    for change in history.field_changes(steps, (*VALUE_FIELDS, "confidence")):
        seen.checkins.setdefault(change.address, set()).add(change.commit.id)
        if change.field in VALUE_FIELDS:
            seen.valued.add(change.address)
    for change in history.field_changes(steps, tuple(sorted(REVISION_FIELDS))):
        revision = Revision(
            change.commit.date,
            change.field,
            change.old,
            change.new,
            change.commit.note_for(change.address),
        )
        seen.revisions.setdefault(change.address, []).append(revision)
    for step, address, _, fields in history.kr_versions(steps, dt.date.max):
        commit = step.commit
        confidence = fields.get("confidence")
        if is_number(confidence):
            given = seen.confidences.setdefault(address, [])
            if not given or given[-1] != confidence:
                given.append(confidence)
        if commit.day <= cutoff and address not in seen.reached and _at_target(fields):
            seen.reached[address] = commit.day
    return seen


def _at_target(fields: Fields) -> bool:
    progress = changes.raw_progress(fields)
    return progress is not None and progress >= 1 - scoring.TOLERANCE


def _now_fields(teams: Sequence[Team]) -> dict[str, Fields]:
    """Each KR's value fields as the files have them: where its path ends."""
    return {
        f"{team.id}/{objective.id}/{kr.id}": {
            "baseline": kr.baseline,
            "current": kr.current,
            "done": kr.done,
        }
        for team in teams
        for objective in team.objectives
        for kr in objective.key_results
    }


# --- the retrospective ----------------------------------------------------------------------


def retro(data: CycleData, teams: Sequence[Team], past: Sequence[Step] | Seen) -> Retro:
    """The retrospective of these teams, from the history's steps or its facts."""
    seen = past if isinstance(past, Seen) else history_facts(data, teams, past)
    # The rows are made here even when the facts came from two cores: made in the child,
    # 10,000 KR rows cost more to send back than to make (a cold company retro ran 7 %
    # slower that way). Their JSON text travels cheaply: see group_rows.
    rows = team_rows(data, teams, seen)
    scores = [o.score for row in rows for o in row.objectives]
    return Retro(data.cycle.id, _rounded(scoring.mean(scores)), rows)


def team_rows(data: CycleData, teams: Sequence[Team], seen: Seen) -> list[TeamRetro]:
    cutoff = _cutoff(data)
    return [_team(team, seen, seen.paths, cutoff) for team in teams]


def group_rows(data: CycleData, teams: Sequence[Team], steps: Sequence[Step]) -> list[TeamRetro]:
    """The rows of those of the teams these steps change (one group's part of the history,
    split.load_reduced), for a caller that turns them into text where they were made; the
    teams no step changes are rows_without_history's."""
    mine = _changed(teams, steps)
    return team_rows(data, mine, history_facts(data, mine, steps))


def rows_without_history(data: CycleData, teams: Sequence[Team]) -> list[TeamRetro]:
    return team_rows(data, teams, _no_history())


def _cutoff(data: CycleData) -> dt.date:
    return data.cycle.end - dt.timedelta(days=STRETCH_DAYS)


def _rounded(value: float) -> float:
    return round_half(value, DIGITS)


def _team(team: Team, seen: Seen, paths: dict[str, list[float]], cutoff: dt.date) -> TeamRetro:
    scored = [_objective(team, o, seen, paths, cutoff) for o in team.objectives]
    objectives = [row for row, _ in scored]
    exact = [score for _, score in scored]
    return TeamRetro(
        team.id,
        team.display_name,
        team.closed,
        _rounded(scoring.mean(exact)),
        team.retro,
        objectives,
    )


def _objective(
    team: Team, objective: Objective, seen: Seen, paths: dict[str, list[float]], cutoff: dt.date
) -> tuple[ObjectiveRetro, float]:
    """The objective's retro and its exact score (each KR's score is computed once)."""
    address = f"{team.id}/{objective.id}"
    kr_scores = [scoring.kr_score(kr) for kr in objective.key_results]
    krs = [
        _kr(address, objective, kr, score, seen, paths, cutoff)
        for kr, score in zip(objective.key_results, kr_scores, strict=True)
    ]
    weights = [float(kr.weight) for kr in objective.key_results]
    score = scoring.weighted_mean(list(zip(kr_scores, weights, strict=True)))
    flags = []
    if objective.kind == "committed" and score < 1 - scoring.TOLERANCE:
        flags.append(
            Flag(
                "committed-missed",
                f"a committed objective scored {score:.2f}, short of 1.0: what got in the way?",
            )
        )
    row = ObjectiveRetro(
        address, objective.title, objective.kind, _rounded(score), objective.retro, flags, krs
    )
    return row, score


def _kr(
    where: str,
    objective: Objective,
    kr: KeyResult,
    score: float,
    seen: Seen,
    paths: dict[str, list[float]],
    cutoff: dt.date,
) -> KrRetro:
    address = f"{where}/{kr.id}"
    last = kr.value
    assert last is not None  # a validated KR has a value
    # log's trend holds the KRs whose value changed; any other was its value all along.
    path = paths.get(address) or [(1.0 if last else 0.0) if kr.is_milestone else last]
    first = bool(path[0]) if kr.is_milestone else path[0]
    confidences = seen.confidences.get(address, [])
    if kr.confidence is not None and (not confidences or confidences[-1] != kr.confidence):
        confidences = [*confidences, kr.confidence]
    confidence = (confidences[0], confidences[-1]) if confidences else (None, None)
    checkins = len(seen.checkins.get(address, ()))
    revisions = seen.revisions.get(address, [])
    reached = seen.reached.get(address)
    valued = address in seen.valued
    flags = _kr_flags(objective, valued, revisions, confidence, reached)
    return KrRetro(
        address,
        kr.title,
        kr.unit,
        kr.is_milestone,
        _rounded(score),
        path,
        first,
        last,
        checkins,
        revisions,
        confidence,
        kr.retro,
        flags,
    )


def _kr_flags(
    objective: Objective,
    valued: bool,
    revisions: list[Revision],
    confidence: tuple[float | None, float | None],
    reached: dt.date | None,
) -> list[Flag]:
    flags = []
    if objective.kind == "aspirational" and reached is not None:
        flags.append(
            Flag(
                "no-stretch",
                f"an aspirational KR at its target by {reached}, more than {STRETCH_DAYS} days "
                "before the cycle ended: was the target too low?",
            )
        )
    if not valued:
        flags.append(Flag("never-checked-in", "its value never changed in the cycle"))
    if revisions:
        moved = "; ".join(
            f"{r.field} {_text(r.old)} → {_text(r.new)} on {r.date[:10]}" for r in revisions
        )
        flags.append(Flag("moved-goalposts", f"goalposts moved: {moved}"))
    first, last = confidence
    if first is not None and last is not None and _dropped(first, last):
        flags.append(
            Flag(
                "confidence-drop",
                f"confidence fell from {_text(first)} to {_text(last)}",
            )
        )
    return flags


def _dropped(first: float, last: float) -> bool:
    return first - last >= CONFIDENCE_DROP - scoring.TOLERANCE


def _text(value: object) -> str:
    return "none" if value is None else format_number(value)


# --- JSON (§15) -----------------------------------------------------------------------------


def as_json(result: Retro) -> dict[str, Any]:
    return {"cycle": result.cycle, "teams": [team_json(team) for team in result.teams]}


def team_json(team: TeamRetro) -> dict[str, Any]:
    return {
        "team": team.team,
        "closed": team.closed.isoformat() if team.closed else None,
        "score": team.score,
        "retro": team.retro,
        "objectives": [_objective_json(o) for o in team.objectives],
    }


def _objective_json(objective: ObjectiveRetro) -> dict[str, Any]:
    return {
        "address": objective.address,
        "kind": objective.kind,
        "score": objective.score,
        "retro": objective.retro,
        "flags": [flag.word for flag in objective.flags],
        "key_results": [_kr_json(kr) for kr in objective.key_results],
    }


def _kr_json(kr: KrRetro) -> dict[str, Any]:
    return {
        "address": kr.address,
        "score": kr.score,
        "first": kr.first,
        "last": kr.last,
        "checkins": kr.checkins,
        "revisions": [
            {"date": r.date, "field": r.field, "old": r.old, "new": r.new, "note": r.note}
            for r in kr.revisions
        ],
        "confidence": list(kr.confidence),
        "retro": kr.retro,
        "flags": [flag.word for flag in kr.flags],
    }
