"""`okr close` (SPEC §14): the end-of-cycle grading."""

import datetime as dt
from typing import Annotated

import typer

from okrcli.cli.common import options_of


def close(
    ctx: typer.Context,
    team: Annotated[
        str | None,
        typer.Argument(
            help="The team to close (default: every team not closed yet).", metavar="TEAM"
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
    read-only for checkin until its closed: line is removed.

    Example: okr close hr-admin --date 2026-10-08
    """
    from okrcli.core.errors import UsageError
    from okrcli.services import close_walk

    options = options_of(ctx)
    if options.at is not None:
        raise UsageError("close writes the working tree, so it cannot use --at; drop --at")
    day = _parse_day(date)
    close_walk.run(
        options.start, options.cycle, options.as_of_date(), team, accept, day, not no_commit
    )


def _parse_day(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        if len(value) != 10:
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"--date '{value}' is not a real date written YYYY-MM-DD"
        ) from None

