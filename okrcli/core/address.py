"""Addresses (SPEC §4): TEAM/OBJECTIVE[/KR] within a cycle, and git-style unique suffixes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from okrcli.core.errors import OkrError
from okrcli.core.model import KeyResult, Objective, Team


@dataclass(frozen=True, slots=True)
class Target:
    """What an address resolved to: an objective, or one of its key results."""

    team: Team
    objective: Objective
    key_result: KeyResult | None = None

    @property
    def address(self) -> str:
        base = f"{self.team.id}/{self.objective.id}"
        return base if self.key_result is None else f"{base}/{self.key_result.id}"


def targets(
    teams: Iterable[Team], objectives: bool = True, key_results: bool = True
) -> list[Target]:
    found = []
    for team in teams:
        for objective in team.objectives:
            if objectives:
                found.append(Target(team, objective))
            if key_results:
                found.extend(Target(team, objective, kr) for kr in objective.key_results)
    return found


def resolve(
    text: str,
    cycle_id: str,
    candidates: list[Target],
    what: str = "address",
    teams: Iterable[str] = (),
) -> Target:
    """The one candidate whose address is `text` or ends with `/text`. `teams`: the team
    ids a caller takes as well (by itself), which an unknown text may be closest to."""
    wanted = text.strip().strip("/")
    if wanted.startswith(f"{cycle_id}/"):
        wanted = wanted[len(cycle_id) + 1 :]
    by_address = {target.address: target for target in candidates}
    if wanted in by_address:
        return by_address[wanted]
    matches = [t for address, t in by_address.items() if address.endswith(f"/{wanted}")]
    if len(matches) == 1:
        return matches[0]
    if matches:
        listed = ", ".join(sorted(t.address for t in matches))
        raise OkrError(
            f"{what} '{text}' is ambiguous in {cycle_id}: it could be {listed}; "
            "give more of the address"
        )
    hint = _suggestion(wanted, by_address, teams)
    raise OkrError(f"no {what} '{text}' in {cycle_id}{hint}")


def _suggestion(wanted: str, by_address: dict[str, Target], teams: Iterable[str] = ()) -> str:
    """The closest address (SPEC §4: an unknown one "suggests the closest"), compared both
    as a whole and by its last part, so `ofer-rate` finds `hr-admin/talent/offer-rate`."""
    below = sorted(a for a in by_address if a.startswith(wanted.strip("/") + "/"))
    if len(below) > 1:  # a team (or objective) named whole: every address under it
        return f"; did you mean one of {', '.join(below)}?"
    names = {address: address for address in (*teams, *by_address)}
    for address in by_address:
        names.setdefault(address.rsplit("/", 1)[-1], address)
    import difflib

    close = difflib.get_close_matches(wanted, sorted(names), n=1, cutoff=0.0)
    return f"; did you mean '{names[close[0]]}'?" if close else ""
