"""The shapes' plain-Python check agrees with the pydantic models built from them, and the
runs that find nothing wrong never import pydantic.

`Shape.is_clean` lets a clean mapping skip pydantic; it is only sound if it says "clean"
exactly when the model reports no error, so a property test generates mappings of every
shape from keys and values that each rule accepts or refuses, and compares the two.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from okrcli.files import schema, schema_errors
from tests.conftest import git

SHAPES = [
    schema.KEY_RESULT,
    schema.OBJECTIVE,
    schema.TEAM,
    schema.CYCLE,
    schema.STATUS,
    schema.LINT,
    schema.PERSON,
    schema.CONFIG,
    schema.SOURCE,
]

# Values near every rule's edges: numbers in and out of range, bool (never a number), the
# texts the enum and date rules want, lists of texts and not, mappings, null.
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-3, max_value=3),
    st.sampled_from([0.5, 1.0, 1.5, -0.0, 10**16, 1e300, float("inf"), float("nan"), 2.0]),
    st.sampled_from(["committed", "aspirational", "2026-07-01", "2026-02-30", "x", "", " "]),
    st.sampled_from(["a@b.example", "a@", "@b", "a b@c.example"]),
    # The edges of carried_from (CYCLE/TEAM/OBJECTIVE of ids) and source (NAME:KEY).
    st.sampled_from(["2026-Q2/hr-admin/talent", "2026-Q2/HR/talent", "a/b", "hris:x", "x:"]),
    # The edges of a source (SPEC §19): paths that stay inside the root and that leave it,
    # the two formats, timeouts at and past the limit.
    st.sampled_from(["exports/hr.csv", "../hr.csv", "a/../b", "/etc/passwd", "json", "csv"]),
    st.sampled_from([3600, 3601, 0.5, 0]),
    st.lists(
        st.sampled_from(["company/growth", "a", 1, None, "a@b.example", " a@b", " "]), max_size=3
    ),
    st.dictionaries(st.sampled_from(["a", "start"]), st.integers(0, 2), max_size=2),
)


# A value each rule accepts.
VALID = {
    schema.text: "x",
    schema.title: "Open 3 offices",
    schema.number: 3,
    schema.fraction: 0.5,
    schema.positive: 2,
    schema.flag: True,
    schema.date: "2026-07-01",
    schema.count: 4,
    schema.aligns: "company/growth",
    schema.kind: "committed",
    schema.mapping: {},
    schema.text_list: ["x"],
    schema.a_list: [],
    schema.emails: ["wang.fang@acme.example"],
    schema.prose: "Referrals beat agencies",
    schema.carried_from: "2026-Q2/hr-admin/talent",
    schema.source: "hris:offer-rate",
    schema.source_path: "exports/hr-metrics.csv",
    schema.argv: ["python3", "scripts/attrition.py"],
    schema.source_format: "csv",
    schema.column: "metric",
    schema.seconds: 30,
}


@st.composite
def mappings(draw: st.DrawFn, shape: schema.Shape) -> dict[Any, Any]:
    """A valid mapping (its required keys and some others), then at most two changes: a key
    set to any value, a key left out, or a key no shape knows. Mostly one problem at a
    time, as in real files, so each rule's edge is met on its own."""
    required = [key for key, (_, presence) in shape.fields.items() if presence == "required"]
    others = [key for key in shape.fields if key not in required]
    kept = required + draw(st.lists(st.sampled_from(others), unique=True)) if others else required
    mapping: dict[Any, Any] = {key: VALID[shape.fields[key][0]] for key in kept}
    keys = st.sampled_from([*shape.fields, "unknown_key", 7])
    for _ in range(draw(st.integers(0, 2))):
        key = draw(keys)
        if draw(st.booleans()):
            mapping[key] = draw(VALUES)
        else:
            mapping.pop(key, None)
    return mapping


@pytest.mark.parametrize("shape", SHAPES, ids=[shape.name for shape in SHAPES])
@settings(max_examples=500)  # pure functions: many examples cost about a second
@given(data=st.data())
def test_is_clean_exactly_when_pydantic_finds_nothing(shape: schema.Shape, data: Any) -> None:
    mapping = data.draw(mappings(shape))
    findings = schema_errors.findings(shape, mapping, ())
    assert shape.is_clean(mapping) == (findings == []), findings


@pytest.mark.parametrize("shape", SHAPES, ids=[shape.name for shape in SHAPES])
def test_a_complete_valid_mapping_is_clean(shape: schema.Shape) -> None:
    """A positive control for the property above: it meets clean mappings, not only dirty."""
    mapping = {key: VALID[rule] for key, (rule, _) in shape.fields.items()}
    assert shape.is_clean(mapping)
    assert schema_errors.findings(shape, mapping, ()) == []


# --- what a run imports ---------------------------------------------------------------------

_PROBE = """
import json, sys
from okrcli.cli.app import main
sys.argv = ["okr", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
heavy = ("pydantic", "ruamel")
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules if m.startswith(heavy)})),
      file=sys.stderr)
"""


def imported(repo: Path, *args: str) -> list[str]:
    """The heavy libraries a real okr process imported for these arguments."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, "-C", str(repo), "--as-of", "2026-08-15", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    last = done.stderr.strip().splitlines()[-1]
    return json.loads(last)  # type: ignore[no-any-return]


def test_a_clean_check_in_and_a_warm_scorecard_never_import_pydantic(
    example_repo: Path,
) -> None:
    assert imported(example_repo, "checkin", "hr-admin/talent/offer-rate", "70") == []
    assert "offer-rate: 68 → 70" in git(example_repo, "log", "-1", "--format=%s")
    imported(example_repo, "scorecard", "--format", "json")  # warms the cache
    assert imported(example_repo, "scorecard", "--format", "json") == []
    assert imported(example_repo, "validate") == []
    assert imported(example_repo, "--no-cache", "validate") == []  # clean files, read cold


def test_a_file_with_a_problem_is_explained_by_pydantic(example_repo: Path) -> None:
    """The control: the probe sees pydantic when a finding needs it."""
    path = example_repo / "2026-Q3" / "sales.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("title:", "titel:", 1), encoding="utf-8"
    )
    assert "pydantic" in imported(example_repo, "validate")
