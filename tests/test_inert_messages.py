"""Escape sequences in file and folder names and in typed arguments never reach the
terminal through a message (README "Security"): every line okr prints on stderr is printed
inert. Each test runs the installed `okr` as a process in a real repository.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE, git

AS_OF = ("--as-of", "2026-08-15")
OFFER_RATE = "hr-admin/talent/offer-rate"
# What a terminal acts on: C0 and C1 controls (a line break between lines is fine), bidi.
ACTIVE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def okr(
    cwd: Path, *args: str, timeout: float = 60, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).parent / "okr"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "okrcli"]
    return subprocess.run(
        [*command, *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


# --- escape sequences in names and arguments never reach the terminal ---------------------

EVIL = "\x1b]0;owned\x07\x1b[2J\x1b[31m"  # retitle the window, clear the screen, turn red


def assert_inert(text: str) -> None:
    assert not ACTIVE.search(text), repr(text)


def test_a_team_file_name_with_escapes_is_inert_when_teams_are_listed(example_repo: Path) -> None:
    (example_repo / "2026-Q3" / f"{EVIL}team.yaml").write_text(
        "name: Evil\nobjectives: []\n", encoding="utf-8"
    )
    git(example_repo, "add", "-A")
    git(example_repo, "commit", "-q", "-m", "a hostile name")
    result = okr(example_repo, *AS_OF, "checkin", "-i", "nosuch", stdin="q\n")
    assert result.returncode == 1
    assert "teams here:" in result.stderr and "owned" in result.stderr
    assert_inert(result.stderr)
    validated = okr(example_repo, *AS_OF, "validate")
    assert "E007" in validated.stdout
    assert_inert(validated.stdout + validated.stderr)


@pytest.mark.parametrize(
    "args",
    [
        ("checkin", f"hr-admin/talent/{EVIL}offer-rate", "70"),  # "no KR …; did you mean …?"
        ("checkin", "-i", f"{EVIL}hr"),  # "no team …; teams here: …"
        ("scorecard", "--team", EVIL),  # "no team …"
        ("tree", f"{EVIL}hr-admin/talent"),
        ("log", EVIL),
        ("--cycle", EVIL, "validate"),  # "unknown cycle …"
        ("--at", EVIL, "scorecard"),  # a revision git does not know
        (EVIL,),  # a usage error: no such command
        ("checkin", OFFER_RATE, EVIL),  # not a number
    ],
    ids=[
        "did you mean",
        "checkin -i",
        "--team",
        "tree",
        "log",
        "--cycle",
        "--at",
        "usage",
        "value",
    ],
)
def test_typed_arguments_with_escapes_are_inert_in_errors(
    example_repo: Path, args: tuple[str, ...]
) -> None:
    result = okr(example_repo, *AS_OF, *args, stdin="q\n")
    assert result.returncode in (1, 2), result
    assert result.stderr.startswith("okr: "), result.stderr
    assert "owned" in result.stderr or "[2J" in result.stderr or "[31m" in result.stderr
    assert_inert(result.stderr)


def test_a_folder_name_with_escapes_is_inert_in_not_committed_yet(tmp_path: Path) -> None:
    repo = tmp_path / f"acme{EVIL}"
    shutil.copytree(EXAMPLE, repo)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Import OKRs")
    shutil.copy(repo / "2026-Q3" / "hr-admin.yaml", repo / "2026-Q3" / "people.yaml")
    result = okr(tmp_path, "-C", str(repo), *AS_OF, "checkin", "people/talent/offer-rate", "70")
    assert result.returncode == 1
    assert "is not committed yet" in result.stderr and "owned" in result.stderr
    assert_inert(result.stderr)


def test_diagnostics_keep_one_line_each(example_repo: Path) -> None:
    """Errors print inert line by line: the findings of an invalid file stay on lines of
    their own (a file name with a line break in it cannot add one)."""
    for name in (f"bad{EVIL}\none.yaml", "bad-two.yaml"):
        (example_repo / "2026-Q3" / name).write_text("objectives: 5\n", encoding="utf-8")
    result = okr(example_repo, *AS_OF, "scorecard")
    assert result.returncode == 1
    shown = "2026-Q3/bad]0;owned[2J[31m one.yaml"  # the escapes gone, the break a space
    assert [line.split(": ", 2)[:2] for line in result.stderr.splitlines()] == [
        ["2026-Q3/bad-two.yaml:1:13", "error[E005]"],
        [f"{shown}:1:1", "error[E007]"],
        [f"{shown}:1:13", "error[E005]"],
        ["okr", "2026-Q3 has 3 error(s); fix them first (see 'okr validate')"],
    ]
    assert_inert(result.stderr)
