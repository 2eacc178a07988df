"""Files planted where a check-in writes (README "Security").

A symbolic link, a second hard link, a FIFO or a folder in place of the check-in lock or of
the note of an interrupted check-in is refused: nothing is written through it, nothing
blocks. Each test runs the installed `okr` as a process in a real repository.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import git

AS_OF = ("--as-of", "2026-08-15")
OFFER_RATE = "hr-admin/talent/offer-rate"


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


def check_in(repo: Path, value: str = "70") -> subprocess.CompletedProcess[str]:
    return okr(repo, *AS_OF, "checkin", OFFER_RATE, value, timeout=30)


def assert_refused_and_untouched(
    repo: Path, result: subprocess.CompletedProcess[str], head: str, what: str
) -> None:
    assert result.returncode == 1, result
    assert what in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert git(repo, "rev-parse", "HEAD").strip() == head
    assert git(repo, "status", "--porcelain") == ""


# --- the lock and the note: never through a link ----------------------------------------


@pytest.mark.parametrize("name", ["okr-checkin.lock", "okr-checkin.pending"])
def test_a_link_in_place_of_a_check_in_file_is_refused_and_its_target_untouched(
    example_repo: Path, tmp_path: Path, name: str
) -> None:
    victim = tmp_path / "precious.txt"
    victim.write_text("precious\n", encoding="utf-8")
    (example_repo / ".git" / name).symlink_to(victim)
    head = git(example_repo, "rev-parse", "HEAD").strip()
    result = check_in(example_repo)
    assert_refused_and_untouched(example_repo, result, head, "is a symbolic link")
    assert victim.read_text(encoding="utf-8") == "precious\n"
    assert "remove it" in result.stderr


@pytest.mark.parametrize("name", ["okr-checkin.lock", "okr-checkin.pending"])
def test_a_dangling_link_in_place_of_a_check_in_file_creates_nothing(
    example_repo: Path, tmp_path: Path, name: str
) -> None:
    target = tmp_path / "made-by-okr"
    (example_repo / ".git" / name).symlink_to(target)
    head = git(example_repo, "rev-parse", "HEAD").strip()
    result = check_in(example_repo)
    assert_refused_and_untouched(example_repo, result, head, "is a symbolic link")
    assert not target.exists()


def test_a_second_name_of_another_file_as_the_lock_is_refused(
    example_repo: Path, tmp_path: Path
) -> None:
    """Truncating a lock that is a hard link would truncate the other name's file."""
    victim = tmp_path / "precious.txt"
    victim.write_text("precious\n", encoding="utf-8")
    os.link(victim, example_repo / ".git" / "okr-checkin.lock")
    head = git(example_repo, "rev-parse", "HEAD").strip()
    result = check_in(example_repo)
    assert_refused_and_untouched(example_repo, result, head, "a second name of another file")
    assert victim.read_text(encoding="utf-8") == "precious\n"


@pytest.mark.parametrize("name", ["okr-checkin.lock", "okr-checkin.pending"])
@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_a_fifo_or_folder_in_place_of_a_check_in_file_is_refused_at_once(
    example_repo: Path, name: str, kind: str
) -> None:
    path = example_repo / ".git" / name
    os.mkfifo(path) if kind == "fifo" else path.mkdir()
    head = git(example_repo, "rev-parse", "HEAD").strip()
    result = check_in(example_repo)  # before: reading the note from a FIFO blocked for ever
    assert result.returncode == 1, result
    assert git(example_repo, "rev-parse", "HEAD").strip() == head
    assert "Traceback" not in result.stderr
    assert name in result.stderr


def test_the_note_is_replaced_not_written_through(example_repo: Path) -> None:
    """A check-in that finds a note of its own replaces it by a new file (renamed over it):
    a reader of the old note never sees half a new one, and the lock still works after."""
    note = example_repo / ".git" / "okr-checkin.pending"
    note.write_text('{"2026-Q3/other.yaml": "an old check-in"}\n', encoding="utf-8")
    before = note.stat().st_ino
    assert check_in(example_repo).returncode == 0
    assert note.stat().st_ino != before  # a new file took its place
    assert '"2026-Q3/other.yaml"' in note.read_text(encoding="utf-8")
    assert check_in(example_repo, "72").returncode == 0
    assert (example_repo / ".git" / "okr-checkin.lock").is_file()
