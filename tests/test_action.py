"""The GitHub Action (action.yml, SPEC §20): each `run:` step executed as a runner would,
in a real repository with a base and a head branch, with the environment GitHub gives a
step. The GitHub API cannot be reached here, so `gh` is the one stand-in: a script on
PATH that records its arguments and the comment body, and answers the comment listing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import EXAMPLE, commit, edit, git

PROJECT = Path(__file__).resolve().parent.parent
MARKER = "<!-- okr-diff -->"

FAKE_GH = """\
#!/usr/bin/env python3
# Records every call; answers `gh api ... /comments --jq ...` with the comment ids in
# $GH_FAKE/existing (one per line), like the --jq filter of the action would.
import json, os, sys
log = os.path.join(os.environ["GH_FAKE"], "calls.jsonl")
call = {"args": sys.argv[1:]}
for arg in sys.argv[1:]:
    if arg.startswith("body=@"):
        with open(arg[len("body=@"):], encoding="utf-8") as handle:
            call["body"] = handle.read()
with open(log, "a", encoding="utf-8") as handle:
    handle.write(json.dumps(call) + "\\n")
if "--jq" in sys.argv:
    existing = os.path.join(os.environ["GH_FAKE"], "existing")
    if os.path.exists(existing):
        sys.stdout.write(open(existing).read())
"""


@dataclass
class Runner:
    """What GitHub provides a composite action's steps, in folders of a test."""

    workspace: Path
    temp: Path
    fake: Path
    inputs: dict[str, str]
    event: dict[str, Any]
    base_ref: str | None = "main"
    path: list[str] = field(default_factory=list)
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        event_path = self.temp / "event.json"
        event_path.write_text(json.dumps(self.event))
        env = dict(os.environ)
        env.update(
            RUNNER_TEMP=str(self.temp),
            GITHUB_WORKSPACE=str(self.workspace),
            GITHUB_STEP_SUMMARY=str(self.temp / "summary.md"),
            GITHUB_OUTPUT=str(self.temp / "output"),
            GITHUB_PATH=str(self.temp / "path"),
            GITHUB_EVENT_PATH=str(event_path),
            GITHUB_REPOSITORY="acme/okrs",
            GITHUB_ACTION_PATH=str(PROJECT),
            GH_FAKE=str(self.fake),
            PATH=os.pathsep.join([*self.path, str(self.fake / "bin"), env["PATH"]]),
        )
        if self.base_ref:
            env["GITHUB_BASE_REF"] = self.base_ref
        return env

    def expression(self, text: str) -> str:
        def value(match: re.Match[str]) -> str:
            expr = match.group(1).strip()
            if expr == "github.action_path":
                return str(PROJECT)
            if expr == "github.token":
                return "test-token"
            if expr.startswith("inputs."):
                return self.inputs[expr.removeprefix("inputs.")]
            found = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expr)
            assert found, f"the action uses an expression this test does not know: {expr}"
            return self.outputs.get(found.group(1), {}).get(found.group(2), "")

        return re.sub(r"\$\{\{(.*?)\}\}", value, text)

    def run_step(self, step: dict[str, Any]) -> subprocess.CompletedProcess[str]:
        assert step["shell"] == "bash"
        assert "${{" not in step["run"], "inputs reach scripts through env only"
        env = self.env()
        env.update({k: self.expression(str(v)) for k, v in step.get("env", {}).items()})
        (self.temp / "output").write_text("")
        (self.temp / "path").write_text("")
        script = self.temp / "step.sh"
        script.write_text(step["run"])
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=self.workspace,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )
        outputs = dict(
            line.split("=", 1) for line in (self.temp / "output").read_text().splitlines()
        )
        if "id" in step:
            self.outputs[step["id"]] = outputs
        self.path = [*(self.temp / "path").read_text().split(), *self.path]
        return done


def action_steps() -> list[dict[str, Any]]:
    action = yaml.safe_load((PROJECT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    steps: list[dict[str, Any]] = action["runs"]["steps"]
    return steps


def defaults(**given: str) -> dict[str, str]:
    action = yaml.safe_load((PROJECT / "action.yml").read_text())
    inputs = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    inputs["github-token"] = "test-token"
    inputs.update(given)
    return inputs


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The action's install step, run once: a venv with okr from this checkout."""
    temp = tmp_path_factory.mktemp("runner-temp")
    fake = tmp_path_factory.mktemp("fake")
    runner = Runner(temp, temp, fake, defaults(), {})
    done = runner.run_step(action_steps()[0])
    assert done.returncode == 0, done.stderr
    (bin_dir,) = runner.path
    assert (Path(bin_dir) / "okr").exists()
    return Path(bin_dir)


def pull_request(tmp_path: Path, change: tuple[str, str, str]) -> Path:
    """A repository cloned from an 'origin' whose main holds the example, on a head branch
    with one commit making `change` (path, old, new)."""
    origin = tmp_path / "origin.git"
    seed = tmp_path / "seed"
    shutil.copytree(EXAMPLE, seed)
    git(seed, "init", "-q", "-b", "main")
    commit(seed, "Import OKRs")
    git(tmp_path, "clone", "-q", "--bare", str(seed), str(origin))
    work = tmp_path / "work"
    git(tmp_path, "clone", "-q", str(origin), str(work))
    git(work, "switch", "-q", "-c", "revise-target")
    edit(work, *change)
    commit(work, "Revise a target", "2026-08-01T09:00:00+00:00")
    return work


def runner_for(tmp_path: Path, work: Path, installed: Path, **inputs: str) -> Runner:
    temp, fake = tmp_path / "runner-temp", tmp_path / "fake"
    temp.mkdir()
    (fake / "bin").mkdir(parents=True)
    gh = fake / "bin" / "gh"
    gh.write_text(FAKE_GH)
    gh.chmod(0o755)
    event = {"pull_request": {"number": 7, "base": {"ref": "main"}}}
    runner = Runner(work, temp, fake, defaults(**inputs), event)
    runner.path = [str(installed)]
    return runner


def run_all(runner: Runner) -> list[subprocess.CompletedProcess[str]]:
    return [runner.run_step(step) for step in action_steps()[1:]]


def calls(runner: Runner) -> list[dict[str, Any]]:
    log = runner.fake / "calls.jsonl"
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines()]


MOVE_TARGET = ("2026-Q3/hr-admin.yaml", "        target: 75\n", "        target: 80\n")


def test_a_pull_request_that_moves_a_target(tmp_path: Path, installed: Path) -> None:
    work = pull_request(tmp_path, MOVE_TARGET)
    runner = runner_for(tmp_path, work, installed)
    results = run_all(runner)
    assert [r.returncode for r in results] == [0, 0, 0, 0], [r.stderr for r in results]
    assert runner.outputs["validate"] == {"errors": "0", "status": "0"}

    summary = (runner.temp / "summary.md").read_text()
    assert summary.startswith("# OKRs\n")
    assert "hr-admin" in summary and "offer-rate" in summary
    assert "75 → 80" in summary  # the moved goalpost, in the diff

    (listing, posted) = calls(runner)
    assert listing["args"][:3] == ["api", "--paginate", "repos/acme/okrs/issues/7/comments"]
    assert posted["args"][:4] == ["api", "--method", "POST", "repos/acme/okrs/issues/7/comments"]
    assert posted["body"].startswith(MARKER + "\n")
    assert "75 → 80" in posted["body"]
    diff_part = summary[summary.index(posted["body"].split("\n", 2)[1]) :]
    assert posted["body"].removeprefix(MARKER + "\n") == diff_part.lstrip("\n")


def test_the_comment_is_updated_not_repeated(tmp_path: Path, installed: Path) -> None:
    work = pull_request(tmp_path, MOVE_TARGET)
    runner = runner_for(tmp_path, work, installed)
    (runner.fake / "existing").write_text("4242\n")
    results = run_all(runner)
    assert all(r.returncode == 0 for r in results), [r.stderr for r in results]
    (_, updated) = calls(runner)
    assert updated["args"][:4] == [
        "api",
        "--method",
        "PATCH",
        "repos/acme/okrs/issues/comments/4242",
    ]
    assert updated["body"].startswith(MARKER)


def test_no_comment_when_asked_not_to(tmp_path: Path, installed: Path) -> None:
    work = pull_request(tmp_path, MOVE_TARGET)
    runner = runner_for(tmp_path, work, installed, comment="false")
    assert all(r.returncode == 0 for r in run_all(runner))
    assert calls(runner) == []


def test_a_validation_error_annotates_and_fails(tmp_path: Path, installed: Path) -> None:
    work = pull_request(
        tmp_path,
        (
            "2026-Q3/sales.yaml",
            "  - id: new-markets\n    title:",
            "  - id: new-markets\n    titel:",
        ),
    )
    runner = runner_for(tmp_path, work, installed)
    validate, summary, _comment, fail = run_all(runner)
    annotations = [line for line in validate.stdout.splitlines() if line.startswith("::")]
    assert annotations and annotations[0].startswith("::error file=2026-Q3/sales.yaml,line=")
    assert any("E003: unknown key 'titel'" in line for line in annotations)
    assert runner.outputs["validate"]["errors"] != "0"
    assert summary.returncode == 0  # the summary says why there is no scorecard
    assert "validate first" in (runner.temp / "summary.md").read_text()
    assert fail.returncode == 1


def test_strict_fails_on_a_warning(tmp_path: Path, installed: Path) -> None:
    work = pull_request(
        tmp_path,
        (
            "2026-Q3/hr-admin.yaml",
            "        title: 员工推荐度评分从7.0提升至7.8\n",
            "        title: 提升员工推荐度\n",
        ),
    )
    runner = runner_for(tmp_path, work, installed, strict="true")
    *_, fail = run_all(runner)
    assert runner.outputs["validate"]["errors"] == "0"
    assert fail.returncode == 1
