"""`okr sync` (SPEC §19): key results fed by data, each change a check-in.

Like an importer of plain-text accounting (declared sources, output that is ordinary
reviewed entries, idempotent, a dry run): the selected KRs name their values' places with
`source: NAME:KEY`; every source named is read once (files.sources; a command through
files.commands), and every KR whose value differs is written as `okr checkin` writes it,
all in one commit. It is all or nothing: one failing source or key and nothing is written,
with every failure listed. Sources are read before the check-in lock is taken, so a slow
command never holds up a check-in; the files are read again under the lock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from okrcli.core import text
from okrcli.core.address import Target, resolve, targets
from okrcli.core.errors import Diagnostic, InvalidFilesError, OkrError
from okrcli.core.model import Config
from okrcli.files import loader, sources
from okrcli.files.loader import CycleData
from okrcli.files.workspace import CONFIG_FILE, find_root, open_workspace, team_id_of
from okrcli.history.message import format_message
from okrcli.services import checkin, transaction


@dataclass(frozen=True, slots=True)
class Fed:
    """A selected KR with a source: where its value comes from."""

    target: Target
    source: str  # NAME:KEY as the file says it

    @property
    def name(self) -> str:
        return self.source.split(":", 1)[0]

    @property
    def key(self) -> str:
        return self.source.split(":", 1)[1]


@dataclass(frozen=True, slots=True)
class Failure:
    """A source that could not be read, or one key of it that gave no value."""

    what: str  # `hris:offer-rate (hr-admin/talent/offer-rate)` or `hris (for hris:a, hris:b)`
    message: str
    said: str = ""  # the end of a failed command's standard error

    def lines(self) -> list[str]:
        shown = [f"{self.what}: {text.printable(self.message)}"]
        said = self.said.rstrip()
        shown += [f"  | {text.printable(line)}" for line in said.splitlines()] if said else []
        return shown


class SyncFailed(OkrError):
    """Some sources failed; nothing was written."""

    def __init__(self, failures: list[Failure], sources_read: int) -> None:
        keys = "source or key" if len(failures) == 1 else "sources or keys"
        super().__init__(
            f"{len(failures)} {keys} failed (of {sources_read} source(s) read); nothing was "
            "written; fix them (or leave their key results out: okr sync TEAM ...) and sync again"
        )
        self.failures = failures


@dataclass(frozen=True, slots=True)
class Synced:
    update: checkin.Update
    source: str


@dataclass
class Outcome:
    changed: list[Synced]
    unchanged: int  # KRs whose value already matches their source
    closed: dict[str, int]  # closed team id -> its KRs with a source, skipped
    sources_read: list[str]
    commit: str | None = None
    written: bool = False
    warnings: list[Diagnostic] = field(default_factory=list)
    written_lines: list[str] | None = None  # change_line of each KR written, made already

    def change_lines(self, dry_run: bool) -> list[str]:
        if dry_run or self.written_lines is None:
            return [change_line(synced, dry_run) for synced in self.changed]
        return self.written_lines


# --- the service ----------------------------------------------------------------------------


def sync(scope: transaction.Scope, wanted: Sequence[str], dry_run: bool) -> Outcome:
    """Read the sources, then write the values that differ (or, dry, only say so)."""
    data = loader.load_cycle(scope.workspace, scope.cycle)
    config = require_config(data)
    fed = select(data, wanted)
    closed: dict[str, int] = {}
    for item in fed:
        if item.target.team.is_closed:
            closed[item.target.team.id] = closed.get(item.target.team.id, 0) + 1
    fed = [item for item in fed if not item.target.team.is_closed]
    values, read = read_values(scope, config, fed)
    if dry_run:
        return _outcome(scope, fed, values, closed, read)
    with transaction.lock(scope):
        fresh = loader.reload_cycle(data)
        again = fed
        if fresh is not data:
            again = [item for item in select(fresh, wanted) if not item.target.team.is_closed]
        if [(i.target.address, i.source) for i in again] != [
            (i.target.address, i.source) for i in fed
        ]:
            raise OkrError(
                "the team files changed while the sources were read; nothing was written; "
                "run okr sync again"
            )
        outcome = _outcome(scope, again, values, closed, read)
        if outcome.changed:
            updates = [synced.update for synced in outcome.changed]

            def message() -> str:
                # Made while the forked child splices files: the output lines too.
                outcome.written_lines = [change_line(s, False) for s in outcome.changed]
                return commit_message(outcome.changed)

            outcome.commit, outcome.warnings = checkin.write_updates(
                scope, fresh, updates, message, keep_positions=False
            )
            outcome.written = True
        return outcome


def dry_scope(
    start: Path, cycle_id: str | None, as_of: dt.date, hint: str | None
) -> transaction.Scope:
    """Where a dry run reads: the OKR root and its cycle (an address may name it), with no
    git checks, since nothing is written."""
    root = find_root(start)
    workspace = open_workspace(root)
    first = (hint or "").strip().strip("/").split("/", 1)[0]
    if cycle_id is None and first in workspace.cycles:
        cycle_id = first
    return transaction.Scope(root, workspace, workspace.select_cycle(cycle_id, as_of), None, False)


def require_config(data: CycleData) -> Config:
    config = data.workspace.config
    if config is None:
        errors = [d for d in data.diagnostics if d.path == CONFIG_FILE]
        raise InvalidFilesError(
            "okr.yaml does not validate, so its sources are unknown; fix it first, then sync",
            errors,
        )
    return config


def _outcome(
    scope: transaction.Scope,
    fed: list[Fed],
    values: dict[str, int | float | bool],
    closed: dict[str, int],
    read: list[str],
) -> Outcome:
    changed, unchanged = [], 0
    for item in fed:
        update = _update(scope.cycle.id, item.target, values[item.target.address])
        if update.value_changed:
            changed.append(Synced(update, item.source))
        else:
            unchanged += 1
    return Outcome(changed, unchanged, closed, read)


def _update(cycle: str, target: Target, value: int | float | bool) -> checkin.Update:
    kr = target.key_result
    assert kr is not None
    after = replace(kr, done=value) if isinstance(value, bool) else replace(kr, current=value)
    return checkin.Update(cycle, target.team, target.objective, kr, after)


# --- which KRs ------------------------------------------------------------------------------


def select(data: CycleData, wanted: Sequence[str]) -> list[Fed]:
    """The KRs with a source among those named (TEAM, objective or KR addresses, by any
    unique suffix), in file order; all of the cycle's when none is named. A KR named
    by itself must have a source; the files concerned must validate."""
    by_path = {team.path: team for team in data.teams}
    every_file = sorted(data.texts)
    if not wanted:
        _require_valid(data, every_file)
        return _fed(t for t in targets(data.teams, objectives=False))
    team_ids = {team_id_of(path): path for path in every_file}
    candidates = targets(data.teams)
    chosen: dict[str, Target] = {}
    for name in wanted:
        team = name.strip().strip("/").removeprefix(f"{data.cycle.id}/")
        if team in team_ids:
            _require_valid(data, [team_ids[team]])
            team_krs = targets([by_path[team_ids[team]]], objectives=False)
            chosen.update((t.address, t) for t in team_krs)
            continue
        if team.split("/", 1)[0] in team_ids:
            _require_valid(data, [team_ids[team.split("/", 1)[0]]])
        found = resolve(name, data.cycle.id, candidates, "team or address", teams=team_ids)
        if found.key_result is None:
            objective_krs = targets([found.team], objectives=False)
            chosen.update((t.address, t) for t in objective_krs if t.objective is found.objective)
            continue
        if found.key_result.source is None:
            raise OkrError(
                f"{found.address} has no source; give it one (source: NAME:KEY, a source of "
                "okr.yaml) to sync it, or check it in by hand"
            )
        chosen[found.address] = found
    order = {t.address: n for n, t in enumerate(targets(data.teams, objectives=False))}
    return _fed(sorted(chosen.values(), key=lambda t: order[t.address]))


def _fed(found: Iterable[Target]) -> list[Fed]:
    return [
        Fed(t, t.key_result.source)
        for t in found
        if t.key_result is not None and t.key_result.source is not None
    ]


def _require_valid(data: CycleData, paths: list[str]) -> None:
    wanted = set(paths)
    errors = [d for d in data.diagnostics if d.path in wanted and d.severity == "error"]
    if errors:
        files = ", ".join(sorted({d.path for d in errors}))
        raise InvalidFilesError(
            f"{files} does not validate ({len(errors)} error(s)); fix it first, or name the "
            "teams to sync (okr sync TEAM ...), then sync",
            errors,
        )


# --- the values -----------------------------------------------------------------------------


def read_values(
    scope: transaction.Scope, config: Config, fed: list[Fed]
) -> tuple[dict[str, int | float | bool], list[str]]:
    """Each KR's value from its source, each source read once; SyncFailed listing every
    failure when any source or key gives none."""
    by_source: dict[str, list[Fed]] = {}
    for item in fed:
        by_source.setdefault(item.name, []).append(item)
    values: dict[str, int | float | bool] = {}
    failures: list[Failure] = []
    for name, items in by_source.items():
        declared = config.source(name)
        assert declared is not None  # E013 otherwise, and the file did validate
        try:
            data = sources.read(scope.root, declared)
        except sources.SourceError as failure:
            keys = ", ".join(dict.fromkeys(item.source for item in items))
            said = failure.detail.decode("utf-8", "replace")
            failures.append(Failure(f"{name} (for {keys})", failure.message, said))
            continue
        for item in items:
            kr = item.target.key_result
            assert kr is not None
            try:
                values[item.target.address] = sources.value(data, item.key, kr.is_milestone)
            except sources.SourceError as failure:
                failures.append(Failure(f"{item.source} ({item.target.address})", failure.message))
    if failures:
        raise SyncFailed(failures, len(by_source))
    return values, list(by_source)


# --- commit message and output --------------------------------------------------------------


def commit_message(changed: Sequence[Synced]) -> str:
    """`sync: 3 key results from hris, crm`, each KR listed, with an OKR-Source trailer."""
    return format_message([checkin.checked_in(s.update, s.source) for s in changed])


def change_line(synced: Synced, dry_run: bool) -> str:
    """One changed KR: `hr-admin/talent/offer-rate: 68 → 70 %, progress 53% → 67% (hris:…)`."""
    line = checkin.summary(synced.update, None, False)
    return f"{line} ({text.printable(synced.source)})" + (" [dry run]" if dry_run else "")


def closed_line(closed: dict[str, int]) -> str:
    count = sum(closed.values())
    teams = ", ".join(sorted(closed))
    return (
        f"skipped {count} key result(s) with a source in closed team(s) {teams}: a closed "
        "cycle's values are final"
    )


def result_line(outcome: Outcome, dry_run: bool, cycle: str) -> str:
    n = len(outcome.changed)
    if not n and not outcome.unchanged:
        return (
            f"no key result to sync in {cycle}: none of those selected has a source "
            "(source: NAME:KEY, a source of okr.yaml) in a team that is open"
        )
    same = f"{outcome.unchanged} already matched their source(s)"
    if not n:
        return f"nothing changed: {same}; nothing written"
    krs = f"{n} key result{'s' if n > 1 else ''}"
    if dry_run:
        return f"dry run: {krs} would change, {same}; nothing written"
    if outcome.commit:
        return f"committed {outcome.commit}: {krs} from {', '.join(_names(outcome))}"
    return f"written, not committed: {krs} from {', '.join(_names(outcome))}"


def _names(outcome: Outcome) -> list[str]:
    return sorted({synced.source.split(":", 1)[0] for synced in outcome.changed})
