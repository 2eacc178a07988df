"""SPEC §4, §6 (--at) and §8–§12 read literally: one test per sentence we once got wrong."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import git, run_okr

HR = "2026-Q3/hr-admin.yaml"


def trailers(repo: Path) -> list[str]:
    out = git(repo, "log", "-1", "--format=%B")
    parsed = git_interpret_trailers(repo, out)
    return [line for line in parsed.splitlines() if line]


def git_interpret_trailers(repo: Path, message: str) -> str:
    import subprocess

    done = subprocess.run(
        ["git", "interpret-trailers", "--parse"],
        cwd=repo,
        input=message,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def commit_dated(repo: Path, message: str, day: str) -> None:
    stamp = f"{day}T10:00:00+00:00"
    env = {"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
    import os
    import subprocess

    subprocess.run(
        ["git", "commit", "-q", "-a", "-m", message],
        cwd=repo,
        env={**os.environ, **env},
        check=True,
    )


# --- §8: trailers ---------------------------------------------------------------------------


def test_confidence_trailer_whenever_confidence_is_given(example_repo: Path) -> None:
    """§8: `OKR-Confidence` only when `--confidence` is given -- and then always, even when
    the confidence given equals the one in the file (the value changed)."""
    result = run_okr("-C", str(example_repo), "checkin", "offer-rate", "70", "--confidence", "0.7")
    assert result.exit_code == 0, result
    assert trailers(example_repo) == [
        "OKR-Check-In: 2026-Q3/hr-admin/talent/offer-rate",
        "OKR-Value: 70",
        "OKR-Confidence: 0.7",
    ]
    changed = git(example_repo, "diff", "-U0", "HEAD~1", "--", HR)
    assert "confidence" not in changed  # the line itself stays: its value did not change


def test_interactive_confidence_typed_gives_its_trailer(example_repo: Path) -> None:
    """§12: one OKR-Check-In/OKR-Value[/OKR-Confidence] group per KR: a confidence typed
    (even the same as before) is in the group, Enter leaves it out."""
    answers = ["70", "0.7", "", "8", "", ""] + ["", "", ""] * 7 + [""]
    result = run_okr(
        "-C", str(example_repo), "checkin", "-i", "hr-admin", input="\n".join(answers) + "\n"
    )
    assert result.exit_code == 0, result
    assert trailers(example_repo) == [
        "OKR-Check-In: 2026-Q3/hr-admin/talent/offer-rate",
        "OKR-Value: 70",
        "OKR-Confidence: 0.7",
        "OKR-Check-In: 2026-Q3/hr-admin/talent/onboarding-days",
        "OKR-Value: 8",
    ]


# --- §4: full addresses name their cycle everywhere -----------------------------------------


def with_second_cycle(repo: Path) -> None:
    """A 2026-Q4 folder next to 2026-Q3, so the full address must pick the cycle."""
    (repo / "2026-Q4").mkdir()
    shutil.copy(repo / HR, repo / "2026-Q4/hr-admin.yaml")
    text = (repo / "2026-Q4/hr-admin.yaml").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if "aligns:" not in line]
    (repo / "2026-Q4/hr-admin.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Q4")


def test_log_takes_a_full_address_of_another_cycle(example_repo: Path) -> None:
    with_second_cycle(example_repo)
    full = "2026-Q3/hr-admin/talent/offer-rate"
    assert run_okr("-C", str(example_repo), "checkin", full, "71").exit_code == 0
    result = run_okr(
        "-C", str(example_repo), "--as-of", "2026-11-15", "log", full, "--format", "json"
    )
    assert result.exit_code == 0, result
    entries = json.loads(result.stdout)
    assert [(e["address"], e["old"], e["new"]) for e in entries] == [
        ("hr-admin/talent/offer-rate", 68, 71)
    ]


# --- §11: commits after the as-of date are ignored, their values too ------------------------


def dated_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "acme"
    shutil.copytree(Path(__file__).resolve().parent.parent / "examples" / "acme", repo)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    commit_dated(repo, "Import OKRs", "2026-07-01")
    return repo


def set_current(repo: Path, old: str, new: str) -> None:
    text = (repo / HR).read_text(encoding="utf-8")
    assert text.count(old) == 1
    (repo / HR).write_text(text.replace(old, new), encoding="utf-8")


def test_stale_ignores_a_later_commit_that_reaches_the_target(tmp_path: Path) -> None:
    """offer-rate reaches its target (75) on 07-20; as of 07-15 that commit is ignored, so
    the KR is not done yet and has been unchanged since 07-01."""
    repo = dated_repo(tmp_path)
    set_current(repo, "current: 68", "current: 75")
    commit_dated(repo, "offer-rate at target", "2026-07-20")
    result = run_okr("-C", str(repo), "--as-of", "2026-07-15", "stale", "--format", "json")
    assert result.exit_code == 0, result
    rows = {row["address"]: row for row in json.loads(result.stdout)}
    assert rows["hr-admin/talent/offer-rate"] == {
        "address": "hr-admin/talent/offer-rate",
        "owner": "李雷",
        "last_change": "2026-07-01",
        "days": 14,
    }
    later = run_okr("-C", str(repo), "--as-of", "2026-07-30", "stale", "--format", "json")
    assert "hr-admin/talent/offer-rate" not in {r["address"] for r in json.loads(later.stdout)}
