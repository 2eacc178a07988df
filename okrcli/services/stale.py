"""The weekly meeting's agenda as plain data (SPEC §11): KRs whose value has not moved."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from okrcli.core import scoring
from okrcli.core.model import KeyResult, Team
from okrcli.history import versions as history
from okrcli.history.snapshots import TEAM_KEY, VALUE_FIELDS, Fields, Snapshot
from okrcli.history.versions import Step
from okrcli.services.changes import KeyResults

Owned = tuple[str | None, KeyResult | None]  # a KR's owner, and the KR if it can be scored


def stale(
    teams: list[Team],
    steps: list[Step],
    as_of: dt.date,
    days: int,
    committed: dict[str, Fields] | None = None,
    krs: dict[str, Owned] | None = None,
) -> list[dict[str, Any]]:
    """KRs not done whose value has not changed for more than `days` days, oldest first.

    Commits after the as-of date are ignored, their values too: a team file such a commit
    changed is read as it was at the as-of date (from history), every other one as it is.
    `committed` is each KR's fields where the history ends (history.kr_fields_at): a KR
    last changed at the newest commit that set the value it holds there, never at an
    uncommitted edit. `krs` is KrsAt the as-of date, where the caller has it already.
    """
    then = history.rewound(steps, as_of)
    now = dict(committed or {})
    for team_id, snapshot in then.items():
        now.update((f"{team_id}/{key}", f) for key, f in history.key_results(snapshot or {}))
    last = history.last_value_changes(steps, as_of, value_fields(now))
    ages: dict[str, tuple[int, str]] = {}  # by commit id: days since it, its day
    rows = []
    for kr_address, (owner, kr) in (krs if krs is not None else KrsAt(teams)(then)).items():
        commit = last.get(kr_address)
        if commit is None:
            continue  # not committed yet (or only after the as-of date)
        age = ages.get(commit.id)
        if age is None:
            age = ages[commit.id] = ((as_of - commit.day).days, commit.day.isoformat())
        if age[0] <= days:
            continue
        if kr is not None and scoring.kr_progress(kr) >= 1.0 - scoring.TOLERANCE:
            continue  # done, numeric KRs at or past their target included
        rows.append({"address": kr_address, "owner": owner, "last_change": age[1], "days": age[0]})
    rows.sort(key=lambda row: str(row["last_change"]))
    return rows


def of_owner(rows: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    """The stale rows of the KRs `name` owns (SPEC §18's --owner)."""
    return [row for row in rows if row["owner"] == name]


def value_fields(fields: dict[str, Fields]) -> dict[str, tuple[object, ...]]:
    """Each KR's value fields (VALUE_FIELDS), by address."""
    return {
        kr_address: tuple(map(kr_fields.get, VALUE_FIELDS))
        for kr_address, kr_fields in fields.items()
    }


class KrsAt:
    """Every KR of one cycle's teams as it stood on a day, by address in file order, for
    any number of days: a team file in `then` (those a later commit changed, see
    history.rewound) as the history had it (none where it did not exist yet), the others
    as they are. A team file no commit changed between two of the days is the very same
    Team or snapshot on both, whose KRs are made once."""

    def __init__(self, teams: list[Team]) -> None:
        self.teams = teams
        self._scorable = KeyResults()
        # By team and source (kept with its KRs, so that no other object takes its id);
        # by team too, since two files of the same bytes share one snapshot.
        self._made: dict[tuple[str, int], tuple[Team | Snapshot, list[tuple[str, Owned]]]] = {}

    def __call__(self, then: dict[str, Snapshot | None]) -> dict[str, Owned]:
        sources: dict[str, Team | Snapshot | None] = {team.id: team for team in self.teams}
        sources.update(then)  # a team in both keeps its place
        found: dict[str, Owned] = {}
        for team_id, source in sources.items():
            if source is not None:
                found.update(self._krs(team_id, source))
        return found

    def _krs(self, team_id: str, source: Team | Snapshot) -> list[tuple[str, Owned]]:
        made = self._made.get((team_id, id(source)))
        if made is not None and made[0] is source:
            return made[1]
        krs: list[tuple[str, Owned]] = []
        if isinstance(source, Team):
            for objective in source.objectives:
                objective_owner = objective.owner or source.owner
                for kr in objective.key_results:
                    address = f"{team_id}/{objective.id}/{kr.id}"
                    krs.append((address, (kr.owner or objective_owner, kr)))
        else:
            for key, owner, fields in snapshot_krs(source):
                krs.append((f"{team_id}/{key}", (owner, self._scorable(fields))))
        self._made[(team_id, id(source))] = (source, krs)
        return krs


def snapshot_krs(snapshot: Snapshot) -> Iterator[tuple[str, str | None, Fields]]:
    """(OBJ/KR, owner, fields) of each KR of a file version as history read it (raw
    fields, maybe not valid), by the owner rule."""
    team_owner = _text(snapshot.get(TEAM_KEY, {}).get("owner"))
    objective_owners: dict[str, str | None] = {}  # each objective's owner, looked up once
    for key, fields in history.key_results(snapshot):
        objective_id = key.split("/", 1)[0]
        if objective_id not in objective_owners:
            objective = snapshot.get(objective_id, {})
            objective_owners[objective_id] = _text(objective.get("owner")) or team_owner
        yield key, _text(fields.get("owner")) or objective_owners[objective_id], fields


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
