"""`okr checkin` and `okr checkin -i` (SPEC §8, §12)."""

from typing import Annotated

import typer

from okrcli.cli import completion
from okrcli.cli.common import options_of, to_stderr


# Registered with ignore_unknown_options, so a negative VALUE (`-5`) is a value; a misspelt
# option then arrives as VALUE and is refused below as a usage error.
def checkin(
    ctx: typer.Context,
    address: Annotated[
        str | None,
        typer.Argument(
            help="The key result: its address or any unique suffix (with -i: the team).",
            shell_complete=completion.teams_and_key_results,
            metavar="ADDRESS",
            show_default=False,
        ),
    ] = None,
    value: Annotated[
        str | None,
        typer.Argument(
            help="The new value: a number, or done / not-done for a milestone.",
            metavar="VALUE",
            show_default=False,
        ),
    ] = None,
    interactive: Annotated[
        bool,
        typer.Option(
            "-i", "--interactive", help="Walk through every KR of TEAM (or all teams); one commit."
        ),
    ] = False,
    confidence: Annotated[
        str | None,
        typer.Option("--confidence", help="How likely the target is met, 0 to 1.", metavar="C"),
    ] = None,
    message: Annotated[
        str | None,
        typer.Option("-m", "--message", help="A note, kept in the commit message.", metavar="NOTE"),
    ] = None,
    no_commit: Annotated[
        bool, typer.Option("--no-commit", help="Write the team file but do not commit it.")
    ] = False,
    force: Annotated[
        bool,
        typer.Option("--force", help="Record a value far outside the KR's range (W104) anyway."),
    ] = False,
) -> None:
    """Record a key result's new value in its team file and commit that one file.

    Only the value's line changes (and the confidence line); the commit carries
    OKR-Check-In, OKR-Value and OKR-Confidence trailers. With -i [TEAM], okr asks for
    every key result in turn (Enter keeps, q quits) and commits all changes at once.

    Example: okr checkin offer-rate 70 --confidence 0.8 -m "two offers accepted"
    """
    from okrcli.core.errors import UsageError
    from okrcli.services import checkin as service
    from okrcli.services import transaction

    options = options_of(ctx)
    if options.at is not None:
        raise UsageError("checkin writes the working tree, so it cannot use --at; drop --at")
    if interactive:
        if value is not None or confidence is not None or message is not None:
            raise UsageError(
                "with -i give at most a TEAM; okr then asks for each value, confidence and note"
            )
        from okrcli.services import interactive as walk

        walk.run(options.start, options.cycle, options.as_of_date(), address, not no_commit)
        return
    if address is None or value is None:
        raise UsageError(
            "give ADDRESS and VALUE (like 'okr checkin offer-rate 70'), or -i for the "
            "weekly walk through every key result"
        )
    if value.startswith("--"):
        raise UsageError(f"no such option: {value.split('=', 1)[0]}")
    commit = not no_commit
    scope = transaction.open_scope(
        options.start, options.cycle, options.as_of_date(), address, commit
    )
    wanted = [service.Wanted(address, value, confidence, message)]
    outcome = service.check_in(scope, wanted, refuse_typos=not force)
    for warning in outcome.warnings:
        to_stderr(f"okr: warning: {warning.format()}")
    for update in outcome.updates:
        if update.changed:
            print(service.summary(update, outcome.commit, outcome.written))
        else:
            print(service.unchanged_line(update))
