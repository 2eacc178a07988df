"""`okr people`, `okr person` and `okr digest` (SPEC §18) over one real repository with
several authors: git identities that okr.yaml maps by email (in another case) and by name,
and one it does not map; check-ins on one's own KRs and on others'; a hand revision with a
plain message; a branch merged back. Every expected figure is worked out by hand below.

The cycle is 2026-Q3 (92 days), thresholds the defaults (0.10, 0.25):
  pace on 2026-08-15 = 46/92 = 0.5; on 2026-08-08 = 39/92 ≈ 0.4239; on 2026-07-16 = 16/92.

History (author dates; committer dates the same):
  07-01 Test User     import
  07-10 Fang Wang     <WF@home.example>      checkin onboarding 10 → 8.25     (own: team owner)
  07-20 Lei Li        <li.lei@acme.example>  checkin offers 60 → 66, conf 0.8 → 0.6 (own)
  08-05 Fang Wang     <wang.fang@acme.example> checkin offers 66 → 70 (李雷's: a contribution)
  08-10 Ann Smith     <ann@elsewhere.example> on branch culture: enps 10 → 16, conf 0.7 → 0.4
  08-11 Bob Jones     <bob@example.com>      hand edit: won 0 → 1, calls 0 → 10 (one commit)
  08-12 Carol         merges culture (a merge is no entry)
  08-13 Lei Li        hand edit of offers' target 80 → 75, message "Lower the offer target"
  08-14 Ann Smith     checkin handbook done

At 2026-08-15 (the files as they are):
  hr/talent/offers      李雷      60 → 70 → 75   10/15 = 0.6667  on-track   (conf 0.6)
  hr/talent/onboarding  王芳      10 → 8.25 → 5  1.75/5 = 0.35   at-risk    (< 0.4, ≥ 0.25)
  hr/culture/enps       Ann Smith 10 → 16 → 30   6/20 = 0.3      at-risk    (conf 0.4 caps too)
  hr/culture/handbook   Ann Smith done                  1.0      done
  sales/deals/won       Bob Jones 0 → 1 → 10     0.1             off-track
  sales/deals/calls     nobody    0 → 10 → 100   0.1             off-track
  objectives: hr/talent (王芳, the team's owner) (0.6667 + 0.35)/2 = 0.5083 on-track;
              hr/culture (Ann Smith) (0.3 + 1)/2 = 0.65 on-track; sales/deals (nobody).
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import edit, git, markdown_html, run_okr

AS_OF = ("--as-of", "2026-08-15")
HR = "2026-Q3/hr.yaml"
SALES = "2026-Q3/sales.yaml"

CONFIG = """\
organization: Test Org
people:
  王芳:
    email: [wang.fang@acme.example, wf@Home.Example]
  李雷: {email: [li.lei@acme.example]}
  Ann Smith:
"""
HR_TEAM = """\
name: HR
owner: 王芳
objectives:
  - id: talent
    title: Hire well
    key_results:
      - id: offers
        title: Offer rate from 60 to 80
        owner: 李雷
        baseline: 60
        target: 80
        current: 60
        confidence: 0.8
      - id: onboarding
        title: Onboarding from 10 to 5 days
        baseline: 10
        target: 5
        current: 10
  - id: culture
    title: A culture people stay for
    owner: Ann Smith
    key_results:
      - id: enps
        title: eNPS from 10 to 30
        baseline: 10
        target: 30
        current: 10
        confidence: 0.7
      - id: handbook
        title: Publish the handbook v1
        done: false
"""
SALES_TEAM = """\
objectives:
  - id: deals
    title: Close deals
    key_results:
      - id: won
        title: Win 10 deals
        owner: Bob Jones
        baseline: 0
        target: 10
        current: 0
      - id: calls
        title: Make 100 calls
        baseline: 0
        target: 100
        current: 0
"""
Q2_TEAM = """\
owner: 王芳
objectives:
  - id: hiring
    title: Hire for the new office
    key_results:
      - id: roles
        title: Fill 4 roles
        baseline: 0
        target: 4
        current: 2
"""

FANG_HOME = ("Fang Wang", "WF@home.example")  # 王芳 by email, in another case
FANG_WORK = ("Fang Wang", "wang.fang@acme.example")
LEI = ("Lei Li", "li.lei@acme.example")  # 李雷 by email
ANN = ("Ann Smith", "ann@elsewhere.example")  # Ann Smith by name
BOB = ("Bob Jones", "bob@example.com")  # nobody okr.yaml knows: his git name
CAROL = ("Carol", "carol@example.com")


def identity(who: tuple[str, str], when: str) -> dict[str, str]:
    date = f"2026-{when}T10:00:00+00:00"
    return {
        "GIT_AUTHOR_NAME": who[0],
        "GIT_AUTHOR_EMAIL": who[1],
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_DATE": date,
    }


def checkin(repo: Path, who: tuple[str, str], when: str, *args: str) -> str:
    result = run_okr("-C", str(repo), "checkin", *args, env=identity(who, when))
    assert result.exit_code == 0, result
    return head(repo)


def hand_commit(repo: Path, who: tuple[str, str], when: str, message: str) -> str:
    env = {**os.environ, **identity(who, when)}
    subprocess.run(["git", "commit", "-q", "-am", message], cwd=repo, env=env, check=True)
    return head(repo)


def head(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD").strip()


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The repository of the module docstring, and its commit ids by name. Built once
    (the tests only read it), under the isolated git config of conftest."""
    home = tmp_path_factory.mktemp("home")
    saved = dict(os.environ)
    os.environ.update(
        HOME=str(home),
        XDG_CACHE_HOME=str(home / ".cache"),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=str(home / ".gitconfig"),
    )
    (home / ".gitconfig").write_text(
        "[user]\n\tname = Test User\n\temail = test@example.com\n"
        "[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n",
        encoding="utf-8",
    )
    try:
        yield build(tmp_path_factory.mktemp("people") / "okrs")
    finally:
        os.environ.clear()
        os.environ.update(saved)


def build(repo: Path) -> dict[str, Any]:
    (repo / "2026-Q3").mkdir(parents=True)
    (repo / "2026-Q2").mkdir()
    (repo / "okr.yaml").write_text(CONFIG, encoding="utf-8")
    (repo / HR).write_text(HR_TEAM, encoding="utf-8")
    (repo / SALES).write_text(SALES_TEAM, encoding="utf-8")
    (repo / "2026-Q2" / "hr.yaml").write_text(Q2_TEAM, encoding="utf-8")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    env = {**os.environ, "GIT_AUTHOR_DATE": "2026-07-01T09:00:00+00:00"}
    env["GIT_COMMITTER_DATE"] = env["GIT_AUTHOR_DATE"]
    subprocess.run(["git", "commit", "-q", "-m", "Q3 OKRs"], cwd=repo, env=env, check=True)
    ids = {"import": head(repo)}
    ids["onboarding"] = checkin(
        repo, FANG_HOME, "07-10", "onboarding", "8.25", "-m", "Two weeks saved"
    )
    ids["offers-1"] = checkin(
        repo, LEI, "07-20", "offers", "66", "--confidence", "0.6", "-m", "Slow July"
    )
    ids["offers-2"] = checkin(repo, FANG_WORK, "08-05", "offers", "70")
    git(repo, "switch", "-q", "-c", "culture")
    ids["enps"] = checkin(
        repo, ANN, "08-10", "enps", "16", "--confidence", "0.4", "-m", "Survey is in"
    )
    git(repo, "switch", "-q", "main")
    text = (repo / SALES).read_text(encoding="utf-8")
    text = text.replace("target: 10\n        current: 0", "target: 10\n        current: 1")
    text = text.replace("target: 100\n        current: 0", "target: 100\n        current: 10")
    (repo / SALES).write_text(text, encoding="utf-8")
    ids["sales"] = hand_commit(repo, BOB, "08-11", "Sales numbers from the CRM")
    env = {**os.environ, **identity(CAROL, "08-12")}
    subprocess.run(
        ["git", "merge", "-q", "--no-ff", "-m", "Merge culture", "culture"],
        cwd=repo,
        env=env,
        check=True,
    )
    edit(repo, HR, "target: 80", "target: 75")
    ids["revision"] = hand_commit(repo, LEI, "08-13", "Lower the offer target")
    ids["handbook"] = checkin(repo, ANN, "08-14", "handbook", "done")
    return {"repo": repo, "ids": ids}


def okr_json(history: dict[str, Any], *args: str) -> Any:
    result = run_okr("-C", str(history["repo"]), *args, "--format", "json")
    assert result.exit_code == 0, result
    return json.loads(result.stdout)


# --- okr people -----------------------------------------------------------------------------


def test_people_rows_by_name_with_hand_computed_figures(history: dict[str, Any]) -> None:
    assert okr_json(history, *AS_OF, "people") == [
        {
            "person": "Ann Smith",  # mapped by name: enps 0.3 at-risk, handbook done
            "krs": 2,
            "progress": 0.65,
            "on_track": 0,
            "at_risk": 1,
            "off_track": 0,
            "done": 1,
            "checkins": 2,  # 08-10 (value and confidence: one commit) and 08-14
            "last_checkin": "2026-08-14",
            "stale": 0,
        },
        {
            "person": "Bob Jones",  # nobody okr.yaml names: his git name
            "krs": 1,
            "progress": 0.1,
            "on_track": 0,
            "at_risk": 0,
            "off_track": 1,
            "done": 0,
            "checkins": 1,  # one hand edit of two KRs, one of them nobody's
            "last_checkin": "2026-08-11",
            "stale": 0,
        },
        {
            "person": "李雷",  # by email; the 08-13 revision is no check-in
            "krs": 1,
            "progress": 0.6667,
            "on_track": 1,
            "at_risk": 0,
            "off_track": 0,
            "done": 0,
            "checkins": 1,
            "last_checkin": "2026-07-20",
            "stale": 1,  # offers: last value change 08-05, 10 days
        },
        {
            "person": "王芳",  # by both emails (one in another case)
            "krs": 1,
            "progress": 0.35,
            "on_track": 0,
            "at_risk": 1,
            "off_track": 0,
            "done": 0,
            "checkins": 2,  # 07-10 on her own KR, 08-05 on 李雷's
            "last_checkin": "2026-08-05",
            "stale": 1,  # onboarding: last change 07-10, 36 days
        },
    ]


def test_people_count_nothing_after_the_as_of_date(history: dict[str, Any]) -> None:
    rows = {row["person"]: row for row in okr_json(history, "--as-of", "2026-08-09", "people")}
    # Ann's check-ins are 08-10 and 08-14, Bob's 08-11: after the as-of date.
    assert (rows["Ann Smith"]["checkins"], rows["Ann Smith"]["last_checkin"]) == (0, None)
    assert "Bob Jones" in rows  # he owns a KR
    assert (rows["王芳"]["checkins"], rows["李雷"]["checkins"]) == (2, 1)


def test_people_table_markdown_and_csv(history: dict[str, Any]) -> None:
    repo = str(history["repo"])
    table = run_okr("-C", repo, *AS_OF, "people").stdout
    lines = table.splitlines()
    assert lines[0] == "2026-Q3 · as of 2026-08-15"
    header = next(i for i, line in enumerate(lines) if line.startswith("PERSON"))
    names = [line.split("  ")[0] for line in lines[header + 1 :] if line]
    assert names == ["Ann Smith", "Bob Jones", "李雷", "王芳"]
    assert "2026-08-05" in lines[header + 4] and "35%" in lines[header + 4]
    markdown = run_okr("-C", repo, *AS_OF, "people", "--format", "markdown").stdout
    assert "| 王芳 | 1 | 35% | 0 | 1 | 0 | 0 | 2 | 2026-08-05 | 1 |" in markdown
    rows = list(
        csv.DictReader(io.StringIO(run_okr("-C", repo, *AS_OF, "people", "--format", "csv").stdout))
    )
    assert rows[1] == {
        "person": "Bob Jones",
        "krs": "1",
        "progress": "0.1",
        "on_track": "0",
        "at_risk": "0",
        "off_track": "1",
        "done": "0",
        "checkins": "1",
        "last_checkin": "2026-08-11",
        "stale": "0",
    }


def test_log_names_authors_as_people(history: dict[str, Any]) -> None:
    authors = [(e["author"], e["address"], e["field"]) for e in okr_json(history, "log")]
    assert authors == [
        ("王芳", "hr/talent/onboarding", "current"),
        ("李雷", "hr/talent/offers", "current"),
        ("李雷", "hr/talent/offers", "confidence"),
        ("王芳", "hr/talent/offers", "current"),
        ("Ann Smith", "hr/culture/enps", "current"),
        ("Ann Smith", "hr/culture/enps", "confidence"),
        ("Bob Jones", "sales/deals/won", "current"),
        ("Bob Jones", "sales/deals/calls", "current"),
        ("李雷", "hr/talent/offers", "target"),
        ("Ann Smith", "hr/culture/handbook", "done"),
    ]


# --- okr person -----------------------------------------------------------------------------


def test_person_owned_authored_and_summary(history: dict[str, Any]) -> None:
    ids = history["ids"]
    assert okr_json(history, *AS_OF, "person", "王芳") == {
        "person": "王芳",
        "cycles": [
            {
                "cycle": "2026-Q3",
                "owned": [
                    {
                        "address": "hr/talent",  # the team's owner owns it
                        "title": "Hire well",
                        "baseline": None,
                        "target": None,
                        "last": None,
                        "progress": 0.5083,
                        "score": 0.5083,
                        "status": "on-track",
                        "retro": None,
                    },
                    {
                        "address": "hr/talent/onboarding",
                        "title": "Onboarding from 10 to 5 days",
                        "baseline": 10,
                        "target": 5,
                        "last": 8.25,
                        "progress": 0.35,
                        "score": 0.35,
                        "status": "at-risk",
                        "retro": None,
                    },
                ],
                "authored": [
                    {
                        "date": "2026-07-10T10:00:00+00:00",
                        "commit": ids["onboarding"],
                        "address": "hr/talent/onboarding",
                        "field": "current",
                        "old": 10,
                        "new": 8.25,
                        "note": "Two weeks saved",
                        "contribution": False,
                    },
                    {
                        "date": "2026-08-05T10:00:00+00:00",
                        "commit": ids["offers-2"],
                        "address": "hr/talent/offers",
                        "field": "current",
                        "old": 66,
                        "new": 70,
                        "note": "",
                        "contribution": True,  # 李雷's KR
                    },
                ],
            }
        ],
        "summary": {"krs": 1, "mean_score": 0.35, "checkins": 2},
    }


def test_person_with_a_revision_and_a_milestone(history: dict[str, Any]) -> None:
    ids = history["ids"]
    lei = okr_json(history, *AS_OF, "person", "李雷")
    (cycle,) = lei["cycles"]
    assert cycle["owned"] == [
        {
            "address": "hr/talent/offers",
            "title": "Offer rate from 60 to 80",
            "baseline": 60,
            "target": 75,
            "last": 70,
            "progress": 0.6667,
            "score": 0.6667,
            "status": "on-track",
            "retro": None,
        }
    ]
    assert [
        (e["commit"], e["field"], e["old"], e["new"], e["note"]) for e in cycle["authored"]
    ] == [
        (ids["offers-1"], "current", 60, 66, "Slow July"),
        (ids["offers-1"], "confidence", 0.8, 0.6, "Slow July"),
        (ids["revision"], "target", 80, 75, "Lower the offer target"),
    ]
    assert not any(e["contribution"] for e in cycle["authored"])
    assert lei["summary"] == {"krs": 1, "mean_score": 0.6667, "checkins": 1}
    ann = okr_json(history, *AS_OF, "person", "Ann Smith")
    fields = ("address", "title", "baseline", "last", "target", "progress", "score", "status")
    assert [tuple(row[f] for f in fields) for row in ann["cycles"][0]["owned"]] == [
        ("hr/culture", "A culture people stay for", None, None, None, 0.65, 0.65, "on-track"),
        ("hr/culture/enps", "eNPS from 10 to 30", 10, 16, 30, 0.3, 0.3, "at-risk"),
        ("hr/culture/handbook", "Publish the handbook v1", None, True, None, 1.0, 1.0, "done"),
    ]
    assert all(row["retro"] is None for row in ann["cycles"][0]["owned"])
    assert [(e["field"], e["old"], e["new"]) for e in ann["cycles"][0]["authored"]] == [
        ("current", 10, 16),
        ("confidence", 0.7, 0.4),
        ("done", False, True),
    ]
    assert ann["summary"] == {"krs": 2, "mean_score": 0.65, "checkins": 2}


def test_a_checkin_on_a_kr_nobody_owns_is_no_contribution(history: dict[str, Any]) -> None:
    bob = okr_json(history, *AS_OF, "person", "Bob Jones")
    assert [
        (e["address"], e["old"], e["new"], e["note"], e["contribution"])
        for e in bob["cycles"][0]["authored"]
    ] == [
        ("sales/deals/won", 0, 1, "Sales numbers from the CRM", False),
        ("sales/deals/calls", 0, 10, "Sales numbers from the CRM", False),
    ]
    assert bob["summary"] == {"krs": 1, "mean_score": 0.1, "checkins": 1}


def test_person_all_cycles(history: dict[str, Any]) -> None:
    fang = okr_json(history, *AS_OF, "person", "王芳", "--all-cycles")
    assert [cycle["cycle"] for cycle in fang["cycles"]] == ["2026-Q2", "2026-Q3"]
    # 2026-Q2 is over (pace 1.0): roles 2/4 = 0.5, below 0.75: off-track.
    assert fang["cycles"][0] == {
        "cycle": "2026-Q2",
        "owned": [
            {
                "address": "hr/hiring",
                "title": "Hire for the new office",
                "baseline": None,
                "target": None,
                "last": None,
                "progress": 0.5,
                "score": 0.5,
                "status": "off-track",
                "retro": None,
            },
            {
                "address": "hr/hiring/roles",
                "title": "Fill 4 roles",
                "baseline": 0,
                "target": 4,
                "last": 2,
                "progress": 0.5,
                "score": 0.5,
                "status": "off-track",
                "retro": None,
            },
        ],
        "authored": [],
    }
    assert fang["summary"] == {"krs": 2, "mean_score": 0.425, "checkins": 2}  # (0.5 + 0.35) / 2
    bob = okr_json(history, *AS_OF, "person", "Bob Jones", "--all-cycles")
    assert [cycle["cycle"] for cycle in bob["cycles"]] == ["2026-Q3"]  # nothing in Q2


def test_unknown_person_lists_the_people_there_are(history: dict[str, Any]) -> None:
    result = run_okr("-C", str(history["repo"]), *AS_OF, "person", "Wang")
    assert result.exit_code == 1
    # Declared, owners and authors; not Carol (a merge) nor Test User (the import).
    assert result.stderr == (
        "okr: no person 'Wang' here; the people there are: Ann Smith, Bob Jones, 李雷, 王芳\n"
    )


def test_person_markdown_is_a_review_document(history: dict[str, Any]) -> None:
    result = run_okr("-C", str(history["repo"]), *AS_OF, "person", "王芳", "--format", "markdown")
    assert result.exit_code == 0, result
    text = result.stdout
    assert text.startswith("## 王芳 · 2026-Q3\n\nAs of 2026-08-15: 1 key result(s) owned, ")
    assert "### Objectives and key results owned in 2026-Q3 (2)" in text
    assert (
        "| `hr/talent/onboarding` | Onboarding from 10 to 5 days | 10 → 8.25 → 5 | 35% | 0.35 "
        "| at-risk |" in text
    )
    assert "| 2026-08-05 | `hr/talent/offers` | current | 66 → 70 |  | contribution |" in text
    table = run_okr("-C", str(history["repo"]), *AS_OF, "person", "王芳").stdout
    offers = next(line for line in table.splitlines() if line.startswith("2026-08-05"))
    assert offers.split() == [
        "2026-08-05",
        "hr/talent/offers",
        "current",
        "66",
        "→",
        "70",
        "contribution",
    ]


# --- okr digest -----------------------------------------------------------------------------


def test_digest_of_the_week(history: dict[str, Any]) -> None:
    ids = history["ids"]
    result = okr_json(history, *AS_OF, "digest")
    assert {k: result[k] for k in ("cycle", "from", "to")} == {
        "cycle": "2026-Q3",
        "from": "2026-08-09",
        "to": "2026-08-15",
    }
    assert [
        (e["commit"], e["author"], e["address"], e["field"], e["old"], e["new"], e["note"])
        for e in result["checkins"]
    ] == [
        (ids["enps"], "Ann Smith", "hr/culture/enps", "current", 10, 16, "Survey is in"),
        (ids["enps"], "Ann Smith", "hr/culture/enps", "confidence", 0.7, 0.4, "Survey is in"),
        (
            ids["sales"],
            "Bob Jones",
            "sales/deals/won",
            "current",
            0,
            1,
            "Sales numbers from the CRM",
        ),
        (
            ids["sales"],
            "Bob Jones",
            "sales/deals/calls",
            "current",
            0,
            10,
            "Sales numbers from the CRM",
        ),
        (ids["handbook"], "Ann Smith", "hr/culture/handbook", "done", False, True, ""),
    ]
    assert result["revisions"] == [
        {
            "commit": ids["revision"],
            "date": "2026-08-13T10:00:00+00:00",
            "author": "李雷",
            "address": "hr/talent/offers",
            "field": "target",
            "old": 80,
            "new": 75,
            "note": "Lower the offer target",
        }
    ]
    # 08-08 (pace 0.4239): onboarding 0.35 ≥ 0.3239 on-track; 08-15 (pace 0.5): < 0.4.
    # offers 0.5 → 0.6667 stays on-track; enps off-track → at-risk and the others get
    # better or stay off-track.
    assert result["worse"] == [
        {"address": "hr/talent/onboarding", "old": "on-track", "new": "at-risk"}
    ]
    # offers fell 0.8 → 0.6 on 07-20: before the window.
    assert result["confidence_drops"] == [{"address": "hr/culture/enps", "old": 0.7, "new": 0.4}]
    assert result["stale"] == [
        {
            "address": "hr/talent/onboarding",
            "owner": "王芳",
            "last_change": "2026-07-10",
            "days": 36,
        },
        {"address": "hr/talent/offers", "owner": "李雷", "last_change": "2026-08-05", "days": 10},
    ]
    # Open KRs' owners: 李雷 (a revision is no check-in), 王芳, Ann Smith, Bob Jones.
    assert result["silent"] == ["李雷", "王芳"]


def test_digest_of_thirty_days(history: dict[str, Any]) -> None:
    """From 07-17; the state it starts from is 07-16's (pace 16/92 ≈ 0.1739: a KR at 0 is
    at-risk, 0.35 on-track)."""
    result = okr_json(history, *AS_OF, "digest", "--days", "30")
    assert (result["from"], result["to"]) == ("2026-07-17", "2026-08-15")
    assert [(e["author"], e["address"], e["field"]) for e in result["checkins"]] == [
        ("李雷", "hr/talent/offers", "current"),  # 07-20
        ("李雷", "hr/talent/offers", "confidence"),
        ("王芳", "hr/talent/offers", "current"),  # 08-05
        ("Ann Smith", "hr/culture/enps", "current"),
        ("Ann Smith", "hr/culture/enps", "confidence"),
        ("Bob Jones", "sales/deals/won", "current"),
        ("Bob Jones", "sales/deals/calls", "current"),
        ("Ann Smith", "hr/culture/handbook", "done"),
    ]  # not 王芳's onboarding on 07-10: before the window
    assert [(e["author"], e["field"]) for e in result["revisions"]] == [("李雷", "target")]
    assert result["worse"] == [
        {"address": "hr/talent/onboarding", "old": "on-track", "new": "at-risk"},
        {"address": "sales/deals/won", "old": "at-risk", "new": "off-track"},
        {"address": "sales/deals/calls", "old": "at-risk", "new": "off-track"},
    ]
    assert result["confidence_drops"] == [
        {"address": "hr/talent/offers", "old": 0.8, "new": 0.6},
        {"address": "hr/culture/enps", "old": 0.7, "new": 0.4},
    ]
    assert result["stale"] == [
        {
            "address": "hr/talent/onboarding",
            "owner": "王芳",
            "last_change": "2026-07-10",
            "days": 36,
        }
    ]
    assert result["silent"] == []


def test_digest_stale_is_the_stale_command(history: dict[str, Any]) -> None:
    for days in ("1", "7", "12", "40"):
        digest = okr_json(history, *AS_OF, "digest", "--days", days)
        assert digest["stale"] == okr_json(history, *AS_OF, "stale", "--days", days)


def test_digest_as_of_an_earlier_day_reads_the_files_of_that_day(history: dict[str, Any]) -> None:
    """On 08-12 the revision (08-13) and the handbook (08-14) are still to come."""
    result = okr_json(history, "--as-of", "2026-08-12", "digest", "--days", "3")
    assert (result["from"], result["to"]) == ("2026-08-10", "2026-08-12")
    assert [e["address"] for e in result["checkins"]] == [
        "hr/culture/enps",
        "hr/culture/enps",
        "sales/deals/won",
        "sales/deals/calls",
    ]
    assert result["revisions"] == []
    # Ann checked in; the handbook is still open, so she is not done, but not silent.
    assert result["silent"] == ["李雷", "王芳"]


def test_digest_markdown_and_table(history: dict[str, Any]) -> None:
    repo = str(history["repo"])
    markdown = run_okr("-C", repo, *AS_OF, "digest", "--format", "markdown").stdout
    assert markdown.startswith("## 2026-Q3 · 2026-08-09 – 2026-08-15 (7 day(s))\n")
    assert "### Check-ins (5)" in markdown
    assert (
        "| 2026-08-13 | 李雷 | `hr/talent/offers` | target (revised) | 80 → 75 "
        "| Lower the offer target |" in markdown
    )
    assert "| `hr/talent/onboarding` | on-track | at-risk |" in markdown
    assert (
        "### Owners of open key results with no check-in in the window (2)\n\n- 李雷\n- 王芳\n"
        in markdown
    )
    table = run_okr("-C", repo, *AS_OF, "digest").stdout
    assert "Confidence dropped (1)" in table and "hr/culture/enps  0.7  0.4" in table


def test_people_commands_need_git(okr_dir: Path) -> None:
    (okr_dir / "2026-Q3" / "t.yaml").write_text("objectives: []\n", encoding="utf-8")
    for command in ("people", "digest"):
        result = run_okr("-C", str(okr_dir), command)
        assert result.exit_code == 1
        assert "needs git" in result.stderr, result


# --- merges that drop a side, KRs since removed ---------------------------------------------


def example(tmp_path: Path) -> Path:
    from conftest import imported_example

    return imported_example(tmp_path)


def test_a_checkin_a_merge_dropped_is_still_authored_and_stale_agrees(tmp_path: Path) -> None:
    """`git merge -s ours` keeps main's files: the side's check-in is in the record (as in
    `okr log`), and the stale list is still `okr stale`'s."""
    repo = example(tmp_path)
    git(repo, "switch", "-q", "-c", "side")
    side = checkin(repo, ("Lei Li", "li@acme.example"), "07-10", "offer-rate", "75", "-m", "x")
    git(repo, "switch", "-q", "main")
    env = {**os.environ, **identity(CAROL, "07-11")}
    subprocess.run(
        ["git", "merge", "-q", "-s", "ours", "-m", "m", "side"], cwd=repo, env=env, check=True
    )
    as_of = ("--as-of", "2026-07-20")
    lei = okr_json({"repo": repo}, *as_of, "person", "Lei Li")
    assert [(e["commit"], e["new"], e["contribution"]) for e in lei["cycles"][0]["authored"]] == [
        (side, 75, True)  # 李雷 owns offer-rate; the git identity "Lei Li" is not mapped
    ]
    digest = okr_json({"repo": repo}, *as_of, "digest", "--days", "14")
    assert [e["commit"] for e in digest["checkins"]] == [side]
    assert digest["stale"] == okr_json({"repo": repo}, *as_of, "stale", "--days", "14")
    offer = next(r for r in digest["stale"] if r["address"] == "hr-admin/talent/offer-rate")
    assert offer["last_change"] == "2026-07-01"
    rows = {row["person"]: row for row in okr_json({"repo": repo}, *as_of, "people")}
    assert rows["Lei Li"]["checkins"] == 1 and rows["Lei Li"]["krs"] == 0
    assert rows["李雷"]["checkins"] == 0 and rows["李雷"]["krs"] == 2


def test_a_kr_since_removed_keeps_the_owner_it_had(tmp_path: Path) -> None:
    repo = example(tmp_path)
    checkin(repo, ("王芳", "w@acme.example"), "07-10", "offer-rate", "70")
    checkin(repo, ("王芳", "w@acme.example"), "07-11", "enps", "7.5")
    text = (repo / "2026-Q3/hr-admin.yaml").read_text(encoding="utf-8")
    start = text.index("      - id: offer-rate")
    end = text.index("      - id: onboarding-days")
    (repo / "2026-Q3/hr-admin.yaml").write_text(text[:start] + text[end:], encoding="utf-8")
    hand_commit(repo, ("王芳", "w@acme.example"), "07-12", "Drop the offer rate")
    fang = okr_json({"repo": repo}, "--as-of", "2026-07-20", "person", "王芳")
    assert [(e["address"], e["contribution"]) for e in fang["cycles"][0]["authored"]] == [
        ("hr-admin/talent/offer-rate", True),  # it was 李雷's when it was removed
        ("hr-admin/engagement/enps", False),  # hers: engagement's owner
    ]


def test_json_keys_are_exactly_the_contracts(history: dict[str, Any]) -> None:
    (row, *_) = okr_json(history, *AS_OF, "people")
    assert list(row) == [
        "person",
        "krs",
        "progress",
        "on_track",
        "at_risk",
        "off_track",
        "done",
        "checkins",
        "last_checkin",
        "stale",
    ]
    result = okr_json(history, *AS_OF, "person", "王芳")
    assert list(result) == ["person", "cycles", "summary"]
    assert list(result["cycles"][0]) == ["cycle", "owned", "authored"]
    assert list(result["summary"]) == ["krs", "mean_score", "checkins"]
    digest = okr_json(history, *AS_OF, "digest")
    assert list(digest) == [
        "cycle",
        "from",
        "to",
        "checkins",
        "revisions",
        "worse",
        "confidence_drops",
        "stale",
        "silent",
    ]
    assert list(digest["checkins"][0]) == list(okr_json(history, "log")[0])


# --- user text stays inert ------------------------------------------------------------------

HOSTILE = "[red]x[/red]\u202e\x1b[2J|`<b>"
HOSTILE_NAME = "[red]x[/red]\u202e\x1b[2J|`"  # git drops < and > from a name


def test_hostile_notes_names_and_titles_are_shown_literally_everywhere(tmp_path: Path) -> None:
    from rich.console import Console

    from okrcli.render import people as render

    repo = example(tmp_path)
    checkin(repo, (HOSTILE_NAME, "h@acme.example"), "07-10", "offer-rate", "70", "-m", HOSTILE)
    for args in (("digest", "--days", "30"), ("person", HOSTILE_NAME), ("people",)):
        for output in ("table", "markdown"):
            result = run_okr("-C", str(repo), "--as-of", "2026-07-20", *args, "--format", output)
            assert result.exit_code == 0, result
            assert "\u202e" not in result.stdout and "\x1b" not in result.stdout
            if output == "table":
                assert "[red]x[/red]" in result.stdout, (args, output)
                continue
            shown = markdown_html(result.stdout)  # as a pull request or a wiki shows it
            assert "[red]x[/red]" in shown, args
            if args[0] != "people":  # no cell break, code span or tag: the text as written
                assert "[2J|`&lt;b&gt;" in shown and "<b>" not in shown, shown
    digest = okr_json({"repo": repo}, "--as-of", "2026-07-20", "digest", "--days", "30")
    person = okr_json({"repo": repo}, "--as-of", "2026-07-20", "person", HOSTILE_NAME)
    for page in (render.digest_page(digest), render.person_page(person, "2026-07-20")):
        console = Console(record=True, width=200, force_terminal=True, color_system="truecolor")
        console.print(render.draw_rich(page))
        text = console.export_text()
        assert "[red]x[/red]" in text and "\u202e" not in text and "\x1b[2J" not in text
    unknown = run_okr("-C", str(repo), "--as-of", "2026-07-20", "person", HOSTILE)
    assert unknown.exit_code == 1
    assert "[red]x[/red]" in unknown.stderr
    assert "\u202e" not in unknown.stderr and "\x1b" not in unknown.stderr


def test_mean_progress_is_of_the_exact_figures(tmp_path: Path) -> None:
    """Maria Lopez owns pipeline (3.8 of 2 → 5: 0.6), playbook (done: 1), churn (2.6 of
    3 → 2: 0.4) and nps (33 of 31 → 40: 2/9): (0.6 + 1 + 0.4 + 2/9) / 4 = 0.55556; the
    mean of the rounded figures (0.2222) would be 0.5555."""
    rows = okr_json({"repo": example(tmp_path)}, *AS_OF, "people")
    maria = next(row for row in rows if row["person"] == "Maria Lopez")
    assert (maria["krs"], maria["progress"], maria["done"]) == (4, 0.5556, 1)


def test_at_an_80_column_terminal_nothing_is_cut(history: dict[str, Any]) -> None:
    from test_cli import ANSI, run_on_terminal

    repo = history["repo"]
    for args in (("people",), ("person", "王芳"), ("digest",)):
        code, output = run_on_terminal(*AS_OF, *args, cwd=repo, env={"COLUMNS": "80"})
        assert code == 0, output
        visible = ANSI.sub("", output)
        assert "…" not in visible, visible
        if args[0] == "people":
            assert "Stale" in visible and "2026-08-05" in visible
        else:  # addresses are never broken across lines
            assert "hr/talent/onboarding" in visible, visible


@pytest.mark.parametrize(("command", "low"), [("digest", 1), ("stale", 0)])
def test_a_window_of_a_million_days_is_refused_in_a_sentence(
    example_repo: Path, command: str, low: int
) -> None:
    result = run_okr("-C", str(example_repo), command, "--days", "1000000")
    assert result.exit_code == 2
    assert result.stderr == (
        f"okr: Invalid value for '--days': 1000000 is not in the range {low}<=x<=36500; "
        f"see 'okr {command} --help'\n"
    )


def test_at_80_columns_titles_break_by_the_cjk_rules(example_repo: Path) -> None:
    """The title under a KR's address wraps by core.text.wrap, not rich's own rules: a
    number keeps its unit (`6.8%`), and no line starts with closing punctuation."""
    from test_cli import ANSI, run_on_terminal

    code, output = run_on_terminal(
        "--as-of", "2026-08-15", "person", "王芳", cwd=example_repo, env={"COLUMNS": "80"}
    )
    assert code == 0, output
    lines = [line.strip() for line in ANSI.sub("", output).splitlines()]
    assert "6.8%" in "\n".join(lines)
    assert not [line for line in lines if line[:1] in ("%", ",", "，", ")", "）")]
