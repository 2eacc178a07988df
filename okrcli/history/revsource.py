"""The OKRs as they were at a git revision: a `workspace.Source` that reads git's objects.

`--at REV` names a commit the way git does (branch, tag, id, `HEAD~3` …). `--at YYYY-MM-DD`
names the last commit on HEAD's first-parent line whose committer date is on or before
that day, where "that day" is read in the committer's own time zone: the date `git log`
shows for the commit, whichever machine okr runs on. The as-of date then defaults to that
day, or for a revision to its commit's committer date (again in the committer's zone).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from okrcli.core.errors import OkrError, UsageError
from okrcli.files.workspace import git_blob_id, is_team_file_name
from okrcli.files.yamlsource import MAX_BYTES
from okrcli.history import gitread, gitrepo

_DATE_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


class RevisionSource:
    """Files under the OKR root as committed in one commit; folders are listed on demand."""

    def __init__(self, top: Path, commit: str, prefix: str) -> None:
        self.top = top
        self.commit = commit
        self.prefix = prefix  # the OKR root inside the work tree: '' or 'okrs/'
        self.label = f"commit {commit[:7]}"
        self._trees: dict[str, dict[str, gitread.TreeEntry]] = {}
        self._blobs: dict[str, bytes] = {}

    def _entries(self, folder: str) -> dict[str, gitread.TreeEntry]:
        """The entries of a folder under the OKR root ('' is the root itself)."""
        if folder not in self._trees:
            if folder == "":
                listing = gitread.tree_entries(self.top, f"{self.commit}:{self.prefix}")
            else:
                entry = self._entries("").get(folder)
                listing = (
                    gitread.tree_entries(self.top, entry.oid)
                    if entry is not None and entry.kind == "tree"
                    else None
                )
            self._trees[folder] = {e.name: e for e in listing or []}
        return self._trees[folder]

    def _entry(self, path: str) -> gitread.TreeEntry | None:
        folder, _, name = path.rpartition("/")
        if "/" in folder:
            return None  # okr reads only the root and the cycle folders directly under it
        entry = self._entries(folder).get(name)
        return entry if entry is not None and entry.is_regular_file else None

    def read(self, path: str) -> bytes | None:
        entry = self._entry(path)
        if entry is None:
            return None
        if entry.oid not in self._blobs:
            self._blobs.update(gitread.read_blobs_within(self.top, [entry.oid], MAX_BYTES))
        return self._blobs.get(entry.oid)

    def folders(self) -> list[str]:
        return sorted(e.name for e in self._entries("").values() if e.kind == "tree")

    def files(self, folder: str) -> list[str]:
        entries = [e for e in self._entries(folder).values() if e.is_regular_file]
        # The loader reads every team file next: fetch them in one batch now.
        wanted = [e.oid for e in entries if is_team_file_name(e.name) and e.oid not in self._blobs]
        self._blobs.update(gitread.read_blobs_within(self.top, wanted, MAX_BYTES))
        return sorted(e.name for e in entries)

    def blob_id(self, path: str, data: bytes) -> str:
        # The id of the bytes read, not the tree's id for them: under a replace ref
        # (`git replace`) the tree's id names other content, until `git replace -d`.
        return git_blob_id(data)


def at(root: Path, value: str) -> tuple[RevisionSource, dt.date]:
    """The source for `--at VALUE` and the as-of date it implies."""
    top = gitrepo.require_work_tree(root, "--at")
    if _DATE_SHAPE.match(value):
        day = _date(value)
        commit = commit_on(top, day)
        as_of = day
    else:
        commit = resolve(top, value, "--at")
        as_of = dt.date.fromisoformat(gitread.committer_date(top, commit)[:10])
    return RevisionSource(top, commit, gitread.path_prefix(root)), as_of


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(
            f"--at '{value}' is not a real date; write YYYY-MM-DD or give a revision"
        ) from None


def resolve(top: Path, revision: str, what: str) -> str:
    """The commit id of a user's revision, or a clear error."""
    commit = gitread.resolve_commit(top, revision)
    if commit is None:
        raise OkrError(
            f"{what} '{revision}' names no commit in this repository; "
            "give a branch, tag or commit id (see 'git log')"
        )
    return commit


def head(top: Path) -> str | None:
    """HEAD's commit id, or None in a repository with no commit yet."""
    return gitread.resolve_commit(top, "HEAD")


def commit_on(top: Path, day: dt.date) -> str:
    """The last first-parent commit of HEAD dated (committer, own zone) on or before `day`."""
    start = head(top)
    if start is None:
        raise OkrError("--at needs a commit, and this repository has none yet")
    # No commit dated `day` or earlier in any zone (UTC-12 … UTC+14) is later than this.
    # The bound only skips newer commits quickly; days after 2099 (which git's date parser
    # cannot read) need none, and the date check below is what decides.
    later = day + dt.timedelta(days=2) if day < dt.date(2099, 12, 1) else None
    bound = f"{later} 00:00:00 +0000" if later else None
    for commit, committed in gitread.first_parent_commits(top, start, bound):
        if dt.date.fromisoformat(committed[:10]) <= day:
            return commit
    raise OkrError(
        f"no commit on HEAD's first-parent history is dated {day} or earlier; "
        "give a later date or a revision"
    )
