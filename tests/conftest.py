"""Shared fixtures: every test runs with its own HOME, git config and cache, in tmp_path."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from typer.testing import CliRunner

from okrcli.cli.app import full_app

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "acme"
# The KRs of examples/acme's hr-admin.yaml, in file order (the order `checkin -i` asks).
HR_KRS = [
    "offer-rate",
    "onboarding-days",
    "dashboard",
    "attrition",
    "enps",
    "workshops",
    "admin-cost",
    "response-time",
    "processes-online",
]

# No per-example deadline: a shared CI machine is slow at times, and slowness is not a bug.
# In CI the examples are derandomized, so a run is reproducible and main stays green for
# reasons in the code; locally hypothesis keeps exploring.
settings.register_profile("dev", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """HOME, git's global config and okr's cache all point into a fresh temporary folder."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    for name in list(os.environ):
        if name.startswith(("GIT_AUTHOR_", "GIT_COMMITTER_")) or name in (
            "NO_COLOR",
            "OKR_NO_CACHE",
        ):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    (home / ".gitconfig").write_text(
        "[user]\n\tname = Test User\n\temail = test@example.com\n"
        "[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n",
        encoding="utf-8",
    )
    return home


def git(cwd: Path, *args: str) -> str:
    """Run git in cwd and return its stdout (test helper; fails the test on error)."""
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"git {' '.join(args)} failed: {done.stderr}"
    return done.stdout


def edit(repo: Path, path: str, old: str, new: str) -> None:
    """Replace the one occurrence of `old` in a file of the repo (fails if not exactly one)."""
    text = (repo / path).read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not unique in {path}"
    (repo / path).write_text(text.replace(old, new), encoding="utf-8")


def commit(
    repo: Path,
    message: str,
    when: str = "2026-07-02T09:00:00+00:00",
    author: str | None = None,
    committed: str | None = None,
) -> str:
    """Commit every change, authored at `when` (committed then too, unless `committed`
    says otherwise), and return the commit id."""
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": committed or when}
    if author is not None:
        env["GIT_AUTHOR_NAME"] = author
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    subprocess.run(["git", "commit", "-q", "-m", message], cwd=repo, env=env, check=True)
    return git(repo, "rev-parse", "HEAD").strip()


def imported_example(tmp_path: Path) -> Path:
    """examples/acme as a git repository whose first commit is dated 2026-07-01."""
    root = tmp_path / "acme"
    shutil.copytree(EXAMPLE, root)
    git(root, "init", "-q")
    commit(root, "Import OKRs", "2026-07-01T09:00:00+00:00")
    return root


@pytest.fixture
def example_repo(tmp_path: Path) -> Path:
    """A copy of examples/acme committed as the first commit of a fresh git repository."""
    repo = tmp_path / "acme"
    shutil.copytree(EXAMPLE, repo)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Import OKRs")
    return repo


@pytest.fixture
def okr_dir(tmp_path: Path) -> Path:
    """An empty OKR root (okr.yaml with defaults and a 2026-Q3 folder), not a git repo."""
    root = tmp_path / "okrs"
    (root / "2026-Q3").mkdir(parents=True)
    (root / "okr.yaml").write_text("organization: Test Org\n", encoding="utf-8")
    return root


class Result:
    def __init__(self, exit_code: int, stdout: str, stderr: str) -> None:
        self.exit_code = exit_code
        self.stdout = stdout
        self.stderr = stderr

    def __repr__(self) -> str:
        return f"Result(exit={self.exit_code}, stdout={self.stdout!r}, stderr={self.stderr!r})"


def run_okr(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
    """The real CLI in-process through typer's CliRunner, stdout and stderr kept apart."""
    runner = CliRunner()
    result = runner.invoke(full_app(), list(args), input=input, env=env, catch_exceptions=False)
    return Result(result.exit_code, result.stdout, result.stderr)


def run_okr_process(
    *args: str, cwd: Path, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    """The installed console script as a subprocess (for the few end-to-end tests)."""
    script = Path(sys.executable).parent / "okr"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "okrcli"]
    return subprocess.run(
        [*command, *args], cwd=cwd, input=input, capture_output=True, text=True, check=False
    )


@pytest.fixture
def okr() -> Iterator[object]:
    yield run_okr


def markdown_html(text: str) -> str:
    """Markdown as GitHub shows it in a pull-request comment: its own renderer, cmark-gfm
    (tables, strikethrough, autolinks, the tag filter), to HTML."""
    import cmarkgfm

    html: str = cmarkgfm.github_flavored_markdown_to_html(text)
    return html
