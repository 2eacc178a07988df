"""The weekly sync of examples/workflows/okr.yml: its `run:` step executed as a runner
would, in a clone of a repository with a real (bare) remote, with okr on PATH."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import EXAMPLE, commit, git

WORKFLOW = Path(__file__).resolve().parent.parent / "examples" / "workflows" / "okr.yml"


def workflow() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return loaded


def test_the_sync_job_runs_weekly_and_may_push() -> None:
    jobs = workflow()["jobs"]
    sync = jobs["sync"]
    assert sync["permissions"] == {"contents": "write"}
    assert sync["if"] == "github.event_name != 'pull_request'"
    assert "schedule" in workflow()[True]  # `on:` is YAML 1.1's true to PyYAML
    assert sync["steps"][0]["with"]["fetch-depth"] == 0
    # The agenda comes after the sync, from the branch as the sync left it.
    assert jobs["weekly"]["needs"] == "sync"
    assert jobs["weekly"]["steps"][0]["with"]["ref"] == "${{ github.ref }}"


def run_step(clone: Path, script: str) -> subprocess.CompletedProcess[str]:
    path = clone.parent / "step.sh"
    path.write_text(script, encoding="utf-8")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(path)],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_sync_step_commits_as_okr_sync_and_pushes(tmp_path: Path) -> None:
    origin = tmp_path / "origin.git"
    work = tmp_path / "work"
    shutil.copytree(EXAMPLE, work)
    git(work, "init", "-q")
    commit(work, "Q3 OKRs")
    git(tmp_path, "clone", "-q", "--bare", str(work), str(origin))
    # This week's export arrives on the default branch (the HR system commits it).
    csv = work / "exports/hr-metrics.csv"
    csv.write_bytes(csv.read_bytes().replace(b'"7.6"', b'"7.2"'))
    commit(work, "HR export, week 33")
    git(work, "push", "-q", str(origin), "HEAD:main")
    clone = tmp_path / "runner"
    git(tmp_path, "clone", "-q", str(origin), str(clone))
    step = workflow()["jobs"]["sync"]["steps"][-1]
    done = run_step(clone, step["run"])
    assert done.returncode == 0, done.stderr
    assert "hr-admin/engagement/attrition: 7.6 → 7.2" in done.stdout
    pushed = git(origin, "log", "-1", "--format=%an|%s", "main").strip()
    assert pushed == "okr sync|sync: 1 key result from hris"
    # Next week with nothing new: no commit, and the push has nothing to send.
    again = run_step(clone, step["run"])
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("nothing changed")
    assert git(origin, "rev-list", "--count", "main").strip() == "3"
