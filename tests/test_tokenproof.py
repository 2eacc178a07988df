"""tokenproof: an edit of one-token numbers and booleans proved without a parse.

The property holds the short way to the long one: whenever swapped_tokens says yes, a full
parse of the new text reads exactly the data the caller expected."""

from __future__ import annotations

from hypothesis import event, given, settings
from hypothesis import strategies as st

from okrcli.core.scalars import resolve_plain
from okrcli.files.tokenproof import swapped_tokens
from okrcli.files.writer import Change, same_data, splice
from okrcli.files.yaml_strict import load_positioned
from okrcli.files.yamlsource import YamlProblem

# What a value line may hold after `current: `: plain numbers and booleans, and the tokens
# that look like them but read otherwise (a string, an octal, a float, a null …).
plain = ["5", "68", "-3", "0", "0.5", "12.25", "true", "false"]
lookalikes = ["007", "1e3", ".5", "0x1F", "5.", "+5", "1_000", "null", "~", '"5"', "'7'",
              "5#x", "yes", "1:0", "-", "5 6"]  # fmt: skip
tokens = st.one_of(st.sampled_from(plain), st.sampled_from(plain + lookalikes))
rests = st.sampled_from(["", "", "  # was", " # c", "#c", " ", "\t# tab"])
follows = st.sampled_from(["", "", "", "          continued\n", "        # a comment\n", "\n"])


def _file(values: list[tuple[str, str, str]]) -> str:
    krs = "".join(
        f"      - id: k{n}\n        title: reach 10\n        target: 10\n"
        f"        current: {token}{rest}\n{after}"
        for n, (token, rest, after) in enumerate(values)
    )
    return f"id: team\nobjectives:\n  - id: o\n    title: t\n    key_results:\n{krs}"


def _path(n: int) -> tuple[str | int, ...]:
    return ("objectives", 0, "key_results", n, "current")


def _with(data: object, n: int, value: object) -> object:
    assert isinstance(data, dict)
    krs = [dict(kr) for kr in data["objectives"][0]["key_results"]]
    krs[n]["current"] = value
    return {**data, "objectives": [{**data["objectives"][0], "key_results": krs}]}


@settings(max_examples=600, deadline=None)
@given(
    values=st.lists(st.tuples(tokens, rests, follows), min_size=1, max_size=4),
    data=st.data(),
)
def test_property_a_yes_is_what_a_full_parse_reads(
    values: list[tuple[str, str, str]], data: st.DataObject
) -> None:
    original = _file(values)
    try:
        old = load_positioned(original)
    except YamlProblem:  # a text no reader takes is not an edit's start
        return
    krs = old.data["objectives"][0]["key_results"]
    if any(not isinstance(kr, dict) or "current" not in kr for kr in krs):
        return
    n = data.draw(st.integers(0, len(values) - 1))
    new_token = data.draw(tokens)
    # Mostly what the new token reads as (the edit as meant), else another value.
    meant = resolve_plain(new_token)
    claimed = data.draw(st.one_of(st.just(meant), st.just(meant), st.integers(-5, 9), st.just(5.0)))
    _, rest, after = values[n]
    gap = data.draw(st.sampled_from(["", " ", "   "]))
    edited = list(values)
    edited[n] = (new_token, gap + rest.lstrip(" \t") if rest.strip() else rest, after)
    text = _file(edited)
    expected = _with(old.data, n, claimed)
    proved = swapped_tokens(original, text, old.positions, [_path(n)], old.data, expected)
    event("proved" if proved else "declined")
    if proved:
        assert same_data(load_positioned(text).data, expected)


def test_a_sync_edit_of_numbers_and_booleans_is_proved_without_a_parse() -> None:
    original = _file([("5", "  # was", ""), ("false", "", "")]).replace(
        "current: false", "done: false"
    )
    changes = [Change("o", "k0", "current", 7), Change("o", "k1", "done", True)]
    spliced = splice(original.encode(), changes, positions=False)
    text = spliced.raw.decode()
    old = load_positioned(original)
    paths = [_path(0), ("objectives", 0, "key_results", 1, "done")]
    assert swapped_tokens(original, text, old.positions, paths, old.data, spliced.data)
    assert "current: 7  # was" in text and "done: true" in text
    assert same_data(spliced.data, load_positioned(text).data)


def test_a_continued_scalar_a_quoted_number_and_a_comment_without_blank_say_no() -> None:
    for token, rest, after in [
        ("5", "", "          continued\n"),  # the value is "5 continued"
        ('"5"', "", ""),  # a string
        ("5#x", "", ""),  # a string too: `#` needs a blank before it
        ("007", "", ""),  # an octal to a YAML 1.1 reader
    ]:
        original = _file([(token, rest, after)])
        old = load_positioned(original)
        text = original.replace(f"current: {token}", "current: 7")
        expected = _with(old.data, 0, 7)
        assert not swapped_tokens(original, text, old.positions, [_path(0)], old.data, expected)


def test_a_changed_line_the_edit_did_not_name_says_no() -> None:
    original = _file([("5", "", ""), ("6", "", "")])
    old = load_positioned(original)
    text = original.replace("current: 5", "current: 7").replace("current: 6", "current: 8")
    expected = _with(old.data, 0, 7)
    assert not swapped_tokens(original, text, old.positions, [_path(0)], old.data, expected)


def test_a_kept_parse_that_is_wrong_is_caught_not_trusted() -> None:
    """The short proof stands only on a parse splice made itself: a cached parse whose
    positions are off (here by one KR's three lines) is caught by reading back."""
    from okrcli.files.textedit import SpliceError
    from okrcli.files.yamlsource import Positioned

    text = (
        "objectives:\n  - id: o\n    title: t\n    key_results:\n"
        "      - id: k0\n        target: 10\n        current: 4\n"
        "      - id: k1\n        target: 10\n        current: 4\n"
    )
    good = load_positioned(text)
    shifted = {p: (a + 3, b, c + 3, d) for p, (a, b, c, d) in good.positions.items()}
    wrong = Positioned(good.data, shifted, [])
    try:
        spliced = splice(text.encode(), [Change("o", "k0", "current", 9)], "t.yaml", wrong)
    except SpliceError:
        return  # refused: nothing written
    assert same_data(spliced.data, load_positioned(spliced.raw.decode()).data)
