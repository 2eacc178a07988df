"""The command line around the foundation (SPEC §1, §2, §6): global options, cycle choice,
exit codes, `okr init`, and output that reads well (CJK columns, plain text when piped,
NO_COLOR, user text printed inert). A few tests run the installed script end to end, some
of them on a pseudo-terminal to see what a person at a terminal sees.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
import typer.main

from okrcli import __version__
from okrcli.cli import app as app_module
from tests.conftest import EXAMPLE, git, markdown_html, run_okr, run_okr_process

AS_OF = ("--as-of", "2026-08-15")
ANSI = re.compile(r"\x1b\[[0-9;]*m")
COLOR = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:3[0-7]|9[0-7]|38;[25];[0-9;]+)(?:;[0-9;]*)?m")
BAR = re.compile(r"\[[#-]{10}\]")

TEAM_FILE = """\
name: Platform
objectives:
  - id: uptime
    title: {title}
    key_results:
      - id: availability
        title: Availability from 99.5 to 99.9
        baseline: 99.5
        target: 99.9
        current: 99.7
"""


def write_team(root: Path, title: str = "Keep the platform up", name: str = "team.yaml") -> None:
    (root / "2026-Q3" / name).write_text(TEAM_FILE.format(title=title), encoding="utf-8")


def width(text: str) -> int:
    """Terminal columns, counted independently of okr's own helper."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


# --- global options and exit codes ---------------------------------------------------------


def test_version() -> None:
    result = run_okr("--version")
    assert (result.exit_code, result.stdout) == (0, f"okr {__version__}\n")


def test_help_lists_the_foundation_commands() -> None:
    result = run_okr("--help")
    assert result.exit_code == 0
    for command in ("init", "validate", "scorecard", "tree"):
        assert command in result.stdout


@pytest.mark.parametrize("bad", ["2026-13-01", "20260815", "2026-8-15", "yesterday", ""])
def test_bad_as_of_is_a_usage_error(bad: str) -> None:
    result = run_okr("-C", str(EXAMPLE), "--as-of", bad, "scorecard")
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    "args",
    [
        ("scorecard", "--bogus"),
        ("frobnicate",),
        ("scorecard", "--format", "yaml"),
        ("validate", "--format", "table"),
        ("tree", "--format", "csv"),
    ],
)
def test_usage_errors_exit_2(args: tuple[str, ...]) -> None:
    result = run_okr("-C", str(EXAMPLE), *AS_OF, *args)
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr


def test_missing_directory_for_c_is_a_usage_error(tmp_path: Path) -> None:
    assert run_okr("-C", str(tmp_path / "nowhere"), "validate").exit_code == 2


def test_outside_any_okr_root(tmp_path: Path) -> None:
    for command in ("validate", "scorecard", "tree"):
        result = run_okr("-C", str(tmp_path), command)
        assert result.exit_code == 1
        assert result.stderr == (
            f"okr: no okr.yaml in {tmp_path.resolve()} or any folder above it; "
            "run 'okr init' to start one\n"
        )


def test_root_is_found_from_a_subfolder(okr_dir: Path) -> None:
    write_team(okr_dir)
    deep = okr_dir / "2026-Q3" / "notes" / "more"
    deep.mkdir(parents=True)
    result = run_okr("-C", str(deep), *AS_OF, "scorecard", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["teams"][0]["team"] == "team"


def test_unknown_cycle_lists_the_cycles(okr_dir: Path) -> None:
    (okr_dir / "2026-Q4").mkdir()
    for command in ("validate", "scorecard", "tree"):
        result = run_okr("-C", str(okr_dir), "--cycle", "2026-Q1", command)
        assert result.exit_code == 1
        assert result.stderr == "okr: unknown cycle '2026-Q1'; cycles here: 2026-Q3, 2026-Q4\n"


def test_no_cycle_folder_at_all(tmp_path: Path) -> None:
    (tmp_path / "okr.yaml").write_text("organization: Empty\n", encoding="utf-8")
    result = run_okr("-C", str(tmp_path), *AS_OF, "scorecard")
    assert result.exit_code == 1
    assert "no cycle folders" in result.stderr
    assert "2026-Q3/" in result.stderr


def test_scorecard_and_tree_refuse_a_cycle_with_errors(okr_dir: Path) -> None:
    write_team(okr_dir)
    (okr_dir / "2026-Q3" / "broken.yaml").write_text("objectives: [\n", encoding="utf-8")
    for command in ("scorecard", "tree"):
        result = run_okr("-C", str(okr_dir), *AS_OF, command)
        assert result.exit_code == 1
        assert result.stdout == ""
        assert result.stderr.splitlines() == [
            "2026-Q3/broken.yaml:2:1: error[E001]: not valid YAML (expected the node content, "
            "but found '<stream end>'); a value was due here; close any open '[' or '{'",
            "okr: 2026-Q3 has 1 error(s); fix them first (see 'okr validate')",
        ]


def test_warnings_do_not_stop_the_scorecard(okr_dir: Path) -> None:
    write_team(okr_dir)
    text = (okr_dir / "2026-Q3" / "team.yaml").read_text("utf-8")
    (okr_dir / "2026-Q3" / "team.yaml").write_text(text.replace("99.7", "150"), "utf-8")
    assert run_okr("-C", str(okr_dir), *AS_OF, "validate").exit_code == 0
    assert run_okr("-C", str(okr_dir), *AS_OF, "scorecard").exit_code == 0


def test_okr_yaml_errors_stop_the_scorecard(okr_dir: Path) -> None:
    write_team(okr_dir)
    (okr_dir / "okr.yaml").write_text("organisation: Typo Inc\n", encoding="utf-8")
    result = run_okr("-C", str(okr_dir), *AS_OF, "scorecard")
    assert result.exit_code == 1
    assert "okr.yaml:1:1: error[E003]" not in result.stderr  # okr.yaml findings are E012
    assert "okr.yaml:1:1: error[E012]: okr.yaml: unknown key 'organisation'" in result.stderr


# --- which cycle ---------------------------------------------------------------------------


@pytest.fixture
def two_cycles(okr_dir: Path) -> Path:
    """2026-H2 (declared, Jul–Dec) and 2026-Q3 both contain 15 August."""
    (okr_dir / "okr.yaml").write_text(
        "organization: Test Org\ncycles:\n  2026-H2: {start: 2026-07-01, end: 2026-12-31}\n",
        encoding="utf-8",
    )
    (okr_dir / "2026-H2").mkdir()
    write_team(okr_dir)
    (okr_dir / "2026-H2" / "team.yaml").write_text(
        (okr_dir / "2026-Q3" / "team.yaml").read_text("utf-8"), encoding="utf-8"
    )
    return okr_dir


def chosen_cycle(root: Path, *options: str) -> tuple[str, float]:
    result = run_okr("-C", str(root), *options, "scorecard", "--format", "json")
    assert result.exit_code == 0, result
    card = json.loads(result.stdout)
    return card["cycle"], card["expected"]


def test_default_cycle_is_the_one_ending_first(two_cycles: Path) -> None:
    assert chosen_cycle(two_cycles, "--as-of", "2026-08-15") == ("2026-Q3", 0.5)


def test_default_cycle_when_only_one_contains_the_date(two_cycles: Path) -> None:
    # 1 November: Q3 is over, H2 (184 days) is on day 124.
    assert chosen_cycle(two_cycles, "--as-of", "2026-11-01") == ("2026-H2", round(124 / 184, 4))


def test_default_cycle_when_none_contains_the_date_is_the_latest(two_cycles: Path) -> None:
    assert chosen_cycle(two_cycles, "--as-of", "2027-02-01") == ("2026-H2", 1.0)
    assert chosen_cycle(two_cycles, "--as-of", "2025-02-01") == ("2026-H2", 0.0)


def test_cycle_option_overrides_the_default(two_cycles: Path) -> None:
    assert chosen_cycle(two_cycles, "--as-of", "2026-08-15", "--cycle", "2026-H2") == (
        "2026-H2",
        round(46 / 184, 4),
    )


def test_validate_reports_the_chosen_cycle(two_cycles: Path) -> None:
    result = run_okr("-C", str(two_cycles), "--as-of", "2026-11-01", "validate")
    assert result.stderr == "2026-H2: 1 file(s), 0 error(s), 0 warning(s)\n"


def test_default_as_of_is_today(okr_dir: Path) -> None:
    today = dt.date.today()
    quarter = f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    (okr_dir / quarter).mkdir(exist_ok=True)
    result = run_okr("-C", str(okr_dir), "scorecard", "--format", "json")
    card = json.loads(result.stdout)
    assert (card["cycle"], card["as_of"]) == (quarter, today.isoformat())


# --- okr init ------------------------------------------------------------------------------


def test_init_creates_a_root_that_validates_clean(tmp_path: Path) -> None:
    result = run_okr("-C", str(tmp_path), *AS_OF, "init")
    assert result.exit_code == 0
    assert (tmp_path / "okr.yaml").is_file()
    team_file = tmp_path / "2026-Q3" / "my-team.yaml"
    assert team_file.is_file()
    assert "#" in team_file.read_text("utf-8")  # a commented example
    assert result.stdout.splitlines() == [
        f"created {tmp_path / 'okr.yaml'}",
        f"created {team_file}",
        f"created {tmp_path / '.okr' / 'team.schema.json'}",
        f"created {tmp_path / '.okr' / 'config.schema.json'}",
    ]
    checked = run_okr("-C", str(tmp_path), *AS_OF, "validate", "--strict")
    assert (checked.exit_code, checked.stdout) == (0, "")
    assert run_okr("-C", str(tmp_path), *AS_OF, "scorecard").exit_code == 0


def test_init_uses_the_current_quarter(tmp_path: Path) -> None:
    run_okr("-C", str(tmp_path), "--as-of", "2027-11-30", "init")
    cycles = [p.name for p in tmp_path.iterdir() if p.is_dir() and p.name != ".okr"]
    assert cycles == ["2027-Q4"]


def test_init_into_a_path(tmp_path: Path) -> None:
    result = run_okr("-C", str(tmp_path), *AS_OF, "init", "okrs")
    assert result.exit_code == 0
    assert (tmp_path / "okrs" / "okr.yaml").is_file()
    assert (tmp_path / "okrs" / "2026-Q3" / "my-team.yaml").is_file()


def test_init_refuses_an_existing_okr_yaml(okr_dir: Path) -> None:
    before = (okr_dir / "okr.yaml").read_bytes()
    result = run_okr("-C", str(okr_dir), *AS_OF, "init")
    assert result.exit_code == 1
    assert "okr.yaml already exists" in result.stderr
    assert (okr_dir / "okr.yaml").read_bytes() == before
    assert not (okr_dir / "2026-Q3" / "my-team.yaml").exists()


@pytest.mark.parametrize("folder", ["[acme] #1: ops", "true", "2026", "行政 部"])
def test_init_names_the_organization_after_any_folder(tmp_path: Path, folder: str) -> None:
    root = tmp_path / folder
    assert run_okr("-C", str(tmp_path), *AS_OF, "init", folder).exit_code == 0
    card = run_okr("-C", str(root), *AS_OF, "scorecard", "--format", "markdown")
    assert card.exit_code == 0, card
    heading = card.stdout.splitlines()[0]
    shown = markdown_html(heading).replace("\u200b", "")  # after `#1`'s sign: no issue link
    assert shown == f"<h1>{html.escape(folder, quote=False)} — 2026-Q3</h1>\n"


def test_init_into_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes").write_text("x", encoding="utf-8")
    result = run_okr("-C", str(tmp_path), *AS_OF, "init", "notes")
    assert result.exit_code == 1
    assert result.stderr == (
        f"okr: {tmp_path / 'notes'} is a file, not a folder; give okr init a folder\n"
    )


def test_init_keeps_an_existing_team_file(tmp_path: Path) -> None:
    (tmp_path / "2026-Q3").mkdir()
    (tmp_path / "2026-Q3" / "my-team.yaml").write_text("objectives: []\n", encoding="utf-8")
    result = run_okr("-C", str(tmp_path), *AS_OF, "init")
    assert result.exit_code == 0
    assert (tmp_path / "2026-Q3" / "my-team.yaml").read_text("utf-8") == "objectives: []\n"


# --- plain output when piped ---------------------------------------------------------------


def test_piped_scorecard_is_plain_and_stable() -> None:
    first = run_okr("-C", str(EXAMPLE), *AS_OF, "scorecard")
    second = run_okr("-C", str(EXAMPLE), *AS_OF, "scorecard")
    assert first.exit_code == 0
    assert first.stdout == second.stdout
    assert "\x1b" not in first.stdout
    assert first.stdout.splitlines()[0] == (
        "Acme 集团 · 2026-Q3 · as of 2026-08-15 · expected 50% · progress 43%"
    )


def test_piped_scorecard_aligns_cjk_columns() -> None:
    result = run_okr("-C", str(EXAMPLE), *AS_OF, "scorecard", "--team", "hr-admin")
    lines = result.stdout.splitlines()
    header = next(line for line in lines if line.startswith("ADDRESS"))
    rows = [line for line in lines if BAR.search(line)]
    assert len(rows) == 3 + 9
    # Every column starts at the same display column in the header and in every row,
    # although the titles are Chinese (two columns per character) of different lengths.
    for column in ("BASELINE", "PROGRESS", "SCORE", "STATUS"):
        assert header.index(column) >= 0
    bar_column = width(header[: header.index("PROGRESS")])
    bars = [BAR.search(row) for row in rows]
    assert {width(row[: bar.start()]) for row, bar in zip(rows, bars, strict=True) if bar} == {
        bar_column
    }
    status_column = width(header[: header.index("STATUS")])
    for row in rows:
        *_, status = re.finditer(r"\b(done|on-track|at-risk|off-track)\b", row)
        assert width(row[: status.start()]) == status_column
    offer = next(row for row in rows if "offer-rate" in row)
    assert "关键岗位Offer接受率从60%提升至75%以上" in offer
    assert re.search(r"60 %\s+68 %\s+75 %\s+\[#####-----\]\s+53%\s+0\.53\s+on-track\s+0\.7$", offer)


def test_piped_tree_is_plain() -> None:
    result = run_okr("-C", str(EXAMPLE), *AS_OF, "tree")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert "\x1b" not in result.stdout
    assert lines[0] == (
        "company/growth  Grow revenue into the new regions this quarter  [####------] 37%  at-risk"
    )
    talent = "hr-admin/talent  成为业务高速发展的坚实人才与组织保障,支撑Q3业务扩张目标"
    assert f"├── {talent}  [###-------] 34%  at-risk" in lines
    processes = "processes-online  5个高频行政流程(用印、差旅、采购、资产、访客)全部线上化"
    assert f"    └── · {processes}  40%" in lines


def test_no_color_option_and_env_keep_piped_output_identical() -> None:
    plain = run_okr("-C", str(EXAMPLE), *AS_OF, "scorecard").stdout
    assert run_okr("-C", str(EXAMPLE), *AS_OF, "--no-color", "scorecard").stdout == plain
    assert run_okr("-C", str(EXAMPLE), *AS_OF, "scorecard", env={"NO_COLOR": "1"}).stdout == plain


# --- user text is inert --------------------------------------------------------------------

# Rich markup, bidi overrides and zero-width marks are valid YAML text and must print
# inert; control characters such as ESC are refused when read (E001, see test_validate).
HOSTILE_TITLE = '"[red]x[/red] [bold]y \\u202eevil\\u202c \\u200b[2Jz"'
SHOWN_TITLE = "[red]x[/red] [bold]y evil [2Jz"


@pytest.mark.parametrize(
    "args",
    [("scorecard",), ("scorecard", "--format", "markdown"), ("tree",), ("scorecard", "--no-krs")],
)
def test_markup_and_control_characters_in_titles_piped(okr_dir: Path, args: tuple[str]) -> None:
    write_team(okr_dir, HOSTILE_TITLE)
    result = run_okr("-C", str(okr_dir), *AS_OF, *args)
    assert result.exit_code == 0, result
    shown = markdown_html(result.stdout) if "markdown" in args else result.stdout
    assert SHOWN_TITLE in shown
    for character in ("\u200b", "\u202e", "\u202c"):
        assert character not in result.stdout


def test_json_keeps_the_title_as_written(okr_dir: Path) -> None:
    write_team(okr_dir, HOSTILE_TITLE)
    card = json.loads(run_okr("-C", str(okr_dir), *AS_OF, "scorecard", "--format", "json").stdout)
    assert card["teams"][0]["objectives"][0]["title"] == (
        "[red]x[/red] [bold]y \u202eevil\u202c \u200b[2Jz"
    )


def test_csv_title_is_inert(okr_dir: Path) -> None:
    write_team(okr_dir, HOSTILE_TITLE)
    (okr_dir / "2026-Q3" / "team.yaml").write_text(
        (okr_dir / "2026-Q3" / "team.yaml")
        .read_text("utf-8")
        .replace("Availability from 99.5 to 99.9", HOSTILE_TITLE),
        encoding="utf-8",
    )
    result = run_okr("-C", str(okr_dir), *AS_OF, "scorecard", "--format", "csv")
    assert SHOWN_TITLE in result.stdout
    assert "\u200b" not in result.stdout and "\u202e" not in result.stdout


def test_rich_rendering_prints_markup_literally() -> None:
    from rich.console import Console

    from okrcli.render.scorecard_view import scorecard_rich

    card = {
        "cycle": "2026-Q3",
        "as_of": "2026-08-15",
        "expected": 0.5,
        "progress": 0.5,
        "teams": [
            {
                "team": "t",
                "name": "[blink]team[/blink]",
                "progress": 0.5,
                "objectives": [
                    {
                        "address": "t/o",
                        "title": "[red]x[/red]\u202e",
                        "progress": 0.5,
                        "score": 0.5,
                        "status": "on-track",
                        "key_results": [],
                    }
                ],
            }
        ],
    }
    console = Console(record=True, width=200, force_terminal=True, color_system="truecolor")
    console.print(scorecard_rich(card, "[bold]Org[/bold]", True))
    text = console.export_text()
    assert "[red]x[/red]" in text
    assert "[blink]team[/blink]" in text
    assert "[bold]Org[/bold]" in text
    assert "\u202e" not in text


# --- end to end: the installed script ------------------------------------------------------


def test_end_to_end_validate_and_scorecard(example_repo: Path) -> None:
    validated = run_okr_process(*AS_OF, "validate", "--strict", cwd=example_repo)
    assert (validated.returncode, validated.stdout) == (0, "")
    assert validated.stderr == "2026-Q3: 3 file(s), 0 error(s), 0 warning(s)\n"
    card = run_okr_process(*AS_OF, "scorecard", "--format", "json", cwd=example_repo / "2026-Q3")
    assert card.returncode == 0
    assert json.loads(card.stdout)["progress"] == 0.431


def test_end_to_end_errors_have_no_traceback(example_repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    missing_root = run_okr_process("scorecard", cwd=outside)
    assert missing_root.returncode == 1
    assert missing_root.stderr.startswith("okr: no okr.yaml in ")
    hostile = example_repo / "2026-Q3" / "hostile.yaml"
    hostile.write_bytes(b"objectives: [" + b"[" * 100_000 + b"\n")
    validated = run_okr_process(*AS_OF, "validate", "--format", "json", cwd=example_repo)
    assert validated.returncode == 1
    assert json.loads(validated.stdout) == [
        {
            "path": "2026-Q3/hostile.yaml",
            "line": 1,
            "col": 76,  # level 65: the 64th bracket, which starts at column 13
            "severity": "error",
            "code": "E001",
            "message": "nesting deeper than 64 levels",
        }
    ]
    assert "Traceback" not in validated.stderr
    usage = run_okr_process("--as-of", "soon", "scorecard", cwd=example_repo)
    assert usage.returncode == 2
    assert "Traceback" not in usage.stderr


def test_end_to_end_in_a_subfolder_of_a_larger_repo(tmp_path: Path) -> None:
    repo = tmp_path / "monorepo"
    (repo / "src").mkdir(parents=True)
    (repo / "src" / "main.py").write_text("print('hi')\n", encoding="utf-8")
    okrs = repo / "docs" / "okrs"
    okrs.mkdir(parents=True)
    init = run_okr_process(*AS_OF, "init", cwd=okrs)
    assert init.returncode == 0, init.stderr
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "init")
    result = run_okr_process(*AS_OF, "validate", cwd=okrs / "2026-Q3")
    assert (result.returncode, result.stdout) == (0, "")


# --- a real terminal (pseudo-terminal): rich output, colours, NO_COLOR ---------------------


def run_on_terminal(*args: str, cwd: Path, env: dict[str, str] | None = None) -> tuple[int, str]:
    """The installed script with a pseudo-terminal as stdout, so it renders with rich."""
    pty = pytest.importorskip("pty")
    script = Path(sys.executable).parent / "okr"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "okrcli"]
    environment = {key: value for key, value in os.environ.items() if key != "NO_COLOR"}
    environment.update({"COLUMNS": "200", "LINES": "50", "TERM": "xterm-256color"})
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
    return process.wait(), output.decode("utf-8", "replace")


def test_terminal_output_is_coloured() -> None:
    code, output = run_on_terminal(*AS_OF, "scorecard", "--team", "hr-admin", cwd=EXAMPLE)
    assert code == 0
    assert COLOR.search(output)
    assert "关键岗位Offer接受率从60%提升至75%以上" in ANSI.sub("", output)


@pytest.mark.parametrize(
    ("options", "env"),
    [(("--no-color",), {}), ((), {"NO_COLOR": "1"}), ((), {"NO_COLOR": "yes"})],
)
def test_no_color_on_a_terminal(options: tuple[str, ...], env: dict[str, str]) -> None:
    for command in ("scorecard", "tree"):
        code, output = run_on_terminal(*options, *AS_OF, command, cwd=EXAMPLE, env=env)
        assert code == 0
        assert not COLOR.search(output), output[:300]
        assert "hr-admin/talent" in output


def test_terminal_prints_markup_literally(okr_dir: Path) -> None:
    write_team(okr_dir, HOSTILE_TITLE)
    for command in ("scorecard", "tree"):
        code, output = run_on_terminal(*AS_OF, command, cwd=okr_dir)
        assert code == 0
        visible = ANSI.sub("", output)
        assert SHOWN_TITLE in visible
        assert "\u202e" not in output and "\x07" not in output
        assert "\x1b[2J" not in output


ALL_COMMANDS = sorted(typer.main.get_command(app_module.full_app()).commands)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("args", "kept"),
    [
        (["-C", "okrs", "--cycle", "2026-Q3", "checkin", "offer-rate", "70"], ["checkin"]),
        (["--as-of=2026-08-15", "-Cokrs", "--no-color", "--no-cache", "scorecard"], ["scorecard"]),
        (["next", "--dry-run"], ["next"]),
        (["--at", "HEAD~1", "log"], ["log"]),
        (["--help"], ALL_COMMANDS),
        (["--version"], ALL_COMMANDS),
        (["scorcard"], ALL_COMMANDS),  # a mistyped command: click suggests among them all
        (["-C", "checkin"], ALL_COMMANDS),  # `checkin` is -C's value: no command named
        (["--bogus", "checkin"], ALL_COMMANDS),
        ([], ALL_COMMANDS),
    ],
)
def test_a_start_builds_only_the_command_it_runs(args: list[str], kept: list[str]) -> None:
    built = typer.main.get_command(app_module.app_for(args))
    assert sorted(built.commands) == kept  # type: ignore[attr-defined]


def test_a_command_s_start_imports_no_other_command_s_module() -> None:
    """Of the command modules, a start imports the one of the command it runs."""
    probe = (
        "import sys\n"
        "from okrcli.cli.app import app_for\n"
        "app_for(['--as-of', '2026-08-15', 'checkin', 'offer-rate', '70'])\n"
        "print(sorted(m for m in sys.modules if m.startswith('okrcli.cli.')))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    loaded = done.stdout.strip()
    assert loaded == str(["okrcli.cli.app", "okrcli.cli.checkins", "okrcli.cli.common",
                          "okrcli.cli.completion"])  # fmt: skip


def test_the_real_script_runs_one_command_and_still_suggests_a_mistyped_one(
    example_repo: Path,
) -> None:
    card = run_okr_process(
        "--as-of", "2026-08-15", "-C", str(example_repo), "scorecard", cwd=example_repo
    )
    assert card.returncode == 0, card.stderr
    assert "hr-admin" in card.stdout
    typo = run_okr_process("scorcard", cwd=example_repo)
    assert typo.returncode == 2
    assert "Did you mean 'scorecard'?" in typo.stderr
    listing = run_okr_process("--help", cwd=example_repo)
    assert all(name in listing.stdout for name in ALL_COMMANDS)


def test_a_profiled_run_ends_the_usual_way_so_the_profile_is_written(tmp_path: Path) -> None:
    # okr leaves at once after its command (os._exit); under a profiler it must not.
    profile = tmp_path / "okr.prof"
    done = subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "okrcli", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert profile.stat().st_size > 0
