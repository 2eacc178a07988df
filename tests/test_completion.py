"""Shell completion (SPEC §20) through click's protocol, as the shell scripts call it: the
real `okr` process with `_OKR_COMPLETE` and `COMP_WORDS` set."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from okrcli.cli.completion import matching

OKR = Path(sys.executable).parent / "okr"


def complete(cwd: Path, words: str) -> list[str]:
    env = dict(os.environ, _OKR_COMPLETE="complete_bash", COMP_WORDS=words)
    env["COMP_CWORD"] = str(len(words.split()) - (0 if words.endswith(" ") else 1))
    result = subprocess.run(
        [str(OKR)], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and result.stderr == "", result.stderr
    return [line for line in result.stdout.splitlines() if line]


def test_a_kr_completes_from_a_suffix(example_repo: Path) -> None:
    assert complete(example_repo, "okr checkin off") == ["hr-admin/talent/offer-rate"]


def test_a_team_and_its_krs_complete_from_the_start(example_repo: Path) -> None:
    offered = complete(example_repo, "okr checkin sal")
    assert offered[0] == "sales"
    assert all(address.startswith("sales/") for address in offered[1:])
    assert len(offered) > 3


def test_objectives_complete_for_tree(example_repo: Path) -> None:
    assert complete(example_repo, "okr tree company/") == ["company/growth", "company/efficiency"]


def test_log_offers_objectives_and_krs(example_repo: Path) -> None:
    offered = complete(example_repo, "okr log engagement")
    assert offered[0] == "hr-admin/engagement"
    assert "hr-admin/engagement/enps" in offered


def test_cycle_ids_and_team_ids(example_repo: Path) -> None:
    assert complete(example_repo, "okr --cycle 2026") == ["2026-Q2", "2026-Q3"]
    assert complete(example_repo, "okr scorecard --team hr") == ["hr-admin"]


def test_close_completes_teams_and_revise_krs(example_repo: Path) -> None:
    assert complete(example_repo, "okr close hr") == ["hr-admin"]
    assert complete(example_repo, "okr revise enp") == ["hr-admin/engagement/enps"]


def test_retro_and_next_complete_teams(example_repo: Path) -> None:
    assert complete(example_repo, "okr retro sa") == ["sales"]
    assert complete(example_repo, "okr next company hr") == ["hr-admin"]


def test_commands_and_options(example_repo: Path) -> None:
    assert "scorecard" in complete(example_repo, "okr sc")
    assert complete(example_repo, "okr scorecard --fo") == ["--format"]


def test_minus_c_names_the_root(example_repo: Path, tmp_path: Path) -> None:
    assert complete(tmp_path, f"okr -C {example_repo} checkin off") == [
        "hr-admin/talent/offer-rate"
    ]


def test_outside_an_okr_root_nothing_is_offered_and_nothing_printed(tmp_path: Path) -> None:
    assert complete(tmp_path, "okr checkin off") == []


def test_a_file_that_does_not_parse_offers_its_team_only(example_repo: Path) -> None:
    (example_repo / "2026-Q3" / "sales.yaml").write_text("objectives: [\n")
    assert complete(example_repo, "okr checkin sal") == ["sales"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("off", ["a/b/offer"]),
        ("b/off", ["a/b/offer"]),
        ("a/", ["a/b/offer", "a/c/other"]),
        ("x", []),
        ("", ["a/b/offer", "a/c/other"]),
    ],
)
def test_matching_is_by_any_suffix(typed: str, expected: list[str]) -> None:
    assert matching(["a/b/offer", "a/c/other"], typed) == expected


def test_show_completion_prints_a_script(example_repo: Path) -> None:
    # typer asks the parent process which shell it is: a bash, as when a person types it.
    result = subprocess.run(
        ["bash", "-c", f"{OKR} --show-completion"],
        cwd=example_repo,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert "_OKR_COMPLETE=complete_bash" in result.stdout


def test_a_huge_team_file_is_passed_over_without_being_read(example_repo: Path) -> None:
    """A 3 GB file (sparse: no disk) in a process allowed 1 GiB: a TAB still completes the
    other teams' KRs; the file is never read whole."""
    import resource

    with open(example_repo / "2026-Q3" / "huge.yaml", "wb") as handle:
        handle.truncate(3 * 1024**3)

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1024**3, 1024**3))

    words = "okr checkin off"
    env = dict(os.environ, _OKR_COMPLETE="complete_bash", COMP_WORDS=words, COMP_CWORD="2")
    result = subprocess.run(
        [str(OKR)], cwd=example_repo, env=env, capture_output=True, text=True,
        preexec_fn=limit, check=False,
    )  # fmt: skip
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.split() == ["hr-admin/talent/offer-rate"]
