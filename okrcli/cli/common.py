"""What every command shares: the global options, reading the selected cycle, printing.

No `from __future__ import annotations` in the cli package: typer reads every command's
annotations on each start, and as strings each would have to be evaluated.
"""

import datetime as dt
import gc
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from okrcli.core.errors import InvalidFilesError, sort_key
from okrcli.render import progress

if TYPE_CHECKING:
    from okrcli.core.model import CycleSpan
    from okrcli.files.loader import CycleData, Waiting
    from okrcli.files.workspace import Workspace


class ShowFormat(StrEnum):
    table = "table"
    json = "json"


class TableFormat(StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"
    csv = "csv"


class TreeFormat(StrEnum):
    table = "table"
    json = "json"
    mermaid = "mermaid"


class ValidateFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"


class DiffFormat(StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"


# The longest window a --days takes (a century): further back than any date can go wrong.
MAX_DAYS = 36_500

OWNER_OPTION = typer.Option(
    "--owner",
    help="Only the key results NAME owns (its own owner, else its objective's, else its team's).",
    metavar="NAME",
)


@dataclass
class Options:
    """The global options, resolved once in the callback."""

    start: Path
    cycle: str | None
    as_of: dt.date | None
    at: str | None
    color: bool

    def as_of_date(self) -> dt.date:
        return self.as_of or dt.date.today()


def parse_date(value: str | None, option: str = "--as-of") -> dt.date | None:
    """A date option's value, or a usage error naming the option."""
    if value is None:
        return None
    try:
        if len(value) != 10:
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{option} '{value}' is not a real date written YYYY-MM-DD"
        ) from None


def options_of(ctx: typer.Context) -> Options:
    options = ctx.obj
    assert isinstance(options, Options)
    return options


def read_workspace(options: Options) -> "tuple[Workspace, dt.date]":
    """The workspace to read, and the as-of date (which `--at` may move)."""
    from okrcli.files.workspace import find_root, open_workspace

    root = find_root(options.start)
    if options.at is None:
        from okrcli.history import checkout

        return open_workspace(root, checkout.work_tree(root)), options.as_of_date()
    from okrcli.history import revsource

    source, commit_date = revsource.at(root, options.at)
    return open_workspace(root, source), options.as_of or commit_date


def cycle_named(cycle_id: str | None, address: str | None, workspace: "Workspace") -> str | None:
    """--cycle, else the cycle a full address (CYCLE/TEAM/OBJ/KR) starts with, if any."""
    if cycle_id is not None or address is None:
        return cycle_id
    first = address.strip().strip("/").split("/", 1)[0]
    return first if first in workspace.cycles else None


def read_cycle(
    options: Options, refuse_errors: bool, address: str | None = None, versions: bool = False
) -> "tuple[CycleData, dt.date]":
    """The selected cycle, read and validated; a full ADDRESS may name the cycle. With
    `versions` (a command that reads the history next), see loader.load_cycle."""
    workspace, as_of = read_workspace(options)
    cycle = workspace.select_cycle(cycle_named(options.cycle, address, workspace), as_of)
    return load_cycle(workspace, cycle, refuse_errors, versions), as_of


def load_cycle(
    workspace: "Workspace",
    cycle: "CycleSpan",
    refuse_errors: bool,
    versions: bool = False,
    waiting: "Waiting | None" = None,
) -> "CycleData":
    """One cycle of the workspace, read and validated (`waiting`: see loader.load_cycle)."""
    from okrcli.files import loader

    tick = progress.reporter("reading team files")
    data = loader.load_cycle(workspace, cycle, tick, versions, waiting)
    errors = sorted(data.blocking_errors(), key=sort_key)
    if refuse_errors and errors:
        raise InvalidFilesError(
            f"{data.cycle.id} has {len(errors)} error(s); fix them first (see 'okr validate')",
            errors,
        )
    return data


def to_stderr(line: str) -> None:
    """One line of a message on stderr, inert: the user text it quotes (file and folder
    names, ids, typed arguments) cannot move the cursor, recolour or retitle the terminal."""
    from okrcli.core.text import inert

    print(inert(line), file=sys.stderr)


_kept: list[object] | None = None  # a list while exiting_at_once is in force


@contextmanager
def exiting_at_once() -> Iterator[None]:
    """The process (`okr` itself, never a caller running commands in-process) ends as soon
    as its command does, once its output is flushed: what it built goes back to the
    system whole, not object by object (after a company's history read, some 50 ms of
    freeing and interpreter teardown for nothing). An exit with a message, or output that
    cannot be flushed, ends the usual way, which reports it."""
    global _kept
    _kept = []
    try:
        yield
    except SystemExit as done:
        code = done.code
        # Under a profiler or a tracer (cProfile, coverage) the usual exit writes their
        # results: they are what the run is for.
        watched = sys.getprofile() is not None or sys.gettrace() is not None
        if not watched and (code is None or type(code) is int):
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            except (OSError, ValueError):
                raise done from None
            os._exit(code or 0)
        raise
    finally:
        _kept = None


def keep_until_exit(*values: object) -> None:
    """Leave these (a command's history, read once) for the end of the process to free, when
    it ends at once (see exiting_at_once); in-process they are freed as usual."""
    if _kept is not None:
        _kept.append(values)


@contextmanager
def no_cycle_collector() -> Iterator[None]:
    """Python's cycle collector off while `okr` runs one command. A company's files and
    history are some 10^6 small dicts, lists, tuples and libyaml's nodes, which reference
    counting frees as they go; each pass of the collector walks the live ones for nothing
    (with it on, a cold `okr retro` of 500 teams and 2,000 commits takes 13% longer, their
    `okr site` 9%) and frees no more memory (the same peak). What okr builds holds few
    cycles, and the process ends with its command. Back on afterwards, for whoever runs
    commands in-process."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def is_terminal() -> bool:
    return sys.stdout.isatty()


def print_rich(renderable: Any, options: Options) -> None:
    from rich.console import Console

    # color_system=None drops bold and dim too: NO_COLOR readers want no escapes at all.
    console = Console(color_system="auto", highlight=False, emoji=False)
    if not options.color:
        console = Console(color_system=None, highlight=False, emoji=False)
    console.print(renderable)


def print_json(value: Any) -> None:
    from okrcli.render import jsonout

    sys.stdout.write(jsonout.encode(value, indent=is_terminal()) + "\n")


def git_root(options: Options, what: str) -> tuple[Path, Path]:
    """The OKR root and the top of its git work tree; a clear error outside git."""
    from okrcli.files.workspace import find_root
    from okrcli.history import gitrepo

    root = find_root(options.start)
    return root, gitrepo.require_work_tree(root, what)


def history_range(
    root: Path, top: Path, workspace: "Workspace", cycle_id: str
) -> tuple[str | None, str]:
    """Where the cycle's history ends (HEAD, or the commit `--at` names; None before the
    first commit) and the cycle folder's path from the top of the work tree."""
    from okrcli.history import gitread, revsource

    source = workspace.source
    end = source.commit if isinstance(source, revsource.RevisionSource) else revsource.head(top)
    return end, gitread.path_prefix(root) + cycle_id
