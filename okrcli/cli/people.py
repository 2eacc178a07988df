"""`okr people`, `okr person NAME` and `okr digest` (SPEC §18): who owns what, the evidence
for a performance conversation, and the week in one page."""

import datetime as dt
import sys
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from okrcli.cli.common import (
    MAX_DAYS,
    Options,
    TableFormat,
    cycle_named,
    git_root,
    history_range,
    is_terminal,
    keep_until_exit,
    load_cycle,
    options_of,
    print_json,
    print_rich,
    read_workspace,
)

if TYPE_CHECKING:
    from okrcli.core.model import CycleSpan
    from okrcli.files.loader import CycleData
    from okrcli.files.workspace import Workspace
    from okrcli.history.gitread import BackgroundLog
    from okrcli.history.snapshots import Snapshots
    from okrcli.history.versions import EarlyRead
    from okrcli.services.people import Ahead, CycleHistory


class PageFormat(StrEnum):
    table = "table"
    markdown = "markdown"
    json = "json"


@dataclass(frozen=True)
class _Started:
    """Where a cycle's history lies, git walking it already, and what reads it early (the
    log and the blobs, while the cycle's files are read: versions.EarlyRead)."""

    top: Path
    end: str | None
    folder: str
    log: "BackgroundLog | None"
    snapshots: "Snapshots"
    early: "EarlyRead | None"


def _start_history(
    options: Options, workspace: "Workspace", cycle_id: str, what: str, stack: ExitStack
) -> _Started | None:
    """Start git's walk of the cycle's history before the cycle's files are read: walking
    it is most of a warm run's time, and git does it on another core meanwhile. None
    where the history cannot be found: that error is raised in its turn, after the files'."""
    from okrcli.core.errors import OkrError
    from okrcli.history.gitread import BackgroundLog
    from okrcli.history.snapshots import Snapshots
    from okrcli.history.versions import EarlyRead

    try:
        root, top = git_root(options, what)
        end, folder = history_range(root, top, workspace, cycle_id)
    except OkrError:
        return None
    log = None if end is None else BackgroundLog(top, end, folder, full_history=True)
    if log is not None:
        stack.enter_context(log)
    snapshots = Snapshots(top, folder)
    stack.callback(snapshots.close)  # no git left behind if reading fails
    early = None if log is None else EarlyRead(snapshots, folder, log)
    return _Started(top, end, folder, log, snapshots, early)


def _read_cycles(
    options: Options,
    workspace: "Workspace",
    spans: "list[CycleSpan]",
    as_of: dt.date,
    what: str,
    ahead: "Callable[[CycleData, dt.date], Ahead] | None",
    since: dt.date | None = None,
) -> "list[CycleHistory]":
    """Each cycle with its history, read once, on every side of a merge (as `okr log`
    reads it), with its entries from `since` on. The files are read, and what the command
    makes of them alone (`ahead`) made, while git walks the histories."""
    with ExitStack() as stack:
        started = [_start_history(options, workspace, span.id, what, stack) for span in spans]
        every = [
            load_cycle(workspace, span, True, True, None if start is None else start.early)
            for span, start in zip(spans, started, strict=True)
        ]
        for data in every:
            data.teams  # noqa: B018 (built from the cache now, while git runs)
        made = [None if ahead is None else ahead(data, as_of) for data in every]
        return [
            _read_history(options, data, as_of, what, start, early, since)
            for data, start, early in zip(every, started, made, strict=True)
        ]


def _read_selected(
    options: Options,
    what: str,
    ahead: "Callable[[CycleData, dt.date], Ahead] | None",
    days: int | None = None,
) -> "tuple[CycleHistory, dt.date]":
    """The selected cycle with its history (see _read_cycles; its entries of the `days`
    up to the as-of date, if given), and the as-of date."""
    workspace, as_of = read_workspace(options)
    span = workspace.select_cycle(cycle_named(options.cycle, None, workspace), as_of)
    since = None if days is None else as_of - dt.timedelta(days=days - 1)
    return _read_cycles(options, workspace, [span], as_of, what, ahead, since)[0], as_of


def _read_history(
    options: Options,
    data: "CycleData",
    as_of: dt.date,
    what: str,
    started: _Started | None,
    ahead: "Ahead | None",
    since: dt.date | None,
) -> "CycleHistory":
    from okrcli.core.people import identities
    from okrcli.history import versions as history
    from okrcli.history.snapshots import Snapshots
    from okrcli.render import progress
    from okrcli.services.people import cycle_history
    from okrcli.services.report import config_of

    if started is None:
        root, top = git_root(options, what)
        end, folder = history_range(root, top, data.workspace, data.cycle.id)
        started = _Started(top, end, folder, None, Snapshots(top, folder), None)
    top, end, folder = started.top, started.end, started.folder
    snapshots = started.snapshots
    snapshots.seed(data.versions)
    steps = history.load(
        top,
        end,
        folder,
        progress.reporter(f"reading the history of {data.cycle.id}"),
        full_history=True,
        snapshots=snapshots,
        log=started.log,  # taken by the early read already, unless git was still at it
        early=started.early,
    )
    committed = history.kr_fields_at(top, end, folder, snapshots)
    people = identities(config_of(data).people)
    return cycle_history(data, steps, committed, people, as_of, ahead, since)


def _show(page: Any, output: str, options: Options) -> None:
    from okrcli.render import people as render

    if output == "markdown":
        sys.stdout.write(render.draw(page, "markdown"))
    elif is_terminal():
        print_rich(render.draw_rich(page), options)
    else:
        sys.stdout.write(render.draw(page, "plain"))


def people(
    ctx: typer.Context,
    output: Annotated[TableFormat, typer.Option("--format", help="Output format.")] = (
        TableFormat.table
    ),
) -> None:
    """Everyone who owns a key result of the cycle or checked one in: their KRs by status,
    mean progress, check-ins, last check-in and stale KRs. Listed by name, never ranked.

    Example: okr people --format csv
    """
    from okrcli.render import people as render
    from okrcli.services import people as people_service

    options = options_of(ctx)
    cycle, as_of = _read_selected(options, "okr people", people_service.for_people)
    rows = people_service.people(cycle, as_of)
    keep_until_exit(cycle, rows)
    if output is TableFormat.json:
        print_json(rows)
    elif output is TableFormat.csv:
        sys.stdout.write(render.people_csv(rows))
    else:
        page = render.people_page(rows, cycle.data.cycle.id, as_of.isoformat())
        _show(page, output.value, options)


def person(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The person, as owners and okr.yaml name them.")],
    all_cycles: Annotated[
        bool, typer.Option("--all-cycles", help="Every cycle, not only the selected one.")
    ] = False,
    output: Annotated[PageFormat, typer.Option("--format", help="Output format.")] = (
        PageFormat.table
    ),
) -> None:
    """The evidence for a performance conversation: the objectives and key results NAME
    owns (baseline → last → target, progress, score, status, retro), and every check-in
    and revision NAME made, marked where the KR is someone else's. Evidence, not a rating.

    --format markdown is written to be pasted into a review document.

    Example: okr person 王芳 --all-cycles --format markdown
    """
    from okrcli.render import people as render
    from okrcli.services import people as people_service
    from okrcli.services.report import config_of

    options = options_of(ctx)
    workspace, as_of = read_workspace(options)
    if all_cycles:
        if not workspace.cycles:
            workspace.select_cycle(None, as_of)  # says there is no cycle folder
        spans = sorted(workspace.cycles.values(), key=lambda s: (s.start, s.end, s.id))
    else:
        spans = [workspace.select_cycle(cycle_named(options.cycle, None, workspace), as_of)]
    cycles = _read_cycles(options, workspace, spans, as_of, "okr person", people_service.for_person)
    declared = [p.name for p in config_of(cycles[0].data).people]
    result = people_service.person(name, cycles, as_of, declared, every_cycle=all_cycles)
    keep_until_exit(cycles, result)
    if output is PageFormat.json:
        print_json(result)
    else:
        _show(render.person_page(result, as_of.isoformat()), output.value, options)


def digest(
    ctx: typer.Context,
    days: Annotated[
        int,
        typer.Option(
            "--days",
            min=1,
            max=MAX_DAYS,
            help="The window: this many days up to the as-of date.",
        ),
    ] = 7,
    output: Annotated[PageFormat, typer.Option("--format", help="Output format.")] = (
        PageFormat.table
    ),
) -> None:
    """The week in one page: the window's check-ins and revisions, key results whose status
    got worse, confidence drops, the stale list, and owners who made no check-in.

    Example: okr digest --days 14 --format markdown
    """
    from okrcli.render import people as render
    from okrcli.services import digest as digest_service

    options = options_of(ctx)
    cycle, as_of = _read_selected(options, "okr digest", None, days)
    result = digest_service.digest(cycle, as_of, days)
    keep_until_exit(cycle, result)
    if output is PageFormat.json:
        print_json(result)
    else:
        _show(render.digest_page(result), output.value, options)
