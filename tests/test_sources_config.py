"""`sources:` in okr.yaml and `source:` on a KR (SPEC §19, §7): every bad declaration is
E012 at its line and column, a KR naming an undeclared source is E013 at its value, and a
valid declaration becomes the Config's DataSources."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from okrcli.core.model import DataSource
from okrcli.files import schema, schema_errors
from okrcli.files.workspace import open_workspace
from tests.test_validate import error, lines, validate, write_team

GOOD = """\
organization: Acme
sources:
  hris: {csv: exports/hr-metrics.csv, key: metric, value: value}
  crm:  {json: exports/crm.json}
  attrition: {command: [python3, scripts/attrition.py], format: json, timeout: 30}
  finance:
    command: [./report, --csv]
    format: csv
    key: account
    value: amount
"""

TEAM_WITH_SOURCES = """\
objectives:
  - id: people
    title: Hire 12
    key_results:
      - id: offers
        title: Offers from 60 to 75
        baseline: 60
        target: 75
        source: hirs:offer-rate
      - id: dashboard
        title: Dashboard live in 1 month
        done: false
        source: zzz:dashboard
"""


def config(root: Path, text: str) -> None:
    (root / "okr.yaml").write_text(text, encoding="utf-8")


def test_a_valid_declaration_becomes_the_configs_sources(okr_dir: Path) -> None:
    config(okr_dir, GOOD)
    assert validate(okr_dir).stdout == ""
    workspace = open_workspace(okr_dir)
    assert workspace.config is not None
    assert workspace.config.sources == (
        DataSource(
            "hris", "csv", "csv", path="exports/hr-metrics.csv", key="metric", value="value"
        ),
        DataSource("crm", "json", "json", path="exports/crm.json"),
        DataSource(
            "attrition", "command", "json", command=("python3", "scripts/attrition.py"), timeout=30
        ),
        DataSource(
            "finance",
            "command",
            "csv",
            command=("./report", "--csv"),
            key="account",
            value="amount",
        ),
    )
    assert workspace.config.source("crm") == workspace.config.sources[1]
    assert workspace.config.source("nope") is None
    # A command's format defaults to json, its timeout to 30 seconds.
    config(okr_dir, "organization: A\nsources:\n  x: {command: [prog]}\n")
    workspace = open_workspace(okr_dir)
    assert workspace.config is not None
    assert workspace.config.sources == (DataSource("x", "command", "json", command=("prog",)),)


SAID = "okr.yaml: source "


@pytest.mark.parametrize(
    ("entry", "col", "message"),
    [
        (
            "{json: ../crm.json}",
            15,
            "okr.yaml: 'json' must be a file's path inside the OKR root, relative to it, like "
            "exports/hr-metrics.csv, not the text '../crm.json'; '..' would leave it",
        ),
        (
            "{csv: exports/../../x.csv, key: k, value: v}",
            14,
            "okr.yaml: 'csv' must be a file's path inside the OKR root, relative to it, like "
            "exports/hr-metrics.csv, not the text 'exports/../../x.csv'; '..' would leave it",
        ),
        (
            "{json: /etc/passwd}",
            15,
            "okr.yaml: 'json' must be a file's path inside the OKR root, relative to it, like "
            "exports/hr-metrics.csv, not the text '/etc/passwd'; write it relative to the "
            "folder of okr.yaml",
        ),
        (
            "{csv: a.csv, json: b.json, key: k, value: v}",
            21,
            SAID + "'src' has both 'csv' and 'json'; a source reads one file or runs one "
            "command, so declare two sources",
        ),
        (
            "{key: k}",
            3,
            SAID + "'src' says nothing to read; give it csv: PATH, json: PATH or command: [...]",
        ),
        (
            "{csv: a.csv, value: v}",
            3,
            SAID + "'src' reads CSV, so it needs 'key:', the column that holds KEY",
        ),
        (
            "{csv: a.csv, key: k, value: k}",
            36,
            SAID + "'src': 'key' and 'value' are both the column 'k'; name two columns",
        ),
        (
            "{json: a.json, key: k}",
            23,
            SAID + "'src': 'key' is for CSV data; a KR names a JSON value by its dot path "
            "(source: src:regions.east.customers)",
        ),
        (
            '{command: "python3 x.py"}',
            18,
            "okr.yaml: 'command' must be the program and its arguments as a list of texts, like "
            "[python3, scripts/report.py], not the text 'python3 x.py'; okr runs no shell, so "
            "write it as a list",
        ),
        (
            "{command: []}",
            18,
            "okr.yaml: 'command' must name the program to run, like [python3, scripts/report.py]",
        ),
        (
            "{command: [x], format: csv, key: k}",
            3,
            SAID + "'src' reads CSV, so it needs 'value:', the column that holds the value",
        ),
        (
            "{command: [x], value: v}",
            23,
            SAID + "'src': 'value' is for CSV data; a KR names a JSON value by its dot path "
            "(source: src:regions.east.customers); add format: csv if the command writes CSV",
        ),
        (
            "{command: [x], format: xml}",
            31,
            "okr.yaml: 'format' must be one of 'json' or 'csv', not the text 'xml'",
        ),
        ("{command: [x], timeout: 0}", 32, "okr.yaml: 'timeout' must be greater than 0, not 0"),
        (
            "{command: [x], timeout: 4000}",
            32,
            "okr.yaml: 'timeout' must be at most 3600 seconds, not 4000",
        ),
        (
            "{csv: a.csv, key: k, value: v, timeout: 5}",
            39,
            SAID + "'src': 'timeout' is for a command; a csv file is read as csv",
        ),
        (
            "exports/x.csv",
            8,
            "okr.yaml: a source (csv, json or command) must be a mapping of keys, not the text "
            "'exports/x.csv'",
        ),
        ("{jsn: a.json}", 9, "okr.yaml: unknown key 'jsn'; did you mean 'json'?"),
    ],
)
def test_e012_for_a_bad_declaration_at_its_position(
    okr_dir: Path, entry: str, col: int, message: str
) -> None:
    config(okr_dir, f"organization: Acme\nsources:\n  src: {entry}\n")
    found = [line for line in lines(validate(okr_dir)) if f"okr.yaml:3:{col}:" in line]
    assert error(3, col, "E012", message, "okr.yaml") in found, lines(validate(okr_dir))


def test_e012_for_a_source_name_a_kr_cannot_name(okr_dir: Path) -> None:
    config(okr_dir, 'organization: Acme\nsources:\n  "hr data": {json: a.json}\n')
    assert lines(validate(okr_dir)) == [
        error(
            3,
            3,
            "E012",
            "okr.yaml: source name 'hr data' may use only letters, digits, '-' and '_', "
            "starting with a letter or digit (a KR names it in source: NAME:KEY)",
            "okr.yaml",
        )
    ]


def test_e013_names_the_undeclared_source_at_its_value(okr_dir: Path) -> None:
    config(okr_dir, GOOD)
    write_team(okr_dir, TEAM_WITH_SOURCES)
    result = validate(okr_dir)
    assert result.exit_code == 1
    assert lines(result) == [
        error(9, 17, "E013", "source 'hirs' is not declared in okr.yaml; did you mean 'hris'?"),
        error(
            13,
            17,
            "E013",
            "source 'zzz' is not declared in okr.yaml; okr.yaml declares attrition, crm, "
            "finance, hris",
        ),
    ]


def test_e013_goes_when_okr_yaml_declares_the_source(okr_dir: Path) -> None:
    """The file did not change, only okr.yaml: a cached result must not be reused."""
    write_team(okr_dir, TEAM_WITH_SOURCES.replace("hirs:", "hris:"))
    config(okr_dir, GOOD)
    assert [line.split(": ", 1)[0] for line in lines(validate(okr_dir))] == [
        "2026-Q3/team.yaml:13:17"
    ]
    config(okr_dir, GOOD + "  zzz: {json: z.json}\n")
    assert lines(validate(okr_dir)) == []


def test_no_e013_while_okr_yaml_itself_is_invalid(okr_dir: Path) -> None:
    """With okr.yaml in error, which sources exist is unknown: okr.yaml's own errors say
    what to fix, and the KRs' sources are checked once it is fixed."""
    config(okr_dir, GOOD + "colour: blue\n")
    write_team(okr_dir, TEAM_WITH_SOURCES)
    assert [line.split("]", 1)[0][-4:] for line in lines(validate(okr_dir))] == ["E012"]


def test_a_team_file_cannot_declare_sources(okr_dir: Path) -> None:
    """Only okr.yaml, the reviewed configuration, declares sources (SPEC §19); test_sync.py
    proves that `okr sync` then runs nothing."""
    write_team(okr_dir, "sources:\n  x: {command: [touch, marker]}\nobjectives: []\n")
    assert lines(validate(okr_dir)) == [
        error(
            1,
            1,
            "E003",
            "unknown key 'sources'; known keys: name, owner, closed, retro, objectives",
        )
    ]


def test_the_pydantic_model_of_a_source_shadows_nothing() -> None:
    """`json` is a method of pydantic's BaseModel: the model must not warn about it (a
    warning would reach the user's terminal while okr.yaml is explained)."""
    schema_errors.model_of.cache_clear()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for shape in (schema.SOURCE, schema.CONFIG, schema.KEY_RESULT):
            schema_errors.model_of(shape)
    found = schema_errors.findings(schema.SOURCE, {"json": "../x", "jsn": 1}, ("sources", "x"))
    assert [(f.code, f.path) for f in found] == [
        ("E005", ("sources", "x", "json")),
        ("E003", ("sources", "x", "jsn")),
    ]


# --- the editors' schema says the same --------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "valid"),
    [
        ("{csv: exports/hr.csv, key: metric, value: value}", True),
        ("{json: exports/crm.json}", True),
        ("{command: [python3, x.py]}", True),
        ("{command: [python3, x.py], format: json, timeout: 30}", True),
        ("{command: [x], format: csv, key: k, value: v}", True),
        ("{json: ../crm.json}", False),
        ("{csv: exports/hr.csv}", False),
        ("{csv: a.csv, json: b.json, key: k, value: v}", False),
        ("{json: a.json, key: k}", False),
        ("{command: [x], key: k, value: v}", False),
        ("{command: 'python3 x.py'}", False),
        ("{command: [x], timeout: 4000}", False),
        ("{csv: a.csv, key: k, value: v, timeout: 3}", False),
        ("{key: k}", False),
    ],
)
def test_check_jsonschema_takes_the_declarations_okr_takes(
    tmp_path: Path, entry: str, valid: bool
) -> None:
    from okrcli.files import schema_json
    from tests.test_schema_json import check

    schema_file = tmp_path / "config.schema.json"
    schema_file.write_text(schema_json.text("config"), encoding="utf-8")
    root = tmp_path / "okrs"
    (root / "2026-Q3").mkdir(parents=True)
    config(root, f"organization: Acme\nsources:\n  src: {entry}\n")
    assert check(schema_file, root / "okr.yaml").returncode == (0 if valid else 1)
    assert (validate(root).exit_code == 0) == valid
