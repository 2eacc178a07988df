"""Reading git's objects and history: commits, trees, blobs in batches, the log.

Every call runs through gitrepo.run, so it gets the same environment as any git okr runs
(GIT_* variables cleaned, literal pathspecs, no pager); committing and finding the work
tree are gitrepo.py's, and what `git log` prints is read by gitlog.py.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Self, TypeVar

from okrcli.history.gitlog import (
    REGULAR_FILE_MODES,
    LogCommit,
    changes_log_args,
    parse_changes_log,
    parse_tokens,
)
from okrcli.history.gitrepo import GitError, git_env, run


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


@dataclass(frozen=True, slots=True)
class TreeEntry:
    """One line of `git ls-tree`: a file (blob), folder (tree) or submodule (commit)."""

    mode: str
    kind: str
    oid: str
    name: str

    @property
    def is_regular_file(self) -> bool:
        return self.kind == "blob" and self.mode in REGULAR_FILE_MODES


def resolve_commit(top: Path, revision: str) -> str | None:
    """The commit id a user's revision names (branch, tag, id, HEAD~2, :/message …), or None."""
    # `:/TEXT` (the youngest commit whose message matches) always names a commit, and
    # reads everything after `:/` as the pattern: a `^{commit}` suffix would join it.
    peeled = revision if revision.startswith(":/") else f"{revision}^{{commit}}"
    out = run(
        ["rev-parse", "--verify", "--quiet", "--end-of-options", peeled],
        cwd=top,
        check=False,
    )
    oid = _text(out).strip()
    return oid or None


def path_prefix(folder: Path) -> str:
    """Where `folder` lies inside its work tree, as git writes it ('' or 'okrs/')."""
    return _text(run(["rev-parse", "--show-prefix"], cwd=folder)).strip()


def merge_base(top: Path, first: str, second: str) -> str | None:
    """The best common ancestor of two commit ids, or None when they share no history."""
    out = run(["merge-base", first, second], cwd=top, check=False)
    return _text(out).strip() or None


def committer_date(top: Path, commit: str) -> str:
    """A commit id's committer date, ISO 8601 with the committer's own UTC offset."""
    args = ["-c", "log.showSignature=false", "show", "-s", "--format=%cI", commit, "--"]
    return _text(run(args, cwd=top)).strip()


def first_parent_commits(top: Path, start: str, before: str | None) -> Iterator[tuple[str, str]]:
    """(commit id, committer date) along start's first parents, newest first, from `before`
    on (from the start when None).

    Read as a stream, so a caller that stops early never waits for the whole history.
    """
    bound = [f"--before={before}"] if before is not None else []
    args = [
        "-c",
        "log.showSignature=false",
        "log",
        "--first-parent",
        *bound,
        "--format=%H %cI",
        start,
        "--",
    ]
    process = subprocess.Popen(
        ["git", *args], cwd=top, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=git_env()
    )
    assert process.stdout is not None
    try:
        for line in process.stdout:
            fields = _text(line).split()
            if len(fields) == 2:
                yield fields[0], fields[1]
    finally:
        process.stdout.close()
        process.kill()
        process.wait()


def tree_entries(top: Path, treeish: str) -> list[TreeEntry] | None:
    """The entries of a tree (`COMMIT:folder/` or a tree id), or None when there is none."""
    done = subprocess.run(
        ["git", "ls-tree", "-z", treeish], cwd=top, capture_output=True, env=git_env()
    )
    if done.returncode != 0:
        return None
    entries = []
    for record in _text(done.stdout).split("\0"):
        meta, tab, name = record.partition("\t")
        parts = meta.split()
        if tab and len(parts) == 3:
            entries.append(TreeEntry(parts[0], parts[1], parts[2], name))
    return entries


def read_blobs(top: Path, oids: list[str]) -> dict[str, bytes]:
    """The contents of many objects through one `git cat-file --batch`; missing ones left out."""
    wanted = list(dict.fromkeys(oids))
    if not wanted:
        return {}
    out = run(["cat-file", "--batch"], cwd=top, input="".join(f"{o}\n" for o in wanted).encode())
    return _batch_output(out, wanted)


def _batch_output(out: bytes, wanted: list[str]) -> dict[str, bytes]:
    """`git cat-file --batch`'s answer to `wanted`, by id; missing ones left out."""
    blobs: dict[str, bytes] = {}
    position = 0
    for oid in wanted:
        end = out.index(b"\n", position)
        header = out[position:end].split()
        position = end + 1
        if len(header) != 3:  # "<oid> missing"
            continue
        size = int(header[2])
        blobs[oid] = out[position : position + size]
        position += size + 1
    return blobs


def blob_sizes(top: Path, oids: list[str]) -> dict[str, int]:
    """The size of each object through one `git cat-file --batch-check` (nothing is read);
    missing ones left out."""
    wanted = list(dict.fromkeys(oids))
    if not wanted:
        return {}
    request = "".join(f"{o}\n" for o in wanted).encode()
    return _sizes_output(run(["cat-file", "--batch-check"], cwd=top, input=request), wanted)


def _sizes_output(out: bytes, wanted: list[str]) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for oid, line in zip(wanted, _text(out).splitlines(), strict=False):
        fields = line.split()
        if len(fields) == 3:  # "<oid> <type> <size>", else "<oid> missing"
            sizes[oid] = int(fields[2])
    return sizes


def read_blob_head(top: Path, oid: str, limit: int) -> bytes:
    """The first `limit` bytes of one object, without git writing (or okr holding) the rest."""
    process = subprocess.Popen(
        ["git", "cat-file", "blob", oid],
        cwd=top,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=git_env(),
    )
    assert process.stdout is not None
    try:
        return process.stdout.read(limit)
    finally:
        process.stdout.close()
        process.kill()
        process.wait()


BATCH_BYTES = 32 * 1024 * 1024  # content asked of one `cat-file --batch` by read_blobs_within


def read_blobs_within(top: Path, oids: list[str], limit: int) -> dict[str, bytes]:
    """Like read_blobs, but an object over `limit` bytes is read only up to `limit` + 1
    bytes (enough to tell it is too large, whatever its size), and each `cat-file` call
    asks for at most BATCH_BYTES of content (or one object)."""
    sizes = blob_sizes(top, oids)
    blobs: dict[str, bytes] = {}
    batch: list[str] = []
    total = 0
    for oid, size in sizes.items():
        if size > limit:
            blobs[oid] = read_blob_head(top, oid, limit + 1)
            continue
        if batch and total + size > BATCH_BYTES:
            blobs.update(read_blobs(top, batch))
            batch, total = [], 0
        batch.append(oid)
        total += size
    blobs.update(read_blobs(top, batch))
    return blobs


def sparse_checkout(git_dir: Path) -> bool:
    """Whether `git sparse-checkout` was set up in this work tree (its patterns' file is in
    the git directory, per work tree): the one way files go missing by design."""
    return (git_dir / "info" / "sparse-checkout").is_file()


def skipped_files(folder: Path) -> dict[str, str]:
    """The regular files under `folder` that the index holds but the working tree is
    meant not to (skip-worktree: a sparse checkout left them out), by path relative to
    `folder`, with their blob ids in the index; {} outside git."""
    try:
        out = run(["ls-files", "-z", "-t", "--stage"], cwd=folder, check=False)
    except GitError:  # no git at all: no index either
        return {}
    skipped: dict[str, str] = {}
    for record in _text(out).split("\0"):
        meta, tab, path = record.partition("\t")
        parts = meta.split()
        # "S 100644 <oid> 0": tag S is skip-worktree; stage 0, a file not in conflict.
        regular = len(parts) == 4 and parts[1] in REGULAR_FILE_MODES
        if tab and regular and (parts[0], parts[3]) == ("S", "0"):
            skipped[path] = parts[2]
    return skipped


def replaced_objects(top: Path) -> frozenset[str]:
    """The ids of the objects that replace refs (`git replace`) stand in for: git reads
    another object's content under each of these ids."""
    base = os.environ.get("GIT_REPLACE_REF_BASE") or "refs/replace/"
    out = run(["for-each-ref", "--format=%(refname)", "--", base], cwd=top, check=False)
    return frozenset(line.rsplit("/", 1)[-1] for line in _text(out).splitlines() if line)


def changes_log(top: Path, start: str, folder: str, full_history: bool = False) -> list[LogCommit]:
    """Every non-merge commit reachable from `start` that changed a file under `folder`,
    oldest first (never a commit before its parent), with the blob ids of each change.

    By default, git's history simplification: where a merge kept one side's files whole,
    only that side is followed, so the values read are the ones the branch really holds.
    `full_history` lists the other side's commits too (a log shows every change made).
    """
    out = run(changes_log_args(start, folder, full_history), cwd=top)
    return parse_changes_log(_text(out))


class _Background:
    """A git process started now and read later, on another core while okr works.

    git writes into unnamed temporary files, not pipes: a pipe holds a few dozen kilobytes,
    and git would wait for a reader that is busy elsewhere. Where the files or the process
    cannot be made, `_process` is None (and the caller does its work in the foreground).
    Used as a context manager, so that a command failing meanwhile leaves no git behind.
    """

    def __init__(self, top: Path, args: list[str], stdin: bytes | None = None) -> None:
        import tempfile

        self._process: subprocess.Popen[bytes] | None = None
        self._files: list[IO[bytes]] = []  # its stdout, stderr (and stdin), open until close
        try:
            for _ in ("stdout", "stderr"):
                self._files.append(tempfile.TemporaryFile())  # noqa: SIM115
            source: IO[bytes] | int = subprocess.DEVNULL
            if stdin is not None:
                source = tempfile.TemporaryFile()  # noqa: SIM115
                self._files.append(source)
                source.write(stdin)
                source.seek(0)
            self._process = subprocess.Popen(
                ["git", *args],
                cwd=top,
                stdin=source,
                stdout=self._files[0],
                stderr=self._files[1],
                env=git_env(),
            )
        except OSError:
            self.close()

    def finished(self) -> bool:
        """Whether git is done (or never started: the work is then done in the foreground)."""
        return self._process is None or self._process.poll() is not None

    @staticmethod
    def _read(file: IO[bytes]) -> bytes:
        file.seek(0)
        return file.read()

    def close(self) -> None:
        """Stop git if it is still running, and drop its output."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        self._process = None
        for file in self._files:
            file.close()
        self._files = []

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


Output = TypeVar("Output")


class _CatFile(_Background):
    """`git cat-file MODE` of some objects, started now and read later; where git cannot be
    started, or fails, their result is asked for in the foreground instead."""

    def __init__(self, top: Path, oids: list[str], mode: str) -> None:
        self._top = top
        self._wanted = list(dict.fromkeys(oids))
        request = "".join(f"{o}\n" for o in self._wanted).encode()
        super().__init__(top, ["cat-file", mode], request)

    def _result(
        self,
        parse: Callable[[bytes, list[str]], Output],
        foreground: Callable[[Path, list[str]], Output],
    ) -> Output:
        try:
            if self._process is not None and self._process.wait() == 0:
                return parse(self._read(self._files[0]), self._wanted)
        finally:
            self.close()
        return foreground(self._top, self._wanted)


class BackgroundBlobs(_CatFile):
    """read_blobs started now and read later: git inflates the objects while okr does other
    work (a cold history read asks for thousands, all through this one process: the
    caller bounds their bytes). Fails as read_blobs does."""

    def __init__(self, top: Path, oids: list[str]) -> None:
        super().__init__(top, oids, "--batch")

    def result(self) -> dict[str, bytes]:
        return self._result(_batch_output, read_blobs)


class BackgroundSizes(_CatFile):
    """blob_sizes started now and read later: git looks the objects up while okr reads the
    cycle's files. Fails as blob_sizes does."""

    def __init__(self, top: Path, oids: list[str]) -> None:
        super().__init__(top, oids, "--batch-check")

    def result(self) -> dict[str, int]:
        return self._result(_sizes_output, blob_sizes)


class BackgroundLog(_Background):
    """changes_log started now and read later: git walks the history (most of a warm
    history read) while okr reads and scores the working tree's files. Where git cannot be
    started, `result` runs the log in the foreground, failing as changes_log does."""

    def __init__(self, top: Path, start: str, folder: str, full_history: bool = False) -> None:
        self._call = (top, start, folder, full_history)
        super().__init__(top, changes_log_args(start, folder, full_history))

    def result(self, meanwhile: Callable[[list[LogCommit]], None] | None = None) -> list[LogCommit]:
        """The commits, as changes_log lists them (waiting for git if it is still at it).
        While git runs, the commits it has listed so far are read, and handed to
        `meanwhile` a batch at a time (a warm history read looks their versions up in the
        cache), so that little is left to read once it is done."""
        if self._process is None:
            return changes_log(*self._call)
        try:
            commits, read = self._follow(meanwhile) if meanwhile is not None else ([], 0)
            returncode = self._process.wait()
            out, err = (self._read(file) for file in self._files[:2])
        finally:
            self.close()
        if returncode != 0:
            raise GitError(err.decode("utf-8", "replace").strip() or "git log failed")
        return commits + parse_changes_log(_text(out[read:]))

    def _follow(self, meanwhile: Callable[[list[LogCommit]], None]) -> tuple[list[LogCommit], int]:
        """The commits read while git runs, and how many bytes of its output they took."""
        assert self._process is not None
        descriptor = self._files[0].fileno()
        commits: list[LogCommit] = []
        read = 0
        while self._process.poll() is None:
            # pread leaves the offset alone: git writes through the same open file.
            written = os.pread(descriptor, 1 << 24, read)
            end = written.rfind(b"\0") + 1  # up to the last whole token
            text = _text(written[:end])
            found, used = parse_tokens(text.split("\0")[:-1], final=False)
            if not found:
                time.sleep(0.001)
                continue
            taken = sum(map(len, text.split("\0")[:used])) + used  # and their NULs
            read += len(text[:taken].encode("utf-8", "surrogateescape"))
            commits += found
            meanwhile(found)
        return commits, read
