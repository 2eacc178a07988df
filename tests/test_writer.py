"""Splicing check-in values into team files: one line changes, every other byte stays."""

from __future__ import annotations

import difflib
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import EXAMPLE, run_okr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from okrcli.files import atomic
from okrcli.files.atomic import remove_stale_temporaries, replace_all, write_atomic
from okrcli.files.writer import Change, SpliceError, same_data, scalar_text, splice
from okrcli.files.yaml_strict import load_positioned
from okrcli.files.yamlsource import Positioned, decode

HR = (EXAMPLE / "2026-Q3" / "hr-admin.yaml").read_bytes()


def changed_lines(before: bytes, after: bytes) -> list[tuple[str, list[str], list[str]]]:
    """(tag, old lines, new lines) of every difference, line endings kept."""
    old = before.decode("utf-8").splitlines(keepends=True)
    new = after.decode("utf-8").splitlines(keepends=True)
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    return [
        (tag, old[i1:i2], new[j1:j2])
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]


def test_one_value_changes_one_line() -> None:
    after = splice(HR, [Change("talent", "offer-rate", "current", 70)]).raw
    assert changed_lines(HR, after) == [
        ("replace", ["        current: 68\n"], ["        current: 70\n"])
    ]


def test_a_trailing_comment_survives_in_its_column() -> None:
    after = splice(HR, [Change("engagement", "enps", "confidence", 0.55)]).raw
    assert changed_lines(HR, after) == [
        (
            "replace",
            ["        confidence: 0.4   # 调研样本偏小,信心不足\n"],
            ["        confidence: 0.55  # 调研样本偏小,信心不足\n"],
        )
    ]


def test_a_missing_confidence_goes_after_current() -> None:
    after = splice(HR, [Change("engagement", "attrition", "confidence", 0.5)]).raw
    diff = changed_lines(HR, after)
    assert diff == [("insert", [], ["        confidence: 0.5\n"])]
    text = after.decode()
    assert "        current: 7.6\n        confidence: 0.5\n      - id: enps" in text


def test_a_milestone_gets_true() -> None:
    after = splice(HR, [Change("talent", "dashboard", "done", True)]).raw
    assert changed_lines(HR, after) == [
        ("replace", ["        done: false\n"], ["        done: true\n"])
    ]


def test_numbers_are_written_in_shortest_exact_form() -> None:
    assert scalar_text(70.0) == "70"
    assert scalar_text(7.4) == "7.4"
    assert scalar_text(0.1 + 0.2) == "0.30000000000000004"  # exact, never rounded away
    assert scalar_text(False) == "false"


TEMPLATE = (
    "objectives:\n"
    "  - id: o\n"
    "    title: 目标 one\n"
    "    key_results:\n"
    "      - id: k\n"
    "        title: reach 10\n"
    "        baseline: 0\n"
    "        target: 10{extra}"
)


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("\n", "        target: 10\n        current: 4\n"),
        ("", "        target: 10\n        current: 4"),  # no final newline: none added
        ("\n        current: ~\n", "        target: 10\n        current: 4\n"),
        ("\n        current: null   # not yet\n", "        current: 4      # not yet\n"),
        ("\n        current:\n", "        target: 10\n        current: 4\n"),
        ("\n        current:    # none yet\n", "        current: 4  # none yet\n"),
    ],
)
def test_absent_or_empty_current(extra: str, expected: str) -> None:
    raw = TEMPLATE.format(extra=extra).encode()
    after = splice(raw, [Change("o", "k", "current", 4)]).raw.decode()
    assert expected in after
    assert load_positioned(after).data["objectives"][0]["key_results"][0]["current"] == 4


def test_crlf_and_bom_are_kept() -> None:
    raw = b"\xef\xbb\xbf" + TEMPLATE.format(extra="\n").replace("\n", "\r\n").encode()
    after = splice(raw, [Change("o", "k", "current", 4), Change("o", "k", "confidence", 0.9)]).raw
    assert after.startswith(b"\xef\xbb\xbf")
    assert after == raw + b"        current: 4\r\n        confidence: 0.9\r\n"


def test_a_first_key_on_the_dash_line_sets_the_indentation() -> None:
    raw = (
        b"objectives:\n- id: o\n  title: t\n  key_results:\n"
        b"  - target: 10\n    baseline: 0\n    id: k\n    title: reach 10\n"
    )
    after = splice(raw, [Change("o", "k", "current", 3)]).raw
    assert b"  - target: 10\n    current: 3\n    baseline: 0\n" in after


def test_flow_style_is_refused() -> None:
    raw = (
        b"objectives:\n  - id: o\n    title: t\n    key_results:\n"
        b"      - {id: k, title: t 1, baseline: 0, target: 1}\n"
    )
    with pytest.raises(SpliceError, match="flow style"):
        splice(raw, [Change("o", "k", "current", 1)])


def test_an_unknown_key_result_is_refused() -> None:
    with pytest.raises(SpliceError, match="no key result talent/nope"):
        splice(HR, [Change("talent", "nope", "current", 1)])


def test_a_wrong_parse_of_the_original_is_caught_by_the_proof() -> None:
    """Given positions that do not belong to the text (a damaged cache), the edit lands on
    the wrong bytes and the proof refuses it: nothing is returned to write."""
    right = load_positioned(decode(HR))
    shifted = {p: (a + 1, b, c + 1, d) for p, (a, b, c, d) in right.positions.items()}
    wrong = Positioned(right.data, shifted, right.duplicates)
    with pytest.raises(SpliceError, match="nothing was written"):
        splice(HR, [Change("talent", "offer-rate", "current", 70)], positioned=wrong)


def test_write_atomic_keeps_the_mode_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "team.yaml"
    target.write_bytes(b"old\n")
    target.chmod(0o600)
    write_atomic(target, b"new\n")
    assert target.read_bytes() == b"new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert os.listdir(tmp_path) == ["team.yaml"]


def test_write_atomic_refuses_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "real.yaml"
    real.write_bytes(b"old\n")
    link = tmp_path / "link.yaml"
    link.symlink_to(real)
    with pytest.raises(Exception, match="symbolic link"):
        write_atomic(link, b"new\n")
    assert real.read_bytes() == b"old\n" and link.is_symlink()


def test_replace_all_makes_every_file_durable_then_renames_each_and_says_so(
    tmp_path: Path,
) -> None:
    paths = [tmp_path / f"team-{index}.yaml" for index in range(70)]  # more than open at once
    for index, path in enumerate(paths):
        path.write_bytes(b"old\n")
        path.chmod(0o600 if index % 2 else 0o644)
    renamed: list[int] = []
    replace_all(
        [(path, f"new {index}\n".encode()) for index, path in enumerate(paths)], renamed.append
    )
    assert renamed == list(range(70))
    for index, path in enumerate(paths):
        assert path.read_bytes() == f"new {index}\n".encode()
        assert stat.S_IMODE(path.stat().st_mode) == (0o600 if index % 2 else 0o644)
    assert sorted(os.listdir(tmp_path)) == sorted(path.name for path in paths)


def test_replace_all_failing_renames_nothing_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    first, real = tmp_path / "a.yaml", tmp_path / "real.yaml"
    first.write_bytes(b"old\n")
    real.write_bytes(b"old\n")
    link = tmp_path / "b.yaml"
    link.symlink_to(real)
    renamed: list[int] = []
    working: list[int] = []
    with pytest.raises(Exception, match="symbolic link"):
        replace_all([(first, b"new\n"), (link, b"new\n")], renamed.append, working.append)
    assert renamed == [] and working == [0, 1]
    assert first.read_bytes() == b"old\n" and real.read_bytes() == b"old\n"
    assert sorted(os.listdir(tmp_path)) == ["a.yaml", "b.yaml", "real.yaml"]


def test_the_first_descriptor_that_cannot_be_made_durable_is_named(tmp_path: Path) -> None:
    handles = [os.open(tmp_path / f"f{index}", os.O_WRONLY | os.O_CREAT) for index in range(6)]
    reader, writer = os.pipe()  # a pipe cannot be fsynced (EINVAL)
    try:
        assert atomic._fsync_all(handles) is None
        failed = atomic._fsync_all([*handles[:3], reader, *handles[3:], writer])
        assert failed is not None and failed[0] == 3 and isinstance(failed[1], OSError)
    finally:
        for handle in [*handles, reader, writer]:
            os.close(handle)


# --- property: generated team files and values ----------------------------------------------

TITLES = [
    "reach 10 customers",
    "关键岗位Offer接受率从60%提升至75%以上",
    "'quoted: 5'",
    '"say \\"3\\""',
]
COMMENTS = ["", " # note", "   # 调研样本偏小", "  #x"]


@dataclass
class KrSpec:
    id: str
    title: str
    baseline: str
    target: str
    current: str | None  # the text after `current:`; None: no current line
    confidence: str | None
    comment: str  # after the current (or target) value


@dataclass
class FileSpec:
    krs: list[KrSpec]
    indent: int
    dash_indent: int
    newline: str
    bom: bool
    final_newline: bool
    header: str

    def lines(self) -> list[str]:
        """The file as lines without terminators, and where each KR's keys sit."""
        pad = " " * self.indent
        dash = " " * self.dash_indent
        out = [*([self.header] if self.header else []), "objectives:", f"{dash}- id: obj"]
        inner = dash + "  "
        out += [f"{inner}title: objective", f"{inner}key_results:"]
        for kr in self.krs:
            item = inner + pad
            key = item + "  "
            out.append(f"{item}- id: {kr.id}")
            out.append(f"{key}title: {kr.title}")
            out.append(f"{key}baseline: {kr.baseline}")
            out.append(f"{key}target: {kr.target}" + ("" if kr.current is not None else kr.comment))
            if kr.current is not None:
                out.append(f"{key}current:{kr.current}{kr.comment}")
            if kr.confidence is not None:
                out.append(f"{key}confidence: {kr.confidence}")
            out.append("")
        return out

    def render(self) -> bytes:
        text = self.newline.join(self.lines())
        if not self.final_newline:
            text = text.rstrip("\r\n")
        return (b"\xef\xbb\xbf" if self.bom else b"") + text.encode("utf-8")


numbers_text = st.sampled_from(["0", "10", "7.5", "-3", "1e3", "0x10", ".5", "100.0"])


@st.composite
def kr_specs(draw: st.DrawFn, index: int) -> KrSpec:
    baseline = draw(numbers_text)
    target = draw(
        numbers_text.filter(
            lambda t: (
                float(int(t, 16) if "x" in t else t)
                != float(int(baseline, 16) if "x" in baseline else baseline)
            )
        )
    )
    current = draw(st.sampled_from([None, " 5", " 68", " ~", "", " 7.25", " null"]))
    return KrSpec(
        id=f"kr-{index}",
        title=draw(st.sampled_from(TITLES)),
        baseline=baseline,
        target=target,
        current=current,
        confidence=draw(st.sampled_from([None, "0.5", "1", "0"])),
        comment=draw(st.sampled_from(COMMENTS)),
    )


@st.composite
def file_specs(draw: st.DrawFn) -> FileSpec:
    count = draw(st.integers(1, 3))
    return FileSpec(
        krs=[draw(kr_specs(i)) for i in range(count)],
        indent=draw(st.sampled_from([0, 2])),
        dash_indent=draw(st.sampled_from([0, 2])),
        newline=draw(st.sampled_from(["\n", "\r\n"])),
        bom=draw(st.booleans()),
        final_newline=draw(st.booleans()),
        header=draw(st.sampled_from(["", "# 团队 OKR", "name: 行政人事部  # 部门"])),
    )


new_values = st.one_of(
    st.integers(-(10**6), 10**6),
    st.decimals(-1000, 1000, places=3, allow_nan=False, allow_infinity=False).map(float),
)
confidences = st.one_of(st.none(), st.sampled_from([0, 0.25, 0.8, 1]))


def check_property(
    raw: bytes,
    after: bytes,
    spec: FileSpec,
    index: int,
    value: float | None,
    confidence: float | None,
) -> None:
    """`value`/`confidence` are what was written (None: left alone)."""
    kr = spec.krs[index]
    value_text = None if value is None else scalar_text(value)
    confidence_text = None if confidence is None else scalar_text(confidence)
    current_changes = value_text is not None and (
        kr.current is None or kr.current.strip() != value_text
    )
    confidence_changes = confidence_text is not None and kr.confidence != confidence_text
    ending = spec.newline.encode()
    if not raw.endswith(ending):  # the last line gains its terminator when a line follows it
        assert not after.endswith(ending)
        diff = changed_lines(raw + ending, after + ending)
    else:
        diff = changed_lines(raw, after)
    old_lines = [line for _, old, _ in diff for line in old]
    new_lines = [line for _, _, new in diff for line in new]
    # Exactly the current line and the confidence line changed or appeared, nothing else.
    assert len(new_lines) == current_changes + confidence_changes
    assert len(old_lines) == (current_changes and kr.current is not None) + (
        confidence_changes and kr.confidence is not None
    )
    if current_changes:
        assert any(f"current: {value_text}" in line for line in new_lines)
        if kr.current is not None and kr.comment:
            assert any(line.rstrip("\r\n").endswith(kr.comment.strip()) for line in new_lines)
    if confidence_changes:
        assert any(f"confidence: {confidence_text}" in line for line in new_lines)
    for line in new_lines:
        assert line[len(line.rstrip("\r\n")) :] in ("", spec.newline)
    # The file re-parses to the original data with the new values.
    before = load_positioned(decode(raw)).data
    now = load_positioned(decode(after)).data
    expected_kr = before["objectives"][0]["key_results"][index]
    if value_text is not None:
        expected_kr["current"] = load_positioned(f"v: {value_text}").data["v"]
    if confidence is not None:
        expected_kr["confidence"] = confidence
    assert now == before
    assert after.startswith(b"\xef\xbb\xbf") == spec.bom


@settings(max_examples=120, deadline=None)
@given(spec=file_specs(), data=st.data(), value=new_values, confidence=confidences)
def test_property_splice_changes_exactly_the_expected_lines(
    spec: FileSpec, data: st.DataObject, value: float, confidence: float | None
) -> None:
    index = data.draw(st.integers(0, len(spec.krs) - 1))
    raw = spec.render()
    changes = [Change("obj", spec.krs[index].id, "current", value)]
    if confidence is not None:
        changes.append(Change("obj", spec.krs[index].id, "confidence", confidence))
    spliced = splice(raw, changes)
    check_property(raw, spliced.raw, spec, index, value, confidence)
    # What splice says the new bytes parse to is what they parse to, positions too.
    reread = load_positioned(decode(spliced.raw))
    assert same_data(spliced.positioned.data, reread.data)
    assert spliced.positioned.positions == reread.positions
    # Given the original's parse (as a check-in finds it cached), splice writes the same.
    cached = splice(raw, changes, positioned=load_positioned(decode(raw)))
    assert cached.raw == spliced.raw


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(spec=file_specs(), data=st.data(), value=new_values, confidence=confidences)
def test_property_checkin_command_changes_exactly_the_expected_lines(
    spec: FileSpec, data: st.DataObject, value: float, confidence: float | None
) -> None:
    index = data.draw(st.integers(0, len(spec.krs) - 1))
    raw = spec.render()
    before_kr = load_positioned(decode(raw)).data["objectives"][0]["key_results"][index]
    old = before_kr.get("current")
    old = before_kr["baseline"] if old is None else old
    if value == old and (confidence is None or confidence == before_kr.get("confidence")):
        return  # nothing to check in: covered elsewhere
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "okr.yaml").write_text("organization: T\n", encoding="utf-8")
        (root / "2026-Q3").mkdir()
        (root / "2026-Q3" / "team.yaml").write_bytes(raw)
        args = ["-C", str(root), "checkin", f"team/obj/kr-{index}", scalar_text(value), "--force"]
        if confidence is not None:
            args += ["--confidence", scalar_text(confidence)]
        result = run_okr(*args, "--no-commit")
        assert result.exit_code == 0, result
        after = (root / "2026-Q3" / "team.yaml").read_bytes()
    confidence_changes = confidence is not None and confidence != before_kr.get("confidence")
    check_property(
        raw,
        after,
        spec,
        index,
        None if value == old else value,
        confidence if confidence_changes else None,
    )


@settings(max_examples=120, deadline=None)
@given(spec=file_specs(), data=st.data())
def test_property_many_changes_at_once_write_what_one_at_a_time_writes(
    spec: FileSpec, data: st.DataObject
) -> None:
    """splice applies a file's changes bottom-up from one parse (a sync changes every KR of
    a file): the bytes are those of applying each change alone, in the order given."""
    fields = st.sampled_from(["current", "confidence"])
    picks = st.tuples(st.integers(0, len(spec.krs) - 1), fields, new_values, confidences)
    changes = []
    for index, field, value, confidence in data.draw(st.lists(picks, min_size=1, max_size=6)):
        new = value if field == "current" else (0.5 if confidence is None else confidence)
        changes.append(Change("obj", spec.krs[index].id, field, new))
    raw = spec.render()
    one_by_one = raw
    for change in changes:
        one_by_one = splice(one_by_one, [change]).raw
    assert splice(raw, changes).raw == one_by_one
    # Proved without positions (as a sync proves), the same bytes and what they read as.
    fast = splice(raw, changes, positions=False)
    assert fast.raw == one_by_one
    assert same_data(fast.data, load_positioned(decode(one_by_one)).data)


def test_values_on_the_dash_lines_of_many_key_results_change_in_one_splice() -> None:
    """Each KR's first key, on its `- ` line, is the one changed: edits from the bottom up
    keep every line above them where the first parse saw it."""
    raw = b"objectives:\n  - id: o\n    title: t\n    key_results:\n" + b"".join(
        b"      - current: %d   # was\n        id: k%d\n        title: reach 10\n"
        b"        baseline: 0\n        target: 10\n" % (n, n)
        for n in range(4)
    )
    changes = [Change("o", f"k{n}", "current", 100 + n) for n in range(4)]
    changes.append(Change("o", "k2", "confidence", 0.5))
    spliced = splice(raw, changes, positions=False)
    text = spliced.raw.decode()
    assert [line for line in text.splitlines() if "current" in line] == [
        f"      - current: {100 + n} # was" for n in range(4)
    ]
    assert "      - current: 102 # was\n        confidence: 0.5\n        id: k2\n" in text
    krs = spliced.data["objectives"][0]["key_results"]
    assert [kr["current"] for kr in krs] == [100, 101, 102, 103]
    assert spliced.positioned is None  # the fast reader proved it: no positions asked for


def test_a_text_only_the_strict_reader_reads_is_proved_by_it() -> None:
    """`&` sends a file to the strict reader; proving an added line without positions
    still proves it, and its parse (positions included) comes along."""
    raw = TEMPLATE.format(extra="\n        current: 1\n").replace("reach 10", "R&D 10").encode()
    spliced = splice(raw, [Change("o", "k", "confidence", 0.5)], positions=False)
    assert spliced.positioned is not None
    assert spliced.positioned.data["objectives"][0]["key_results"][0]["confidence"] == 0.5
    assert same_data(spliced.data, spliced.positioned.data)


@pytest.mark.parametrize("positions", [True, False])
def test_a_swap_of_number_tokens_is_proved_without_a_parse(positions: bool) -> None:
    """tokenproof's short way: the data is the expected data, and the first parse's
    positions hold for the new text (only tokens after each value's start changed)."""
    raw = TEMPLATE.format(extra="\n        current: 1   # was\n").encode()
    spliced = splice(raw, [Change("o", "k", "current", 12.5)], positions=positions)
    text = spliced.raw.decode()
    assert text.endswith("        current: 12.5 # was\n")
    reread = load_positioned(text)
    assert same_data(spliced.data, reread.data)
    if positions:
        assert spliced.positioned is not None
        assert spliced.positioned.positions == reread.positions
    else:
        assert spliced.positioned is None


def test_a_temporary_file_a_killed_write_left_is_removed_by_the_next(tmp_path: Path) -> None:
    """create_temporary names files so that remove_stale_temporaries knows them (and only
    them) for okr's own; they are the user's alone."""
    (tmp_path / "team.yaml").write_bytes(b"old\n")
    (tmp_path / "notes.tmp").write_bytes(b"mine\n")
    descriptor, left = atomic.create_temporary(tmp_path, ".team.yaml.okr-", ".tmp")
    os.close(descriptor)
    assert stat.S_IMODE(os.stat(left).st_mode) == 0o600
    remove_stale_temporaries(tmp_path)
    assert sorted(os.listdir(tmp_path)) == ["notes.tmp", "team.yaml"]


def test_a_temporary_file_is_never_one_planted_under_its_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A link planted where the next name will be is passed over, not written through."""
    victim = tmp_path / "victim"
    victim.write_bytes(b"keep\n")
    draws = iter([b"\0" * 8, b"\1" * 8])
    monkeypatch.setattr(atomic.os, "urandom", lambda size: next(draws))
    (tmp_path / ".team.yaml.okr-aaaaaaaa.tmp").symlink_to(victim)
    descriptor, path = atomic.create_temporary(tmp_path, ".team.yaml.okr-", ".tmp")
    os.write(descriptor, b"new\n")
    os.close(descriptor)
    assert path == str(tmp_path / ".team.yaml.okr-bbbbbbbb.tmp")
    assert victim.read_bytes() == b"keep\n"
