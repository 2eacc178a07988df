"""Shell completion of cycle ids, team ids and addresses, read from the files as they are.

Completion runs on every TAB, so it reads only ids: okr.yaml for the cycles, then the
cycle's team files with the fast YAML reader, with no git and no validation. A file that
does not parse simply offers nothing. Anything that goes wrong offers nothing rather than
printing an error into the user's prompt.
"""

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click


def _root_and_cycle(ctx: click.Context) -> tuple[Path, str] | None:
    """The OKR root and the selected cycle from `-C` and `--cycle` (as typed so far)."""
    from okrcli.core.errors import OkrError
    from okrcli.files.workspace import find_root, open_workspace

    top = ctx.find_root()
    start = top.params.get("directory") or Path.cwd()
    try:
        root = find_root(Path(start))
        workspace = open_workspace(root)
        cycle = workspace.select_cycle(top.params.get("cycle"), dt.date.today())
    except (OkrError, OSError):
        return None
    return root, cycle.id


def _ids(tree: Any) -> list[tuple[str, list[str]]]:
    """(objective id, its KR ids) of a parsed team file, skipping what is not shaped so."""
    found = []
    objectives = tree.get("objectives") if isinstance(tree, dict) else None
    for objective in objectives if isinstance(objectives, list) else []:
        if not isinstance(objective, dict) or not isinstance(objective.get("id"), str):
            continue
        krs = objective.get("key_results")
        kr_ids = [
            kr["id"]
            for kr in (krs if isinstance(krs, list) else [])
            if isinstance(kr, dict) and isinstance(kr.get("id"), str)
        ]
        found.append((objective["id"], kr_ids))
    return found


def _addresses(ctx: click.Context) -> tuple[list[str], list[str], list[str]]:
    """Team ids, objective addresses and KR addresses of the selected cycle."""
    from okrcli.core.errors import OkrError
    from okrcli.files.workspace import WorkTreeSource, is_team_file_name, team_id_of
    from okrcli.files.yaml_fast import load_fast
    from okrcli.files.yamlsource import NeedsStrictReader, YamlProblem, decode

    located = _root_and_cycle(ctx)
    if located is None:
        return [], [], []
    root, cycle = located
    teams: list[str] = []
    objectives: list[str] = []
    krs: list[str] = []
    folder = root / cycle
    source = WorkTreeSource(root)  # reads no more of a file than the size limit
    for path in sorted(folder.iterdir()):
        if not path.is_file() or not is_team_file_name(path.name):
            continue
        team = team_id_of(path.name)
        teams.append(team)
        try:
            tree = load_fast(decode(source.read(f"{cycle}/{path.name}") or b""))
        except (NeedsStrictReader, YamlProblem, OkrError):
            continue
        for objective, kr_ids in _ids(tree):
            objectives.append(f"{team}/{objective}")
            krs.extend(f"{team}/{objective}/{kr}" for kr in kr_ids)
    return teams, objectives, krs


def matching(candidates: list[str], incomplete: str) -> list[str]:
    """The addresses that the text typed so far begins, or begins a suffix of (SPEC §4:
    `off` completes to `hr-admin/talent/offer-rate`)."""
    found = []
    for address in candidates:
        parts = address.split("/")
        suffixes = ("/".join(parts[i:]) for i in range(len(parts)))
        if any(suffix.startswith(incomplete) for suffix in suffixes):
            found.append(address)
    return found


Completer = Callable[[click.Context, click.Parameter, str], list[str]]


def _safely(complete: Callable[[click.Context, str], list[str]]) -> Completer:
    """A completer in click's own form, `shell_complete=`, that offers nothing on any error.

    Not typer's `autocompletion=`: typer keeps only the offers that start with the text
    typed, and an address is completed from any suffix (`off` → hr-admin/talent/offer-rate).
    """

    def wrapped(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
        try:
            return complete(ctx, incomplete)
        except Exception:  # a TAB must never print a traceback into the prompt
            return []

    return wrapped


@_safely
def cycle_ids(ctx: click.Context, incomplete: str) -> list[str]:
    from okrcli.files.workspace import find_root, open_workspace

    top = ctx.find_root()
    root = find_root(Path(top.params.get("directory") or Path.cwd()))
    cycles = open_workspace(root).cycles
    return [cycle for cycle in sorted(cycles) if cycle.startswith(incomplete)]


@_safely
def team_ids(ctx: click.Context, incomplete: str) -> list[str]:
    return [team for team in _addresses(ctx)[0] if team.startswith(incomplete)]


@_safely
def key_results(ctx: click.Context, incomplete: str) -> list[str]:
    return matching(_addresses(ctx)[2], incomplete)


@_safely
def objectives(ctx: click.Context, incomplete: str) -> list[str]:
    return matching(_addresses(ctx)[1], incomplete)


@_safely
def objectives_and_key_results(ctx: click.Context, incomplete: str) -> list[str]:
    _, objective_addresses, kr_addresses = _addresses(ctx)
    return matching(objective_addresses + kr_addresses, incomplete)


@_safely
def teams_and_key_results(ctx: click.Context, incomplete: str) -> list[str]:
    teams, _, kr_addresses = _addresses(ctx)
    return [team for team in teams if team.startswith(incomplete)] + matching(
        kr_addresses, incomplete
    )


@_safely
def teams_and_addresses(ctx: click.Context, incomplete: str) -> list[str]:
    teams, objective_addresses, kr_addresses = _addresses(ctx)
    return [team for team in teams if team.startswith(incomplete)] + matching(
        objective_addresses + kr_addresses, incomplete
    )
