"""The `okr-validate` hook (SPEC §20) run by the real pre-commit, from this checkout, in a
team's repository: a finding blocks the commit, clean files pass."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import git

PROJECT = Path(__file__).resolve().parent.parent
PRE_COMMIT = Path(sys.executable).parent / "pre-commit"


def test_the_manifest_declares_okr_validate() -> None:
    hooks = yaml.safe_load((PROJECT / ".pre-commit-hooks.yaml").read_text())
    (hook,) = hooks
    assert hook["id"] == "okr-validate"
    assert [hook["entry"], *hook["args"]] == ["okr", "validate", "--strict"]
    assert hook["pass_filenames"] is False


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One hook environment for the module: pre-commit installs okr into it once."""
    return tmp_path_factory.mktemp("pre-commit-home")


def try_repo(repo: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PRE_COMMIT_HOME=str(home), PRE_COMMIT_COLOR="never")
    return subprocess.run(
        [str(PRE_COMMIT), "try-repo", str(PROJECT), "okr-validate", "--verbose"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


@pytest.mark.skipif(
    not (PROJECT / ".git").exists(), reason="pre-commit try-repo needs this checkout's git"
)
def test_a_bad_file_blocks_and_a_good_one_passes(example_repo: Path, pre_commit_home: Path) -> None:
    team_file = example_repo / "2026-Q3" / "sales.yaml"
    text = team_file.read_text()
    team_file.write_text(text.replace("    title:", "    titel:", 1))
    git(example_repo, "add", "-A")

    blocked = try_repo(example_repo, pre_commit_home)
    assert blocked.returncode == 1, blocked.stdout + blocked.stderr
    assert "Failed" in blocked.stdout
    assert "2026-Q3/sales.yaml:" in blocked.stdout and "error[E003]" in blocked.stdout

    # A valid change of the same file (staged, so the hook has something to check).
    team_file.write_text(text.replace("    title:", "    title:", 1) + "# reviewed\n")
    git(example_repo, "add", "-A")
    passed = try_repo(example_repo, pre_commit_home)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout


def test_pre_commit_is_installed_by_the_test_extras() -> None:
    assert PRE_COMMIT.exists() or shutil.which("pre-commit")
