"""core.text.wrap: lines broken between words and CJK characters by the CJK rules."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from okrcli.core.text import display_width, wrap

CLOSING = tuple("，。、,;：:)）")


def test_no_line_starts_with_closing_punctuation() -> None:
    assert wrap("打造高敬业度的组织文化,让优秀的人愿意留下来", 20) == [
        "打造高敬业度的组织文",
        "化,让优秀的人愿意留",
        "下来",
    ]
    assert wrap("5个高频行政流程(用印、差旅、采购、资产、访客)全部线上化", 11) == [
        "5个高频行政",
        "流程(用印、",
        "差旅、采",
        "购、资产、",
        "访客)全部线",
        "上化",
    ]


def test_words_stay_whole_and_long_ones_are_folded() -> None:
    assert wrap("Two senior offers accepted", 12) == ["Two senior", "offers", "accepted"]
    assert wrap("abcdefghij", 4) == ["abcd", "efgh", "ij"]
    assert wrap("", 10) == [""]


@given(st.text(alphabet="ab 文化,，、（(）)。", max_size=40), st.integers(2, 30))
def test_nothing_is_lost_and_no_line_is_too_wide(text: str, width: int) -> None:
    lines = wrap(text, width)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert all(display_width(line) <= width for line in lines)
