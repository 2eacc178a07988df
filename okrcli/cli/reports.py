"""`okr scorecard` and `okr tree` (SPEC §6)."""

import sys
from typing import Annotated

import typer

from okrcli.cli import completion
from okrcli.cli.common import (
    OWNER_OPTION,
    TableFormat,
    TreeFormat,
    is_terminal,
    options_of,
    print_json,
    print_rich,
    read_cycle,
)


def scorecard(
    ctx: typer.Context,
    team: Annotated[
        str | None,
        typer.Option("--team", help="Only this team.", shell_complete=completion.team_ids),
    ] = None,
    krs: Annotated[
        bool | None,
        typer.Option(
            "--krs/--no-krs", help="Show key-result rows (default: with --team or up to 10 teams)."
        ),
    ] = None,
    output: Annotated[TableFormat, typer.Option("--format", help="Output format.")] = (
        TableFormat.table
    ),
    owner: Annotated[str | None, OWNER_OPTION] = None,
) -> None:
    """The cycle's scorecard: per team, objective and key result, with progress and status.

    Example: okr scorecard --team hr-admin --format markdown
    """
    from okrcli.render import tables as render
    from okrcli.services import report

    options = options_of(ctx)
    data, as_of = read_cycle(options, refuse_errors=True)
    if output is TableFormat.json and owner is None:
        from okrcli.render import jsonout

        sys.stdout.write(jsonout.scorecard(data, as_of, team, indent=is_terminal()) + "\n")
        return
    card = report.scorecard(data, as_of, team)
    if owner is not None:
        report.require_owner(data, owner)
        card = report.scorecard_of_owner(card, owner)
    if output is TableFormat.json:
        print_json(card)
        return
    organization = data.workspace.config.organization if data.workspace.config else ""
    if output is TableFormat.csv:
        sys.stdout.write(render.scorecard_csv(card))
    elif output is TableFormat.markdown:
        sys.stdout.write(render.scorecard_markdown(card, organization))
    else:
        show_krs = krs if krs is not None else (team is not None or len(card["teams"]) <= 10)
        note = report.ended_note(data, as_of)
        if is_terminal():
            from okrcli.render.scorecard_view import scorecard_rich

            print_rich(scorecard_rich(card, organization, show_krs, note), options)
        else:
            sys.stdout.write(render.scorecard_plain(card, organization, show_krs, note))


def tree(
    ctx: typer.Context,
    address: Annotated[
        str | None,
        typer.Argument(help="Start at this objective.", shell_complete=completion.objectives),
    ] = None,
    output: Annotated[TreeFormat, typer.Option("--format", help="Output format.")] = (
        TreeFormat.table
    ),
    owner: Annotated[str | None, OWNER_OPTION] = None,
) -> None:
    """The alignment tree: top objectives, the objectives aligned under them, their KRs.

    --format mermaid prints the map as Mermaid flowcharts for markdown (GitHub renders
    them), one per top objective when the map is too big for one.

    Example: okr tree company/growth
    """
    from okrcli.render import tree as tree_view
    from okrcli.services import report

    options = options_of(ctx)
    data, as_of = read_cycle(options, refuse_errors=True, address=address)
    nodes = report.tree(data, as_of, address)
    if owner is not None:
        report.require_owner(data, owner)
        nodes = report.tree_of_owner(nodes, owner)
    if output is TreeFormat.mermaid:
        from okrcli.render import mermaid

        objectives = [o for t in report.scorecard(data, as_of)["teams"] for o in t["objectives"]]
        start = nodes[0]["address"] if address is not None and nodes else None
        sys.stdout.write(mermaid.markdown(objectives, data.cycle.id, start))
    elif output is TreeFormat.json:
        from okrcli.render import jsonout

        sys.stdout.write(jsonout.encode_tree(nodes, indent=is_terminal()) + "\n")
    elif is_terminal():
        heading = f"{data.cycle.id} · as of {as_of.isoformat()}"
        print_rich(tree_view.tree_rich(nodes, heading), options)
    else:
        sys.stdout.write(tree_view.tree_plain(nodes))
