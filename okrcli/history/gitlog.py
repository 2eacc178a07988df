"""What `git log --raw -z` says, as commits: its arguments and the reading of its output.
Pure text; running git is gitrepo.py's."""

from __future__ import annotations

from dataclasses import dataclass

REGULAR_FILE_MODES = ("100644", "100755")
_ZERO_OID = frozenset("0")
_COMMIT_MARK = "\x1e"


@dataclass(frozen=True, slots=True)
class FileChange:
    """One file a commit changed; a blob id is None where no regular file was (added/deleted)."""

    path: str  # relative to the top of the work tree
    old: str | None
    new: str | None


@dataclass(frozen=True, slots=True)
class LogCommit:
    id: str
    author_date: str  # ISO 8601 with the author's own UTC offset
    author: str
    author_email: str
    message: str
    changes: tuple[FileChange, ...]


def changes_log_args(start: str, folder: str, full_history: bool) -> list[str]:
    return [
        "-c",
        "log.showSignature=false",
        "log",
        *(["--full-history"] if full_history else []),
        "--no-merges",
        "--date-order",
        "--reverse",
        "--raw",
        "-z",
        "--no-abbrev",
        "--no-renames",
        "--no-color",
        f"--format={_COMMIT_MARK}%H%x00%aI%x00%aN%x00%aE%x00%B",
        start,
        "--",
        folder,
    ]


def parse_changes_log(text: str) -> list[LogCommit]:
    """Parse `git log --raw -z` in the format of changes_log: NUL never occurs in a field."""
    return parse_tokens(text.split("\0"), final=True)[0]


def parse_tokens(tokens: list[str], final: bool) -> tuple[list[LogCommit], int]:
    """The commits of `tokens` (the output split at NUL), and how many tokens they took.
    Not `final`: the complete tokens git has written so far; the scan stops before a
    commit that later tokens may still add to, and takes up there once they are written
    (each step looks at the tokens it names only, so the commits come out the same)."""
    commits: list[LogCommit] = []
    index = 0
    while index < len(tokens):
        token = tokens[index].lstrip("\n")
        if token.startswith(_COMMIT_MARK) and index + 4 < len(tokens):
            start = index
            oid, date, author, email, message = token[1:], *tokens[index + 1 : index + 5]
            index += 5
            changes: list[FileChange] = []
            while index + 1 < len(tokens) and tokens[index].lstrip("\n").startswith(":"):
                changes.append(_file_change(tokens[index].lstrip("\n"), tokens[index + 1]))
                index += 2
            if not final and index + 1 >= len(tokens):
                return commits, start  # more of its changes may follow
            commits.append(
                LogCommit(oid, date, author, email, message.rstrip("\n"), tuple(changes))
            )
        elif not final and token.startswith(_COMMIT_MARK):
            return commits, index  # its fields are still being written
        else:
            index += 1
    return commits, index


def _file_change(meta: str, path: str) -> FileChange:
    old_mode, new_mode, old_oid, new_oid, _status = meta[1:].split()
    old = None if set(old_oid) <= _ZERO_OID or old_mode not in REGULAR_FILE_MODES else old_oid
    new = None if set(new_oid) <= _ZERO_OID or new_mode not in REGULAR_FILE_MODES else new_oid
    return FileChange(path, old, new)
