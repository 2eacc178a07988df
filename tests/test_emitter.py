"""The emitter's scalars: the short way (text written as it is) agrees with ruamel's emitter
wherever it is taken, and every text scalar reads back as itself to okr and to PyYAML."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from okrcli.core.scalars import resolve_plain
from okrcli.files import emitter

# Letters, digits and the punctuation the short way allows, with some it must refuse mixed in.
LIKELY_PLAIN = st.from_regex(
    r"[a-zA-Z0-9招聘入职（）：，。 ().,/+%'#:\-\"yYnN]{0,14}", fullmatch=True
)
CYCLE_LIKE = st.from_regex(r"[0-9]{4}-[a-zA-Z0-9:.eE]{0,3}[/a-z0-9 -]{0,8}", fullmatch=True)
ANY_TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=14)


def short_way(text: str) -> bool:
    lowered = text.lower()
    blocked = emitter._YAML11_WORDS | emitter._NULL_OR_BOOL
    return bool(emitter._SURELY_PLAIN.match(text)) and lowered not in blocked


@settings(max_examples=3000)
@given(LIKELY_PLAIN | CYCLE_LIKE | ANY_TEXT)
def test_the_short_way_writes_what_ruamel_writes(text: str) -> None:
    if short_way(text):
        assert emitter._emitted(text, None) == text
        assert resolve_plain(text) == text


@settings(max_examples=1500)
@given(LIKELY_PLAIN | CYCLE_LIKE | ANY_TEXT)
def test_every_text_scalar_reads_back_as_itself(text: str) -> None:
    written = emitter.text_scalar(text)
    assert "\n" not in written
    assert yaml.safe_load(f"k: {written}\n") == {"k": text}


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("Hire 3 engineers", "Hire 3 engineers"),
        ("招聘：完成（第三季度）", "招聘：完成（第三季度）"),
        ("yes", '"yes"'),
        ("Null", "'Null'"),
        ("1e5", "'1e5'"),
        ("a: b", "'a: b'"),
        ("a #b", "'a #b'"),
        ("1:0", '"1:0"'),  # 60 to a YAML 1.1 reader (base 60)
        ("2026-Q3/hr-admin/talent", "2026-Q3/hr-admin/talent"),
        ("2026-08-15", "'2026-08-15'"),
        ("a\x85b", '"a\\Nb"'),  # a line break to YAML, which ruamel would fold at
        ("a\u2028b", '"a\\Lb"'),
    ],
)
def test_scalars_that_need_quotes_get_them(text: str, written: str) -> None:
    assert emitter.text_scalar(text) == written
