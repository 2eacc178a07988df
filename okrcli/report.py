"""The scorecard and the alignment tree as plain data (the JSON of SPEC §6).

Renderers (render.py) draw these dicts; `--format json` prints them as they are, so the
table, markdown, csv and json outputs can never disagree about a number.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from okrcli import scoring
from okrcli.address import Target, resolve, targets
from okrcli.errors import OkrError
from okrcli.loader import CycleData
from okrcli.model import Config, KeyResult, Objective, Team
from okrcli.numbers import round_half

DIGITS = 4


def _config(data: CycleData) -> Config:
    config = data.workspace.config
    assert config is not None, "callers refuse cycles with errors first"
    return config


def expected(data: CycleData, as_of: dt.date) -> float:
    return scoring.expected_progress(data.cycle.start, data.cycle.end, as_of)


def key_result_row(
    team: Team, objective: Objective, kr: KeyResult, numbers: scoring.Numbers
) -> dict[str, Any]:
    return {
        "address": f"{team.id}/{objective.id}/{kr.id}",
        "title": kr.title,
        "owner": kr.owner,
        "baseline": kr.baseline,
        "target": kr.target,
        "current": None if kr.is_milestone else kr.value,
        "done": kr.done,
        "unit": kr.unit,
        "progress": round_half(numbers.progress, DIGITS),
        "raw_progress": round_half(numbers.raw, DIGITS),
        "score": round_half(numbers.score, DIGITS),
        "confidence": kr.confidence,
        "weight": kr.weight,
        "status": numbers.status,
    }


def objective_row(
    team: Team, objective: Objective, pace: float, config: Config
) -> tuple[dict[str, Any], float]:
    """The objective's row (with its KRs') and its exact progress, for the team's mean."""
    limits = (pace, config.on_track, config.at_risk)
    krs = [(kr, scoring.kr_numbers(kr, *limits)) for kr in objective.key_results]
    numbers = scoring.objective_numbers(
        [(kr_numbers, float(kr.weight)) for kr, kr_numbers in krs], *limits
    )
    row = {
        "address": f"{team.id}/{objective.id}",
        "title": objective.title,
        "owner": objective.owner,
        "kind": objective.kind,
        "aligns": list(objective.aligns),
        "progress": round_half(numbers.progress, DIGITS),
        "score": round_half(numbers.score, DIGITS),
        "status": numbers.status,
        "key_results": [key_result_row(team, objective, kr, n) for kr, n in krs],
    }
    return row, numbers.progress


def scorecard(data: CycleData, as_of: dt.date, team_id: str | None = None) -> dict[str, Any]:
    config = _config(data)
    pace = expected(data, as_of)
    teams = data.teams
    if team_id is not None:
        teams = [team for team in teams if team.id == team_id]
        if not teams:
            known = ", ".join(team.id for team in data.teams) or "none"
            raise OkrError(f"no team '{team_id}' in {data.cycle.id}; teams here: {known}")
    team_rows = []
    every_objective: list[float] = []
    for team in teams:
        rows = [objective_row(team, o, pace, config) for o in team.objectives]
        objectives = [row for row, _ in rows]
        progresses = [progress for _, progress in rows]
        every_objective += progresses
        team_rows.append(
            {
                "team": team.id,
                "name": team.display_name,
                "owner": team.owner,
                "progress": round_half(scoring.mean(progresses), DIGITS),
                "objectives": objectives,
            }
        )
    return {
        "cycle": data.cycle.id,
        "as_of": as_of.isoformat(),
        "expected": round_half(pace, DIGITS),
        "progress": round_half(scoring.mean(every_objective), DIGITS),
        "teams": team_rows,
    }


def tree(data: CycleData, as_of: dt.date, address: str | None = None) -> list[dict[str, Any]]:
    """Top objectives (aligned to nothing) with the objectives that align to them below."""
    config = _config(data)
    pace = expected(data, as_of)
    objectives = targets(data.teams, key_results=False)
    children: dict[str, list[Target]] = {}
    for target in objectives:
        for parent in target.objective.aligns:
            children.setdefault(parent, []).append(target)
    if address is not None:
        roots = [resolve(address, data.cycle.id, objectives, "objective")]
    else:
        roots = [t for t in objectives if not t.objective.aligns]

    def node(target: Target, trail: frozenset[str]) -> dict[str, Any]:
        row, _ = objective_row(target.team, target.objective, pace, config)
        below = [c for c in children.get(target.address, []) if c.address not in trail]
        return {
            "address": row["address"],
            "title": row["title"],
            "progress": row["progress"],
            "score": row["score"],
            "status": row["status"],
            "kind": row["kind"],
            "owner": row["owner"],
            "key_results": row["key_results"],
            "children": [node(c, trail | {c.address}) for c in below],
        }

    return [node(root, frozenset({root.address})) for root in roots]
