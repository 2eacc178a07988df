"""The only module that talks to git. Small functions, each asking git one question.

Reading may use GitPython; committing always goes through the git CLI, so git's own
identity rules, hooks, signing and environment apply exactly as for any commit. User
strings are passed after `--` or `--end-of-options`, never where git reads options.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from okrcli.errors import OkrError


class GitError(OkrError):
    """git refused or failed; the message carries git's own words."""


def git_env() -> dict[str, str]:
    """The environment for git: the user's, minus variables that would point git elsewhere.

    GIT_AUTHOR_*/GIT_COMMITTER_* (identity and dates) are deliberately kept.
    """
    drop = {
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_PREFIX",
        "GIT_NAMESPACE",
        "GIT_OBJECT_DIRECTORY",
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    }
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env["LC_ALL"] = "C"
    return env


def run(args: list[str], cwd: Path, input: bytes | None = None, check: bool = True) -> bytes:
    """Run `git ARGS` in cwd and return stdout; a failure becomes a GitError with git's text."""
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, input=input, capture_output=True, env=git_env()
        )
    except FileNotFoundError:
        raise GitError("git is not installed or not on PATH") from None
    if check and done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip() or f"git {args[0]} failed"
        raise GitError(message)
    return done.stdout


def work_tree_root(path: Path) -> Path | None:
    """The top of the git work tree holding `path`, or None when it is not in one."""
    try:
        out = run(["rev-parse", "--show-toplevel"], cwd=path)
    except GitError:
        return None
    return Path(out.decode("utf-8", "surrogateescape").strip())


def require_work_tree(path: Path, what: str) -> Path:
    root = work_tree_root(path)
    if root is None:
        raise OkrError(
            f"{what} needs git, and {path} is not inside a git work tree; run 'git init'"
        )
    return root


def git_dir(path: Path) -> Path:
    out = run(["rev-parse", "--absolute-git-dir"], cwd=path)
    return Path(out.decode("utf-8", "surrogateescape").strip())


# --- committing (check-ins) -----------------------------------------------------------------


# --- reading history (log, diff, stale, --at) -----------------------------------------------
