"""The history commands as plain data: log (§9) and diff (§10); stale (§11) is stale.py.

Each service takes what history.py read from git and returns lists and dicts, exactly the
JSON the command prints with `--format json`; render_history.py draws the other formats
from the same data, so no two formats can disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from okrcli.core import address, scoring
from okrcli.core.errors import OkrError, UsageError
from okrcli.core.model import KeyResult, Objective, Team
from okrcli.core.numbers import round_half
from okrcli.core.people import Identities
from okrcli.core.scalars import is_number
from okrcli.files.workspace import Source, team_id_of
from okrcli.history import gitread
from okrcli.history import versions as history
from okrcli.history.revsource import head, resolve
from okrcli.history.snapshots import (
    REVISION_FIELDS,
    TEAM_KEY,
    Fields,
    Snapshot,
    Snapshots,
    same,
)
from okrcli.history.versions import Step

DIGITS = 4
WORKING_TREE = "working tree"


# --- log (§9) -------------------------------------------------------------------------------


def resolve_filter(text: str, cycle_id: str, teams: list[Team], steps: list[Step]) -> str:
    """The address of a KR or objective named by a unique suffix: among the cycle's KRs and
    objectives as they are now, else among every address the history ever had."""
    current = address.targets(teams)
    try:
        return address.resolve(text, cycle_id, current).address
    except OkrError:
        wanted = text.strip().strip("/").removeprefix(f"{cycle_id}/")
        if _matches(wanted, [t.address for t in current]):
            raise  # ambiguous among today's addresses: that error says so
        matches = _matches(wanted, history.addresses(steps))
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise OkrError(
                f"address '{text}' is ambiguous in the history of {cycle_id}: it could be "
                f"{', '.join(sorted(matches))}; give more of the address"
            ) from None
        raise


def _matches(wanted: str, known: list[str]) -> list[str]:
    if wanted in known:
        return [wanted]
    return [a for a in known if a.endswith(f"/{wanted}")]


def _within(entry_address: str, only: str | None) -> bool:
    return only is None or entry_address == only or entry_address.startswith(f"{only}/")


def log_entries(
    steps: list[Step], only: str | None = None, people: Identities | None = None
) -> list[dict[str, Any]]:
    """One entry per changed value, confidence, baseline or target, oldest first; the
    author is the person okr.yaml's `people:` maps the commit's author to (SPEC §18)."""
    people = people or Identities({})
    return [
        {
            "commit": change.commit.id,
            "date": change.commit.date,
            "author": people.person(change.commit.author, change.commit.email),
            "address": change.address,
            "field": change.field,
            "old": change.old,
            "new": change.new,
            "note": change.commit.note_for(change.address),
        }
        for change in history.field_changes(steps)
        if _within(change.address, only)
    ]


def kr_value(fields: Fields) -> float | None:
    """A KR's value as a number for a sparkline: done is 1 or 0; an absent current is the
    baseline (as written: 68 stays an int); anything else that is not a number has none."""
    done = fields.get("done")
    if isinstance(done, bool):
        return 1.0 if done else 0.0
    current = fields.get("current", fields.get("baseline"))
    return current if is_number(current) else None


def value_series(
    steps: list[Step], only: str | None = None, now: dict[str, Fields] | None = None
) -> list[dict[str, Any]]:
    """Per KR whose value ever changed: its value when it first appears, after each commit
    that changed it (in log order), and `now` (its fields where the history ends: a merge
    may have settled on another value than the last commit of either side).

    Only the commits that changed a KR add to its trend: a commit on another branch that
    left it alone still holds that branch's older value, which is no step of its trend.
    """
    series: dict[str, list[float]] = {}
    milestones: dict[str, bool] = {}  # a milestone in every version seen
    falling: dict[str, bool] = {}  # its target below its baseline, in the last version seen

    def extend(kr_address: str, fields: Fields) -> None:
        values = series.setdefault(kr_address, [])
        baseline, target = fields.get("baseline"), fields.get("target")
        if is_number(baseline) and is_number(target):
            falling[kr_address] = target < baseline
        value = kr_value(fields)
        is_milestone = isinstance(fields.get("done"), bool)
        milestones[kr_address] = milestones.get(kr_address, True) and is_milestone
        if value is not None and not (values and same(values[-1], value)):
            values.append(value)

    for step in steps:
        for file in step.files:
            after = file.after
            if after is None:
                continue
            before = file.before or {}
            for key in file.changed:  # unchanged KRs share their fields with the version before
                if "/" not in key:
                    continue
                kr_address, fields, old = f"{file.team}/{key}", after[key], before.get(key)
                if not _within(kr_address, only):
                    continue
                if old is not None and same(kr_value(old), kr_value(fields)):
                    continue  # its confidence, title … changed, not its value
                if kr_address not in series and old is not None:
                    extend(kr_address, old)
                extend(kr_address, fields)
    for kr_address in series:
        if now and kr_address in now:
            extend(kr_address, now[kr_address])
    return [
        {
            "address": kr_address,
            "values": values,
            "milestone": milestones[kr_address],
            "decreasing": falling.get(kr_address, False),
        }
        for kr_address, values in series.items()
        if len(values) > 1
    ]


# --- diff (§10) -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Side:
    label: str
    commit: str | None  # None: the working tree


def diff_sides(top: Path, base: str | None, head_text: str | None) -> tuple[Side, Side]:
    """BASE (default HEAD) and HEAD (default the working tree); `A...B` compares B with the
    merge base of A and B, and `A..B` is A and B, as in git."""
    base_text = base if base is not None else "HEAD"
    for separator in ("...", ".."):
        if separator in base_text:
            if head_text is not None:
                raise UsageError(
                    f"give either '{base_text}' or BASE and HEAD, not both; "
                    "for example 'okr diff main...HEAD'"
                )
            left, right = (part or "HEAD" for part in base_text.split(separator, 1))
            left_commit, right_commit = _commit(top, left), _commit(top, right)
            if separator == "..":
                return Side(left, left_commit), Side(right, right_commit)
            common = gitread.merge_base(top, left_commit, right_commit)
            if common is None:
                raise OkrError(
                    f"'{left}' and '{right}' share no history, so they have no merge base; "
                    f"compare them directly with 'okr diff {left} {right}'"
                )
            return Side(common[:7], common), Side(right, right_commit)
    base_side = Side(base_text, _commit(top, base_text))
    if head_text is None:
        return base_side, Side(WORKING_TREE, None)
    return base_side, Side(head_text, _commit(top, head_text))


def _commit(top: Path, revision: str) -> str:
    if revision == "HEAD" and head(top) is None:
        raise OkrError("there is no commit to compare with yet; commit the OKR files first")
    return resolve(top, revision, "revision")


def read_sides(
    top: Path, root: Path, folder: str, sides: tuple[Side, Side], work_tree: Source
) -> tuple[dict[str, Snapshot | None], dict[str, Snapshot | None]]:
    """The cycle folder's team files on each side, by file name (None: not parseable);
    `work_tree` reads the working tree (with what a sparse checkout leaves out)."""
    store = Snapshots(top, "diff")
    prefix = gitread.path_prefix(root)

    def files(side: Side) -> dict[str, Snapshot | None]:
        if side.commit is None:
            return history.files_in(work_tree, folder, store)
        return history.files_at(top, side.commit, prefix + folder, store)

    before, after = files(sides[0]), files(sides[1])
    store.save()
    return before, after


def diff(
    base: Side,
    head_side: Side,
    before: dict[str, Snapshot | None],
    after: dict[str, Snapshot | None],
) -> tuple[dict[str, Any], list[str]]:
    """The JSON of §10, and the names of files skipped because one side does not parse."""
    skipped = sorted(
        name for name in before.keys() | after.keys() if _unparseable(name, before, after)
    )
    old = {team_id_of(n): s for n, s in before.items() if s is not None and n not in skipped}
    new = {team_id_of(n): s for n, s in after.items() if s is not None and n not in skipped}
    result = {"base": base.label, "head": head_side.label, "changes": compare(old, new)}
    return result, skipped


def _unparseable(
    name: str, before: dict[str, Snapshot | None], after: dict[str, Snapshot | None]
) -> bool:
    return (name in before and before[name] is None) or (name in after and after[name] is None)


def compare(before: dict[str, Snapshot], after: dict[str, Snapshot]) -> list[dict[str, Any]]:
    """Objectives and KRs added, removed or modified, team by team in file order."""
    changes: list[dict[str, Any]] = []
    for team in sorted(before.keys() | after.keys()):
        old, new = before.get(team, {}), after.get(team, {})
        for objective in _union(_objective_ids(new), _objective_ids(old)):
            old_krs, new_krs = _krs_of(old, objective), _krs_of(new, objective)
            objective_entry = _entry(
                f"{team}/{objective}",
                old.get(objective),
                new.get(objective),
                (_objective_progress(old_krs), _objective_progress(new_krs)),
            )
            if objective_entry is not None:
                changes.append(objective_entry)
            for kr in _union(list(new_krs), list(old_krs)):
                kr_entry = _entry(
                    f"{team}/{objective}/{kr}",
                    old_krs.get(kr),
                    new_krs.get(kr),
                    (_kr_progress(old_krs.get(kr)), _kr_progress(new_krs.get(kr))),
                )
                if kr_entry is not None:
                    changes.append(kr_entry)
    return changes


def _union(first: Iterable[str], second: Iterable[str]) -> list[str]:
    return list(dict.fromkeys([*first, *second]))


def _objective_ids(snapshot: Snapshot) -> list[str]:
    return [key for key in snapshot if key != TEAM_KEY and "/" not in key]


def _krs_of(snapshot: Snapshot, objective: str) -> dict[str, Fields]:
    prefix = f"{objective}/"
    return {k[len(prefix) :]: v for k, v in snapshot.items() if k.startswith(prefix)}


def _entry(
    entry_address: str,
    old: Fields | None,
    new: Fields | None,
    progress: tuple[float | None, float | None],
) -> dict[str, Any] | None:
    if old is None and new is None:
        return None
    if old is None:
        change, fields = "added", {k: [None, v] for k, v in (new or {}).items()}
        progress = (None, progress[1])
    elif new is None:
        change, fields = "removed", {k: [v, None] for k, v in old.items()}
        progress = (progress[0], None)
    else:
        change = "modified"
        fields = {
            k: [old.get(k), new.get(k)]
            for k in _union(old, new)
            if not same(old.get(k), new.get(k))
        }
        if not fields:
            return None
    return {
        "address": entry_address,
        "change": change,
        "fields": fields,
        "progress": list(progress),
    }


def key_result(fields: Fields) -> KeyResult | None:
    """A KR built from raw fields when they are numbers (or a done flag), else None; with
    its confidence where that is a number from 0 to 1 (no figure but the status reads it)."""
    shape = _shape(fields)
    if shape is None:
        return None
    get = fields.get
    weight = get("weight", 1)
    weight = weight if is_number(weight) and weight > 0 else 1
    confidence = get("confidence")
    confidence = confidence if is_number(confidence) and 0 <= confidence <= 1 else None
    if isinstance(shape, bool):
        return KeyResult("", "", done=shape, confidence=confidence, weight=weight)
    baseline, target, current = shape
    return KeyResult(
        "",
        "",
        baseline=baseline,
        target=target,
        current=current,
        confidence=confidence,
        weight=weight,
    )


def raw_progress(fields: Fields) -> float | None:
    """scoring.kr_raw_progress(key_result(fields)) without making the KR (None where it makes
    none): a walk over every KR version of a company's history calls it."""
    shape = _shape(fields)
    if shape is None:
        return None
    if isinstance(shape, bool):
        return 1.0 if shape else 0.0
    return scoring.numeric_raw_progress(*shape)


def _shape(fields: Fields) -> tuple[Any, Any, Any] | bool | None:
    """The KR raw fields make: (baseline, target, current), a milestone's done, or None."""
    get = fields.get
    baseline, target = get("baseline"), get("target")
    if is_number(baseline) and is_number(target):
        current = get("current")
        if baseline == target or not (current is None or is_number(current)):
            return None
        return baseline, target, current
    done = get("done")
    if isinstance(done, bool) and baseline is None and target is None:
        return done
    return None


class KeyResults:
    """key_result of raw fields, made once for each fields dict: the versions of a file
    share the dicts of the KRs a commit left alone (see snapshots.patch), so the files as
    they were on one day and a week before need few KRs of their own."""

    def __init__(self) -> None:
        # The dict is kept with its KR: while it is, no other dict can take its id.
        self._made: dict[int, tuple[Fields, KeyResult | None]] = {}

    def __call__(self, fields: Fields) -> KeyResult | None:
        made = self._made.get(id(fields))
        if made is None or made[0] is not fields:
            made = self._made[id(fields)] = (fields, key_result(fields))
        return made[1]


def _kr_progress(fields: Fields | None) -> float | None:
    kr = None if fields is None else key_result(fields)
    return None if kr is None else round_half(scoring.kr_progress(kr), DIGITS)


def _objective_progress(krs: dict[str, Fields]) -> float | None:
    """The weighted mean over the KRs whose progress can be computed; None when none can."""
    usable = tuple(kr for kr in map(key_result, krs.values()) if kr is not None)
    if not usable:
        return None
    return round_half(scoring.objective_progress(Objective("", "", usable)), DIGITS)


def revised_fields(change: dict[str, Any]) -> list[str]:
    """The goalposts a modified KR moved: its baseline or target."""
    if change["change"] != "modified" or change["address"].count("/") != 2:
        return []
    return [name for name in change["fields"] if name in REVISION_FIELDS]
