"""`okr people`, `okr person NAME` and `okr digest` (SPEC §18): who owns what, the evidence
for a performance conversation, and the week in one page."""

import datetime as dt
import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from okrcli.cli.common import (
    Options,
    TableFormat,
    git_root,
    history_range,
    is_terminal,
    load_cycle,
    options_of,
    print_json,
    print_rich,
    read_cycle,
    read_workspace,
)

if TYPE_CHECKING:
    from okrcli.files.loader import CycleData
    from okrcli.services.people import CycleHistory


class PageFormat(StrEnum):
    table = "table"
    markdown = "markdown"
    json = "json"


def _read_history(options: Options, data: "CycleData", as_of: dt.date, what: str) -> "CycleHistory":
    """The cycle's history, read once, on every side of a merge (as `okr log` reads it)."""
    from okrcli.core.people import identities
    from okrcli.history import versions as history
    from okrcli.history.snapshots import Snapshots
    from okrcli.render import progress
    from okrcli.services.people import cycle_history
    from okrcli.services.report import config_of

    root, top = git_root(options, what)
    end, folder = history_range(root, top, data.workspace, data.cycle.id)
    snapshots = Snapshots(top, folder, data.versions)
    steps = history.load(
        top,
        end,
        folder,
        progress.reporter(f"reading the history of {data.cycle.id}"),
        full_history=True,
        snapshots=snapshots,
    )
    committed = history.kr_fields_at(top, end, folder, snapshots)
    people = identities(config_of(data).people)
    return cycle_history(data, steps, committed, people, as_of)


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
    data, as_of = read_cycle(options, refuse_errors=True, versions=True)
    rows = people_service.people(_read_history(options, data, as_of, "okr people"), as_of)
    if output is TableFormat.json:
        print_json(rows)
    elif output is TableFormat.csv:
        sys.stdout.write(render.people_csv(rows))
    else:
        _show(render.people_page(rows, data.cycle.id, as_of.isoformat()), output.value, options)


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
    if all_cycles:
        workspace, as_of = read_workspace(options)
        if not workspace.cycles:
            workspace.select_cycle(None, as_of)  # says there is no cycle folder
        spans = sorted(workspace.cycles.values(), key=lambda s: (s.start, s.end, s.id))
        every = [load_cycle(workspace, span, True, versions=True) for span in spans]
    else:
        data, as_of = read_cycle(options, refuse_errors=True, versions=True)
        every = [data]
    cycles = [_read_history(options, data, as_of, "okr person") for data in every]
    declared = [p.name for p in config_of(every[0]).people]
    result = people_service.person(name, cycles, as_of, declared, every_cycle=all_cycles)
    if output is PageFormat.json:
        print_json(result)
    else:
        _show(render.person_page(result, as_of.isoformat()), output.value, options)


def digest(
    ctx: typer.Context,
    days: Annotated[
        int, typer.Option("--days", min=1, help="The window: this many days up to the as-of date.")
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
    data, as_of = read_cycle(options, refuse_errors=True, versions=True)
    result = digest_service.digest(_read_history(options, data, as_of, "okr digest"), as_of, days)
    if output is PageFormat.json:
        print_json(result)
    else:
        _show(render.digest_page(result), output.value, options)
