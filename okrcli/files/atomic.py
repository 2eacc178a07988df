"""Writing files so that a reader, or a crash, sees either their old bytes or the new ones.

A new file is written beside the one it replaces under a temporary name, made durable,
then renamed over it; the temporary names are mkstemp's, made here rather than by the
tempfile module, whose import (with random's) every check-in would pay for two lines.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from okrcli.core.errors import OkrError

_LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789_"  # mkstemp's
_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
_ATTEMPTS = 100


def create_temporary(folder: Path, prefix: str, suffix: str) -> tuple[int, str]:
    """A new file PREFIX + eight random letters + SUFFIX in `folder`, for the user alone
    (mode 0600): its descriptor and path. O_EXCL: never a file that exists, nor one that a
    link planted under the name points at."""
    for _ in range(_ATTEMPTS):
        letters = "".join(_LETTERS[byte % len(_LETTERS)] for byte in os.urandom(8))
        path = os.path.join(folder, f"{prefix}{letters}{suffix}")
        try:
            return os.open(path, _FLAGS, 0o600), path
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free name for a temporary file", str(folder))


# Temporary files are `.NAME.okr-XXXXXXXX.tmp` beside the file: a rename within one folder
# never crosses a file system or a mount point, so it is always atomic (one in the git
# directory would be so only when both share a mount). A kill -9 between creating and
# renaming leaves one behind; the next write in the folder removes it (stale_temporaries).
_TEMPORARY_MARK = ".okr-"
_TEMPORARY_SUFFIX = ".tmp"
# create_temporary's names: the prefix, eight random characters from _LETTERS, the suffix.
_TEMPORARY_NAME = re.compile(r"\..+\.okr-[a-z0-9_]{8}\.tmp")


def _durable_temporary(path: Path, data: bytes) -> str:
    """A new temporary file beside `path` holding `data`, written through to the disk."""
    handle, temporary_path = create_temporary(
        path.parent, f".{path.name}{_TEMPORARY_MARK}", _TEMPORARY_SUFFIX
    )
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary_path)
        raise
    return temporary_path


def write_atomic(path: Path, data: bytes, sync_folder: bool = True) -> None:
    """Replace the file's bytes all at once: a temporary file in the same folder, fsync, rename.

    A reader (or a crash) sees either the old bytes or the new ones, never a mix. The
    file's permission bits are kept. A symbolic link is refused: renaming over it would
    replace the link, not the file it points to. A caller writing many files of a folder
    may pass `sync_folder=False` and call sync_folders once for them all.
    """
    if path.is_symlink():
        raise OkrError(f"{path} is a symbolic link; check-ins edit regular files only")
    mode = stat.S_IMODE(path.stat().st_mode)
    temporary_path = _durable_temporary(path, data)
    try:
        os.chmod(temporary_path, mode)
        os.replace(temporary_path, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary_path)
        raise
    if sync_folder:
        _sync_folder(path.parent)


_OPEN_AT_ONCE = 64  # replace_all's temporary files open at a time (each until its fsync)


def replace_all(
    files: Sequence[tuple[Path, bytes]],
    renamed: Callable[[int], None],
    working: Callable[[int], None] | None = None,
) -> None:
    """write_atomic(path, data, sync_folder=False) for many files, every one made durable
    before the first is renamed: the file system then commits its journal for many files
    at once, not once a file (fifty files are written in about half the time).

    `renamed(i)` is told as soon as the i-th file has its new bytes, `working(i)` whenever
    work on the i-th file begins (so a failure can name the file). On any failure every
    temporary file not yet renamed is removed and the exception propagates; the files
    renamed by then keep their new bytes (the caller puts them back, as after write_atomic).
    Each file still goes from its old bytes to its new ones at once; call sync_folders after.
    """
    pending: list[tuple[Path, str]] = []  # the target and its temporary file, written
    opened: list[int] = []
    try:
        for start in range(0, len(files), _OPEN_AT_ONCE):
            for index, (path, data) in enumerate(files[start : start + _OPEN_AT_ONCE], start):
                if working is not None:
                    working(index)
                if path.is_symlink():
                    raise OkrError(f"{path} is a symbolic link; check-ins edit regular files only")
                mode = stat.S_IMODE(path.stat().st_mode)
                handle, temporary_path = create_temporary(
                    path.parent, f".{path.name}{_TEMPORARY_MARK}", _TEMPORARY_SUFFIX
                )
                opened.append(handle)
                pending.append((path, temporary_path))
                view = memoryview(data)
                while view:
                    view = view[os.write(handle, view) :]
                os.chmod(temporary_path, mode)
            first = len(pending) - len(opened)
            failed = _fsync_all(opened)
            if failed is not None:
                if working is not None:
                    working(first + failed[0])
                raise failed[1]
            while opened:
                os.close(opened.pop(0))
        for index, (path, temporary_path) in enumerate(list(pending)):
            if working is not None:
                working(index)
            os.replace(temporary_path, path)
            del pending[0]
            renamed(index)
    except BaseException:
        for handle in opened:
            with contextlib.suppress(OSError):
                os.close(handle)
        for _, temporary_path in pending:
            with contextlib.suppress(OSError):
                os.unlink(temporary_path)
        raise


_SYNC_THREADS = 4  # fsyncs waited for at once by replace_all


def _fsync_all(handles: Sequence[int]) -> tuple[int, OSError] | None:
    """fsync every descriptor, several at once: each waits in the kernel (without the GIL)
    for the journal, which then commits them together, in a quarter of the time one after
    the other takes. The first failure (its index and error), or None. The threads are
    all finished when this returns, however it returns (an interrupt included)."""
    if len(handles) < 2:
        for index, handle in enumerate(handles):
            try:
                os.fsync(handle)
            except OSError as exc:
                return index, exc
        return None
    queue = list(enumerate(handles))
    queue.reverse()
    failures: list[tuple[int, OSError]] = []

    def work() -> None:
        while queue and not failures:
            try:
                index, handle = queue.pop()
            except IndexError:
                return
            try:
                os.fsync(handle)
            except OSError as exc:
                failures.append((index, exc))

    threads = [threading.Thread(target=work, daemon=True) for _ in range(_SYNC_THREADS)]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            thread.join()
    finally:
        for thread in threads:  # interrupted above: the descriptors stay theirs till done
            thread.join()
    return min(failures, key=lambda failure: failure[0]) if failures else None


def sync_folders(paths: Sequence[Path]) -> None:
    """Make the renames of files written with `sync_folder=False` durable, a folder once."""
    for folder in dict.fromkeys(path.parent for path in paths):
        _sync_folder(folder)


def remove_stale_temporaries(folder: Path) -> None:
    """Remove the temporary files that killed writes left in `folder`.

    Only for a caller holding the check-in lock: then no other okr writes there, so every
    temporary file of okr's in the folder is a leftover.
    """
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            if _TEMPORARY_NAME.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def write_new(path: Path, data: bytes) -> None:
    """Create a file that does not exist yet, all at once, in a folder made if needed.

    A temporary file beside it is linked to the name, which fails (FileExistsError) rather
    than replace a file that appeared meanwhile; the mode is what the umask gives.
    """
    path.parent.mkdir(exist_ok=True)
    umask = os.umask(0)
    os.umask(umask)
    temporary_path = _durable_temporary(path, data)
    try:
        os.chmod(temporary_path, 0o666 & ~umask)
        os.link(temporary_path, path)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary_path)
    _sync_folder(path.parent)


def remove_new(path: Path) -> None:
    """Undo write_new: remove the file, and its folder when that is left empty."""
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    with contextlib.suppress(OSError):
        path.parent.rmdir()  # only succeeds when empty


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (where the platform allows opening a folder)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
