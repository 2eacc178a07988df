"""Which key result an address names (SPEC §4), among every file of the cycle: the valid
ones, and the ids of those that do not validate or do not parse, so a check-in into a broken
file says where it breaks instead of calling the address unknown."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from okrcli.core import text
from okrcli.core.address import Target, resolve, targets
from okrcli.core.errors import OkrError
from okrcli.core.model import KeyResult, Objective, Team
from okrcli.files.loader import CycleData
from okrcli.files.workspace import team_id_of
from okrcli.files.yamlsource import YamlProblem


def resolve_kr(data: CycleData, text: str, action: str = "check in") -> Target:
    """The KR an address names, among all files of the cycle (valid or not); `action` is
    what the user wants to do to it, for the message when the address names no KR."""
    named = _named_in_full(data, text)
    if named is not None:
        return named
    valid = data.teams
    stubs, unparsed = _stub_teams(data)
    everything = valid + stubs
    _refuse_if_maybe_in(unparsed, text, data.cycle.id)
    try:
        return resolve(text, data.cycle.id, targets(everything, objectives=False), "key result")
    except OkrError as unknown:
        team_id = text.strip().strip("/").removeprefix(f"{data.cycle.id}/")
        if any(team.id == team_id for team in everything):
            walk = (
                f", or walk through all of them with 'okr checkin -i {team_id}'"
                if action == "check in"
                else ""
            )
            raise OkrError(
                f"'{text}' is a team; {action} one of its key results (TEAM/OBJECTIVE/KR){walk}"
            ) from None
        try:
            objective = resolve(text, data.cycle.id, targets(everything, key_results=False))
        except OkrError:
            raise unknown from None
        names = ", ".join(kr.id for kr in objective.objective.key_results) or "none yet"
        raise OkrError(
            f"'{text}' is the objective {objective.address}; {action} one of its key "
            f"results ({names})"
        ) from None


def _named_in_full(data: CycleData, text: str) -> Target | None:
    """The KR a full address (TEAM/OBJECTIVE/KR) names when every file of the cycle is
    valid, building that one team only (a check-in need not build the company's); None
    where only the whole search can tell (a suffix, a broken file, no such KR)."""
    parts = text.strip().strip("/").removeprefix(f"{data.cycle.id}/").split("/")
    if len(parts) != 3 or len(data.found) != len(data.texts):
        return None
    path = next((p for p in data.team_paths if team_id_of(p) == parts[0]), None)
    team = None if path is None else data.team(path)
    if team is None:
        return None
    by_address = {t.address: t for t in targets([team], objectives=False)}
    return by_address.get("/".join(parts))


@dataclass(frozen=True, slots=True)
class Unparsed:
    """A team file of the cycle that is not YAML at all, so nobody can tell what it holds."""

    path: str
    text: str  # as read (undecodable bytes replaced), to look for an id in it
    problem: YamlProblem


def _stub_teams(data: CycleData) -> tuple[list[Team], list[Unparsed]]:
    """Just the ids of files that did not validate, so their KRs still resolve (and the
    check-in can say the file is invalid instead of that the address is unknown); and the
    files that do not even parse."""
    from okrcli.files.yaml_strict import load_positioned
    from okrcli.files.yamlsource import decode

    valid = {team.path for team in data.teams}
    stubs = []
    unparsed = []
    for path, raw in data.texts.items():
        if path in valid:
            continue
        try:
            tree = load_positioned(decode(raw)).data
        except YamlProblem as problem:
            unparsed.append(Unparsed(path, raw.decode("utf-8", "replace"), problem))
            continue
        stubs.append(Team(team_id_of(path), path, tuple(_stub_objectives(tree))))
    return stubs, unparsed


def _refuse_if_maybe_in(unparsed: list[Unparsed], wanted: str, cycle_id: str) -> None:
    """An address that may name a KR of a file that does not parse cannot be resolved: the
    KR would be reported unknown, or another team's KR of the same name taken instead.

    A full address may be in the file of its team; a suffix, in any file whose text holds
    its last id (a file that does not hold it cannot define it).
    """
    parts = wanted.strip().strip("/").removeprefix(f"{cycle_id}/").split("/")
    for file in unparsed:
        if len(parts) >= 3:
            maybe = parts[0] == team_id_of(file.path)
        else:
            maybe = parts[-1] != "" and parts[-1] in file.text
        if maybe:
            where = f"{file.path}:{file.problem.line}:{file.problem.col}"
            raise OkrError(
                text.printable(
                    f"{where}: this team file does not parse ({file.problem.message}), and "
                    f"'{wanted}' may be one of its key results; fix it first (see 'okr validate')"
                )
            )


def _stub_objectives(tree: Any) -> Iterator[Objective]:
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
        yield Objective(objective["id"], "", tuple(KeyResult(i, "") for i in kr_ids))
