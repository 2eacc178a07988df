"""`okr close` (SPEC §14) and `okr revise` (SPEC §17): grading and moving goalposts."""

from typing import Annotated

import typer

from okrcli.cli import completion
from okrcli.cli.common import options_of, parse_date, to_stderr


def close(
    ctx: typer.Context,
    team: Annotated[
        str | None,
        typer.Argument(
            help="The team to close (default: every team not closed yet).",
            metavar="TEAM",
            shell_complete=completion.team_ids,
        ),
    ] = None,
    accept: Annotated[
        bool,
        typer.Option("--accept", help="Grade without asking: every KR gets its shown score."),
    ] = False,
    date: Annotated[
        str | None,
        typer.Option(
            "--date",
            help="The closing day written as closed: (default the as-of date).",
            metavar="YYYY-MM-DD",
        ),
    ] = None,
    no_commit: Annotated[
        bool, typer.Option("--no-commit", help="Write the team files but do not commit them.")
    ] = False,
) -> None:
    """Grade the cycle: a score for every key result, the retro texts, and closed: DATE.

    For each KR okr shows its final value, progress and computed score and asks
    `score [0.53]:` (Enter accepts) and `retro []:`; then each objective's and the team's
    retro; then one confirmation. q or the end of input quits without writing. All teams
    closed go into one commit with OKR-Close and OKR-Score trailers. A closed team is
    read-only for checkin and revise until its closed: line is removed.

    Example: okr close hr-admin --date 2026-10-08
    """
    from okrcli.core.errors import UsageError
    from okrcli.services import close_walk

    options = options_of(ctx)
    if options.at is not None:
        raise UsageError("close writes the working tree, so it cannot use --at; drop --at")
    day = parse_date(date, "--date")
    close_walk.run(
        options.start, options.cycle, options.as_of_date(), team, accept, day, not no_commit
    )


def revise(
    ctx: typer.Context,
    address: Annotated[
        str,
        typer.Argument(
            help="The numeric key result: its address or any unique suffix.",
            metavar="ADDRESS",
            shell_complete=completion.key_results,
        ),
    ],
    message: Annotated[
        str,
        typer.Option(
            "-m", "--message", help="Why the goalposts move (required).", metavar="REASON"
        ),
    ],
    target: Annotated[
        str | None, typer.Option("--target", help="The new target.", metavar="T")
    ] = None,
    baseline: Annotated[
        str | None, typer.Option("--baseline", help="The new baseline.", metavar="B")
    ] = None,
    no_commit: Annotated[
        bool, typer.Option("--no-commit", help="Write the team file but do not commit it.")
    ] = False,
) -> None:
    """Move a numeric key result's target and/or baseline, with the reason, as one commit.

    Only those lines of the team file change; the commit carries the reason as its body
    and OKR-Revision, OKR-Target and OKR-Baseline trailers, so okr log and okr diff show
    the moved goalposts. Milestones and closed teams are refused.

    Example: okr revise enps --target 7.6 -m "the survey moved to a 10-point scale"
    """
    from okrcli.core.errors import UsageError
    from okrcli.services import revise as service
    from okrcli.services import transaction

    options = options_of(ctx)
    if options.at is not None:
        raise UsageError("revise writes the working tree, so it cannot use --at; drop --at")
    commit = not no_commit
    scope = transaction.open_scope(
        options.start, options.cycle, options.as_of_date(), address, commit
    )
    outcome = service.revise(scope, address, target, baseline, message)
    for warning in outcome.warnings:
        to_stderr(f"okr: warning: {warning}")
    print(service.summary(outcome))
