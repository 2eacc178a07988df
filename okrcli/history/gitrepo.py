"""Where okr talks to git: the one `run` every git invocation goes through, finding the work
tree, and committing. Small functions, each asking git one question; reading objects and
history is gitread.py's, through the same `run`.

Everything goes through the git CLI. Committing must, so that git's own identity rules,
hooks, signing and environment apply exactly as for any commit; reading does too, because
one `git log` and one `cat-file --batch` process are all okr needs, and a git library
would cost its import (~100 ms) on every command. User strings are passed after `--` or
`--end-of-options`, never where git reads options.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from okrcli.core.errors import OkrError
from okrcli.core.text import inert


class GitError(OkrError):
    """git refused or failed; the message carries git's own words."""


def git_env(parsed: bool = True) -> dict[str, str]:
    """The environment for git: the user's, minus variables that would point git elsewhere
    or change what a path means.

    GIT_AUTHOR_*/GIT_COMMITTER_* (identity and dates) are deliberately kept. `parsed`
    output is read by okr, so git speaks the C locale; a commit keeps the user's locale
    for its hooks, signing and error messages. Every path okr passes is a file's real name
    (a folder may be called `:(top)okrs` or `:!okrs`), so pathspecs are literal: no magic,
    no globbing, no case folding.
    """
    drop = {
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_PREFIX",
        "GIT_NAMESPACE",
        "GIT_OBJECT_DIRECTORY",
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_GLOB_PATHSPECS",
        "GIT_NOGLOB_PATHSPECS",
        "GIT_ICASE_PATHSPECS",
    }
    env = {k: v for k, v in os.environ.items() if k not in drop}
    if parsed:
        env["LC_ALL"] = "C"
        env["GIT_LITERAL_PATHSPECS"] = "1"
    return env


def _completed(
    args: list[str], cwd: Path, input: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["git", *args], cwd=cwd, input=input, capture_output=True, env=git_env()
        )
    except FileNotFoundError:
        raise GitError("git is not installed or not on PATH") from None


def run(args: list[str], cwd: Path, input: bytes | None = None, check: bool = True) -> bytes:
    """Run `git ARGS` in cwd and return stdout; a failure becomes a GitError with git's text."""
    done = _completed(args, cwd, input)
    if check and done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip() or f"git {args[0]} failed"
        raise GitError(message)
    return done.stdout


def work_tree_root(path: Path) -> Path | None:
    """The top of the git work tree holding `path`, or None when it is not in one.

    A repository git refuses to use (another user's, a broken one) is no "outside": that
    is a GitError with git's reason and its fix.
    """
    done = _completed(["rev-parse", "--show-toplevel"], cwd=path)
    top = done.stdout.decode("utf-8", "surrogateescape").strip()
    if done.returncode != 0:
        _outside_or_refused(done.stderr, path)
    return Path(top) if top else None


def _outside_or_refused(stderr: bytes, path: Path) -> None:
    """Return when git found no repository around `path`; raise git's refusal otherwise."""
    said = stderr.decode("utf-8", "replace")
    # git's two wordings for "no repository here" (LC_ALL=C, so never translated).
    if not said.strip() or "not a git repository (or any" in said:
        return
    lines = [inert(line).strip() for line in said.splitlines() if line.strip()]
    reasons = [line.removeprefix("fatal: ").removeprefix("error: ") for line in lines]
    fix = next((line for line in lines if line.startswith("git config ")), None)
    if "dubious ownership" in said and fix is not None:
        raise GitError(
            f"git refuses the repository holding {path}: {reasons[0]}, that is, it belongs "
            f"to another user; if you trust it, mark it safe with '{fix}', then try again"
        )
    raise GitError(
        f"git cannot use the repository holding {path}: {'; '.join(reasons)}; fix what git "
        "says, then try again"
    )


def require_work_tree(path: Path, what: str) -> Path:
    root = work_tree_root(path)
    if root is None:
        raise OkrError(
            f"{what} needs git, and {path} is not inside a git work tree; run 'git init'"
        )
    return root


def work_tree_and_git_dir(path: Path) -> tuple[Path, Path] | None:
    """The work tree's top and its git directory, or None outside a work tree."""
    done = _completed(["rev-parse", "--show-toplevel", "--absolute-git-dir"], cwd=path)
    if done.returncode != 0:
        _outside_or_refused(done.stderr, path)
        return None
    lines = done.stdout.decode("utf-8", "surrogateescape").splitlines()
    if len(lines) == 2:
        return Path(lines[0]), Path(lines[1])
    # Outside a work tree; or a path with a line break in it, which one call cannot split.
    top = work_tree_root(path)
    if top is None:
        return None
    out = run(["rev-parse", "--absolute-git-dir"], cwd=path)
    return top, Path(out.decode("utf-8", "surrogateescape").rstrip("\n"))


def locate(path: Path) -> tuple[Path, Path, str | None] | None:
    """work_tree_and_git_dir, and the checked-out branch's full name (None when HEAD is
    detached): one git process where the branch has a commit (a check-in counts them)."""
    args = ["rev-parse", "--show-toplevel", "--absolute-git-dir", "--symbolic-full-name", "HEAD"]
    done = _completed(args, cwd=path)
    lines = _text(done.stdout).splitlines()
    if done.returncode == 0 and len(lines) == 3:
        ref = lines[2] if lines[2].startswith("refs/heads/") else None  # "HEAD": detached
        return Path(lines[0]), Path(lines[1]), ref
    # No commit yet (rev-parse cannot name HEAD then), outside a work tree, a repository
    # git refuses, a path with a line break: the questions one by one say which.
    located = work_tree_and_git_dir(path)
    return None if located is None else (*located, head_ref(located[0]))


# --- committing (check-ins) -----------------------------------------------------------------

# Files git leaves in its directory while an operation waits for the user to finish it.
_IN_PROGRESS = (
    ("MERGE_HEAD", "a merge"),
    ("rebase-merge", "a rebase"),
    ("rebase-apply", "a rebase (or git am)"),
    ("CHERRY_PICK_HEAD", "a cherry-pick"),
    ("REVERT_HEAD", "a revert"),
    ("sequencer", "a cherry-pick or revert sequence"),
)


def operation_in_progress(directory: Path) -> str | None:
    """What git is in the middle of (a merge, rebase, cherry-pick, revert), or None;
    `directory` is the git directory."""
    for name, what in _IN_PROGRESS:
        if (directory / name).exists():
            return what
    return None


def current_branch(cwd: Path) -> str | None:
    """The checked-out branch, or None when HEAD is detached."""
    out = run(["symbolic-ref", "-q", "--short", "HEAD"], cwd=cwd, check=False)
    return out.decode("utf-8", "surrogateescape").strip() or None


def head_ref(cwd: Path) -> str | None:
    """The full name of the checked-out branch (`refs/heads/main`), or None when detached."""
    out = run(["symbolic-ref", "-q", "HEAD"], cwd=cwd, check=False)
    return out.decode("utf-8", "surrogateescape").strip() or None


def head_commit_and_ref(cwd: Path) -> tuple[str | None, str | None]:
    """HEAD's commit id and the checked-out branch (`refs/heads/main`, None when detached),
    with one git process where there is a commit (a check-in counts its processes)."""
    done = _completed(["rev-parse", "HEAD", "--symbolic-full-name", "HEAD"], cwd=cwd)
    lines = _text(done.stdout).split() if done.returncode == 0 else []
    if len(lines) == 2:
        return lines[0], (lines[1] if lines[1].startswith("refs/heads/") else None)
    return None, head_ref(cwd)  # no commit yet: the branch is still named


def head_commit(cwd: Path) -> str | None:
    """The commit id HEAD points at, or None on a branch with no commits yet."""
    out = run(["rev-parse", "-q", "--verify", "HEAD^{commit}"], cwd=cwd, check=False)
    return out.decode("ascii", "replace").strip() or None


def is_ancestor(top: Path, commit: str, revision: str) -> bool:
    """Whether `revision` (a ref or commit id) holds `commit` in its history."""
    done = _completed(["merge-base", "--is-ancestor", commit, revision], cwd=top)
    return done.returncode == 0


def parents_and_subject(top: Path, commit: str) -> tuple[list[str], str]:
    """A commit's parent ids and its subject (first line)."""
    args = ["-c", "log.showSignature=false", "show", "-s", "--format=%P%x00%s", commit, "--"]
    parents, _, subject = _text(run(args, cwd=top)).rstrip("\n").partition("\0")
    return parents.split(), subject


def short_id(cwd: Path, commit: str) -> str:
    return run(["rev-parse", "--short", commit], cwd=cwd).decode("ascii", "replace").strip()


def uncommitted(top: Path, paths: list[str]) -> dict[str, str]:
    """`git status --porcelain` (`XY PATH`) of each of these paths (relative to `top`) that
    differs from HEAD; a path that matches HEAD is not in the answer."""
    out = run(
        ["--literal-pathspecs", "status", "--porcelain", "-z", "--untracked-files=all", "--",
         *paths],
        cwd=top,
    )  # fmt: skip
    found: dict[str, str] = {}
    entries = iter(out.decode("utf-8", "surrogateescape").split("\0"))
    for entry in entries:
        if not entry:
            continue
        code, path = entry[:2], entry[3:]
        found[path] = f"{code} {path}"
        if "R" in code or "C" in code:  # a rename or copy: its source follows
            source = next(entries, "")
            found[source] = f"{code} {source}"
    return found


def state(top: Path, paths: list[str]) -> tuple[str | None, str | None, dict[str, str]]:
    """HEAD's commit (None before the first), the checked-out branch's full name (None when
    detached), and each of these paths (relative to `top`) that is not as HEAD has it, with
    its `XY` code of `git status --porcelain` (`??` untracked, `!!` ignored or not in HEAD
    at all): one git process answers all three.
    """
    out = run(
        ["--literal-pathspecs", "status", "--porcelain=v2", "-z", "--branch",
         "--no-ahead-behind", "--untracked-files=all", "--ignored", "--", *paths],
        cwd=top,
    )  # fmt: skip
    head: str | None = None
    ref: str | None = None
    found: dict[str, str] = {}
    records = iter(_text(out).split("\0"))
    for record in records:
        kind, _, rest = record.partition(" ")
        if kind == "#":
            name, _, value = rest.partition(" ")
            if name == "branch.oid" and value != "(initial)":
                head = value
            elif name == "branch.head" and value != "(detached)":
                ref = f"refs/heads/{value}"
        elif kind in ("?", "!"):
            found[rest] = kind * 2
        elif kind in _STATUS_FIELDS:
            fields = rest.split(" ", _STATUS_FIELDS[kind])
            found[fields[-1]] = fields[0]
            if kind == "2":  # a rename or copy: its source follows
                found[next(records, "")] = fields[0]
    # Silence means "as HEAD has it", except inside a repository of its own (a clone in the
    # work tree) that HEAD does not track: there git says nothing of files it cannot see.
    unseen = [p for p in paths if p not in found and _below_a_repository(top, p)]
    in_head = _in_head(top, unseen) if unseen else set()
    found.update((path, "!!") for path in unseen if path not in in_head)
    return head, ref, found


def _below_a_repository(top: Path, path: str) -> bool:
    """Whether a folder on the way from `top` to `path` holds a `.git` of its own."""
    parts = path.split("/")[:-1]
    return any(
        (top.joinpath(*parts[:depth]) / ".git").exists() for depth in range(1, len(parts) + 1)
    )


def _in_head(top: Path, paths: list[str]) -> set[str]:
    """Which of these paths (relative to `top`) HEAD's tree has."""
    out = run(
        ["--literal-pathspecs", "ls-tree", "--full-tree", "-z", "--name-only", "HEAD", "--",
         *paths],
        cwd=top,
        check=False,
    )  # fmt: skip
    return {name for name in out.decode("utf-8", "surrogateescape").split("\0") if name}


# `git status --porcelain=v2` records of tracked paths: how many fields precede the path
# (after the record's kind): changed, renamed or copied, unmerged.
_STATUS_FIELDS = {"1": 7, "2": 8, "u": 9}


class CommitInterrupted(KeyboardInterrupt):
    """A signal arrived while git committed. okr let git finish (`finished`) unless a second
    signal said to stop waiting; `commit` is the id git reported, if it made a commit."""

    def __init__(self, finished: bool, commit: str | None) -> None:
        super().__init__()
        self.finished = finished
        self.commit = commit


def commit_paths(top: Path, paths: list[str], message: str) -> str | None:
    """Commit the work-tree contents of these paths (relative to `top`), and nothing else;
    return the id of the commit made, as git reports it (None if its report is unreadable).

    `--only` builds the commit from HEAD plus these paths, so other staged changes stay
    staged and out of it; the real index takes the paths only if the commit succeeds.
    git's identity, environment, hooks and signing apply as for any commit. The id comes
    from git's own report, not from HEAD, which someone else may move meanwhile.
    """
    # --cleanup=whitespace: a note like "#12 accepted" must survive commit.cleanup=strip.
    args = ["git", "--literal-pathspecs", "commit", "--cleanup=whitespace", "-F", "-",
            "--only", "--", *paths]  # fmt: skip
    pipe = subprocess.PIPE
    try:
        process = subprocess.Popen(
            args, cwd=top, stdin=pipe, stdout=pipe, stderr=pipe, env=git_env(parsed=False)
        )
    except FileNotFoundError:
        raise GitError("git is not installed or not on PATH") from None
    try:
        out, err = process.communicate(message.encode("utf-8"))
    except BaseException:
        raise _let_finish(process) from None
    if process.returncode != 0:
        said = b"\n".join(part.strip() for part in (err, out) if part.strip())
        raise GitError(said.decode("utf-8", "replace") or "git commit failed")
    return reported_commit(out)


def _let_finish(process: subprocess.Popen[bytes]) -> CommitInterrupted:
    """Interrupted (SIGTERM, ^C): let git finish or fail by itself, since killing it
    mid-commit would leave .git/index.lock behind and the repository stuck; a second
    signal (or two minutes) ends the wait, and then nobody knows yet how git ends."""
    try:
        out, _ = process.communicate(timeout=120)
    except BaseException:
        return CommitInterrupted(False, None)
    return CommitInterrupted(True, reported_commit(out) if process.returncode == 0 else None)


# `[main 1a2b3c4] subject`, `[main (root-commit) 1a2b3c4] …`, `[detached HEAD 1a2b3c4] …`:
# a branch name has no spaces, so the first " HEX] " ends the bracket. Hooks' output goes
# to stderr, so this is git's first line on stdout.
_SUMMARY = re.compile(r"\[[^\n]*? ([0-9a-f]{4,64})\] ")


def reported_commit(stdout: bytes) -> str | None:
    """The (abbreviated) id in `git commit`'s summary line, or None."""
    found = _SUMMARY.match(re.sub(r"\x1b\[[0-9;]*m", "", _text(stdout)))
    return found.group(1) if found else None


def intend_to_add(top: Path, paths: list[str]) -> None:
    """Make new files known to git (`add --intent-to-add`), so that `commit --only` takes
    them; nothing of their content is staged before the commit itself."""
    run(["--literal-pathspecs", "add", "--intent-to-add", "--", *paths], cwd=top)


def unstage(top: Path, paths: list[str]) -> None:
    """Put the index entries of these paths back to HEAD's (best effort: git may hold the
    index lock, and then the index was not touched either)."""
    run(["--literal-pathspecs", "reset", "-q", "--", *paths], cwd=top, check=False)


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")
