"""Splicing the keys a close writes (`score`, `retro`, `closed`) and a revision's `target`
and `baseline`: the new lines go where a person would put them, texts read back exactly
as typed, and every other byte stays."""

from __future__ import annotations

import datetime as dt
import difflib

import pytest
from conftest import EXAMPLE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from okrcli.files.writer import Change, SpliceError, splice
from okrcli.files.yaml_strict import load_positioned
from okrcli.files.yamlsource import NON_PRINTABLE, decode

HR = (EXAMPLE / "2026-Q3" / "hr-admin.yaml").read_bytes()
HR_KRS = {
    "talent": ["offer-rate", "onboarding-days", "dashboard"],
    "engagement": ["attrition", "enps", "workshops"],
    "lean-ops": ["admin-cost", "response-time", "processes-online"],
}
SMALL = b"""name: Ops
objectives:
  - id: o
    title: t
    key_results:
      - id: k
        title: reach 10
        baseline: 0
        target: 10
"""


def read(raw: bytes) -> dict:  # type: ignore[type-arg]
    return load_positioned(decode(raw)).data  # type: ignore[no-any-return]


def kr(data: dict, objective: str = "o", key: str = "k") -> dict:  # type: ignore[type-arg]
    (found,) = [o for o in data["objectives"] if o["id"] == objective]
    (result,) = [k for k in found["key_results"] if k["id"] == key]
    return result  # type: ignore[no-any-return]


def opcodes(before: bytes, after: bytes) -> list[str]:
    old = before.decode().splitlines(keepends=True)
    new = after.decode().splitlines(keepends=True)
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    return [tag for tag, *_ in matcher.get_opcodes() if tag != "equal"]


# --- where new keys go ----------------------------------------------------------------------


def test_close_keys_go_where_a_person_would_write_them() -> None:
    after = splice(
        HR,
        [
            Change("talent", "offer-rate", "score", 0.53),
            Change("talent", "offer-rate", "retro", "猎头渠道候选人质量不稳定"),
            Change("talent", "dashboard", "score", 0),
            Change("engagement", "enps", "score", 0.5),
            Change("talent", None, "retro", "招聘渠道单一是主要瓶颈"),
            Change(None, None, "closed", dt.date(2026, 10, 8)),
            Change(None, None, "retro", "内推渠道的Offer接受率明显高于猎头渠道"),
        ],
    ).raw.decode()
    team_keys = 'closed: 2026-10-08\nretro: "内推渠道的Offer接受率明显高于猎头渠道"\n'
    assert f"owner: 王芳\n{team_keys}objectives:" in after
    assert (
        "    carried_from: 2026-Q2/hr-admin/talent\n"
        '    retro: "招聘渠道单一是主要瓶颈"\n    key_results:'
    ) in after
    assert (
        '        confidence: 0.7\n        score: 0.53\n        retro: "猎头渠道候选人质量不稳定"\n'
        "      - id: onboarding-days"
    ) in after
    assert "        done: false\n        confidence: 0.6\n        score: 0\n" in after
    # After a commented line, the comment keeps its line.
    assert "        confidence: 0.4   # 调研样本偏小,信心不足\n        score: 0.5\n" in after
    assert opcodes(HR, after.encode()) == ["insert"] * 5


@pytest.mark.parametrize(
    ("extra", "anchor"),
    [
        ("", "        target: 10\n        score: 0.5\n"),
        ("        current: 4\n", "        current: 4\n        score: 0.5\n"),
        (
            "        current: 4\n        confidence: 0.9\n",
            "        confidence: 0.9\n        score: 0.5\n",
        ),
    ],
)
def test_score_goes_after_the_last_value_line(extra: str, anchor: str) -> None:
    after = splice(SMALL + extra.encode(), [Change("o", "k", "score", 0.5)]).raw.decode()
    assert after.endswith(anchor)


def test_an_objective_retro_above_key_results_or_after_its_id() -> None:
    above = splice(SMALL, [Change("o", None, "retro", "x")]).raw.decode()
    assert '    title: t\n    retro: "x"\n    key_results:' in above
    dash_first = (
        b"objectives:\n- key_results:\n  - {id: k, title: reach 3, baseline: 0, target: 3}\n"
        b"  id: o\n  title: t\n"
    )
    after = splice(dash_first, [Change("o", None, "retro", "y")]).raw.decode()
    assert after.endswith('  id: o\n  retro: "y"\n  title: t\n')


def test_a_file_without_a_final_line_break_keeps_none() -> None:
    raw = SMALL.rstrip(b"\n")
    after = splice(raw, [Change("o", "k", "score", 1), Change("o", "k", "retro", "a\nb")]).raw
    assert after == raw + b"\n        score: 1\n        retro: |-\n          a\n          b"


def test_crlf_and_bom_are_kept() -> None:
    raw = b"\xef\xbb\xbf" + SMALL.replace(b"\n", b"\r\n")
    changes = [
        Change("o", "k", "retro", "one\ntwo\n"),
        Change(None, None, "closed", dt.date(2026, 9, 30)),
    ]
    after = splice(raw, changes).raw
    assert after.startswith(b"\xef\xbb\xbfname: Ops\r\nclosed: 2026-09-30\r\nobjectives:")
    assert after.endswith(b"target: 10\r\n        retro: |\r\n          one\r\n          two\r\n")
    assert kr(read(after))["retro"] == "one\ntwo\n"


def test_a_team_file_in_flow_style_is_refused() -> None:
    raw = (
        b"{name: Ops, objectives: [{id: o, title: t, key_results: "
        b"[{id: k, title: x 1, done: false}]}]}\n"
    )
    with pytest.raises(SpliceError, match="nothing to place one beside"):
        splice(raw, [Change(None, None, "closed", dt.date(2026, 9, 30))])
    with pytest.raises(SpliceError, match="flow style"):
        splice(raw, [Change("o", None, "retro", "x")])


def test_revision_keys_replace_their_values_only() -> None:
    after = splice(
        HR,
        [
            Change("engagement", "enps", "target", 7.6),
            Change("engagement", "enps", "baseline", 7.1),
        ],
    ).raw
    diff = [
        line
        for line in difflib.unified_diff(
            HR.decode().splitlines(), after.decode().splitlines(), n=0, lineterm=""
        )
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert diff == [
        "-        baseline: 7.0",
        "-        target: 7.8",
        "+        baseline: 7.1",
        "+        target: 7.6",
    ]


# --- texts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("one line: with # and 'quotes'", "retro: \"one line: with # and 'quotes'\"\n"),
        ('引号"和\\反斜杠', 'retro: "引号\\"和\\\\反斜杠"\n'),
        ("two\nlines\n", "retro: |\n          two\n          lines\n"),
        ("no final\nbreak", "retro: |-\n          no final\n          break\n"),
        ("  indented\nfirst line", "retro: |2-\n            indented\n          first line\n"),
        ("\n\nafter blank lines", "retro: |-\n\n\n          after blank lines\n"),
        ("with\n\ninner blank", "retro: |-\n          with\n\n          inner blank\n"),
        ("\ttab first\nline", 'retro: "\\ttab first\\nline"\n'),
        ("kept\nblank lines\n\n", 'retro: "kept\\nblank lines\\n\\n"\n'),
        ("carriage\rreturn\nx", 'retro: "carriage\\rreturn\\nx"\n'),
        (
            "# not a comment\n---\n...\n",
            "retro: |\n          # not a comment\n          ---\n          ...\n",
        ),
    ],
)
def test_a_text_is_written_to_read_back_as_itself(text: str, written: str) -> None:
    after = splice(SMALL, [Change("o", "k", "retro", text)]).raw
    assert after.decode().endswith("        target: 10\n        " + written)
    assert kr(read(after))["retro"] == text


@pytest.mark.parametrize(
    ("old", "kept"),
    [
        ("retro: plain old text   # a comment\n", '        retro: "new"   # a comment\n'),
        ("retro: 'it''s old' # c\n", '        retro: "new" # c\n'),
        ('retro: "old # not a comment" # c\n', '        retro: "new" # c\n'),
        (
            "retro: |  # header comment\n          old\n\n          text\n",
            '        retro: "new"  # header comment\n',
        ),
        ("retro: >-\n          folded\n          old\n", '        retro: "new"\n'),
        ("retro: plain\n          over two lines\n", '        retro: "new"\n'),
        ('retro: "quoted\n          over two"\n', '        retro: "new"\n'),
    ],
)
def test_a_text_in_the_file_is_replaced_whatever_its_style(old: str, kept: str) -> None:
    raw = SMALL + b"        " + old.encode() + b"        weight: 2\n"
    for new in ("new", "new\nlines\n"):
        after = splice(raw, [Change("o", "k", "retro", new)]).raw
        assert kr(read(after))["retro"] == new and kr(read(after))["weight"] == 2
        if new == "new":
            assert after.decode().endswith("        target: 10\n" + kept + "        weight: 2\n")


# --- the property ---------------------------------------------------------------------------

# Any text a file can hold: printable characters (CJK, quotes, YAML's indicators) and line
# breaks and tabs, with something in it.
TEXTS = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8").filter(lambda c: not NON_PRINTABLE.match(c)),
        st.sampled_from(list("\n\t\r \"'#:|>-[]{}&*!%@`,?\\内推渠道“”：？")),
    ),
    min_size=1,
    max_size=40,
).filter(lambda text: text.strip() != "")
SCORES = st.one_of(
    st.integers(0, 1),
    st.floats(0, 1, allow_nan=False),
    st.sampled_from([0.53, 0.1 + 0.2, 1e-7, 0.999999999]),
)
KR_KEYS = [(objective, key) for objective, keys in HR_KRS.items() for key in keys]


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(
    scores=st.lists(SCORES, min_size=len(KR_KEYS), max_size=len(KR_KEYS)),
    kr_retros=st.dictionaries(st.sampled_from(KR_KEYS), TEXTS, max_size=4),
    objective_retros=st.dictionaries(st.sampled_from(list(HR_KRS)), TEXTS, max_size=2),
    team_retro=st.none() | TEXTS,
    crlf=st.booleans(),
)
def test_close_writes_read_back_as_meant_and_nothing_else_changes(
    scores: list[float],
    kr_retros: dict[tuple[str, str], str],
    objective_retros: dict[str, str],
    team_retro: str | None,
    crlf: bool,
) -> None:
    raw = HR.replace(b"\n", b"\r\n") if crlf else HR
    changes = []
    for (objective, key), score in zip(KR_KEYS, scores, strict=True):
        changes.append(Change(objective, key, "score", score))
        if (objective, key) in kr_retros:
            changes.append(Change(objective, key, "retro", kr_retros[(objective, key)]))
    changes += [Change(o, None, "retro", text) for o, text in objective_retros.items()]
    changes.append(Change(None, None, "closed", dt.date(2026, 10, 8)))
    if team_retro is not None:
        changes.append(Change(None, None, "retro", team_retro))
    after = splice(raw, changes).raw
    data = read(after)
    # Scores and texts read back as meant ...
    for (objective, key), score in zip(KR_KEYS, scores, strict=True):
        assert kr(data, objective, key)["score"] == score
        assert kr(data, objective, key).get("retro") == kr_retros.get((objective, key))
    for objective in data["objectives"]:
        assert objective.get("retro") == objective_retros.get(objective["id"])
    assert data["closed"] == "2026-10-08" and data.get("retro") == team_retro
    # ... and the file minus the new lines is the original, byte for byte.
    old = raw.decode().splitlines(keepends=True)
    new = after.decode().splitlines(keepends=True)
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    assert {tag for tag, *_ in matcher.get_opcodes()} <= {"equal", "insert"}
    kept = [
        line for tag, _, _, j1, j2 in matcher.get_opcodes() if tag == "equal" for line in new[j1:j2]
    ]
    assert "".join(kept) == raw.decode()
