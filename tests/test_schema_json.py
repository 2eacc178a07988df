"""`okr schema` (SPEC §20): the JSON Schema of the formats, checked by the real
check-jsonschema, and held to the shapes validation uses."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from okrcli.files import schema, schema_json
from tests.conftest import run_okr
from tests.test_schema import SHAPES, mappings

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "acme"
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"


def check(schema_file: Path, *files: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CHECK_JSONSCHEMA), "--schemafile", str(schema_file), *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def schemas(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("schemas")
    written = {}
    for kind in schema_json.KINDS:
        result = run_okr("schema", kind)
        assert result.exit_code == 0, result.output
        written[kind] = folder / f"{kind}.json"
        written[kind].write_text(result.stdout)
    return written


def test_the_schemas_are_draft_2020_12_and_valid_schemas(schemas: dict[str, Path]) -> None:
    for path in schemas.values():
        document = json.loads(path.read_text())
        assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        jsonschema.Draft202012Validator.check_schema(document)


def test_every_rule_and_every_nested_list_is_declared_for_the_schema() -> None:
    for shape in SHAPES:
        for key, (rule, _) in shape.fields.items():
            assert rule in schema_json.RULE_SCHEMAS, f"{shape.name}.{key}: no JSON Schema fragment"
            if rule in (schema.a_list, schema.mapping) and shape is not schema.CONFIG:
                assert (shape, key) in schema.NESTED, f"{shape.name}.{key}: what does it hold?"


def test_every_example_file_passes_check_jsonschema(schemas: dict[str, Path]) -> None:
    team_files = sorted(EXAMPLE.glob("*/*.yaml"))
    assert len(team_files) >= 3
    result = check(schemas["team"], *team_files)
    assert result.returncode == 0, result.stdout + result.stderr
    result = check(schemas["config"], EXAMPLE / "okr.yaml")
    assert result.returncode == 0, result.stdout + result.stderr


VALID_TEAM = """\
name: Sales
owner:
objectives:
  - id: grow
    title: Grow 2026
    kind: aspirational
    aligns: [company/growth]
    key_results:
      - id: revenue
        title: Revenue from 1 to 2
        baseline: 1
        target: 2
        current: ~
        weight: 0.5
        score: 0.7
      - id: launch
        title: Launch 1 thing
        done: true
        confidence: 1
"""

VALID_CONFIG = """\
organization: Acme
cycles:
  2026-H2: {start: 2026-07-01, end: 2026-12-31}
status: {on_track: 0.1, at_risk: 0.3}
lint: {max_objectives: 3, vague_words: [streamline]}
"""


@pytest.mark.parametrize(
    ("kind", "text"),
    [("team", VALID_TEAM), ("team", "objectives: []\n"), ("config", VALID_CONFIG)],
)
def test_valid_files_pass(schemas: dict[str, Path], tmp_path: Path, kind: str, text: str) -> None:
    path = tmp_path / "file.yaml"
    path.write_text(text)
    result = check(schemas[kind], path)
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize(
    ("kind", "replace", "by", "said"),
    [
        ("team", "    kind: aspirational", "    knd: aspirational", "'knd' was unexpected"),
        ("team", "        baseline: 1\n", '        baseline: "1"\n', "is not of type 'number'"),
        ("team", "confidence: 1", "confidence: 1.5", "greater than the maximum"),
        ("team", "  - id: grow", "  - id: Grow", "does not match"),
        ("team", "        done: true\n", "        done: true\n        target: 3\n", "launch"),
        ("team", "weight: 0.5", "weight: 0", "less than or equal to the minimum"),
        ("config", "organization: Acme", "organisation: Acme", "'organisation' was unexpected"),
        ("config", "max_objectives: 3", "max_objectives: 0", "less than the minimum"),
        ("config", "end: 2026-12-31", "end: 2026-12-32", "2026-12-32"),
    ],
    ids=[
        "E003",
        "E005-quoted-number",
        "E005-range",
        "E007",
        "E011",
        "weight",
        "E012",
        "count",
        "date",
    ],
)
def test_unknown_keys_and_wrong_values_fail(
    schemas: dict[str, Path], tmp_path: Path, kind: str, replace: str, by: str, said: str
) -> None:
    text = VALID_TEAM if kind == "team" else VALID_CONFIG
    assert replace in text
    path = tmp_path / "file.yaml"
    path.write_text(text.replace(replace, by, 1))
    result = check(schemas[kind], path)
    assert result.returncode == 1, result.stdout
    assert said in result.stdout


def test_okr_init_files_name_their_schema_and_pass(tmp_path: Path) -> None:
    root = tmp_path / "okrs"
    assert run_okr("--as-of", "2026-08-15", "init", str(root)).exit_code == 0
    team_file = root / "2026-Q3" / "my-team.yaml"
    assert team_file.read_text().startswith(
        "# yaml-language-server: $schema=../.okr/team.schema.json\n"
    )
    assert (
        (root / "okr.yaml")
        .read_text()
        .startswith("# yaml-language-server: $schema=.okr/config.schema.json\n")
    )
    # The path in each file's first line, from the file's own folder, is the schema.
    team_schema = team_file.parent / "../.okr/team.schema.json"
    assert team_schema.read_text() == schema_json.text("team")
    assert check(team_schema, team_file).returncode == 0
    assert check(root / ".okr/config.schema.json", root / "okr.yaml").returncode == 0


def test_schema_write_refreshes_both_files(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "acme")
    result = run_okr("-C", str(tmp_path / "acme"), "schema", "--write")
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in (tmp_path / "acme" / ".okr").iterdir())
    assert written == ["config.schema.json", "team.schema.json"]


def test_schema_needs_a_kind(tmp_path: Path) -> None:
    result = run_okr("schema")
    assert result.exit_code == 2
    assert "okr schema team" in result.stderr


# --- the schema says what the shapes' rules say -------------------------------------------


def _has_nan(value: Any) -> bool:
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, dict):
        return any(_has_nan(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_nan(v) for v in value)
    return False


def _integral_float_count(shape: schema.Shape, mapping: dict[Any, Any]) -> bool:
    return any(
        isinstance(value, float) and value.is_integer() and shape.fields[key][0] is schema.count
        for key, value in mapping.items()
        if key in shape.fields
    )


@pytest.mark.parametrize("shape", SHAPES, ids=[shape.name for shape in SHAPES])
@settings(max_examples=300)
@given(data=st.data())
def test_the_schema_accepts_exactly_what_the_rules_accept(shape: schema.Shape, data: Any) -> None:
    """JSON cannot say NaN, nor tell 5.0 from 5: those two are okr validate's alone."""
    mapping = data.draw(mappings(shape))
    assume(not _has_nan(mapping) and not _integral_float_count(shape, mapping))
    validator = jsonschema.Draft202012Validator(
        schema_json.shape_schema(shape, whole=False),
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )
    keys_are_text = all(isinstance(key, str) for key in mapping)
    # JSON keys are text: a number as a key is an error either way.
    accepted = keys_are_text and validator.is_valid(mapping)
    assert accepted == shape.is_clean(mapping), mapping


PEOPLE_CONFIG = """\
organization: Acme
people:
  王芳: {email: [wang.fang@acme.example, WF@home.example]}
  李雷: {email: li.lei@acme.example}
  韩梅梅:
  Tom Becker: {}
"""


@pytest.mark.parametrize(
    ("replace", "by", "said"),
    [
        ("", "", ""),
        (
            "{email: li.lei@acme.example}",
            "{emails: li.lei@acme.example}",
            "'emails' was unexpected",
        ),
        ("WF@home.example", "WF at home", "is not valid under any of the given schemas"),
        ("  Tom Becker: {}", "  Tom Becker: tom@acme.example", "is not valid under any"),
    ],
    ids=["valid", "E003", "not-an-email", "not-a-mapping"],
)
def test_people_in_okr_yaml(
    schemas: dict[str, Path], tmp_path: Path, replace: str, by: str, said: str
) -> None:
    path = tmp_path / "okr.yaml"
    path.write_text(PEOPLE_CONFIG.replace(replace, by, 1) if replace else PEOPLE_CONFIG)
    result = check(schemas["config"], path)
    assert result.returncode == (1 if replace else 0), result.stdout
    assert said in result.stdout
    (tmp_path / "2026-Q3").mkdir()
    (tmp_path / "2026-Q3" / "t.yaml").write_text("objectives: []\n")
    findings = run_okr("-C", str(tmp_path), "validate").stdout
    assert ("E012" in findings) == bool(replace), findings  # okr validate agrees
