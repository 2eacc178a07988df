"""`okr stale [--days N]` (SPEC §11): KRs whose value has not moved, from a real git history."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import git, run_okr

OPS = "2026-Q3/ops.yaml"
TEAM = """\
name: Operations
owner: Olga
objectives:
  - id: speed
    title: Ship faster
    owner: Sam
    key_results:
      - id: lead-time
        title: Cut lead time from 10 to 5 days
        owner: Lee
        baseline: 10
        target: 5
        current: 9
      - id: deploys
        title: Deploy 20 times a week
        baseline: 5
        target: 20
        current: 8
      - id: hires
        title: Hire 3 engineers
        baseline: 0
        target: 3
        current: 3
      - id: status-page
        title: Launch the status page
        done: true
  - id: quality
    title: Fewer incidents
    key_results:
      - id: incidents
        title: Incidents from 12 to 4 a month
        baseline: 12
        target: 4
        current: 10
      - id: postmortems
        title: Write 5 postmortems
        done: false
"""


def edit(repo: Path, old: str, new: str) -> None:
    text = (repo / OPS).read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    (repo / OPS).write_text(text.replace(old, new), encoding="utf-8")


def commit(repo: Path, message: str, authored: str, committed: str | None = None) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_DATE": authored,
        "GIT_COMMITTER_DATE": committed or authored,
    }
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    subprocess.run(["git", "commit", "-q", "-m", message], cwd=repo, env=env, check=True)
    return git(repo, "rev-parse", "HEAD").strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """Imported 07-01; lead-time checked in 07-20 (committed 08-14, as after a rebase),
    coverage added 07-25, deploys checked in 08-10, incidents retitled (value untouched)
    08-12."""
    root = tmp_path / "okrs"
    (root / "2026-Q3").mkdir(parents=True)
    (root / "okr.yaml").write_text("organization: Test Org\n", encoding="utf-8")
    (root / OPS).write_text(TEAM, encoding="utf-8")
    git(root, "init", "-q")
    commit(root, "Import", "2026-07-01T09:00:00+00:00")
    edit(root, "current: 9", "current: 8")
    commit(root, "checkin lead-time", "2026-07-20T09:00:00+00:00", "2026-08-14T09:00:00+00:00")
    edit(
        root,
        "        done: false\n",
        "        done: false\n      - id: coverage\n        title: Alert on 90% of services\n"
        "        baseline: 40\n        target: 90\n",
    )
    commit(root, "Add coverage", "2026-07-25T09:00:00+00:00")
    edit(root, "        current: 8\n      - id: hires", "        current: 12\n      - id: hires")
    commit(root, "checkin deploys", "2026-08-10T09:00:00+00:00", "2026-08-14T09:00:02+00:00")
    edit(root, "title: Incidents from 12 to 4 a month", "title: Incidents from 12 to 4 monthly")
    commit(root, "Reword", "2026-08-12T09:00:00+00:00", "2026-08-14T09:00:03+00:00")
    return root


def stale(repo: Path, *args: str) -> list[dict[str, Any]]:
    result = run_okr("-C", str(repo), *args, "--format", "json")
    assert result.exit_code == 0, result
    rows = json.loads(result.stdout)
    assert isinstance(rows, list)
    return rows


def test_stale_krs_oldest_first_with_owner_and_days(repo: Path) -> None:
    assert stale(repo, "--as-of", "2026-08-15", "stale") == [
        {
            "address": "ops/quality/incidents",
            "owner": "Olga",
            "last_change": "2026-07-01",
            "days": 45,
        },
        {
            "address": "ops/quality/postmortems",
            "owner": "Olga",
            "last_change": "2026-07-01",
            "days": 45,
        },
        {"address": "ops/speed/lead-time", "owner": "Lee", "last_change": "2026-07-20", "days": 26},
        {
            "address": "ops/quality/coverage",
            "owner": "Olga",
            "last_change": "2026-07-25",
            "days": 21,
        },
    ]


def test_days_sets_the_threshold_and_exactly_n_days_is_not_stale(repo: Path) -> None:
    def addresses(days: str) -> list[str]:
        rows = stale(repo, "--as-of", "2026-08-15", "stale", "--days", days)
        return [row["address"] for row in rows]

    assert addresses("30") == ["ops/quality/incidents", "ops/quality/postmortems"]
    assert "ops/speed/lead-time" not in addresses("26")
    assert "ops/speed/lead-time" in addresses("25")
    assert "ops/speed/deploys" in addresses("4")  # 5 days; objective owner
    assert (
        next(
            r
            for r in stale(repo, "--as-of", "2026-08-15", "stale", "--days", "4")
            if r["address"] == "ops/speed/deploys"
        )["owner"]
        == "Sam"
    )


def test_commits_after_the_as_of_date_are_ignored(repo: Path) -> None:
    rows = {row["address"]: row for row in stale(repo, "--as-of", "2026-07-22", "stale")}
    assert set(rows) == {"ops/speed/deploys", "ops/quality/incidents", "ops/quality/postmortems"}
    assert rows["ops/speed/deploys"]["days"] == 21


def test_done_krs_are_never_stale(repo: Path) -> None:
    edit(repo, "        current: 10\n", "        current: 3\n")  # past a decreasing target
    commit(repo, "Incidents way down", "2026-07-02T09:00:00+00:00", "2026-08-14T10:00:00+00:00")
    rows = stale(repo, "--as-of", "2026-09-30", "stale")
    addresses = {row["address"] for row in rows}
    assert "ops/speed/hires" not in addresses  # numeric, at its target
    assert "ops/speed/status-page" not in addresses  # milestone, done
    assert "ops/quality/incidents" not in addresses  # decreasing, past its target
    assert "ops/quality/postmortems" in addresses


def test_stale_at_a_revision(repo: Path) -> None:
    rows = stale(repo, "--at", "HEAD~2", "stale")  # the commit adding coverage, 07-25
    assert {row["address"]: row["days"] for row in rows} == {
        "ops/speed/deploys": 24,
        "ops/quality/incidents": 24,
        "ops/quality/postmortems": 24,
    }


def test_table_output(repo: Path) -> None:
    result = run_okr("-C", str(repo), "--as-of", "2026-08-15", "stale")
    assert result.exit_code == 0, result
    lines = result.stdout.splitlines()
    assert lines[0] == "2026-Q3 · as of 2026-08-15 · 4 KR(s) unchanged for more than 7 day(s)"
    assert any(line.split() == ["ops/speed/lead-time", "Lee", "2026-07-20", "26"] for line in lines)
    none = run_okr("-C", str(repo), "--as-of", "2026-07-03", "stale")
    assert "no KR unchanged for more than 7 day(s)" in none.stdout


def test_refuses_a_cycle_with_errors(repo: Path) -> None:
    edit(repo, "current: 10", 'current: "ten"')
    result = run_okr("-C", str(repo), "stale")
    assert result.exit_code == 1
    assert "E005" in result.stderr


def test_stale_needs_git(okr_dir: Path) -> None:
    result = run_okr("-C", str(okr_dir), "stale")
    assert result.exit_code == 1
    assert "needs git" in result.stderr


def test_the_krs_of_history_versions_are_made_once_per_fields_dict() -> None:
    """digest reads the files as of two days and stale as of one: the versions share the
    dicts of the KRs no commit changed in between, and each such dict makes one KR."""
    from okrcli.services.changes import KeyResults, key_result

    made = KeyResults()
    fields = {"baseline": 10, "target": 5, "current": 9, "confidence": 0.4}
    kr = made(fields)
    assert kr is not None and made(fields) is kr
    assert (kr.baseline, kr.target, kr.current, kr.confidence) == (10, 5, 9, 0.4)
    equal = dict(fields)  # another version's dict: its own KR, equal to the first
    assert made(equal) is not kr and made(equal) == kr == key_result(fields)
    assert made({"done": True, "confidence": 1.5}) == key_result({"done": True})
    assert made({"baseline": 1, "target": 1}) is None


def test_the_krs_of_a_file_unchanged_between_two_days_are_made_once_per_team() -> None:
    """digest reads the files as of two days with one KrsAt: a version both days have is
    read once, but two files of the same bytes (one snapshot) keep their own addresses."""
    from okrcli.services.stale import KrsAt

    version = {"": {"owner": "Olga"}, "speed": {}, "speed/lead": {"baseline": 10, "target": 5}}
    krs_at = KrsAt([])
    first = krs_at({"ops": version, "dev": version, "new": None})
    assert list(first) == ["ops/speed/lead", "dev/speed/lead"]
    assert first["ops/speed/lead"][0] == "Olga" and first["ops/speed/lead"][1] is not None
    again = krs_at({"ops": version})
    assert again == {"ops/speed/lead": first["ops/speed/lead"]}
    assert again["ops/speed/lead"][1] is first["ops/speed/lead"][1]
