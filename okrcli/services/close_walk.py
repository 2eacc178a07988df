"""`okr close` as one conversation (SPEC §14), or without one (`--accept`).

Teams in file-name order; in each, objectives in file order: each of its KRs (its final
value, progress and computed score, then `score [S]:` and `retro []:`), then the
objective's own `retro []:`; after the objectives, the team's `retro []:`. One `[Y/n]` at
the very end. Answers are read a line at a time, as `checkin -i` reads them
(interactive.Conversation): Enter accepts what the brackets show, `q` or the end of the
input quits without writing anything, and a bad score is asked again.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from okrcli.core import scoring
from okrcli.core.errors import OkrError
from okrcli.core.model import KeyResult, Team
from okrcli.core.numbers import format_number
from okrcli.core.text import inert, percent, value_text
from okrcli.services import close
from okrcli.services.interactive import Conversation, Quit


def run(
    start: Path,
    cycle_id: str | None,
    as_of: dt.date,
    team: str | None,
    accept: bool,
    day: dt.date | None,
    commit: bool,
    read: Callable[[], str] | None = None,
    out: TextIO | None = None,
) -> None:
    """`okr close [TEAM]`: refuse early what can be refused, ask (or accept), then write."""
    stdin_is_terminal = sys.stdin.isatty() if read is None else False
    talk = Conversation(read or sys.stdin.readline, out or sys.stdout, not stdin_is_terminal)
    plan = close.prepare(start, cycle_id, as_of, team, day, commit)
    note = close.early_note(plan)
    if note is not None:
        print(inert(f"okr: {note}"), file=sys.stderr)
    if not plan.teams:
        talk.say(f"every team of {plan.data.cycle.id} is closed already; nothing to close")
        return
    if accept:
        grades = [close.accepted(chosen) for chosen in plan.teams]
    else:
        try:
            grades = [_ask_team(talk, chosen) for chosen in plan.teams]
            if not _confirm(talk, plan, grades):
                talk.say("nothing written")
                return
        except Quit:
            talk.say("quit; nothing written")
            return
    outcome = close.write(plan, grades)
    for warning in outcome.warnings:
        print(inert(f"okr: warning: {warning}"), file=sys.stderr)
    for grade in grades:
        talk.say(close.summary(grade, plan.day))
    if outcome.commit:
        talk.say(f"committed {outcome.commit}")
    else:
        talk.say("written, not committed")


# --- the questions --------------------------------------------------------------------------


def _ask_team(talk: Conversation, team: Team) -> close.Grade:
    count = sum(len(objective.key_results) for objective in team.objectives)
    talk.say()
    talk.say(
        f"{team.id} · {inert(team.display_name)} ({team.path}): {count} key result(s) to "
        "grade; Enter accepts what the brackets show, q quits without writing"
    )
    grade = close.Grade(team)
    number = 0
    for objective in team.objectives:
        for kr in objective.key_results:
            number += 1
            key = (objective.id, kr.id)
            talk.say()
            talk.say(f"[{number}/{count}] {team.id}/{objective.id}/{kr.id}  {inert(kr.title)}")
            talk.say(f"    {_final_state(kr)}")
            shown = close.shown_score(kr)
            answer = _ask_checked(talk, f"  score [{format_number(shown)}]: ", close.parse_score)
            grade.scores[key] = shown if answer is None else close.parse_score(answer)
            text = _ask_retro(talk, kr.retro)
            if text is not None:
                grade.kr_retros[key] = text
        graded = next(o for o in grade.graded().objectives if o.id == objective.id)
        talk.say()
        talk.say(
            f"objective {team.id}/{objective.id}  {inert(objective.title)}: score "
            f"{scoring.objective_score(graded):.2f}"
        )
        text = _ask_retro(talk, objective.retro)
        if text is not None:
            grade.objective_retros[objective.id] = text
    talk.say()
    talk.say(f"team {team.id}: score {grade.score_text()}")
    grade.retro = _ask_retro(talk, team.retro)
    return grade


def _final_state(kr: KeyResult) -> str:
    progress = scoring.kr_progress(kr)
    if kr.is_milestone:
        value = f"final {value_text(kr.done, None)} (milestone)"
    else:
        value = (
            f"final {value_text(kr.value, kr.unit)} (baseline {format_number(kr.baseline)}, "
            f"target {format_number(kr.target)})"
        )
    return f"{value}, progress {percent(progress)}, computed score {progress:.2f}"


def _ask_checked(talk: Conversation, prompt: str, check: Callable[[str], object]) -> str | None:
    """The answer, checked; Enter gives None (keep); a bad answer is explained and re-asked."""
    while True:
        answer = talk.ask(prompt)
        if not answer:
            return None
        try:
            check(answer)
        except OkrError as problem:
            talk.say(f"    {problem.message}")
            continue
        return answer


def _ask_retro(talk: Conversation, existing: str | None) -> str | None:
    """A new retro text, or None to keep what the file has (shown in the brackets)."""
    shown = "" if existing is None else inert(existing).strip()
    return _ask_checked(talk, f"  retro [{shown}]: ", close.check_retro)


def _confirm(talk: Conversation, plan: close.Plan, grades: list[close.Grade]) -> bool:
    talk.say()
    talk.say(f"close {plan.data.cycle.id} on {plan.day.isoformat()}:")
    for grade in grades:
        talk.say(f"  {grade.team.id}: score {grade.score_text()}")
    files = ", ".join(grade.team.path for grade in grades)
    verb = "Commit" if plan.scope.commit else "Write"
    while True:
        answer = talk.ask(f"{verb} the grades to {files}? [Y/n] ").lower()
        if answer in ("", "y", "yes"):
            return True
        if answer in ("n", "no"):
            return False
        talk.say("    answer y (yes, the default) or n (no)")
