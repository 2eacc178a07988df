"""`okr retro` and `okr next` (SPEC §15, §16): the turn of the cycle."""

import contextlib
import sys
from typing import Annotated, Any

import typer

from okrcli.cli import completion
from okrcli.cli.common import (
    DiffFormat,
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
    to_stderr,
)
from okrcli.render import progress


def retro(
    ctx: typer.Context,
    team: Annotated[
        str | None,
        typer.Argument(
            help="Only this team (its id).", metavar="TEAM", shell_complete=completion.team_ids
        ),
    ] = None,
    output: Annotated[DiffFormat, typer.Option("--format", help="Output format.")] = (
        DiffFormat.table
    ),
) -> None:
    """The retrospective of the cycle (closed or not), from the files and git history.

    Per team, objective and key result: the score and its grade, the values' path with a
    trend, check-ins, revised baselines and targets, confidence first → last, the retro
    texts, and flags that say where to look: committed-missed, no-stretch,
    never-checked-in, moved-goalposts, confidence-drop. --format markdown is written to
    be pasted into the retrospective's document.

    Example: okr --cycle 2026-Q2 retro hr-admin --format markdown
    """
    from okrcli.history import split
    from okrcli.history import versions as history
    from okrcli.history.gitread import BackgroundLog
    from okrcli.history.snapshots import Snapshots
    from okrcli.render import jsonout
    from okrcli.services import report
    from okrcli.services import retro as service

    options = options_of(ctx)
    root, top = git_root(options, "okr retro")
    workspace, as_of = read_workspace(options)
    cycle = workspace.select_cycle(cycle_named(options.cycle, None, workspace), as_of)
    end, folder = history_range(root, top, workspace, cycle.id)
    with contextlib.ExitStack() as running:  # no git left behind if reading fails
        # git walks the history on another core while the cycle's files are read.
        log = None
        if end is not None:
            log = running.enter_context(BackgroundLog(top, end, folder, full_history=True))
        snapshots = Snapshots(top, folder)
        running.callback(snapshots.close)
        early = None if log is None else history.EarlyRead(snapshots, folder, log)
        data = load_cycle(workspace, cycle, refuse_errors=True, versions=True, waiting=early)
        snapshots.seed(data.versions)
        teams = report.selected_teams(data, team)
        # Piped JSON is text, made where each group's history is read (jsonout.retro).
        texts = output is DiffFormat.json and not is_terminal()
        # Read and reduced on two cores, each taking some of the files' histories.
        parts: list[Any] = split.load_reduced(
            top,
            end,
            folder,
            (lambda steps: jsonout.retro_team_texts(data, teams, steps))
            if texts
            else (lambda steps: service.history_facts(data, teams, steps)),
            tick=progress.reporter("reading history"),
            full_history=True,
            snapshots=snapshots,
            log=log,
            early=early,
        )
    if texts:
        sys.stdout.write(jsonout.retro(data, teams, parts) + "\n")
        keep_until_exit(data, parts, snapshots)
        return
    result = service.retro(data, teams, service.merged(parts))
    keep_until_exit(data, parts, result, snapshots)
    if output is DiffFormat.json:
        print_json(service.as_json(result))
        return
    from okrcli.render import retro as render_retro

    organization = data.workspace.config.organization if data.workspace.config else ""
    if output is DiffFormat.markdown:
        sys.stdout.write(render_retro.markdown(result, organization))
    elif is_terminal():
        print_rich(render_retro.rich(result, organization), options)
    else:
        sys.stdout.write(render_retro.plain(result, organization))


def next_cycle(
    ctx: typer.Context,
    teams: Annotated[
        list[str] | None,
        typer.Argument(
            help="Only these teams (default every team).",
            metavar="TEAM...",
            shell_complete=completion.team_ids,
        ),
    ] = None,
    to: Annotated[
        str | None,
        typer.Option(
            "--to", help="The cycle to start (default the one after the source).", metavar="CYCLE"
        ),
    ] = None,
    carry_all: Annotated[
        bool, typer.Option("--all", help="Carry every objective and key result, done or not.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the files it would write; write nothing.")
    ] = False,
    no_commit: Annotated[
        bool, typer.Option("--no-commit", help="Write the new files but do not commit them.")
    ] = False,
) -> None:
    """Start the next cycle from the selected one: a new team file per team with the
    objectives and key results not done yet, each KR starting from its last value.

    The new files are committed as one commit (trailer OKR-Next); files that exist
    already are never overwritten. The target is --to, else the next quarter (or the
    declared cycle that starts the day after the source ends).

    Example: okr --cycle 2026-Q3 next --dry-run
    """
    from okrcli.core.errors import UsageError
    from okrcli.services import next as service
    from okrcli.services import transaction

    options = options_of(ctx)
    if options.at is not None:
        raise UsageError("next writes the working tree, so it cannot use --at; drop --at")
    commit = not (no_commit or dry_run)
    scope = transaction.open_scope(options.start, options.cycle, options.as_of_date(), None, commit)
    outcome = service.start(scope, teams or [], to, carry_all, dry_run)
    for note in outcome.plan.notes:
        to_stderr(f"okr: {note}")
    for warning in outcome.warnings:
        to_stderr(f"okr: warning: {warning.format()}")
    if dry_run:
        for index, carried in enumerate(outcome.plan.files):
            sys.stdout.write(("\n" if index else "") + f"==> {carried.path} <==\n{carried.text}")
        return
    for carried in outcome.plan.files:
        print(f"created {service.summary(carried)}")
    subject = service.message(outcome.plan).split("\n", 1)[0]
    if outcome.commit:
        print(f"[{outcome.commit}] {subject}")
    else:
        print(f"{subject} (written, not committed)")
