"""Alignment across the team files of a cycle (SPEC §4, §7): which objective serves which,
and the two findings about it, E009 (aligns names no objective) and E010 (aligns loops).

Works on what each file's parse kept (its objective ids and `aligns` entries), so files
with other errors still take part; positions are the loader's business.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from okrcli.core.findings import Finding
from okrcli.core.records import pickled_as_call


@pickled_as_call
@dataclass(frozen=True, slots=True)
class AlignRef:
    """One `aligns` entry, kept from the raw data so alignment is checked for every file."""

    objective_index: int
    entry_index: int | None  # None when aligns is a single string
    objective_id: str
    target: str


# (path, team id, objective ids, aligns entries) of one team file; the ids are None when
# the file is not YAML at all, so nobody can tell which objectives it meant to hold.
TeamAlignment = tuple[str, str, tuple[str, ...] | None, tuple[AlignRef, ...]]


def align_refs(tree: dict[str, Any]) -> Iterable[AlignRef]:
    objectives = tree.get("objectives")
    if not isinstance(objectives, list):
        return
    for index, objective in enumerate(objectives):
        if not isinstance(objective, dict) or not isinstance(objective.get("id"), str):
            continue
        aligns = objective.get("aligns")
        if isinstance(aligns, str):
            yield AlignRef(index, None, objective["id"], aligns)
        elif isinstance(aligns, list):
            for entry_index, target in enumerate(aligns):
                if isinstance(target, str):
                    yield AlignRef(index, entry_index, objective["id"], target)


def findings(files: list[TeamAlignment]) -> dict[str, list[Finding]]:
    """E009 (aligns names nothing) and E010 (aligns loops back), across all files, by path."""
    objectives: set[str] = set()
    unreadable: set[str] = set()
    for _, team_id, objective_ids, _ in files:
        if objective_ids is None:
            unreadable.add(team_id)
        else:
            objectives.update(f"{team_id}/{objective_id}" for objective_id in objective_ids)
    found: dict[str, list[Finding]] = {}
    edges: dict[str, list[tuple[str, str, AlignRef]]] = {}
    for path, team_id, _, refs in files:
        for ref in refs:
            where = _align_path(ref)
            source_address = f"{team_id}/{ref.objective_id}"
            if ref.target.strip("/").split("/", 1)[0] in unreadable:
                # That team's file does not parse, and its own E001 says so: an E009 here
                # would blame the wrong file for it.
                continue
            if ref.target not in objectives:
                found.setdefault(path, []).append(
                    Finding("E009", where, _unknown_alignment(ref.target, objectives))
                )
            else:
                edges.setdefault(source_address, []).append((ref.target, path, ref))
    for loop, path, ref in _alignment_loops(edges):
        found.setdefault(path, []).append(
            Finding(
                "E010",
                _align_path(ref),
                f"aligns forms a loop: {' → '.join(loop)}; an objective cannot serve itself",
            )
        )
    return found


def _align_path(ref: AlignRef) -> tuple[str | int, ...]:
    base: tuple[str | int, ...] = ("objectives", ref.objective_index, "aligns")
    return base if ref.entry_index is None else (*base, ref.entry_index)


def _alignment_loops(
    edges: dict[str, list[tuple[str, str, AlignRef]]],
) -> list[tuple[list[str], str, AlignRef]]:
    """One loop per group of objectives that reach each other (a strongly connected
    component), the shortest through its smallest address, reported at the edge leaving it.
    Linear in objectives and links, however tangled the alignment."""
    loops = []
    for component in _strongly_connected(edges):
        start = min(component)
        trail = _shortest_loop(edges, start, component)
        if trail is not None:
            path, ref = _first_edge(edges, start, trail)
            loops.append(([*trail, start], path, ref))
    return sorted(loops, key=lambda loop: loop[0][0])


def _strongly_connected(edges: dict[str, list[tuple[str, str, AlignRef]]]) -> list[set[str]]:
    """Tarjan's algorithm, iterative (alignment chains can be longer than Python's stack)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[set[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, next_edge = work.pop()
            if next_edge == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            targets = [target for target, _, _ in edges.get(node, [])]
            if next_edge < len(targets):
                work.append((node, next_edge + 1))
                target = targets[next_edge]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                components.append(component)
    return components


def _shortest_loop(
    edges: dict[str, list[tuple[str, str, AlignRef]]], start: str, component: set[str]
) -> list[str] | None:
    """The shortest path start → … → start inside the component, without the final start;
    None for a lone objective that does not align to itself."""
    parents: dict[str, str] = {}
    queue = [start]
    for node in queue:
        for target, _, _ in edges.get(node, []):
            if target == start:
                trail = [node]
                while trail[-1] != start:
                    trail.append(parents[trail[-1]])
                return trail[::-1]
            if target in component and target not in parents:
                parents[target] = node
                queue.append(target)
    return None


def _unknown_alignment(target: str, objectives: set[str]) -> str:
    unknown = f"aligns names '{target}', which is no objective of this cycle"
    hint = _closest(target, objectives)
    if hint is not None:
        return f"{unknown}; did you mean '{hint}'?"
    team = target.strip("/").split("/", 1)[0]
    teams = {address.split("/", 1)[0] for address in objectives}
    if "/" in target and team not in teams:
        return (
            f"aligns names '{target}', but this cycle has no team '{team}'; add its file "
            f"{team}.yaml to the cycle folder or align to another team's objective"
        )
    return f"{unknown}; write TEAM/OBJECTIVE"


def _first_edge(
    edges: dict[str, list[tuple[str, str, AlignRef]]], start: str, trail: list[str]
) -> tuple[str, AlignRef]:
    following = trail[1] if len(trail) > 1 else start
    for target, path, ref in edges[start]:
        if target == following:
            return path, ref
    raise AssertionError("a loop's first edge leaves its start")


def _closest(word: str, candidates: set[str]) -> str | None:
    """The objective an `aligns` entry most likely meant: the same address written with a
    cycle prefix, as a KR's address or as a suffix (all refused by §4), else a near spelling."""
    import difflib

    parts = word.strip().strip("/").split("/")
    written = ["/".join(parts[start : start + 2]) for start in range(len(parts))]
    for address in written:
        if address in candidates:
            return address
    suffix_of = sorted(c for c in candidates if c.endswith("/" + word.strip().strip("/")))
    if len(suffix_of) == 1:
        return suffix_of[0]
    close = difflib.get_close_matches(word, sorted(candidates), n=1, cutoff=0.6)
    return close[0] if close else None


# --- positions ------------------------------------------------------------------------------
