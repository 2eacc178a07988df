"""`okr close` (SPEC §14) in real git repositories, its conversation read from a pipe."""

from __future__ import annotations

import datetime as dt
import fcntl
import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import git, run_okr, run_okr_process
from test_checkin import assert_refused, head, snapshot, start_conflicted_merge, write_hook

from okrcli.core.errors import OkrError
from okrcli.files.yaml_strict import load_positioned
from okrcli.files.yamlsource import decode
from okrcli.services import close_walk

HR = "2026-Q3/hr-admin.yaml"
SALES = "2026-Q3/sales.yaml"
COMPANY = "2026-Q3/company.yaml"
# hr-admin's objectives and their KRs, in file order (the order close asks).
HR_OBJECTIVES = {
    "talent": ["offer-rate", "onboarding-days", "dashboard"],
    "engagement": ["attrition", "enps", "workshops"],
    "lean-ops": ["admin-cost", "response-time", "processes-online"],
}
AFTER_END = ("--as-of", "2026-10-08")


def answers(
    kr: dict[str, tuple[str, str]] | None = None,
    objective: dict[str, str] | None = None,
    team: str = "",
    confirm: str | None = "",
) -> str:
    """hr-admin's answers: score and retro per KR, the objective's retro after its KRs, the
    team's retro, then the confirmation (empty lines accept what is shown)."""
    kr, objective = kr or {}, objective or {}
    lines = []
    for objective_id, krs in HR_OBJECTIVES.items():
        for kr_id in krs:
            lines.extend(kr.get(kr_id, ("", "")))
        lines.append(objective.get(objective_id, ""))
    lines.append(team)
    if confirm is not None:
        lines.append(confirm)
    return "\n".join(lines) + "\n"


def close(repo: Path, *args: str, input: str = "", as_of: tuple[str, ...] = AFTER_END):  # type: ignore[no-untyped-def]
    return run_okr("-C", str(repo), *as_of, "close", *args, input=input)


def data_of(repo: Path, path: str = HR) -> dict:  # type: ignore[type-arg]
    return load_positioned(decode((repo / path).read_bytes())).data  # type: ignore[no-any-return]


def kr_of(data: dict, objective: str, kr: str) -> dict:  # type: ignore[type-arg]
    (found,) = [o for o in data["objectives"] if o["id"] == objective]
    (key_result,) = [k for k in found["key_results"] if k["id"] == kr]
    return key_result  # type: ignore[no-any-return]


def added_lines(repo: Path, rev: str = "HEAD~1", path: str = HR) -> list[str]:
    """The last commit's changed lines: a close only adds lines (`+…`)."""
    out = git(repo, "diff", "-U0", rev, "--", path)
    return [
        line
        for line in out.splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def commit_count(repo: Path) -> int:
    return int(git(repo, "rev-list", "--count", "HEAD"))


def nothing_written(repo: Path, before: dict[str, bytes], head_before: str) -> None:
    assert head(repo) == head_before
    assert snapshot(repo) == before
    assert git(repo, "status", "--porcelain") == ""


# --- the conversation -----------------------------------------------------------------------


def test_the_conversation_asks_in_order_and_writes_one_commit(example_repo: Path) -> None:
    given = answers(
        kr={
            "offer-rate": ("0.6", '内推 "渠道" 更好'),
            "dashboard": ("", "需求反复变更"),
            "enps": ("1", ""),
        },
        objective={"talent": "招聘渠道单一是主要瓶颈"},
        team="Referrals beat agencies: 'always'",
    )
    result = close(example_repo, "hr-admin", input=given)
    assert result.exit_code == 0, result
    out = result.stdout
    # Each KR with its final value, progress and computed score, then its two questions.
    assert "[1/9] hr-admin/talent/offer-rate  关键岗位Offer接受率从60%提升至75%以上" in out
    assert "final 68 % (baseline 60, target 75), progress 53%, computed score 0.53" in out
    assert "[3/9] hr-admin/talent/dashboard" in out and "final not done (milestone)" in out
    order = [
        out.index("score [0.53]:"),
        out.index("retro []: 内推"),
        out.index("[2/9] hr-admin/talent/onboarding-days"),
        out.index("score [0.5]:"),
        out.index("[3/9]"),
        out.index("objective hr-admin/talent"),
        out.index("[4/9] hr-admin/engagement/attrition"),
        out.index("team hr-admin: score"),
        out.index("Commit the grades to 2026-Q3/hr-admin.yaml? [Y/n]"),
    ]
    assert order == sorted(order)
    # One commit, of that one file, that only adds lines.
    assert commit_count(example_repo) == 2
    assert git(example_repo, "show", "--name-only", "--format=", "HEAD").split() == [HR]
    assert added_lines(example_repo) == [
        "+closed: 2026-10-08",
        "+retro: \"Referrals beat agencies: 'always'\"",
        '+    retro: "招聘渠道单一是主要瓶颈"',
        "+        score: 0.6",
        '+        retro: "内推 \\"渠道\\" 更好"',
        "+        score: 0.5",
        "+        score: 0",
        '+        retro: "需求反复变更"',
        "+        score: 0.33",
        "+        score: 1",
        "+        score: 0.56",
        "+        score: 0.4",
        "+        score: 0.75",
        "+        score: 0.4",
    ]
    data = data_of(example_repo)
    assert data["closed"] == "2026-10-08"
    assert data["retro"] == "Referrals beat agencies: 'always'"
    assert kr_of(data, "talent", "offer-rate")["retro"] == '内推 "渠道" 更好'
    assert kr_of(data, "engagement", "enps")["score"] == 1
    message = git(example_repo, "log", "-1", "--format=%B").strip().split("\n\n")
    assert message[0] == "close 2026-Q3: hr-admin 0.50"
    assert message[-1].splitlines() == ["OKR-Close: 2026-Q3/hr-admin", "OKR-Score: 0.50"]
    assert "hr-admin: closed 2026-10-08, score 0.50 (9 key result(s) graded)" in out
    assert f"committed {git(example_repo, 'rev-parse', '--short', 'HEAD').strip()}" in out
    assert run_okr("-C", str(example_repo), *AFTER_END, "validate").exit_code == 0


def test_texts_in_the_file_are_shown_and_kept_by_enter(example_repo: Path) -> None:
    text = (example_repo / HR).read_text(encoding="utf-8")
    text = text.replace("        current: 68\n", "        current: 68\n        score: 0.9\n")
    text = text.replace(
        "        current: 7.6\n", "        current: 7.6\n        retro: 离职面谈太晚\n"
    )
    text = text.replace(
        "owner: 王芳\nobjectives:", "owner: 王芳\nretro: |\n  one\n  two\nobjectives:"
    )
    (example_repo / HR).write_text(text, encoding="utf-8")
    git(example_repo, "commit", "-q", "-am", "texts by hand")
    result = close(example_repo, "hr-admin", input=answers())
    assert result.exit_code == 0, result
    assert "score [0.9]:" in result.stdout  # the KR's own score, not the computed 0.53
    assert "retro [离职面谈太晚]:" in result.stdout
    assert "retro [one two]:" in result.stdout
    changed = added_lines(example_repo)
    assert "+        score: 0.9" not in changed and "+closed: 2026-10-08" in changed
    assert not [line for line in changed if "retro" in line]
    data = data_of(example_repo)
    assert kr_of(data, "talent", "offer-rate")["score"] == 0.9
    assert data["retro"] == "one\ntwo\n"


def test_a_new_text_replaces_the_one_in_the_file(example_repo: Path) -> None:
    text = (example_repo / HR).read_text(encoding="utf-8")
    text = text.replace(
        "        current: 7.6\n",
        "        current: 7.6\n        retro: |\n          旧的\n          两行\n",
    )
    (example_repo / HR).write_text(text, encoding="utf-8")
    git(example_repo, "commit", "-q", "-am", "retro by hand")
    result = close(example_repo, "hr-admin", input=answers(kr={"attrition": ("", "新的")}))
    assert result.exit_code == 0, result
    after = (example_repo / HR).read_text(encoding="utf-8")
    assert (
        '        current: 7.6\n        score: 0.33\n        retro: "新的"\n      - id: enps'
        in after
    )
    assert "旧的" not in after
    assert kr_of(data_of(example_repo), "engagement", "attrition")["retro"] == "新的"


@pytest.mark.parametrize(
    "given",
    [
        "q\n",  # at the first score
        "\nq\n",  # at the first retro
        answers(objective={"talent": "q"}),  # at an objective's retro
        answers(team="Q"),  # at the team's retro
        answers(confirm="q"),  # at the confirmation
    ],
    ids=["score", "kr-retro", "objective-retro", "team-retro", "confirmation"],
)
def test_q_quits_writing_nothing(example_repo: Path, given: str) -> None:
    before, head_before = snapshot(example_repo), head(example_repo)
    result = close(example_repo, "hr-admin", input=given)
    assert result.exit_code == 0, result
    assert result.stdout.rstrip().endswith("quit; nothing written")
    nothing_written(example_repo, before, head_before)


@pytest.mark.parametrize("cut", [0, 1, 7, 22])
def test_the_end_of_input_quits_writing_nothing(example_repo: Path, cut: int) -> None:
    before, head_before = snapshot(example_repo), head(example_repo)
    lines = answers(kr={"offer-rate": ("0.7", "x")}).splitlines(keepends=True)
    result = close(example_repo, "hr-admin", input="".join(lines[:cut]))
    assert result.exit_code == 0, result
    assert result.stdout.rstrip().endswith("quit; nothing written")
    nothing_written(example_repo, before, head_before)


def test_no_at_the_confirmation_writes_nothing(example_repo: Path) -> None:
    before, head_before = snapshot(example_repo), head(example_repo)
    result = close(example_repo, "hr-admin", input=answers(confirm="n"))
    assert result.exit_code == 0 and result.stdout.rstrip().endswith("nothing written")
    nothing_written(example_repo, before, head_before)


def test_bad_scores_are_asked_again(example_repo: Path) -> None:
    given = answers(kr={"offer-rate": ("1.5\nhigh\n-0.1\n70%\n0.7", "")})
    result = close(example_repo, "hr-admin", input=given)
    assert result.exit_code == 0, result
    for bad in ("1.5", "high", "-0.1", "70%"):
        assert (
            f"'{bad}' is not a score; give a number from 0.0 to 1.0, like 0.7 or 1" in result.stdout
        )
    assert result.stdout.count("score [0.53]:") == 5
    assert kr_of(data_of(example_repo), "talent", "offer-rate")["score"] == 0.7


def test_a_bad_score_then_the_end_of_input_writes_nothing(example_repo: Path) -> None:
    before, head_before = snapshot(example_repo), head(example_repo)
    result = close(example_repo, "hr-admin", input="2\n")
    assert result.exit_code == 0 and "'2' is not a score" in result.stdout
    nothing_written(example_repo, before, head_before)


def test_every_team_is_asked_in_file_name_order(example_repo: Path) -> None:
    # company: revenue and new-regions (score, retro), growth's retro, opex-ratio (score,
    # retro), efficiency's retro, the team's retro, all as shown; then hr-admin's first
    # score: q.
    given = "\n" * 9 + "q\n"
    result = close(example_repo, input=given)
    assert result.exit_code == 0, result
    out = result.stdout
    assert out.index("company · ") < out.index("team company: score 0.33")
    assert out.index("team company: score") < out.index("hr-admin · 行政人事部")
    assert "[1/9] hr-admin/talent/offer-rate" in out and "sales · " not in out
    assert out.rstrip().endswith("quit; nothing written")


def test_the_conversation_works_through_a_real_pipe(example_repo: Path) -> None:
    done = run_okr_process(*AFTER_END, "close", "hr-admin", cwd=example_repo, input=answers())
    assert done.returncode == 0, done.stderr
    assert "score [0.53]: \n" in done.stdout  # answers from a pipe are echoed
    assert commit_count(example_repo) == 2


def test_a_file_changed_while_answering_is_not_overwritten(example_repo: Path) -> None:
    path = example_repo / HR
    lines = answers().splitlines(keepends=True)
    asked: list[str] = []

    def read() -> str:
        # After the first answer the file changes, as a pull in another terminal would.
        if len(asked) == 1:
            path.write_bytes(path.read_bytes() + b"# pulled\n")
            git(example_repo, "commit", "-q", "-am", "pulled")
        asked.append(lines[len(asked)] if len(asked) < len(lines) else "")
        return asked[-1]

    with pytest.raises(OkrError, match="changed while you were answering; nothing was written"):
        close_walk.run(
            example_repo,
            None,
            dt.date(2026, 10, 8),
            "hr-admin",
            False,
            None,
            True,
            read,
            io.StringIO(),
        )
    assert commit_count(example_repo) == 2  # the import and the pull
    assert path.read_bytes().endswith(b"# pulled\n") and b"closed:" not in path.read_bytes()
    assert git(example_repo, "status", "--porcelain") == ""


# --- without asking -------------------------------------------------------------------------


def test_accept_grades_every_team_without_asking_in_one_commit(example_repo: Path) -> None:
    result = close(example_repo, "--accept")
    assert result.exit_code == 0, result
    assert "score [" not in result.stdout
    message = git(example_repo, "log", "-1", "--format=%B").strip().split("\n\n")
    assert message[0] == "close 2026-Q3: company 0.33, hr-admin 0.44, sales 0.51"
    assert message[-1].splitlines() == [
        "OKR-Close: 2026-Q3/company",
        "OKR-Score: 0.33",
        "OKR-Close: 2026-Q3/hr-admin",
        "OKR-Score: 0.44",
        "OKR-Close: 2026-Q3/sales",
        "OKR-Score: 0.51",
    ]
    assert sorted(git(example_repo, "show", "--name-only", "--format=", "HEAD").split()) == [
        COMPANY,
        HR,
        SALES,
    ]
    assert commit_count(example_repo) == 2
    hr = added_lines(example_repo)
    assert hr[0] == "+closed: 2026-10-08"
    # The computed scores, rounded to two decimals (hand-computed from the example).
    scores = ["0.53", "0.5", "0", "0.33", "0.5", "0.56", "0.4", "0.75", "0.4"]
    assert hr[1:] == [f"+        score: {score}" for score in scores]
    assert not [line for line in hr if "retro" in line]


def test_without_team_the_closed_teams_are_left_out(example_repo: Path) -> None:
    assert close(example_repo, "sales", "--accept", "--date", "2026-10-01").exit_code == 0
    result = close(example_repo, "--accept")
    assert result.exit_code == 0, result
    subject = git(example_repo, "log", "-1", "--format=%s").strip()
    assert subject == "close 2026-Q3: company 0.33, hr-admin 0.44"
    assert data_of(example_repo, SALES)["closed"] == "2026-10-01"
    again = close(example_repo, "--accept")
    assert again.exit_code == 0
    assert "every team of 2026-Q3 is closed already; nothing to close" in again.stdout
    assert commit_count(example_repo) == 3


def test_date_option_and_default(example_repo: Path) -> None:
    assert close(example_repo, "hr-admin", "--accept", "--date", "2026-10-02").exit_code == 0
    assert data_of(example_repo)["closed"] == "2026-10-02"
    assert close(example_repo, "sales", "--accept").exit_code == 0  # the as-of date
    assert data_of(example_repo, SALES)["closed"] == "2026-10-08"


@pytest.mark.parametrize(
    ("date", "message"),
    [
        ("2026-06-30", "--date 2026-06-30 is before 2026-Q3 starts (2026-07-01)"),
        ("2026-13-01", "--date '2026-13-01' is not a real date written YYYY-MM-DD"),
        ("yesterday", "--date 'yesterday' is not a real date written YYYY-MM-DD"),
    ],
)
def test_a_bad_date_is_a_usage_error(example_repo: Path, date: str, message: str) -> None:
    before, head_before = snapshot(example_repo), head(example_repo)
    result = close(example_repo, "hr-admin", "--accept", "--date", date)
    assert_refused(example_repo, result, before, head_before, message, code=2)


def test_closing_before_the_end_is_said_in_one_line(example_repo: Path) -> None:
    early = close(example_repo, "hr-admin", "--accept", as_of=("--as-of", "2026-09-20"))
    assert early.exit_code == 0, early
    assert early.stderr == "okr: closing 2026-Q3 on 2026-09-20, before it ends (2026-09-30)\n"
    on_time = close(example_repo, "sales", "--accept", "--date", "2026-09-30")
    assert (on_time.exit_code, on_time.stderr) == (0, "")


def test_no_commit_writes_without_committing(example_repo: Path) -> None:
    result = close(example_repo, "hr-admin", "--accept", "--no-commit")
    assert result.exit_code == 0 and "written, not committed" in result.stdout
    assert commit_count(example_repo) == 1
    assert git(example_repo, "status", "--porcelain").split() == ["M", HR]


def test_no_commit_works_outside_git_and_committing_does_not(tmp_path: Path) -> None:
    root = tmp_path / "acme"
    shutil.copytree(Path(__file__).parent.parent / "examples" / "acme", root)
    before = snapshot(root)
    refused = close(root, "hr-admin", "--accept")
    assert refused.exit_code == 1 and "not inside a git work tree" in refused.stderr
    assert snapshot(root) == before
    assert close(root, "hr-admin", "--accept", "--no-commit").exit_code == 0
    assert data_of(root)["closed"] == "2026-10-08"


def test_crlf_and_bom_are_kept(example_repo: Path) -> None:
    raw = (example_repo / HR).read_bytes()
    crlf = b"\xef\xbb\xbf" + raw.replace(b"\n", b"\r\n")
    (example_repo / HR).write_bytes(crlf)
    git(example_repo, "commit", "-q", "-am", "crlf")
    given = answers(kr={"offer-rate": ("", "a\tb")}, team="整体")
    assert close(example_repo, "hr-admin", input=given).exit_code == 0
    after = (example_repo / HR).read_bytes()
    assert after.startswith(b"\xef\xbb\xbf") and b"\n" not in after.replace(b"\r\n", b"")
    assert b'closed: 2026-10-08\r\nretro: "\xe6\x95\xb4\xe4\xbd\x93"\r\nobjectives:' in after
    assert kr_of(data_of(example_repo), "talent", "offer-rate")["retro"] == "a\tb"


# --- refusals -------------------------------------------------------------------------------


def test_a_cycle_with_errors_is_refused(example_repo: Path) -> None:
    sales = example_repo / SALES
    sales.write_text(sales.read_text(encoding="utf-8").replace("target: 20", "target: lots"))
    git(example_repo, "commit", "-q", "-am", "broken")
    before, head_before = snapshot(example_repo), head(example_repo)
    result = close(example_repo, "hr-admin", "--accept")
    assert_refused(example_repo, result, before, head_before, "2026-Q3 has 1 error(s)")
    assert "2026-Q3/sales.yaml:" in result.stderr and "E005" in result.stderr


def test_a_team_closed_already_is_refused(example_repo: Path) -> None:
    assert close(example_repo, "hr-admin", "--accept", "--date", "2026-10-01").exit_code == 0
    before, head_before = snapshot(example_repo), head(example_repo)
    result = close(example_repo, "hr-admin", input=answers())
    assert_refused(
        example_repo,
        result,
        before,
        head_before,
        "team hr-admin is closed already (closed: 2026-10-01 in 2026-Q3/hr-admin.yaml)",
    )
    assert "score [" not in result.stdout  # refused before anything is asked


def test_an_unknown_team_lists_the_teams(example_repo: Path) -> None:
    result = close(example_repo, "hr", "--accept")
    assert result.exit_code == 1
    assert "no team 'hr' in 2026-Q3; teams here: company, hr-admin, sales" in result.stderr


def test_what_a_check_in_refuses_close_refuses(example_repo: Path) -> None:
    before, head_before = snapshot(example_repo), head(example_repo)
    (example_repo / HR).write_bytes((example_repo / HR).read_bytes() + b"# edit\n")
    dirty = close(example_repo, "hr-admin", "--accept")
    assert dirty.exit_code == 1 and "has uncommitted changes" in dirty.stderr
    git(example_repo, "checkout", "--", HR)
    git(example_repo, "checkout", "-q", "--detach")
    detached = close(example_repo, "hr-admin", input=answers())
    assert_refused(example_repo, detached, before, head_before, "HEAD is detached")
    assert "score [" not in detached.stdout
    at = run_okr("-C", str(example_repo), "--at", "HEAD", "close", "--accept")
    assert_refused(example_repo, at, before, head_before, "--at", code=2)


def test_mid_merge_is_refused_even_with_no_commit(example_repo: Path) -> None:
    start_conflicted_merge(example_repo)
    assert subprocess.run(
        ["git", "merge", "other"], cwd=example_repo, capture_output=True
    ).returncode
    before, head_before = snapshot(example_repo), head(example_repo)
    for extra in ((), ("--no-commit",)):
        result = close(example_repo, "hr-admin", "--accept", *extra)
        assert_refused(example_repo, result, before, head_before, "in the middle of")


def test_a_symlinked_team_file_is_refused(example_repo: Path) -> None:
    real = example_repo / "real-hr.yaml"
    shutil.move(example_repo / HR, real)
    (example_repo / HR).symlink_to(real)
    git(example_repo, "add", "-A")
    git(example_repo, "commit", "-q", "-m", "symlink")
    before, head_before = snapshot(example_repo), head(example_repo)
    result = close(example_repo, "hr-admin", "--accept", "--no-commit")
    assert_refused(example_repo, result, before, head_before, "symbolic link")


@pytest.mark.parametrize(
    ("hook", "body"),
    [
        ("pre-commit", "echo 'hook: the quarter is frozen' >&2\nexit 1\n"),
        (
            "commit-msg",
            'grep -q OKR-Close "$1" && echo "hook: the quarter is frozen" >&2 && exit 1\n',
        ),
    ],
)
def test_a_rejecting_hook_puts_every_file_back(example_repo: Path, hook: str, body: str) -> None:
    write_hook(example_repo, hook, body)
    before, head_before = snapshot(example_repo), head(example_repo)
    result = close(example_repo, "--accept")
    assert_refused(example_repo, result, before, head_before, "original bytes back")
    assert "hook: the quarter is frozen" in result.stderr
    assert git(example_repo, "diff", "--cached", "--name-only") == ""
    assert git(example_repo, "status", "--porcelain") == ""


def test_a_held_lock_makes_close_wait_then_say_who_holds_it(example_repo: Path) -> None:
    with open(example_repo / ".git" / "okr-checkin.lock", "w", encoding="utf-8") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        held.write("pid 4242 on meeting-room since 2026-10-08T10:00:00+08:00\n")
        held.flush()
        before, head_before = snapshot(example_repo), head(example_repo)
        result = run_okr(
            "-C", str(example_repo), *AFTER_END, "close", "--accept", env={"OKR_LOCK_TIMEOUT": "0"}
        )
        assert_refused(example_repo, result, before, head_before, "pid 4242 on meeting-room")
    assert close(example_repo, "--accept").exit_code == 0


def test_a_staged_unrelated_file_stays_out_of_the_commit(example_repo: Path) -> None:
    (example_repo / "notes.txt").write_text("draft\n", encoding="utf-8")
    git(example_repo, "add", "notes.txt")
    assert close(example_repo, "hr-admin", "--accept").exit_code == 0
    assert git(example_repo, "show", "--name-only", "--format=", "HEAD").split() == [HR]
    assert git(example_repo, "diff", "--cached", "--name-only").split() == ["notes.txt"]


# --- a closed team is read-only -------------------------------------------------------------

READ_ONLY = (
    "team hr-admin is closed (closed: 2026-10-01 in 2026-Q3/hr-admin.yaml), so its key "
    "results are read-only"
)


@pytest.fixture
def closed_repo(example_repo: Path) -> Path:
    assert close(example_repo, "hr-admin", "--accept", "--date", "2026-10-01").exit_code == 0
    return example_repo


def test_checkin_refuses_a_closed_team(closed_repo: Path) -> None:
    before, head_before = snapshot(closed_repo), head(closed_repo)
    for extra in ((), ("--no-commit",)):
        result = run_okr("-C", str(closed_repo), "checkin", "offer-rate", "70", *extra)
        assert_refused(closed_repo, result, before, head_before, READ_ONLY)
    # Other teams are not closed.
    assert run_okr("-C", str(closed_repo), "checkin", "pipeline", "4").exit_code == 0


def test_checkin_i_refuses_a_closed_team_before_asking(closed_repo: Path) -> None:
    before, head_before = snapshot(closed_repo), head(closed_repo)
    result = run_okr("-C", str(closed_repo), "checkin", "-i", "hr-admin", input="70\n\n\n")
    assert_refused(closed_repo, result, before, head_before, READ_ONLY)
    assert "value [" not in result.stdout


def test_checkin_i_of_every_team_leaves_the_closed_ones_out(closed_repo: Path) -> None:
    result = run_okr("-C", str(closed_repo), "checkin", "-i", input="q\n")
    assert result.exit_code == 0, result
    assert result.stderr == (
        "okr: leaving out the closed team(s), which are read-only: hr-admin (closed 2026-10-01)\n"
    )
    assert "8 key result(s)" in result.stdout and "hr-admin/" not in result.stdout
    assert close(closed_repo, "--accept").exit_code == 0
    every = run_okr("-C", str(closed_repo), "checkin", "-i", input="q\n")
    assert every.exit_code == 1 and "every team of 2026-Q3 is closed" in every.stderr


def test_revise_refuses_a_closed_team(closed_repo: Path) -> None:
    before, head_before = snapshot(closed_repo), head(closed_repo)
    result = run_okr("-C", str(closed_repo), "revise", "enps", "--target", "7.6", "-m", "scale")
    assert_refused(closed_repo, result, before, head_before, READ_ONLY)


def test_removing_the_closed_line_reopens_the_team(closed_repo: Path) -> None:
    text = (closed_repo / HR).read_text(encoding="utf-8").replace("closed: 2026-10-01\n", "")
    (closed_repo / HR).write_text(text, encoding="utf-8")
    git(closed_repo, "commit", "-q", "-am", "reopen hr-admin")
    assert run_okr("-C", str(closed_repo), "checkin", "offer-rate", "70").exit_code == 0
    # Closing it again shows the scores it was given as what Enter accepts; a new one
    # replaces its line, and the KRs whose score stays keep theirs untouched.
    result = close(closed_repo, "hr-admin", input=answers(kr={"offer-rate": ("0.8", "")}))
    assert result.exit_code == 0 and "score [0.53]:" in result.stdout
    assert added_lines(closed_repo) == [
        "+closed: 2026-10-08",
        "-        score: 0.53",
        "+        score: 0.8",
    ]


# --- reports of a closed team ---------------------------------------------------------------


def scorecard_json(repo: Path, as_of: str) -> dict:  # type: ignore[type-arg]
    result = run_okr("-C", str(repo), "--as-of", as_of, "scorecard", "--format", "json")
    assert result.exit_code == 0, result
    return {team["team"]: team for team in json.loads(result.stdout)["teams"]}


def statuses(team: dict) -> list[str]:  # type: ignore[type-arg]
    return [o["status"] for o in team["objectives"]] + [
        kr["status"] for o in team["objectives"] for kr in o["key_results"]
    ]


def test_a_closed_team_is_measured_as_of_its_closing_day(example_repo: Path) -> None:
    given = answers(kr={"offer-rate": ("0.9", "")})
    assert close(example_repo, "hr-admin", "--date", "2026-08-15", input=given).exit_code == 0
    on_the_day = scorecard_json(example_repo, "2026-08-15")
    later = scorecard_json(example_repo, "2026-09-30")
    earlier = scorecard_json(example_repo, "2026-07-15")
    # The pace of 15 August, never later; an earlier as-of date is earlier still.
    assert statuses(later["hr-admin"]) == statuses(on_the_day["hr-admin"])
    assert statuses(earlier["hr-admin"]) != statuses(on_the_day["hr-admin"])
    assert statuses(later["sales"]) != statuses(on_the_day["sales"])  # sales is open
    assert later["hr-admin"]["closed"] == "2026-08-15" and later["sales"]["closed"] is None
    # The written scores are the scores.
    offer_rate = later["hr-admin"]["objectives"][0]["key_results"][0]
    assert (offer_rate["score"], offer_rate["progress"]) == (0.9, 0.5333)


def test_reports_show_the_team_as_closed(example_repo: Path) -> None:
    assert close(example_repo, "hr-admin", "--accept", "--date", "2026-10-01").exit_code == 0
    base = ("-C", str(example_repo), *AFTER_END)
    card = run_okr(*base, "scorecard").stdout
    assert "hr-admin · 行政人事部 · closed 2026-10-01 · progress 44%" in card
    assert "sales · Sales · progress" in card
    teams = run_okr(*base, "scorecard", "--no-krs").stdout
    assert "行政人事部 · closed 2026-10-01" in teams
    markdown = run_okr(*base, "scorecard", "--format", "markdown").stdout
    assert "## 行政人事部 (`hr-admin`) — 44% · closed 2026-10-01" in markdown
    tree = run_okr(*base, "tree").stdout
    assert [line for line in tree.splitlines() if "closed" in line] == [
        line for line in tree.splitlines() if "hr-admin/" in line and "[" in line
    ]
    nodes = json.loads(run_okr(*base, "tree", "--format", "json").stdout)
    children = {child["address"]: child["closed"] for child in nodes[0]["children"]}
    assert children["hr-admin/talent"] == "2026-10-01"
    assert children["sales/new-markets"] is None
