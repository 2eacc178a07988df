"""`okr site` (SPEC §20): the OKRs as a static website, for the people who never open a
terminal."""

import datetime as dt
from contextlib import ExitStack
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from okrcli.cli.common import (
    history_range,
    keep_until_exit,
    options_of,
    read_workspace,
    to_stderr,
)

if TYPE_CHECKING:
    from okrcli.files.loader import CycleData
    from okrcli.services.site import CycleSite


def site(
    ctx: typer.Context,
    output: Annotated[
        Path,
        typer.Option("-o", "--output", help="The folder to write the site into.", metavar="DIR"),
    ],
    all_cycles: Annotated[
        bool, typer.Option("--all-cycles", help="Every cycle, with a switcher between them.")
    ] = False,
) -> None:
    """Write the OKRs as a static website: the board, the alignment map, a page per team
    with each KR's history from git, and a page per person.

    It works opened from disk and on any static host (GitHub Pages), makes no network
    request, and the same files write the same bytes. Refuses when the selected cycle has
    errors; with --all-cycles, another cycle with errors is left out (said on stderr).

    Example: okr site -o public --all-cycles
    """
    from okrcli.core.errors import InvalidFilesError, OkrError, sort_key
    from okrcli.core.people import identities
    from okrcli.files import loader
    from okrcli.history import gitrepo, split
    from okrcli.history import versions as history
    from okrcli.history.gitread import BackgroundLog
    from okrcli.history.snapshots import Snapshots
    from okrcli.render import progress
    from okrcli.services import site as site_data

    options = options_of(ctx)
    workspace, as_of = read_workspace(options)
    people = identities(workspace.config.people if workspace.config else ())
    selected = workspace.select_cycle(options.cycle, as_of)
    spans = [workspace.cycles[c] for c in sorted(workspace.cycles)] if all_cycles else [selected]
    top = gitrepo.work_tree_and_git_dir(workspace.root)
    if top is None:
        to_stderr("okr: not in a git repository, so the site has no history")
    sites = []
    for span in spans:
        with ExitStack() as stack:
            end, folder, snapshots, log, early = None, "", None, None, None
            if top is not None:
                # git walks the cycle's history on another core while its files are read,
                # and inflates its blobs while the forked child reads its half of them.
                end, folder = history_range(workspace.root, top[0], workspace, span.id)
                snapshots = Snapshots(top[0], folder)
                stack.callback(snapshots.close)  # no git left behind if reading fails
                if end is not None:
                    log = stack.enter_context(BackgroundLog(top[0], end, folder))
                    early = history.EarlyRead(snapshots, folder, log)
            tick = progress.reporter(f"reading {span.id}")
            data = loader.load_cycle(workspace, span, tick, top is not None, early)
            errors = sorted(data.blocking_errors(), key=sort_key)
            if errors and span.id == selected.id:
                raise InvalidFilesError(
                    f"{span.id} has {len(errors)} error(s); fix them first (see 'okr validate')",
                    errors,
                )
            if errors:
                to_stderr(f"okr: left out {span.id}: it has {len(errors)} error(s)")
                continue
            # A past cycle is shown as of its end; the selected one as of the as-of date.
            cycle_as_of = as_of if span.id == selected.id else min(as_of, span.end)
            if top is None or snapshots is None:
                sites.append(site_data.cycle_site(data, cycle_as_of))
                keep_until_exit(data)
                continue
            snapshots.seed(data.versions)
            made: list[CycleSite] = []  # the cycle's site, made meanwhile
            # Read and reduced on two cores, each taking some of the files' histories; the
            # cycle's scorecard and the page renderer are made here meanwhile.
            parts = split.load_reduced(
                top[0],
                end,
                folder,
                partial(
                    site_data.histories,
                    start=span.start,
                    end=span.end,
                    as_of=cycle_as_of,
                    people=people,
                ),
                tick=progress.reporter(f"reading the history of {span.id}"),
                snapshots=snapshots,
                log=log,
                early=early,
                meanwhile=partial(_add_site, made, data, cycle_as_of),
            )
            (site_made,) = made
            site_made.add_histories({k: v for part in parts for k, v in part.items()})
            sites.append(site_made)
            keep_until_exit(data, parts, snapshots)
    from okrcli.render import site as pages_of

    files = pages_of.pages(sites, selected.id)
    try:
        size = site_data.write_pages(output, files)
    except OSError as error:
        raise OkrError(f"cannot write the site into {output}: {error.strerror}") from None
    keep_until_exit(sites, files)
    to_stderr(f"wrote {len(files)} files ({size / 1024:.0f} KiB) into {output}")


def _add_site(made: "list[CycleSite]", data: "CycleData", as_of: "dt.date") -> None:
    """The cycle's site, without its history, and the renderer with its templates compiled
    (jinja2's import and the compiling are a tenth of a company's site): made while the
    history is read, so before the pages are rendered on two cores."""
    from okrcli.render import site as pages_of
    from okrcli.services import site as site_data

    made.append(site_data.cycle_site(data, as_of))
    pages_of.prepare()
