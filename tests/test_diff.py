"""`okr diff [BASE [HEAD]]` (SPEC §10) between revisions and the working tree of real repos."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import commit, edit, git, imported_example, run_okr

HR = "2026-Q3/hr-admin.yaml"
SALES = "2026-Q3/sales.yaml"
COMPANY = "2026-Q3/company.yaml"


def cut(repo: Path, path: str, start: str, end: str | None) -> None:
    """Remove the lines from the one starting `start` up to (not including) `end`."""
    text = (repo / path).read_text(encoding="utf-8")
    first = text.index(start)
    last = text.index(end, first) if end is not None else len(text)
    (repo / path).write_text(text[:first] + text[last:], encoding="utf-8")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return imported_example(tmp_path)


def diff_json(repo: Path, *args: str) -> dict[str, Any]:
    result = run_okr("-C", str(repo), "diff", *args, "--format", "json")
    assert result.exit_code == 0, result
    data = json.loads(result.stdout)
    assert isinstance(data, dict)
    return data


def test_head_against_the_working_tree(repo: Path) -> None:
    assert diff_json(repo) == {"base": "HEAD", "head": "working tree", "changes": []}
    edit(repo, HR, "current: 68", "current: 71")
    assert diff_json(repo) == {
        "base": "HEAD",
        "head": "working tree",
        "changes": [
            {
                "address": "hr-admin/talent/offer-rate",
                "change": "modified",
                "fields": {"current": [68, 71]},
                "progress": [0.5333, 0.7333],
            }
        ],
    }


def test_between_two_revisions_with_a_revised_target(repo: Path) -> None:
    edit(repo, HR, "target: 75", "target: 80")
    edit(repo, HR, "current: 68", "current: 70")
    commit(repo, "Revise")
    edit(repo, SALES, "done: true", "done: false")  # uncommitted: not part of HEAD~1..HEAD
    data = diff_json(repo, "HEAD~1", "HEAD")
    assert data == {
        "base": "HEAD~1",
        "head": "HEAD",
        "changes": [
            {
                "address": "hr-admin/talent/offer-rate",
                "change": "modified",
                "fields": {"target": [75, 80], "current": [68, 70]},
                "progress": [0.5333, 0.5],
            }
        ],
    }
    table = run_okr("-C", str(repo), "diff", "HEAD~1", "HEAD")
    assert table.exit_code == 0
    assert "HEAD~1 → HEAD" in table.stdout
    assert "target ⚠ revised" in table.stdout and "75 → 80" in table.stdout


def test_added_and_removed_key_results_and_objectives(repo: Path) -> None:
    cut(repo, HR, "      - id: dashboard", "\n  - id: engagement")
    cut(repo, COMPANY, "  - id: efficiency", None)
    with open(repo / SALES, "a", encoding="utf-8") as handle:
        handle.write(
            "\n  - id: expansion\n    title: Expand into Japan\n    key_results:\n"
            "      - id: partners\n        title: Sign 4 partners\n"
            "        baseline: 0\n        target: 4\n        current: 1\n"
        )
    changes = {c["address"]: c for c in diff_json(repo)["changes"]}
    assert set(changes) == {
        "hr-admin/talent/dashboard",
        "company/efficiency",
        "company/efficiency/opex-ratio",
        "sales/expansion",
        "sales/expansion/partners",
    }
    assert changes["hr-admin/talent/dashboard"]["change"] == "removed"
    assert changes["hr-admin/talent/dashboard"]["progress"] == [0.0, None]
    assert changes["company/efficiency"]["change"] == "removed"
    assert changes["company/efficiency/opex-ratio"]["progress"] == [0.3, None]
    assert changes["sales/expansion"]["change"] == "added"
    assert changes["sales/expansion"]["progress"] == [None, 0.25]
    partners = changes["sales/expansion/partners"]
    assert partners["change"] == "added"
    assert partners["progress"] == [None, 0.25]
    assert partners["fields"]["target"] == [None, 4]


def test_objective_is_modified_only_when_its_own_fields_change(repo: Path) -> None:
    edit(repo, SALES, "title: Keep the customers we have", "title: Keep every customer")
    edit(repo, SALES, "current: 33", "current: 35")
    changes = diff_json(repo)["changes"]
    assert [(c["address"], c["change"], c["fields"]) for c in changes] == [
        (
            "sales/retention",
            "modified",
            {"title": ["Keep the customers we have", "Keep every customer"]},
        ),
        ("sales/retention/nps", "modified", {"current": [33, 35]}),
    ]


def test_merge_base_syntax_compares_the_branch_with_where_it_started(repo: Path) -> None:
    start = git(repo, "rev-parse", "--short=7", "HEAD").strip()
    git(repo, "switch", "-q", "-c", "feature")
    edit(repo, SALES, "current: 9\n", "current: 12\n")
    commit(repo, "On the branch")
    git(repo, "switch", "-q", "main")
    edit(repo, HR, "current: 68", "current: 70")
    commit(repo, "On main, after the branch started")
    data = diff_json(repo, "main...feature")
    assert data["base"] == start and data["head"] == "feature"
    assert [c["address"] for c in data["changes"]] == ["sales/new-markets/new-customers"]
    both = diff_json(repo, "main", "feature")
    assert [c["address"] for c in both["changes"]] == [
        "hr-admin/talent/offer-rate",
        "sales/new-markets/new-customers",
    ]
    assert diff_json(repo, "main..feature")["changes"] == both["changes"]


def test_markdown_is_ready_for_a_pull_request_comment(repo: Path) -> None:
    edit(repo, HR, "target: 75", "target: 80")
    edit(repo, SALES, "current: 9\n", "current: 12\n")
    cut(repo, HR, "      - id: dashboard", "\n  - id: engagement")
    result = run_okr("-C", str(repo), "diff", "--format", "markdown")
    assert result.exit_code == 0, result
    text = result.stdout
    assert text.startswith("## OKR changes in 2026-Q3\n")
    assert "`HEAD` → working tree · 1 removed, 2 modified" in text
    assert "⚠️ **Goalposts moved**" in text
    assert "> - `hr-admin/talent/offer-rate`: target 75 → 80" in text
    assert "### Modified (2)" in text and "### Removed (1)" in text
    assert "| `sales/new-markets/new-customers` | current | 9 | 12 | 45% → 60% |" in text
    assert "| `hr-admin/talent/dashboard` |" in text


def test_working_tree_that_does_not_validate_is_still_compared(repo: Path) -> None:
    edit(repo, HR, "current: 68", 'current: "lots"')
    changes = diff_json(repo)["changes"]
    assert changes == [
        {
            "address": "hr-admin/talent/offer-rate",
            "change": "modified",
            "fields": {"current": [68, "lots"]},
            "progress": [0.5333, None],
        }
    ]


def test_a_file_that_does_not_parse_is_left_out_with_a_warning(repo: Path) -> None:
    edit(repo, HR, "current: 68", "current: [68")
    edit(repo, SALES, "current: 9\n", "current: 12\n")
    result = run_okr("-C", str(repo), "diff", "--format", "json")
    assert result.exit_code == 0, result
    assert [c["address"] for c in json.loads(result.stdout)["changes"]] == [
        "sales/new-markets/new-customers"
    ]
    assert "hr-admin.yaml" in result.stderr


def test_bad_revisions_are_errors_never_options(repo: Path) -> None:
    unknown = run_okr("-C", str(repo), "diff", "no-such-branch")
    assert unknown.exit_code == 1
    assert "no-such-branch" in unknown.stderr and "Traceback" not in unknown.stderr
    option = run_okr("-C", str(repo), "diff", "--", "--output=pwned")
    assert option.exit_code == 1
    assert not (repo / "pwned").exists()
    both = run_okr("-C", str(repo), "diff", "main...HEAD", "HEAD")
    assert both.exit_code == 2
    at = run_okr("-C", str(repo), "--at", "HEAD", "diff")
    assert at.exit_code == 2 and "okr diff REV" in at.stderr


def test_diff_needs_git(okr_dir: Path) -> None:
    result = run_okr("-C", str(okr_dir), "diff")
    assert result.exit_code == 1
    assert "needs git" in result.stderr
