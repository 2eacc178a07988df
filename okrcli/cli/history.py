"""`okr log`, `okr diff` and `okr stale` (SPEC §9–§11): what git knows about the OKRs."""

import sys
from typing import Annotated

import typer

from okrcli.cli import completion
from okrcli.cli.common import (
    MAX_DAYS,
    OWNER_OPTION,
    DiffFormat,
    TableFormat,
    cycle_named,
    git_root,
    history_range,
    is_terminal,
    options_of,
    print_json,
    print_rich,
    read_cycle,
    read_workspace,
    to_stderr,
)
from okrcli.render import progress


def log(
    ctx: typer.Context,
    address: Annotated[
        str | None,
        typer.Argument(
            help="Only this KR or objective (a unique suffix will do).",
            metavar="ADDRESS",
            shell_complete=completion.objectives_and_key_results,
        ),
    ] = None,
    output: Annotated[TableFormat, typer.Option("--format", help="Output format.")] = (
        TableFormat.table
    ),
) -> None:
    """The cycle's history from git: every check-in and hand edit of a KR's value or
    confidence, and every revised baseline or target, oldest first, with a trend per KR.

    Example: okr log offer-rate --format json
    """
    from okrcli.core.people import identities
    from okrcli.files import loader
    from okrcli.history import versions as history
    from okrcli.history.snapshots import Snapshots
    from okrcli.services import changes

    options = options_of(ctx)
    root, top = git_root(options, "okr log")
    workspace, as_of = read_workspace(options)
    cycle = workspace.select_cycle(cycle_named(options.cycle, address, workspace), as_of)
    end, folder = history_range(root, top, workspace, cycle.id)
    snapshots = Snapshots(top, folder)
    # Every change made, on any side of a merge (SPEC §9): the log is the record.
    steps = history.load(
        top,
        end,
        folder,
        progress.reporter("reading history"),
        full_history=True,
        snapshots=snapshots,
    )
    only = None
    if address is not None:
        teams = loader.load_cycle(workspace, cycle).teams
        only = changes.resolve_filter(address, cycle.id, teams, steps)
    people = identities(workspace.config.people if workspace.config else ())
    entries = changes.log_entries(steps, only, people)
    if output is TableFormat.json:
        print_json(entries)
        return
    from okrcli.render import history as render_history

    if output is TableFormat.csv:
        sys.stdout.write(render_history.log_csv(entries))
        return
    now = history.kr_fields_at(top, end, folder, snapshots)
    series = changes.value_series(steps, only, now)
    heading = f"{cycle.id} · history" + (f" of {only}" if only else "")
    if output is TableFormat.markdown:
        sys.stdout.write(render_history.log_markdown(entries, series, heading))
    elif is_terminal():
        print_rich(render_history.log_rich(entries, series, heading), options)
    else:
        sys.stdout.write(render_history.log_plain(entries, series, heading))


def diff(
    ctx: typer.Context,
    base: Annotated[
        str | None,
        typer.Argument(
            help="Revision to compare from (default HEAD); A...B: their merge base.",
            metavar="BASE",
        ),
    ] = None,
    head: Annotated[
        str | None,
        typer.Argument(help="Revision to compare to (default the working tree).", metavar="HEAD"),
    ] = None,
    output: Annotated[DiffFormat, typer.Option("--format", help="Output format.")] = (
        DiffFormat.table
    ),
) -> None:
    """What changed in the OKRs between two revisions: objectives and KRs added and
    removed, each changed field old → new with progress old → new, revised targets flagged.

    Given as A...B, BASE compares B with the merge base of A and B, as a pull request
    does. --format markdown is written to be pasted as a pull-request comment.

    Example: okr diff main...HEAD --format markdown
    """
    from okrcli.core.errors import UsageError
    from okrcli.files.workspace import open_workspace
    from okrcli.render import history as render_history
    from okrcli.services import changes

    options = options_of(ctx)
    if options.at is not None:
        raise UsageError("diff compares the revisions it is given; write 'okr diff REV' for --at")
    root, top = git_root(options, "okr diff")
    from okrcli.history import checkout

    workspace = open_workspace(root, checkout.work_tree(root))
    cycle = workspace.select_cycle(options.cycle, options.as_of_date())
    base_side, head_side = changes.diff_sides(top, base, head)
    sides = (base_side, head_side)
    before, after = changes.read_sides(top, root, cycle.id, sides, workspace.source)
    result, skipped = changes.diff(base_side, head_side, before, after)
    for name in skipped:
        to_stderr(
            f"okr: left out {cycle.id}/{name}: it does not parse as YAML on one side "
            "(see 'okr validate')"
        )
    if output is DiffFormat.json:
        print_json(result)
    elif output is DiffFormat.markdown:
        sys.stdout.write(render_history.diff_markdown(result, cycle.id))
    elif is_terminal():
        print_rich(render_history.diff_rich(result, cycle.id), options)
    else:
        sys.stdout.write(render_history.diff_plain(result, cycle.id))


def stale(
    ctx: typer.Context,
    days: Annotated[
        int,
        typer.Option(
            "--days", min=0, max=MAX_DAYS, help="Stale after this many days without a change."
        ),
    ] = 7,
    output: Annotated[TableFormat, typer.Option("--format", help="Output format.")] = (
        TableFormat.table
    ),
    owner: Annotated[str | None, OWNER_OPTION] = None,
) -> None:
    """The weekly meeting's agenda: KRs not yet done whose value has not changed in any
    commit for more than N days before the as-of date, oldest first.

    Example: okr stale --days 14 --format json
    """
    from okrcli.history import gitrepo
    from okrcli.history import versions as history
    from okrcli.history.snapshots import Snapshots
    from okrcli.render import history as render_history
    from okrcli.services import stale as stale_service

    options = options_of(ctx)
    root, top = git_root(options, "okr stale")
    data, as_of = read_cycle(options, refuse_errors=True, versions=True)
    end, folder = history_range(root, top, data.workspace, data.cycle.id)
    snapshots = Snapshots(top, folder, data.versions)
    steps = history.load(
        top, end, folder, progress.reporter("reading history"), snapshots=snapshots
    )
    committed = history.kr_fields_at(top, end, folder, snapshots)
    rows = stale_service.stale(data.teams, steps, as_of, days, committed)
    if owner is not None:
        from okrcli.services import report

        report.require_owner(data, owner)
        rows = stale_service.of_owner(rows, owner)
    heading = render_history.stale_heading(data.cycle.id, as_of.isoformat(), days, len(rows))
    if not steps and gitrepo.head_commit(top) is None:
        heading = (
            f"{data.cycle.id} · as of {as_of.isoformat()} · no history yet: nothing is "
            "committed, so no KR can be stale; commit the OKR files to start it"
        )
    if output is TableFormat.json:
        print_json(rows)
    elif output is TableFormat.csv:
        sys.stdout.write(render_history.stale_csv(rows))
    elif output is TableFormat.markdown:
        sys.stdout.write(render_history.stale_markdown(rows, heading))
    elif is_terminal():
        print_rich(render_history.stale_rich(rows, heading), options)
    else:
        sys.stdout.write(render_history.stale_plain(rows, heading))
