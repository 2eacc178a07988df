"""What git can do to a repository that okr must read right: folders named like pathspecs,
sparse checkouts, replace refs, and revisions written as git's message search."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLE, commit, edit, git, run_okr

HR = "2026-Q3/hr-admin.yaml"
SALES = "2026-Q3/sales.yaml"


def okr_json(root: Path, *args: str) -> Any:
    result = run_okr("-C", str(root), *args, "--format", "json")
    assert result.exit_code == 0, result
    return json.loads(result.stdout)


# --- point: a folder named like a pathspec --------------------------------------------------


@pytest.mark.parametrize("name", [":(top)okrs", ":!okrs", ":/okrs", "*", "[o]krs"])
def test_a_folder_named_like_a_pathspec_is_a_folder(tmp_path: Path, name: str) -> None:
    """git reads `:(top)x`, `:!x` and `:/x` as pathspec magic and `*` as a glob; okr
    passes real file names, so they must reach git literally (check-in, log, stale)."""
    repo = tmp_path / "repo"
    root = repo / name
    shutil.copytree(EXAMPLE, root)
    git(repo, "init", "-q")
    commit(repo, "Import OKRs", "2026-07-01T09:00:00+00:00")
    result = run_okr("-C", str(root), "checkin", "offer-rate", "70", "-m", "two offers")
    assert result.exit_code == 0, result
    assert git(repo, "show", "--name-only", "--format=", "HEAD").splitlines() == [f"{name}/{HR}"]
    (entry,) = okr_json(root, "log")
    assert (entry["address"], entry["old"], entry["new"]) == ("hr-admin/talent/offer-rate", 68, 70)
    stale = okr_json(root, "--as-of", "2026-12-01", "stale")
    assert "hr-admin/talent/offer-rate" in [row["address"] for row in stale]


@pytest.mark.parametrize(
    "variable", ["GIT_GLOB_PATHSPECS", "GIT_NOGLOB_PATHSPECS", "GIT_ICASE_PATHSPECS"]
)
def test_the_users_pathspec_settings_do_not_change_what_okr_asks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    """GIT_GLOB_PATHSPECS cannot be combined with literal pathspecs (git refuses), and
    case folding would let `HR-admin.yaml` stand for `hr-admin.yaml`."""
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE, repo)
    git(repo, "init", "-q")
    commit(repo, "Import OKRs", "2026-07-01T09:00:00+00:00")
    monkeypatch.setenv(variable, "1")
    result = run_okr("-C", str(repo), "checkin", "offer-rate", "70")
    assert result.exit_code == 0, result
    assert len(okr_json(repo, "log")) == 1
