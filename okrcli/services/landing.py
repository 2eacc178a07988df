"""What became of a check-in's commit: whose commit HEAD is, where it landed, a signal.

Between okr's checks and git's commit, the user's own git keeps running: a `git commit -a`
can sweep the written file into a commit of theirs, a `git switch` or a rebase can move
HEAD, and a signal can stop okr while git still commits. So okr decides by its own
commit (the id git reported, not whatever HEAD is by then) and says what is true.
"""

from __future__ import annotations

import shlex
import signal
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from okrcli.core.errors import Interrupted, OkrError
from okrcli.core.text import inert
from okrcli.history import gitread, gitrepo

_SIGNALS = tuple(
    number
    for number in (getattr(signal, name, None) for name in ("SIGINT", "SIGTERM", "SIGHUP"))
    if number is not None
)


class Interrupts:
    """SIGINT, SIGTERM and SIGHUP raise KeyboardInterrupt while the files are written and
    committed, so the restore path runs; after `defer()` they are only noted (`received`),
    so okr can finish finding out what happened and say it.

    A signal ignored when okr started (nohup) stays ignored. SIGKILL cannot be caught: the
    pending note (journal) covers it.
    """

    def __init__(self) -> None:
        self.received = False
        self._raising = True
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> Interrupts:
        try:
            for number in _SIGNALS:
                current = signal.getsignal(number)
                if current is not signal.SIG_IGN and current is not None:
                    self._previous[number] = signal.signal(number, self._handle)
        except ValueError:  # not the main thread: leave the handlers alone
            pass
        return self

    def _handle(self, number: int, frame: FrameType | None) -> None:
        if self._raising:
            raise KeyboardInterrupt
        self.received = True

    def defer(self) -> None:
        self._raising = False

    def __exit__(self, *exc: object) -> None:
        for number, handler in self._previous.items():
            signal.signal(number, handler)


def own_commit(top: Path, reported: str | None, head: str | None, subject: str) -> str | None:
    """okr's commit, when git made it: the id git reported, else (git ended before saying)
    HEAD if it is a child of `head` with okr's subject. None when okr made no commit."""
    if reported is not None:
        found = gitread.resolve_commit(top, reported)
        if found is not None:
            return found
    now = gitrepo.head_commit(top)
    if now is None or now == head:
        return None
    parents, now_subject = gitrepo.parents_and_subject(top, now)
    return now if parents[:1] == ([head] if head else []) and now_subject == subject else None


def misplaced(top: Path, git_dir: Path, own: str, short: str, ref: str) -> str | None:
    """None when the branch okr started on holds okr's commit; else where the commit is."""
    if gitrepo.is_ancestor(top, own, ref):
        return None
    name = ref.removeprefix("refs/heads/")
    bring = f"'git switch {shlex.quote(name)}' and 'git cherry-pick {short}'"
    operation = gitrepo.operation_in_progress(git_dir)
    if operation is not None:
        if "rebase" in operation:
            return (
                f"the check-in was committed as {short}, but inside {operation} that started "
                f"meanwhile, so '{name}' does not hold it: 'git rebase --continue' keeps it "
                f"(as a new commit), and after 'git rebase --abort' bring it back with "
                f"'git cherry-pick {short}'"
            )
        return (
            f"the check-in was committed as {short}, but inside {operation} that started "
            f"meanwhile, so '{name}' does not hold it; finish or abort that, then bring it "
            f"there with {bring}"
        )
    now = gitrepo.head_ref(top)
    on_head = gitrepo.is_ancestor(top, own, "HEAD")
    if now is None and on_head:
        where, why = "on a detached HEAD", "HEAD was detached meanwhile"
    elif now is not None and now != ref and on_head:
        other = now.removeprefix("refs/heads/")
        where, why = f"on '{other}'", f"HEAD switched to '{other}' meanwhile"
    else:
        where, why = "", f"'{name}' moved meanwhile"
    return (
        f"the check-in was committed as {short}{' ' if where else ''}{where}, but '{name}' "
        f"does not hold it ({why}); bring it there with {bring}"
    )


def unknown_outcome() -> Interrupted:
    return Interrupted(
        "interrupted while git was still committing, so okr cannot tell whether the "
        "check-in was committed; see 'git log -1' and 'git status' (the next check-in "
        "explains a file left uncommitted)"
    )


@dataclass
class Undone:
    """After a check-in that made no commit: which written files got their original bytes
    back, which a commit made meanwhile by someone else took in, which changed meanwhile."""

    restored: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # new files (okr next), gone again
    taken: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    taker: str = ""  # the commit that took them: `1a2b3c4 ("its subject")`

    def text(self) -> str:
        parts = []
        if self.restored:
            parts.append(f"{_files(self.restored)} got {_its(self.restored)} original bytes back")
        if self.removed:
            were = "was" if len(self.removed) == 1 else "were"
            parts.append(f"{_files(self.removed)} {were} removed")
        if self.taken:
            parts.append(
                f"{_files(self.taken)} {_stays(self.taken)} as {self.taker}, a commit made "
                "meanwhile, has it, without the check-in's trailers"
            )
        if self.changed:
            parts.append(
                f"{_files(self.changed)} changed meanwhile, so okr left {_it(self.changed)} "
                "as it is"
            )
        return "; ".join(parts) or "nothing was changed"


def describe(top: Path, commit: str) -> str:
    """`1a2b3c4 ("subject")`, for a sentence about someone else's commit."""
    _, subject = gitrepo.parents_and_subject(top, commit)
    return f'{gitrepo.short_id(top, commit)} ("{inert(subject)}")'


def failed(failure: BaseException | None, undone: Undone) -> BaseException:
    """What to raise when okr made no commit: the failure, saying what was put back."""
    if isinstance(failure, KeyboardInterrupt):
        return Interrupted(f"interrupted before the check-in was committed, so {undone.text()}")
    if isinstance(failure, gitrepo.GitError):
        return gitrepo.GitError(
            f"git did not commit the check-in, so {undone.text()}; git said: {failure.message}"
        )
    if failure is None:  # git said it committed, and okr finds no commit of its own
        return OkrError(
            f"git reported a commit that okr cannot find, so {undone.text()}; see 'git log -1'"
        )
    return failure


def _files(paths: list[str]) -> str:
    return ", ".join(paths)


def _its(paths: list[str]) -> str:
    return "its" if len(paths) == 1 else "their"


def _it(paths: list[str]) -> str:
    return "it" if len(paths) == 1 else "them"


def _stays(paths: list[str]) -> str:
    return "stays" if len(paths) == 1 else "stay"
