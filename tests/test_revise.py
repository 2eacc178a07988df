"""`okr revise ADDRESS [--target T] [--baseline B] -m REASON` (SPEC §17) in real git repos."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import git, run_okr
from test_checkin import assert_refused, diff_lines, head, snapshot, write_hook

HR = "2026-Q3/hr-admin.yaml"
REASON = "the survey moved to a new scale"


def revise(repo: Path, *args: str):  # type: ignore[no-untyped-def]
    return run_okr("-C", str(repo), "--as-of", "2026-08-15", "revise", *args)


def commit_count(repo: Path) -> int:
    return int(git(repo, "rev-list", "--count", "HEAD"))


def test_a_revised_target_changes_one_line_and_commits_the_reason(example_repo: Path) -> None:
    result = revise(example_repo, "enps", "--target", "7.6", "-m", REASON)
    assert result.exit_code == 0, result
    short = git(example_repo, "rev-parse", "--short", "HEAD").strip()
    assert result.stdout == (
        f"hr-admin/engagement/enps: target 7.8 → 7.6, progress 50% → 67% [{short}]\n"
    )
    assert diff_lines(example_repo) == ["-        target: 7.8", "+        target: 7.6"]
    assert git(example_repo, "show", "--name-only", "--format=", "HEAD").split() == [HR]
    assert git(example_repo, "log", "-1", "--format=%B").rstrip("\n") + "\n" == (
        "revise hr-admin/engagement/enps: target 7.8 → 7.6\n\n"
        f"{REASON}\n\n"
        "OKR-Revision: 2026-Q3/hr-admin/engagement/enps\n"
        "OKR-Target: 7.6\n"
    )


def test_target_and_baseline_together(example_repo: Path) -> None:
    result = revise(
        example_repo, "talent/offer-rate", "--baseline", "62.50", "--target", "80.0", "-m", "x"
    )
    assert result.exit_code == 0, result
    assert diff_lines(example_repo) == [
        "-        baseline: 60",
        "-        target: 75",
        "+        baseline: 62.5",
        "+        target: 80",
    ]
    message = git(example_repo, "log", "-1", "--format=%B").strip().split("\n\n")
    assert message[0] == "revise hr-admin/talent/offer-rate: target 75 → 80, baseline 60 → 62.5"
    assert message[-1].splitlines() == [
        "OKR-Revision: 2026-Q3/hr-admin/talent/offer-rate",
        "OKR-Target: 80",
        "OKR-Baseline: 62.5",
    ]


def test_a_baseline_alone_and_a_negative_number(example_repo: Path) -> None:
    assert revise(example_repo, "admin-cost", "--baseline", "-5", "-m", "reset").exit_code == 0
    assert diff_lines(example_repo) == ["-        baseline: 1000", "+        baseline: -5"]
    assert git(example_repo, "log", "-1", "--format=%(trailers:key=OKR-Baseline)").strip() == (
        "OKR-Baseline: -5"
    )


def test_a_full_address_names_the_cycle_and_no_commit_only_writes(example_repo: Path) -> None:
    result = revise(
        example_repo, "2026-Q3/hr-admin/engagement/enps", "--target", "8", "-m", "x", "--no-commit"
    )
    assert result.exit_code == 0 and "(written, not committed)" in result.stdout
    assert commit_count(example_repo) == 1
    assert diff_lines(example_repo, "HEAD") == ["-        target: 7.8", "+        target: 8"]


def test_log_shows_the_revision_with_its_reason_and_diff_flags_it(example_repo: Path) -> None:
    assert revise(example_repo, "enps", "--target", "7.6", "-m", REASON).exit_code == 0
    log = run_okr(
        "-C", str(example_repo), "--as-of", "2026-08-15", "log", "enps", "--format", "json"
    )
    (entry,) = json.loads(log.stdout)
    assert {k: entry[k] for k in ("address", "field", "old", "new", "note")} == {
        "address": "hr-admin/engagement/enps",
        "field": "target",
        "old": 7.8,
        "new": 7.6,
        "note": REASON,
    }
    table = run_okr("-C", str(example_repo), "--as-of", "2026-08-15", "log", "enps").stdout
    assert any("target (revised)" in line and REASON in line for line in table.splitlines())
    diff = run_okr("-C", str(example_repo), "diff", "HEAD~1", "HEAD", "--format", "json")
    (change,) = json.loads(diff.stdout)["changes"]
    assert change["fields"] == {"target": [7.8, 7.6]}
    shown = run_okr("-C", str(example_repo), "diff", "HEAD~1", "HEAD").stdout
    assert "target ⚠ revised" in shown


def test_a_revision_to_what_is_there_writes_nothing(example_repo: Path) -> None:
    result = revise(example_repo, "enps", "--target", "7.80", "--baseline", "7", "-m", "x")
    assert result.exit_code == 0
    assert (
        result.stdout
        == "hr-admin/engagement/enps: already target 7.8, baseline 7; nothing to revise\n"
    )
    assert commit_count(example_repo) == 1 and git(example_repo, "status", "--porcelain") == ""


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("enps", "--target", "7.6"), 2, "Missing option '-m'"),
        (
            ("enps", "--target", "7.6", "-m", "  \n "),
            2,
            "give the reason for the revision with -m REASON",
        ),
        (("enps", "-m", "x"), 2, "give --target T, --baseline B or both"),
        (("enps", "--target", "high", "-m", "x"), 1, "--target 'high' is not a number"),
        (
            ("enps", "--baseline", "7.8", "-m", "x"),
            1,
            "would make the target of hr-admin/engagement/enps equal its baseline (7.8)",
        ),
        (("enps", "--target", "3", "--baseline", "3", "-m", "x"), 1, "equal its baseline (3)"),
        (("dashboard", "--target", "1", "-m", "x"), 1, "hr-admin/talent/dashboard is a milestone"),
        (
            ("talent", "--target", "1", "-m", "x"),
            1,
            "'talent' is the objective hr-admin/talent; revise one of its key results",
        ),
        (("nope", "--target", "1", "-m", "x"), 1, "no key result 'nope' in 2026-Q3"),
    ],
)
def test_bad_revisions_are_refused(
    example_repo: Path, args: tuple[str, ...], code: int, message: str
) -> None:
    before, head_before = snapshot(example_repo), head(example_repo)
    result = revise(example_repo, *args)
    assert_refused(example_repo, result, before, head_before, message, code=code)


def test_what_a_check_in_refuses_revise_refuses(example_repo: Path) -> None:
    before, head_before = snapshot(example_repo), head(example_repo)
    at = run_okr(
        "-C", str(example_repo), "--at", "HEAD", "revise", "enps", "--target", "8", "-m", "x"
    )
    assert_refused(example_repo, at, before, head_before, "--at", code=2)
    (example_repo / HR).write_bytes((example_repo / HR).read_bytes() + b"# edit\n")
    dirty = revise(example_repo, "enps", "--target", "8", "-m", "x")
    assert dirty.exit_code == 1 and "has uncommitted changes" in dirty.stderr
    git(example_repo, "checkout", "--", HR)
    git(example_repo, "checkout", "-q", "--detach")
    detached = revise(example_repo, "enps", "--target", "8", "-m", "x")
    assert_refused(example_repo, detached, before, head_before, "HEAD is detached")


def test_an_invalid_team_file_is_refused(example_repo: Path) -> None:
    text = (
        (example_repo / HR)
        .read_text(encoding="utf-8")
        .replace("target: 7.8", "target: 7.8\n        colour: red")
    )
    (example_repo / HR).write_text(text, encoding="utf-8")
    git(example_repo, "commit", "-q", "-am", "typo")
    before, head_before = snapshot(example_repo), head(example_repo)
    result = revise(example_repo, "enps", "--target", "8", "-m", "x")
    assert_refused(example_repo, result, before, head_before, "does not validate")


def test_a_rejecting_hook_puts_the_file_back(example_repo: Path) -> None:
    write_hook(
        example_repo,
        "commit-msg",
        'grep -q OKR-Revision "$1" && echo "hook: no revisions" >&2 && exit 1\n',
    )
    before, head_before = snapshot(example_repo), head(example_repo)
    result = revise(example_repo, "enps", "--target", "8", "-m", "x")
    assert_refused(example_repo, result, before, head_before, "original bytes back")
    assert "hook: no revisions" in result.stderr
    assert git(example_repo, "status", "--porcelain") == ""


def test_a_new_warning_is_shown(example_repo: Path) -> None:
    result = revise(example_repo, "offer-rate", "--target", "61", "-m", "hiring freeze")
    assert result.exit_code == 0, result
    assert "warning[W104]" in result.stderr and "current 68 lies far outside" in result.stderr


@pytest.mark.parametrize("option", ["--target", "--baseline"])
def test_a_goalpost_over_the_limit_says_so(example_repo: Path, option: str) -> None:
    """'1e16' is a number, just not one okr takes: "not a number" would be wrong."""
    before = snapshot(example_repo)
    result = revise(example_repo, "enps", option, "1e16", "-m", "x")
    assert result.exit_code == 1
    assert result.stderr == (
        f"okr: {option} '1e16' is over the 1e15 limit (okr takes numbers from -1e15 to "
        "1e15); give a number in that range\n"
    )
    assert snapshot(example_repo) == before
