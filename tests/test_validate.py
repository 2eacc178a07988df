"""`okr validate` (SPEC §7): one reproducer per finding code with its exact output line.

Each reproducer in tests/data/findings/ is copied into a fresh OKR root as
2026-Q3/team.yaml (a folder is copied as the whole 2026-Q3 folder), and `okr validate`
must print exactly the expected lines: path relative to the root, 1-based line:col of the
offending key or value, severity, code and message. The positions were checked by hand
against the files.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE, Result, git, run_okr

FINDINGS = Path(__file__).resolve().parent / "data" / "findings"
TEAM = "2026-Q3/team.yaml"
TEAM_FILE_OK = """\
name: Platform
objectives:
  - id: uptime
    title: Keep the platform up
    key_results:
      - id: availability
        title: Availability from 99.5 to 99.9
        baseline: 99.5
        target: 99.9
"""


def validate(root: Path, *args: str, cycle: str | None = None) -> Result:
    global_options = ("--cycle", cycle) if cycle else ()
    return run_okr("-C", str(root), "--as-of", "2026-08-15", *global_options, "validate", *args)


def lines(result: Result) -> list[str]:
    return result.stdout.splitlines()


def add_reproducer(root: Path, name: str) -> None:
    source = FINDINGS / name
    if source.is_dir():
        for file in source.iterdir():
            shutil.copy(file, root / "2026-Q3" / file.name)
    else:
        shutil.copy(source, root / TEAM)


def write_team(root: Path, content: str | bytes, name: str = "team.yaml") -> None:
    path = root / "2026-Q3" / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")


def error(line: int, col: int, code: str, message: str, path: str = TEAM) -> str:
    return f"{path}:{line}:{col}: error[{code}]: {message}"


def warning(line: int, col: int, code: str, message: str, path: str = TEAM) -> str:
    return f"{path}:{line}:{col}: warning[{code}]: {message}"


NOT_KEBAB = (
    "is not kebab-case; use lowercase letters, digits and hyphens, starting with a letter or digit"
)
NO_NUMBER = "and has no number; say how much, from what to what"
ALIAS = "anchors and aliases are not allowed; write the value out"

EXPECTED: dict[str, list[str]] = {
    "E001-alias.yaml": [error(1, 7, "E001", ALIAS)],
    "E001-tag.yaml": [
        error(8, 19, "E001", "tags like '!!float' are not allowed; remove the tag"),
    ],
    "E001-directive.yaml": [
        error(1, 1, "E001", "YAML directives (%YAML, %TAG) are not allowed"),
    ],
    "E001-multi-document.yaml": [
        error(3, 1, "E001", "more than one YAML document; keep one per file"),
    ],
    "E001-list-root.yaml": [
        error(1, 1, "E001", "the file must be a mapping of keys at the top level"),
    ],
    "E001-conflict-marker.yaml": [
        error(9, 1, "E001", "merge conflict marker; resolve the conflict and remove the markers"),
    ],
    "E001-unparseable.yaml": [
        error(
            4,
            12,
            "E001",
            "not valid YAML (expected ',' or ']', but got ':'); this [ … ] list is not "
            "closed; add the ']'",
        ),
    ],
    "E001-complex-key.yaml": [error(2, 3, "E001", "keys must be plain text")],
    "E001-tab-indent.yaml": [
        error(4, 1, "E001", "tab character in indentation; indent with spaces"),
    ],
    "E002-duplicate-key.yaml": [
        error(
            11,
            9,
            "E002",
            "duplicate key 'current'; the first one is used, remove or rename this one",
        ),
    ],
    "E003-unknown-key.yaml": [
        # The typo also leaves the numeric KR without its target.
        error(6, 9, "E004", "missing required key 'target'; add a line 'target: …'"),
        error(9, 9, "E003", "unknown key 'taget'; did you mean 'target'?"),
        error(
            10,
            9,
            "E003",
            "unknown key 'colour'; known keys: id, title, owner, unit, baseline, target, "
            "current, done, confidence, weight, score, retro, source",
        ),
    ],
    "E004-missing-key.yaml": [
        error(3, 5, "E004", "missing required key 'title'; add a line 'title: …'"),
        error(5, 9, "E004", "missing required key 'target'; add a line 'target: …'"),
        error(10, 5, "E004", "an objective needs at least one key result under 'key_results'"),
    ],
    "E004-empty-file.yaml": [
        error(1, 1, "E004", "missing required key 'objectives'; add a line 'objectives: …'")
    ],
    "E005-wrong-types.yaml": [
        error(
            5,
            11,
            "E005",
            "'kind' must be one of 'committed' or 'aspirational', not the text 'stretch'",
        ),
        error(
            9,
            19,
            "E005",
            "'baseline' must be a number, not the text '99.5'; write it as a plain number, "
            "without quotes",
        ),
        error(10, 17, "E005", "'target' must be a number, not the text 'yes'"),
        error(11, 18, "E005", "'current' must be a number, not the text '2026-08-01'"),
        error(12, 21, "E005", "'confidence' must be between 0.0 and 1.0, not 1.5"),
        error(13, 17, "E005", "'weight' must be greater than 0, not 0"),
        error(
            14,
            9,
            "E011",
            "key result has both 'done' and 'baseline'; a milestone has only 'done', "
            "a numeric KR only baseline/target/current",
        ),
        error(16, 19, "E005", "'baseline' must be a finite number, not nan"),
        error(
            17, 17, "E005", "'target' must be a number from -1e15 to 1e15, not 10000000000000000"
        ),
        error(18, 18, "E005", "'current' must be a finite number, not inf"),
        error(
            19,
            15,
            "E005",
            "'done' must be true or false, not the text 'false'; write it without quotes",
        ),
        error(20, 16, "E005", "'score' must be between 0.0 and 1.0, not -0.1"),
    ],
    "E006-duplicate-ids.yaml": [
        error(
            9, 13, "E006", "duplicate key result id 'availability' in this objective; rename one"
        ),
        error(12, 9, "E006", "duplicate objective id 'uptime' in this file; rename one"),
    ],
    "E007-not-kebab-case.yaml": [
        error(3, 9, "E007", f"objective id 'Uptime_Goal' {NOT_KEBAB}"),
        error(6, 13, "E007", f"key result id '-availability' {NOT_KEBAB}"),
    ],
    "E008-target-equals-baseline.yaml": [
        error(9, 9, "E008", "target equals baseline (99.9); progress cannot be computed"),
    ],
    "E009-aligns-nothing": [
        error(
            5,
            13,
            "E009",
            "aligns names 'company/growht', which is no objective of this cycle; "
            "did you mean 'company/growth'?",
        ),
        error(
            12,
            30,
            "E009",
            "aligns names 'sales/nowhere', but this cycle has no team 'sales'; add its file "
            "sales.yaml to the cycle folder or align to another team's objective",
        ),
    ],
    "E010-aligns-loop.yaml": [
        error(
            12,
            13,
            "E010",
            "aligns forms a loop: team/latency → team/uptime → team/latency; "
            "an objective cannot serve itself",
        ),
        error(
            20,
            9,
            "E010",
            "aligns forms a loop: team/selfish → team/selfish; an objective cannot serve itself",
        ),
    ],
    "E011-milestone-and-number.yaml": [
        error(
            6,
            9,
            "E011",
            "key result has both 'done' and 'target'; a milestone has only 'done', "
            "a numeric KR only baseline/target/current",
        ),
        error(
            10,
            9,
            "E011",
            "key result has neither 'done' nor baseline/target; add 'done: false' for a "
            "milestone or 'baseline:' and 'target:' for a number",
        ),
    ],
    "E013-undeclared-source.yaml": [
        error(
            10,
            17,
            "E013",
            "source 'hris' is not declared in okr.yaml; declare it under 'sources:' in okr.yaml",
        )
    ],
    "W101-vague-title.yaml": [
        warning(7, 16, "W101", f"key result title uses the vague word 'Improve' {NO_NUMBER}"),
        warning(10, 16, "W101", f"key result title uses the vague word '优化' {NO_NUMBER}"),
    ],
    "W102-too-many-krs.yaml": [
        warning(5, 5, "W102", "6 key results, more than 5; keep the few that matter"),
    ],
    "W103-too-many-objectives.yaml": [
        warning(2, 1, "W103", "6 objectives, more than 5; focus on fewer"),
    ],
    "W104-current-far-outside.yaml": [
        warning(
            10,
            18,
            "W104",
            "current 40 lies far outside baseline 12 – target 4; check it for a typo",
        ),
    ],
}


def test_every_code_has_a_reproducer() -> None:
    codes = {name.split("-", 1)[0] for name in EXPECTED}
    wanted = {f"E{n:03d}" for n in range(1, 14)} | {f"W{n}" for n in range(101, 105)}
    # E012 is about okr.yaml and folders, so its reproducers are inline below.
    assert codes == wanted - {"E012"}
    assert sorted(path.name for path in FINDINGS.iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_reproducer_prints_its_findings(okr_dir: Path, name: str) -> None:
    add_reproducer(okr_dir, name)
    result = validate(okr_dir)
    assert lines(result) == EXPECTED[name]
    has_errors = any(": error[" in line for line in EXPECTED[name])
    assert result.exit_code == (1 if has_errors else 0)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_reproducer_as_json(okr_dir: Path, name: str) -> None:
    add_reproducer(okr_dir, name)
    result = validate(okr_dir, "--format", "json")
    findings = json.loads(result.stdout)
    assert isinstance(findings, list)
    assert [
        f"{f['path']}:{f['line']}:{f['col']}: {f['severity']}[{f['code']}]: {f['message']}"
        for f in findings
    ] == EXPECTED[name]
    for finding in findings:
        assert list(finding) == ["path", "line", "col", "severity", "code", "message"]
        assert isinstance(finding["line"], int) and isinstance(finding["col"], int)


# --- exit codes, formats, options -----------------------------------------------------------


def test_clean_cycle_exits_0_and_prints_nothing(okr_dir: Path) -> None:
    write_team(okr_dir, TEAM_FILE_OK)
    result = validate(okr_dir)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "1 file(s), 0 error(s), 0 warning(s)" in result.stderr


def test_the_example_validates_clean() -> None:
    result = run_okr("-C", str(EXAMPLE), "--as-of", "2026-08-15", "validate", "--strict")
    assert (result.exit_code, result.stdout) == (0, "")


def test_warnings_alone_exit_0_but_1_with_strict(okr_dir: Path) -> None:
    add_reproducer(okr_dir, "W104-current-far-outside.yaml")
    assert validate(okr_dir).exit_code == 0
    strict = validate(okr_dir, "--strict")
    assert strict.exit_code == 1
    assert lines(strict) == EXPECTED["W104-current-far-outside.yaml"]


def test_json_of_a_clean_cycle_is_an_empty_list(okr_dir: Path) -> None:
    write_team(okr_dir, TEAM_FILE_OK)
    result = validate(okr_dir, "--format", "json")
    assert (result.exit_code, json.loads(result.stdout)) == (0, [])


def test_json_finding_shape(okr_dir: Path) -> None:
    add_reproducer(okr_dir, "E008-target-equals-baseline.yaml")
    result = validate(okr_dir, "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == [
        {
            "path": TEAM,
            "line": 9,
            "col": 9,
            "severity": "error",
            "code": "E008",
            "message": "target equals baseline (99.9); progress cannot be computed",
        }
    ]


def test_github_annotations(okr_dir: Path) -> None:
    add_reproducer(okr_dir, "E008-target-equals-baseline.yaml")
    write_team(okr_dir, (FINDINGS / "W102-too-many-krs.yaml").read_text("utf-8"), "web.yaml")
    result = validate(okr_dir, "--format", "github")
    assert result.exit_code == 1
    assert lines(result) == [
        f"::error file={TEAM},line=9,col=9::"
        "E008: target equals baseline (99.9); progress cannot be computed",
        "::warning file=2026-Q3/web.yaml,line=5,col=5::"
        "W102: 6 key results, more than 5; keep the few that matter",
    ]


def test_github_annotation_escapes_percent(okr_dir: Path) -> None:
    write_team(okr_dir, TEAM_FILE_OK.replace("baseline: 99.5", 'baseline: "50%"'))
    result = validate(okr_dir, "--format", "github")
    assert lines(result) == [
        f"::error file={TEAM},line=8,col=19::"
        "E005: 'baseline' must be a number, not the text '50%25'; write the number alone "
        "(a percentage KR puts '%25' in 'unit:')"
    ]


def test_github_annotations_name_files_from_the_top_of_the_repository(okr_dir: Path) -> None:
    """GitHub attaches an annotation to a path from the repository's top; the OKR root is
    often a folder of a larger repository."""
    git(okr_dir.parent, "init", "-q")
    add_reproducer(okr_dir, "E008-target-equals-baseline.yaml")
    result = validate(okr_dir, "--format", "github")
    assert lines(result)[0].startswith(f"::error file=okrs/{TEAM},line=9,col=9::E008: ")
    plain = validate(okr_dir)
    assert lines(plain)[0].startswith(f"{TEAM}:9:9: error[E008]")  # text stays root-relative


def test_github_annotation_properties_are_escaped(okr_dir: Path) -> None:
    write_team(okr_dir, TEAM_FILE_OK, "a,b.yaml")
    result = validate(okr_dir, "--format", "github")
    assert lines(result) == [
        "::error file=2026-Q3/a%2Cb.yaml,line=1,col=1::"
        "E007: team id 'a,b' (the file name) is not kebab-case; rename the file"
    ]


def test_all_findings_of_all_files_are_reported(okr_dir: Path) -> None:
    add_reproducer(okr_dir, "E006-duplicate-ids.yaml")
    write_team(okr_dir, (FINDINGS / "E001-alias.yaml").read_text("utf-8"), "alias.yaml")
    write_team(okr_dir, (FINDINGS / "W103-too-many-objectives.yaml").read_text("utf-8"), "w.yaml")
    result = validate(okr_dir)
    assert lines(result) == [
        error(1, 7, "E001", ALIAS, path="2026-Q3/alias.yaml"),
        *EXPECTED["E006-duplicate-ids.yaml"],
        warning(2, 1, "W103", "6 objectives, more than 5; focus on fewer", path="2026-Q3/w.yaml"),
    ]
    assert "3 file(s), 3 error(s), 1 warning(s)" in result.stderr
    assert result.exit_code == 1


def test_all_checks_every_cycle(okr_dir: Path) -> None:
    (okr_dir / "2026-Q4").mkdir()
    add_reproducer(okr_dir, "E008-target-equals-baseline.yaml")
    shutil.copy(FINDINGS / "W102-too-many-krs.yaml", okr_dir / "2026-Q4" / "team.yaml")
    only_q3 = validate(okr_dir, cycle="2026-Q3")
    assert lines(only_q3) == EXPECTED["E008-target-equals-baseline.yaml"]
    q4_warning = warning(
        5, 5, "W102", "6 key results, more than 5; keep the few that matter", "2026-Q4/team.yaml"
    )
    result = validate(okr_dir, "--all")
    assert lines(result) == [*EXPECTED["E008-target-equals-baseline.yaml"], q4_warning]
    assert "2 cycle(s)" in result.stderr
    assert result.exit_code == 1


def test_unknown_cycle_is_a_domain_error(okr_dir: Path) -> None:
    result = run_okr("-C", str(okr_dir), "--cycle", "2031-Q1", "validate")
    assert result.exit_code == 1
    assert "unknown cycle '2031-Q1'; cycles here: 2026-Q3" in result.stderr


def test_yml_files_are_team_files_and_other_files_are_ignored(okr_dir: Path) -> None:
    add_reproducer(okr_dir, "E008-target-equals-baseline.yaml")
    (okr_dir / "2026-Q3" / "team.yaml").rename(okr_dir / "2026-Q3" / "team.yml")
    (okr_dir / "2026-Q3" / "notes.md").write_text("not: [yaml", encoding="utf-8")
    (okr_dir / "docs").mkdir()
    (okr_dir / "docs" / "x.yaml").write_text("- not a team", encoding="utf-8")
    result = validate(okr_dir)
    assert lines(result) == [
        error(
            9,
            9,
            "E008",
            "target equals baseline (99.9); progress cannot be computed",
            "2026-Q3/team.yml",
        )
    ]


# --- ignore comments ------------------------------------------------------------------------


def test_ignore_comment_silences_a_warning_on_its_line(okr_dir: Path) -> None:
    # W101 and W104 reproducers each hold one silenced finding (`# okr: ignore[...]`).
    add_reproducer(okr_dir, "W101-vague-title.yaml")
    assert not any(line.startswith(f"{TEAM}:16:") for line in lines(validate(okr_dir)))
    unsilenced = (FINDINGS / "W101-vague-title.yaml").read_text("utf-8")
    write_team(okr_dir, unsilenced.replace("  # okr: ignore[W101]", ""))
    assert warning(
        16, 16, "W101", f"key result title uses the vague word 'Better' {NO_NUMBER}"
    ) in lines(validate(okr_dir))


def test_ignore_comment_takes_a_list_and_only_names_codes(okr_dir: Path) -> None:
    text = (FINDINGS / "W104-current-far-outside.yaml").read_text("utf-8")
    write_team(okr_dir, text.replace("current: 40", "current: 40  # okr: ignore[W101, W104]"))
    assert lines(validate(okr_dir)) == []
    write_team(okr_dir, text.replace("current: 40", "current: 40  # okr: ignore[W101]"))
    assert len(lines(validate(okr_dir))) == 1


def test_errors_cannot_be_silenced(okr_dir: Path) -> None:
    # Documented: only warnings can be silenced; an error always fails validation.
    text = (FINDINGS / "E008-target-equals-baseline.yaml").read_text("utf-8")
    write_team(okr_dir, text.replace("target: 99.9", "target: 99.9  # okr: ignore[E008]"))
    result = validate(okr_dir)
    assert lines(result) == EXPECTED["E008-target-equals-baseline.yaml"]
    assert result.exit_code == 1


# --- E001 variants that need bytes or generated text ---------------------------------------


def test_e001_nul_byte(okr_dir: Path) -> None:
    write_team(okr_dir, b"name: Plat\x00form\nobjectives: []\n")
    assert lines(validate(okr_dir)) == [
        error(1, 11, "E001", "non-printable character U+0000; remove it")
    ]


@pytest.mark.parametrize(
    ("character", "code_point"),
    [("\x07", "0007"), ("\x85", "0085"), ("\u2028", "2028"), ("\ufeff", "FEFF")],
)
def test_e001_other_non_printable_characters(
    okr_dir: Path, character: str, code_point: str
) -> None:
    write_team(okr_dir, f"objectives: []\nname: a{character}b\n")
    assert lines(validate(okr_dir)) == [
        error(2, 8, "E001", f"non-printable character U+{code_point}; remove it")
    ]


def test_e001_not_utf8(okr_dir: Path) -> None:
    write_team(okr_dir, "objectives: []\nname: 行政\n".encode("gbk"))
    assert lines(validate(okr_dir)) == [
        error(2, 7, "E001", "file is not valid UTF-8; save it with UTF-8 encoding")
    ]


def test_e001_scalar_root(okr_dir: Path) -> None:
    write_team(okr_dir, "just some words\n")
    assert lines(validate(okr_dir)) == [
        error(1, 1, "E001", "the file must be a mapping of keys at the top level")
    ]


def test_e001_alias_without_anchor(okr_dir: Path) -> None:
    write_team(okr_dir, "name: Platform\nowner: *boss\nobjectives: []\n")
    assert lines(validate(okr_dir)) == [error(2, 8, "E001", ALIAS)]


def test_e001_non_specific_tag(okr_dir: Path) -> None:
    write_team(okr_dir, "name: ! Platform\nobjectives: []\n")
    assert lines(validate(okr_dir)) == [
        error(1, 7, "E001", "tags like '!' are not allowed; remove the tag")
    ]


def test_e001_tag_directive(okr_dir: Path) -> None:
    write_team(okr_dir, "%TAG !e! tag:example.com,2026:\n---\nobjectives: []\n")
    assert lines(validate(okr_dir)) == [
        error(1, 1, "E001", "YAML directives (%YAML, %TAG) are not allowed")
    ]


def test_e001_conflict_marker_with_crlf(okr_dir: Path) -> None:
    write_team(okr_dir, b"objectives: []\r\n=======\r\nname: x\r\n")
    assert lines(validate(okr_dir)) == [
        error(2, 1, "E001", "merge conflict marker; resolve the conflict and remove the markers")
    ]


def test_e001_nesting_deeper_than_64_levels(okr_dir: Path) -> None:
    write_team(okr_dir, "objectives: []\nname: " + "[" * 70 + "]" * 70 + "\n")
    # The root mapping is level 1, the value of name level 2, so level 65 is bracket 64.
    assert lines(validate(okr_dir)) == [error(2, 70, "E001", "nesting deeper than 64 levels")]


def test_nesting_of_64_levels_is_read(okr_dir: Path) -> None:
    write_team(okr_dir, "objectives: []\nname: " + "[" * 63 + "]" * 63 + "\n")
    # Read fine: the finding is about the type, not the depth.
    assert lines(validate(okr_dir)) == [error(2, 7, "E005", "'name' must be text, not a list")]


def test_e001_deep_block_nesting(okr_dir: Path) -> None:
    text = "objectives: []\nname:\n"
    for depth in range(70):
        text += "  " * (depth + 1) + "a:\n"
    write_team(okr_dir, text)
    assert lines(validate(okr_dir)) == [error(66, 129, "E001", "nesting deeper than 64 levels")]


def test_huge_numbers_are_e005_not_a_crash(okr_dir: Path) -> None:
    write_team(okr_dir, TEAM_FILE_OK.replace("target: 99.9", "target: 1" + "0" * 5000))
    assert lines(validate(okr_dir)) == [
        error(
            9,
            17,
            "E005",
            "'target' must be a number from -1e15 to 1e15, not 1" + "0" * 38 + "…",
        )
    ]


def test_magnitude_1e15_is_still_a_number(okr_dir: Path) -> None:
    write_team(okr_dir, TEAM_FILE_OK.replace("target: 99.9", "target: 1e15"))
    assert lines(validate(okr_dir)) == []


def test_long_text_values_are_cut_in_messages(okr_dir: Path) -> None:
    write_team(okr_dir, TEAM_FILE_OK.replace("target: 99.9", "target: " + "x" * 500))
    (line,) = lines(validate(okr_dir))
    assert line == error(
        9, 17, "E005", "'target' must be a number, not the text '" + "x" * 39 + "…'"
    )


def test_bidi_and_zero_width_characters_never_reach_the_output(okr_dir: Path) -> None:
    write_team(okr_dir, TEAM_FILE_OK.replace("target: 99.9", 'target: "9\\u202e9\\u200b[31m"'))
    (line,) = lines(validate(okr_dir))
    assert line == error(9, 17, "E005", "'target' must be a number, not the text '99[31m'")


@pytest.mark.parametrize(
    ("escape", "code_point"), [("\\0", "0000"), ("\\e[31m", "001B"), ("\\x07", "0007")]
)
def test_e001_non_printable_character_written_as_an_escape(
    okr_dir: Path, escape: str, code_point: str
) -> None:
    """SPEC §3: non-printable characters are E001, also when a double-quoted escape writes
    them (they would otherwise reach a terminal or a CI log)."""
    write_team(okr_dir, TEAM_FILE_OK.replace("name: Platform", f'name: "Plat{escape}form"'))
    assert lines(validate(okr_dir)) == [
        error(
            1,
            7,
            "E001",
            f"non-printable character U+{code_point} (written as an escape); remove it",
        )
    ]


# --- E004 vs a valid empty team, BOM and CRLF -----------------------------------------------


def test_objectives_empty_list_is_valid_but_empty_file_is_e004(okr_dir: Path) -> None:
    write_team(okr_dir, "objectives: []\n")
    valid = validate(okr_dir)
    assert (valid.exit_code, valid.stdout) == (0, "")
    write_team(okr_dir, "")
    assert lines(validate(okr_dir)) == [
        error(1, 1, "E004", "missing required key 'objectives'; add a line 'objectives: …'")
    ]
    write_team(okr_dir, "# only a comment\n")
    assert lines(validate(okr_dir)) == [
        error(1, 1, "E004", "missing required key 'objectives'; add a line 'objectives: …'")
    ]


def test_objectives_without_a_value_points_at_the_key(okr_dir: Path) -> None:
    write_team(okr_dir, "name: Platform\nobjectives:\n")
    assert lines(validate(okr_dir)) == [
        error(2, 1, "E005", "'objectives' must be a list, not empty")
    ]


def test_bom_and_crlf_are_fine(okr_dir: Path) -> None:
    text = "\ufeff" + TEAM_FILE_OK.replace("\n", "\r\n")
    write_team(okr_dir, text.encode("utf-8"))
    result = validate(okr_dir)
    assert (result.exit_code, result.stdout) == (0, "")


def test_bom_and_crlf_keep_positions(okr_dir: Path) -> None:
    text = "\ufeff" + TEAM_FILE_OK.replace("baseline: 99.5", "baseline: 99.9").replace("\n", "\r\n")
    write_team(okr_dir, text.encode("utf-8"))
    assert lines(validate(okr_dir)) == EXPECTED["E008-target-equals-baseline.yaml"]


# --- E005 variants: values are typed strictly -----------------------------------------------


@pytest.mark.parametrize(
    ("written", "message"),
    [
        (
            '"75"',
            "'target' must be a number, not the text '75'; write it as a plain number, "
            "without quotes",
        ),
        (
            "'75'",
            "'target' must be a number, not the text '75'; write it as a plain number, "
            "without quotes",
        ),
        ("true", "'target' must be a number, not the boolean true"),
        ("NO", "'target' must be a number, not the text 'NO'"),
        ("on", "'target' must be a number, not the text 'on'"),
        ("2026-09-30", "'target' must be a number, not the text '2026-09-30'"),
        ("1_000", "'target' must be a number, not the text '1_000'"),
        (
            "75%",
            "'target' must be a number, not the text '75%'; write the number alone (a "
            "percentage KR puts '%' in 'unit:')",
        ),
        ("７５", "'target' must be a number, not the text '７５'; write it with ASCII digits"),
        (".nan", "'target' must be a finite number, not nan"),
        ("-.inf", "'target' must be a finite number, not -inf"),
        ("1e16", "'target' must be a number from -1e15 to 1e15, not 10000000000000000"),
        (
            "-2000000000000000",
            "'target' must be a number from -1e15 to 1e15, not -2000000000000000",
        ),
        ("[75]", "'target' must be a number, not a list"),
        ("{a: 1}", "'target' must be a number, not a mapping"),
    ],
)
def test_e005_not_a_number(okr_dir: Path, written: str, message: str) -> None:
    write_team(okr_dir, TEAM_FILE_OK.replace("target: 99.9", f"target: {written}"))
    assert lines(validate(okr_dir)) == [error(9, 17, "E005", message)]


@pytest.mark.parametrize("written", ['""', "'  '", '"\\t"'], ids=["empty", "spaces", "tab"])
def test_e005_blank_title(okr_dir: Path, written: str) -> None:
    write_team(okr_dir, TEAM_FILE_OK.replace("title: Keep the platform up", f"title: {written}"))
    assert lines(validate(okr_dir)) == [
        error(4, 12, "E005", "'title' must say what it is, not be blank; write the title")
    ]


@pytest.mark.parametrize(
    ("written", "value"), [("0x10", "16"), ("0o17", "15"), ("010", "10"), ("1e3", "1000")]
)
def test_yaml_12_number_forms_are_numbers(okr_dir: Path, written: str, value: str) -> None:
    write_team(
        okr_dir, TEAM_FILE_OK.replace("target: 99.9", f"target: {written}\n        current: 1e5")
    )
    # W104 quotes the number as read, which shows how the literal was understood.
    assert lines(validate(okr_dir)) == [
        warning(
            10,
            18,
            "W104",
            f"current 100000 lies far outside baseline 99.5 – target {value}; check it for a typo",
        )
    ]


@pytest.mark.parametrize(
    ("key_value", "message"),
    [
        ("confidence: 1.5", "'confidence' must be between 0.0 and 1.0, not 1.5"),
        ("confidence: -0.1", "'confidence' must be between 0.0 and 1.0, not -0.1"),
        ("confidence: high", "'confidence' must be a number, not the text 'high'"),
        (
            "confidence: 70%",
            "'confidence' must be a number from 0.0 to 1.0, not the text '70%'; write 0.7",
        ),
        ("weight: 0", "'weight' must be greater than 0, not 0"),
        ("weight: -2", "'weight' must be greater than 0, not -2"),
        ("score: 1.01", "'score' must be between 0.0 and 1.0, not 1.01"),
        ("unit: 5", "'unit' must be text, not 5; put it in quotes"),
        ("owner: yes", None),  # YAML 1.2: `yes` is just text
        ("owner: true", "'owner' must be text, not the boolean true; put it in quotes"),
    ],
)
def test_e005_values(okr_dir: Path, key_value: str, message: str | None) -> None:
    write_team(okr_dir, TEAM_FILE_OK + f"        {key_value}\n")
    col = len(key_value.split(":")[0]) + 11
    assert lines(validate(okr_dir)) == ([error(10, col, "E005", message)] if message else [])


def test_e005_milestone_done_must_be_a_boolean(okr_dir: Path) -> None:
    text = TEAM_FILE_OK.replace("baseline: 99.5\n        target: 99.9", "done: yes")
    write_team(okr_dir, text)
    assert lines(validate(okr_dir)) == [
        error(
            8, 15, "E005", "'done' must be true or false, not the text 'yes'; write true or false"
        )
    ]


def test_e005_list_items_that_are_not_mappings(okr_dir: Path) -> None:
    write_team(
        okr_dir,
        "objectives: [5, {id: a, title: t, key_results: [x, {id: k, title: t 1, done: true}]}]\n",
    )
    assert lines(validate(okr_dir)) == [
        error(1, 14, "E005", "an objective must be a mapping of keys, not 5"),
        error(1, 49, "E005", "a key result must be a mapping of keys, not the text 'x'"),
    ]


def test_e012_cycle_that_is_not_a_mapping(okr_dir: Path) -> None:
    (okr_dir / "okr.yaml").write_text(
        "organization: Test Org\ncycles:\n  2026-H2: 2026-07-01\n", encoding="utf-8"
    )
    assert lines(validate(okr_dir)) == [
        "okr.yaml:3:12: error[E012]: okr.yaml: a cycle (start and end) must be a mapping of "
        "keys, not the text '2026-07-01'"
    ]


def test_e005_bad_date_in_okr_yaml_cycles(okr_dir: Path) -> None:
    (okr_dir / "okr.yaml").write_text(
        "organization: Test Org\ncycles:\n  2026-H2: {start: 2026-07-01, end: 2026-12-32}\n",
        encoding="utf-8",
    )
    write_team(okr_dir, TEAM_FILE_OK)
    result = validate(okr_dir)
    assert lines(result) == [
        error(
            3,
            37,
            "E005",
            "okr.yaml: 'end' must be a real date written YYYY-MM-DD, not the text '2026-12-32'",
            "okr.yaml",
        )
    ]
    assert result.exit_code == 1


# --- E006/E007 for team files ---------------------------------------------------------------


def test_e006_team_id_used_twice(okr_dir: Path) -> None:
    write_team(okr_dir, TEAM_FILE_OK)
    write_team(okr_dir, TEAM_FILE_OK, "team.yml")
    assert lines(validate(okr_dir)) == [
        error(
            1,
            1,
            "E006",
            "team id 'team' is also used by 2026-Q3/team.yaml; rename one",
            "2026-Q3/team.yml",
        )
    ]


def test_e007_team_file_name_not_kebab_case(okr_dir: Path) -> None:
    write_team(okr_dir, TEAM_FILE_OK, "Team_B.yaml")
    assert lines(validate(okr_dir)) == [
        error(
            1,
            1,
            "E007",
            "team id 'Team_B' (the file name) is not kebab-case; rename the file",
            "2026-Q3/Team_B.yaml",
        )
    ]


def test_e009_not_reported_for_objectives_of_files_with_errors(okr_dir: Path) -> None:
    add_reproducer(okr_dir, "E009-aligns-nothing")
    company = okr_dir / "2026-Q3" / "company.yaml"
    company.write_text(company.read_text("utf-8").replace("done: false", "done: 1"), "utf-8")
    result = validate(okr_dir)
    assert lines(result)[0] == error(
        8, 15, "E005", "'done' must be true or false, not 1", "2026-Q3/company.yaml"
    )
    # company/growth still exists, so only the two real E009 findings follow.
    assert lines(result)[1:] == EXPECTED["E009-aligns-nothing"]


def test_no_e009_blames_a_file_for_a_team_file_that_is_not_yaml(okr_dir: Path) -> None:
    """company.yaml does not parse (a conflict marker): its E001 is the one finding about
    it; team.yaml's aligns to company/… are not reported as naming nothing."""
    add_reproducer(okr_dir, "E009-aligns-nothing")
    company = okr_dir / "2026-Q3" / "company.yaml"
    company.write_text("<<<<<<< HEAD\n" + company.read_text("utf-8"), "utf-8")
    found = lines(validate(okr_dir))
    assert [line for line in found if "E009" in line] == [EXPECTED["E009-aligns-nothing"][1]]
    assert any(line.startswith("2026-Q3/company.yaml:1:1: error[E001]") for line in found)


def test_e010_loop_across_files(okr_dir: Path) -> None:
    write_team(
        okr_dir,
        TEAM_FILE_OK.replace("    key_results:", "    aligns: web/pages\n    key_results:", 1),
    )
    web = TEAM_FILE_OK.replace("id: uptime", "id: pages").replace(
        "    key_results:", "    aligns: team/uptime\n    key_results:", 1
    )
    write_team(okr_dir, web, "web.yaml")
    assert lines(validate(okr_dir)) == [
        error(
            5,
            13,
            "E010",
            "aligns forms a loop: team/uptime → web/pages → team/uptime; "
            "an objective cannot serve itself",
        )
    ]


# --- E012: okr.yaml and folders -------------------------------------------------------------


def test_e012_undeclared_cycle_like_folder(okr_dir: Path) -> None:
    (okr_dir / "2026-H3").mkdir()
    (okr_dir / "archive").mkdir()
    write_team(okr_dir, TEAM_FILE_OK)
    result = validate(okr_dir)
    assert lines(result) == [
        "2026-H3:1:1: error[E012]: folder '2026-H3' is named like a cycle but is neither a "
        "quarter (YYYY-QN) nor declared under 'cycles:' in okr.yaml; declare it or rename it"
    ]
    assert result.exit_code == 1


def test_declared_cycle_folder_is_a_cycle(okr_dir: Path) -> None:
    (okr_dir / "okr.yaml").write_text(
        "organization: Test Org\ncycles:\n  2026-H2: {start: 2026-07-01, end: 2026-12-31}\n",
        encoding="utf-8",
    )
    (okr_dir / "2026-H2").mkdir()
    shutil.copy(FINDINGS / "E008-target-equals-baseline.yaml", okr_dir / "2026-H2" / "t.yaml")
    result = validate(okr_dir, cycle="2026-H2")
    assert lines(result) == [
        error(
            9,
            9,
            "E008",
            "target equals baseline (99.9); progress cannot be computed",
            "2026-H2/t.yaml",
        )
    ]


def test_e012_missing_organization(okr_dir: Path) -> None:
    (okr_dir / "okr.yaml").write_text("status:\n  on_track: 0.1\n", encoding="utf-8")
    write_team(okr_dir, TEAM_FILE_OK)
    result = validate(okr_dir)
    assert lines(result) == [
        "okr.yaml:1:1: error[E012]: okr.yaml: missing required key 'organization'; "
        "add a line 'organization: …'"
    ]
    assert result.exit_code == 1


def test_e012_okr_yaml_findings_name_the_inner_key(okr_dir: Path) -> None:
    (okr_dir / "okr.yaml").write_text(
        "organization: Test Org\n"
        "status:\n"
        "  on_track: 0.3\n"
        "  at_risk: 0.2\n"
        "  off_track: 0.5\n"
        "lint:\n"
        "  max_objectives: 0\n"
        "  vague_words: streamline\n"
        "  max_key_result: 3\n"
        "colour: blue\n",
        encoding="utf-8",
    )
    write_team(okr_dir, TEAM_FILE_OK)
    assert lines(validate(okr_dir)) == [
        "okr.yaml:3:13: error[E012]: okr.yaml: on_track (0.3) is larger than at_risk (0.2); "
        "on_track must be the smaller tolerance",
        "okr.yaml:5:3: error[E012]: okr.yaml: unknown key 'off_track'; did you mean 'on_track'?",
        "okr.yaml:7:19: error[E012]: okr.yaml: 'max_objectives' must be a whole number of at "
        "least 1, not 0",
        "okr.yaml:8:16: error[E012]: okr.yaml: 'vague_words' must be a list of words, not the "
        "text 'streamline'",
        "okr.yaml:9:3: error[E012]: okr.yaml: unknown key 'max_key_result'; did you mean "
        "'max_key_results'?",
        "okr.yaml:10:1: error[E012]: okr.yaml: unknown key 'colour'; known keys: organization, "
        "cycles, status, lint, people, sources",
    ]


def test_e001_in_okr_yaml(okr_dir: Path) -> None:
    (okr_dir / "okr.yaml").write_text("organization: &o Test Org\n", encoding="utf-8")
    write_team(okr_dir, TEAM_FILE_OK)
    assert lines(validate(okr_dir)) == [f"okr.yaml:1:15: error[E001]: {ALIAS}"]


def test_declared_cycle_is_kept_when_okr_yaml_has_another_error(okr_dir: Path) -> None:
    (okr_dir / "okr.yaml").write_text(
        "cycles:\n  2026-H2: {start: 2026-07-01, end: 2026-12-31}\n", encoding="utf-8"
    )
    (okr_dir / "2026-H2").mkdir()
    result = validate(okr_dir, "--all")
    # Only the real problem; 2026-H2 is declared, not "named like a cycle".
    assert lines(result) == [
        "okr.yaml:1:1: error[E012]: okr.yaml: missing required key 'organization'; "
        "add a line 'organization: …'"
    ]


def test_custom_lint_settings(okr_dir: Path) -> None:
    (okr_dir / "okr.yaml").write_text(
        "organization: Test Org\nlint:\n  max_key_results: 6\n  vague_words: [Streamline]\n",
        encoding="utf-8",
    )
    text = (FINDINGS / "W102-too-many-krs.yaml").read_text("utf-8")
    write_team(okr_dir, text.replace("Ship 1 thing", "streamlined intake"))
    assert lines(validate(okr_dir)) == [
        warning(
            6,
            25,
            "W101",
            f"key result title uses the vague word 'streamlined' {NO_NUMBER}",
        )
    ]


# --- W101 matching rules --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "word"),
    [
        ("Improve onboarding", "Improve"),
        ("IMPROVED onboarding", "IMPROVED"),
        ("Boosting sales", "Boosting"),
        ("Enhancement of docs", "Enhancement"),
        ("ensures quality", "ensures"),
        ("better docs", "better"),
        ("The betterment of docs", "betterment"),
        ("加强团队建设", "加强"),
        ("持续推进数字化", "推进"),
    ],
)
def test_w101_matches(okr_dir: Path, title: str, word: str) -> None:
    write_team(okr_dir, TEAM_FILE_OK.replace("Availability from 99.5 to 99.9", title))
    assert lines(validate(okr_dir)) == [
        warning(7, 16, "W101", f"key result title uses the vague word '{word}' {NO_NUMBER}")
    ]


@pytest.mark.parametrize(
    "title",
    [
        "Improve NPS from 30 to 40",  # a digit makes it measurable
        "提升满意度至９０分",  # full-width digit
        "Improvised stand-ups",  # not a whole word with an allowed ending
        "Supportive managers survey",
    ],
)
def test_w101_does_not_match(okr_dir: Path, title: str) -> None:
    write_team(okr_dir, TEAM_FILE_OK.replace("Availability from 99.5 to 99.9", title))
    assert lines(validate(okr_dir)) == []


def test_w104_within_range_margin_is_fine(okr_dir: Path) -> None:
    # Range 99.5–99.9 (0.4 wide): anything from 99.1 to 100.3 is plausible.
    write_team(okr_dir, TEAM_FILE_OK + "        current: 100.3\n")
    assert lines(validate(okr_dir)) == []
    write_team(okr_dir, TEAM_FILE_OK + "        current: 100.4\n")
    assert len(lines(validate(okr_dir))) == 1


@pytest.mark.parametrize("written", ["1e16", "-1e16", "2", ".inf"])
def test_a_share_far_out_of_range_says_the_range_of_a_share(okr_dir: Path, written: str) -> None:
    """`confidence: 1e16` is over okr's 1e15 limit too, but what a confidence needs is
    0.0 to 1.0: saying "from -1e15 to 1e15" would point the wrong way."""
    write_team(okr_dir, TEAM_FILE_OK + f"        confidence: {written}\n")
    (line,) = lines(validate(okr_dir))
    assert ": error[E005]: 'confidence' must be between 0.0 and 1.0, not " in line
