"""The `okr` command line: parse arguments, call one service, render, map errors to exit codes.

Only typer is imported at start-up; each command imports what it needs, so `okr --help`
and `okr --version` stay as fast as an empty typer app.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

from okrcli import __version__
from okrcli.errors import InvalidFilesError, OkrError

if TYPE_CHECKING:
    from okrcli.loader import CycleData, Workspace


def _fail(error: OkrError) -> NoReturn:
    if isinstance(error, InvalidFilesError):
        for diagnostic in error.diagnostics:
            print(diagnostic.format(), file=sys.stderr)
    print(f"okr: {error.message}", file=sys.stderr)
    sys.exit(error.exit_code)


class OkrGroup(TyperGroup):
    """Turns okr's domain errors into one line on stderr and an exit code, never a traceback."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except OkrError as error:
            _fail(error)


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

    def today(self) -> dt.date:
        return self.as_of or dt.date.today()


def _parse_date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        if len(value) != 10:
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"'{value}' is not a date written YYYY-MM-DD") from None


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
    if no_cache:
        os.environ["OKR_NO_CACHE"] = "1"
    color = not no_color and not os.environ.get("NO_COLOR")
    ctx.obj = Options(directory or Path.cwd(), cycle, _parse_date(as_of), at, color)


# --- shared plumbing ------------------------------------------------------------------------


def _options(ctx: typer.Context) -> Options:
    options = ctx.obj
    assert isinstance(options, Options)
    return options


def _workspace(options: Options) -> tuple[Workspace, dt.date]:
    """The workspace to read, and the as-of date (which `--at` may move)."""
    from okrcli import loader

    root = loader.find_root(options.start)
    if options.at is None:
        return loader.open_workspace(root), options.today()
    from okrcli import revsource

    source, commit_date = revsource.at(root, options.at)
    return loader.open_workspace(root, source), options.as_of or commit_date


def _cycle(options: Options, refuse_errors: bool) -> tuple[CycleData, dt.date]:
    from okrcli import loader

    workspace, as_of = _workspace(options)
    data = loader.load_cycle(workspace, workspace.select_cycle(options.cycle, as_of))
    if refuse_errors and data.has_errors:
        errors = [d for d in data.diagnostics if d.severity == "error"]
        raise InvalidFilesError(
            f"{data.cycle.id} has {len(errors)} error(s); fix them first (see 'okr validate')",
            errors,
        )
    return data, as_of


def _is_terminal() -> bool:
    return sys.stdout.isatty()


def _print_rich(renderable: Any, options: Options) -> None:
    from rich.console import Console

    Console(no_color=not options.color, highlight=False, emoji=False).print(renderable)


def _print_json(value: Any) -> None:
    import json

    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")


# --- commands -------------------------------------------------------------------------------


@app.command()
def init(
    ctx: typer.Context,
    path: Annotated[Path | None, typer.Argument(help="Folder to make the OKR root.")] = None,
) -> None:
    """Create okr.yaml and this quarter's folder with a commented example team file.

    Example: okr init okrs
    """
    from okrcli import scaffold

    options = _options(ctx)
    target = path if path is None or path.is_absolute() else options.start / path
    created = scaffold.init(target or options.start, options.today())
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
    from okrcli import loader
    from okrcli.errors import sort_key

    options = _options(ctx)
    workspace, as_of = _workspace(options)
    if all_cycles:
        cycles = [workspace.cycles[c] for c in sorted(workspace.cycles)]
        diagnostics = list(workspace.diagnostics)
        files = 0
        for span in cycles:
            data = loader.load_cycle(workspace, span)
            diagnostics += data.diagnostics[len(workspace.diagnostics) :]
            files += len(data.texts)
        scope = f"{len(cycles)} cycle(s)"
    else:
        data = loader.load_cycle(workspace, workspace.select_cycle(options.cycle, as_of))
        diagnostics, files, scope = data.diagnostics, len(data.texts), data.cycle.id
    diagnostics = sorted(set(diagnostics), key=sort_key)
    if output is ValidateFormat.json:
        _print_json([d.as_json() for d in diagnostics])
    elif output is ValidateFormat.github:
        for d in diagnostics:
            message = d.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
            print(
                f"::{d.severity} file={d.path},line={d.line},col={d.col},"
                f"title={d.code}::{d.code}: {message}"
            )
    else:
        for d in diagnostics:
            print(d.format())
    errors = sum(d.severity == "error" for d in diagnostics)
    warnings = len(diagnostics) - errors
    print(f"{scope}: {files} file(s), {errors} error(s), {warnings} warning(s)", file=sys.stderr)
    if errors or (strict and warnings):
        raise typer.Exit(1)


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
    from okrcli import render, report

    options = _options(ctx)
    data, as_of = _cycle(options, refuse_errors=True)
    card = report.scorecard(data, as_of, team)
    organization = data.workspace.config.organization if data.workspace.config else ""
    if output is TableFormat.json:
        _print_json(card)
    elif output is TableFormat.csv:
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
    from okrcli import render, report

    options = _options(ctx)
    data, as_of = _cycle(options, refuse_errors=True)
    nodes = report.tree(data, as_of, address)
    if output is TreeFormat.json:
        _print_json(nodes)
    elif _is_terminal():
        heading = f"{data.cycle.id} · as of {as_of.isoformat()}"
        _print_rich(render.tree_rich(nodes, heading), options)
    else:
        sys.stdout.write(render.tree_plain(nodes))


# --- check-in commands (SPEC §8, §12) -------------------------------------------------------

# (checkin commands go here)

# --- history commands (SPEC §9–§11) ---------------------------------------------------------

# (log, diff and stale commands go here)

# --- entry point ----------------------------------------------------------------------------


def main() -> None:
    try:
        app(prog_name="okr")
    except KeyboardInterrupt:
        print("okr: interrupted", file=sys.stderr)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
