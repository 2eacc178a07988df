"""Regressions found in review: each test failed before its fix."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import git, run_okr

AS_OF = "2026-08-15"


def test_a_folder_outside_the_cycle_named_like_one_blocks_no_report(example_repo: Path) -> None:
    (example_repo / "2024-archive").mkdir()
    validate = run_okr("-C", str(example_repo), "--as-of", AS_OF, "validate")
    assert validate.exit_code == 1
    assert "2024-archive:1:1: error[E012]" in validate.stdout
    for command in ("scorecard", "tree"):
        result = run_okr("-C", str(example_repo), "--as-of", AS_OF, command)
        assert result.exit_code == 0, result


def layered_alignment(layers: int) -> str:
    """Two objectives per layer, each aligned to both of the next layer; the last layer
    aligns back to the first, so every objective is in one big loop."""
    lines = ["objectives:"]
    for layer in range(layers):
        for side in ("a", "b"):
            following = (layer + 1) % layers
            lines += [
                f"  - id: l{layer}-{side}",
                f"    title: Layer {layer} side {side}",
                f"    aligns: [deep/l{following}-a, deep/l{following}-b]",
                "    key_results:",
                "      - id: kr",
                "        title: Reach 10",
                "        baseline: 0",
                "        target: 10",
            ]
    return "\n".join(lines) + "\n"


def test_alignment_loops_are_found_without_walking_every_path(okr_dir: Path) -> None:
    # 60 objectives with 2^30 simple paths: listing paths never finishes, components do.
    (okr_dir / "okr.yaml").write_text(
        "organization: Deep\nlint:\n  max_objectives: 100\n", encoding="utf-8"
    )
    (okr_dir / "2026-Q3" / "deep.yaml").write_text(layered_alignment(30), encoding="utf-8")
    result = run_okr("-C", str(okr_dir), "--as-of", AS_OF, "validate", "--format", "json")
    assert result.exit_code == 1
    loops = [f for f in json.loads(result.stdout) if f["code"] == "E010"]
    assert len(loops) == 1
    assert loops[0]["message"].startswith("aligns forms a loop: deep/l0-a → deep/l1-a → ")


def test_a_note_survives_commit_cleanup_strip(example_repo: Path) -> None:
    git(example_repo, "config", "commit.cleanup", "strip")
    note = "#12 and #13 accepted"
    result = run_okr("-C", str(example_repo), "checkin", "offer-rate", "70", "-m", note)
    assert result.exit_code == 0, result
    assert note in git(example_repo, "log", "-1", "--format=%B")


def test_at_the_last_representable_day_is_no_crash(example_repo: Path) -> None:
    result = run_okr("-C", str(example_repo), "--at", "2150-01-01", "scorecard")
    assert result.exit_code == 0, result


def test_a_folder_where_the_lock_file_goes_is_one_sentence(example_repo: Path) -> None:
    (example_repo / ".git" / "okr-checkin.lock").mkdir()
    before = (example_repo / "2026-Q3" / "hr-admin.yaml").read_bytes()
    result = run_okr("-C", str(example_repo), "checkin", "offer-rate", "70")
    assert result.exit_code == 1
    assert result.stderr.startswith("okr: ") and "okr-checkin.lock" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert (example_repo / "2026-Q3" / "hr-admin.yaml").read_bytes() == before


KR_WITH = """\
objectives:
  - id: a
    title: Grow
    key_results:
      - id: k
        title: Reach 10
        baseline: 0
        {line}
        current: 3
"""


def test_a_full_width_colon_is_named_where_it_is(okr_dir: Path) -> None:
    (okr_dir / "2026-Q3" / "ops.yaml").write_text(
        KR_WITH.format(line="target： 10"), encoding="utf-8"
    )
    result = run_okr("-C", str(okr_dir), "validate")
    assert result.stdout == (
        "2026-Q3/ops.yaml:8:15: error[E001]: full-width colon '：' where YAML needs ':' "
        "and a space; type an ASCII colon\n"
    )


def test_a_missing_space_after_a_colon_is_named_where_it_is(okr_dir: Path) -> None:
    (okr_dir / "2026-Q3" / "ops.yaml").write_text(
        KR_WITH.format(line="target:10"), encoding="utf-8"
    )
    result = run_okr("-C", str(okr_dir), "validate")
    assert result.stdout == (
        "2026-Q3/ops.yaml:8:15: error[E001]: no space after the colon in 'target:'; "
        "write 'target: value'\n"
    )


def test_aligning_to_a_team_that_has_no_file_says_so(okr_dir: Path) -> None:
    team = KR_WITH.format(line="target: 10").replace(
        "    title: Grow\n", "    title: Grow\n    aligns: company/growth\n"
    )
    (okr_dir / "2026-Q3" / "ops.yaml").write_text(team, encoding="utf-8")
    result = run_okr("-C", str(okr_dir), "validate")
    assert result.stdout == (
        "2026-Q3/ops.yaml:4:13: error[E009]: aligns names 'company/growth', but this cycle "
        "has no team 'company'; add its file company.yaml to the cycle folder or align to "
        "another team's objective\n"
    )


def test_a_team_given_as_the_address_points_to_the_walk(example_repo: Path) -> None:
    result = run_okr("-C", str(example_repo), "checkin", "hr-admin", "70")
    assert result.exit_code == 1
    assert result.stderr == (
        "okr: 'hr-admin' is a team; check in one of its key results (TEAM/OBJECTIVE/KR), "
        "or walk through all of them with 'okr checkin -i hr-admin'\n"
    )


def test_a_check_in_made_during_the_walk_is_not_overwritten_unseen(example_repo: Path) -> None:
    import subprocess
    import sys

    okr = str(Path(sys.executable).parent / "okr")
    walk = subprocess.Popen(
        [okr, "checkin", "-i", "hr-admin"],
        cwd=example_repo,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert walk.stdout is not None and walk.stdin is not None
    shown = ""
    while "value [" not in shown:  # the walk has read the file and asks its first question
        shown += walk.stdout.read(1)
    meanwhile = run_okr("-C", str(example_repo), "checkin", "offer-rate", "71")
    assert meanwhile.exit_code == 0, meanwhile
    walk.stdin.write("70\n\n\n" + "\n\n\n" * 8 + "\n")  # offer-rate 70, keep the rest, confirm
    out, err = walk.communicate(timeout=60)
    assert walk.returncode == 1, out + err
    assert "hr-admin/talent/offer-rate changed while you were answering" in err
    assert "current: 71" in (example_repo / "2026-Q3" / "hr-admin.yaml").read_text("utf-8")
    assert git(example_repo, "rev-list", "--count", "HEAD").strip() == "2"


def test_a_reader_that_stops_early_gets_no_error_message(example_repo: Path) -> None:
    """`okr scorecard | head -1`: the pipe closes, okr stops quietly (as git does)."""
    import subprocess
    import sys

    okr = Path(sys.executable).parent / "okr"
    process = subprocess.Popen(
        [str(okr), "--as-of", "2026-08-15", "scorecard"],
        cwd=example_repo,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # no reader: the first write fails with EPIPE
    stderr = process.stderr.read().decode()
    assert process.wait() == 141
    assert stderr == ""
