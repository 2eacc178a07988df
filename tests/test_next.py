"""`okr next` (SPEC §16) and `okr init` in a root that lacks the current cycle's folder, in
real git repositories: the target cycle, what is carried, the files, refusals, the commit."""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import commit, git, imported_example, run_okr
from hypothesis import given, settings
from hypothesis import strategies as st

from okrcli.files.yaml_fast import load_fast
from okrcli.files.yaml_strict import load_positioned
from okrcli.files.yamlsource import NeedsStrictReader

HR = "2026-Q3/hr-admin.yaml"
CONFIG = "organization: Test Org\n"


def make_repo(root: Path, files: dict[str, str], config: str = CONFIG) -> Path:
    """An OKR root with these files (relative paths), committed as one commit."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "okr.yaml").write_text(config, encoding="utf-8")
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    git(root, "init", "-q")
    commit(root, "Import OKRs")
    return root


def read(root: Path, path: str) -> Any:
    """A file as okr's reader reads it."""
    text = (root / path).read_text(encoding="utf-8")
    try:
        return load_fast(text)
    except NeedsStrictReader:
        return load_positioned(text).data


def head(root: Path) -> str:
    return git(root, "rev-parse", "HEAD").strip()


def status(root: Path) -> str:
    return git(root, "status", "--porcelain", "--untracked-files=all")


TEAM = """\
name: Team
owner: Ann
objectives:
  - id: open
    title: Open objective
    owner: Bob
    kind: committed
    key_results:
      - id: half
        title: From 10 to 20
        owner: Cy
        unit: "%"
        baseline: 10
        target: 20
        current: 15
        confidence: 0.6
        weight: 2
        score: 0.5
        retro: learned something
      - id: reached
        title: From 0 to 5
        baseline: 0
        target: 5
        current: 5
      - id: ship
        title: Ship v1
        done: false
        confidence: 0.3
  - id: finished
    title: Finished objective
    key_results:
      - id: all-done
        title: Launch 1 thing
        done: true
"""


# --- the target cycle -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "target"), [("2026-Q3", "2026-Q4"), ("2026-Q4", "2027-Q1"), ("2027-Q1", "2027-Q2")]
)
def test_the_target_of_a_quarter_is_the_next_quarter(
    tmp_path: Path, source: str, target: str
) -> None:
    root = make_repo(tmp_path / "r", {f"{source}/team.yaml": TEAM})
    result = run_okr("-C", str(root), "--cycle", source, "next")
    assert result.exit_code == 0, result
    assert (root / target / "team.yaml").is_file()


DECLARED = """\
organization: Test Org
cycles:
  2026-H2: {start: 2026-07-01, end: 2026-12-31}
  2027-H1: {start: 2027-01-01, end: 2027-06-30}
  FY27: {start: 2026-10-01, end: 2027-09-30}
"""


def test_a_declared_cycle_is_followed_by_the_one_starting_the_day_after(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"2026-H2/team.yaml": TEAM}, DECLARED)
    result = run_okr("-C", str(root), "--cycle", "2026-H2", "next")
    assert result.exit_code == 0, result
    assert (root / "2027-H1" / "team.yaml").is_file()
    first_line = (root / "2027-H1" / "team.yaml").read_text("utf-8").splitlines()[0]
    assert first_line.startswith("#") and "2026-H2" in first_line


def test_no_declared_cycle_after_the_source_is_a_usage_error_asking_for_to(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"2027-H1/team.yaml": TEAM}, DECLARED)
    result = run_okr("-C", str(root), "--cycle", "2027-H1", "next")
    assert result.exit_code == 2
    assert result.stderr == (
        "okr: no cycle declared in okr.yaml starts the day after 2027-H1 ends (2027-07-01); "
        "give the target cycle with --to, like --to 2027-Q3\n"
    )
    assert not status(root)


def test_two_declared_cycles_starting_the_day_after_ask_for_to(tmp_path: Path) -> None:
    config = DECLARED + "  FY27-Q1: {start: 2027-01-01, end: 2027-03-31}\n"
    root = make_repo(tmp_path / "r", {"2026-H2/team.yaml": TEAM}, config)
    result = run_okr("-C", str(root), "--cycle", "2026-H2", "next")
    assert result.exit_code == 2
    assert "2027-H1 and FY27-Q1 both start the day after 2026-H2 ends" in result.stderr


def test_to_names_a_quarter_without_declaring_it(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"2026-Q3/team.yaml": TEAM})
    result = run_okr("-C", str(root), "--cycle", "2026-Q3", "next", "--to", "2027-Q1")
    assert result.exit_code == 0, result
    assert (root / "2027-Q1" / "team.yaml").is_file()
    assert run_okr("-C", str(root), "--cycle", "2027-Q1", "validate").exit_code == 0


def test_to_a_declared_cycle(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"2026-Q2/team.yaml": TEAM}, DECLARED)
    result = run_okr("-C", str(root), "--cycle", "2026-Q2", "next", "--to", "2026-H2")
    assert result.exit_code == 0, result
    assert (root / "2026-H2" / "team.yaml").is_file()


def test_an_undeclared_non_quarter_target_is_refused(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"2026-Q3/team.yaml": TEAM})
    result = run_okr("-C", str(root), "--cycle", "2026-Q3", "next", "--to", "2026-H2")
    assert result.exit_code == 1
    assert result.stderr == (
        "okr: cycle '2026-H2' is neither a quarter (YYYY-QN) nor declared under 'cycles:' in "
        "okr.yaml; declare it there with its start and end, then run okr next again\n"
    )
    assert not (root / "2026-H2").exists()


def test_a_target_that_does_not_start_later_is_refused(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"2026-Q3/team.yaml": TEAM})
    result = run_okr("-C", str(root), "--cycle", "2026-Q3", "next", "--to", "2026-Q2")
    assert result.exit_code == 1
    assert "2026-Q2 does not start after 2026-Q3" in result.stderr
    assert not (root / "2026-Q2").exists()


# --- what is carried ------------------------------------------------------------------------


def test_only_what_is_not_done_is_carried_with_baselines_at_the_last_values(
    tmp_path: Path,
) -> None:
    root = make_repo(tmp_path / "r", {"2026-Q3/team.yaml": TEAM})
    result = run_okr("-C", str(root), "--cycle", "2026-Q3", "next")
    assert result.exit_code == 0, result
    assert read(root, "2026-Q4/team.yaml") == {
        "name": "Team",
        "owner": "Ann",
        "objectives": [
            {
                "id": "open",
                "title": "Open objective",
                "owner": "Bob",
                "kind": "committed",
                "carried_from": "2026-Q3/team/open",
                "key_results": [
                    # current, confidence, score and retro stay behind; weight comes along
                    {
                        "id": "half",
                        "title": "From 10 to 20",
                        "owner": "Cy",
                        "unit": "%",
                        "baseline": 15,
                        "target": 20,
                        "weight": 2,
                    },
                    {"id": "ship", "title": "Ship v1", "done": False},
                ],
            }
        ],
    }


def test_all_carries_everything_but_a_kr_that_would_start_at_its_target(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"2026-Q3/team.yaml": TEAM})
    result = run_okr("-C", str(root), "--cycle", "2026-Q3", "next", "--all")
    assert result.exit_code == 0, result
    carried = read(root, "2026-Q4/team.yaml")["objectives"]
    assert [o["id"] for o in carried] == ["open", "finished"]
    assert [kr["id"] for kr in carried[0]["key_results"]] == ["half", "ship"]
    assert carried[1]["key_results"] == [
        {"id": "all-done", "title": "Launch 1 thing", "done": False}
    ]
    assert result.stderr == (
        "okr: team/open/reached is left out: its last value 5 is its target, so as a "
        "baseline it would leave nothing to do (E008)\n"
    )
    assert run_okr("-C", str(root), "--cycle", "2026-Q4", "validate").exit_code == 0


SHIP = "      - id: ship\n        title: Ship v1\n        done: false\n        confidence: 0.3\n"


def test_an_objective_left_with_no_kr_is_left_out_and_said(tmp_path: Path) -> None:
    # Every KR of `open` at its target: with --all each would start done, so none is left.
    team = TEAM.replace("current: 15", "current: 20").replace(SHIP, "")
    root = make_repo(tmp_path / "r", {"2026-Q3/team.yaml": team})
    result = run_okr("-C", str(root), "--cycle", "2026-Q3", "next", "--all")
    assert result.exit_code == 0, result
    assert [o["id"] for o in read(root, "2026-Q4/team.yaml")["objectives"]] == ["finished"]
    assert "okr: team/open is left out: none of its key results is carried\n" in result.stderr


def test_an_over_achieved_kr_carried_with_all_is_said_to_read_the_other_way(
    tmp_path: Path,
) -> None:
    root = make_repo(
        tmp_path / "r", {"2026-Q3/team.yaml": TEAM.replace("current: 5", "current: 7")}
    )
    result = run_okr("-C", str(root), "--cycle", "2026-Q3", "next", "--all")
    assert result.exit_code == 0, result
    krs = read(root, "2026-Q4/team.yaml")["objectives"][0]["key_results"]
    assert krs[1] == {"id": "reached", "title": "From 0 to 5", "baseline": 7, "target": 5}
    assert "team/open/reached starts at 7, past its target 5" in result.stderr


def test_a_team_with_nothing_to_carry_gets_an_empty_list(tmp_path: Path) -> None:
    done = (
        "name: Done\nobjectives:\n  - id: o\n    title: O\n    key_results:\n"
        "      - id: k\n        title: K 1\n        done: true\n"
    )
    root = make_repo(
        tmp_path / "r", {"2026-Q3/done.yaml": done, "2026-Q3/empty.yaml": "objectives: []\n"}
    )
    result = run_okr("-C", str(root), "--cycle", "2026-Q3", "next")
    assert result.exit_code == 0, result
    assert read(root, "2026-Q4/done.yaml") == {"name": "Done", "objectives": []}
    assert read(root, "2026-Q4/empty.yaml") == {"objectives": []}
    assert (root / "2026-Q4/done.yaml").read_text("utf-8").endswith("\nobjectives: []\n")


def test_aligns_are_kept_only_to_objectives_carried_too(tmp_path: Path) -> None:
    company = """\
objectives:
  - id: growth
    title: Grow
    key_results:
      - id: revenue
        title: Revenue from 1 to 2
        baseline: 1
        target: 2
  - id: done-one
    title: Done already
    key_results:
      - id: k
        title: K 1
        done: true
"""
    team = """\
objectives:
  - id: o
    title: O
    aligns: [company/growth, company/done-one]
    key_results:
      - id: k
        title: K from 0 to 1
        baseline: 0
        target: 1
"""
    files = {"2026-Q3/company.yaml": company, "2026-Q3/team.yaml": team}
    root = make_repo(tmp_path / "r", files)
    result = run_okr("-C", str(root), "--cycle", "2026-Q3", "next")
    assert result.exit_code == 0, result
    assert read(root, "2026-Q4/team.yaml")["objectives"][0]["aligns"] == "company/growth"
    assert result.stderr == (
        "okr: team/o no longer aligns to company/done-one: that objective is not carried to "
        "2026-Q4; add the line back once it is there\n"
    )
    assert run_okr("-C", str(root), "--cycle", "2026-Q4", "validate").exit_code == 0


def test_aligns_to_an_objective_already_in_the_target_are_kept(tmp_path: Path) -> None:
    company = (
        "objectives:\n  - id: growth\n    title: Grow\n    key_results:\n"
        "      - id: r\n        title: R 1 to 2\n        baseline: 1\n        target: 2\n"
    )
    team = (
        "objectives:\n  - id: o\n    title: O\n    aligns: company/growth\n"
        "    key_results:\n      - id: k\n        title: K 0 to 1\n        baseline: 0\n"
        "        target: 1\n"
    )
    files = {"2026-Q3/company.yaml": company, "2026-Q3/team.yaml": team}
    root = make_repo(tmp_path / "r", files)
    first = run_okr("-C", str(root), "--cycle", "2026-Q3", "next", "company")
    assert first.exit_code == 0, first
    assert not (root / "2026-Q4" / "team.yaml").exists()
    second = run_okr("-C", str(root), "--cycle", "2026-Q3", "next", "team")
    assert second.exit_code == 0, second
    assert second.stderr == ""
    assert read(root, "2026-Q4/team.yaml")["objectives"][0]["aligns"] == "company/growth"


def test_named_teams_only_and_an_unknown_team_is_refused(tmp_path: Path) -> None:
    root = imported_example(tmp_path)
    result = run_okr("-C", str(root), "--cycle", "2026-Q3", "next", "sales", "nobody")
    assert result.exit_code == 1
    assert result.stderr == (
        "okr: no team 'nobody' in 2026-Q3; teams here: company, hr-admin, sales\n"
    )
    assert not (root / "2026-Q4").exists()


def test_a_source_is_carried(tmp_path: Path) -> None:
    team = TEAM.replace("        weight: 2\n", "        weight: 2\n        source: hris:half\n")
    declared = CONFIG + "sources:\n  hris: {csv: hr.csv, key: metric, value: value}\n"
    root = make_repo(tmp_path / "r", {"2026-Q3/team.yaml": team}, declared)
    if run_okr("-C", str(root), "--cycle", "2026-Q3", "validate").exit_code != 0:
        # Before okr.yaml knows `sources:` (SPEC §19), a source needs no declaration.
        (root / "okr.yaml").write_text(CONFIG, encoding="utf-8")
        commit(root, "no sources yet")
    assert run_okr("-C", str(root), "--cycle", "2026-Q3", "validate").exit_code == 0
    assert run_okr("-C", str(root), "--cycle", "2026-Q3", "next").exit_code == 0
    kr = read(root, "2026-Q4/team.yaml")["objectives"][0]["key_results"][0]
    assert list(kr) == ["id", "title", "owner", "unit", "baseline", "target", "weight", "source"]
    assert kr["source"] == "hris:half"


# --- the files ------------------------------------------------------------------------------


def test_the_example_carries_into_files_that_validate(tmp_path: Path) -> None:
    root = imported_example(tmp_path)
    result = run_okr("-C", str(root), "--cycle", "2026-Q3", "next")
    assert result.exit_code == 0, result
    assert result.stderr == ""
    checked = run_okr("-C", str(root), "--cycle", "2026-Q4", "validate", "--strict")
    assert (checked.exit_code, checked.stdout) == (0, "")
    text = (root / "2026-Q4" / "hr-admin.yaml").read_text("utf-8")
    # Block style, §3's key order, the source cycle named on the first line.
    assert text.startswith(
        "# 2026-Q4, carried over from 2026-Q3 by okr next\n"
        "name: 行政人事部\n"
        "owner: 王芳\n"
        "objectives:\n"
        "  - id: talent\n"
        "    title: 成为业务高速发展的坚实人才与组织保障,支撑Q3业务扩张目标\n"
        "    owner: 王芳\n"
        "    kind: committed\n"
        "    aligns: company/growth\n"
        "    carried_from: 2026-Q3/hr-admin/talent\n"
        "    key_results:\n"
        "      - id: offer-rate\n"
        "        title: 关键岗位Offer接受率从60%提升至75%以上\n"
        "        owner: 李雷\n"
        "        unit: '%'\n"
        "        baseline: 68\n"
        "        target: 75\n"
    )
    assert "{" not in text and "current:" not in text and "confidence:" not in text


def test_every_carried_baseline_is_the_sources_last_value(tmp_path: Path) -> None:
    root = imported_example(tmp_path)
    card = json.loads(
        run_okr("-C", str(root), "--cycle", "2026-Q3", "scorecard", "--format", "json").stdout
    )
    assert run_okr("-C", str(root), "--cycle", "2026-Q3", "next").exit_code == 0
    for team in card["teams"]:
        carried = read(root, f"2026-Q4/{team['team']}.yaml")
        new = {
            f"{team['team']}/{o['id']}/{kr['id']}": kr
            for o in carried["objectives"]
            for kr in o["key_results"]
        }
        for objective in team["objectives"]:
            for kr in objective["key_results"]:
                if kr["progress"] >= 1:
                    assert kr["address"] not in new
                elif kr["done"] is None:
                    assert new[kr["address"]]["baseline"] == kr["current"]
                    assert new[kr["address"]]["target"] == kr["target"]
                else:
                    assert new[kr["address"]]["done"] is False


def test_a_yml_source_gives_a_yml_file(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"2026-Q3/team.yml": TEAM})
    assert run_okr("-C", str(root), "--cycle", "2026-Q3", "next").exit_code == 0
    assert (root / "2026-Q4" / "team.yml").is_file()
    assert not (root / "2026-Q4" / "team.yaml").exists()


TRICKY_TITLES = [
    "Ratio: from 1 to 2",
    "#1 priority from 1 to 2",
    "- leading dash 1",
    "'single' and \"double\" quotes 1",
    "成为业务高速发展的坚实人才与组织保障,支撑Q3业务扩张目标",
    "trailing space 1 ",
    " leading space 1",
    "yes",
    "2026",
    "1e5",
    "null",
    "a # not a comment 1",
    "[brackets] {braces} 1",
    "@at `tick` |pipe >gt 1",
    "!tag &anchor *alias 1",
    "% percent 1",
    "x" * 300 + " long 1",
]


@pytest.mark.parametrize("title", TRICKY_TITLES)
def test_any_title_reads_back_as_itself(tmp_path: Path, title: str) -> None:
    quoted = json.dumps(title, ensure_ascii=False)  # a JSON string is a YAML scalar
    team = TEAM.replace("title: Open objective", f"title: {quoted}").replace(
        "title: From 10 to 20", f"title: {quoted}"
    )
    root = make_repo(tmp_path / "r", {"2026-Q3/team.yaml": team})
    result = run_okr("-C", str(root), "--cycle", "2026-Q3", "next")
    assert result.exit_code == 0, result
    objective = read(root, "2026-Q4/team.yaml")["objectives"][0]
    assert objective["title"] == title
    assert objective["key_results"][0]["title"] == title
    # PyYAML (a YAML 1.1 reader) reads it the same way.
    assert (
        yaml.safe_load((root / "2026-Q4/team.yaml").read_text("utf-8"))["objectives"][0]["title"]
        == title
    )


# --- refusals -------------------------------------------------------------------------------


def test_an_existing_target_file_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    root = imported_example(tmp_path)
    (root / "2026-Q4").mkdir()
    (root / "2026-Q4" / "sales.yml").write_text("objectives: []\n", encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "sales starts early")
    before = head(root)
    result = run_okr("-C", str(root), "--cycle", "2026-Q3", "next")
    assert result.exit_code == 1
    assert result.stderr == (
        "okr: 2026-Q4/sales.yml already exists; okr next only writes new files, so nothing "
        "was written; move it away, or name only the other teams (company, hr-admin)\n"
    )
    assert sorted(p.name for p in (root / "2026-Q4").iterdir()) == ["sales.yml"]
    assert head(root) == before
    assert status(root) == ""


def test_several_existing_files_are_all_named(tmp_path: Path) -> None:
    root = imported_example(tmp_path)
    (root / "2026-Q4").mkdir()
    for name in ("company.yaml", "hr-admin.yaml"):
        (root / "2026-Q4" / name).write_text("objectives: []\n", encoding="utf-8")
    result = run_okr("-C", str(root), "--cycle", "2026-Q3", "next", "--dry-run")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "okr: 2026-Q4/company.yaml, 2026-Q4/hr-admin.yaml already exist; "
    )
    assert result.stdout == ""


def test_a_source_with_errors_is_refused(tmp_path: Path) -> None:
    root = imported_example(tmp_path)
    (root / "2026-Q3" / "broken.yaml").write_text("objectives: 3\n", encoding="utf-8")
    result = run_okr("-C", str(root), "--cycle", "2026-Q3", "next")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        "okr: 2026-Q3 has 1 error(s); fix them first (see 'okr validate'), then start the "
        "next cycle"
    )
    assert "2026-Q3/broken.yaml:1:" in result.stderr
    assert not (root / "2026-Q4").exists()


def test_a_source_with_no_team_is_refused(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"2026-Q3/notes.txt": "no team yet\n"})
    result = run_okr("-C", str(root), "--cycle", "2026-Q3", "next")
    assert result.exit_code == 1
    assert result.stderr == (
        "okr: 2026-Q3 has no team files, so there is nothing to start 2026-Q4 from; create a "
        "team file, or start with 'okr init'\n"
    )
    assert not (root / "2026-Q4").exists()
    assert git(root, "rev-list", "--count", "HEAD").strip() == "1"


def test_a_linked_target_folder_is_refused(tmp_path: Path) -> None:
    root = imported_example(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (root / "2026-Q4").symlink_to(elsewhere)
    result = run_okr("-C", str(root), "--cycle", "2026-Q3", "next")
    assert result.exit_code == 1
    assert "2026-Q4, a symbolic link" in result.stderr
    assert list(elsewhere.iterdir()) == []


def test_at_is_a_usage_error(tmp_path: Path) -> None:
    root = imported_example(tmp_path)
    result = run_okr("-C", str(root), "--at", "HEAD", "next")
    assert result.exit_code == 2
    assert not (root / "2026-Q4").exists()


def test_a_detached_head_is_refused(tmp_path: Path) -> None:
    root = imported_example(tmp_path)
    git(root, "checkout", "-q", "--detach")
    result = run_okr("-C", str(root), "--cycle", "2026-Q3", "next")
    assert result.exit_code == 1
    assert "HEAD is detached" in result.stderr
    assert not (root / "2026-Q4").exists()


# --- the commit -----------------------------------------------------------------------------


def test_one_commit_of_the_new_files_alone(tmp_path: Path) -> None:
    root = imported_example(tmp_path)
    (root / "notes.txt").write_text("staged, not mine\n", encoding="utf-8")
    git(root, "add", "notes.txt")
    before = head(root)
    result = run_okr("-C", str(root), "--cycle", "2026-Q3", "next")
    assert result.exit_code == 0, result
    short = git(root, "rev-parse", "--short", "HEAD").strip()
    assert result.stdout == (
        "created 2026-Q4/company.yaml: 2 objectives, 3 key results\n"
        "created 2026-Q4/hr-admin.yaml: 3 objectives, 9 key results\n"
        "created 2026-Q4/sales.yaml: 2 objectives, 4 key results\n"
        f"[{short}] next: 2026-Q4 from 2026-Q3\n"
    )
    assert git(root, "rev-parse", "HEAD~1").strip() == before
    assert git(root, "log", "-1", "--format=%B").strip() == (
        "next: 2026-Q4 from 2026-Q3\n\n"
        "company: 2 objectives, 3 key results\n"
        "hr-admin: 3 objectives, 9 key results\n"
        "sales: 2 objectives, 4 key results\n\n"
        "OKR-Next: 2026-Q4"
    )
    assert git(root, "log", "-1", "--format=%(trailers:key=OKR-Next,valueonly)").strip() == (
        "2026-Q4"
    )
    assert git(root, "show", "--name-status", "--format=", "HEAD").splitlines() == [
        "A\t2026-Q4/company.yaml",
        "A\t2026-Q4/hr-admin.yaml",
        "A\t2026-Q4/sales.yaml",
    ]
    assert status(root) == "A  notes.txt\n"


def test_no_commit_writes_the_files_and_leaves_them_untracked(tmp_path: Path) -> None:
    root = imported_example(tmp_path)
    before = head(root)
    result = run_okr("-C", str(root), "--cycle", "2026-Q3", "next", "--no-commit")
    assert result.exit_code == 0, result
    assert result.stdout.endswith("next: 2026-Q4 from 2026-Q3 (written, not committed)\n")
    assert head(root) == before
    assert sorted(status(root).splitlines()) == [
        "?? 2026-Q4/company.yaml",
        "?? 2026-Q4/hr-admin.yaml",
        "?? 2026-Q4/sales.yaml",
    ]


def test_no_commit_works_outside_git(okr_dir: Path) -> None:
    (okr_dir / "2026-Q3" / "team.yaml").write_text(TEAM, encoding="utf-8")
    result = run_okr("-C", str(okr_dir), "--cycle", "2026-Q3", "next", "--no-commit")
    assert result.exit_code == 0, result
    assert (okr_dir / "2026-Q4" / "team.yaml").is_file()
    refused = run_okr("-C", str(okr_dir), "--cycle", "2026-Q3", "next", "--to", "2027-Q1")
    assert refused.exit_code == 1
    assert "not inside a git work tree" in refused.stderr


def test_dry_run_prints_the_files_and_writes_nothing(tmp_path: Path) -> None:
    root = imported_example(tmp_path)
    before = head(root)
    result = run_okr("-C", str(root), "--cycle", "2026-Q3", "next", "--dry-run")
    assert result.exit_code == 0, result
    assert not (root / "2026-Q4").exists()
    assert head(root) == before and status(root) == ""
    assert result.stdout.startswith(
        "==> 2026-Q4/company.yaml <==\n# 2026-Q4, carried over from 2026-Q3 by okr next\n"
    )
    assert "\n\n==> 2026-Q4/hr-admin.yaml <==\n" in result.stdout
    assert "\n\n==> 2026-Q4/sales.yaml <==\n" in result.stdout
    # What it prints is exactly what a real run writes.
    assert run_okr("-C", str(root), "--cycle", "2026-Q3", "next").exit_code == 0
    written = "\n".join(
        f"==> 2026-Q4/{name} <==\n" + (root / "2026-Q4" / name).read_text("utf-8")
        for name in ("company.yaml", "hr-admin.yaml", "sales.yaml")
    )
    assert result.stdout == written


def write_hook(repo: Path, name: str, body: str) -> None:
    hook = repo / ".git" / "hooks" / name
    hook.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    hook.chmod(0o755)


def test_a_rejected_commit_removes_the_new_files_and_their_folder(tmp_path: Path) -> None:
    root = imported_example(tmp_path)
    write_hook(root, "pre-commit", "echo 'hook: no new cycles today' >&2\nexit 1\n")
    before = head(root)
    result = run_okr("-C", str(root), "--cycle", "2026-Q3", "next")
    assert result.exit_code == 1
    assert result.stderr == (
        "okr: git did not commit the check-in, so 2026-Q4/company.yaml, 2026-Q4/hr-admin.yaml, "
        "2026-Q4/sales.yaml were removed; git said: hook: no new cycles today\n"
    )
    assert not (root / "2026-Q4").exists()
    assert head(root) == before
    assert status(root) == ""
    assert git(root, "ls-files", "2026-Q4") == ""


def test_a_rejected_commit_keeps_a_folder_that_holds_other_files(tmp_path: Path) -> None:
    root = imported_example(tmp_path)
    (root / "2026-Q4").mkdir()
    (root / "2026-Q4" / "README.md").write_text("next quarter\n", encoding="utf-8")
    write_hook(root, "commit-msg", "exit 1\n")
    result = run_okr("-C", str(root), "--cycle", "2026-Q3", "next", "sales")
    assert result.exit_code == 1
    assert sorted(p.name for p in (root / "2026-Q4").iterdir()) == ["README.md"]
    assert git(root, "ls-files", "--stage", "2026-Q4") == ""


def test_an_ignored_target_is_refused_by_git_and_removed(tmp_path: Path) -> None:
    root = imported_example(tmp_path)
    (root / ".gitignore").write_text("2026-Q4/\n", encoding="utf-8")
    commit(root, "ignore the next quarter")
    result = run_okr("-C", str(root), "--cycle", "2026-Q3", "next")
    assert result.exit_code == 1
    assert "ignored" in result.stderr
    assert not (root / "2026-Q4").exists()


def test_the_new_files_mode_follows_the_umask(tmp_path: Path) -> None:
    root = imported_example(tmp_path)
    assert run_okr("-C", str(root), "--cycle", "2026-Q3", "next", "sales").exit_code == 0
    mode = (root / "2026-Q4" / "sales.yaml").stat().st_mode & 0o777
    probe = tmp_path / "probe"
    probe.write_text("x", encoding="utf-8")
    assert mode == probe.stat().st_mode & 0o777


def test_the_installed_command_runs_end_to_end(tmp_path: Path) -> None:
    from conftest import run_okr_process

    root = imported_example(tmp_path)
    done = run_okr_process("--cycle", "2026-Q3", "next", "sales", cwd=root)
    assert done.returncode == 0, done.stderr
    log = subprocess.run(
        ["git", "log", "-1", "--format=%s"], cwd=root, capture_output=True, text=True, check=True
    )
    assert log.stdout == "next: 2026-Q4 from 2026-Q3\n"


# --- okr init in a root without the current cycle's folder -----------------------------------


def test_init_in_a_root_without_the_current_cycle_creates_its_folder(tmp_path: Path) -> None:
    root = imported_example(tmp_path)
    config = (root / "okr.yaml").read_bytes()
    result = run_okr("-C", str(root), "--as-of", "2026-11-02", "init")
    assert result.exit_code == 0, result
    team_file = root / "2026-Q4" / "my-team.yaml"
    assert result.stdout.splitlines() == [
        f"created {team_file}",
        # The example's first line names the schemas, which the example root lacked.
        f"created {root / '.okr' / 'team.schema.json'}",
        f"created {root / '.okr' / 'config.schema.json'}",
    ]
    assert (root / "okr.yaml").read_bytes() == config
    checked = run_okr("-C", str(root), "--as-of", "2026-11-02", "validate", "--strict")
    assert (checked.exit_code, checked.stdout) == (0, "")


def test_init_keeps_the_schemas_a_root_has(tmp_path: Path) -> None:
    root = imported_example(tmp_path)
    (root / ".okr").mkdir()
    (root / ".okr" / "team.schema.json").write_text("{}\n", encoding="utf-8")
    result = run_okr("-C", str(root), "--as-of", "2026-11-02", "init")
    assert result.exit_code == 0, result
    assert result.stdout == f"created {root / '2026-Q4' / 'my-team.yaml'}\n"
    assert (root / ".okr" / "team.schema.json").read_text("utf-8") == "{}\n"


def test_init_refuses_when_the_current_cycle_has_its_folder(tmp_path: Path) -> None:
    root = imported_example(tmp_path)
    result = run_okr("-C", str(root), "--as-of", "2026-08-15", "init")
    assert result.exit_code == 1
    assert result.stderr == (
        f"okr: {root / 'okr.yaml'} already exists and so does the folder of the current cycle "
        "(2026-Q3/); okr init never overwrites them; start a new cycle from the last one with "
        "'okr next'\n"
    )
    assert status(root) == ""


def test_init_counts_a_declared_cycle_holding_today_as_current(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"2026-H2/team.yaml": TEAM}, DECLARED)
    result = run_okr("-C", str(root), "--as-of", "2026-11-02", "init")
    assert result.exit_code == 1
    assert "(2026-H2/)" in result.stderr
    assert not (root / "2026-Q4").exists()


# --- the property: whatever the source, the new files validate ------------------------------

_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x20, max_codepoint=0x7E),
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
        st.sampled_from(",：。、（）「」—…éü\t"),
    ),
    min_size=1,
    max_size=24,
).filter(lambda text: text.strip() != "")
_TITLES = st.one_of(_TEXT, st.sampled_from(TRICKY_TITLES))
_IDS = st.from_regex(r"[a-z0-9][a-z0-9-]{0,6}", fullmatch=True)
_NUMBERS = st.one_of(
    st.integers(-10_000, 10_000),
    st.floats(-10_000, 10_000, allow_nan=False).map(lambda x: round(x, 3)),
)


@st.composite
def key_results(draw: st.DrawFn, kr_id: str) -> dict[str, Any]:
    kr: dict[str, Any] = {"id": kr_id, "title": draw(_TITLES)}
    if draw(st.booleans()):
        kr["owner"] = draw(_TEXT)
    if draw(st.booleans()):
        kr["done"] = draw(st.booleans())
    else:
        baseline = draw(_NUMBERS)
        kr["unit"] = draw(st.sampled_from(["%", "天", "M", "h: min", "#"]))
        kr["baseline"] = baseline
        kr["target"] = draw(_NUMBERS.filter(lambda x: x != baseline))
        if draw(st.booleans()):
            kr["current"] = draw(st.one_of(_NUMBERS, st.just(kr["target"])))
    for key, values in (
        ("confidence", st.sampled_from([0, 0.3, 0.75, 1])),
        ("weight", st.sampled_from([0.5, 1, 2, 3])),
        ("score", st.sampled_from([0, 0.4, 1])),
        ("retro", _TEXT),
    ):
        if draw(st.booleans()):
            kr[key] = draw(values)
    return kr


@st.composite
def team_files(draw: st.DrawFn) -> dict[str, Any]:
    objective_ids = draw(st.lists(_IDS, max_size=4, unique=True))
    objectives = []
    for index, objective_id in enumerate(objective_ids):
        kr_ids = draw(st.lists(_IDS, min_size=1, max_size=4, unique=True))
        objective: dict[str, Any] = {"id": objective_id, "title": draw(_TITLES)}
        if draw(st.booleans()):
            objective["kind"] = draw(st.sampled_from(["committed", "aspirational"]))
        earlier = [f"team/{o}" for o in objective_ids[:index]]  # no loops (E010)
        if earlier and draw(st.booleans()):
            objective["aligns"] = draw(st.lists(st.sampled_from(earlier), min_size=1, unique=True))
        objective["key_results"] = [draw(key_results(kr_id)) for kr_id in kr_ids]
        objectives.append(objective)
    team: dict[str, Any] = {"objectives": objectives}
    if draw(st.booleans()):
        team = {"name": draw(_TITLES), "owner": draw(_TEXT), "closed": "2026-10-02", **team}
    return team


def _last_value(kr: dict[str, Any]) -> Any:
    return kr.get("current", kr["baseline"])


def _progress(kr: dict[str, Any]) -> float:
    if "done" in kr:
        return 1.0 if kr["done"] else 0.0
    b, t = kr["baseline"], kr["target"]
    return min(max((_last_value(kr) - b) / (t - b), 0.0), 1.0)


@settings(max_examples=60)
@given(team=team_files(), carry_all=st.booleans())
def test_next_always_writes_files_that_validate(team: dict[str, Any], carry_all: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "okr.yaml").write_text(CONFIG, encoding="utf-8")
        (root / "2026-Q3").mkdir()
        # JSON is YAML: the source is written by another writer than okr's.
        (root / "2026-Q3" / "team.yaml").write_text(json.dumps(team), encoding="utf-8")
        source = run_okr("-C", folder, "--cycle", "2026-Q3", "validate")
        assert source.exit_code == 0, source
        flags = ["--all"] if carry_all else []
        result = run_okr("-C", folder, "--cycle", "2026-Q3", "next", "--no-commit", *flags)
        assert result.exit_code == 0, result
        checked = run_okr("-C", folder, "--cycle", "2026-Q4", "validate", "--format", "json")
        assert checked.exit_code == 0, checked
        assert [d for d in json.loads(checked.stdout) if d["severity"] == "error"] == []
        carried = read(root, "2026-Q4/team.yaml")
    new = {(o["id"], kr["id"]): kr for o in carried["objectives"] for kr in o["key_results"]}
    for objective in team["objectives"]:
        for kr in objective["key_results"]:
            found = new.get((objective["id"], kr["id"]))
            wanted = carry_all or _progress(kr) < 1 - 1e-9
            if "done" in kr:
                assert (found is not None) == wanted
                assert found is None or found["done"] is False
                continue
            if not wanted or _last_value(kr) == kr["target"]:
                assert found is None
                continue
            assert found is not None
            assert found["baseline"] == _last_value(kr)
            assert found["target"] == kr["target"]
            assert not {"current", "confidence", "score", "retro"} & found.keys()
