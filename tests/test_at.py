"""`--at REV|YYYY-MM-DD` (SPEC §6): scorecard, tree and validate as they were in git."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLE, commit, edit, git, imported_example, run_okr

HR = "2026-Q3/hr-admin.yaml"
SALES = "2026-Q3/sales.yaml"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """Imported on 07-01 (offer-rate at 68), checked in on 07-10 (offer-rate at 74)."""
    root = imported_example(tmp_path)
    edit(root, HR, "current: 68", "current: 74")
    commit(root, "checkin offer-rate", "2026-07-10T12:00:00+00:00")
    return root


def scorecard(root: Path, *options: str) -> dict[str, Any]:
    result = run_okr("-C", str(root), *options, "scorecard", "--format", "json")
    assert result.exit_code == 0, result
    card = json.loads(result.stdout)
    assert isinstance(card, dict)
    return card


def offer_rate(card: dict[str, Any]) -> Any:
    for team in card["teams"]:
        for objective in team["objectives"]:
            for kr in objective["key_results"]:
                if kr["address"] == "hr-admin/talent/offer-rate":
                    return kr["current"]
    raise AssertionError("no offer-rate in the scorecard")


def test_at_a_revision_reads_that_commit_and_its_date(repo: Path) -> None:
    edit(repo, HR, "current: 74", "current: 75")  # the working tree differs from both
    old = scorecard(repo, "--at", "HEAD~1")
    assert (offer_rate(old), old["as_of"]) == (68, "2026-07-01")
    short = git(repo, "rev-parse", "--short", "HEAD").strip()
    new = scorecard(repo, "--at", short)
    assert (offer_rate(new), new["as_of"]) == (74, "2026-07-10")
    assert offer_rate(scorecard(repo)) == 75
    assert scorecard(repo, "--at", "HEAD~1", "--as-of", "2026-08-15")["as_of"] == "2026-08-15"


def test_at_a_date_reads_the_last_commit_of_that_day(repo: Path) -> None:
    before = scorecard(repo, "--at", "2026-07-09")
    assert (offer_rate(before), before["as_of"]) == (68, "2026-07-09")
    assert offer_rate(scorecard(repo, "--at", "2026-07-10")) == 74
    assert offer_rate(scorecard(repo, "--at", "2026-09-30")) == 74


def test_a_date_is_the_committers_own_calendar_day(repo: Path) -> None:
    edit(repo, HR, "current: 74", "current: 76")
    commit(repo, "Tokyo, just after midnight", "2026-07-21T01:00:00+09:00")  # 07-20 16:00 UTC
    assert offer_rate(scorecard(repo, "--at", "2026-07-20")) == 74
    assert offer_rate(scorecard(repo, "--at", "2026-07-21")) == 76
    edit(repo, HR, "current: 76", "current: 77")
    commit(repo, "Chicago, late evening", "2026-07-25T23:30:00-05:00")  # 07-26 04:30 UTC
    assert offer_rate(scorecard(repo, "--at", "2026-07-25")) == 77


def test_a_date_follows_the_first_parent_line_only(repo: Path) -> None:
    git(repo, "switch", "-q", "-c", "feature", "HEAD~1")
    edit(repo, HR, "current: 68", "current: 99")
    commit(repo, "On a branch, early", "2026-07-05T09:00:00+00:00")
    git(repo, "switch", "-q", "main")
    env = {
        **os.environ,
        "GIT_AUTHOR_DATE": "2026-07-20T09:00:00+00:00",
        "GIT_COMMITTER_DATE": "2026-07-20T09:00:00+00:00",
    }
    subprocess.run(
        ["git", "merge", "-q", "-X", "ours", "-m", "Merge feature", "feature"],
        cwd=repo,
        env=env,
        check=True,
    )
    assert offer_rate(scorecard(repo, "--at", "2026-07-06")) == 68


def test_tree_and_validate_at_a_revision(repo: Path) -> None:
    edit(
        repo,
        SALES,
        "  - id: retention\n    title: Keep the customers we have\n    owner: Maria Lopez\n"
        "    aligns: company/growth",
        "  - id: retention\n    title: Keep the customers we have\n    owner: Maria Lopez\n"
        "    aligns: company/efficiency",
    )
    edit(repo, HR, "baseline: 60", "baseline: 75")  # target equals baseline: E008
    broken = commit(repo, "Realign retention; break offer-rate", "2026-07-12T09:00:00+00:00")
    edit(repo, HR, "baseline: 75", "baseline: 60")
    commit(repo, "Fix offer-rate", "2026-07-13T09:00:00+00:00")

    invalid = run_okr("-C", str(repo), "--at", broken, "validate")
    assert invalid.exit_code == 1
    assert "2026-Q3/hr-admin.yaml:" in invalid.stdout and "E008" in invalid.stdout
    assert run_okr("-C", str(repo), "--at", "HEAD", "validate").exit_code == 0
    assert run_okr("-C", str(repo), "--at", broken, "tree").exit_code == 1

    def children(revision: str, parent: str) -> list[str]:
        result = run_okr("-C", str(repo), "--at", revision, "tree", "--format", "json")
        assert result.exit_code == 0, result
        node = next(n for n in json.loads(result.stdout) if n["address"] == parent)
        return [child["address"] for child in node["children"]]

    assert "sales/retention" in children("HEAD~3", "company/growth")
    assert "sales/retention" in children("HEAD", "company/efficiency")


def test_root_in_a_subfolder_and_a_cycle_that_did_not_exist_yet(tmp_path: Path) -> None:
    top = tmp_path / "monorepo"
    root = top / "docs" / "okrs"
    shutil.copytree(EXAMPLE, root)
    (top / "README").write_text("hello\n", encoding="utf-8")
    git(top, "init", "-q")
    git(top, "add", "-A")
    commit(top, "Import", "2026-07-01T09:00:00+00:00")
    edit(root, HR, "current: 68", "current: 70")
    commit(top, "checkin", "2026-07-02T09:00:00+00:00")
    assert offer_rate(scorecard(root, "--at", "HEAD~1")) == 68
    assert offer_rate(scorecard(root / "2026-Q3", "--at", "HEAD")) == 70
    shutil.copytree(root / "2026-Q3", root / "2026-Q4")
    git(top, "add", "-A")
    commit(top, "Next quarter", "2026-10-01T09:00:00+00:00")
    old = run_okr("-C", str(root), "--at", "HEAD~1", "--cycle", "2026-Q4", "validate")
    assert old.exit_code == 1
    assert "unknown cycle '2026-Q4'" in old.stderr


def test_bad_values_are_clear_errors(repo: Path, okr_dir: Path) -> None:
    unknown = run_okr("-C", str(repo), "--at", "no-such-branch", "scorecard")
    assert unknown.exit_code == 1
    assert "no-such-branch" in unknown.stderr and "Traceback" not in unknown.stderr
    too_early = run_okr("-C", str(repo), "--at", "2026-06-30", "scorecard")
    assert too_early.exit_code == 1
    assert "2026-06-30" in too_early.stderr
    not_a_date = run_okr("-C", str(repo), "--at", "2026-02-30", "scorecard")
    assert not_a_date.exit_code == 2
    option = run_okr("-C", str(repo), "--at=--output=pwned", "scorecard")
    assert option.exit_code == 1
    assert not (repo / "pwned").exists()
    outside = run_okr("-C", str(okr_dir), "--at", "HEAD", "scorecard")
    assert outside.exit_code == 1
    assert "needs git" in outside.stderr


def test_repository_without_commits(tmp_path: Path) -> None:
    root = tmp_path / "fresh"
    shutil.copytree(EXAMPLE, root)
    git(root, "init", "-q")
    result = run_okr("-C", str(root), "--at", "2026-07-01", "scorecard")
    assert result.exit_code == 1
    assert "no commit" in result.stderr or "none yet" in result.stderr


def test_cached_runs_give_the_same_answer(repo: Path) -> None:
    first = scorecard(repo, "--at", "HEAD~1")
    assert scorecard(repo, "--at", "HEAD~1") == first
    assert scorecard(repo, "--no-cache", "--at", "HEAD~1") == first
