"""Who is who (SPEC §18): the person a commit's author is, and the owner of a KR.

Pure functions over the model: git identities come in as plain name and email strings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from okrcli.core.model import KeyResult, Objective, Person, Team


@dataclass(frozen=True, slots=True)
class Identities:
    """okr.yaml's `people:` made quick to ask: each email (case-folded) to its person."""

    by_email: dict[str, str]

    def person(self, name: str, email: str) -> str:
        """The person whose email list holds `email` (case-insensitive), else the person
        whose name equals `name`, else `name` as git has it: the last two are both `name`."""
        return self.by_email.get(email.casefold(), name)


def identities(people: Iterable[Person]) -> Identities:
    by_email: dict[str, str] = {}
    for person in people:
        for email in person.emails:
            # Validation refuses an email under two people; the first one wins regardless.
            by_email.setdefault(email.casefold(), person.name)
    return Identities(by_email)


def kr_owner(team: Team, objective: Objective, kr: KeyResult) -> str | None:
    """The KR's owner, else its objective's, else its team's."""
    return kr.owner or objective.owner or team.owner


def objective_owner(team: Team, objective: Objective) -> str | None:
    """The objective's owner, else its team's."""
    return objective.owner or team.owner
