"""What a person at a terminal reads: the real `okr` on a pseudo-terminal (rich's terminal
path, not the piped one) at 80 and 120 columns, over the example's Chinese HR file.

Each test asserts what a reader needs: no note or title text lost, no line wider than the
terminal, no line starting with closing punctuation.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from okrcli.core.text import display_width
from tests.conftest import git, imported_example, run_okr

pty = pytest.importorskip("pty")

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
CLOSING = tuple("，。、,;：:)）")
OPENING = tuple("(（")
LONG_AUTHOR = "Bartholomew Alexander Montgomery-Fitzgerald the Third"
NOTES = (
    "两位核心工程师留任，流失率继续下降；exit interviews point to pay bands in the regions",
    "Two senior offers accepted after the revised relocation package for the new offices",
)


def on_terminal(
    *args: str, cwd: Path, columns: int, env: dict[str, str] | None = None
) -> tuple[int, str]:
    """The installed script with a pseudo-terminal as stdout and stderr; the text it shows
    (escape codes removed, line ends normalised)."""
    script = Path(sys.executable).parent / "okr"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "okrcli"]
    environment = {key: value for key, value in os.environ.items() if key != "NO_COLOR"}
    environment.update({"COLUMNS": str(columns), "LINES": "50", "TERM": "xterm-256color"})
    environment.update(env or {})
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [*command, *args],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,
        env=environment,
    )
    os.close(follower)
    output = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closes when the process exits
            break
        if not chunk:
            break
        output += chunk
    os.close(leader)
    text = output.decode("utf-8", "replace").replace("\r\n", "\n")
    return process.wait(), text


def plain(text: str) -> str:
    return ANSI.sub("", text)


def assert_reads_at(text: str, columns: int) -> None:
    for line in plain(text).splitlines():
        assert display_width(line) <= columns, line
        assert not line.strip().startswith(CLOSING), line
        assert not line.rstrip().endswith(OPENING), line


def flat(text: str) -> str:
    """The output's text with line breaks and indentation gone, to find wrapped text in."""
    return "".join(line.strip() for line in plain(text).splitlines())


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = imported_example(tmp_path_factory.mktemp("terminal"))
    env = {"GIT_AUTHOR_NAME": LONG_AUTHOR, "GIT_AUTHOR_EMAIL": "b@acme.example"}
    for address, value, note in (
        ("hr-admin/engagement/attrition", "7.2", NOTES[0]),
        ("hr-admin/talent/offer-rate", "70", NOTES[1]),
    ):
        result = run_okr(
            "-C",
            str(repo),
            "--as-of",
            "2026-08-15",
            "checkin",
            address,
            value,
            "-m",
            note,
            env=env,
        )
        assert result.exit_code == 0, result
    return repo


# --- 1. log: notes are never cut ------------------------------------------------------------


@pytest.mark.parametrize("columns", [80, 120])
def test_log_keeps_every_note_whole(history: Path, columns: int) -> None:
    code, text = on_terminal("--no-color", "log", cwd=history, columns=columns)
    assert code == 0, text
    assert_reads_at(text, columns)
    for note in NOTES:
        assert note.replace(" ", "") in flat(text).replace(" ", ""), text
        if columns == 120:  # wide enough: the note on one line, no word broken
            assert note in plain(text), text
    assert "hr-admin/engagement/attrition" in text
    assert "Bartholomew" in text  # the author is shortened, not dropped


def test_log_at_80_columns_breaks_notes_between_words(history: Path) -> None:
    _, text = on_terminal("--no-color", "log", cwd=history, columns=80)
    words = set(re.findall(r"[A-Za-z]+", " ".join(NOTES)))
    note_lines = [line for line in plain(text).splitlines() if line.startswith("    ")]
    assert len(note_lines) >= 3, text  # the first note takes two lines at 80 columns
    for line in note_lines:
        assert set(re.findall(r"[A-Za-z]+", line)) <= words, line


# --- 2. scorecard: titles whole, CJK broken by its rules -----------------------------------


def example_titles() -> list[str]:
    import yaml

    from tests.conftest import EXAMPLE

    titles = []
    for path in sorted((EXAMPLE / "2026-Q3").glob("*.yaml")):
        for objective in yaml.safe_load(path.read_text("utf-8"))["objectives"]:
            titles.append(objective["title"])
            titles += [kr["title"] for kr in objective["key_results"]]
    return titles


@pytest.mark.parametrize("columns", [80, 120])
def test_scorecard_keeps_titles_whole_and_breaks_cjk_by_its_rules(
    history: Path, columns: int
) -> None:
    code, text = on_terminal(
        "--no-color", "--as-of", "2026-08-15", "scorecard", cwd=history, columns=columns
    )
    assert code == 0, text
    assert_reads_at(text, columns)
    for title in example_titles():
        assert title.replace(" ", "") in flat(text).replace(" ", ""), title
    lines = plain(text).splitlines()
    # every KR's figures on one line: its value, bar, percentage, score and status together
    (offer,) = [line for line in lines if line.strip().startswith("offer-rate ")]
    assert re.search(r"70 %.*█.* 67%\s+0\.67\s+on-track", offer), offer


# --- 3. tree: one line per node where it fits, percentages in a column --------------------

# a node's figures at the end of its line: a bar, its percentage, its status (KRs: percentage)
FIGURES = re.compile(r"  +(?:[█░]+ +)?(\d+%)(?:  [a-z-]+)?$")


@pytest.mark.parametrize("columns", [80, 120])
def test_tree_keeps_nodes_on_one_line_with_percentages_in_a_column(
    history: Path, columns: int
) -> None:
    code, text = on_terminal(
        "--no-color", "--as-of", "2026-08-15", "tree", cwd=history, columns=columns
    )
    assert code == 0, text
    assert_reads_at(text, columns)
    words = "".join(
        FIGURES.sub("", re.sub(r"^[│├└─· ]+", "", line)) for line in plain(text).splitlines()
    ).replace(" ", "")
    for title in example_titles():
        assert title.replace(" ", "") in words, title
    ends = set()
    lines = plain(text).splitlines()
    for line in lines:
        found = FIGURES.search(line)
        if found:
            ends.add(display_width(line[: found.end(1)]))
    assert len(ends) == 1, text  # every percentage ends in the same column
    figures = [line for line in lines if FIGURES.search(line)]
    assert len(figures) == 24, text  # 7 objectives and 17 KRs, each with its figures
    (talent,) = [line for line in lines if "hr-admin/talent " in line]
    assert re.search(r"█+░* +\d+%  [a-z-]+$", talent), talent  # the bar on the node's line
    if columns == 120:  # wide enough: no node takes a second line
        assert len(lines) == 1 + 24, text


# --- 4. colours: during a cycle, bars and scores say what the status says ------------------

STATUS = re.compile(r"(\x1b\[[0-9;]*m)(done|on-track|at-risk|off-track)")
FILLED = re.compile(r"(\x1b\[[0-9;]*m)█")
SCORE = re.compile(r"(\x1b\[[0-9;]*m)(\d\.\d\d)\x1b")


@pytest.mark.parametrize("command", ["scorecard", "tree"])
def test_bars_and_scores_are_coloured_by_status_during_the_cycle(
    history: Path, command: str
) -> None:
    code, text = on_terminal("--as-of", "2026-08-15", command, cwd=history, columns=80)
    assert code == 0, text
    checked = 0
    for line in text.splitlines():
        status, filled = STATUS.search(line), FILLED.search(line)
        if not (status and filled):
            continue
        assert filled.group(1) == status.group(1), repr(line)
        score = SCORE.search(line)
        if score:
            assert score.group(1) == status.group(1), repr(line)
        checked += 1
    assert checked >= 6, text


# --- 5. help that teaches -----------------------------------------------------------------


def registered_commands() -> list[str]:
    import typer.main

    from okrcli.cli.app import full_app

    return sorted(typer.main.get_command(full_app()).commands)  # type: ignore[attr-defined]


@pytest.mark.parametrize("columns", [80, 120])
def test_main_help_gives_every_command_a_whole_line(tmp_path: Path, columns: int) -> None:
    code, text = on_terminal("--help", cwd=tmp_path, columns=columns)
    assert code == 0, text
    assert_reads_at(text, columns)
    listed = plain(text).split("Commands:\n", 1)[1].splitlines()
    names = [line.split()[0] for line in listed if line.strip()]
    assert names and sorted(names) == registered_commands()
    for line in listed:
        assert "..." not in line and len(line.split()) > 2, line


@pytest.mark.parametrize("command", registered_commands())
def test_every_command_help_has_an_example_and_names_its_arguments(
    tmp_path: Path, command: str
) -> None:
    code, text = on_terminal(command, "--help", cwd=tmp_path, columns=80)
    assert code == 0, text
    assert_reads_at(text, 80)
    text = plain(text)
    assert "Example: okr " in text
    assert "Global options (-C, --cycle, --as-of, --at, --no-color) go before" in flat(text)
    assert "Positional arguments" not in text  # the arguments are listed once
    if "Arguments:" in text:
        section = text.split("Arguments:\n", 1)[1].split("\n\n", 1)[0]
        for line in section.splitlines():
            if line.startswith("  ["):
                assert len(line.split()) > 1, line  # every argument is described


def test_diff_help_reads_as_sentences(tmp_path: Path) -> None:
    _, text = on_terminal("diff", "--help", cwd=tmp_path, columns=120)
    words = " ".join(plain(text).split())
    assert "BASE A...B" not in words
    assert "Given as A...B, BASE compares B with the merge base of A and B, as a pull" in words


def test_a_global_option_after_the_command_says_where_it_goes(history: Path) -> None:
    code, text = on_terminal("scorecard", "--as-of", "2026-08-15", cwd=history, columns=80)
    assert code == 2
    assert plain(text).strip() == (
        "okr: No such option '--as-of'; --as-of is a global option and goes before the "
        "command: okr --as-of … scorecard"
    )


def test_did_you_mean_ends_its_sentence_without_a_semicolon(history: Path) -> None:
    code, text = on_terminal("scorcard", cwd=history, columns=80)
    assert code == 2
    assert plain(text).strip() == (
        "okr: No such command 'scorcard'. Did you mean 'scorecard'? See 'okr --help'"
    )


# --- 6. a cycle that has ended says so --------------------------------------------------------


def test_an_ended_cycle_says_it_ended_and_how_to_start_the_next(history: Path) -> None:
    code, text = on_terminal(
        "--no-color", "--as-of", "2026-12-03", "scorecard", cwd=history, columns=80
    )
    assert code == 0, text
    assert_reads_at(text, 80)
    assert " ".join(plain(text).split()).startswith(
        "Acme 集团 · 2026-Q3 · as of 2026-12-03 · expected 100% · progress 45% "
        "2026-Q3 ended on 2026-09-30, 64 day(s) before 2026-12-03; no later cycle yet: "
        "'okr next' starts 2026-Q4 "
    ), text
    _, during = on_terminal("--as-of", "2026-09-30", "scorecard", cwd=history, columns=80)
    assert "ended" not in plain(during)


def test_an_ended_cycle_with_a_later_one_gives_no_advice(tmp_path: Path) -> None:
    repo = imported_example(tmp_path)
    (repo / "2026-Q4").mkdir()
    (repo / "2026-Q4" / "ops.yaml").write_text("objectives: []\n", encoding="utf-8")
    code, text = on_terminal(
        "--as-of", "2026-12-03", "--cycle", "2026-Q3", "scorecard", cwd=repo, columns=80
    )
    assert code == 0, text
    words = " ".join(plain(text).split())
    assert "2026-Q3 ended on 2026-09-30, 64 day(s) before 2026-12-03 " in words
    assert "no later cycle" not in words


# --- 7. guard rails for typos -------------------------------------------------------------


def test_a_value_far_outside_the_range_is_refused_unless_forced(tmp_path: Path) -> None:
    repo = imported_example(tmp_path)
    before = (repo / "2026-Q3" / "hr-admin.yaml").read_bytes()
    head = git(repo, "rev-parse", "HEAD")
    code, text = on_terminal("checkin", "offer-rate", "700", cwd=repo, columns=80)
    assert code == 1, text
    assert plain(text).strip() == (
        "okr: hr-admin/talent/offer-rate: current 700 lies far outside baseline 60 – "
        "target 75; check it for a typo (W104); nothing was written; if 700 % is right, "
        "run the check-in again with --force"
    )
    assert (repo / "2026-Q3" / "hr-admin.yaml").read_bytes() == before
    assert git(repo, "rev-parse", "HEAD") == head
    code, text = on_terminal("checkin", "offer-rate", "700", "--force", cwd=repo, columns=80)
    assert code == 0, text
    assert "68 → 700 %" in plain(text)
    assert "current: 700" in (repo / "2026-Q3" / "hr-admin.yaml").read_text("utf-8")


@pytest.mark.parametrize("value", ["70%", "７０", "７０％", " 70 % "])
def test_a_percent_sign_and_full_width_digits_are_read_for_a_percent_kr(
    tmp_path: Path, value: str
) -> None:
    repo = imported_example(tmp_path)
    code, text = on_terminal("checkin", "offer-rate", value, cwd=repo, columns=80)
    assert code == 0, text
    assert plain(text).startswith("hr-admin/talent/offer-rate: 68 → 70 %"), text


def test_a_percent_sign_for_another_unit_says_drop_it(tmp_path: Path) -> None:
    repo = imported_example(tmp_path)
    code, text = on_terminal("checkin", "onboarding-days", "8%", cwd=repo, columns=80)
    assert code == 1, text
    assert plain(text).strip() == (
        "okr: '8%' has a %, but hr-admin/talent/onboarding-days is measured in 天; drop the %"
    )


# --- 9. small messages that used to mislead -------------------------------------------------


def uncommitted_example(tmp_path: Path) -> Path:
    import shutil

    from tests.conftest import EXAMPLE

    repo = tmp_path / "acme"
    shutil.copytree(EXAMPLE, repo)
    git(repo, "init", "-q")
    return repo


def test_stale_before_the_first_commit_says_there_is_no_history(tmp_path: Path) -> None:
    repo = uncommitted_example(tmp_path)
    code, text = on_terminal("--as-of", "2026-08-15", "stale", cwd=repo, columns=80)
    assert code == 0, text
    words = " ".join(plain(text).split())
    assert words == (
        "2026-Q3 · as of 2026-08-15 · no history yet: nothing is committed, so no KR can be "
        "stale; commit the OKR files to start it"
    )


def test_checkin_before_the_first_commit_gives_advice_that_works(tmp_path: Path) -> None:
    repo = uncommitted_example(tmp_path)
    git(repo, "add", "-A")
    code, text = on_terminal("checkin", "offer-rate", "70", cwd=repo, columns=80)
    assert code == 1, text
    message = plain(text).strip()
    assert "git diff HEAD" not in message
    assert "'git diff --cached -- 2026-Q3/hr-admin.yaml'" in message
    git(repo, "diff", "--cached", "--", "2026-Q3/hr-admin.yaml")  # the advice runs


def test_a_team_named_as_an_objective_lists_its_objectives(history: Path) -> None:
    code, text = on_terminal("--as-of", "2026-08-15", "tree", "company", cwd=history, columns=80)
    assert code == 1, text
    assert plain(text).strip() == (
        "okr: no objective 'company' in 2026-Q3; did you mean one of company/efficiency, "
        "company/growth?"
    )


# --- 10. trends are drawn as progress -------------------------------------------------------


@pytest.mark.parametrize("columns", [80, 120])
def test_a_falling_kr_moving_to_its_target_trends_up(history: Path, columns: int) -> None:
    code, text = on_terminal("--no-color", "log", cwd=history, columns=columns)
    assert code == 0, text
    assert_reads_at(text, columns)
    lines = plain(text).splitlines()
    assert any("Progress trend" in line for line in lines), text
    (attrition,) = [line for line in lines if re.search(r"attrition +[▁-█]", line)]
    assert re.search(r"attrition +▁█ +7\.6 → 7\.2", attrition), attrition  # 8 → 6.8: up
    (offers,) = [line for line in lines if re.search(r"offer-rate +[▁-█]", line)]
    assert re.search(r"offer-rate +▁█ +68 → 70", offers), offers


# --- 8. checkin -i at a terminal ----------------------------------------------------------


def converse(repo: Path, answers: list[str], interrupt_at: str | None = None) -> tuple[int, str]:
    """`okr checkin -i hr-admin` with a pseudo-terminal as stdin and stdout: each answer is
    typed once its question is shown; at the prompt `interrupt_at`, Ctrl-C (SIGINT)."""
    import select
    import signal

    script = Path(sys.executable).parent / "okr"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "okrcli"]
    environment = {key: value for key, value in os.environ.items() if key != "NO_COLOR"}
    environment.update({"COLUMNS": "80", "LINES": "50", "TERM": "xterm-256color"})
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [*command, "checkin", "-i", "hr-admin"],
        cwd=repo,
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=environment,
    )
    os.close(follower)
    output, pending = b"", list(answers)
    while True:
        ready, _, _ = select.select([leader], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
        text = output.decode("utf-8", "replace")
        if interrupt_at and text.rstrip().endswith(interrupt_at):
            process.send_signal(signal.SIGINT)
            interrupt_at = None
        elif pending and re.search(r"(: |\[Y/n\] )$", text):
            os.write(leader, (pending.pop(0) + "\n").encode())
    os.close(leader)
    return process.wait(), output.decode("utf-8", "replace").replace("\r\n", "\n")


def test_checkin_i_shows_owners_echoes_milestones_and_confirms_with_the_final_lines(
    tmp_path: Path,
) -> None:
    repo = imported_example(tmp_path)
    answers = ["70%", "", "two offers", "", "", "", "yes", "", ""] + ["", "", ""] * 6 + ["y"]
    code, text = converse(repo, answers)
    assert code == 0, text
    text = plain(text)
    assert "owner 李雷" in text and "owner 韩梅梅" in text
    assert "  value [not-done]: yes\n    yes: done\n" in text
    summary = text.split("2 change(s):\n", 1)[1]
    before, after = summary.split("[Y/n]", 1)
    for line in (
        "hr-admin/talent/offer-rate: 68 → 70 %, progress 53% → 67%",
        "hr-admin/talent/dashboard: not done → done, progress 0% → 100%",
    ):
        assert f"  {line}\n" in before, before  # the same line before the question …
        assert f"{line}\n" in after, after  # … as after the commit
    assert "committed " in after


def test_ctrl_c_during_checkin_i_writes_nothing_and_says_so(tmp_path: Path) -> None:
    repo = imported_example(tmp_path)
    before = (repo / "2026-Q3" / "hr-admin.yaml").read_bytes()
    code, text = converse(repo, ["70"], interrupt_at="confidence [0.7]:")
    assert code == 130, text
    assert "\nokr: interrupted; nothing written\n" in plain(text), text
    assert (repo / "2026-Q3" / "hr-admin.yaml").read_bytes() == before


# --- 11. okr show ---------------------------------------------------------------------------


@pytest.mark.parametrize("columns", [80, 120])
def test_show_a_key_result_in_full(history: Path, columns: int) -> None:
    code, text = on_terminal(
        "--no-color", "--as-of", "2026-08-15", "show", "attrition", cwd=history, columns=columns
    )
    assert code == 0, text
    assert_reads_at(text, columns)
    lines = [line.rstrip() for line in plain(text).splitlines()]
    assert lines[:11] == [
        "hr-admin/engagement/attrition · key result · 2026-Q3",
        "核心员工季度主动流失率从8%降低15%至6.8%",
        "",
        "owner      王芳",
        "unit       %",
        "value      8 → 7.2 → 6.8 % (baseline → current → target)",
        "progress   67%, expected 50% by 2026-08-15",
        "score      0.67",
        "status     on-track",
        "confidence not given",
        "",
    ]
    assert lines[11] == "last check-ins and revisions:"
    assert re.fullmatch(
        r"  \d{4}-\d\d-\d\d  Bartholomew Alexand…  attrition current  7\.6 → 7\.2", lines[12]
    )
    assert NOTES[0].replace(" ", "") in flat("\n".join(lines[13:])).replace(" ", "")


def test_show_an_objective_lists_its_krs_and_their_history(history: Path) -> None:
    code, text = on_terminal(
        "--no-color", "--as-of", "2026-08-15", "show", "talent", cwd=history, columns=80
    )
    assert code == 0, text
    assert_reads_at(text, 80)
    shown = plain(text)
    assert shown.startswith(
        "hr-admin/talent · objective · 2026-Q3\n成为业务高速发展的坚实人才与组织保障"
    )
    for kr in ("offer-rate", "onboarding-days", "dashboard"):
        assert re.search(rf"^  {kr}  \d+%  [a-z-]+$", shown, re.M), kr
    assert "offer-rate current  68 → 70" in shown
    assert "attrition" not in shown  # another objective's KR


def test_show_json(history: Path) -> None:
    import json

    result = run_okr(
        "-C", str(history), "--as-of", "2026-08-15", "show", "offer-rate", "--format", "json"
    )
    assert result.exit_code == 0, result
    item = json.loads(result.stdout)
    assert {
        k: item[k]
        for k in (
            "type",
            "address",
            "owner",
            "unit",
            "baseline",
            "current",
            "target",
            "expected",
            "status",
        )
    } == {
        "type": "key_result",
        "address": "hr-admin/talent/offer-rate",
        "owner": "李雷",
        "unit": "%",
        "baseline": 60,
        "current": 70,
        "target": 75,
        "expected": 0.5,
        "status": "on-track",
    }
    (entry,) = item["history"]
    assert (entry["field"], entry["old"], entry["new"], entry["note"]) == (
        "current",
        68,
        70,
        NOTES[1],
    )


def test_show_json_of_an_objective_keeps_its_kind(history: Path) -> None:
    import json

    result = run_okr(
        "-C", str(history), "--as-of", "2026-08-15", "show", "talent", "--format", "json"
    )
    assert result.exit_code == 0, result
    item = json.loads(result.stdout)
    assert (item["type"], item["kind"], item["address"]) == (
        "objective",
        "committed",
        "hr-admin/talent",
    )
    assert [kr["address"].rsplit("/", 1)[1] for kr in item["key_results"]] == [
        "offer-rate",
        "onboarding-days",
        "dashboard",
    ]


def test_show_outside_git_has_no_history(tmp_path: Path) -> None:
    import shutil

    from tests.conftest import EXAMPLE

    shutil.copytree(EXAMPLE, tmp_path / "acme")
    code, text = on_terminal(
        "--as-of", "2026-08-15", "show", "offer-rate", cwd=tmp_path / "acme", columns=80
    )
    assert code == 0, text
    assert plain(text).rstrip().endswith("no check-ins yet")


def test_the_close_conversation_breaks_its_lines_at_80_columns(history: Path) -> None:
    """The team's line and each KR's are wider than 80 columns: broken between words (CJK
    by its rules), indented under their start, not cut by the terminal mid-word."""
    code, text = on_terminal("--no-color", "close", "hr-admin", cwd=history, columns=80)
    assert code == 0, text
    assert_reads_at(text, 80)
    assert "q quits without writing" in flat(text)
    assert "quit; nothing written" in text  # the end of the input (stdin is empty)
    lines = plain(text).splitlines()
    team = next(i for i, line in enumerate(lines) if line.startswith("hr-admin · "))
    assert lines[team + 1].startswith("  ") and lines[team + 1].strip()  # under its start


def test_the_retro_breaks_chinese_titles_by_their_rules_at_80_columns(history: Path) -> None:
    code, text = on_terminal(
        "--no-color", "--cycle", "2026-Q3", "retro", "hr-admin", cwd=history, columns=80
    )
    assert code == 0, text
    assert_reads_at(text, 80)
    lines = [line.strip() for line in plain(text).splitlines() if line.strip()]
    assert not [line for line in lines if line.endswith(("(", "（", "“"))], text
    assert not [line for line in lines if line.startswith((")", "）", "，", "。", "、", "%"))], text
