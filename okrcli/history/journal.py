"""The two files a check-in keeps in the git directory: its lock and its pending note.

A check-in writes team files and then commits them. Two check-ins at once would lose one,
so they take turns through a lock; and a check-in killed between writing and committing
leaves a file that differs from HEAD, so before writing it notes which files it is about
to write, and the next check-in can say what happened. Both live in the git directory
(never in the work tree, never committed). Their names and formats are fixed: repositories
already have them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import socket
import time
from collections.abc import Collection, Iterator
from pathlib import Path

from okrcli.core.errors import OkrError

LOCK_NAME = "okr-checkin.lock"
PENDING_NAME = "okr-checkin.pending"
DEFAULT_LOCK_TIMEOUT = 300.0


# --- the lock -------------------------------------------------------------------------------


@contextlib.contextmanager
def lock(git_dir: Path) -> Iterator[None]:
    """One check-in at a time per repository; the others wait (up to OKR_LOCK_TIMEOUT s).

    flock is released by the kernel when its holder exits, however it exits, so a killed
    check-in never leaves a stale lock behind.
    """
    import fcntl

    path = git_dir / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + _lock_timeout()
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise OkrError(
                        f"another check-in ({_lock_holder(path)}) still holds {path}; "
                        "wait for it to finish, then try again"
                    ) from None
                time.sleep(0.05)
        os.ftruncate(fd, 0)
        since = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        os.write(fd, f"pid {os.getpid()} on {socket.gethostname()} since {since}\n".encode())
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


def _lock_holder(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace").strip() or "unknown process"
    except OSError:
        return "unknown process"


# --- interrupted check-ins ------------------------------------------------------------------
# Before writing, a check-in notes in the git directory which files (relative to the top of
# the work tree) it is about to write, with its commit subject; after committing (or
# restoring) it clears them. A note that is still there while its file differs from HEAD
# means a check-in died in between.


def pending(git_dir: Path) -> dict[str, str]:
    """The noted files and the subjects of the check-ins that were writing them."""
    try:
        data = json.loads((git_dir / PENDING_NAME).read_text(encoding="utf-8"))
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
    path = git_dir / PENDING_NAME
    if not entries:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        return
    path.write_text(json.dumps(entries, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
