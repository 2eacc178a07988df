"""`okr log [ADDRESS]` (SPEC §9) over real git histories: check-ins, hand edits, revisions."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLE, commit, edit, git, imported_example, run_okr
from hypothesis import given, settings
from hypothesis import strategies as st

from okrcli.history import snapshots

HR = "2026-Q3/hr-admin.yaml"
SALES = "2026-Q3/sales.yaml"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """examples/acme imported on 2026-07-01."""
    return imported_example(tmp_path)


def log_json(repo: Path, *args: str) -> list[dict[str, Any]]:
    result = run_okr("-C", str(repo), "log", *args, "--format", "json")
    assert result.exit_code == 0, result
    entries = json.loads(result.stdout)
    assert isinstance(entries, list)
    return entries


CHECKIN_MESSAGE = """\
checkin hr-admin/talent/offer-rate: 68 → 70, confidence 0.7 → 0.8

Two offers accepted this week

OKR-Check-In: 2026-Q3/hr-admin/talent/offer-rate
OKR-Value: 70
OKR-Confidence: 0.8
"""


def three_kinds_of_change(repo: Path) -> list[str]:
    """A check-in (with trailers), a hand edit, and a revised target, in that order."""
    edit(repo, HR, "current: 68", "current: 70")
    edit(repo, HR, "confidence: 0.7", "confidence: 0.8")
    first = commit(repo, CHECKIN_MESSAGE, "2026-07-10T10:00:00+02:00", "Li Lei")
    edit(repo, SALES, "current: 9\n", "current: 12\n")
    second = commit(
        repo, "Update the sales numbers\n\nFrom the CRM export.", "2026-07-15T10:00:00+00:00"
    )
    edit(repo, HR, "target: 75", "target: 80")
    third = commit(repo, "Raise the offer-rate target", "2026-07-20T10:00:00+00:00", "Wang Fang")
    return [first, second, third]


def test_log_lists_checkins_hand_edits_and_revisions_oldest_first(repo: Path) -> None:
    first, second, third = three_kinds_of_change(repo)
    assert log_json(repo) == [
        {
            "commit": first,
            "date": "2026-07-10T10:00:00+02:00",
            "author": "Li Lei",
            "address": "hr-admin/talent/offer-rate",
            "field": "current",
            "old": 68,
            "new": 70,
            "note": "Two offers accepted this week",
        },
        {
            "commit": first,
            "date": "2026-07-10T10:00:00+02:00",
            "author": "Li Lei",
            "address": "hr-admin/talent/offer-rate",
            "field": "confidence",
            "old": 0.7,
            "new": 0.8,
            "note": "Two offers accepted this week",
        },
        {
            "commit": second,
            "date": "2026-07-15T10:00:00+00:00",
            "author": "Test User",
            "address": "sales/new-markets/new-customers",
            "field": "current",
            "old": 9,
            "new": 12,
            "note": "Update the sales numbers",
        },
        {
            "commit": third,
            "date": "2026-07-20T10:00:00+00:00",
            "author": "Wang Fang",
            "address": "hr-admin/talent/offer-rate",
            "field": "target",
            "old": 75,
            "new": 80,
            "note": "Raise the offer-rate target",
        },
    ]


def test_first_appearance_is_not_an_entry_but_later_changes_are(repo: Path) -> None:
    edit(
        repo,
        SALES,
        "        current: 33\n",
        "        current: 33\n      - id: upsell\n        title: Upsell 5 accounts\n"
        "        baseline: 0\n        target: 5\n",
    )
    commit(repo, "Add the upsell KR", "2026-07-05T10:00:00+00:00")
    assert log_json(repo) == []
    edit(repo, SALES, "        target: 5\n", "        target: 5\n        current: 2\n")
    added = commit(repo, "First upsells", "2026-07-06T10:00:00+00:00")
    entries = log_json(repo)
    assert [(e["commit"], e["address"], e["field"], e["old"], e["new"]) for e in entries] == [
        (added, "sales/retention/upsell", "current", None, 2)
    ]


def test_merges_are_not_entries_changes_appear_at_their_commits(repo: Path) -> None:
    git(repo, "switch", "-q", "-c", "feature")
    edit(repo, SALES, "current: 9\n", "current: 10\n")
    on_branch = commit(repo, "Sales on a branch", "2026-07-05T10:00:00+00:00")
    git(repo, "switch", "-q", "main")
    edit(repo, HR, "current: 68", "current: 69")
    on_main = commit(repo, "HR on main", "2026-07-06T10:00:00+00:00")
    env = {
        **os.environ,
        "GIT_AUTHOR_DATE": "2026-07-07T10:00:00",
        "GIT_COMMITTER_DATE": "2026-07-07T10:00:00",
    }
    subprocess.run(
        ["git", "merge", "-q", "--no-ff", "-m", "Merge feature", "feature"],
        cwd=repo,
        env=env,
        check=True,
    )
    merge = git(repo, "rev-parse", "HEAD").strip()
    entries = log_json(repo)
    assert sorted((e["commit"], e["address"]) for e in entries) == sorted(
        [(on_branch, "sales/new-markets/new-customers"), (on_main, "hr-admin/talent/offer-rate")]
    )
    assert merge not in {e["commit"] for e in entries}
    assert [e["date"][:10] for e in entries] == ["2026-07-05", "2026-07-06"]


def test_address_filter_takes_a_kr_or_an_objective_by_suffix(repo: Path) -> None:
    three_kinds_of_change(repo)
    edit(repo, HR, "current: 8.5", "current: 8")
    commit(repo, "Faster onboarding", "2026-07-21T10:00:00+00:00")
    kr_only = [(e["address"], e["field"]) for e in log_json(repo, "offer-rate")]
    assert kr_only == [
        ("hr-admin/talent/offer-rate", "current"),
        ("hr-admin/talent/offer-rate", "confidence"),
        ("hr-admin/talent/offer-rate", "target"),
    ]
    assert log_json(repo, "talent/offer-rate") == log_json(repo, "offer-rate")
    assert log_json(repo, "2026-Q3/hr-admin/talent/offer-rate") == log_json(repo, "offer-rate")
    objective = {e["address"] for e in log_json(repo, "hr-admin/talent")}
    assert objective == {"hr-admin/talent/offer-rate", "hr-admin/talent/onboarding-days"}


def test_address_of_a_kr_that_no_longer_exists_is_found_in_history(repo: Path) -> None:
    edit(repo, SALES, "current: 9\n", "current: 11\n")
    changed = commit(repo, "Two more customers", "2026-07-05T10:00:00+00:00")
    text = (repo / SALES).read_text(encoding="utf-8")
    start = text.index("      - id: new-customers")
    end = text.index("      - id: pipeline")
    (repo / SALES).write_text(text[:start] + text[end:], encoding="utf-8")
    commit(repo, "Drop the new-customers KR", "2026-07-06T10:00:00+00:00")
    entries = log_json(repo, "new-customers")
    assert [(e["commit"], e["old"], e["new"]) for e in entries] == [(changed, 9, 11)]


def test_unknown_and_ambiguous_addresses_are_errors(repo: Path) -> None:
    unknown = run_okr("-C", str(repo), "log", "offer-rat")
    assert unknown.exit_code == 1
    assert "offer-rate" in unknown.stderr  # the suggestion
    assert "Traceback" not in unknown.stderr
    edit(repo, SALES, "id: nps", "id: offer-rate")
    commit(repo, "A second offer-rate", "2026-07-05T10:00:00+00:00")
    ambiguous = run_okr("-C", str(repo), "log", "offer-rate")
    assert ambiguous.exit_code == 1
    assert "ambiguous" in ambiguous.stderr


def test_log_reads_revisions_that_do_not_validate_and_skips_unparseable_ones(
    repo: Path,
) -> None:
    edit(repo, HR, "current: 68", 'current: "lots"')
    invalid = commit(repo, "Not a number", "2026-07-02T10:00:00+00:00")
    edit(repo, HR, 'current: "lots"', "current: [broken")
    commit(repo, "Not YAML", "2026-07-03T10:00:00+00:00")
    edit(repo, HR, "current: [broken", "current: 71")
    fixed = commit(repo, "Fixed", "2026-07-04T10:00:00+00:00")
    entries = [(e["commit"], e["old"], e["new"]) for e in log_json(repo, "offer-rate")]
    assert entries == [(invalid, 68, "lots"), (fixed, "lots", 71)]


def test_checkin_of_several_krs_gives_each_its_own_note(repo: Path) -> None:
    edit(repo, HR, "current: 68", "current: 70")
    edit(repo, HR, "current: 8.5", "current: 8")
    message = (
        "checkin hr-admin: 2 key results\n\n"
        "hr-admin/talent/offer-rate: 68 → 70\n  two offers accepted\n"
        "hr-admin/talent/onboarding-days: 8.5 → 8\n\n"
        "OKR-Check-In: 2026-Q3/hr-admin/talent/offer-rate\nOKR-Value: 70\n"
        "OKR-Check-In: 2026-Q3/hr-admin/talent/onboarding-days\nOKR-Value: 8\n"
    )
    commit(repo, message, "2026-07-05T10:00:00+00:00")
    notes = {e["address"]: e["note"] for e in log_json(repo)}
    assert notes == {
        "hr-admin/talent/offer-rate": "two offers accepted",
        "hr-admin/talent/onboarding-days": "",
    }


def test_table_shows_changes_revisions_and_a_sparkline(repo: Path) -> None:
    three_kinds_of_change(repo)
    edit(repo, HR, "current: 70", "current: 74")
    commit(repo, "checkin again", "2026-07-25T10:00:00+00:00")
    result = run_okr("-C", str(repo), "log")
    assert result.exit_code == 0, result
    lines = result.stdout.splitlines()
    assert any("2026-07-10" in line and "68 → 70" in line for line in lines)
    assert any("target (revised)" in line and "75 → 80" in line for line in lines)
    trend = next(line for line in lines if line.startswith("hr-admin/talent/offer-rate "))
    assert "▁▃█" in trend and "68 → 74" in trend
    markdown = run_okr("-C", str(repo), "log", "--format", "markdown")
    assert markdown.exit_code == 0
    assert "| 2026-07-20 | Wang Fang | `hr-admin/talent/offer-rate` | ⚠ target (revised) |" in (
        markdown.stdout
    )


def test_empty_history_and_repository_without_commits(repo: Path, tmp_path: Path) -> None:
    assert log_json(repo) == []
    assert "no check-ins or revisions yet" in run_okr("-C", str(repo), "log").stdout
    fresh = tmp_path / "fresh"
    shutil.copytree(EXAMPLE, fresh)
    git(fresh, "init", "-q")
    assert log_json(fresh) == []


def test_log_needs_git(okr_dir: Path) -> None:
    result = run_okr("-C", str(okr_dir), "log")
    assert result.exit_code == 1
    assert "needs git" in result.stderr


def test_cached_and_uncached_runs_agree(repo: Path) -> None:
    three_kinds_of_change(repo)
    cold = log_json(repo)
    warm = log_json(repo)
    uncached = run_okr("-C", str(repo), "--no-cache", "log", "--format", "json")
    assert cold == warm == json.loads(uncached.stdout)
    assert len(cold) == 4


def test_root_in_a_subfolder_of_the_repository(tmp_path: Path) -> None:
    top = tmp_path / "monorepo"
    shutil.copytree(EXAMPLE, top / "docs" / "okrs")
    git(top, "init", "-q")
    git(top, "add", "-A")
    commit(top, "Import", "2026-07-01T09:00:00+00:00")
    root = top / "docs" / "okrs"
    edit(root, HR, "current: 68", "current: 70")
    commit(top, "checkin", "2026-07-02T09:00:00+00:00")
    entries = log_json(root)
    assert [(e["address"], e["old"], e["new"]) for e in entries] == [
        ("hr-admin/talent/offer-rate", 68, 70)
    ]


# --- reading a version from the one before (snapshots.patch) is the same as parsing it ------

BASE = (EXAMPLE / HR).read_bytes()
TAILS = st.one_of(
    st.integers(-(10**6), 10**6).map(str),
    st.floats(-1e6, 1e6, allow_nan=False).map(repr),
    st.sampled_from(
        [
            '"70"',
            "'70'",
            "70  # note",
            "70#x",
            "true",
            "null",
            "~",
            "",
            "  ",
            "# only",
            "[1, 2]",
            "{a: 1}",
            "|",
            ">-",
            "&a 5",
            "*a",
            "!!str 5",
            "- 5",
            '"open',
            "0x1F",
            "1_000",
            ".inf",
            ".nan",
            "7e3",
            "07",
            "70 ",
            "70\t",
            "a: b",
            "x # y",
            "中文",
        ]
    ),
    st.text(alphabet="0123456789.-+eE #:'\"abc中", max_size=8),
)


KEYS = st.sampled_from(
    ["current", "current", "curent", "target", "'current'", " current", "- current"]
)


@settings(max_examples=50, deadline=None)
@given(key=KEYS, current=TAILS, confidence=TAILS)
def test_patched_version_equals_a_full_parse(key: str, current: str, confidence: str) -> None:
    new = BASE.replace(b"current: 68", f"{key}: {current}".encode(), 1)
    new = new.replace(b"confidence: 0.7", f"confidence: {confidence}".encode(), 1)
    base = snapshots.parse(BASE)
    patched = snapshots.patch(base, new)
    full = snapshots.snapshot(new)
    if patched is not None:
        assert full is not None
        assert patched.snapshot == full
        assert all(snapshots.same(patched.snapshot[k], full[k]) for k in full)


BASE_LINES = BASE.decode("utf-8").split("\n")


def patched_as_parsed(new: bytes) -> snapshots.Parsed | None:
    """BASE's next version `new` read by patch: when it can be, exactly as a full parse
    reads it, field order included."""
    patched = snapshots.patch(snapshots.parse(BASE), new)
    if patched is not None:
        full = snapshots.snapshot(new)
        assert full is not None and patched.snapshot == full
        assert all(list(patched.snapshot[k]) == list(full[k]) for k in full)
    return patched


NEW_KEYS = st.sampled_from(["current", "confidence", "score", "owner", "id", "target", "x"])


@settings(max_examples=300, deadline=None)
@given(
    after=st.integers(0, len(BASE_LINES) - 1),
    indent=st.integers(0, 12) | st.just(-1),  # -1: the indent of the keys of the line above
    key=NEW_KEYS,
    value=TAILS,
)
def test_a_version_with_one_line_added_equals_a_full_parse(
    after: int, indent: int, key: str, value: str
) -> None:
    above = BASE_LINES[after]
    if indent < 0:
        indent = len(above) - len(above.lstrip(" -"))
    lines = [*BASE_LINES[: after + 1], f"{' ' * indent}{key}: {value}", *BASE_LINES[after + 1 :]]
    new = "\n".join(lines).encode("utf-8")
    patched = patched_as_parsed(new)
    if patched is not None:
        # ... and the version after it patches from it as from a full parse.
        later = new.replace(b"current: 68", b"current: 69", 1)
        again = snapshots.patch(patched, later)
        if again is not None:
            assert again.snapshot == snapshots.snapshot(later)


@settings(max_examples=150, deadline=None)
@given(gone=st.integers(0, len(BASE_LINES) - 1))
def test_a_version_with_one_line_taken_away_equals_a_full_parse(gone: int) -> None:
    """The history is read from its newest end: a KR's first check-in, backwards."""
    patched_as_parsed("\n".join(BASE_LINES[:gone] + BASE_LINES[gone + 1 :]).encode("utf-8"))


def test_a_kr_before_its_first_check_in_is_read_without_a_full_parse() -> None:
    kr_at = next(n for n, line in enumerate(BASE_LINES) if line.strip() == "current: 68")
    without = "\n".join(BASE_LINES[:kr_at] + BASE_LINES[kr_at + 1 :]).encode("utf-8")
    patched = snapshots.patch(snapshots.parse(BASE), without)
    assert patched is not None and patched.snapshot == snapshots.snapshot(without)


def test_a_first_check_in_of_a_kr_is_read_without_a_full_parse() -> None:
    text = BASE.decode("utf-8")
    kr_at = next(n for n, line in enumerate(BASE_LINES) if line.strip() == "current: 68")
    without = "\n".join(BASE_LINES[:kr_at] + BASE_LINES[kr_at + 1 :]).encode("utf-8")
    patched = snapshots.patch(snapshots.parse(without), text.encode("utf-8"))
    assert patched is not None and patched.snapshot == snapshots.snapshot(BASE)


def test_patch_reads_a_plain_value_change_without_a_full_parse() -> None:
    new = BASE.replace(b"current: 68", b"current: 70  # better")
    patched = snapshots.patch(snapshots.parse(BASE), new)
    assert patched is not None and patched.snapshot is not None
    assert patched.snapshot["talent/offer-rate"]["current"] == 70
    base = snapshots.parse(BASE).snapshot
    assert base is not None
    assert patched.snapshot["talent/dashboard"] == base["talent/dashboard"]


def test_log_at_a_revision_ends_there(repo: Path) -> None:
    first, second, _ = three_kinds_of_change(repo)
    result = run_okr("-C", str(repo), "--at", second, "log", "--format", "json")
    assert result.exit_code == 0, result
    entries = json.loads(result.stdout)
    assert {e["commit"] for e in entries} == {first, second}


# --- histories with merges ------------------------------------------------------------------


def merge(repo: Path, branch: str, when: str, *strategy: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    subprocess.run(
        ["git", "merge", "-q", "--no-edit", *strategy, branch], cwd=repo, env=env, check=True
    )


def trend(repo: Path, kr: str) -> str:
    result = run_okr("-C", str(repo), "log")
    assert result.exit_code == 0, result
    return next(line for line in result.stdout.splitlines() if line.startswith(f"{kr} "))


def test_a_branch_that_left_a_kr_alone_is_no_step_of_its_trend(repo: Path) -> None:
    """After a merge, the trend ends at the value the file holds, not at the value an
    older commit on the other branch still had."""
    git(repo, "switch", "-q", "-c", "side")
    edit(repo, HR, "current: 68", "current: 72")
    commit(repo, "offer rate on the side branch", "2026-07-10T09:00:00+00:00")
    git(repo, "switch", "-q", "main")
    edit(repo, HR, "current: 7.6", "current: 7.2")  # another KR of the same file
    commit(repo, "attrition on main, later", "2026-07-12T09:00:00+00:00")
    merge(repo, "side", "2026-07-13T09:00:00+00:00")
    assert "current: 72" in (repo / HR).read_text(encoding="utf-8")
    line = trend(repo, "hr-admin/talent/offer-rate")
    assert "68 → 72" in line, line


def test_check_ins_a_merge_overruled_still_appear_and_the_trend_ends_at_the_merge(
    repo: Path,
) -> None:
    git(repo, "switch", "-q", "-c", "side")
    edit(repo, HR, "current: 68", "current: 72")
    commit(repo, "offer rate 72 on the side", "2026-07-10T09:00:00+00:00")
    git(repo, "switch", "-q", "main")
    edit(repo, HR, "current: 68", "current: 70")
    mine = commit(repo, "offer rate 70 on main", "2026-07-12T09:00:00+00:00")
    merge(repo, "side", "2026-07-13T09:00:00+00:00", "-X", "theirs")
    assert "current: 72" in (repo / HR).read_text(encoding="utf-8")
    entries = [e for e in log_json(repo) if e["field"] == "current"]
    assert [(e["old"], e["new"]) for e in entries] == [(68, 72), (68, 70)]
    assert entries[1]["commit"] == mine
    line = trend(repo, "hr-admin/talent/offer-rate")
    assert "68 → 72" in line, line


def test_a_milestone_trend_reads_not_done_to_done(repo: Path) -> None:
    edit(repo, HR, "done: false", "done: true")
    commit(repo, "dashboard shipped", "2026-07-20T09:00:00+00:00")
    line = trend(repo, "hr-admin/talent/dashboard")
    assert "not done → done" in line, line


def test_a_commit_on_another_branch_that_left_the_value_is_no_step_of_the_trend(
    repo: Path,
) -> None:
    edit(repo, HR, "current: 68", "current: 72")
    commit(repo, "offer rate 72", "2026-07-08T09:00:00+00:00")
    git(repo, "switch", "-q", "-c", "side", "HEAD~1")
    edit(repo, HR, "Offer接受率从60%提升至75%以上", "Offer接受率从60%提升至76%以上")
    commit(repo, "a clearer title", "2026-07-10T09:00:00+00:00")
    git(repo, "switch", "-q", "main")
    merge(repo, "side", "2026-07-11T09:00:00+00:00")
    line = trend(repo, "hr-admin/talent/offer-rate")
    assert " ▁█ " in line and "68 → 72" in line, line


def test_a_side_a_merge_dropped_whole_is_not_what_stale_reads(repo: Path) -> None:
    """`git merge -s ours` keeps main's files: the side's check-in (to the target) is in
    the log, but stale reads the values main holds, as git does."""
    git(repo, "switch", "-q", "-c", "side")
    edit(repo, HR, "current: 68", "current: 75")
    commit(repo, "offer rate at target on the side", "2026-07-10T09:00:00+00:00")
    git(repo, "switch", "-q", "main")
    merge(repo, "side", "2026-07-11T09:00:00+00:00", "-s", "ours")
    assert [(e["old"], e["new"]) for e in log_json(repo) if e["field"] == "current"] == [(68, 75)]
    result = run_okr("-C", str(repo), "--as-of", "2026-07-20", "stale", "--format", "json")
    assert result.exit_code == 0, result
    rows = {row["address"]: row for row in json.loads(result.stdout)}
    assert rows["hr-admin/talent/offer-rate"]["last_change"] == "2026-07-01"


def test_a_version_that_does_not_parse_is_bridged_on_its_own_branch(repo: Path) -> None:
    path = repo / HR
    good = path.read_text(encoding="utf-8")
    path.write_text(good + "  - broken: [\n", encoding="utf-8")
    commit(repo, "broken on main", "2026-07-03T09:00:00+00:00")
    git(repo, "switch", "-q", "-c", "side", "HEAD~1")
    edit(repo, HR, "current: 68", "current: 72")
    commit(repo, "72 on the side", "2026-07-05T09:00:00+00:00")
    git(repo, "switch", "-q", "main")
    merge(repo, "side", "2026-07-06T09:00:00+00:00", "-s", "ours")
    path.write_text(good.replace("current: 68", "current: 70"), encoding="utf-8")
    fix = commit(repo, "fixed, and 70", "2026-07-09T09:00:00+00:00")
    entries = [e for e in log_json(repo) if e["field"] == "current"]
    assert [(e["commit"] == fix, e["old"], e["new"]) for e in entries] == [
        (False, 68, 72),
        (True, 68, 70),
    ]


def test_stale_dates_a_kr_by_the_side_whose_value_a_merge_kept(repo: Path) -> None:
    """Both sides changed the file, so git follows both; the merge kept main's 70 for the
    offer rate, so that KR last changed when main set 70, not when the side set 72."""
    git(repo, "switch", "-q", "-c", "side")
    edit(repo, HR, "current: 68", "current: 72")
    edit(repo, HR, "current: 7.6", "current: 7.2")  # another KR: the merge takes this one
    commit(repo, "side: offer rate 72, attrition 7.2", "2026-08-10T09:00:00+00:00")
    git(repo, "switch", "-q", "main")
    edit(repo, HR, "current: 68", "current: 70")
    commit(repo, "main: offer rate 70", "2026-07-10T09:00:00+00:00")
    merge(repo, "side", "2026-08-12T09:00:00+00:00", "-X", "ours")
    text = (repo / HR).read_text(encoding="utf-8")
    assert "current: 70" in text and "current: 7.2" in text
    result = run_okr("-C", str(repo), "--as-of", "2026-08-25", "stale", "--format", "json")
    assert result.exit_code == 0, result
    rows = {row["address"]: row for row in json.loads(result.stdout)}
    assert rows["hr-admin/talent/offer-rate"]["last_change"] == "2026-07-10"
    assert rows["hr-admin/engagement/attrition"]["last_change"] == "2026-08-10"  # the side's
    walk = run_okr("-C", str(repo), "checkin", "-i", "hr-admin", input="q\n")
    lines = walk.stdout.splitlines()
    asked = next(i for i, line in enumerate(lines) if "talent/offer-rate" in line)
    assert lines[asked + 1].endswith("last change 2026-07-10"), walk.stdout


def test_an_uncommitted_edit_does_not_move_the_last_change(repo: Path) -> None:
    """SPEC §11 counts commits: a hand edit back to an older value, not committed yet,
    leaves the KR changed when the last commit changed it."""
    edit(repo, HR, "current: 68", "current: 72")
    commit(repo, "offer rate 72", "2026-07-20T09:00:00+00:00")
    edit(repo, HR, "current: 72", "current: 68")  # as it was on 2026-07-01, not committed
    result = run_okr("-C", str(repo), "--as-of", "2026-08-01", "stale", "--format", "json")
    assert result.exit_code == 0, result
    rows = {row["address"]: row for row in json.loads(result.stdout)}
    assert rows["hr-admin/talent/offer-rate"]["last_change"] == "2026-07-20"


# --- the history read from its newest end ---------------------------------------------------


def varied_history(repo: Path) -> None:
    """Value changes, a KR's first check-in (a line added), a line taken away, a revision, a
    file deleted and added back, and a merge of two branches that both changed a file."""
    edit(repo, HR, "current: 68", "current: 70")
    commit(repo, "offer rate", "2026-07-05T09:00:00+00:00")
    edit(repo, HR, "target: 75", "target: 80")
    commit(repo, "revise the target", "2026-07-06T09:00:00+00:00")
    text = (repo / SALES).read_text(encoding="utf-8")
    (repo / SALES).write_text(text.replace("        current: 9\n", ""), encoding="utf-8")
    commit(repo, "sales: value removed by hand", "2026-07-07T09:00:00+00:00")
    (repo / SALES).write_text(text.replace("current: 9\n", "current: 11\n"), encoding="utf-8")
    commit(repo, "sales: first check-in again", "2026-07-08T09:00:00+00:00")
    git(repo, "switch", "-q", "-c", "side")
    edit(repo, HR, "current: 70", "current: 72")
    commit(repo, "offer rate on the side", "2026-07-09T09:00:00+00:00")
    git(repo, "switch", "-q", "main")
    edit(repo, SALES, "current: 11\n", "current: 12\n")
    commit(repo, "sales on main", "2026-07-10T09:00:00+00:00")
    subprocess.run(["git", "merge", "-q", "--no-edit", "side"], cwd=repo, check=True)
    (repo / SALES).rename(repo / "sales.bak")
    commit(repo, "sales gone", "2026-07-12T09:00:00+00:00")
    (repo / "sales.bak").rename(repo / SALES)
    commit(repo, "sales back", "2026-07-13T09:00:00+00:00")


@pytest.mark.parametrize("seeded", [True, False])
def test_every_version_read_from_the_newest_end_is_a_full_parse_of_its_blob(
    repo: Path, seeded: bool
) -> None:
    from okrcli.files import loader, workspace
    from okrcli.history import versions

    varied_history(repo)
    space = workspace.open_workspace(repo)
    data = loader.load_cycle(space, space.cycles["2026-Q3"], versions=seeded)
    assert bool(data.versions) is seeded
    store = snapshots.Snapshots(repo, "2026-Q3", data.versions)
    steps = versions.load(repo, "HEAD", "2026-Q3", full_history=True, snapshots=store)
    assert len(steps) >= 8
    for oid, found in store.known.items():
        raw = subprocess.run(
            ["git", "cat-file", "blob", oid], cwd=repo, capture_output=True, check=True
        ).stdout
        assert found == snapshots.snapshot(raw), oid
    # Unchanged KRs share their fields with the version before (what log's diff relies on).
    shared = [
        step
        for step in steps
        for file in step.files
        if file.before and file.after and file.before.keys() == file.after.keys()
        for key in file.after
        if file.before[key] is file.after[key]
    ]
    assert shared
