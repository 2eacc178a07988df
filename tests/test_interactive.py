"""`okr checkin -i [TEAM]` (SPEC §12) driven through its prompts, in real git repositories."""

from __future__ import annotations

from pathlib import Path

from conftest import HR_KRS, git, run_okr, run_okr_process

HR = "2026-Q3/hr-admin.yaml"
SALES = "2026-Q3/sales.yaml"
SALES_KRS = ["new-customers", "pipeline", "playbook", "churn", "nps"]
COMPANY_KRS = ["revenue", "new-regions", "opex-ratio"]


def answers(
    krs: list[str], given: dict[str, tuple[str, str, str]], confirm: str | None = ""
) -> str:
    """Three lines per KR (value, confidence, note; empty keeps), then the confirmation."""
    lines = []
    for kr in krs:
        lines.extend(given.get(kr, ("", "", "")))
    if confirm is not None:
        lines.append(confirm)
    return "\n".join(lines) + "\n"


def head(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD").strip()


def walk(repo: Path, *args: str, input: str):  # type: ignore[no-untyped-def]
    return run_okr("-C", str(repo), "checkin", "-i", *args, input=input)


def changed_lines(repo: Path, rev: str = "HEAD~1") -> list[str]:
    out = git(repo, "diff", "-U0", rev, "--")
    return [
        line
        for line in out.splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def test_the_walk_writes_one_commit_with_a_trailer_group_per_kr(example_repo: Path) -> None:
    given = {
        "offer-rate": ("70", "0.8", "two offers accepted"),
        "dashboard": ("done", "", ""),
        "enps": ("", "0.5", "survey redone"),
    }
    result = walk(example_repo, "hr-admin", input=answers(HR_KRS, given))
    assert result.exit_code == 0, result
    # The prompts show each KR with its value, and ask in order.
    out = result.stdout
    assert "[1/9] hr-admin/talent/offer-rate  关键岗位Offer接受率从60%提升至75%以上" in out
    assert "now 68 % (baseline 60, target 75), confidence 0.7, owner 李雷, last change " in out
    assert out.index("value [68]:") < out.index("confidence [0.7]:") < out.index("note:")
    assert "3 change(s):" in out and "Commit them to 2026-Q3/hr-admin.yaml? [Y/n]" in out
    assert git(example_repo, "rev-list", "--count", "HEAD").strip() == "2"
    assert git(example_repo, "show", "--name-only", "--format=", "HEAD").split() == [HR]
    assert changed_lines(example_repo) == [
        "-        current: 68",
        "-        confidence: 0.7",
        "+        current: 70",
        "+        confidence: 0.8",
        "-        done: false",
        "+        done: true",
        "-        confidence: 0.4   # 调研样本偏小,信心不足",
        "+        confidence: 0.5   # 调研样本偏小,信心不足",
    ]
    message = git(example_repo, "log", "-1", "--format=%B")
    paragraphs = message.strip().split("\n\n")
    assert paragraphs[0] == "checkin hr-admin: 3 key results"
    assert "two offers accepted" in message and "survey redone" in message
    assert paragraphs[-1].splitlines() == [
        "OKR-Check-In: 2026-Q3/hr-admin/talent/offer-rate",
        "OKR-Value: 70",
        "OKR-Confidence: 0.8",
        "OKR-Check-In: 2026-Q3/hr-admin/talent/dashboard",
        "OKR-Value: true",
        "OKR-Check-In: 2026-Q3/hr-admin/engagement/enps",
        "OKR-Value: 7.4",
        "OKR-Confidence: 0.5",
    ]
    trailers = git(example_repo, "log", "-1", "--format=%(trailers:key=OKR-Check-In,valueonly)")
    assert trailers.split() == [
        "2026-Q3/hr-admin/talent/offer-rate",
        "2026-Q3/hr-admin/talent/dashboard",
        "2026-Q3/hr-admin/engagement/enps",
    ]


def test_one_changed_kr_gets_the_single_check_in_message(example_repo: Path) -> None:
    given = {"workshops": ("50", "", "half way")}
    result = walk(example_repo, "hr-admin", input=answers(HR_KRS, given))
    assert result.exit_code == 0, result
    assert git(example_repo, "log", "-1", "--format=%s").strip() == (
        "checkin hr-admin/engagement/workshops: 45 → 50"
    )
    assert git(example_repo, "log", "-1", "--format=%b").startswith("half way\n\n")


def test_all_teams_in_file_order_one_commit(example_repo: Path) -> None:
    krs = COMPANY_KRS + HR_KRS + SALES_KRS
    given = {"processes-online": ("3", "", ""), "churn": ("2.5", "", "")}
    result = walk(example_repo, input=answers(krs, given))
    assert result.exit_code == 0, result
    assert "[1/17] company/growth/revenue" in result.stdout
    assert "[17/17] sales/retention/nps" in result.stdout
    assert sorted(git(example_repo, "show", "--name-only", "--format=", "HEAD").split()) == [
        HR,
        SALES,
    ]
    assert git(example_repo, "log", "-1", "--format=%s").strip() == (
        "checkin 2 teams: 2 key results"
    )


def test_q_quits_writing_nothing(example_repo: Path) -> None:
    before, head_before = (example_repo / HR).read_bytes(), head(example_repo)
    result = walk(example_repo, "hr-admin", input="70\n0.8\nq\n")
    assert result.exit_code == 0, result
    assert "quit; nothing written" in result.stdout
    assert (example_repo / HR).read_bytes() == before and head(example_repo) == head_before


def test_the_end_of_input_quits_writing_nothing(example_repo: Path) -> None:
    before, head_before = (example_repo / HR).read_bytes(), head(example_repo)
    text = answers(HR_KRS, {"offer-rate": ("70", "", "")}, confirm=None)
    result = walk(example_repo, "hr-admin", input=text)  # no answer to the confirmation
    assert result.exit_code == 0, result
    assert "quit; nothing written" in result.stdout
    assert (example_repo / HR).read_bytes() == before and head(example_repo) == head_before


def test_no_at_the_confirmation_writes_nothing(example_repo: Path) -> None:
    before, head_before = (example_repo / HR).read_bytes(), head(example_repo)
    result = walk(example_repo, "hr-admin", input=answers(HR_KRS, {"enps": ("7.6", "", "")}, "n"))
    assert result.exit_code == 0, result
    assert "nothing written" in result.stdout
    assert (example_repo / HR).read_bytes() == before and head(example_repo) == head_before


def test_nothing_changed_writes_nothing_and_asks_no_confirmation(example_repo: Path) -> None:
    head_before = head(example_repo)
    given = {"offer-rate": ("68", "0.7", "same as last week")}
    result = walk(example_repo, "hr-admin", input=answers(HR_KRS, given, confirm=None))
    assert result.exit_code == 0, result
    assert "nothing changed; nothing written" in result.stdout
    assert "[Y/n]" not in result.stdout
    assert head(example_repo) == head_before


def test_a_bad_answer_is_explained_and_asked_again(example_repo: Path) -> None:
    lines = ["abc", "69", "2", "0.9", "", *[""] * 3 * 8, "maybe", "y"]
    result = walk(example_repo, "hr-admin", input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result
    assert "'abc' is not a number" in result.stdout
    assert "confidence '2' is not a number from 0 to 1" in result.stdout
    assert "answer y (yes, the default) or n (no)" in result.stdout
    assert changed_lines(example_repo) == [
        "-        current: 68",
        "-        confidence: 0.7",
        "+        current: 69",
        "+        confidence: 0.9",
    ]


def test_last_change_is_the_date_of_the_commit_that_changed_the_kr(example_repo: Path) -> None:
    git(example_repo, "commit", "-q", "--amend", "--no-edit", "--date=2026-07-01T09:00:00+00:00")
    env = {"GIT_AUTHOR_DATE": "2026-08-10T09:00:00+00:00"}
    assert run_okr("-C", str(example_repo), "checkin", "enps", "7.5", env=env).exit_code == 0
    first = git(example_repo, "log", "--format=%as", "--reverse").split()[0]
    result = walk(example_repo, "hr-admin", input="\n" * 3 * 4 + "q\n")  # quits at enps
    lines = result.stdout.splitlines()
    enps = lines[lines.index(next(line for line in lines if "engagement/enps" in line)) + 1]
    offer = lines[lines.index(next(line for line in lines if "talent/offer-rate" in line)) + 1]
    assert enps.endswith("last change 2026-08-10")
    assert offer.endswith(f"last change {first}")


def test_an_unknown_team_is_refused(example_repo: Path) -> None:
    result = walk(example_repo, "hr", input="")
    assert result.exit_code == 1
    assert "no team 'hr' in 2026-Q3; teams here: company, hr-admin, sales" in result.stderr


def test_a_dirty_team_file_is_refused_before_any_question(example_repo: Path) -> None:
    (example_repo / HR).write_bytes((example_repo / HR).read_bytes() + b"# edit\n")
    result = walk(example_repo, "hr-admin", input=answers(HR_KRS, {}))
    assert result.exit_code == 1
    assert "has uncommitted changes" in result.stderr
    assert "value [" not in result.stdout


def test_value_or_note_options_with_i_are_usage_errors(example_repo: Path) -> None:
    for extra in (["hr-admin", "70"], ["-m", "note"], ["--confidence", "0.5"]):
        result = run_okr("-C", str(example_repo), "checkin", "-i", *extra, input="")
        assert result.exit_code == 2, (extra, result)


def test_a_rejected_commit_puts_every_file_back(example_repo: Path) -> None:
    hook = example_repo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'frozen' >&2\nexit 1\n", encoding="utf-8")
    hook.chmod(0o755)
    before = {p: (example_repo / p).read_bytes() for p in (HR, SALES)}
    krs = COMPANY_KRS + HR_KRS + SALES_KRS
    given = {"processes-online": ("3", "", ""), "churn": ("2.5", "", "")}
    result = walk(example_repo, input=answers(krs, given))
    assert result.exit_code == 1
    assert "frozen" in result.stderr
    assert all((example_repo / p).read_bytes() == data for p, data in before.items())
    assert git(example_repo, "status", "--porcelain") == ""


def test_through_a_real_pipe(example_repo: Path) -> None:
    given = {"attrition": ("7.3", "0.6", "")}
    done = run_okr_process(
        "checkin", "-i", "hr-admin", cwd=example_repo, input=answers(HR_KRS, given)
    )
    assert done.returncode == 0, done.stderr
    assert "hr-admin/engagement/attrition: 7.6 → 7.3 %, progress 33% → 58%" in done.stdout
    assert "committed " in done.stdout
    assert changed_lines(example_repo) == [
        "-        current: 7.6",
        "+        current: 7.3",
        "+        confidence: 0.6",
    ]


def test_a_closed_standard_input_is_one_sentence(example_repo: Path) -> None:
    import os
    import subprocess
    import sys

    before = (example_repo / HR).read_bytes()
    closed = subprocess.run(
        [str(Path(sys.executable).parent / "okr"), "checkin", "-i", "hr-admin"],
        cwd=example_repo,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        preexec_fn=lambda: os.close(0),  # as `okr checkin -i <&-`
    )
    assert closed.returncode == 1, closed
    assert closed.stderr == (
        "okr: standard input is closed, so there is nothing to read the answers from; run "
        "'okr checkin -i' at a terminal, or pipe the answers in\n"
    )
    assert (example_repo / HR).read_bytes() == before
