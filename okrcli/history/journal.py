"""The two files a check-in keeps in the git directory: its lock and its pending note.

A check-in writes team files and then commits them. Two check-ins at once would lose one,
so they take turns through a lock; and a check-in killed between writing and committing
leaves a file that differs from HEAD, so before writing it notes which files it is about
to write, and the next check-in can say what happened. Both live in the git directory
(never in the work tree, never committed). Their names and formats are fixed: repositories
already have them.

Neither is ever opened through a symbolic link (a link planted there would have a check-in
overwrite whatever file it points at), and anything but a regular file in their place is
refused with an error; the note is replaced by renaming a new file over it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shlex
import stat
import time
from collections.abc import Collection, Iterator
from pathlib import Path

from okrcli.core.errors import OkrError
from okrcli.files.atomic import create_temporary

LOCK_NAME = "okr-checkin.lock"
PENDING_NAME = "okr-checkin.pending"
DEFAULT_LOCK_TIMEOUT = 300.0
_MAX_NOTE_BYTES = 1024 * 1024  # a note names a few files; more is not a note okr wrote


# --- the lock -------------------------------------------------------------------------------


@contextlib.contextmanager
def lock(git_dir: Path) -> Iterator[None]:
    """One check-in at a time per repository; the others wait (up to OKR_LOCK_TIMEOUT s).

    flock is released by the kernel when its holder exits, however it exits, so a killed
    check-in never leaves a stale lock behind.
    """
    import fcntl

    path = git_dir / LOCK_NAME
    fd = _open_regular(path, os.O_RDWR | os.O_CREAT)
    try:
        deadline = time.monotonic() + _lock_timeout()
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise OkrError(
                        f"another check-in ({_lock_holder(fd)}) still holds {path}; "
                        "wait for it to finish, then try again"
                    ) from None
                time.sleep(0.05)
        os.ftruncate(fd, 0)
        since = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        os.write(fd, f"pid {os.getpid()} on {os.uname().nodename} since {since}\n".encode())
        yield
    finally:
        os.close(fd)


def root_lock(root: Path) -> contextlib.AbstractContextManager[None]:
    """Outside git (no git directory to hold it), the same lock in the OKR root itself, so
    concurrent `--no-commit` check-ins take turns too. Not a team file: not in a cycle."""
    return lock(root)


def _lock_timeout() -> float:
    try:
        return max(0.0, float(os.environ.get("OKR_LOCK_TIMEOUT", DEFAULT_LOCK_TIMEOUT)))
    except ValueError:
        return DEFAULT_LOCK_TIMEOUT


def _lock_holder(fd: int) -> str:
    try:
        held = os.pread(fd, 4096, 0).decode("utf-8", "replace").strip()
    except OSError:
        held = ""
    return held or "unknown process"


def _open_regular(path: Path, flags: int) -> int:
    """A descriptor of the regular file at `path`, never through a symbolic link, never a
    hard link's (truncating the lock would truncate the other name's file) and never
    blocking on a FIFO or a device; an error saying what to do for anything else."""
    try:
        fd = os.open(path, flags | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, 0o644)
    except OSError:
        if path.is_symlink():
            raise _not_a_file(path, "a symbolic link") from None
        raise
    status = os.fstat(fd)
    if not stat.S_ISREG(status.st_mode) or status.st_nlink > 1:
        os.close(fd)
        what = "not a regular file" if status.st_nlink <= 1 else "a second name of another file"
        raise _not_a_file(path, what)
    return fd


def _not_a_file(path: Path, what: str) -> OkrError:
    return OkrError(
        f"{path} is {what}, which okr never writes through; remove it "
        f"('rm {shlex.quote(str(path))}') and check in again"
    )


# --- interrupted check-ins ------------------------------------------------------------------
# Before writing, a check-in notes in the git directory which files (relative to the top of
# the work tree) it is about to write, with its commit subject; after committing (or
# restoring) it clears them. A note that is still there while its file differs from HEAD
# means a check-in died in between.


def pending(git_dir: Path) -> dict[str, str]:
    """The noted files and the subjects of the check-ins that were writing them."""
    try:
        fd = _open_regular(git_dir / PENDING_NAME, os.O_RDONLY)
    except FileNotFoundError:
        return {}
    try:
        with open(fd, "rb", closefd=True) as handle:
            data = json.loads(handle.read(_MAX_NOTE_BYTES).decode("utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def note_pending(git_dir: Path, rels: Collection[str], subject: str) -> None:
    """Note that the check-in `subject` is about to write these files."""
    _save(git_dir, pending(git_dir) | dict.fromkeys(rels, subject))


def clear_pending(git_dir: Path, rels: Collection[str]) -> None:
    """Forget these files' notes (committed, restored, or recovered by hand)."""
    entries = pending(git_dir)
    if not any(rel in entries for rel in rels):
        return
    _save(git_dir, {k: v for k, v in entries.items() if k not in rels})


def _save(git_dir: Path, entries: dict[str, str]) -> None:
    """Replace the note by renaming a new file over it (unlink and rename act on a link
    itself, never on what it points at)."""
    path = git_dir / PENDING_NAME
    if not entries:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        return
    data = (json.dumps(entries, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    # Named like writer.py's temporary files (`.NAME.okr-XXXXXXXX.tmp`) and created anew
    # (O_EXCL), so nothing planted under that name is written through.
    fd, temporary_path = create_temporary(git_dir, f".{PENDING_NAME}.okr-", ".tmp")
    try:
        with open(fd, "wb", closefd=True) as handle:
            handle.write(data)
        os.replace(temporary_path, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary_path)
        raise
