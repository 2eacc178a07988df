"""The weekly meeting's agenda as plain data (SPEC §11): KRs whose value has not moved."""

from __future__ import annotations

import datetime as dt
from typing import Any

from okrcli.core import scoring
from okrcli.core.model import KeyResult, Team
from okrcli.history import versions as history
from okrcli.history.snapshots import TEAM_KEY, VALUE_FIELDS, Fields, Snapshot
from okrcli.history.versions import Step
from okrcli.services.changes import key_result


def stale(
    teams: list[Team],
    steps: list[Step],
    as_of: dt.date,
    days: int,
    committed: dict[str, Fields] | None = None,
) -> list[dict[str, Any]]:
    """KRs not done whose value has not changed for more than `days` days, oldest first.

    Commits after the as-of date are ignored, their values too: a team file such a commit
    changed is read as it was at the as-of date (from history), every other one as it is.
    `committed` is each KR's fields where the history ends (history.kr_fields_at): a KR
    last changed at the newest commit that set the value it holds there, never at an
    uncommitted edit.
    """
    then = history.rewound(steps, as_of)
    by_team = {team.id: _team_candidates(team) for team in teams}  # in file order
    now = dict(committed or {})
    for team_id, snapshot in then.items():
        by_team[team_id] = _snapshot_candidates(team_id, snapshot or {})
        now.update((f"{team_id}/{key}", f) for key, f in history.key_results(snapshot or {}))
    candidates = [c for found in by_team.values() for c in found]
    last = history.last_value_changes(steps, as_of, value_fields(now))
    rows = []
    for kr_address, owner, kr in candidates:
        if kr is not None and scoring.kr_progress(kr) >= 1.0 - scoring.TOLERANCE:
            continue  # done, numeric KRs at or past their target included
        commit = last.get(kr_address)
        if commit is None:
            continue  # not committed yet (or only after the as-of date)
        age = (as_of - commit.day).days
        if age > days:
            rows.append(
                {
                    "address": kr_address,
                    "owner": owner,
                    "last_change": commit.day.isoformat(),
                    "days": age,
                }
            )
    rows.sort(key=lambda row: str(row["last_change"]))
    return rows


def of_owner(rows: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    """The stale rows of the KRs `name` owns (SPEC §18's --owner)."""
    return [row for row in rows if row["owner"] == name]


Candidate = tuple[str, str | None, KeyResult | None]  # address, owner, the KR if scorable


def value_fields(fields: dict[str, Fields]) -> dict[str, tuple[object, ...]]:
    """Each KR's value fields (VALUE_FIELDS), by address."""
    return {
        kr_address: tuple(kr_fields.get(name) for name in VALUE_FIELDS)
        for kr_address, kr_fields in fields.items()
    }


def _team_candidates(team: Team) -> list[Candidate]:
    return [
        (f"{team.id}/{objective.id}/{kr.id}", kr.owner or objective.owner or team.owner, kr)
        for objective in team.objectives
        for kr in objective.key_results
    ]


def _snapshot_candidates(team_id: str, snapshot: Snapshot) -> list[Candidate]:
    """The KRs of a team file as history read it (raw fields, maybe not valid)."""
    team_owner = _text(snapshot.get(TEAM_KEY, {}).get("owner"))
    found: list[Candidate] = []
    for key, fields in history.key_results(snapshot):
        objective_owner = _text(snapshot.get(key.split("/", 1)[0], {}).get("owner"))
        owner = _text(fields.get("owner")) or objective_owner or team_owner
        found.append((f"{team_id}/{key}", owner, key_result(fields)))
    return found


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
