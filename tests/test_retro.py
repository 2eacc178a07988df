"""`okr retro` (SPEC §15) over real git histories: scores, paths, check-ins, revisions,
confidence, retro texts, and each flag with and without its reason."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import commit, edit, git, imported_example, run_okr

TEAM_FILE = "2026-Q3/team.yaml"

TEAM = """\
name: The Team
objectives:
  - id: grow
    title: Grow
    key_results:
      - id: easy
        title: Easy from 0 to 10
        baseline: 0
        target: 10
      - id: late
        title: Late from 0 to 10
        baseline: 0
        target: 10
      - id: moved
        title: Moved from 0 to 10
        baseline: 0
        target: 10
        current: 4
      - id: silent
        title: Silent from 0 to 10
        baseline: 0
        target: 10
        current: 2
      - id: doubt
        title: Doubt from 0 to 10
        baseline: 0
        target: 10
        confidence: 0.7
  - id: must
    title: Must
    kind: committed
    retro: Too much at once.
    key_results:
      - id: graded
        title: Graded from 0 to 10
        baseline: 0
        target: 10
        current: 10
        score: 0.9
        retro: The last 10% took a month.
      - id: launch
        title: Launch v1
        done: false
  - id: kept
    title: Kept
    kind: committed
    key_results:
      - id: hit
        title: Hit from 0 to 3
        baseline: 0
        target: 3
        current: 3
"""
CLOSED = """\
name: The Team
closed: 2026-10-02
retro: |
  We learned a lot.
  Second line | with a pipe.
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A team's quarter: planned on 1 July, check-ins, a revision, a late finish, closed."""
    root = tmp_path / "okrs"
    (root / "2026-Q3").mkdir(parents=True)
    (root / "okr.yaml").write_text("organization: Test Org\n", encoding="utf-8")
    (root / TEAM_FILE).write_text(TEAM, encoding="utf-8")
    git(root, "init", "-q")
    commit(root, "Plan the quarter", "2026-07-01T09:00:00+00:00")
    checkin(root, "easy", "6", "2026-07-10T09:00:00+00:00", "-m", "a good start")
    checkin(root, "easy", "12", "2026-07-20T09:00:00+00:00")
    checkin(root, "doubt", "3", "2026-07-21T09:00:00+00:00", "--confidence", "0.4")
    edit(root, TEAM_FILE, "current: 4\n", "current: 5\n        confidence: 0.9\n")
    commit(root, "Update moved by hand", "2026-07-25T09:00:00+00:00")
    edit(root, TEAM_FILE, "target: 10\n        current: 5", "target: 12\n        current: 5")
    commit(root, "Raise the bar for moved", "2026-08-01T09:00:00+00:00")
    checkin(root, "late", "10", "2026-09-15T09:00:00+00:00")
    checkin(root, "launch", "done", "2026-09-20T09:00:00+00:00")
    checkin(root, "launch", "not-done", "2026-09-21T09:00:00+00:00", "-m", "rolled back")
    edit(root, TEAM_FILE, "name: The Team\n", CLOSED)
    commit(root, "Close the quarter", "2026-10-02T09:00:00+00:00")
    return root


def checkin(root: Path, address: str, value: str, when: str, *more: str) -> None:
    env = {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    result = run_okr("-C", str(root), "checkin", address, value, *more, env=env)
    assert result.exit_code == 0, result


def retro_json(root: Path, *args: str, cycle: str = "2026-Q3") -> dict[str, Any]:
    result = run_okr("-C", str(root), "--cycle", cycle, "retro", *args, "--format", "json")
    assert result.exit_code == 0, result
    data = json.loads(result.stdout)
    assert isinstance(data, dict)
    return data


def key_results(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        kr["address"]: kr
        for team in data["teams"]
        for objective in team["objectives"]
        for kr in objective["key_results"]
    }


def objectives(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {o["address"]: o for team in data["teams"] for o in team["objectives"]}


def test_the_json_is_exactly_sections_15s(repo: Path) -> None:
    data = retro_json(repo)
    assert list(data) == ["cycle", "teams"]
    assert data["cycle"] == "2026-Q3"
    team = data["teams"][0]
    assert list(team) == ["team", "closed", "score", "retro", "objectives"]
    assert (team["team"], team["closed"]) == ("team", "2026-10-02")
    assert team["retro"] == "We learned a lot.\nSecond line | with a pipe.\n"
    objective = team["objectives"][1]
    assert list(objective) == ["address", "kind", "score", "retro", "flags", "key_results"]
    assert objective == {
        "address": "team/must",
        "kind": "committed",
        "score": 0.45,
        "retro": "Too much at once.",
        "flags": ["committed-missed"],
        "key_results": [
            {
                "address": "team/must/graded",
                "score": 0.9,  # the written score, not the computed 1.0
                "first": 10,
                "last": 10,
                "checkins": 0,
                "revisions": [],
                "confidence": [None, None],
                "retro": "The last 10% took a month.",
                "flags": ["never-checked-in"],
            },
            {
                "address": "team/must/launch",
                "score": 0.0,
                "first": False,
                "last": False,
                "checkins": 2,
                "revisions": [],
                "confidence": [None, None],
                "retro": None,
                "flags": [],
            },
        ],
    }


def test_piped_json_made_team_by_team_is_the_whole_retros_json(repo: Path) -> None:
    """Piped, the JSON is joined from each team's text, made where its group's history was
    read (jsonout.retro): it is the whole retrospective's JSON, a team with no history (a
    new file, uncommitted) included, in the teams' order."""
    import datetime as dt

    from okrcli.files.loader import load_cycle
    from okrcli.files.workspace import open_workspace
    from okrcli.history import split
    from okrcli.render import jsonout
    from okrcli.services import report
    from okrcli.services import retro as service

    (repo / "2026-Q3" / "a-new.yaml").write_text(TEAM.replace("The Team", "New"), "utf-8")
    workspace = open_workspace(repo)
    data = load_cycle(workspace, workspace.select_cycle("2026-Q3", dt.date(2026, 8, 15)))
    teams = report.selected_teams(data, None)
    (steps,) = split.load_reduced(repo, "HEAD", "2026-Q3", list)
    assert [team.id for team in teams] == ["a-new", "team"]

    def whole(past: list[Any]) -> str:
        return jsonout.encode(service.as_json(service.retro(data, teams, past)), indent=False)

    texts = jsonout.retro_team_texts(data, teams, steps)
    assert list(texts) == ["team"]  # the teams its steps change
    assert jsonout.retro(data, teams, [texts]) == whole(steps)
    assert jsonout.retro(data, teams, []) == whole([])
    piped = run_okr("-C", str(repo), "--cycle", "2026-Q3", "retro", "--format", "json")
    assert piped.stdout == whole(steps) + "\n"


def test_a_krs_path_checkins_and_confidence(repo: Path) -> None:
    easy = key_results(retro_json(repo))["team/grow/easy"]
    assert (easy["first"], easy["last"], easy["checkins"]) == (0, 12, 2)
    assert easy["score"] == 1.0
    doubt = key_results(retro_json(repo))["team/grow/doubt"]
    assert (doubt["first"], doubt["last"], doubt["confidence"]) == (0, 3, [0.7, 0.4])


def test_revisions_have_date_field_old_new_and_the_commits_subject_as_note(repo: Path) -> None:
    moved = key_results(retro_json(repo))["team/grow/moved"]
    assert moved["revisions"] == [
        {
            "date": "2026-08-01T09:00:00+00:00",
            "field": "target",
            "old": 10,
            "new": 12,
            "note": "Raise the bar for moved",
        }
    ]
    assert (moved["first"], moved["last"], moved["checkins"]) == (4, 5, 1)
    assert moved["confidence"] == [0.9, 0.9]


def test_each_flag_where_it_belongs(repo: Path) -> None:
    data = retro_json(repo)
    flags = {a: kr["flags"] for a, kr in key_results(data).items()}
    assert flags == {
        # at its target on 20 July, long before the last 30 days of September
        "team/grow/easy": ["no-stretch"],
        # at its target on 15 September: within the last 30 days
        "team/grow/late": [],
        "team/grow/moved": ["moved-goalposts"],
        "team/grow/silent": ["never-checked-in"],
        # 0.7 → 0.4 is a fall of 0.3 (0.29999… in floating point)
        "team/grow/doubt": ["confidence-drop"],
        "team/must/graded": ["never-checked-in"],
        "team/must/launch": [],
        "team/kept/hit": ["never-checked-in"],
    }
    assert {a: o["flags"] for a, o in objectives(data).items()} == {
        "team/grow": [],  # aspirational: missing is allowed
        "team/must": ["committed-missed"],
        "team/kept": [],  # committed and scored 1.0
    }


def test_no_stretch_is_only_for_aspirational_objectives(repo: Path) -> None:
    edit(
        repo,
        TEAM_FILE,
        "  - id: grow\n    title: Grow\n",
        "  - id: grow\n    title: Grow\n    kind: committed\n",
    )
    commit(repo, "grow is committed after all", "2026-09-30T09:00:00+00:00")
    easy = key_results(retro_json(repo))["team/grow/easy"]
    assert "no-stretch" not in easy["flags"]


def test_a_small_confidence_fall_is_no_drop(repo: Path) -> None:
    edit(repo, TEAM_FILE, "confidence: 0.4", "confidence: 0.5")
    commit(repo, "a bit more hopeful", "2026-09-25T09:00:00+00:00")
    doubt = key_results(retro_json(repo))["team/grow/doubt"]
    assert doubt["confidence"] == [0.7, 0.5]
    assert doubt["flags"] == []


def test_a_confidence_update_is_a_check_in_but_not_a_change_of_value(repo: Path) -> None:
    # As `okr people` counts them: a commit that changed the value or the confidence.
    edit(repo, TEAM_FILE, "current: 2\n", "current: 2\n        confidence: 0.6\n")
    commit(repo, "silent is less sure", "2026-09-25T09:00:00+00:00")
    silent = key_results(retro_json(repo))["team/grow/silent"]
    assert (silent["checkins"], silent["confidence"]) == (1, [0.6, 0.6])
    assert silent["flags"] == ["never-checked-in"]


def test_the_table_shows_trends_flags_with_reasons_revisions_and_retros(repo: Path) -> None:
    result = run_okr("-C", str(repo), "--cycle", "2026-Q3", "retro")
    assert result.exit_code == 0, result
    out = result.stdout
    assert out.startswith("Test Org · 2026-Q3 · retrospective · score ")
    assert "team · The Team · closed 2026-10-02 · score " in out
    easy = next(line for line in out.splitlines() if line.startswith("  easy "))
    assert "▁▅█" in easy and "0 → 12" in easy and "no-stretch" in easy
    assert (
        "  team/grow/easy  no-stretch: an aspirational KR at its target by 2026-07-20, more "
        "than 30 days before the cycle ended: was the target too low?"
    ) in out
    assert "  team/grow/doubt  confidence-drop: confidence fell from 0.7 to 0.4" in out
    assert "  team/must  committed-missed: a committed objective scored 0.45" in out
    assert (
        "  team/grow/moved  moved-goalposts: goalposts moved: target 10 → 12 on 2026-08-01" in out
    )
    assert "  2026-08-01  team/grow/moved  target 10 → 12  Raise the bar for moved" in out
    assert "  team:\n    We learned a lot.\n    Second line | with a pipe.\n" in out
    assert "  team/must/graded: The last 10% took a month." in out


def test_markdown_is_ready_to_paste(repo: Path) -> None:
    result = run_okr("-C", str(repo), "--cycle", "2026-Q3", "retro", "--format", "markdown")
    assert result.exit_code == 0, result
    out = result.stdout
    assert out.startswith("# Test Org — 2026-Q3 retrospective\n")
    assert "## The Team (`team`) — " in out and "· closed 2026-10-02" in out
    assert "| Easy from 0 to 10 (`team/grow/easy`) | 1.00 🟢 | ▁▅█ | 0 → 12 | 2 |" in out
    assert "- `team/grow/easy` **no-stretch**: " in out
    assert "- 2026-08-01 `team/grow/moved` target 10 → 12: Raise the bar for moved" in out
    # A pipe in user text would end the table cell, or here the list item's text.
    assert "- `team`: We learned a lot.\n  Second line \\| with a pipe.\n" in out


def test_markdown_makes_user_text_inert(repo: Path) -> None:
    edit(repo, TEAM_FILE, "title: Grow\n", 'title: "<b>Grow</b> | *now* [x](y)"\n')
    commit(repo, "a loud title", "2026-09-30T09:00:00+00:00")
    out = run_okr("-C", str(repo), "--cycle", "2026-Q3", "retro", "--format", "markdown").stdout
    assert "| **\\<b\\>Grow\\</b\\> \\| \\*now\\* \\[x\\](y)** (`team/grow`) |" in out


def test_one_team_and_an_unknown_team(tmp_path: Path) -> None:
    root = imported_example(tmp_path)
    data = retro_json(root, "sales")
    assert [team["team"] for team in data["teams"]] == ["sales"]
    result = run_okr("-C", str(root), "--cycle", "2026-Q3", "retro", "nobody")
    assert result.exit_code == 1
    assert (
        result.stderr == "okr: no team 'nobody' in 2026-Q3; teams here: company, hr-admin, sales\n"
    )


def test_the_examples_closed_quarter(tmp_path: Path) -> None:
    root = imported_example(tmp_path)
    data = retro_json(root, cycle="2026-Q2")
    hr = next(team for team in data["teams"] if team["team"] == "hr-admin")
    assert hr["closed"] == "2026-07-02"
    assert hr["retro"].startswith("内推渠道的Offer接受率明显高于猎头渠道")
    graded = key_results(data)
    assert graded["hr-admin/talent/dashboard"]["score"] == 0.3  # written, though not done
    assert graded["hr-admin/talent/offer-rate"]["retro"] == "猎头渠道候选人质量不稳定"


def test_outside_git_is_refused(okr_dir: Path) -> None:
    (okr_dir / "2026-Q3" / "team.yaml").write_text(TEAM, encoding="utf-8")
    result = run_okr("-C", str(okr_dir), "--cycle", "2026-Q3", "retro")
    assert result.exit_code == 1
    assert "git" in result.stderr


def test_a_cycle_with_errors_is_refused(repo: Path) -> None:
    (repo / "2026-Q3" / "broken.yaml").write_text("objectives: 3\n", encoding="utf-8")
    result = run_okr("-C", str(repo), "--cycle", "2026-Q3", "retro")
    assert result.exit_code == 1
    assert "2026-Q3 has 1 error(s)" in result.stderr


def test_a_cycle_with_no_commit_yet_has_no_check_ins(tmp_path: Path) -> None:
    root = tmp_path / "okrs"
    (root / "2026-Q3").mkdir(parents=True)
    (root / "okr.yaml").write_text("organization: Test Org\n", encoding="utf-8")
    (root / TEAM_FILE).write_text(TEAM, encoding="utf-8")
    git(root, "init", "-q")
    easy = key_results(retro_json(root))["team/grow/easy"]
    assert (easy["first"], easy["last"], easy["checkins"]) == (0, 0, 0)
    assert easy["flags"] == ["never-checked-in"]


def test_at_a_terminal_it_reads_at_80_columns(repo: Path) -> None:
    import io

    from rich.console import Console

    from okrcli.files import loader
    from okrcli.files.workspace import open_workspace
    from okrcli.history import versions
    from okrcli.render import retro as render_retro
    from okrcli.services import retro as service

    workspace = open_workspace(repo)
    data = loader.load_cycle(workspace, workspace.cycles["2026-Q3"])
    steps = versions.load(repo, head_of(repo), "2026-Q3", full_history=True)
    result = service.retro(data, data.teams, steps)
    out = io.StringIO()
    Console(file=out, width=80, color_system=None).print(render_retro.rich(result, "Test Org"))
    text = out.getvalue()
    assert max(len(line) for line in text.splitlines()) <= 80
    for expected in ("no-stretch", "▁▅█", "0 → 12", "confidence fell from 0.7 to 0.4"):
        assert expected in text
    assert "Raise the bar for moved" in text and "We learned a lot." in text


def head_of(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD").strip()


def test_a_revision_by_okr_revise_has_its_reason_as_note(tmp_path: Path) -> None:
    root = imported_example(tmp_path)
    revised = run_okr("-C", str(root), "revise", "enps", "--target", "7.6", "-m", "调研样本偏小")
    assert revised.exit_code == 0, revised
    enps = key_results(retro_json(root, "hr-admin"))["hr-admin/engagement/enps"]
    assert [(r["field"], r["old"], r["new"], r["note"]) for r in enps["revisions"]] == [
        ("target", 7.8, 7.6, "调研样本偏小")
    ]
    assert "moved-goalposts" in enps["flags"]
