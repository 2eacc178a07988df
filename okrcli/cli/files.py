"""`okr init` and `okr validate` (SPEC §6, §7)."""

from pathlib import Path
from typing import Annotated

import typer

from okrcli.cli.common import ValidateFormat, options_of, print_json, read_workspace, to_stderr
from okrcli.core.errors import OkrError, sort_key
from okrcli.render import progress


def init(
    ctx: typer.Context,
    path: Annotated[Path | None, typer.Argument(help="Folder to make the OKR root.")] = None,
) -> None:
    """Create okr.yaml and this quarter's folder with a commented example team file.

    In a root that has okr.yaml but no folder for the current cycle, create that folder
    with the example (okr.yaml is never touched).

    Example: okr init okrs
    """
    from okrcli.files import scaffold

    options = options_of(ctx)
    target = path if path is None or path.is_absolute() else options.start / path
    created = scaffold.init(target or options.start, options.as_of_date())
    from okrcli.core.text import inert

    for created_path in created:
        print(f"created {inert(created_path)}")


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

    options = options_of(ctx)
    workspace, as_of = read_workspace(options)
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
                to_stderr(d.format())
            raise
        data = loader.load_cycle(workspace, cycle, progress.reporter("reading team files"))
        diagnostics, files, scope = data.diagnostics, len(data.texts), data.cycle.id
    diagnostics = sorted(set(diagnostics), key=sort_key)
    if output is ValidateFormat.json:
        print_json([d.as_json() for d in diagnostics])
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
    to_stderr(f"{scope}: {files} file(s), {errors} error(s), {warnings} warning(s)")
    if errors or (strict and warnings):
        raise typer.Exit(1)


def _path_in_repository(root: Path) -> str:
    """Where the OKR root lies in its git work tree ('' or 'okrs/'); '' outside git."""
    from okrcli.history import gitread, gitrepo

    try:
        return gitread.path_prefix(root)
    except gitrepo.GitError:
        return ""


def _github_escape(text: str, property: bool = False) -> str:
    """A workflow command's escaping: of its message, and more in a property (file=…)."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property else text
