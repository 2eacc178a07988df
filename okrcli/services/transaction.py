"""Writing team files as one commit (SPEC §8's rules, for every command that writes).

Where: the OKR root, its cycle and git. What is refused before a byte is written: no git
when committing (or a repository git refuses), a merge or rebase under way, a detached
HEAD, a symbolic link (the file, or a folder on its way), a file with uncommitted changes.
Then the files are written atomically and committed together, alone (whatever else is
staged stays out); a failed commit puts the original bytes back, and a lock (in the git
directory; outside git, in the OKR root) makes concurrent writers wait for each other.
What became of the commit (whose HEAD is, where it landed, a signal) is `landing`'s.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shlex
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from okrcli.core.errors import Diagnostic, Interrupted, OkrError
from okrcli.core.model import CycleSpan
from okrcli.core.text import inert
from okrcli.files import atomic
from okrcli.files.workspace import Workspace, find_root, open_workspace
from okrcli.history import gitread, gitrepo, journal
from okrcli.services import landing


@dataclass(frozen=True, slots=True)
class FileEdit:
    """One team file's bytes before and after, proven valid before anything is written."""

    path: str  # relative to the OKR root
    original: bytes
    new: bytes
    warnings: list[Diagnostic]
    # A file that does not exist yet (`okr next`): written only if it still does not, put
    # back by removing it (and its folder, left empty), added to git by the commit.
    created: bool = False


def new_file(path: str, new: bytes, warnings: list[Diagnostic]) -> FileEdit:
    return FileEdit(path, b"", new, warnings, created=True)


# HEAD as git said it: its commit (None before the first) and the checked-out branch's full
# name (None when detached).
Head = tuple[str | None, str | None]


@dataclass(frozen=True, slots=True)
class Repo:
    top: Path  # the work tree's top folder
    directory: Path  # its git directory (holds the lock)


@dataclass(frozen=True, slots=True)
class Scope:
    """Where a check-in happens: the OKR root, its cycle, and git (when there is one)."""

    root: Path
    workspace: Workspace
    cycle: CycleSpan
    repo: Repo | None
    commit: bool
    # Each folder's path below the top of the work tree, resolved once: a sync asks for 50
    # files of one folder three times each, and every step of the way must ask the same.
    _in_top: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def relative_to_top(self, team_path: str) -> str:
        """The team file's path for git: relative to the top of the work tree."""
        assert self.repo is not None
        folder_path, _, name = team_path.rpartition("/")
        if folder_path not in self._in_top:
            # The file itself is not resolved: a symbolic link must stay visible as one.
            folder = (self.root / team_path).parent.resolve()
            try:
                relative = folder.relative_to(self.repo.top.resolve())
            except ValueError:
                raise OkrError(
                    f"{team_path} lies outside the git work tree at {self.repo.top}; "
                    "check in where the file really lives"
                ) from None
            self._in_top[folder_path] = "" if relative == Path() else f"{relative.as_posix()}/"
        return f"{self._in_top[folder_path]}{name}"


# --- where: root, cycle and git -------------------------------------------------------------


def open_scope(
    start: Path, cycle_id: str | None, as_of: dt.date, hint: str | None, commit: bool
) -> Scope:
    """The OKR root, the cycle (an address may name it), and the git checks that need no lock.

    Refuses: no git when committing, a repository git refuses to use (with git's reason and
    fix), a merge/rebase/cherry-pick/revert under way (always), and a detached HEAD when
    committing. write_and_commit checks the last two again, under the lock.
    """
    from okrcli.history import checkout

    root = find_root(start)
    found = gitrepo.locate(root)
    located = None if found is None else found[:2]
    workspace = open_workspace(root, checkout.work_tree_of(root, located))
    if cycle_id is None and hint:
        first = hint.strip().strip("/").split("/", 1)[0]
        if first in workspace.cycles:
            cycle_id = first
    cycle = workspace.select_cycle(cycle_id, as_of)
    repo = _repo(root, commit, found)
    return Scope(root, workspace, cycle, repo, commit)


def _repo(root: Path, commit: bool, found: tuple[Path, Path, str | None] | None) -> Repo | None:
    if found is None:
        if commit:
            raise OkrError(
                f"a check-in is committed with git, and {root} is not inside a git work tree; "
                "run 'git init' and commit the OKR files, or use --no-commit"
            )
        return None
    top, directory, ref = found
    repo = Repo(top, directory)
    _require_no_operation(repo)
    if commit:
        _require_branch(ref)
    return repo


def _require_no_operation(repo: Repo) -> None:
    operation = gitrepo.operation_in_progress(repo.directory)
    if operation is not None:
        raise OkrError(
            f"the repository is in the middle of {operation}; finish or abort it first "
            "('git status' says how), then check in"
        )


def _require_branch(ref: str | None) -> None:
    """A branch must be checked out (`ref` its full name); a detached HEAD is refused."""
    if ref is None:
        raise OkrError(
            "HEAD is detached (no branch is checked out); switch to a branch first "
            "('git switch BRANCH'), or use --no-commit"
        )


# --- the lock -------------------------------------------------------------------------------


def lock(where: Scope | Repo | None) -> contextlib.AbstractContextManager[None]:
    """One writer at a time: per repository (journal.lock, in the git directory); given the
    Scope, outside git per OKR root too (journal.root_lock). A Repo, or None outside git,
    locks as before (None: no lock), so pass the Scope."""
    if isinstance(where, Scope):
        if where.repo is None:
            return journal.root_lock(where.root)
        where = where.repo
    return contextlib.nullcontext() if where is None else journal.lock(where.directory)


def require_regular(scope: Scope, path: str) -> None:
    """The file, and each folder between the OKR root and it, must be no symbolic link: the
    rename would replace a linked file's link, and a linked cycle folder (2026-Q4 pointing
    at 2026-Q3) would put one cycle's trailers on the other cycle's file. And it must be in
    the working tree: a file a sparse checkout leaves out cannot be written."""
    from okrcli.history.checkout import CheckoutSource

    parts = PurePosixPath(path).parts
    for depth in range(1, len(parts)):
        folder = "/".join(parts[:depth])
        if (scope.root / folder).is_symlink():
            target = inert(os.readlink(scope.root / folder))
            raise OkrError(
                f"{path} lies in {folder}, a symbolic link (to {target}); check-ins edit "
                "files in real folders only, so check in where the file really lives"
            )
    source = scope.workspace.source
    if isinstance(source, CheckoutSource) and source.not_checked_out(path):
        folder = shlex.quote(scope.relative_to_top(path).rpartition("/")[0] or ".")
        raise OkrError(
            f"{path} is not checked out (the sparse checkout leaves it out), so it cannot be "
            f"written; add its folder with 'git sparse-checkout add {folder}' at the top of "
            "the repository, then check in"
        )
    if (scope.root / path).is_symlink():
        raise OkrError(
            f"{path} is a symbolic link; check-ins edit regular files only, so check in "
            "where the file really lives"
        )


def require_clean(scope: Scope, *paths: str) -> Head | None:
    """The team files must match HEAD, so the commit holds the check-in and nothing else.

    Git is asked once for all the files (a sync writes many), and says what HEAD and the
    branch are in the same answer: passed on to write_and_commit under the same lock, they
    need not be asked again. None outside git (or for no file)."""
    if scope.repo is None or not paths:
        return None
    repo = scope.repo
    rels = [scope.relative_to_top(path) for path in paths]
    head, ref, statuses = gitrepo.state(repo.top, rels)
    pending = journal.pending(repo.directory)
    for path, rel in zip(paths, rels, strict=True):
        status = statuses.get(rel, "")
        if not status:
            continue
        shown = shlex.quote(display_path(scope.root / path))
        if status == "!!":  # ignored, or in a repository of its own: not in HEAD
            raise OkrError(
                f"{path} is not in the last commit (new, or ignored by git); commit it first, "
                "then check in"
            )
        if rel in pending:
            raise OkrError(
                f"a previous check-in ({pending[rel]}) was interrupted after writing {path} "
                f"and before committing it; review the change with 'git diff -- {shown}', then "
                f"commit it ('git commit -m MESSAGE -- {shown}') or discard it "
                f"('git restore -- {shown}'), and check in again"
            )
        if status.startswith("??"):
            raise OkrError(
                f"{path} is not committed yet; commit it first ('git add {shown}' and "
                "'git commit'), then check in"
            )
        if head is None:  # no HEAD for git diff to start at
            raise OkrError(
                f"{path} is not committed yet (the repository has no commit); review it with "
                f"'git diff --cached -- {shown}', commit it ('git commit'), then check in"
            )
        raise OkrError(
            f"{path} has uncommitted changes (edits by hand, or an interrupted check-in); "
            f"review them with 'git diff HEAD -- {shown}', then commit them or discard "
            f"them ('git restore --staged --worktree -- {shown}'), and check in again"
        )
    return head, ref


def forget_recovered(scope: Scope, *paths: str) -> None:
    """Once require_clean passed, a note of an interrupted check-in of these files is stale:
    the change was committed or discarded by hand since, so it must not be blamed later."""
    if scope.repo is not None:
        journal.clear_pending(scope.repo.directory, [scope.relative_to_top(p) for p in paths])


def display_path(path: Path) -> str:
    """A path the user can paste at their prompt: relative to the cwd when below it."""
    try:
        return os.path.relpath(path, Path.cwd()) if path.is_relative_to(Path.cwd()) else str(path)
    except ValueError:
        return str(path)


def write_and_commit(
    scope: Scope, edits: list[FileEdit], message: str, seen: Head | None = None
) -> str | None:
    """Write every file, then commit them together; on any failure put every byte back.

    Called under `lock(scope)`. What open_scope checked before the lock (no merge or rebase
    under way, a branch checked out) is checked again first, so nothing started meanwhile
    receives the check-in (`seen`: HEAD as require_clean found it under this lock, when
    the caller has it); afterwards okr's own commit (the one git reported, whatever HEAD
    is by then) must be on the branch okr started on, or the error says where it is. A
    signal (SIGINT, SIGTERM, SIGHUP) ends it with exit 130, saying whether the check-in was
    committed (and as what) or put back.
    """
    for folder in sorted({(scope.root / edit.path).parent for edit in edits}):
        atomic.remove_stale_temporaries(folder)  # left by a killed write; we hold the lock
    if scope.repo is not None:
        _require_no_operation(scope.repo)
    repo = scope.repo if scope.commit else None
    if repo is None:
        _write_uncommitted(scope, edits)
        return None
    head, ref = gitrepo.head_commit_and_ref(repo.top) if seen is None else seen
    _require_branch(ref)
    assert ref is not None
    rels = [scope.relative_to_top(edit.path) for edit in edits]
    journal.note_pending(repo.directory, rels, _subject(message))
    written: list[FileEdit] = []
    failure: BaseException | None = None
    reported: str | None = None
    with landing.Interrupts() as interrupts:
        try:
            _write_all(scope, edits, written)
            created = [rel for rel, edit in zip(rels, edits, strict=True) if edit.created]
            if created:
                gitrepo.intend_to_add(repo.top, created)
            reported = gitrepo.commit_paths(repo.top, rels, message)
        except BaseException as caught:
            failure = caught
            if isinstance(caught, gitrepo.CommitInterrupted):
                reported = caught.commit
        interrupts.defer()  # from here on a signal is noted, and said at the end
        # The usual end, in one git process: the branch's tip is the commit git reported.
        tip = gitread.resolve_commit(repo.top, ref) if failure is None and reported else None
        if tip is not None and reported is not None and tip.startswith(reported):
            journal.clear_pending(repo.directory, rels)
            if interrupts.received:
                raise Interrupted(f"interrupted, but the check-in was committed as {reported}")
            return reported
        own = landing.own_commit(repo.top, reported, head, _subject(message))
        if own is None and isinstance(failure, gitrepo.CommitInterrupted) and not failure.finished:
            raise landing.unknown_outcome() from None  # the pending note stays
        if own is None and failure is not None:
            undone = _undo(scope, repo, written, head)
            journal.clear_pending(repo.directory, rels)
            raise landing.failed(failure, undone) from None
        journal.clear_pending(repo.directory, rels)
        if own is None:
            raise OkrError(
                "git committed the check-in, but okr cannot find the commit git reported; "
                "see 'git log'"
            )
        # git's own abbreviation when it reported one (one git process fewer).
        short = (
            reported if reported and own.startswith(reported) else gitrepo.short_id(repo.top, own)
        )
        misplaced = landing.misplaced(repo.top, repo.directory, own, short, ref)
        signalled = isinstance(failure, KeyboardInterrupt) or interrupts.received
    if misplaced is not None:
        raise (Interrupted if signalled else OkrError)(misplaced)
    if signalled:
        raise Interrupted(f"interrupted, but the check-in was committed as {short}")
    return short


def _write_uncommitted(scope: Scope, edits: list[FileEdit]) -> None:
    written: list[FileEdit] = []
    with landing.Interrupts() as interrupts:
        try:
            _write_all(scope, edits, written)
        except KeyboardInterrupt:
            interrupts.defer()
            _restore(scope, written)
            raise Interrupted("interrupted while writing, so every file keeps its bytes") from None


def _write_all(scope: Scope, edits: list[FileEdit], written: list[FileEdit]) -> None:
    """Write the files, noting each in `written` as it gets its new bytes, so a failure can
    undo them: the files replaced are made durable together, then renamed one by one
    (atomic.replace_all); the new ones follow."""
    replaced = [edit for edit in edits if not edit.created]
    at = edits[:1]  # the file being written, for the message

    def working(index: int) -> None:
        at[0] = replaced[index]

    try:
        atomic.replace_all(
            [(scope.root / edit.path, edit.new) for edit in replaced],
            lambda index: written.append(replaced[index]),
            working,
        )
        for edit in edits:
            if edit.created:
                at[0] = edit
                atomic.write_new(scope.root / edit.path, edit.new)
                written.append(edit)
        atomic.sync_folders([scope.root / edit.path for edit in edits])
    except OSError as exc:
        _restore(scope, written)
        raise OkrError(f"cannot write {at[0].path}: {exc.strerror}; nothing was changed") from None


def _restore(scope: Scope, written: list[FileEdit]) -> None:
    for edit in reversed(written):
        _put_back(scope, edit)
    written.clear()


def _put_back(scope: Scope, edit: FileEdit) -> None:
    """The file as it was: its original bytes, or no file at all for a new one."""
    if edit.created:
        atomic.remove_new(scope.root / edit.path)
    else:
        atomic.write_atomic(scope.root / edit.path, edit.original)


def _undo(scope: Scope, repo: Repo, written: list[FileEdit], head: str | None) -> landing.Undone:
    """Put back the original bytes of the files okr wrote, where that is still right: not
    where the file changed since (someone's edit), nor where someone else's commit made
    meanwhile (a `git commit -a`) took the new bytes in; restoring would undo their work,
    or leave the file differing from HEAD."""
    undone = landing.Undone()
    moved = gitrepo.head_commit(repo.top) != head
    for edit in reversed(written):
        path = scope.root / edit.path
        if _bytes_of(path) != edit.new:
            undone.changed.insert(0, edit.path)
        elif moved and not gitrepo.uncommitted(repo.top, [scope.relative_to_top(edit.path)]):
            undone.taken.insert(0, edit.path)
        else:
            _put_back(scope, edit)
            (undone.removed if edit.created else undone.restored).insert(0, edit.path)
    if written:
        gitrepo.unstage(repo.top, [scope.relative_to_top(edit.path) for edit in written])
    if undone.taken:
        undone.taker = landing.describe(repo.top, "HEAD")
    written.clear()
    return undone


def _bytes_of(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _subject(message: str) -> str:
    return message.split("\n", 1)[0]
