"""The history read on two cores: the teams in two groups, one read in a forked child.

A company's cold history is thousands of versions to read back (versions.read_steps) and
reduce to what a command shows. Each team's versions are read from each other only, and a
command's facts are about KRs, each in one team; so the teams are split in two groups of
about as many changes, and the second group is read and reduced in a forked child
(files/forked.py), its snapshots' cache entries coming back with its result.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from okrcli.files import cache, forked
from okrcli.files.workspace import team_id_of
from okrcli.history import gitread, versions
from okrcli.history.gitlog import FileChange, LogCommit
from okrcli.history.snapshots import Snapshots

Reduced = TypeVar("Reduced")
SPLIT_CHANGES = 512  # file changes in a history below which one core reads it faster
# The child's share of the changes when this process has `meanwhile` to do as well: the
# site's scorecard of 500 teams and its compiled templates are about 0.4 of their history's
# reading (2,000 commits).
MEANWHILE_SHARE = 0.7


def load_reduced(
    top: Path,
    start: str | None,
    folder: str,
    reduce: Callable[[list[versions.Step]], Reduced],
    *,
    tick: Callable[[int, int], None] | None = None,
    full_history: bool = False,
    snapshots: Snapshots | None = None,
    log: gitread.BackgroundLog | None = None,
    early: versions.EarlyRead | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> list[Reduced]:
    """`reduce` of what versions.load reads, on two cores for a long history: the team
    files are split in two groups of about as many changes (a team's paths in one group, so
    that a renamed file's history stays whole), and the second group's history is read and
    reduced in a forked child (forked.py). So `reduce` sees the steps of some of the
    files, once per group, and returns what the caller merges: facts about KRs, which each
    live in one team. One result (of all the steps) when the history is short, when its
    blobs are more than Snapshots.BATCH_BYTES (read in batches, on one core) or forking is
    off; none before the first commit. Should `reduce` fail on both groups, the first
    group's error is raised (not the earliest step's, as on one core): it is pure code over
    parsed data, which a failure of its own would fail on one core too.
    `meanwhile`, when given, is called once in this process, whatever the history: work
    the caller needs and the history does not, done here while the child reads its group
    (which is then the larger one, so that both finish together)."""
    if start is None:
        if meanwhile is not None:
            meanwhile()
        return []
    snapshots = snapshots or Snapshots(top, folder)
    relevant = versions.relevant_changes(top, start, folder, full_history, snapshots, log, early)
    groups = _two_groups(relevant, MEANWHILE_SHARE if meanwhile is not None else 0.5)
    total = sum(len(changes) for _, changes in relevant)
    forking = bool(groups[1]) and forked.worth_forking(total, SPLIT_CHANGES)
    if forking:
        # Both processes take their blobs from one read: git's delta chains run across
        # files, and two cat-files would inflate the same bases twice.
        snapshots.plan(versions.blob_ids(relevant))
        forking = snapshots.prefetch()
    if not forking:
        if meanwhile is not None:
            meanwhile()
        results = [reduce(versions.read_steps(relevant, snapshots, tick))]
    else:
        parent = os.getpid()

        def read_group(teams: frozenset[str]) -> Reduced:
            subset = [
                (c, [x for x in changes if team_id_of(x.path) in teams]) for c, changes in relevant
            ]
            subset = [(c, changes) for c, changes in subset if changes]
            own = sum(len(changes) for _, changes in subset)

            # Only this process draws progress (the child never prints); its count stands
            # for both, which read at one pace.
            def scaled(done: int, _: int) -> None:
                if tick is not None and os.getpid() == parent:
                    tick(done * total // max(own, 1), total)

            return reduce(versions.read_steps(subset, snapshots, scaled))

        items = [frozenset(group) for group in groups]
        results = cache.map_split_keeping(
            snapshots.store, read_group, items, min_items=2, meanwhile=meanwhile
        )
    snapshots.save()
    return results


def _two_groups(
    relevant: list[tuple[LogCommit, list[FileChange]]], second_share: float
) -> list[set[str]]:
    """The teams (ids: a team's file renamed from .yml to .yaml is one team) in two groups,
    the second with about `second_share` of the changes."""
    counts: dict[str, int] = {}
    for _, changes in relevant:
        for change in changes:
            team = team_id_of(change.path)
            counts[team] = counts.get(team, 0) + 1
    return [set(share) for share in forked.deal(counts.items(), second_share)]
