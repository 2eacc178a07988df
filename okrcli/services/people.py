"""People (SPEC §18) as plain data: `okr people` (one row per person) and `okr person NAME`
(the evidence for a performance conversation).

Evidence, not a rating: people are listed by name, never ranked by a figure. Owners,
progress and status are the scorecard's (its rows, or its rules where only those three are
needed), and the rest comes from the log's entries of one read of the history.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from okrcli.core import scoring
from okrcli.core.errors import OkrError
from okrcli.core.model import KeyResult, Objective, Status
from okrcli.core.numbers import round_half
from okrcli.core.people import Identities, kr_owner, objective_owner
from okrcli.core.text import inert
from okrcli.files.loader import CycleData
from okrcli.history.snapshots import Fields
from okrcli.history.versions import Step
from okrcli.services import changes, report
from okrcli.services import stale as stale_service
from okrcli.services.stale import snapshot_krs

DIGITS = 4
# A check-in changes a KR's value or confidence; a change of baseline or target is a revision.
CHECKIN_FIELDS = frozenset({"current", "done", "confidence"})
STALE_DAYS = 7  # §11's default: `okr people` has no --days of its own


@dataclass(frozen=True, slots=True)
class CycleHistory:
    """One cycle as the people commands read it: its valid files, its history read once,
    and the log's entries (§9) of that history up to the as-of date (from the day a
    command looks back to, if it does not look further), authors mapped."""

    data: CycleData
    steps: list[Step]
    committed: dict[str, Fields]  # each KR's fields where the history ends
    entries: list[dict[str, Any]]
    ahead: Ahead | None = None

    def scorecard(self, as_of: dt.date) -> dict[str, Any]:
        card = None if self.ahead is None else self.ahead.card
        return card if card is not None else report.scorecard(self.data, as_of)


Owned = dict[str, list[tuple[float, Status]]]  # by owner: each KR's exact progress, status


@dataclass(frozen=True, slots=True)
class Ahead:
    """What a command makes of the cycle's files alone, at the as-of date: the caller
    makes it while git walks the history, which then takes no longer to wait for."""

    card: dict[str, Any] | None = None  # the scorecard (okr person)
    owned: Owned | None = None  # owned_krs (okr people)


def for_person(data: CycleData, as_of: dt.date) -> Ahead:
    return Ahead(card=report.scorecard(data, as_of))


def for_people(data: CycleData, as_of: dt.date) -> Ahead:
    return Ahead(owned=owned_krs(data, as_of))


def cycle_history(
    data: CycleData,
    steps: list[Step],
    committed: dict[str, Fields],
    identities: Identities,
    as_of: dt.date,
    ahead: Ahead | None = None,
    since: dt.date | None = None,
) -> CycleHistory:
    """Commits dated after the as-of date are left out, as stale leaves them out, and
    those before `since` from the entries. `ahead` is what the caller made of the files
    at `as_of` already."""
    first = since or dt.date.min
    # Each entry has its commit's day.
    until = [step for step in steps if first <= step.commit.day <= as_of]
    entries = changes.log_entries(until, people=identities)
    return CycleHistory(data, steps, committed, entries, ahead)


def day_of(entry: dict[str, Any]) -> dt.date:
    """An entry's author date as the author's own calendar day (as stale dates commits)."""
    return dt.date.fromisoformat(entry["date"][:10])


def is_checkin(entry: dict[str, Any]) -> bool:
    return entry["field"] in CHECKIN_FIELDS


def key_results(card: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every KR row of a scorecard, in file order."""
    for team in card["teams"]:
        for objective in team["objectives"]:
            yield from objective["key_results"]


def with_rows(
    data: CycleData, card: dict[str, Any]
) -> Iterator[tuple[Objective, dict[str, Any], list[tuple[KeyResult, dict[str, Any]]]]]:
    """Each objective of the cycle's scorecard with its row, and its KRs with theirs: the
    rows say what the scorecard shows (rounded), the model gives exact figures for means."""
    for team, team_row in zip(data.teams, card["teams"], strict=True):
        for objective, row in zip(team.objectives, team_row["objectives"], strict=True):
            krs = list(zip(objective.key_results, row["key_results"], strict=True))
            yield objective, row, krs


def owners_by_address(
    card: dict[str, Any], steps: list[Step], wanted: Iterable[str]
) -> dict[str, str | None]:
    """The owner of each KR `wanted`: as the scorecard has it, else (a KR since removed)
    as the last version of its file in the history had it."""
    found: dict[str, str | None] = {kr["address"]: kr["owner"] for kr in key_results(card)}
    if set(wanted) <= found.keys():
        return found
    for step in steps:
        for file in step.files:
            for key, owner, _ in snapshot_krs(file.after or {}):
                found[f"{file.team}/{key}"] = owner
    return found | {kr["address"]: kr["owner"] for kr in key_results(card)}


# --- okr people -----------------------------------------------------------------------------


def people(cycle: CycleHistory, as_of: dt.date) -> list[dict[str, Any]]:
    """One row per person who owns a KR of the cycle or authored a check-in in it (up to
    the as-of date), by name."""
    made = None if cycle.ahead is None else cycle.ahead.owned
    owned = made if made is not None else owned_krs(cycle.data, as_of)
    checkins: dict[str, dict[str, dt.date]] = {}  # person -> commit -> day
    for entry in cycle.entries:
        if is_checkin(entry):
            checkins.setdefault(entry["author"], {})[entry["commit"]] = day_of(entry)
    stale_rows = stale_service.stale(
        cycle.data.teams, cycle.steps, as_of, STALE_DAYS, cycle.committed
    )
    stale_krs = Counter(row["owner"] for row in stale_rows)
    rows = []
    for person in sorted(owned.keys() | checkins.keys()):
        krs = owned.get(person, [])
        statuses = [status for _, status in krs]
        days = checkins.get(person, {}).values()
        rows.append(
            {
                "person": person,
                "krs": len(krs),
                "progress": _mean([progress for progress, _ in krs]),
                "on_track": statuses.count("on-track"),
                "at_risk": statuses.count("at-risk"),
                "off_track": statuses.count("off-track"),
                "done": statuses.count("done"),
                "checkins": len(days),
                "last_checkin": max(days).isoformat() if days else None,
                "stale": stale_krs[person],
            }
        )
    return rows


def owned_krs(data: CycleData, as_of: dt.date) -> Owned:
    """Per owner, the exact progress and the status of each KR they own, as the scorecard
    has them (the same owner rule, pace and thresholds), without the rest of its rows."""
    config = report.config_of(data)
    owned: Owned = {}
    for team in data.teams:
        limits = (report.team_pace(data, as_of, team), config.on_track, config.at_risk)
        for objective in team.objectives:
            for kr in objective.key_results:
                owner = kr_owner(team, objective, kr)
                if owner is not None:
                    numbers = scoring.kr_numbers(kr, *limits)
                    owned.setdefault(owner, []).append((numbers.progress, numbers.status))
    return owned


def _mean(values: list[float]) -> float | None:
    return round_half(scoring.mean(values), DIGITS) if values else None


# --- okr person NAME ------------------------------------------------------------------------


def known_people(cycles: Iterable[CycleHistory], declared: Iterable[str]) -> set[str]:
    """Everyone `okr person` can speak of: the people of okr.yaml, every owner of an
    objective or KR, and every author of a check-in or revision."""
    found = set(declared)
    for cycle in cycles:
        for team in cycle.data.teams:
            for objective in team.objectives:
                found.update(filter(None, [objective_owner(team, objective)]))
        found.update(report.owners(cycle.data))
        found.update(entry["author"] for entry in cycle.entries)
    return found


def person(
    name: str,
    cycles: list[CycleHistory],
    as_of: dt.date,
    declared: Iterable[str] = (),
    every_cycle: bool = False,
) -> dict[str, Any]:
    """The JSON of `okr person` (§18). Of several cycles (`every_cycle`), those where NAME
    owns or authored something; of one, that one."""
    known = known_people(cycles, declared)
    if name not in known:
        # Names come from commits anyone can make: shown inert, never as terminal controls.
        listing = ", ".join(inert(person) for person in sorted(known)) or "nobody yet"
        raise OkrError(f"no person '{inert(name)}' here; the people there are: {listing}")
    found = [_person_cycle(name, cycle, as_of) for cycle in cycles]
    if every_cycle:
        found = [(c, exact) for c, exact in found if c["owned"] or c["authored"]]
    scores = [score for _, exact in found for score in exact]
    commits = {e["commit"] for c, _ in found for e in c["authored"] if is_checkin(e)}
    return {
        "person": name,
        "cycles": [c for c, _ in found],
        "summary": {"krs": len(scores), "mean_score": _mean(scores), "checkins": len(commits)},
    }


def _person_cycle(
    name: str, cycle: CycleHistory, as_of: dt.date
) -> tuple[dict[str, Any], list[float]]:
    """The cycle's part of the JSON, and the exact scores of the KRs NAME owns."""
    card = cycle.scorecard(as_of)
    theirs = [entry for entry in cycle.entries if entry["author"] == name]
    owners = owners_by_address(card, cycle.steps, (e["address"] for e in theirs))
    authored = [
        {
            "date": entry["date"],
            "commit": entry["commit"],
            "address": entry["address"],
            "field": entry["field"],
            "old": entry["old"],
            "new": entry["new"],
            "note": entry["note"],
            "contribution": owners.get(entry["address"]) not in (None, name),
        }
        for entry in theirs
    ]
    owned, scores = [], []
    for objective, row, krs in with_rows(cycle.data, card):
        if row["owner"] == name:
            owned.append(_objective_entry(objective, row))
        for kr, kr_row in krs:
            if kr_row["owner"] == name:
                owned.append(_kr_entry(kr, kr_row))
                scores.append(scoring.kr_score(kr))
    return {"cycle": cycle.data.cycle.id, "owned": owned, "authored": authored}, scores


def _kr_entry(kr: KeyResult, kr_row: dict[str, Any]) -> dict[str, Any]:
    return {
        "address": kr_row["address"],
        "title": kr_row["title"],
        "baseline": kr_row["baseline"],
        "target": kr_row["target"],
        "last": kr_row["done"] if kr.is_milestone else kr_row["current"],
        "progress": kr_row["progress"],
        "score": kr_row["score"],
        "status": kr_row["status"],
        "retro": _retro(kr),
    }


def _objective_entry(objective: Objective, row: dict[str, Any]) -> dict[str, Any]:
    return {
        "address": row["address"],
        "title": row["title"],
        "baseline": None,
        "target": None,
        "last": None,
        "progress": row["progress"],
        "score": row["score"],
        "status": row["status"],
        "retro": _retro(objective),
    }


def _retro(item: object) -> str | None:
    # `retro:` (SPEC §13) is read into the model by the cycle-close work; until a model
    # holds it, there is none to show.
    retro = getattr(item, "retro", None)
    return retro if isinstance(retro, str) else None
