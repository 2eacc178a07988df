"""The scorecard and the tree of the example (examples/acme, as of 2026-08-15), checked
against numbers computed by hand from the team files (SPEC §5), and their JSON, markdown
and csv shapes (SPEC §6).

2026-Q3 runs from 1 July to 30 September (92 days); 15 August is day 46, so the expected
pace is 46/92 = 0.5, on-track needs progress ≥ 0.4 and at-risk ≥ 0.25.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import pytest

from tests.conftest import EXAMPLE, run_okr

AS_OF = ("-C", str(EXAMPLE), "--as-of", "2026-08-15")


def scorecard_json(*args: str, options: tuple[str, ...] = AS_OF) -> dict[str, Any]:
    result = run_okr(*options, "scorecard", "--format", "json", *args)
    assert result.exit_code == 0, result
    card = json.loads(result.stdout)
    assert isinstance(card, dict)
    return card


def by_address(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    rows = {}
    for team in card["teams"]:
        for objective in team["objectives"]:
            rows[objective["address"]] = objective
            for kr in objective["key_results"]:
                rows[kr["address"]] = kr
    return rows


# progress = clamp((current − baseline) / (target − baseline), 0, 1), by hand:
OFFER_RATE = (68 - 60) / (75 - 60)  # 8/15
ONBOARDING = (8.5 - 10) / (7 - 10)  # 1.5/3, a decreasing KR
DASHBOARD = 0.0  # milestone, not done
ATTRITION = (7.6 - 8) / (6.8 - 8)  # 0.4/1.2
ENPS = (7.4 - 7.0) / (7.8 - 7.0)  # 0.4/0.8
WORKSHOPS = 45 / 80
ADMIN_COST = (960 - 1000) / (900 - 1000)
RESPONSE_TIME = (3 - 6) / (2 - 6)
PROCESSES = 2 / 5
TALENT = (OFFER_RATE + ONBOARDING + DASHBOARD) / 3
ENGAGEMENT = (ATTRITION + ENPS + WORKSHOPS) / 3
LEAN_OPS = (ADMIN_COST + RESPONSE_TIME + PROCESSES) / 3
HR_ADMIN = (TALENT + ENGAGEMENT + LEAN_OPS) / 3

GROWTH = ((13.2 - 12) / 3 + 1 / 3) / 2
EFFICIENCY = (17.1 - 18) / (15 - 18)
NEW_MARKETS = (9 / 20 + (3.8 - 2) / 3 + 1) / 3
RETENTION = (2 * (2.6 - 3) / (2 - 3) + (33 - 31) / (40 - 31)) / 3  # churn has weight 2
ALL_OBJECTIVES = (GROWTH, EFFICIENCY, TALENT, ENGAGEMENT, LEAN_OPS, NEW_MARKETS, RETENTION)

HR_ADMIN_ROWS: dict[str, tuple[float, str]] = {
    "hr-admin/talent/offer-rate": (OFFER_RATE, "on-track"),
    "hr-admin/talent/onboarding-days": (ONBOARDING, "on-track"),
    "hr-admin/talent/dashboard": (DASHBOARD, "off-track"),
    "hr-admin/talent": (TALENT, "at-risk"),
    "hr-admin/engagement/attrition": (ATTRITION, "at-risk"),
    # 0.5 is on pace, but confidence 0.4 (< 0.5) caps the status at at-risk.
    "hr-admin/engagement/enps": (ENPS, "at-risk"),
    "hr-admin/engagement/workshops": (WORKSHOPS, "on-track"),
    "hr-admin/engagement": (ENGAGEMENT, "on-track"),
    # 0.4 is exactly expected − on_track: a tie counts upwards.
    "hr-admin/lean-ops/admin-cost": (ADMIN_COST, "on-track"),
    "hr-admin/lean-ops/response-time": (RESPONSE_TIME, "on-track"),
    "hr-admin/lean-ops/processes-online": (PROCESSES, "on-track"),
    "hr-admin/lean-ops": (LEAN_OPS, "on-track"),
}


def test_hand_computed_values_are_what_the_spec_example_says() -> None:
    assert round(OFFER_RATE, 4) == 0.5333
    assert (ONBOARDING, DASHBOARD, round(ENPS, 4)) == (0.5, 0.0, 0.5)
    assert round(TALENT, 4) == 0.3444
    assert round(HR_ADMIN, 4) == 0.4421


def test_cycle_header() -> None:
    card = scorecard_json()
    assert card["cycle"] == "2026-Q3"
    assert card["as_of"] == "2026-08-15"
    assert card["expected"] == 0.5
    # The mean over all seven objectives, not the mean of the three team means.
    assert card["progress"] == round(sum(ALL_OBJECTIVES) / 7, 4) == 0.431
    team_means = ((GROWTH + EFFICIENCY) / 2 + HR_ADMIN + (NEW_MARKETS + RETENTION) / 2) / 3
    assert round(team_means, 4) != card["progress"]


@pytest.mark.parametrize("address", sorted(HR_ADMIN_ROWS))
def test_hr_admin_progress_score_and_status(address: str) -> None:
    row = by_address(scorecard_json())[address]
    progress, status = HR_ADMIN_ROWS[address]
    assert row["progress"] == round(progress, 4)
    assert row["score"] == round(progress, 4)
    assert row["status"] == status


def test_hr_admin_team_row() -> None:
    (hr_admin,) = [team for team in scorecard_json()["teams"] if team["team"] == "hr-admin"]
    assert hr_admin["name"] == "行政人事部"
    assert hr_admin["progress"] == round(HR_ADMIN, 4) == 0.4421
    assert [o["address"] for o in hr_admin["objectives"]] == [
        "hr-admin/talent",
        "hr-admin/engagement",
        "hr-admin/lean-ops",
    ]


def test_kr_row_matches_the_spec_example() -> None:
    row = by_address(scorecard_json())["hr-admin/talent/offer-rate"]
    assert {key: row[key] for key in SPEC_KR_KEYS} == {
        "address": "hr-admin/talent/offer-rate",
        "title": "关键岗位Offer接受率从60%提升至75%以上",
        "baseline": 60,
        "target": 75,
        "current": 68,
        "done": None,
        "unit": "%",
        "progress": 0.5333,
        "raw_progress": 0.5333,
        "score": 0.5333,
        "confidence": 0.7,
        "weight": 1,
        "status": "on-track",
    }


def test_numbers_keep_their_yaml_type() -> None:
    rows = by_address(scorecard_json())
    enps = rows["hr-admin/engagement/enps"]
    assert (enps["baseline"], enps["target"], enps["current"]) == (7.0, 7.8, 7.4)
    assert isinstance(enps["baseline"], float)
    assert isinstance(rows["hr-admin/talent/offer-rate"]["baseline"], int)


def test_milestone_row() -> None:
    rows = by_address(scorecard_json())
    dashboard = rows["hr-admin/talent/dashboard"]
    assert (dashboard["baseline"], dashboard["target"], dashboard["current"]) == (None,) * 3
    assert dashboard["done"] is False
    assert dashboard["confidence"] == 0.6
    playbook = rows["sales/new-markets/playbook"]
    assert (playbook["done"], playbook["progress"], playbook["status"]) == (True, 1.0, "done")


def test_other_teams() -> None:
    rows = by_address(scorecard_json())
    assert rows["company/growth"]["progress"] == round(GROWTH, 4) == 0.3667
    assert rows["company/efficiency"]["progress"] == 0.3
    assert rows["sales/new-markets"]["progress"] == round(NEW_MARKETS, 4) == 0.6833
    assert rows["sales/retention"]["progress"] == round(RETENTION, 4) == 0.3407
    assert rows["sales/retention/nps"]["status"] == "off-track"
    assert rows["sales/retention/churn"]["weight"] == 2


# --- JSON keys (SPEC §6: keys may be added, never renamed) ---------------------------------

SPEC_CARD_KEYS = {"cycle", "as_of", "expected", "progress", "teams"}
SPEC_TEAM_KEYS = {"team", "name", "progress", "objectives"}
SPEC_OBJECTIVE_KEYS = {
    "address",
    "title",
    "kind",
    "progress",
    "score",
    "status",
    "key_results",
}
SPEC_KR_KEYS = {
    "address",
    "title",
    "baseline",
    "target",
    "current",
    "done",
    "unit",
    "progress",
    "raw_progress",
    "score",
    "confidence",
    "weight",
    "status",
}
SPEC_TREE_KEYS = {"address", "title", "progress", "key_results", "children"}
STATUSES = {"done", "on-track", "at-risk", "off-track"}


def test_scorecard_json_has_every_spec_key() -> None:
    card = scorecard_json()
    assert set(card) >= SPEC_CARD_KEYS
    assert [team["team"] for team in card["teams"]] == ["company", "hr-admin", "sales"]
    for team in card["teams"]:
        assert set(team) >= SPEC_TEAM_KEYS
        for objective in team["objectives"]:
            assert set(objective) >= SPEC_OBJECTIVE_KEYS
            assert objective["kind"] in ("committed", "aspirational")
            assert objective["status"] in STATUSES
            for kr in objective["key_results"]:
                assert set(kr) >= SPEC_KR_KEYS
                assert kr["status"] in STATUSES
                assert kr["address"].startswith(objective["address"] + "/")


def test_kind_defaults_to_aspirational() -> None:
    rows = by_address(scorecard_json())
    assert rows["hr-admin/talent"]["kind"] == "committed"
    assert rows["hr-admin/engagement"]["kind"] == "aspirational"


def test_team_option_keeps_the_header_but_only_that_team() -> None:
    card = scorecard_json("--team", "hr-admin")
    assert [team["team"] for team in card["teams"]] == ["hr-admin"]
    assert card["progress"] == round(HR_ADMIN, 4)
    assert card["expected"] == 0.5


def test_unknown_team_lists_the_teams() -> None:
    result = run_okr(*AS_OF, "scorecard", "--team", "hr")
    assert result.exit_code == 1
    assert "no team 'hr' in 2026-Q3; teams here: company, hr-admin, sales" in result.stderr


def test_as_of_moves_the_expected_pace_and_statuses() -> None:
    early = scorecard_json(options=("-C", str(EXAMPLE), "--as-of", "2026-07-01"))
    assert early["expected"] == round(1 / 92, 4)
    assert by_address(early)["hr-admin/talent/dashboard"]["status"] == "on-track"
    late = scorecard_json(
        options=("-C", str(EXAMPLE), "--as-of", "2026-12-01", "--cycle", "2026-Q3")
    )
    assert late["expected"] == 1.0
    assert by_address(late)["hr-admin/talent/offer-rate"]["status"] == "off-track"


# --- tree ----------------------------------------------------------------------------------


def tree_json(*args: str) -> list[dict[str, Any]]:
    result = run_okr(*AS_OF, "tree", *args, "--format", "json")
    assert result.exit_code == 0, result
    nodes = json.loads(result.stdout)
    assert isinstance(nodes, list)
    return nodes


def shape(node: dict[str, Any]) -> tuple[str, list[Any]]:
    return node["address"], [shape(child) for child in node["children"]]


def test_tree_children_are_the_aligned_objectives() -> None:
    assert [shape(node) for node in tree_json()] == [
        (
            "company/growth",
            [
                ("hr-admin/talent", []),
                ("hr-admin/engagement", []),
                ("sales/new-markets", []),
                ("sales/retention", []),
            ],
        ),
        ("company/efficiency", [("hr-admin/lean-ops", [])]),
    ]


def test_tree_nodes_have_the_spec_keys_and_scorecard_numbers() -> None:
    rows = by_address(scorecard_json())

    def check(node: dict[str, Any]) -> None:
        assert set(node) >= SPEC_TREE_KEYS
        assert node["progress"] == rows[node["address"]]["progress"]
        assert node["title"] == rows[node["address"]]["title"]
        assert node["key_results"] == rows[node["address"]]["key_results"]
        for child in node["children"]:
            check(child)

    for node in tree_json():
        check(node)


def test_tree_from_an_address_suffix() -> None:
    (node,) = tree_json("efficiency")
    assert shape(node) == ("company/efficiency", [("hr-admin/lean-ops", [])])
    (leaf,) = tree_json("hr-admin/talent")
    assert shape(leaf) == ("hr-admin/talent", [])
    assert [kr["address"] for kr in leaf["key_results"]] == [
        "hr-admin/talent/offer-rate",
        "hr-admin/talent/onboarding-days",
        "hr-admin/talent/dashboard",
    ]


def test_tree_unknown_address() -> None:
    result = run_okr(*AS_OF, "tree", "growht")
    assert result.exit_code == 1
    assert "no objective 'growht' in 2026-Q3; did you mean 'company/growth'?" in result.stderr


# --- markdown and csv ----------------------------------------------------------------------


def test_markdown_scorecard() -> None:
    result = run_okr(*AS_OF, "scorecard", "--team", "hr-admin", "--format", "markdown")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "# Acme 集团 — 2026-Q3"
    assert "As of 2026-08-15: expected 50%, progress 44%." in lines
    assert "## 行政人事部 (`hr-admin`) — 44%" in lines
    assert (
        "| 关键岗位Offer接受率从60%提升至75%以上 (`hr-admin/talent/offer-rate`) "
        "| 60 % | 68 % | 75 % | 53% | 0.53 | on-track | 0.7 |"
    ) in lines
    assert (
        "| **精益行政运营,降本增效** (`hr-admin/lean-ops`) | | | | 52% | 0.52 | on-track | |"
    ) in lines
    table = [line for line in lines if line.startswith("|")]
    assert len(table) == 2 + 3 + 9  # header, rule, three objectives, nine KRs
    assert all(len(re.split(r"(?<!\\)\|", line)) == 8 + 2 for line in table)


def test_markdown_escapes_pipes_in_titles(okr_dir: Any) -> None:
    (okr_dir / "2026-Q3" / "team.yaml").write_text(
        "objectives:\n  - id: a\n    title: in | out\n    key_results:\n"
        "      - {id: k, title: 'x|y 1', done: true}\n",
        encoding="utf-8",
    )
    result = run_okr("-C", str(okr_dir), *AS_OF[2:], "scorecard", "--format", "markdown")
    assert "| **in \\| out** (`team/a`) |" in result.stdout
    assert "| x\\|y 1 (`team/a/k`) |" in result.stdout


def test_csv_scorecard() -> None:
    result = run_okr(*AS_OF, "scorecard", "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 3 + 9 + 5  # every KR of every team, one row each
    offer = next(row for row in rows if row["address"] == "hr-admin/talent/offer-rate")
    assert offer == {
        "cycle": "2026-Q3",
        "team": "hr-admin",
        "objective": "hr-admin/talent",
        "address": "hr-admin/talent/offer-rate",
        "title": "关键岗位Offer接受率从60%提升至75%以上",
        "owner": "李雷",
        "unit": "%",
        "baseline": "60",
        "current": "68",
        "target": "75",
        "done": "",
        "progress": "0.5333",
        "raw_progress": "0.5333",
        "score": "0.5333",
        "status": "on-track",
        "confidence": "0.7",
        "weight": "1",
    }
    dashboard = next(row for row in rows if row["address"] == "hr-admin/talent/dashboard")
    assert (dashboard["done"], dashboard["baseline"], dashboard["progress"]) == ("false", "", "0")
    enps = next(row for row in rows if row["address"] == "hr-admin/engagement/enps")
    assert (enps["baseline"], enps["status"]) == ("7", "at-risk")


def test_csv_with_team_option() -> None:
    result = run_okr(*AS_OF, "scorecard", "--team", "sales", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {row["team"] for row in rows} == {"sales"}
    assert len(rows) == 5


# --- edge cases of the numbers -------------------------------------------------------------


def test_over_achievement_regression_absent_current_and_manual_score(okr_dir: Any) -> None:
    (okr_dir / "2026-Q3" / "t.yaml").write_text(
        "objectives:\n"
        "  - id: a\n"
        "    title: A\n"
        "    key_results:\n"
        "      - {id: over, title: x 1, baseline: 0, target: 10, current: 15}\n"
        "      - {id: back, title: x 1, baseline: 10, target: 20, current: 5}\n"
        "      - {id: none, title: x 1, baseline: 10, target: 20}\n"
        "      - {id: graded, title: x 1, baseline: 0, target: 10, current: 2, score: 0.9,"
        " weight: 3}\n",
        encoding="utf-8",
    )
    result = run_okr("-C", str(okr_dir), "--as-of", "2026-08-15", "scorecard", "--format", "json")
    card = json.loads(result.stdout)
    rows = by_address(card)
    over, back, none, graded = (rows[f"t/a/{kr}"] for kr in ("over", "back", "none", "graded"))
    assert (over["progress"], over["raw_progress"], over["status"]) == (1.0, 1.5, "done")
    assert (back["progress"], back["raw_progress"], back["status"]) == (0.0, -0.5, "off-track")
    assert (none["current"], none["progress"]) == (10, 0.0)  # absent current = baseline
    assert (graded["progress"], graded["score"], graded["weight"]) == (0.2, 0.9, 3)
    objective = rows["t/a"]
    assert objective["progress"] == round((1 + 0 + 0 + 3 * 0.2) / 6, 4) == 0.2667
    assert objective["score"] == round((1 + 0 + 0 + 3 * 0.9) / 6, 4) == 0.6167
    assert objective["status"] == "at-risk"
    assert card["teams"][0]["name"] == "t"  # no name: the team id
