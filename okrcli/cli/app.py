"""The `okr` command line: parse arguments, call one service, render, map errors to exit codes.

Only typer is imported at start-up; each command imports what it needs, so `okr --help`
and `okr --version` stay as fast as an empty typer app. Unlike the other modules, this one
has no `from __future__ import annotations`: typer reads every command's annotations on
each start, and as strings each would have to be evaluated (about 190 evals per run).
"""

import datetime as dt
import os
import re
import sys
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import click
import typer
from typer.core import TyperGroup

from okrcli import __version__
from okrcli.core.errors import InvalidFilesError, OkrError, sort_key
from okrcli.render import progress

if TYPE_CHECKING:
    from okrcli.files.loader import CycleData, Workspace


def _fail(error: OkrError) -> NoReturn:
    if isinstance(error, InvalidFilesError):
        for diagnostic in error.diagnostics:
            print(diagnostic.format(), file=sys.stderr)
    print(f"okr: {error.message}", file=sys.stderr)
    sys.exit(error.exit_code)


# click and typer each add "Did you mean …?" to an unknown command; say it once.
_DUPLICATE_SENTENCE = re.compile(r"( Did you mean [^?]*\?)(?:\1)+")


class OneLineUsageError(click.UsageError):
    """A usage error as one sentence on stderr (exit 2), like every other okr error."""

    def show(self, file: Any = None) -> None:
        where = f"; see '{self.ctx.command_path} --help'" if self.ctx is not None else ""
        message = _DUPLICATE_SENTENCE.sub(r"\1", self.format_message()).rstrip(".")
        print(f"okr: {message}{where}", file=sys.stderr)


# Bare `okr` prints its help through this exception (click 8.2+); it must pass unchanged.
_HELP_EXCEPTIONS: tuple[type[Exception], ...] = tuple(
    getattr(click.exceptions, name)
    for name in ("NoArgsIsHelpError",)
    if hasattr(click.exceptions, name)
)


def _one_line(error: click.UsageError) -> NoReturn:
    if isinstance(error, (*_HELP_EXCEPTIONS, OneLineUsageError)):
        raise error
    raise OneLineUsageError(error.format_message(), error.ctx) from None


class OkrGroup(TyperGroup):
    """Turns okr's domain errors into one line on stderr and an exit code, never a traceback."""

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().make_context(*args, **kwargs)
        except click.UsageError as error:
            _one_line(error)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except OkrError as error:
            _fail(error)
        except click.UsageError as error:
            _one_line(error)
        except OSError as error:  # a full disk, a read-only .git, a folder where a file goes
            where = f"{error.filename}: " if error.filename else ""
            _fail(OkrError(f"{where}{error.strerror or error}; check the path and try again"))


app = typer.Typer(
    cls=OkrGroup,
    name="okr",
    help="OKRs as plain YAML in git: validate, score, check in, and review them.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class TableFormat(StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"
    csv = "csv"


class TreeFormat(StrEnum):
    table = "table"
    json = "json"


class ValidateFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"


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


def _parse_date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        if len(value) != 10:
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"--as-of '{value}' is not a real date written YYYY-MM-DD"
        ) from None


def _version(value: bool) -> None:
    if value:
        print(f"okr {__version__}")
        raise typer.Exit


@app.callback()
def main_options(
    ctx: typer.Context,
    directory: Annotated[
        Path | None,
        typer.Option(
            "-C",
            help="Run as if okr was started in PATH.",
            metavar="PATH",
            exists=True,
            file_okay=False,
            dir_okay=True,
        ),
    ] = None,
    cycle: Annotated[
        str | None, typer.Option("--cycle", help="Cycle id (default: the current one).")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="Date to measure the pace at (default today).", metavar="YYYY-MM-DD"
        ),
    ] = None,
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            help="Read the OKRs as they were at a git revision or date.",
            metavar="REV|YYYY-MM-DD",
        ),
    ] = None,
    no_color: Annotated[
        bool, typer.Option("--no-color", help="No colours (NO_COLOR works too).")
    ] = False,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Neither read nor write the cache.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print the version and exit.", callback=_version, is_eager=True
        ),
    ] = False,
) -> None:
    """okr keeps Objectives and Key Results as YAML files in a git repository.

    Example: okr -C examples/acme --as-of 2026-08-15 scorecard
    """
    from okrcli.files import cache

    cache.configure(use_cache=not no_cache)
    color = not no_color and not os.environ.get("NO_COLOR")
    ctx.obj = Options(directory or Path.cwd(), cycle, _parse_date(as_of), at, color)


# --- shared plumbing ------------------------------------------------------------------------


def _options(ctx: typer.Context) -> Options:
    options = ctx.obj
    assert isinstance(options, Options)
    return options


def _workspace(options: Options) -> "tuple[Workspace, dt.date]":
    """The workspace to read, and the as-of date (which `--at` may move)."""
    from okrcli.files import loader

    root = loader.find_root(options.start)
    if options.at is None:
        return loader.open_workspace(root), options.as_of_date()
    from okrcli.history import revsource

    source, commit_date = revsource.at(root, options.at)
    return loader.open_workspace(root, source), options.as_of or commit_date


def _cycle_named(cycle_id: str | None, address: str | None, workspace: "Workspace") -> str | None:
    """--cycle, else the cycle a full address (CYCLE/TEAM/OBJ/KR) starts with, if any."""
    if cycle_id is not None or address is None:
        return cycle_id
    first = address.strip().strip("/").split("/", 1)[0]
    return first if first in workspace.cycles else None


def _cycle(
    options: Options, refuse_errors: bool, address: str | None = None
) -> "tuple[CycleData, dt.date]":
    """The selected cycle, read and validated; a full ADDRESS may name the cycle."""
    from okrcli.files import loader

    workspace, as_of = _workspace(options)
    cycle = workspace.select_cycle(_cycle_named(options.cycle, address, workspace), as_of)
    data = loader.load_cycle(workspace, cycle, progress.reporter("reading team files"))
    errors = sorted(data.blocking_errors(), key=sort_key)
    if refuse_errors and errors:
        raise InvalidFilesError(
            f"{data.cycle.id} has {len(errors)} error(s); fix them first (see 'okr validate')",
            errors,
        )
    return data, as_of


def _is_terminal() -> bool:
    return sys.stdout.isatty()


def _print_rich(renderable: Any, options: Options) -> None:
    from rich.console import Console

    # color_system=None drops bold and dim too: NO_COLOR readers want no escapes at all.
    console = Console(color_system="auto", highlight=False, emoji=False)
    if not options.color:
        console = Console(color_system=None, highlight=False, emoji=False)
    console.print(renderable)


def _print_json(value: Any) -> None:
    from okrcli.render import jsonout

    sys.stdout.write(jsonout.encode(value, indent=_is_terminal()) + "\n")


# --- commands -------------------------------------------------------------------------------


@app.command()
def init(
    ctx: typer.Context,
    path: Annotated[Path | None, typer.Argument(help="Folder to make the OKR root.")] = None,
) -> None:
    """Create okr.yaml and this quarter's folder with a commented example team file.

    Example: okr init okrs
    """
    from okrcli.files import scaffold

    options = _options(ctx)
    target = path if path is None or path.is_absolute() else options.start / path
    created = scaffold.init(target or options.start, options.as_of_date())
    for created_path in created:
        print(f"created {created_path}")


@app.command()
def validate(
    ctx: typer.Context,
    all_cycles: Annotated[bool, typer.Option("--all", help="Check every cycle.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Warnings fail too.")] = False,
    output: Annotated[ValidateFormat, typer.Option("--format", help="Output format.")] = (
        ValidateFormat.text
    ),
) -> None:
    """Check the cycle's files and print one line per finding (path:line:col).

    Exit 1 when an error is found (with --strict, a warning too).

    Example: okr validate --format github
    """
    from okrcli.files import loader

    options = _options(ctx)
    workspace, as_of = _workspace(options)
    if all_cycles:
        cycles = [workspace.cycles[c] for c in sorted(workspace.cycles)]
        diagnostics = list(workspace.diagnostics)
        files = 0
        for span in cycles:
            tick = progress.reporter(f"reading {span.id}")
            data = loader.load_cycle(workspace, span, tick)
            diagnostics += data.diagnostics  # okr.yaml's findings repeat; set() below
            files += len(data.texts)
        scope = f"{len(cycles)} cycle(s)"
    else:
        try:
            cycle = workspace.select_cycle(options.cycle, as_of)
        except OkrError:
            for d in workspace.diagnostics:  # okr.yaml's own findings explain a missing cycle
                print(d.format(), file=sys.stderr)
            raise
        data = loader.load_cycle(workspace, cycle, progress.reporter("reading team files"))
        diagnostics, files, scope = data.diagnostics, len(data.texts), data.cycle.id
    diagnostics = sorted(set(diagnostics), key=sort_key)
    if output is ValidateFormat.json:
        _print_json([d.as_json() for d in diagnostics])
    elif output is ValidateFormat.github:
        # GitHub attaches an annotation to a path from the top of the repository.
        prefix = _path_in_repository(workspace.root)
        for d in diagnostics:
            message = _github_escape(d.message)
            where = f"file={_github_escape(prefix + d.path, property=True)},line={d.line}"
            print(f"::{d.severity} {where},col={d.col}::{d.code}: {message}")
    else:
        for d in diagnostics:
            print(d.format())
    errors = sum(d.severity == "error" for d in diagnostics)
    warnings = len(diagnostics) - errors
    print(f"{scope}: {files} file(s), {errors} error(s), {warnings} warning(s)", file=sys.stderr)
    if errors or (strict and warnings):
        raise typer.Exit(1)


def _path_in_repository(root: Path) -> str:
    """Where the OKR root lies in its git work tree ('' or 'okrs/'); '' outside git."""
    from okrcli.history import gitrepo

    try:
        return gitrepo.path_prefix(root)
    except gitrepo.GitError:
        return ""


def _github_escape(text: str, property: bool = False) -> str:
    """A workflow command's escaping: of its message, and more in a property (file=…)."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property else text


@app.command()
def scorecard(
    ctx: typer.Context,
    team: Annotated[str | None, typer.Option("--team", help="Only this team.")] = None,
    krs: Annotated[
        bool | None,
        typer.Option(
            "--krs/--no-krs", help="Show key-result rows (default: with --team or up to 10 teams)."
        ),
    ] = None,
    output: Annotated[TableFormat, typer.Option("--format", help="Output format.")] = (
        TableFormat.table
    ),
) -> None:
    """The cycle's scorecard: per team, objective and key result, with progress and status.

    Example: okr scorecard --team hr-admin --format markdown
    """
    from okrcli.render import tables as render
    from okrcli.services import report

    options = _options(ctx)
    data, as_of = _cycle(options, refuse_errors=True)
    if output is TableFormat.json:
        from okrcli.render import jsonout

        sys.stdout.write(jsonout.scorecard(data, as_of, team, indent=_is_terminal()) + "\n")
        return
    card = report.scorecard(data, as_of, team)
    organization = data.workspace.config.organization if data.workspace.config else ""
    if output is TableFormat.csv:
        sys.stdout.write(render.scorecard_csv(card))
    elif output is TableFormat.markdown:
        sys.stdout.write(render.scorecard_markdown(card, organization))
    else:
        show_krs = krs if krs is not None else (team is not None or len(card["teams"]) <= 10)
        if _is_terminal():
            _print_rich(render.scorecard_rich(card, organization, show_krs), options)
        else:
            sys.stdout.write(render.scorecard_plain(card, organization, show_krs))


@app.command()
def tree(
    ctx: typer.Context,
    address: Annotated[str | None, typer.Argument(help="Start at this objective.")] = None,
    output: Annotated[TreeFormat, typer.Option("--format", help="Output format.")] = (
        TreeFormat.table
    ),
) -> None:
    """The alignment tree: top objectives, the objectives aligned under them, their KRs.

    Example: okr tree company/growth
    """
    from okrcli.render import tables as render
    from okrcli.services import report

    options = _options(ctx)
    data, as_of = _cycle(options, refuse_errors=True, address=address)
    nodes = report.tree(data, as_of, address)
    if output is TreeFormat.json:
        _print_json(nodes)
    elif _is_terminal():
        heading = f"{data.cycle.id} · as of {as_of.isoformat()}"
        _print_rich(render.tree_rich(nodes, heading), options)
    else:
        sys.stdout.write(render.tree_plain(nodes))


# --- check-in commands (SPEC §8, §12) -------------------------------------------------------


# Unknown options pass through as arguments so a negative VALUE (`-5`) is a value; a
# misspelt option then arrives as VALUE and is refused below as a usage error.
@app.command(context_settings={"ignore_unknown_options": True})
def checkin(
    ctx: typer.Context,
    address: Annotated[
        str | None,
        typer.Argument(
            help="The key result: its address or any unique suffix (with -i: the team).",
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
) -> None:
    """Record a key result's new value in its team file and commit that one file.

    Only the value's line changes (and the confidence line); the commit carries
    OKR-Check-In, OKR-Value and OKR-Confidence trailers. With -i [TEAM], okr asks for
    every key result in turn (Enter keeps, q quits) and commits all changes at once.

    Example: okr checkin offer-rate 70 --confidence 0.8 -m "two offers accepted"
    """
    from okrcli.core.errors import UsageError
    from okrcli.services import checkin as service

    options = _options(ctx)
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
    scope = service.open_scope(options.start, options.cycle, options.as_of_date(), address, commit)
    outcome = service.check_in(scope, [service.Wanted(address, value, confidence, message)])
    for warning in outcome.warnings:
        print(f"okr: warning: {warning.format()}", file=sys.stderr)
    for update in outcome.updates:
        if update.changed:
            print(service.summary(update, outcome.commit, outcome.written))
        else:
            print(service.unchanged_line(update))


# --- history commands (SPEC §9–§11) ---------------------------------------------------------


class DiffFormat(StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"


def _git_root(options: Options, what: str) -> tuple[Path, Path]:
    """The OKR root and the top of its git work tree; a clear error outside git."""
    from okrcli.files import loader
    from okrcli.history import gitrepo

    root = loader.find_root(options.start)
    return root, gitrepo.require_work_tree(root, what)


def _history_range(
    root: Path, top: Path, workspace: "Workspace", cycle_id: str
) -> tuple[str | None, str]:
    """Where the cycle's history ends (HEAD, or the commit `--at` names; None before the
    first commit) and the cycle folder's path from the top of the work tree."""
    from okrcli.history import gitrepo, revsource

    source = workspace.source
    end = source.commit if isinstance(source, revsource.RevisionSource) else revsource.head(top)
    return end, gitrepo.path_prefix(root) + cycle_id


@app.command()
def log(
    ctx: typer.Context,
    address: Annotated[
        str | None,
        typer.Argument(
            help="Only this KR or objective (a unique suffix will do).", metavar="ADDRESS"
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
    from okrcli.files import loader
    from okrcli.history import versions as history
    from okrcli.services import changes

    options = _options(ctx)
    root, top = _git_root(options, "okr log")
    workspace, as_of = _workspace(options)
    cycle = workspace.select_cycle(_cycle_named(options.cycle, address, workspace), as_of)
    end, folder = _history_range(root, top, workspace, cycle.id)
    snapshots = history.Snapshots(top, folder)
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
    entries = changes.log_entries(steps, only)
    if output is TableFormat.json:
        _print_json(entries)
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
    elif _is_terminal():
        _print_rich(render_history.log_rich(entries, series, heading), options)
    else:
        sys.stdout.write(render_history.log_plain(entries, series, heading))


@app.command()
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

    BASE A...B compares B with the merge base of A and B, like a pull request;
    --format markdown is written to be pasted as a pull-request comment.

    Example: okr diff main...HEAD --format markdown
    """
    from okrcli.core.errors import UsageError
    from okrcli.files import loader
    from okrcli.render import history as render_history
    from okrcli.services import changes

    options = _options(ctx)
    if options.at is not None:
        raise UsageError("diff compares the revisions it is given; write 'okr diff REV' for --at")
    root, top = _git_root(options, "okr diff")
    cycle = loader.open_workspace(root).select_cycle(options.cycle, options.as_of_date())
    base_side, head_side = changes.diff_sides(top, base, head)
    before, after = changes.read_sides(top, root, cycle.id, (base_side, head_side))
    result, skipped = changes.diff(base_side, head_side, before, after)
    for name in skipped:
        print(
            f"okr: left out {cycle.id}/{name}: it does not parse as YAML on one side "
            "(see 'okr validate')",
            file=sys.stderr,
        )
    if output is DiffFormat.json:
        _print_json(result)
    elif output is DiffFormat.markdown:
        sys.stdout.write(render_history.diff_markdown(result, cycle.id))
    elif _is_terminal():
        _print_rich(render_history.diff_rich(result, cycle.id), options)
    else:
        sys.stdout.write(render_history.diff_plain(result, cycle.id))


@app.command()
def stale(
    ctx: typer.Context,
    days: Annotated[
        int, typer.Option("--days", min=0, help="Stale after this many days without a change.")
    ] = 7,
    output: Annotated[TableFormat, typer.Option("--format", help="Output format.")] = (
        TableFormat.table
    ),
) -> None:
    """The weekly meeting's agenda: KRs not yet done whose value has not changed in any
    commit for more than N days before the as-of date, oldest first.

    Example: okr stale --days 14 --format json
    """
    from okrcli.history import versions as history
    from okrcli.render import history as render_history
    from okrcli.services import changes

    options = _options(ctx)
    root, top = _git_root(options, "okr stale")
    data, as_of = _cycle(options, refuse_errors=True)
    end, folder = _history_range(root, top, data.workspace, data.cycle.id)
    snapshots = history.Snapshots(top, folder)
    steps = history.load(
        top, end, folder, progress.reporter("reading history"), snapshots=snapshots
    )
    committed = history.kr_fields_at(top, end, folder, snapshots)
    rows = changes.stale(data.teams, steps, as_of, days, committed)
    heading = render_history.stale_heading(data.cycle.id, as_of.isoformat(), days, len(rows))
    if output is TableFormat.json:
        _print_json(rows)
    elif output is TableFormat.csv:
        sys.stdout.write(render_history.stale_csv(rows))
    elif output is TableFormat.markdown:
        sys.stdout.write(render_history.stale_markdown(rows, heading))
    elif _is_terminal():
        _print_rich(render_history.stale_rich(rows, heading), options)
    else:
        sys.stdout.write(render_history.stale_plain(rows, heading))


# --- entry point ----------------------------------------------------------------------------


def main() -> None:
    try:
        app(prog_name="okr")
    except KeyboardInterrupt:
        print("okr: interrupted", file=sys.stderr)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
