"""`okr show ADDRESS`: one key result or objective in full."""

import sys
from typing import Annotated

import typer

from okrcli.cli import completion
from okrcli.cli.common import (
    ShowFormat,
    git_root,
    history_range,
    is_terminal,
    options_of,
    print_json,
    print_rich,
    read_cycle,
)


def show(
    ctx: typer.Context,
    address: Annotated[
        str,
        typer.Argument(
            help="The KR or objective: its address or any unique suffix.",
            metavar="ADDRESS",
            shell_complete=completion.objectives_and_key_results,
        ),
    ],
    output: Annotated[ShowFormat, typer.Option("--format", help="Output format.")] = (
        ShowFormat.table
    ),
) -> None:
    """One key result or objective in full: title, owner, unit, baseline → current →
    target, progress against the expected pace, score, status, confidence, and its last
    check-ins and revisions (date, author, value, note).

    Example: okr show offer-rate --format json
    """
    from okrcli.core.errors import OkrError
    from okrcli.core.people import identities
    from okrcli.history import versions as history
    from okrcli.render import show as render
    from okrcli.services import changes
    from okrcli.services import show as service

    options = options_of(ctx)
    data, as_of = read_cycle(options, refuse_errors=True, address=address)
    entries = []
    try:
        root, top = git_root(options, "okr show")
    except OkrError:  # not in git: the OKRs as they are, with no history
        top = None
    if top is not None:
        end, folder = history_range(root, top, data.workspace, data.cycle.id)
        steps = history.load(top, end, folder, full_history=True)
        config = data.workspace.config
        entries = changes.log_entries(steps, None, identities(config.people if config else ()))
    item = service.show(data, as_of, address, entries)
    if output is ShowFormat.json:
        print_json(item)
    elif is_terminal():
        print_rich(render.show_rich(item), options)
    else:
        sys.stdout.write(render.show_plain(item))
