"""`okr sync` (SPEC §19): key results fed by their sources, all changes in one commit."""

from typing import Annotated

import typer

from okrcli.cli import completion
from okrcli.cli.common import options_of, to_stderr


def sync(
    ctx: typer.Context,
    wanted: Annotated[
        list[str] | None,
        typer.Argument(
            help="Teams, objectives or key results to sync (any unique suffix); default all.",
            shell_complete=completion.teams_and_addresses,
            metavar="[ADDRESS|TEAM]...",
            show_default=False,
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Print the changes; write nothing (commands still run)."),
    ] = False,
    no_commit: Annotated[
        bool, typer.Option("--no-commit", help="Write the team files but do not commit them.")
    ] = False,
) -> None:
    """Read key results' values from their sources and record the changed ones as a check-in.

    A KR names its value's place with `source: NAME:KEY`, NAME being a source declared
    under `sources:` in okr.yaml (a CSV or JSON file in the OKR root, or a command). Each
    source is read once; every KR whose value differs is written as okr checkin writes
    it, all in one commit with an OKR-Source trailer per KR. If any source or key fails,
    nothing is written and every failure is listed. Closed teams are skipped.

    Example: okr sync hr-admin --dry-run
    """
    from okrcli.core.errors import UsageError
    from okrcli.services import sync as service
    from okrcli.services import transaction

    options = options_of(ctx)
    if options.at is not None:
        raise UsageError("sync writes the working tree, so it cannot use --at; drop --at")
    names = wanted or []
    hint = names[0] if names else None
    as_of = options.as_of_date()
    if dry_run:
        scope = service.dry_scope(options.start, options.cycle, as_of, hint)
    else:
        scope = transaction.open_scope(options.start, options.cycle, as_of, hint, not no_commit)
    try:
        outcome = service.sync(scope, names, dry_run)
    except service.SyncFailed as failed:
        for failure in failed.failures:
            for line in failure.lines():
                to_stderr(f"okr: {line}")
        raise
    if outcome.closed:
        to_stderr(f"okr: {service.closed_line(outcome.closed)}")
    for warning in outcome.warnings:
        to_stderr(f"okr: warning: {warning.format()}")
    for line in outcome.change_lines(dry_run):
        print(line)
    print(service.result_line(outcome, dry_run, scope.cycle.id))
