"""The weekly check-in as one conversation (SPEC §12): every KR in file order, one commit.

Answers are read a line at a time from standard input, so a terminal and a pipe (or a
test) drive it the same way. Enter keeps what is there; `q` or the end of the input quits
without writing anything. The values typed are checked as they are typed, and again by
the check-in service (under its lock) when they are written.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from okrcli.core.address import Target, targets
from okrcli.core.errors import OkrError
from okrcli.core.model import KeyResult
from okrcli.core.numbers import format_number
from okrcli.core.people import kr_owner
from okrcli.core.text import display_width, inert, wrap
from okrcli.files import loader
from okrcli.files.loader import CycleData
from okrcli.files.workspace import team_id_of
from okrcli.history import gitread
from okrcli.services import checkin, close, transaction


class Quit(Exception):
    """The user typed q, or the input ended."""


class Interrupted(OkrError):
    """Ctrl-C during the questions: nothing was written."""

    exit_code = 130


@dataclass
class Conversation:
    """Prompts on `out`, answers from `read` (one line each); q or end of input quits.

    On a terminal, a line wider than it is broken as text.wrap breaks it (between words,
    CJK by its own rules), the rest of it indented under its start; piped, it is as said."""

    read: Callable[[], str]
    out: TextIO
    echo: bool  # answers that do not come from a terminal are echoed, for a readable log
    width: int | None = None  # the terminal's columns; None: lines are not broken

    def __post_init__(self) -> None:
        if self.width is None and self.out.isatty():
            self.width = shutil.get_terminal_size().columns

    def say(self, text: str = "") -> None:
        self.out.write("\n".join(self._fitted(text)) + "\n")
        self.out.flush()

    def ask(self, prompt: str) -> str:
        # The answer is typed after the prompt's last line, a space after its colon: the
        # space is kept, and room left for it.
        shown = prompt.rstrip()
        trailing = prompt[len(shown) :]
        self.out.write("\n".join(self._fitted(shown, len(trailing))) + trailing)
        self.out.flush()
        line = self.read()
        answer = line.rstrip("\r\n").strip()
        if self.echo:
            self.out.write(answer + "\n")
        if not line:
            raise Quit
        if answer.lower() == "q":
            raise Quit
        return answer

    def _fitted(self, text: str, reserve: int = 0) -> list[str]:
        """The text's lines on the terminal, `reserve` columns left free after the last."""
        width = None if self.width is None else self.width - reserve
        if width is None or display_width(text) <= width:
            return [text]
        indent = len(text) - len(text.lstrip(" "))
        under = " " * (indent + 2)
        room = max(width - indent, 4)
        lines = wrap(text[indent:], room - 2, first=room)
        if not lines[0]:  # a first word wider than the line: it starts the text's lines
            lines = lines[1:]
        first, *rest = lines
        return [" " * indent + first, *(under + line for line in rest)]


def run(
    start: Path,
    cycle_id: str | None,
    as_of: dt.date,
    team: str | None,
    commit: bool,
    read: Callable[[], str] | None = None,
    out: TextIO | None = None,
) -> None:
    """`okr checkin -i [TEAM]`: refuse early what §8 refuses, ask, confirm, then check in."""
    if read is None and sys.stdin is None:  # started with `<&-`: Python has no sys.stdin
        raise OkrError(
            "standard input is closed, so there is nothing to read the answers from; run "
            "'okr checkin -i' at a terminal, or pipe the answers in"
        )
    stdin_is_terminal = sys.stdin.isatty() if read is None else False
    talk = Conversation(read or sys.stdin.readline, out or sys.stdout, not stdin_is_terminal)
    scope = transaction.open_scope(start, cycle_id, as_of, team, commit)
    data = loader.load_cycle(scope.workspace, scope.cycle)
    paths = _open_team_paths(data, _team_paths(data, team), named=team is not None)
    with transaction.lock(scope):
        for path in paths:
            checkin.require_valid(data, path)
            transaction.require_regular(scope, path)
            transaction.require_clean(scope, path)
            transaction.forget_recovered(scope, path)
    krs = [t for t in targets(data.teams, objectives=False) if t.team.path in paths]
    if not krs:
        talk.say(f"no key results in {', '.join(paths)}; nothing to check in")
        return
    last = _last_changes(scope)
    try:
        wanted = _walk(talk, krs, last)
        updates = [
            checkin.updated(target, scope.cycle.id, w)
            for target, w in zip(krs, wanted, strict=True)
        ]
        changed = [u for u in updates if u.changed]
        if not changed:
            talk.say("nothing changed; nothing written")
            return
        if not _confirm(talk, changed, commit):
            talk.say("nothing written")
            return
    except Quit:
        talk.say("quit; nothing written")
        return
    except KeyboardInterrupt:  # Ctrl-C at a question: off the prompt's line, then exit 130
        talk.say()
        raise Interrupted("interrupted; nothing written") from None
    asked = [w for w, u in zip(wanted, updates, strict=True) if u.changed]
    outcome = checkin.check_in(scope, asked)
    for warning in outcome.warnings:
        print(f"okr: warning: {inert(warning.format())}", file=sys.stderr)
    for update in outcome.updates:
        if update.changed:
            talk.say(checkin.summary(update, None, False))
    if outcome.commit:
        talk.say(f"committed {outcome.commit}")
    elif outcome.written:
        talk.say("written, not committed")
    else:
        talk.say("nothing changed; nothing written")


def _team_paths(data: CycleData, team: str | None) -> list[str]:
    """The team files to walk through, in file order: one team's, or every team's."""
    by_id = {team_id_of(path): path for path in sorted(data.texts)}
    if team is None:
        return list(by_id.values())
    wanted = team.strip().strip("/")
    if wanted.startswith(f"{data.cycle.id}/"):
        wanted = wanted[len(data.cycle.id) + 1 :]
    if wanted not in by_id:
        known = ", ".join(by_id) or "none"
        raise OkrError(f"no team '{team}' in {data.cycle.id}; teams here: {known}")
    return [by_id[wanted]]


def _open_team_paths(data: CycleData, paths: list[str], named: bool) -> list[str]:
    """The paths of teams that are not closed: a closed team named is refused; walking every
    team, the closed ones are left out, said once (refused if no other team is left)."""
    closed = [t for t in data.teams if t.path in paths and t.closed is not None]
    if not closed:
        return paths
    if named:
        close.require_open(closed[0])
    listed = ", ".join(f"{t.id} (closed {t.closed.isoformat()})" for t in closed if t.closed)
    if len(closed) == len(paths):
        raise OkrError(
            f"every team of {data.cycle.id} is closed, so its key results are read-only: "
            f"{listed}; to reopen a team, remove its 'closed:' line in a commit of its own"
        )
    message = f"okr: leaving out the closed team(s), which are read-only: {listed}"
    print(inert(message), file=sys.stderr)
    return [path for path in paths if path not in {t.path for t in closed}]


# --- the questions --------------------------------------------------------------------------


def _walk(talk: Conversation, krs: list[Target], last: dict[str, str]) -> list[checkin.Wanted]:
    talk.say(
        f"{len(krs)} key result(s): for each, type the new value, the confidence (0 to 1) "
        "and a note; Enter keeps what is there, q quits without writing"
    )
    wanted = []
    for number, target in enumerate(krs, 1):
        kr = target.key_result
        assert kr is not None
        talk.say()
        talk.say(f"[{number}/{len(krs)}] {target.address}  {inert(kr.title)}")
        owner = kr_owner(target.team, target.objective, kr) or "no owner"
        talk.say(
            f"    {_state(kr)}, owner {inert(owner)}, "
            f"last change {last.get(target.address, 'unknown')}"
        )
        value = _ask_valid(talk, f"  value [{_shown_value(kr)}]: ", _value_check(target))
        if value is not None and kr.is_milestone:  # yes, y, true … : say which it took
            taken = checkin.parse_value(value, kr, target.address)
            talk.say(f"    {inert(value)}: {checkin.value_text(taken)}")
        confidence = _ask_valid(
            talk,
            f"  confidence [{'' if kr.confidence is None else format_number(kr.confidence)}]: ",
            checkin.parse_confidence,
        )
        note = talk.ask("  note: ") or None
        seen = (kr.value, kr.confidence)
        wanted.append(checkin.Wanted(target.address, value, confidence, note, seen))
    return wanted


def _value_check(target: Target) -> Callable[[str], object]:
    kr = target.key_result
    assert kr is not None
    return lambda text: checkin.parse_value(text, kr, target.address)


def _ask_valid(talk: Conversation, prompt: str, check: Callable[[str], object]) -> str | None:
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


def _shown_value(kr: KeyResult) -> str:
    if kr.is_milestone:
        return "done" if kr.done else "not-done"
    return format_number(kr.value)


def _state(kr: KeyResult) -> str:
    if kr.is_milestone:
        state = f"now {checkin.value_text(kr.done)} (milestone: done / not-done)"
    else:
        state = (
            f"now {checkin.value_text(kr.value, kr.unit)} (baseline "
            f"{format_number(kr.baseline)}, target {format_number(kr.target)})"
        )
    if kr.confidence is not None:
        state += f", confidence {format_number(kr.confidence)}"
    return state


def _confirm(talk: Conversation, changed: list[checkin.Update], commit: bool) -> bool:
    talk.say()
    talk.say(f"{len(changed)} change(s):")
    for update in changed:  # the lines the check-in prints once it is done
        talk.say(f"  {checkin.summary(update, None, False)}")
    files = sorted({u.team.path for u in changed})
    verb = "Commit" if commit else "Write"
    while True:
        answer = talk.ask(f"{verb} them to {', '.join(files)}? [Y/n] ").lower()
        if answer in ("", "y", "yes"):
            return True
        if answer in ("n", "no"):
            return False
        talk.say("    answer y (yes, the default) or n (no)")


# --- last change of each KR -----------------------------------------------------------------


def _last_changes(scope: transaction.Scope) -> dict[str, str]:
    """The author date of the newest commit that set each KR's value as it stands (or
    changed it), read as `okr stale` reads it: one `git log` of the cycle folder, blobs in
    batches."""
    if scope.repo is None:
        return {}
    from okrcli.history import revsource
    from okrcli.history import versions as history
    from okrcli.history.snapshots import Snapshots
    from okrcli.services import stale

    top = scope.repo.top
    folder = gitread.path_prefix(scope.root) + scope.cycle.id
    head, snapshots = revsource.head(top), Snapshots(top, folder)
    steps = history.load(top, head, folder, snapshots=snapshots)
    committed = stale.value_fields(history.kr_fields_at(top, head, folder, snapshots))
    latest = history.last_value_changes(steps, dt.date.max, committed)
    return {kr_address: commit.day.isoformat() for kr_address, commit in latest.items()}
