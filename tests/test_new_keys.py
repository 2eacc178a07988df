"""The keys of SPEC §13 in a team file: `closed`, `retro`, `carried_from` and `source`.

Each wrong value is E005 at the exact line:col of the value (or of the key, for a key
written with no value), like every finding of `okr validate` (tests/test_validate.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from okrcli.files import loader
from okrcli.files.workspace import open_workspace
from tests.conftest import run_okr
from tests.test_validate import error, lines, validate, write_team

CLOSED_TEAM = """\
name: Platform
closed: 2026-10-08
retro: |
  Referrals beat agencies.
objectives:
  - id: uptime
    title: Keep the platform up
    carried_from: 2026-Q2/platform/uptime
    retro: 招聘渠道单一是主要瓶颈
    key_results:
      - id: availability
        title: Availability from 99.5 to 99.9
        baseline: 99.5
        target: 99.9
        score: 0.8
        retro: "猎头渠道候选人质量不稳定"
        source: hris:availability
"""
BLANK = "must say what was learned, not be blank; write it or remove the line"
ADDRESS = (
    "must be the objective's address in its cycle, CYCLE/TEAM/OBJECTIVE made of ids like "
    "2026-Q2/hr-admin/talent, not "
)
SOURCE = (
    "must be NAME:KEY, a source declared in okr.yaml and the key to read there, like "
    "hris:offer-rate, not "
)


# The sources CLOSED_TEAM's `source:` names (undeclared, a source is E013: test_sources.py).
SOURCES = """\
sources:
  hris: {csv: exports/hr.csv, key: metric, value: value}
  crm: {json: exports/crm.json}
"""


@pytest.fixture(autouse=True)
def declared_sources(okr_dir: Path) -> None:
    with (okr_dir / "okr.yaml").open("a", encoding="utf-8") as config:
        config.write(SOURCES)


def with_line(old: str, new: str) -> str:
    assert CLOSED_TEAM.count(old) == 1
    return CLOSED_TEAM.replace(old, new)


def test_every_new_key_with_a_good_value_validates_clean(okr_dir: Path) -> None:
    write_team(okr_dir, CLOSED_TEAM)
    result = validate(okr_dir)
    assert (result.exit_code, result.stdout) == (0, "")


@pytest.mark.parametrize(
    ("old", "new", "line", "col", "message"),
    [
        (
            "closed: 2026-10-08",
            "closed: 2026-06-30",
            2,
            9,
            "'closed' (2026-06-30) is before the cycle starts (2026-07-01); write the day the "
            "team closed the cycle",
        ),
        (
            "closed: 2026-10-08",
            "closed: 2026-02-30",
            2,
            9,
            "'closed' must be a real date written YYYY-MM-DD, not the text '2026-02-30'",
        ),
        (
            "closed: 2026-10-08",
            "closed: 2026-10-8",
            2,
            9,
            "'closed' must be a real date written YYYY-MM-DD, not the text '2026-10-8'",
        ),
        (
            "closed: 2026-10-08",
            "closed: 20261008",
            2,
            9,
            "'closed' must be a real date written YYYY-MM-DD, not 20261008",
        ),
        (
            "closed: 2026-10-08",
            "closed:",
            2,
            1,
            "'closed' must be a real date written YYYY-MM-DD, not empty",
        ),
        ("retro: |\n  Referrals beat agencies.", 'retro: ""', 3, 8, f"'retro' {BLANK}"),
        ("retro: |\n  Referrals beat agencies.", "retro: |\n   \n", 3, 8, f"'retro' {BLANK}"),
        ("retro: |\n  Referrals beat agencies.", "retro:", 3, 1, f"'retro' {BLANK}"),
        (
            "retro: |\n  Referrals beat agencies.",
            "retro: 42",
            3,
            8,
            "'retro' must be text, not 42; put it in quotes",
        ),
        ("retro: 招聘渠道单一是主要瓶颈", "retro: '  '", 9, 12, f"'retro' {BLANK}"),
        (
            "retro: 招聘渠道单一是主要瓶颈",
            "retro: [a, b]",
            9,
            12,
            "'retro' must be text, not a list",
        ),
        ('retro: "猎头渠道候选人质量不稳定"', 'retro: "\\t"', 16, 16, f"'retro' {BLANK}"),
        ('retro: "猎头渠道候选人质量不稳定"', "retro:", 16, 9, f"'retro' {BLANK}"),
        (
            "carried_from: 2026-Q2/platform/uptime",
            "carried_from: 2026-Q2/Platform/uptime",
            8,
            19,
            f"'carried_from' {ADDRESS}the text '2026-Q2/Platform/uptime'",
        ),
        (
            "carried_from: 2026-Q2/platform/uptime",
            "carried_from: platform/uptime",
            8,
            19,
            f"'carried_from' {ADDRESS}the text 'platform/uptime'",
        ),
        (
            "carried_from: 2026-Q2/platform/uptime",
            "carried_from: 2026-Q2/platform/uptime/availability",
            8,
            19,
            f"'carried_from' {ADDRESS}the text '2026-Q2/platform/uptime/availability'",
        ),
        (
            "carried_from: 2026-Q2/platform/uptime",
            "carried_from: 2026-Q2/platform/",
            8,
            19,
            f"'carried_from' {ADDRESS}the text '2026-Q2/platform/'",
        ),
        (
            "carried_from: 2026-Q2/platform/uptime",
            "carried_from: 2026",
            8,
            19,
            f"'carried_from' {ADDRESS}2026",
        ),
        (
            "source: hris:availability",
            "source: hris",
            17,
            17,
            f"'source' {SOURCE}the text 'hris'",
        ),
        (
            "source: hris:availability",
            "source: 'hris:'",
            17,
            17,
            f"'source' {SOURCE}the text 'hris:'",
        ),
        (
            "source: hris:availability",
            "source: ':availability'",
            17,
            17,
            f"'source' {SOURCE}the text ':availability'",
        ),
        (
            "source: hris:availability",
            "source: h ris:availability",
            17,
            17,
            f"'source' {SOURCE}the text 'h ris:availability'",
        ),
        (
            "source: hris:availability",
            "source: 'hris: availability'",
            17,
            17,
            f"'source' {SOURCE}the text 'hris: availability'",
        ),
        (
            "source: hris:availability",
            "source: true",
            17,
            17,
            f"'source' {SOURCE}the boolean true",
        ),
        ("source: hris:availability", "source:", 17, 9, f"'source' {SOURCE}empty"),
    ],
)
def test_e005_for_a_wrong_value_of_a_new_key(
    okr_dir: Path, old: str, new: str, line: int, col: int, message: str
) -> None:
    write_team(okr_dir, with_line(old, new))
    result = validate(okr_dir)
    assert lines(result) == [error(line, col, "E005", message)]
    assert result.exit_code == 1


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("closed: 2026-10-08", "closed: 2026-07-01"),  # the cycle's first day
        ("closed: 2026-10-08", "closed: '2026-10-08'"),  # a quoted date is a date, as in okr.yaml
        ("closed: 2026-10-08", "closed: 2027-01-15"),  # long after the cycle's end
        ("carried_from: 2026-Q2/platform/uptime", "carried_from: FY27-Q1/platform/uptime"),
        ("carried_from: 2026-Q2/platform/uptime", "carried_from: 2026-Q3/no-such-team/gone"),
        ("source: hris:availability", "source: crm:regions.east.customers"),
        ("source: hris:availability", "source: hris:key with spaces:and a colon"),
        ('retro: "猎头渠道候选人质量不稳定"', "retro: >\n          folded\n          text"),
    ],
)
def test_good_values_of_the_new_keys(okr_dir: Path, old: str, new: str) -> None:
    write_team(okr_dir, with_line(old, new))
    result = validate(okr_dir)
    assert (result.exit_code, result.stdout) == (0, "")


def test_closed_is_checked_against_a_declared_cycle_start(okr_dir: Path) -> None:
    (okr_dir / "2026-Q3").rmdir()
    (okr_dir / "2026-H2").mkdir()
    config = (
        "organization: Test Org\ncycles:\n  2026-H2: {start: 2026-07-01, end: 2026-12-31}\n"
        + SOURCES
    )
    (okr_dir / "okr.yaml").write_text(config, encoding="utf-8")
    team = with_line("closed: 2026-10-08", "closed: 2026-08-01")
    (okr_dir / "2026-H2" / "team.yaml").write_text(team, encoding="utf-8")
    assert validate(okr_dir, cycle="2026-H2").stdout == ""
    # The file did not change, only the cycle's start: the cached result must not be reused.
    (okr_dir / "okr.yaml").write_text(config.replace("07-01", "09-01"), encoding="utf-8")
    assert lines(validate(okr_dir, cycle="2026-H2")) == [
        error(
            2,
            9,
            "E005",
            "'closed' (2026-08-01) is before the cycle starts (2026-09-01); write the day the "
            "team closed the cycle",
            "2026-H2/team.yaml",
        )
    ]


def test_the_cache_key_of_parsed_files_changes_with_the_new_fields() -> None:
    # Entries pickled by a layout without these fields must never be read back.
    for field in ("closed", "retro", "carried_from", "source"):
        assert f"('{field}'," in loader._RESULT_FORMAT


def test_the_domain_model_holds_the_new_keys(okr_dir: Path) -> None:
    write_team(okr_dir, CLOSED_TEAM)
    workspace = open_workspace(okr_dir)
    data = loader.load_cycle(workspace, workspace.cycles["2026-Q3"])
    (team,) = data.teams
    objective = team.objectives[0]
    kr = objective.key_results[0]
    assert team.closed is not None and team.closed.isoformat() == "2026-10-08"
    assert team.retro == "Referrals beat agencies.\n"
    assert (objective.carried_from, objective.retro) == (
        "2026-Q2/platform/uptime",
        "招聘渠道单一是主要瓶颈",
    )
    assert (kr.score, kr.retro, kr.source) == (0.8, "猎头渠道候选人质量不稳定", "hris:availability")


def test_the_scorecard_json_says_when_a_team_closed(okr_dir: Path) -> None:
    write_team(okr_dir, CLOSED_TEAM)
    write_team(okr_dir, CLOSED_TEAM.replace("closed: 2026-10-08\n", ""), "open.yaml")
    for piped in (True, False):
        env = None if piped else {"COLUMNS": "200"}
        result = run_okr(
            "-C", str(okr_dir), "--as-of", "2026-10-08", "scorecard", "--format", "json", env=env
        )
        assert result.exit_code == 0, result
        teams = json.loads(result.stdout)["teams"]
        assert [(t["team"], t["closed"]) for t in teams] == [("open", None), ("team", "2026-10-08")]


def test_init_explains_the_new_keys_and_they_validate_once_written(tmp_path: Path) -> None:
    assert run_okr("-C", str(tmp_path), "--as-of", "2026-08-15", "init").exit_code == 0
    path = tmp_path / "2026-Q3" / "my-team.yaml"
    text = path.read_text(encoding="utf-8")
    for key in ("closed:", "retro: |", "carried_from:", "score:", "source:"):
        assert f"# {key}" in text
    # Uncommented (all but `source`, which names a source okr.yaml must declare), it is valid.
    written = "\n".join(
        line.replace("# ", "", 1)
        if line.lstrip().startswith(("# closed:", "# retro", "#   ", "# carried_from", "# score"))
        else line
        for line in text.splitlines()
    )
    path.write_text(written + "\n", encoding="utf-8")
    result = run_okr("-C", str(tmp_path), "--as-of", "2026-08-15", "validate")
    assert (result.exit_code, result.stdout) == (0, ""), written
    workspace = open_workspace(tmp_path)
    (team,) = loader.load_cycle(workspace, workspace.cycles["2026-Q3"]).teams
    assert team.closed is not None and team.retro == "Referrals beat agencies.\n"
    assert team.objectives[0].carried_from == "2026-Q2/my-team/first-objective"
    assert team.objectives[0].key_results[0].score == 0.8


def test_the_editors_schema_knows_the_new_keys() -> None:
    import jsonschema

    from okrcli.files import schema_json
    from okrcli.files.yaml_strict import load_positioned

    validator = jsonschema.Draft202012Validator(schema_json.document("team"))
    assert validator.is_valid(load_positioned(CLOSED_TEAM).data)
    for old, new in [
        ("closed: 2026-10-08", "closed: 2026-10-8"),
        ("retro: 招聘渠道单一是主要瓶颈", "retro: ' '"),
        ("carried_from: 2026-Q2/platform/uptime", "carried_from: platform/uptime"),
        ("source: hris:availability", "source: hris"),
    ]:
        assert not validator.is_valid(load_positioned(with_line(old, new)).data), new
