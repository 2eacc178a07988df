"""The write of `okr sync`, for generated values: the file then holds exactly the values
meant, and the commit's diff touches only `current:` and `done:` lines (SPEC §19, §8)."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from okrcli.core.numbers import format_number
from okrcli.files import loader
from okrcli.files.workspace import open_workspace
from tests.conftest import commit, git, run_okr

KRS = 6  # KR n is a milestone when n is odd; even ones read CSV, odd ones JSON
CONFIG = """\
organization: Acme
sources:
  hris: {csv: exports/hr.csv, key: metric, value: value}
  crm: {json: exports/crm.json}
"""

NUMBERS = st.one_of(
    st.integers(-(10**15), 10**15),
    st.floats(-1e15, 1e15, allow_nan=False, allow_infinity=False),
    st.sampled_from([0, 0.1, 7.4, 68, 1e-7, 123456.789]),
)


def team_file() -> str:
    lines = ["# generated", "objectives:", "  - id: fed", "    title: Fed 1", "    key_results:"]
    for n in range(KRS):
        source = f"hris:kr-{n}" if n % 2 == 0 else f"crm:values.kr-{n}"
        lines += [f"      - id: kr-{n}", f"        title: KR {n}"]
        if n % 3 == 1:
            lines += ["        done: false   # a milestone"]
        else:
            lines += ["        baseline: 0", "        target: 100", "        current: 5  # was"]
        lines += ["        confidence: 0.5", f"        source: '{source}'"]
    return "\n".join(lines) + "\n"


def is_milestone(n: int) -> bool:
    return n % 3 == 1


def values() -> st.SearchStrategy[list[int | float | bool]]:
    return st.tuples(*(st.booleans() if is_milestone(n) else NUMBERS for n in range(KRS))).map(list)


@settings(max_examples=20, deadline=None)
@given(wanted=values(), crlf=st.booleans())
def test_sync_writes_exactly_the_values_meant_and_only_their_lines(
    wanted: list[int | float | bool], crlf: bool
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "okrs"
        (root / "2026-Q3").mkdir(parents=True)
        (root / "exports").mkdir()
        (root / "okr.yaml").write_text(CONFIG, encoding="utf-8")
        text = team_file()
        (root / "2026-Q3/fed.yaml").write_bytes(
            text.replace("\n", "\r\n" if crlf else "\n").encode()
        )
        rows = ["metric,value"]
        crm: dict[str, object] = {}
        for n, value in enumerate(wanted):
            if n % 2 == 0:
                shown = str(value).lower() if isinstance(value, bool) else format_number(value)
                rows.append(f'kr-{n},"{shown}"')
            else:
                crm[f"kr-{n}"] = value
        (root / "exports/hr.csv").write_text("\r\n".join(rows) + "\r\n", encoding="utf-8")
        (root / "exports/crm.json").write_text(json.dumps({"values": crm}), encoding="utf-8")
        git(root, "init", "-q")
        commit(root, "generated")
        result = run_okr("-C", str(root), "--as-of", "2026-08-15", "sync")
        assert result.exit_code == 0, result

        workspace = open_workspace(root)
        (team,) = loader.load_cycle(workspace, workspace.cycles["2026-Q3"]).teams
        got = [kr.value for kr in team.objectives[0].key_results]
        assert got == wanted
        assert [type(v) is bool for v in got] == [isinstance(v, bool) for v in wanted]

        if git(root, "rev-list", "--count", "HEAD").strip() == "1":
            assert all(w == 5 or w is False for w in wanted)  # nothing differed
            return
        diff = git(root, "show", "--format=", "--unified=0", "HEAD")
        changed = [
            line
            for line in diff.splitlines()
            if line[:1] in "+-" and not line.startswith(("+++", "---"))
        ]
        assert changed, diff
        assert all(re.fullmatch(r"[+-] {8}(current|done): .*", line) for line in changed), diff
        assert len([line for line in changed if line[0] == "-"]) == len(
            [line for line in changed if line[0] == "+"]
        )
        # Every other byte stays: the comments, the CRLF line ends.
        new = (root / "2026-Q3/fed.yaml").read_bytes()
        assert new.count(b"\r\n") == (new.count(b"\n") if crlf else 0)
        assert new.count(b"# was") == text.count("# was")
