"""The scorecard and the alignment tree as plain data (the JSON of SPEC §6).

Renderers (render.py) draw these dicts; `--format json` prints them as they are, so the
table, markdown, csv and json outputs can never disagree about a number.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

from okrcli.core import people, scoring
from okrcli.core.address import resolve, targets
from okrcli.core.errors import OkrError
from okrcli.core.model import Config, KeyResult, Objective, Team
from okrcli.core.numbers import round_half
from okrcli.core.text import inert
from okrcli.files.loader import CycleData

DIGITS = 4

# jsonout caches each team_row encoded, keyed by okr's version and jsonout._FRAGMENT_FORMAT:
# a change to what these rows hold (here or in scoring) must bump that constant.


def config_of(data: CycleData) -> Config:
    config = data.workspace.config
    assert config is not None, "callers refuse cycles with errors first"
    return config


def expected(data: CycleData, as_of: dt.date) -> float:
    return scoring.expected_progress(data.cycle.start, data.cycle.end, as_of)


def team_pace(data: CycleData, as_of: dt.date, team: Team) -> float:
    """The pace a team is measured against: a closed team's as of its `closed:` date, never
    later (SPEC §14), so its statuses stay what they were when it was graded."""
    day = as_of if team.closed is None else min(as_of, team.closed)
    return expected(data, day)


def key_result_row(
    team: Team, objective: Objective, kr: KeyResult, numbers: scoring.Numbers
) -> dict[str, Any]:
    return {
        "address": f"{team.id}/{objective.id}/{kr.id}",
        "title": kr.title,
        "owner": people.kr_owner(team, objective, kr),
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
        "owner": people.objective_owner(team, objective),
        "kind": objective.kind,
        "aligns": list(objective.aligns),
        "progress": round_half(numbers.progress, DIGITS),
        "score": round_half(numbers.score, DIGITS),
        "status": numbers.status,
        "key_results": [key_result_row(team, objective, kr, n) for kr, n in krs],
    }
    return row, numbers.progress


def scorecard(data: CycleData, as_of: dt.date, team_id: str | None = None) -> dict[str, Any]:
    config = config_of(data)
    rows = [
        team_row(team, team_pace(data, as_of, team), config)
        for team in selected_teams(data, team_id)
    ]
    every_objective = [progress for _, progresses in rows for progress in progresses]
    return {**card(data, as_of, every_objective), "teams": [row for row, _ in rows]}


def selected_teams(data: CycleData, team_id: str | None) -> list[Team]:
    """Every valid team of the cycle, or the one `--team` names."""
    if team_id is None:
        return data.teams
    teams = [team for team in data.teams if team.id == team_id]
    if not teams:
        known = ", ".join(team.id for team in data.teams) or "none"
        raise OkrError(f"no team '{team_id}' in {data.cycle.id}; teams here: {known}")
    return teams


def team_row(team: Team, pace: float, config: Config) -> tuple[dict[str, Any], list[float]]:
    """A team's scorecard row, and its objectives' exact progress for the cycle's mean.

    Depends on nothing but the team file's content, the pace and the status thresholds
    (jsonout caches it by exactly those).
    """
    rows = [objective_row(team, o, pace, config) for o in team.objectives]
    progresses = [progress for _, progress in rows]
    row = {
        "team": team.id,
        "name": team.display_name,
        "owner": team.owner,
        "closed": _closed(team),
        "progress": round_half(scoring.mean(progresses), DIGITS),
        "objectives": [objective for objective, _ in rows],
    }
    return row, progresses


def _closed(team: Team) -> str | None:
    return None if team.closed is None else team.closed.isoformat()


def ended_note(data: CycleData, as_of: dt.date) -> str | None:
    """A sentence for a cycle that ended before the as-of date (its pace is then 100% and
    says nothing), with how to start the next one when its folder is missing."""
    cycle = data.cycle
    if as_of <= cycle.end:
        return None
    days = (as_of - cycle.end).days
    note = f"{cycle.id} ended on {cycle.end.isoformat()}, {days} day(s) before {as_of.isoformat()}"
    if any(span.start > cycle.end for span in data.workspace.cycles.values()):
        return note
    year, _, quarter = cycle.id.partition("-Q")
    if year.isdigit() and quarter in ("1", "2", "3", "4"):
        q = int(quarter)
        following = f"{int(year) + q // 4}-Q{q % 4 + 1}"
        return f"{note}; no later cycle yet: 'okr next' starts {following}"
    return f"{note}; no later cycle yet: 'okr next' starts the next one"


def card(data: CycleData, as_of: dt.date, progresses: list[float]) -> dict[str, Any]:
    """The scorecard's fields above its teams (which follow under "teams")."""
    return {
        "cycle": data.cycle.id,
        "as_of": as_of.isoformat(),
        "expected": round_half(expected(data, as_of), DIGITS),
        "progress": round_half(scoring.mean(progresses), DIGITS),
    }


def tree(data: CycleData, as_of: dt.date, address: str | None = None) -> list[dict[str, Any]]:
    """Top objectives (aligned to nothing) with the objectives that align to them below.

    An objective that serves several parents is drawn in full once, under the first of
    its `aligns` that the tree holds (as the site's map draws it), and under each other
    parent as a reference `{"address", "title", "see"}`, `see` naming the objective it is
    drawn under. So the tree grows with the objectives and links there are, never with
    the paths through them; and it is built without recursion, however deep.
    """
    config = config_of(data)
    paces = {team.id: team_pace(data, as_of, team) for team in data.teams}
    objectives = targets(data.teams, key_results=False)
    by_address = {target.address: target for target in objectives}
    children: dict[str, list[str]] = {}
    for target in objectives:
        for parent in target.objective.aligns:
            children.setdefault(parent, []).append(target.address)
    if address is not None:
        roots = [resolve(address, data.cycle.id, objectives, "objective").address]
    else:
        roots = [t.address for t in objectives if not t.objective.aligns]
    home = _homes(roots, children, {a: list(t.objective.aligns) for a, t in by_address.items()})

    def full(objective_address: str) -> dict[str, Any]:
        target = by_address[objective_address]
        row, _ = objective_row(target.team, target.objective, paces[target.team.id], config)
        return {
            "address": row["address"],
            "title": row["title"],
            "progress": row["progress"],
            "score": row["score"],
            "status": row["status"],
            "kind": row["kind"],
            "owner": row["owner"],
            "closed": _closed(target.team),
            "key_results": row["key_results"],
            "children": [],
        }

    return drawn_once(roots, children, home, full, lambda a: by_address[a].objective.title)


def _homes(
    roots: list[str], children: dict[str, list[str]], parents: dict[str, list[str]]
) -> dict[str, str | None]:
    """Where each objective under `roots` is drawn in full: under the first of its
    `parents` that is in the tree (None for a root)."""
    inside: dict[str, None] = {}
    queue = list(roots)
    for address in queue:  # breadth first: the queue grows as it is read
        if address not in inside:
            inside[address] = None
            queue.extend(children.get(address, []))
    home: dict[str, str | None] = dict.fromkeys(roots)
    for address in inside:
        if address not in home:
            home[address] = next(p for p in parents[address] if p in inside)
    return home


def drawn_once(
    roots: list[str],
    children: dict[str, list[str]],
    home: dict[str, str | None],
    full: Callable[[str], dict[str, Any]],
    title: Callable[[str], str],
) -> list[dict[str, Any]]:
    """The tree from `roots` down `children`: each objective as `full` makes it under its
    `home`, and as a reference `{"address", "title", "see"}` under every other parent."""
    nodes: list[dict[str, Any]] = []
    drawn: set[str] = set()
    # Each level: the list its nodes go into, the objectives still to place there, and
    # the objective they align to (None at the top).
    levels: list[tuple[list[dict[str, Any]], Iterator[str], str | None]]
    levels = [(nodes, iter(roots), None)]
    while levels:
        siblings, pending, above = levels[-1]
        address = next(pending, None)
        if address is None:
            levels.pop()
        elif address in drawn or home.get(address) != above:
            see = home.get(address) or address
            siblings.append({"address": address, "title": title(address), "see": see})
        else:
            drawn.add(address)
            node = full(address)
            siblings.append(node)
            levels.append((node["children"], iter(children.get(address, [])), address))
    return nodes


# --- one person's part: --owner (SPEC §18) ---------------------------------------------------


def owners(data: CycleData) -> set[str]:
    """Everyone who owns a KR of the cycle (by the owner rule)."""
    return {
        owner
        for team in data.teams
        for objective in team.objectives
        for kr in objective.key_results
        if (owner := people.kr_owner(team, objective, kr)) is not None
    }


def require_owner(data: CycleData, name: str) -> None:
    """Refuse a NAME that owns no KR of the cycle: most likely a typo."""
    known = owners(data)
    if name not in known:
        listing = ", ".join(inert(owner) for owner in sorted(known)) or "nobody"
        raise OkrError(
            f"'{inert(name)}' owns no key result in {data.cycle.id}; owners here: {listing}"
        )


def owned_krs(objective: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return [kr for kr in objective["key_results"] if kr["owner"] == name]


def scorecard_of_owner(card: dict[str, Any], name: str) -> dict[str, Any]:
    """The scorecard with only the KRs `name` owns, the objectives that hold them and the
    teams that hold those. The figures of what is kept (an objective's progress, a team's,
    the cycle's) stay the whole thing's: the rows are filtered, not recomputed."""
    teams = []
    for team in card["teams"]:
        objectives = [
            {**objective, "key_results": krs}
            for objective in team["objectives"]
            if (krs := owned_krs(objective, name))
        ]
        if objectives:
            teams.append({**team, "objectives": objectives})
    return {**card, "teams": teams}


def tree_of_owner(nodes: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    """The tree with only the KRs `name` owns and the objectives that hold them: an
    objective holding none of them gives its place to those below it that do, so what is
    kept hangs under the nearest kept objectives it serves, drawn in full under the first
    (along the objectives it was drawn under) and referenced under the others, as in tree.
    """
    full: dict[str, dict[str, Any]] = {}  # the objectives drawn in full, in reading order
    above: dict[str, list[str]] = {}  # each one's parents: the one it is drawn under first
    work: list[tuple[str | None, dict[str, Any]]] = [(None, node) for node in reversed(nodes)]
    while work:
        parent, node = work.pop()
        address = node["address"]
        if parent is not None:
            parents = above.setdefault(address, [])
            parents.insert(len(parents) if "see" in node else 0, parent)
        if "see" not in node:
            full[address] = node
            work.extend((address, child) for child in reversed(node["children"]))
    kept = {address for address, node in full.items() if owned_krs(node, name)}
    nearest = _nearest_kept(list(full), above, kept)
    children: dict[str, list[str]] = {}
    for address in full:
        for parent in nearest[address] if address in kept else []:
            children.setdefault(parent, []).append(address)
    top = [a for a in full if a in kept and not nearest[a]]
    home = {a: (nearest[a][0] if nearest[a] else None) for a in kept}

    def trimmed(address: str) -> dict[str, Any]:
        node = full[address]
        return {**node, "key_results": owned_krs(node, name), "children": []}

    return drawn_once(top, children, home, trimmed, lambda a: str(full[a]["title"]))


def _nearest_kept(
    addresses: list[str], above: dict[str, list[str]], kept: set[str]
) -> dict[str, list[str]]:
    """For each objective, the kept objectives nearest above it: its kept parents, and for
    a parent that is not kept, that one's; in order, each once. Without recursion."""
    nearest: dict[str, list[str]] = {}
    for start in addresses:
        stack, on_stack = [start], {start}
        while stack:
            address = stack[-1]
            waiting = [
                p
                for p in above.get(address, [])
                if p not in kept and p not in nearest and p not in on_stack
            ]
            if waiting:
                stack.extend(waiting)
                on_stack.update(waiting)
                continue
            on_stack.discard(stack.pop())
            found: dict[str, None] = {}
            for parent in above.get(address, []):
                for one in [parent] if parent in kept else nearest.get(parent, []):
                    found.setdefault(one)
            nearest[address] = list(found)
    return nearest
