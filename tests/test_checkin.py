"""`okr checkin ADDRESS VALUE` (SPEC §8) in real git repositories."""

from __future__ import annotations

import fcntl
import os
import shutil
import stat
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import git, run_okr, run_okr_process

HR = "2026-Q3/hr-admin.yaml"


def head(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD").strip()


def commit_count(repo: Path) -> int:
    return int(git(repo, "rev-list", "--count", "HEAD"))


def checkin(repo: Path, *args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return run_okr("-C", str(repo), "checkin", *args, env=env)


def diff_lines(repo: Path, rev: str = "HEAD~1", path: str = HR) -> list[str]:
    """The changed lines of the last commit (or the work tree), as `-old`/`+new`."""
    out = git(repo, "diff", "-U0", rev, "--", path)
    return [
        line
        for line in out.splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def replace_line(data: bytes, old: bytes, new: bytes) -> bytes:
    assert data.count(old) == 1
    return data.replace(old, new)


def commit_file(repo: Path, path: str, data: bytes) -> None:
    (repo / path).write_bytes(data)
    git(repo, "add", "--", path)
    git(repo, "commit", "-q", "-m", f"add {path}")


def write_hook(repo: Path, name: str, body: str) -> None:
    hook = repo / ".git" / "hooks" / name
    hook.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    hook.chmod(0o755)


def staged(repo: Path) -> str:
    return git(repo, "diff", "--cached", "--name-only")


# --- the one-line diff ----------------------------------------------------------------------


def test_checkin_changes_one_line_and_commits(example_repo: Path) -> None:
    before = (example_repo / HR).read_bytes()
    result = checkin(example_repo, "offer-rate", "70")
    assert result.exit_code == 0, result
    after = (example_repo / HR).read_bytes()
    assert after == replace_line(before, b"current: 68\n", b"current: 70\n")
    assert diff_lines(example_repo) == ["-        current: 68", "+        current: 70"]
    assert commit_count(example_repo) == 2
    assert git(example_repo, "status", "--porcelain") == ""
    short = git(example_repo, "rev-parse", "--short", "HEAD").strip()
    assert result.stdout == (
        f"hr-admin/talent/offer-rate: 68 → 70 %, progress 53% → 67% [{short}]\n"
    )


def test_confidence_changes_its_own_line(example_repo: Path) -> None:
    result = checkin(example_repo, "talent/offer-rate", "70", "--confidence", "0.85")
    assert result.exit_code == 0, result
    assert diff_lines(example_repo) == [
        "-        current: 68",
        "-        confidence: 0.7",
        "+        current: 70",
        "+        confidence: 0.85",
    ]
    assert "confidence 0.7 → 0.85" in result.stdout


def test_a_missing_confidence_is_added_after_current(example_repo: Path) -> None:
    result = checkin(example_repo, "attrition", "7.2", "--confidence", "0.6")
    assert result.exit_code == 0, result
    assert diff_lines(example_repo) == [
        "-        current: 7.6",
        "+        current: 7.2",
        "+        confidence: 0.6",
    ]
    text = (example_repo / HR).read_text(encoding="utf-8")
    assert "        current: 7.2\n        confidence: 0.6\n      - id: enps\n" in text


def test_a_comment_after_the_value_survives(example_repo: Path) -> None:
    result = checkin(example_repo, "enps", "7.5", "--confidence", "0.45")
    assert result.exit_code == 0, result
    assert diff_lines(example_repo) == [
        "-        current: 7.4",
        "-        confidence: 0.4   # 调研样本偏小,信心不足",
        "+        current: 7.5",
        "+        confidence: 0.45  # 调研样本偏小,信心不足",
    ]


def test_cjk_text_and_every_other_byte_stay(example_repo: Path) -> None:
    before = (example_repo / HR).read_bytes()
    assert checkin(example_repo, "onboarding-days", "7.9").exit_code == 0
    after = (example_repo / HR).read_bytes()
    assert after == replace_line(before, b"current: 8.5\n", b"current: 7.9\n")
    assert "新员工平均入职办理时长" in after.decode("utf-8")


def test_a_milestone_takes_done_and_not_done(example_repo: Path) -> None:
    result = checkin(example_repo, "dashboard", "done")
    assert result.exit_code == 0, result
    assert diff_lines(example_repo) == ["-        done: false", "+        done: true"]
    assert "not done → done, progress 0% → 100%" in result.stdout
    assert checkin(example_repo, "dashboard", "no").exit_code == 0
    assert diff_lines(example_repo) == ["-        done: true", "+        done: false"]


@pytest.mark.parametrize(("typed", "written"), [("7.0", "7"), ("7.40", "7.4"), ("-5", "-5")])
def test_numbers_are_written_in_shortest_exact_form(
    example_repo: Path, typed: str, written: str
) -> None:
    result = checkin(example_repo, "processes-online", typed)
    assert result.exit_code == 0, result
    assert diff_lines(example_repo) == ["-        current: 2", f"+        current: {written}"]


CRLF_TEAM = (
    "# 团队\r\n"
    "objectives:\r\n"
    "  - id: ship\r\n"
    "    title: 交付\r\n"
    "    key_results:\r\n"
    "      - id: releases\r\n"
    "        title: 发布 4 个版本\r\n"
    "        baseline: 0\r\n"
    "        target: 4   # 目标\r\n"
    "      - id: bugs\r\n"
    "        title: bugs from 40 to 10\r\n"
    "        baseline: 40\r\n"
    "        target: 10\r\n"
    "        current: 30\r\n"
)


def test_crlf_file_without_current_keeps_its_line_endings(example_repo: Path) -> None:
    commit_file(example_repo, "2026-Q3/dev.yaml", CRLF_TEAM.encode())
    result = checkin(example_repo, "dev/ship/releases", "2", "--confidence", "0.9")
    assert result.exit_code == 0, result
    after = (example_repo / "2026-Q3/dev.yaml").read_bytes()
    assert (
        after
        == CRLF_TEAM.replace(
            "target: 4   # 目标\r\n",
            "target: 4   # 目标\r\n        current: 2\r\n        confidence: 0.9\r\n",
        ).encode()
    )
    assert checkin(example_repo, "bugs", "25").exit_code == 0
    assert (example_repo / "2026-Q3/dev.yaml").read_bytes() == after.replace(
        b"current: 30\r\n", b"current: 25\r\n"
    )


def test_bom_is_kept(example_repo: Path) -> None:
    data = b"\xef\xbb\xbf" + CRLF_TEAM.replace("\r\n", "\n").encode()
    commit_file(example_repo, "2026-Q3/dev.yaml", data)
    assert checkin(example_repo, "bugs", "25").exit_code == 0
    after = (example_repo / "2026-Q3/dev.yaml").read_bytes()
    assert after == replace_line(data, b"current: 30\n", b"current: 25\n")


def test_the_file_mode_is_kept(example_repo: Path) -> None:
    (example_repo / HR).chmod(0o600)
    assert checkin(example_repo, "offer-rate", "70").exit_code == 0
    assert stat.S_IMODE((example_repo / HR).stat().st_mode) == 0o600


# --- the commit -----------------------------------------------------------------------------


def trailers(repo: Path, rev: str = "HEAD") -> list[str]:
    out = git(repo, "log", "-1", "--format=%(trailers:only,unfold)", rev)
    return [line for line in out.splitlines() if line]


def test_message_subject_note_and_trailers(example_repo: Path) -> None:
    result = checkin(
        example_repo, "offer-rate", "70", "--confidence", "0.8", "-m", "two offers accepted"
    )
    assert result.exit_code == 0, result
    assert git(example_repo, "log", "-1", "--format=%s").strip() == (
        "checkin hr-admin/talent/offer-rate: 68 → 70, confidence 0.7 → 0.8"
    )
    body = git(example_repo, "log", "-1", "--format=%b")
    assert body.startswith("two offers accepted\n\n")
    assert trailers(example_repo) == [
        "OKR-Check-In: 2026-Q3/hr-admin/talent/offer-rate",
        "OKR-Value: 70",
        "OKR-Confidence: 0.8",
    ]


def test_no_confidence_trailer_without_confidence(example_repo: Path) -> None:
    assert checkin(example_repo, "dashboard", "yes").exit_code == 0
    assert trailers(example_repo) == [
        "OKR-Check-In: 2026-Q3/hr-admin/talent/dashboard",
        "OKR-Value: true",
    ]


def test_a_staged_unrelated_file_stays_staged_and_out_of_the_commit(example_repo: Path) -> None:
    (example_repo / "notes.txt").write_text("draft\n", encoding="utf-8")
    sales = example_repo / "2026-Q3/sales.yaml"
    sales.write_bytes(sales.read_bytes() + b"# staged edit\n")
    git(example_repo, "add", "notes.txt", "2026-Q3/sales.yaml")
    assert checkin(example_repo, "offer-rate", "70").exit_code == 0
    assert git(example_repo, "show", "--name-only", "--format=", "HEAD").split() == [HR]
    assert staged(example_repo).split() == ["2026-Q3/sales.yaml", "notes.txt"]


def test_git_identity_and_dates_come_from_the_environment(example_repo: Path) -> None:
    env = {
        "GIT_AUTHOR_NAME": "王芳",
        "GIT_AUTHOR_EMAIL": "wang@example.com",
        "GIT_AUTHOR_DATE": "2026-08-14T10:00:00+08:00",
        "GIT_COMMITTER_DATE": "2026-08-14T10:00:00+08:00",
    }
    assert checkin(example_repo, "offer-rate", "70", env=env).exit_code == 0
    assert git(example_repo, "log", "-1", "--format=%an <%ae> %aI").strip() == (
        "王芳 <wang@example.com> 2026-08-14T10:00:00+08:00"
    )


def test_notes_and_addresses_are_never_git_options(example_repo: Path) -> None:
    result = checkin(example_repo, "offer-rate", "70", "-m", "--amend")
    assert result.exit_code == 0, result
    assert commit_count(example_repo) == 2
    assert git(example_repo, "log", "-1", "--format=%b").startswith("--amend\n")
    result = run_okr("-C", str(example_repo), "checkin", "--", "--help", "5")
    assert result.exit_code == 1 and "no key result '--help'" in result.stderr
    assert commit_count(example_repo) == 2


def test_no_change_writes_and_commits_nothing(example_repo: Path) -> None:
    before = (example_repo / HR).read_bytes()
    result = checkin(example_repo, "offer-rate", "68.0", "--confidence", "0.7")
    assert result.exit_code == 0, result
    assert "nothing to check in" in result.stdout
    assert "note" not in result.stdout
    assert (example_repo / HR).read_bytes() == before
    assert commit_count(example_repo) == 1
    with_note = checkin(example_repo, "offer-rate", "68", "-m", "no news this week")
    assert with_note.exit_code == 0, with_note
    assert with_note.stdout.endswith(
        "nothing to check in (the note was not recorded: nothing changed to attach it to)\n"
    )
    assert commit_count(example_repo) == 1


def test_no_commit_writes_without_committing(example_repo: Path) -> None:
    result = checkin(example_repo, "offer-rate", "70", "--no-commit")
    assert result.exit_code == 0, result
    assert "not committed" in result.stdout
    assert commit_count(example_repo) == 1
    assert diff_lines(example_repo, "HEAD") == ["-        current: 68", "+        current: 70"]
    assert staged(example_repo) == ""


def test_no_commit_works_outside_git(okr_dir: Path) -> None:
    team = okr_dir / "2026-Q3" / "team.yaml"
    team.write_bytes(CRLF_TEAM.encode())
    result = run_okr("-C", str(okr_dir), "checkin", "bugs", "20", "--no-commit")
    assert result.exit_code == 0, result
    assert team.read_bytes() == CRLF_TEAM.replace("current: 30", "current: 20").encode()


# --- refusals: each changes nothing ---------------------------------------------------------


def assert_refused(
    repo: Path,
    result: object,
    before: dict[str, bytes],
    head_before: str,
    match: str,
    code: int = 1,
) -> None:
    assert result.exit_code == code, result  # type: ignore[attr-defined]
    assert match in result.stderr, result  # type: ignore[attr-defined]
    assert "Traceback" not in result.stderr  # type: ignore[attr-defined]
    assert head(repo) == head_before
    for path, data in before.items():
        assert (repo / path).read_bytes() == data, path


def snapshot(repo: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(repo)): p.read_bytes()
        for p in (repo / "2026-Q3").iterdir()
        if p.is_file()
    }


AMBIGUOUS = b"""objectives:
  - id: hiring
    title: hire well
    key_results:
      - id: offer-rate
        title: offer rate 50 to 70
        baseline: 50
        target: 70
"""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("no-such-kr", "5"), "no key result 'no-such-kr'"),
        (("offer-rat", "5"), "did you mean"),
        (("offer-rate", "abc"), "'abc' is not a number"),
        (("offer-rate", "done"), "'done' is not a number"),
        (("offer-rate", ".nan"), "is not a number"),
        (("offer-rate", "1e400"), "is over the 1e15 limit"),
        (("dashboard", "7"), "give done (or true, yes) or not-done"),
        (("offer-rate", "70", "--confidence", "1.5"), "from 0 to 1"),
        (("offer-rate", "70", "--confidence", "high"), "from 0 to 1"),
        (("talent", "70"), "is the objective hr-admin/talent"),
    ],
)
def test_bad_input_is_refused(example_repo: Path, args: tuple[str, ...], message: str) -> None:
    before, head_before = snapshot(example_repo), head(example_repo)
    assert_refused(example_repo, checkin(example_repo, *args), before, head_before, message)


def test_an_ambiguous_address_lists_the_candidates(example_repo: Path) -> None:
    commit_file(example_repo, "2026-Q3/recruiting.yaml", AMBIGUOUS)
    before, head_before = snapshot(example_repo), head(example_repo)
    result = checkin(example_repo, "offer-rate", "60")
    assert_refused(example_repo, result, before, head_before, "is ambiguous")
    assert "hr-admin/talent/offer-rate" in result.stderr
    assert "recruiting/hiring/offer-rate" in result.stderr


def test_an_invalid_team_file_is_refused(example_repo: Path) -> None:
    data = (example_repo / HR).read_bytes().replace(b"target: 75", b"target: 60")
    commit_file(example_repo, HR, data)
    before, head_before = snapshot(example_repo), head(example_repo)
    result = checkin(example_repo, "offer-rate", "70")
    assert_refused(example_repo, result, before, head_before, "does not validate")
    assert "E008" in result.stderr


def test_a_dirty_team_file_is_refused(example_repo: Path) -> None:
    (example_repo / HR).write_bytes((example_repo / HR).read_bytes() + b"# my edit\n")
    before, head_before = snapshot(example_repo), head(example_repo)
    result = checkin(example_repo, "offer-rate", "70")
    assert_refused(example_repo, result, before, head_before, "has uncommitted changes")
    assert "git restore" in result.stderr
    result = checkin(example_repo, "offer-rate", "70", "--no-commit")
    assert_refused(example_repo, result, before, head_before, "has uncommitted changes")


def test_a_staged_change_to_the_team_file_is_refused(example_repo: Path) -> None:
    (example_repo / HR).write_bytes((example_repo / HR).read_bytes() + b"# my edit\n")
    git(example_repo, "add", HR)
    before, head_before = snapshot(example_repo), head(example_repo)
    result = checkin(example_repo, "offer-rate", "70")
    assert_refused(example_repo, result, before, head_before, "has uncommitted changes")
    assert staged(example_repo).split() == [HR]


def test_an_untracked_team_file_is_refused(example_repo: Path) -> None:
    (example_repo / "2026-Q3/recruiting.yaml").write_bytes(AMBIGUOUS)
    before, head_before = snapshot(example_repo), head(example_repo)
    result = checkin(example_repo, "recruiting/hiring/offer-rate", "60")
    assert_refused(example_repo, result, before, head_before, "is not committed yet")


def test_an_ignored_team_file_is_refused(example_repo: Path) -> None:
    (example_repo / ".gitignore").write_text("2026-Q3/recruiting.yaml\n", encoding="utf-8")
    git(example_repo, "add", ".gitignore")
    git(example_repo, "commit", "-q", "-m", "ignore a team file")
    (example_repo / "2026-Q3/recruiting.yaml").write_bytes(AMBIGUOUS)
    before, head_before = snapshot(example_repo), head(example_repo)
    result = checkin(example_repo, "recruiting/hiring/offer-rate", "60")
    assert_refused(example_repo, result, before, head_before, "is not in the last commit")


def test_a_team_file_in_a_repository_of_its_own_is_refused(example_repo: Path) -> None:
    """A cycle folder that is a clone of its own, which the outer repository does not
    track: git status says nothing of its files, and still the file is not in HEAD."""
    cycle = example_repo / "2026-Q4"
    cycle.mkdir()
    (cycle / "recruiting.yaml").write_bytes(AMBIGUOUS)
    git(cycle, "init", "-q")
    git(cycle, "add", "recruiting.yaml")
    git(cycle, "commit", "-q", "-m", "a repository of its own")
    before, head_before = snapshot(example_repo), head(example_repo)
    result = checkin(example_repo, "2026-Q4/recruiting/hiring/offer-rate", "60")
    assert_refused(example_repo, result, before, head_before, "is not in the last commit")
    assert (cycle / "recruiting.yaml").read_bytes() == AMBIGUOUS


def test_a_tracked_team_file_below_a_stray_git_folder_is_checked_in(example_repo: Path) -> None:
    """A `.git` in the cycle folder (a stray `git init`) does not hide the files the outer
    repository tracks there: git commits them as before."""
    git(example_repo / "2026-Q3", "init", "-q")
    result = checkin(example_repo, "offer-rate", "70")
    assert result.exit_code == 0, result
    assert diff_lines(example_repo) == ["-        current: 68", "+        current: 70"]
    assert git(example_repo, "status", "--porcelain", "--", HR) == ""


def test_a_detached_head_is_refused(example_repo: Path) -> None:
    git(example_repo, "checkout", "-q", "--detach")
    before, head_before = snapshot(example_repo), head(example_repo)
    result = checkin(example_repo, "offer-rate", "70")
    assert_refused(example_repo, result, before, head_before, "HEAD is detached")
    assert checkin(example_repo, "offer-rate", "70", "--no-commit").exit_code == 0


def test_a_symlinked_team_file_is_refused(example_repo: Path) -> None:
    real = example_repo / "real-hr.yaml"
    shutil.move(example_repo / HR, real)
    (example_repo / HR).symlink_to(real)
    git(example_repo, "add", "-A")
    git(example_repo, "commit", "-q", "-m", "symlink")
    before, head_before = snapshot(example_repo), head(example_repo)
    real_before = real.read_bytes()
    for extra in ((), ("--no-commit",)):
        result = checkin(example_repo, "offer-rate", "70", *extra)
        assert_refused(example_repo, result, before, head_before, "symbolic link")
    assert real.read_bytes() == real_before and (example_repo / HR).is_symlink()


def test_a_symlinked_cycle_folder_is_refused(example_repo: Path) -> None:
    # 2026-Q4 points at 2026-Q3: its check-in would commit 2026-Q3's file under Q4 trailers.
    (example_repo / "2026-Q4").symlink_to("2026-Q3")
    git(example_repo, "add", "2026-Q4")
    git(example_repo, "commit", "-q", "-m", "Q4 as Q3")
    before, head_before = snapshot(example_repo), head(example_repo)
    for extra in ((), ("--no-commit",)):
        result = run_okr(
            "-C", str(example_repo), "--as-of", "2026-11-15",
            "checkin", "2026-Q4/hr-admin/talent/offer-rate", "70", *extra,
        )  # fmt: skip
        assert_refused(example_repo, result, before, head_before, "a symbolic link (to 2026-Q3)")
        assert "2026-Q4/hr-admin.yaml lies in 2026-Q4" in result.stderr
    assert git(example_repo, "status", "--porcelain") == ""


def test_flow_style_is_refused(example_repo: Path) -> None:
    flow = (
        b"objectives:\n  - id: ship\n    title: ship 3\n    key_results:\n"
        b"      - {id: releases, title: ship 3 releases, baseline: 0, target: 3}\n"
    )
    commit_file(example_repo, "2026-Q3/dev.yaml", flow)
    before, head_before = snapshot(example_repo), head(example_repo)
    result = checkin(example_repo, "releases", "1")
    assert_refused(example_repo, result, before, head_before, "flow style")


def test_at_is_a_usage_error(example_repo: Path) -> None:
    before, head_before = snapshot(example_repo), head(example_repo)
    result = run_okr("-C", str(example_repo), "--at", "HEAD", "checkin", "offer-rate", "70")
    assert_refused(example_repo, result, before, head_before, "--at", code=2)


def test_outside_git_is_refused_without_no_commit(okr_dir: Path) -> None:
    team = okr_dir / "2026-Q3" / "team.yaml"
    team.write_bytes(CRLF_TEAM.encode())
    result = run_okr("-C", str(okr_dir), "checkin", "bugs", "20")
    assert result.exit_code == 1 and "not inside a git work tree" in result.stderr
    assert "--no-commit" in result.stderr
    assert team.read_bytes() == CRLF_TEAM.encode()


def foreign(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make git see `repo` as another user's (it then refuses it: dubious ownership)."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        monkeypatch.delenv("SUDO_UID", raising=False)  # else root may act as that user
        os.chown(repo, 4242, 4242)
    else:  # git's own switch for its test suite: the ownership check runs for real
        monkeypatch.setenv("GIT_TEST_ASSUME_DIFFERENT_OWNER", "1")


def test_a_repository_git_refuses_shows_git_reason_and_fix(
    example_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before, head_before = snapshot(example_repo), head(example_repo)
    foreign(example_repo, monkeypatch)
    for extra in ((), ("--no-commit",)):
        result = checkin(example_repo, "offer-rate", "70", *extra)
        assert result.exit_code == 1, result
        assert "git init" not in result.stderr
        assert result.stderr.startswith("okr: git refuses the repository holding ")
        assert "detected dubious ownership in repository at " in result.stderr
        assert (
            "if you trust it, mark it safe with 'git config --global --add safe.directory "
            in result.stderr
        )
        assert len(result.stderr.strip().splitlines()) == 1
        assert snapshot(example_repo) == before
    log = run_okr("-C", str(example_repo), "log")
    assert log.exit_code == 1 and "dubious ownership" in log.stderr, log
    # As told: mark it safe, and the check-in lands.
    git(example_repo, "config", "--global", "--add", "safe.directory", str(example_repo))
    assert checkin(example_repo, "offer-rate", "70").exit_code == 0
    assert head(example_repo) != head_before


def start_conflicted_merge(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "other")
    sales = repo / "2026-Q3/sales.yaml"
    sales.write_bytes(sales.read_bytes() + b"# other\n")
    git(repo, "commit", "-q", "-am", "other")
    git(repo, "checkout", "-q", "main")
    sales.write_bytes(sales.read_bytes() + b"# main\n")
    git(repo, "commit", "-q", "-am", "main")


@pytest.mark.parametrize("operation", ["merge", "rebase", "cherry-pick", "revert"])
def test_mid_operation_is_refused_even_with_no_commit(example_repo: Path, operation: str) -> None:
    start_conflicted_merge(example_repo)
    if operation == "revert":
        sales = example_repo / "2026-Q3/sales.yaml"
        sales.write_bytes(sales.read_bytes() + b"# more\n")
        git(example_repo, "commit", "-q", "-am", "more")
        args = ["revert", "--no-edit", "HEAD~1"]
    else:
        args = {
            "merge": ["merge", "other"],
            "rebase": ["rebase", "other"],
            "cherry-pick": ["cherry-pick", "other"],
        }[operation]
    done = subprocess.run(["git", *args], cwd=example_repo, capture_output=True)
    assert done.returncode != 0  # stopped on the conflict
    before, head_before = snapshot(example_repo), head(example_repo)
    for extra in ((), ("--no-commit",)):
        result = checkin(example_repo, "offer-rate", "70", *extra)
        assert_refused(example_repo, result, before, head_before, "in the middle of")


# --- when the commit fails ------------------------------------------------------------------


def assert_put_back(
    repo: Path, result: object, before: dict[str, bytes], head_before: str, git_says: str
) -> None:
    assert_refused(repo, result, before, head_before, "original bytes back")
    assert git_says in result.stderr  # type: ignore[attr-defined]
    assert staged(repo) == ""
    assert git(repo, "status", "--porcelain") == ""


def test_a_rejecting_pre_commit_hook_puts_the_file_back(example_repo: Path) -> None:
    write_hook(example_repo, "pre-commit", "echo 'hook: KR values are frozen' >&2\nexit 1\n")
    before, head_before = snapshot(example_repo), head(example_repo)
    result = checkin(example_repo, "offer-rate", "70")
    assert_put_back(example_repo, result, before, head_before, "hook: KR values are frozen")


def test_a_rejecting_commit_msg_hook_puts_the_file_back(example_repo: Path) -> None:
    write_hook(example_repo, "commit-msg", 'grep -q OKR-Check-In "$1" && exit 1\nexit 0\n')
    before, head_before = snapshot(example_repo), head(example_repo)
    result = checkin(example_repo, "offer-rate", "70")
    assert_put_back(example_repo, result, before, head_before, "git said")


def test_an_index_lock_puts_the_file_back(example_repo: Path) -> None:
    (example_repo / ".git" / "index.lock").write_bytes(b"")
    before, head_before = snapshot(example_repo), head(example_repo)
    result = checkin(example_repo, "offer-rate", "70")
    assert_refused(example_repo, result, before, head_before, "index.lock")
    assert "original bytes back" in result.stderr
    (example_repo / ".git" / "index.lock").unlink()
    assert staged(example_repo) == "" and git(example_repo, "status", "--porcelain") == ""


def test_no_identity_puts_the_file_back(example_repo: Path, isolated_env: Path) -> None:
    config = isolated_env / "no-identity.gitconfig"
    config.write_text("[user]\n\tuseConfigOnly = true\n", encoding="utf-8")
    before, head_before = snapshot(example_repo), head(example_repo)
    env = {"GIT_CONFIG_GLOBAL": str(config), "EMAIL": ""}
    result = checkin(example_repo, "offer-rate", "70", env=env)
    assert_put_back(example_repo, result, before, head_before, "git said")


def test_failing_signing_puts_the_file_back(example_repo: Path) -> None:
    git(example_repo, "config", "commit.gpgsign", "true")
    git(example_repo, "config", "gpg.program", "false")
    before, head_before = snapshot(example_repo), head(example_repo)
    result = checkin(example_repo, "offer-rate", "70")
    git(example_repo, "config", "commit.gpgsign", "false")
    assert_put_back(example_repo, result, before, head_before, "git said")


# --- the lock and concurrency ---------------------------------------------------------------


def test_a_held_lock_makes_a_check_in_wait_then_say_who_holds_it(example_repo: Path) -> None:
    lock_path = example_repo / ".git" / "okr-checkin.lock"
    with open(lock_path, "w", encoding="utf-8") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        held.write("pid 4242 on meeting-room since 2026-08-14T10:00:00+08:00\n")
        held.flush()
        before, head_before = snapshot(example_repo), head(example_repo)
        result = checkin(example_repo, "offer-rate", "70", env={"OKR_LOCK_TIMEOUT": "0"})
        assert_refused(example_repo, result, before, head_before, "pid 4242 on meeting-room")
    assert checkin(example_repo, "offer-rate", "70").exit_code == 0


def test_a_check_in_waits_for_a_held_lock_and_then_lands(example_repo: Path) -> None:
    lock_path = example_repo / ".git" / "okr-checkin.lock"
    events: list[str] = []
    held = open(lock_path, "w", encoding="utf-8")  # noqa: SIM115 - closed by the timer
    fcntl.flock(held, fcntl.LOCK_EX)
    held.write("pid 4242 on meeting-room since 2026-08-14T10:00:00+08:00\n")
    held.flush()
    events.append("held")

    def release() -> None:
        events.append("released")
        fcntl.flock(held, fcntl.LOCK_UN)
        held.close()

    timer = threading.Timer(0.5, release)
    timer.start()
    try:
        events.append("check-in started")
        result = checkin(example_repo, "offer-rate", "70", env={"OKR_LOCK_TIMEOUT": "10"})
        events.append("check-in finished")
    finally:
        timer.join()
    assert result.exit_code == 0, result
    # It waited: the lock was held when it started and let go before it finished.
    assert events == ["held", "check-in started", "released", "check-in finished"]
    assert diff_lines(example_repo) == ["-        current: 68", "+        current: 70"]
    assert commit_count(example_repo) == 2


CONCURRENT = {
    "offer-rate": "71",
    "onboarding-days": "7.7",
    "dashboard": "done",
    "attrition": "7.1",
    "enps": "7.6",
    "workshops": "60",
    "revenue": "14.1",
    "churn": "3",
}


def test_concurrent_check_ins_all_land(example_repo: Path) -> None:
    def one(item: tuple[str, str]) -> subprocess.CompletedProcess[str]:
        address, value = item
        return run_okr_process("checkin", address, value, "-m", f"set {address}", cwd=example_repo)

    with ThreadPoolExecutor(max_workers=len(CONCURRENT)) as pool:
        results = list(pool.map(one, CONCURRENT.items()))
    for result in results:
        assert result.returncode == 0, result.stderr
    assert commit_count(example_repo) == 1 + len(CONCURRENT)
    assert git(example_repo, "status", "--porcelain") == ""
    for address, value in CONCURRENT.items():
        log = git(
            example_repo,
            "log",
            "--format=%(trailers:key=OKR-Value,valueonly)%x00",
            f"--grep=OKR-Check-In: .*/{address}$",
        )
        written = "true" if value == "done" else value
        assert log.strip("\x00\n") == written, address
    scorecard = run_okr("-C", str(example_repo), "scorecard", "--format", "json")
    assert scorecard.exit_code == 0
    values = {
        kr["address"].rsplit("/", 1)[-1]: kr["done"] if kr["done"] is not None else kr["current"]
        for team in __import__("json").loads(scorecard.stdout)["teams"]
        for objective in team["objectives"]
        for kr in objective["key_results"]
    }
    for address, value in CONCURRENT.items():
        expected = True if value == "done" else float(value)
        assert values[address] == expected, address


def test_two_clones_check_in_different_krs_and_merge_cleanly(
    example_repo: Path, tmp_path: Path
) -> None:
    origin = tmp_path / "origin.git"
    git(tmp_path, "clone", "-q", "--bare", str(example_repo), str(origin))
    first, second = tmp_path / "first", tmp_path / "second"
    git(tmp_path, "clone", "-q", str(origin), str(first))
    git(tmp_path, "clone", "-q", str(origin), str(second))
    assert checkin(first, "offer-rate", "72").exit_code == 0
    git(first, "push", "-q", "origin", "main")
    assert checkin(second, "processes-online", "4", "--confidence", "0.9").exit_code == 0
    git(second, "pull", "-q", "--no-rebase", "--no-edit", "origin", "main")
    text = (second / HR).read_text(encoding="utf-8")
    assert "        current: 72\n" in text
    assert "        current: 4\n        confidence: 0.9\n" in text
    assert run_okr("-C", str(second), "validate").exit_code == 0


# --- a check-in killed between writing and committing ---------------------------------------


KILL_OKR = """\
git_pid=$PPID
okr_pid=$(ps -o ppid= -p "$git_pid" | tr -d ' ')
kill -9 "$okr_pid"
exit 1
"""


@pytest.mark.skipif(shutil.which("ps") is None or sys.platform == "win32", reason="needs ps")
def test_a_check_in_killed_before_committing_is_explained_next_time(example_repo: Path) -> None:
    original = (example_repo / HR).read_bytes()
    head_before = head(example_repo)
    write_hook(example_repo, "pre-commit", KILL_OKR)
    killed = run_okr_process("checkin", "offer-rate", "70", cwd=example_repo)
    assert killed.returncode == -9
    wait_for_git(example_repo)
    (example_repo / ".git" / "hooks" / "pre-commit").unlink()
    # The file was written (atomically, so whole) and not committed.
    assert (example_repo / HR).read_bytes() == replace_line(
        original, b"current: 68\n", b"current: 70\n"
    )
    assert head(example_repo) == head_before
    result = checkin(example_repo, "enps", "7.5")
    assert result.exit_code == 1
    assert "a previous check-in (checkin hr-admin/talent/offer-rate: 68 → 70)" in result.stderr
    assert "was interrupted" in result.stderr
    assert "'git diff -- " in result.stderr and "hr-admin.yaml'" in result.stderr
    assert "git restore --" in result.stderr
    assert head(example_repo) == head_before
    # Recovering as told: discard, and check in again.
    git(example_repo, "restore", "--", HR)
    assert checkin(example_repo, "enps", "7.5").exit_code == 0
    assert not (example_repo / ".git" / "okr-checkin.pending").exists()


def wait_for_git(repo: Path) -> None:
    """The killed check-in's git may still be finishing; wait until it let go of the index."""
    for _ in range(400):
        if not (repo / ".git" / "index.lock").exists():
            return
        time.sleep(0.025)


@pytest.mark.skipif(shutil.which("ps") is None or sys.platform == "win32", reason="needs ps")
def test_recovered_by_committing_the_interrupted_change(example_repo: Path) -> None:
    pending = example_repo / ".git" / "okr-checkin.pending"
    write_hook(example_repo, "pre-commit", KILL_OKR)
    killed = run_okr_process("checkin", "offer-rate", "70", cwd=example_repo)
    assert killed.returncode == -9
    wait_for_git(example_repo)
    (example_repo / ".git" / "hooks" / "pre-commit").unlink()
    assert pending.exists()  # the interrupted check-in left its note
    assert diff_lines(example_repo, "HEAD") == ["-        current: 68", "+        current: 70"]
    # Recovering as told: commit the interrupted change, and check in again.
    git(example_repo, "commit", "-q", "-m", "offer rate 70", "--", HR)
    assert commit_count(example_repo) == 2
    result = checkin(example_repo, "offer-rate", "72")
    assert result.exit_code == 0, result
    assert diff_lines(example_repo) == ["-        current: 70", "+        current: 72"]
    assert commit_count(example_repo) == 3
    assert git(example_repo, "status", "--porcelain") == ""
    assert not pending.exists()


def test_the_okr_root_may_be_a_subfolder_of_the_repository(tmp_path: Path) -> None:
    repo = tmp_path / "company"
    shutil.copytree(Path(__file__).resolve().parent.parent / "examples" / "acme", repo / "okrs")
    (repo / "README").write_text("docs\n", encoding="utf-8")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "init")
    result = run_okr("-C", str(repo / "okrs" / "2026-Q3"), "checkin", "offer-rate", "70")
    assert result.exit_code == 0, result
    assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == [f"okrs/{HR}"]


HR_Q4 = "2026-Q4/hr-admin.yaml"
IN_Q4 = "2026-11-15"  # an as-of date whose default cycle is 2026-Q4


def only_hr_company(folder: str, names: list[str]) -> set[str]:
    return set(names) - {"hr-admin.yaml", "company.yaml"}


def test_a_full_address_with_its_cycle_selects_the_cycle(example_repo: Path) -> None:
    # 2026-Q4 holds copies of hr-admin and the company file its objectives align to.
    shutil.copytree(example_repo / "2026-Q3", example_repo / "2026-Q4", ignore=only_hr_company)
    git(example_repo, "add", "2026-Q4")
    git(example_repo, "commit", "-q", "-m", "add 2026-Q4")
    q3_before, q4_before = (example_repo / HR).read_bytes(), (example_repo / HR_Q4).read_bytes()
    result = run_okr(
        "-C", str(example_repo), "--as-of", IN_Q4,
        "checkin", "2026-Q3/hr-admin/talent/offer-rate", "70",
    )  # fmt: skip
    assert result.exit_code == 0, result
    assert (example_repo / HR).read_bytes() == replace_line(
        q3_before, b"current: 68\n", b"current: 70\n"
    )
    assert (example_repo / HR_Q4).read_bytes() == q4_before
    assert git(example_repo, "show", "--name-only", "--format=", "HEAD").split() == [HR]
    assert trailers(example_repo)[0] == "OKR-Check-In: 2026-Q3/hr-admin/talent/offer-rate"
    # The same KR without its cycle is 2026-Q4's on that date: the cycle prefix decided.
    short = run_okr("-C", str(example_repo), "--as-of", IN_Q4, "checkin", "offer-rate", "72")
    assert short.exit_code == 0, short
    assert git(example_repo, "show", "--name-only", "--format=", "HEAD").split() == [HR_Q4]
    assert trailers(example_repo)[0] == "OKR-Check-In: 2026-Q4/hr-admin/talent/offer-rate"


@pytest.mark.parametrize("value", ["1e16", "-1e16", "10000000000000001", "7e400", ".inf"])
def test_a_value_over_the_limit_says_so(example_repo: Path, value: str) -> None:
    """'1e16' is a number, just not one okr takes: saying "not a number" would be wrong."""
    before = (example_repo / HR).read_bytes()
    result = checkin(example_repo, "offer-rate", "--", value)
    assert result.exit_code == 1
    assert result.stderr == (
        f"okr: '{value}' is over the 1e15 limit (okr takes numbers from -1e15 to 1e15); "
        "give hr-admin/talent/offer-rate a value in that range, like 75\n"
    )
    assert (example_repo / HR).read_bytes() == before


BROKEN = (
    "okr: 2026-Q3/hr-admin.yaml:5:3: this team file does not parse (not valid YAML (expected "
    "the node content, but found '-'); a value was due here; close any open '[' or '{{'), and "
    "'{address}' may be one of its key results; fix it first (see 'okr validate')\n"
)


@pytest.mark.parametrize(
    "address", ["hr-admin/talent/offer-rate", "offer-rate", "talent/offer-rate"]
)
def test_a_kr_in_a_file_that_does_not_parse_is_not_called_unknown(
    example_repo: Path, address: str
) -> None:
    """Not "no key result …; did you mean" another team's KR: the file is the problem."""
    text = (example_repo / HR).read_text(encoding="utf-8")
    (example_repo / HR).write_text(text.replace("objectives:", "objectives: [", 1), "utf-8")
    git(example_repo, "commit", "-q", "-am", "a syntax error")
    result = checkin(example_repo, address, "70")
    assert result.exit_code == 1
    assert result.stderr == BROKEN.format(address=address)


def test_a_file_that_does_not_parse_leaves_other_teams_alone(example_repo: Path) -> None:
    """The same id in a broken file makes a suffix uncertain; a full address, or an id the
    broken file does not hold, still checks in."""
    text = (example_repo / HR).read_text(encoding="utf-8")
    (example_repo / HR).write_text(text.replace("objectives:", "objectives: [", 1), "utf-8")
    git(example_repo, "commit", "-q", "-am", "a syntax error")
    assert checkin(example_repo, "new-customers", "10").exit_code == 0
    assert checkin(example_repo, "sales/new-markets/new-customers", "11").exit_code == 0
    unknown = checkin(example_repo, "no-such-kr", "1")
    assert unknown.exit_code == 1 and "no key result 'no-such-kr'" in unknown.stderr
