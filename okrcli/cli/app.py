"""The `okr` command line: the typer app, its global options, and errors mapped to exit codes.

Only typer is imported at start-up, and of the command modules (one per family beside this
one) only the module of the command that runs; each command imports what it needs inside
its function, so `okr --help` and `okr --version` stay as fast as an empty typer app. No
`from __future__ import annotations` in this package: typer reads every command's
annotations on each start, and as strings each would have to be evaluated (about 190
evals per run).
"""

import copy
import functools
import importlib
import inspect
import os
import re
import sys
from collections.abc import Collection
from pathlib import Path
from typing import Annotated, Any, NoReturn

import click
import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup

from okrcli import __version__
from okrcli.cli import completion
from okrcli.cli.common import (
    Options,
    exiting_at_once,
    no_cycle_collector,
    parse_date,
    to_stderr,
)
from okrcli.core.errors import InvalidFilesError, OkrError


def _fail(error: OkrError) -> NoReturn:
    """Every error okr reports ends here or in OneLineUsageError.show: each line is printed
    inert (see to_stderr), so no message needs to remember which of its parts are user text."""
    if isinstance(error, InvalidFilesError):
        for diagnostic in error.diagnostics:
            to_stderr(diagnostic.format())
    to_stderr(f"okr: {error.message}")
    sys.exit(error.exit_code)


# click and typer each add "Did you mean …?" to an unknown command; say it once.
_DUPLICATE_SENTENCE = re.compile(r"( Did you mean [^?]*\?)(?:\1)+")


GLOBAL_OPTIONS = ("-C", "--cycle", "--as-of", "--at", "--no-color", "--no-cache")
_GLOBAL_AFTER_COMMAND = re.compile(r"No such option:? '?(" + "|".join(GLOBAL_OPTIONS) + ")'?")


class OneLineUsageError(click.UsageError):
    """A usage error as one sentence on stderr (exit 2), like every other okr error."""

    def show(self, file: Any = None) -> None:
        message = _DUPLICATE_SENTENCE.sub(r"\1", self.format_message()).rstrip(".")
        where = ""
        if self.ctx is not None:
            where = f"see '{self.ctx.command_path} --help'"
            misplaced = _GLOBAL_AFTER_COMMAND.search(message)
            if misplaced and self.ctx.parent is not None:
                option, command = misplaced.group(1), self.ctx.info_name
                where = (
                    f"{option} is a global option and goes before the command: "
                    f"okr {option} … {command}"
                )
            # a sentence ending in a question keeps its mark: no `;` after a `?`
            where = f" {where[0].upper()}{where[1:]}" if message.endswith("?") else f"; {where}"
        to_stderr(f"okr: {message}{where}")


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
        except BrokenPipeError:
            # `okr log | head`: the reader has all it wanted. Quiet, like git: the exit status
            # of a process a SIGPIPE ended, and nothing more written to the closed pipe.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(141)  # 128 + SIGPIPE
        except OSError as error:  # a full disk, a read-only .git, a folder where a file goes
            where = f"{error.filename}: " if error.filename else ""
            _fail(OkrError(f"{where}{error.strerror or error}; check the path and try again"))


# The group and its global options; the commands are added by _with_commands (full_app()
# has them all).
app = typer.Typer(
    cls=OkrGroup,
    name="okr",
    help="OKRs as plain YAML in git: validate, score, check in, and review them.",
    no_args_is_help=True,
    add_completion=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


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
        str | None,
        typer.Option(
            "--cycle",
            help="Cycle id (default: the current one).",
            shell_complete=completion.cycle_ids,
        ),
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
    ctx.obj = Options(directory or Path.cwd(), cycle, parse_date(as_of), at, color)


GLOBAL_EPILOG = (
    "Global options (-C, --cycle, --as-of, --at, --no-color) go before the command: "
    "okr --as-of 2026-08-15 scorecard"
)


class OkrCommand(TyperCommand):
    """A command whose help names its arguments and says where the global options go."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["epilog"] = kwargs.get("epilog") or GLOBAL_EPILOG
        super().__init__(*args, **kwargs)
        # click 8.2+ resets an argument's help after typer has set it; put it back from the
        # command function's own `typer.Argument(help=…)`.
        function = getattr(self.callback, "__wrapped__", None)
        if function is None:
            return
        signature = inspect.signature(function).parameters
        for param in self.params:
            if isinstance(param, TyperArgument) and not param.help and param.name in signature:
                for info in getattr(signature[param.name].annotation, "__metadata__", ()):
                    param.help = getattr(info, "help", None) or param.help

    def format_arguments(self, ctx: Any, formatter: Any) -> None:
        """Typer lists the arguments with the options; click's own section would repeat them."""


# Commands in the order `okr --help` lists them, each with a line that fits at 80 columns:
# (name, its module under okrcli.cli, the function there, the line, settings). A start
# imports the one module of the command it runs (app_for), `okr --help` them all.
_COMMANDS: tuple[tuple[str, str, str, str, dict[str, Any]], ...] = (
    ("init", "files", "init", "Create okr.yaml and this quarter's folder.", {}),
    ("validate", "files", "validate", "Check the cycle's files, one line per finding.", {}),
    (
        "scorecard",
        "reports",
        "scorecard",
        "Progress, score and status per team, objective, KR.",
        {},
    ),
    ("tree", "reports", "tree", "The alignment tree of objectives and their KRs.", {}),
    ("show", "show", "show", "One KR or objective in full, with its history.", {}),
    # Unknown options pass through as arguments so a negative VALUE (`-5`) is a value.
    (
        "checkin",
        "checkins",
        "checkin",
        "Record a KR's new value and commit it.",
        {"context_settings": {"ignore_unknown_options": True}},
    ),
    ("revise", "grading", "revise", "Move a KR's target or baseline, with the reason.", {}),
    ("sync", "sync", "sync", "Read KRs' values from their sources; one commit.", {}),
    ("log", "history", "log", "Every check-in, hand edit and revised target.", {}),
    ("diff", "history", "diff", "What changed in the OKRs between two revisions.", {}),
    ("stale", "history", "stale", "The KRs whose value has not moved for N days.", {}),
    ("close", "grading", "close", "Grade the cycle: a score for every KR, the retro.", {}),
    ("retro", "turn", "retro", "The retrospective of a closed cycle.", {}),
    ("next", "turn", "next_cycle", "Start the next cycle from this one.", {}),
    ("people", "people", "people", "Everyone who owns or checked in a KR.", {}),
    ("person", "people", "person", "What NAME owns and did: for a conversation.", {}),
    ("digest", "people", "digest", "The week in one page.", {}),
    ("site", "site", "site", "Write the OKRs as a static website.", {}),
    ("schema", "editor", "schema", "Print the JSON Schema of a team file or okr.yaml.", {}),
)


def _with_commands(names: Collection[str]) -> typer.Typer:
    """The app (its group and global options) with these commands, in help's order."""
    built = copy.copy(app)
    built.registered_commands = []
    for name, module, function, short_help, settings in _COMMANDS:
        if name in names:
            callback = getattr(importlib.import_module(f"okrcli.cli.{module}"), function)
            built.command(name, cls=OkrCommand, short_help=short_help, **settings)(callback)
    return built


@functools.cache
def full_app() -> typer.Typer:
    """The app with every command: for help, completion, a mistyped command, the tests."""
    return _with_commands([entry[0] for entry in _COMMANDS])


# --- entry point ----------------------------------------------------------------------------

# The global options that take a value (the next word, or after `=`).
_VALUED_OPTIONS = frozenset(("-C", "--cycle", "--as-of", "--at"))


def app_for(args: list[str]) -> typer.Typer:
    """The app with only the command that `args` run, when they plainly name one: only its
    module is imported, and typer builds only its click parameters (~0.2 ms a command).
    Help, completion, a mistyped command (for its suggestion) or anything unclear get the
    whole app."""
    if os.environ.get("_OKR_COMPLETE"):
        return full_app()
    words = iter(args)
    for word in words:
        if word in _VALUED_OPTIONS:
            next(words, None)
        elif word.startswith("-C") or word.split("=", 1)[0] in _VALUED_OPTIONS:
            continue  # `-Cpath`, `--cycle=2026-Q3`: the value is attached
        elif word in ("--no-color", "--no-cache"):
            continue
        elif word.startswith("-"):
            break  # --help, --version, completion options, a misspelt option
        elif any(word == entry[0] for entry in _COMMANDS):
            return _with_commands([word])
        else:
            break
    return full_app()


def main() -> None:
    try:
        app_for(sys.argv[1:])(prog_name="okr")
    except KeyboardInterrupt:
        print("okr: interrupted", file=sys.stderr)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)


def run() -> None:
    """The `okr` program: main with the cycle collector off, and the process ends as soon
    as it is done (see no_cycle_collector and exiting_at_once; main alone is for callers
    that carry on after it)."""
    with exiting_at_once(), no_cycle_collector():
        main()
