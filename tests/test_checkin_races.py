"""Check-ins racing the user's own git, signals and kills, in real repositories.

Each race is made deterministic by a `git` earlier on okr's PATH that stops at one git
command until the test says go (or, `after`, once the real git has run); the test does
its own git meanwhile with the real one.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import EXAMPLE, git, run_okr

HR = "2026-Q3/hr-admin.yaml"
OKR = str(Path(sys.executable).parent / "okr")

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and shell")

SLOW_GIT = """\
#!/bin/sh
# git's command: the first argument that is no option (nor the value of -c or -C).
command=
skip=
for arg in "$@"; do
  if [ -n "$skip" ]; then skip=; continue; fi
  case $arg in
    -c|-C) skip=1 ;;
    -*) ;;
    *) command=$arg; break ;;
  esac
done
if [ "$command" = "$SLOW_GIT_COMMAND" ] && mkdir "$SLOW_GIT_DIR/claimed" 2>/dev/null; then
  if [ "$SLOW_GIT_WHEN" = after ]; then
    {real} "$@"
    status=$?
    : > "$SLOW_GIT_DIR/reached"
    while [ ! -e "$SLOW_GIT_DIR/go" ]; do sleep 0.02; done
    exit $status
  fi
  : > "$SLOW_GIT_DIR/reached"
  while [ ! -e "$SLOW_GIT_DIR/go" ]; do sleep 0.02; done
fi
exec {real} "$@"
"""


def _default_signals() -> None:
    # A test runner started in the background inherits SIGINT ignored, and so would okr.
    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, signal.SIG_DFL)


class SlowGit:
    """okr as a process whose first `git COMMAND` waits for go() (before or after running)."""

    def __init__(self, tmp_path: Path, command: str, when: str = "before") -> None:
        self.folder = tmp_path / f"slow-git-{command}-{when}"
        (self.folder / "bin").mkdir(parents=True)
        real = shutil.which("git")
        assert real is not None
        script = self.folder / "bin" / "git"
        script.write_text(SLOW_GIT.replace("{real}", f"'{real}'"), encoding="utf-8")
        script.chmod(0o755)
        self.env = {
            **os.environ,
            "PATH": f"{self.folder / 'bin'}{os.pathsep}{os.environ['PATH']}",
            "SLOW_GIT_COMMAND": command,
            "SLOW_GIT_WHEN": when,
            "SLOW_GIT_DIR": str(self.folder),
        }

    def start(self, cwd: Path, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [OKR, *args],
            cwd=cwd,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=_default_signals,
        )

    def wait_until_reached(self, process: subprocess.Popen[str]) -> None:
        deadline = time.monotonic() + 60
        while not (self.folder / "reached").exists():
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "git was never reached"
            time.sleep(0.02)

    def go(self) -> None:
        (self.folder / "go").touch()


def finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=120)
    return process.returncode, out, err


def head(repo: Path, rev: str = "HEAD") -> str:
    return git(repo, "rev-parse", rev).strip()


def short(repo: Path, rev: str) -> str:
    return git(repo, "rev-parse", "--short", rev).strip()


def write_hook(repo: Path, name: str, body: str) -> None:
    hook = repo / ".git" / "hooks" / name
    hook.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    hook.chmod(0o755)


def with_current(data: bytes, value: bytes) -> bytes:
    assert data.count(b"current: 68\n") == 1
    return data.replace(b"current: 68\n", b"current: " + value + b"\n")


# --- a rebase or a switch of branch meanwhile -----------------------------------------------


def test_a_rebase_started_before_the_write_receives_nothing(
    example_repo: Path, tmp_path: Path
) -> None:
    (example_repo / "NOTES").write_text("notes\n", encoding="utf-8")
    git(example_repo, "add", "NOTES")
    git(example_repo, "commit", "-q", "-m", "notes")
    original = (example_repo / HR).read_bytes()
    # okr has passed every check before the lock and is checking the file (status) under it.
    slow = SlowGit(tmp_path, "status")
    okr = slow.start(example_repo, "checkin", "offer-rate", "70")
    slow.wait_until_reached(okr)
    editor = tmp_path / "edit-first"  # stop the rebase at its commit, as `edit` does
    editor.write_text(
        '#!/bin/sh\nsed -e "s/^pick/edit/" "$1" > "$1.new" && mv "$1.new" "$1"\n',
        encoding="utf-8",
    )
    editor.chmod(0o755)
    rebase = subprocess.run(
        ["git", "rebase", "-i", "HEAD~1"],
        cwd=example_repo,
        env={**os.environ, "GIT_SEQUENCE_EDITOR": str(editor)},
        capture_output=True,
        text=True,
    )
    assert rebase.returncode == 0, rebase.stderr
    stopped_at = head(example_repo)
    slow.go()
    code, out, err = finish(okr)
    assert code == 1, (out, err)
    assert "in the middle of a rebase" in err
    assert (example_repo / HR).read_bytes() == original
    assert head(example_repo) == stopped_at  # no commit on the rebase's detached HEAD
    git(example_repo, "rebase", "--abort")
    assert git(example_repo, "log", "--all", "--format=%s", "--grep=OKR-Check-In") == ""
    assert git(example_repo, "status", "--porcelain") == ""


MOVES = {
    "detached": (["checkout", "-q", "--detach"], "HEAD", "on a detached HEAD"),
    "switched": (["switch", "-q", "-c", "other"], "other", "on 'other'"),
}


@pytest.mark.parametrize("move", sorted(MOVES))
def test_a_commit_that_lands_off_the_branch_says_where_it_is(
    example_repo: Path, tmp_path: Path, move: str
) -> None:
    args, lands_on, where = MOVES[move]
    main_before = head(example_repo)
    slow = SlowGit(tmp_path, "commit")
    okr = slow.start(example_repo, "checkin", "offer-rate", "70")
    slow.wait_until_reached(okr)
    git(example_repo, *args)  # the written file comes along: it differs from HEAD
    slow.go()
    code, out, err = finish(okr)
    assert code == 1, (out, err)
    landed = short(example_repo, lands_on)
    assert head(example_repo, "main") == main_before
    assert "OKR-Check-In: 2026-Q3/hr-admin/talent/offer-rate" in git(
        example_repo, "log", "-1", "--format=%B", landed
    )
    assert err.startswith(f"okr: the check-in was committed as {landed} {where}, but 'main' ")
    assert f"'git switch main' and 'git cherry-pick {landed}'" in err
    assert len(err.strip().splitlines()) == 1
    assert out == ""


# --- someone else's commit meanwhile --------------------------------------------------------


def test_a_commit_a_meanwhile_is_told_as_it_is(example_repo: Path, tmp_path: Path) -> None:
    original = (example_repo / HR).read_bytes()
    slow = SlowGit(tmp_path, "commit")
    okr = slow.start(example_repo, "checkin", "offer-rate", "70")
    slow.wait_until_reached(okr)
    git(example_repo, "commit", "-q", "-a", "-m", "my own edits")  # sweeps in okr's file
    theirs = short(example_repo, "HEAD")
    slow.go()
    code, out, err = finish(okr)
    assert code == 1, (out, err)
    assert "original bytes back" not in err
    assert err.startswith(
        f"okr: git did not commit the check-in, so {HR} stays as {theirs} "
        '("my own edits"), a commit made meanwhile, has it, without the check-in\'s trailers; '
        "git said: "
    )
    # What it says is what is: the new value is in their commit, the file matches HEAD.
    assert (example_repo / HR).read_bytes() == with_current(original, b"70")
    assert git(example_repo, "status", "--porcelain") == ""
    assert not (example_repo / ".git" / "okr-checkin.pending").exists()


def test_a_commit_made_right_after_is_not_taken_for_the_check_in(
    example_repo: Path, tmp_path: Path
) -> None:
    slow = SlowGit(tmp_path, "commit", when="after")  # okr's commit is made; git not done yet
    okr = slow.start(example_repo, "checkin", "offer-rate", "70")
    slow.wait_until_reached(okr)
    own = short(example_repo, "HEAD")
    git(example_repo, "commit", "-q", "--allow-empty", "-m", "someone else's")
    slow.go()
    code, out, err = finish(okr)
    assert code == 0, (out, err)
    assert out.rstrip().endswith(f"[{own}]")
    assert "OKR-Check-In:" in git(example_repo, "log", "-1", "--format=%B", own)


# --- signals while git commits --------------------------------------------------------------

SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"]


@pytest.mark.parametrize("name", SIGNALS)
def test_a_signal_while_git_commits_says_it_was_committed(
    example_repo: Path, tmp_path: Path, name: str
) -> None:
    slow = SlowGit(tmp_path, "commit")
    okr = slow.start(example_repo, "checkin", "offer-rate", "70")
    slow.wait_until_reached(okr)
    okr.send_signal(getattr(signal, name))
    time.sleep(0.3)  # okr now waits for git to end by itself
    slow.go()
    code, out, err = finish(okr)
    assert code == 130, (out, err)
    landed = short(example_repo, "HEAD")
    assert err == f"okr: interrupted, but the check-in was committed as {landed}\n"
    assert "OKR-Value: 70" in git(example_repo, "log", "-1", "--format=%B")
    assert git(example_repo, "status", "--porcelain") == ""
    assert not (example_repo / ".git" / "okr-checkin.pending").exists()


@pytest.mark.parametrize("name", SIGNALS)
def test_a_signal_while_git_fails_says_the_file_was_put_back(
    example_repo: Path, tmp_path: Path, name: str
) -> None:
    write_hook(example_repo, "pre-commit", "echo 'hook: frozen' >&2\nexit 1\n")
    original, head_before = (example_repo / HR).read_bytes(), head(example_repo)
    slow = SlowGit(tmp_path, "commit")
    okr = slow.start(example_repo, "checkin", "offer-rate", "70")
    slow.wait_until_reached(okr)
    okr.send_signal(getattr(signal, name))
    time.sleep(0.3)
    slow.go()
    code, out, err = finish(okr)
    assert code == 130, (out, err)
    assert err == (
        f"okr: interrupted before the check-in was committed, so {HR} got its original bytes back\n"
    )
    assert (example_repo / HR).read_bytes() == original
    assert head(example_repo) == head_before
    assert git(example_repo, "status", "--porcelain") == ""


# --- outside git: the lock in the OKR root --------------------------------------------------


def plain_copy(tmp_path: Path) -> Path:
    """examples/acme, not in any git repository."""
    root = tmp_path / "plain"
    shutil.copytree(EXAMPLE, root)
    assert subprocess.run(["git", "rev-parse"], cwd=root, capture_output=True).returncode != 0
    return root


def test_outside_git_a_check_in_waits_for_the_lock_in_the_okr_root(tmp_path: Path) -> None:
    root = plain_copy(tmp_path)
    before = (root / HR).read_bytes()
    with open(root / "okr-checkin.lock", "w", encoding="utf-8") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        held.write("pid 4242 on meeting-room since 2026-08-14T10:00:00+08:00\n")
        held.flush()
        result = run_okr(
            "-C", str(root), "checkin", "offer-rate", "70", "--no-commit",
            env={"OKR_LOCK_TIMEOUT": "0"},
        )  # fmt: skip
        assert result.exit_code == 1, result
        assert "pid 4242 on meeting-room" in result.stderr
        assert (root / HR).read_bytes() == before
    result = run_okr("-C", str(root), "checkin", "offer-rate", "70", "--no-commit")
    assert result.exit_code == 0, result
    assert (root / HR).read_bytes() == with_current(before, b"70")
    assert run_okr("-C", str(root), "validate").exit_code == 0


NO_COMMIT = {
    "offer-rate": "71",
    "onboarding-days": "7.7",
    "attrition": "7.1",
    "enps": "7.6",
    "workshops": "60",
    "admin-cost": "950",
    "response-time": "3",
    "processes-online": "4",
}


def test_outside_git_concurrent_no_commit_check_ins_all_land(tmp_path: Path) -> None:
    root = plain_copy(tmp_path)

    def one(item: tuple[str, str]) -> subprocess.CompletedProcess[str]:
        address, value = item
        return subprocess.run(
            [OKR, "checkin", address, value, "--no-commit"],
            cwd=root, capture_output=True, text=True,
        )  # fmt: skip

    with ThreadPoolExecutor(max_workers=len(NO_COMMIT)) as pool:
        results = list(pool.map(one, NO_COMMIT.items()))
    for result in results:
        assert result.returncode == 0, result.stderr
    scorecard = run_okr("-C", str(root), "scorecard", "--format", "json")
    values = {
        kr["address"].rsplit("/", 1)[-1]: kr["current"]
        for team in __import__("json").loads(scorecard.stdout)["teams"]
        for objective in team["objectives"]
        for kr in objective["key_results"]
    }
    for address, value in NO_COMMIT.items():
        assert values[address] == float(value), address


# --- a kill -9 between the temporary file and the rename ------------------------------------

KILL_AT_RENAME = """\
import os, signal, sys

def _kill_at_rename(event, args):
    if event == "os.rename" and os.path.basename(str(args[0])).startswith(".hr-admin.yaml."):
        os.kill(os.getpid(), signal.SIGKILL)

sys.addaudithook(_kill_at_rename)
"""

TEMPORARY = re.compile(r"\.hr-admin\.yaml\..*\.tmp")


def temporaries(repo: Path) -> list[str]:
    return [p.name for p in (repo / "2026-Q3").iterdir() if TEMPORARY.fullmatch(p.name)]


def test_a_temporary_file_left_by_a_kill_is_removed_by_the_next_check_in(
    example_repo: Path, tmp_path: Path
) -> None:
    original = (example_repo / HR).read_bytes()
    startup = tmp_path / "kill-at-rename"
    startup.mkdir()
    (startup / "sitecustomize.py").write_text(KILL_AT_RENAME, encoding="utf-8")
    killed = subprocess.run(
        [OKR, "checkin", "offer-rate", "70"],
        cwd=example_repo,
        env={**os.environ, "PYTHONPATH": str(startup)},
        capture_output=True,
        text=True,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert (example_repo / HR).read_bytes() == original  # killed before the rename
    assert len(temporaries(example_repo)) == 1
    result = run_okr("-C", str(example_repo), "checkin", "enps", "7.5")
    assert result.exit_code == 0, result
    assert temporaries(example_repo) == []
    assert git(example_repo, "status", "--porcelain") == ""
