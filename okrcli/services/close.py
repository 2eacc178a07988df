"""The end-of-cycle grading (SPEC §14): every KR's score, the retro texts, `closed:`.

`prepare` refuses what can be refused before anyone is asked anything (a cycle with
errors, a team closed already, everything §8 refuses); the questions are close_walk.py's;
`write` splices the grades into the team files and commits them as one commit, under
transaction's rules. A closed team is read-only: `require_open` is what the writing
commands ask before they change one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path

from okrcli.core import scoring
from okrcli.core.errors import InvalidFilesError, OkrError, UsageError, sort_key
from okrcli.core.model import KeyResult, Number, Objective, Team
from okrcli.core.numbers import parse_number, round_half
from okrcli.files import cache, loader, writer
from okrcli.files.loader import CycleData
from okrcli.files.yamlsource import NON_PRINTABLE
from okrcli.history.message import ClosedTeam, format_close
from okrcli.services import transaction

KrKey = tuple[str, str]  # (objective id, KR id)


def require_open(team: Team) -> None:
    """A closed team's file is the cycle's record: nothing may change it but a reviewed
    commit that reopens it."""
    if team.closed is not None:
        raise OkrError(
            f"team {team.id} is closed (closed: {team.closed.isoformat()} in {team.path}), "
            "so its key results are read-only; to reopen it, remove the 'closed:' line in a "
            "commit of its own"
        )


# --- grades ---------------------------------------------------------------------------------


def shown_score(kr: KeyResult) -> Number:
    """What Enter accepts: the KR's `score:` if it has one, else its computed score rounded
    to two decimals."""
    if kr.score is not None:
        return kr.score
    return round_half(scoring.kr_score(kr), 2)


def parse_score(text: str) -> Number:
    score = parse_number(text)
    if score is None or not 0 <= score <= 1:
        raise OkrError(f"'{text}' is not a score; give a number from 0.0 to 1.0, like 0.7 or 1")
    return score


def check_retro(text: str) -> str:
    if NON_PRINTABLE.search(text):
        raise OkrError("a retro text cannot hold control characters; type it again")
    return text


@dataclass
class Grade:
    """What one team's close writes: a score for every KR, the retro texts typed (new ones
    only: None keeps what the file has)."""

    team: Team
    scores: dict[KrKey, Number] = field(default_factory=dict)
    kr_retros: dict[KrKey, str] = field(default_factory=dict)
    objective_retros: dict[str, str] = field(default_factory=dict)
    retro: str | None = None
    _scored: tuple[tuple[tuple[KrKey, Number], ...], float] | None = field(
        default=None, repr=False, compare=False
    )

    def graded(self) -> Team:
        """The team as the file will have it: every KR with its written score."""
        objectives = tuple(
            replace(
                objective,
                key_results=tuple(
                    replace(kr, score=self.scores.get((objective.id, kr.id), kr.score))
                    for kr in objective.key_results
                ),
            )
            for objective in self.team.objectives
        )
        return replace(self.team, objectives=objectives)

    def score(self) -> float:
        """The team's progress computed from the written scores (SPEC §14)."""
        asked = tuple(self.scores.items())
        if self._scored is None or self._scored[0] != asked:  # the summary and the commit ask
            score = scoring.mean(
                scoring.weighted_mean(
                    [(self._kr_score(o, kr), float(kr.weight)) for kr in o.key_results]
                )
                for o in self.team.objectives
            )
            self._scored = (asked, score)
        return self._scored[1]

    def _kr_score(self, objective: Objective, kr: KeyResult) -> float:
        """The KR's score as graded() writes it: the one given, else the file's."""
        written = self.scores.get((objective.id, kr.id), kr.score)
        return scoring.kr_progress(kr) if written is None else float(written)

    def score_text(self) -> str:
        return f"{round_half(self.score(), 2):.2f}"

    def changes(self, day: dt.date) -> list[writer.Change]:
        """Every key the close writes, in file order; `closed:` before the team's retro, so
        it is the line above it."""
        found = []
        for objective in self.team.objectives:
            for kr in objective.key_results:
                key = (objective.id, kr.id)
                score = self.scores.get(key, shown_score(kr))
                if kr.score is None or writer.scalar_text(score) != writer.scalar_text(kr.score):
                    found.append(writer.Change(objective.id, kr.id, "score", score))
                text = self.kr_retros.get(key)
                if text is not None and text != kr.retro:
                    found.append(writer.Change(objective.id, kr.id, "retro", text))
            text = self.objective_retros.get(objective.id)
            if text is not None and text != objective.retro:
                found.append(writer.Change(objective.id, None, "retro", text))
        found.append(writer.Change(None, None, "closed", day))
        if self.retro is not None and self.retro != self.team.retro:
            found.append(writer.Change(None, None, "retro", self.retro))
        return found


def accepted(team: Team) -> Grade:
    """`--accept`: every KR gets its shown score, and no retro text is written."""
    return Grade(
        team,
        {(o.id, kr.id): shown_score(kr) for o in team.objectives for kr in o.key_results},
    )


# --- before asking --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Plan:
    scope: transaction.Scope
    data: CycleData
    teams: list[Team]  # to close, in file-name order
    day: dt.date  # the `closed:` date
    originals: dict[str, bytes]  # each team file's bytes when the grades were asked


def prepare(
    start: Path,
    cycle_id: str | None,
    as_of: dt.date,
    team: str | None,
    day: dt.date | None,
    commit: bool,
) -> Plan:
    """The teams to close, once everything that can be refused before asking is refused."""
    scope = transaction.open_scope(start, cycle_id, as_of, team, commit)
    data = loader.load_cycle(scope.workspace, scope.cycle)
    errors = sorted(data.blocking_errors(), key=sort_key)
    if errors:
        raise InvalidFilesError(
            f"{data.cycle.id} has {len(errors)} error(s); fix them first (see 'okr "
            "validate'), then close it",
            errors,
        )
    closing_day = day or as_of
    if closing_day < data.cycle.start:
        raise UsageError(
            f"--date {closing_day.isoformat()} is before {data.cycle.id} starts "
            f"({data.cycle.start.isoformat()}); give the day the team closes the cycle"
        )
    teams = _teams_to_close(data, team)
    paths = [chosen.path for chosen in teams]
    with transaction.lock(scope):
        for path in paths:
            transaction.require_regular(scope, path)
        transaction.require_clean(scope, *paths)  # git asked once for all the files
        transaction.forget_recovered(scope, *paths)
    originals = {chosen.path: data.texts[chosen.path] for chosen in teams}
    return Plan(scope, data, teams, closing_day, originals)


def _teams_to_close(data: CycleData, wanted: str | None) -> list[Team]:
    if wanted is None:
        return [team for team in data.teams if team.closed is None]
    name = wanted.strip().strip("/").removeprefix(f"{data.cycle.id}/")
    for team in data.teams:
        if team.id == name:
            if team.closed is not None:
                raise OkrError(
                    f"team {team.id} is closed already (closed: {team.closed.isoformat()} in "
                    f"{team.path}); to grade it again, remove the 'closed:' line in a commit "
                    "of its own first"
                )
            return [team]
    known = ", ".join(team.id for team in data.teams) or "none"
    raise OkrError(f"no team '{wanted}' in {data.cycle.id}; teams here: {known}")


def early_note(plan: Plan) -> str | None:
    """The one line said when a cycle is closed before it ends."""
    cycle = plan.data.cycle
    if plan.day >= cycle.end:
        return None
    return f"closing {cycle.id} on {plan.day.isoformat()}, before it ends ({cycle.end.isoformat()})"


# --- writing --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outcome:
    grades: list[Grade]
    commit: str | None
    written: bool
    warnings: list[str]


def write(plan: Plan, grades: list[Grade]) -> Outcome:
    """Splice, prove, validate, write and commit every team's grades, or change nothing."""
    scope = plan.scope
    with transaction.lock(scope):
        for grade in grades:
            path = grade.team.path
            raw = scope.workspace.source.read(path)
            if raw != plan.originals[path]:
                raise OkrError(
                    f"{path} changed while you were answering; nothing was written; close "
                    "again to grade what it holds now"
                )
            transaction.require_regular(scope, path)
        transaction.require_clean(scope, *(grade.team.path for grade in grades))
        edits = cache.map_split_keeping(
            scope.workspace.store,
            lambda grade: _edit(scope, grade, plan.originals[grade.team.path], plan.day),
            grades,
        )
        message = commit_message(plan, grades)
        commit = transaction.write_and_commit(scope, edits, message)
        scope.workspace.store.save()
    warnings = [w.format() for edit in edits for w in edit.warnings]
    return Outcome(grades, commit, True, warnings)


def _edit(
    scope: transaction.Scope, grade: Grade, original: bytes, day: dt.date
) -> transaction.FileEdit:
    path = grade.team.path
    spliced = writer.splice(original, grade.changes(day), path, positions=False)
    valid, found = loader.team_file_findings(scope.workspace, path, spliced.raw, tree=spliced.data)
    errors = [d for d in found if d.severity == "error"]
    if errors or not valid:
        raise InvalidFilesError(
            f"the grades would make {path} invalid; nothing was written", errors
        )
    _, before = loader.team_file_findings(scope.workspace, path, original)
    known = {(d.code, d.message) for d in before}
    warnings = [d for d in found if (d.code, d.message) not in known]
    return transaction.FileEdit(path, original, spliced.raw, warnings)


def commit_message(plan: Plan, grades: list[Grade]) -> str:
    cycle = plan.data.cycle.id
    body = "\n".join(
        f"{grade.team.id}: closed {plan.day.isoformat()}, "
        f"{sum(len(o.key_results) for o in grade.team.objectives)} key result(s) graded"
        for grade in grades
    )
    closed = [ClosedTeam(cycle, grade.team.id, grade.score_text()) for grade in grades]
    return format_close(cycle, closed, body)


def summary(grade: Grade, day: dt.date) -> str:
    krs = sum(len(o.key_results) for o in grade.team.objectives)
    return (
        f"{grade.team.id}: closed {day.isoformat()}, score {grade.score_text()} "
        f"({krs} key result(s) graded)"
    )
