"""okrcli.yamlsource: YAML 1.2 core schema, hostile input, and the two readers agreeing.

`load_fast` (libyaml, no positions) and `load_positioned(strict=True)` (ruamel events,
1-based positions) implement the same rules; the property tests at the end generate
documents of many shapes and hold them to the same value wherever the fast reader accepts
a text, and `load_positioned` on libyaml's marks to the same positions as ruamel's.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from okrcli.core.scalars import is_number, resolve_plain
from okrcli.core.text import printable
from okrcli.files.yaml_fast import load_fast
from okrcli.files.yaml_strict import load_positioned
from okrcli.files.yamlsource import MAX_DEPTH, NeedsStrictReader, YamlProblem, check_text, decode


def both(text: str) -> Any:
    """The value both readers give (the fast one must not decline), asserted equal."""
    fast = load_fast(text)
    positioned = load_positioned(text, strict=True).data
    assert same(fast, positioned)
    return positioned


def problem(text: str) -> tuple[int, int, str]:
    with pytest.raises(YamlProblem) as caught:
        load_positioned(text)
    assert caught.value.code == "E001"
    return caught.value.line, caught.value.col, caught.value.message


def decode_problem(raw: bytes) -> tuple[int, int, str]:
    with pytest.raises(YamlProblem) as caught:
        decode(raw)
    assert caught.value.code == "E001"
    return caught.value.line, caught.value.col, caught.value.message


def same(a: Any, b: Any) -> bool:
    """Equal values of equal types, NaN equal to NaN (1 and 1.0 and True all differ)."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[key], b[key]) for key in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


# --- YAML 1.2 core schema ------------------------------------------------------------------

CORE_SCHEMA: list[tuple[str, Any]] = [
    # null
    ("", None),
    ("~", None),
    ("null", None),
    ("Null", None),
    ("NULL", None),
    ("nULL", "nULL"),
    # bool: only true/false in three spellings; YAML 1.1's yes/no/on/off/y/n are text
    ("true", True),
    ("True", True),
    ("TRUE", True),
    ("false", False),
    ("False", False),
    ("FALSE", False),
    ("tRUE", "tRUE"),
    ("yes", "yes"),
    ("Yes", "Yes"),
    ("no", "no"),
    ("NO", "NO"),
    ("on", "on"),
    ("On", "On"),
    ("off", "off"),
    ("y", "y"),
    ("n", "n"),
    # int: decimal (leading zeros are decimal, not octal), 0o octal, 0x hex
    ("0", 0),
    ("-0", 0),
    ("+12", 12),
    ("-12", -12),
    ("010", 10),
    ("08", 8),
    ("0o17", 15),
    ("0o8", "0o8"),
    ("0O17", "0O17"),
    ("0x1F", 31),
    ("0xff", 255),
    ("0X1F", "0X1F"),
    ("-0x1F", "-0x1F"),
    ("0b101", "0b101"),
    ("1_000", "1_000"),
    ("1,000", "1,000"),
    # float
    ("1.5", 1.5),
    ("-1.5", -1.5),
    (".5", 0.5),
    ("+.5", 0.5),
    ("5.", 5.0),
    ("1e3", 1000.0),
    ("1E3", 1000.0),
    ("-2.5e-3", -0.0025),
    ("1.0e+2", 100.0),
    ("1e", "1e"),
    (".e3", ".e3"),
    (".", "."),
    ("1.2.3", "1.2.3"),
    (".inf", math.inf),
    ("-.Inf", -math.inf),
    ("+.INF", math.inf),
    (".iNf", ".iNf"),
    ("inf", "inf"),
    ("Infinity", "Infinity"),
    (".nan", math.nan),
    (".NaN", math.nan),
    (".NAN", math.nan),
    ("NaN", "NaN"),
    ("nan", "nan"),
    # never dates, times or sexagesimals
    ("2026-08-15", "2026-08-15"),
    ("2026-08-15T10:00:00Z", "2026-08-15T10:00:00Z"),
    ("12:30", "12:30"),
    ("1:30:00", "1:30:00"),
    # text
    ("行政人事部", "行政人事部"),
    ("Q3", "Q3"),
    ("75%", "75%"),
]


@pytest.mark.parametrize(("plain", "value"), CORE_SCHEMA)
def test_resolve_plain_is_yaml_12_core(plain: str, value: Any) -> None:
    assert same(resolve_plain(plain), value)


@pytest.mark.parametrize(("plain", "value"), [case for case in CORE_SCHEMA if case[0]])
def test_both_readers_resolve_plain_scalars_alike(plain: str, value: Any) -> None:
    assert same(both(f"a: {plain}\n"), {"a": value})


@pytest.mark.parametrize(
    "quoted", ["'010'", '"true"', "'NO'", '"1e3"', "'.nan'", '"~"', "''", "'2026-08-15'"]
)
def test_quoted_scalars_are_always_text(quoted: str) -> None:
    assert both(f"a: {quoted}\n") == {"a": quoted[1:-1]}


def test_keys_are_text_as_written() -> None:
    assert both("1: a\ntrue: b\nnull: c\n'x y': d\n") == {
        "1": "a",
        "true": "b",
        "null": "c",
        "x y": "d",
    }


def test_block_and_flow_collections() -> None:
    text = "a:\n  - 1\n  - b: [x, 2.5, {c: ~}]\n  -\n"
    assert same(both(text), {"a": [1, {"b": ["x", 2.5, {"c": None}]}, None]})


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("a: |\n  x\n  y\n", "x\ny\n"),
        ("a: |-\n  x\n", "x"),
        ("a: >\n  x\n  y\n\n  z\n", "x y\nz\n"),
        ("a: >-\n  one\n  two\n", "one two"),
        ("a: x\n  y\n", "x y"),
        ('a: "x\\ty\\u4e2d"\n', "x\ty中"),
        ("a: 'it''s'\n", "it's"),
        ("a: x # comment\n", "x"),
        ("a: 'x # not a comment'\n", "x # not a comment"),
        ("a: x#y\n", "x#y"),
        ("a: http://example.com/a:b\n", "http://example.com/a:b"),
    ],
)
def test_scalar_styles(text: str, value: str) -> None:
    # Folded scalars once carried ruamel's round-trip fold markers (U+0007) in one reader.
    assert both(text) == {"a": value}


# --- numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, True),
        (1e15, True),
        (-(10**15), True),
        (10**15 + 1, False),
        (1.5e15, False),
        (10**400, False),  # too large for a float: must not overflow
        (math.nan, False),
        (math.inf, False),
        (True, False),
        ("1", False),
        (None, False),
    ],
)
def test_is_number(value: object, expected: bool) -> None:
    assert is_number(value) is expected


def test_very_long_integer_literal_does_not_crash() -> None:
    value = both("a: " + "9" * 5000 + "\n")["a"]
    assert isinstance(value, int) and not is_number(value)
    negative = both("a: -" + "9" * 5000 + "\n")["a"]
    assert isinstance(negative, int) and negative < 0
    # Leading zeros do not count: this is one.
    assert both("a: " + "0" * 5000 + "1\n") == {"a": 1}


# --- text guards ---------------------------------------------------------------------------


def test_bom_is_dropped_and_crlf_is_fine() -> None:
    text = decode("\ufeffa: 1\r\nb: 行政\r\n".encode())
    assert both(text) == {"a": 1, "b": "行政"}


@pytest.mark.parametrize(
    ("raw", "where"),
    [
        (b"a: \xff\n", (1, 4)),
        ("a: 行政\nb: ".encode() + "人事".encode("gbk"), (2, 4)),
        (b"a: x\nb: \xe8\xa1\n", (2, 4)),  # truncated UTF-8 sequence
    ],
)
def test_not_utf8(raw: bytes, where: tuple[int, int]) -> None:
    assert decode_problem(raw) == (*where, "file is not valid UTF-8; save it with UTF-8 encoding")


@pytest.mark.parametrize(
    ("text", "where", "code_point"),
    [
        ("a: x\x00\n", (1, 5), "0000"),
        ("a: 1\nb: \x1b[31m\n", (2, 4), "001B"),
        ("a: \x7f\n", (1, 4), "007F"),
        ("a: x\x85y\n", (1, 5), "0085"),
        ("a: x\u2028y\n", (1, 5), "2028"),
        ("a: 1\n\ufeffb: 2\n", (2, 1), "FEFF"),
        ("a: \ud800\n", (1, 4), "D800"),
    ],
)
def test_non_printable_characters(text: str, where: tuple[int, int], code_point: str) -> None:
    assert problem(text) == (*where, f"non-printable character U+{code_point}; remove it")


@pytest.mark.parametrize("marker", ["<<<<<<< HEAD", "=======", ">>>>>>> main", "||||||| base"])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_conflict_markers(marker: str, newline: str) -> None:
    text = newline.join(["a: 1", marker, "b: 2", ""])
    assert problem(text) == (
        2,
        1,
        "merge conflict marker; resolve the conflict and remove the markers",
    )


def test_text_that_only_looks_like_a_marker_is_fine() -> None:
    check_text("a: '======='\nb: '<<<<<<<<'\n========\n")


def test_tab_indentation() -> None:
    assert problem("a:\n  b: 1\n \tc: 2\n") == (
        3,
        2,
        "tab character in indentation; indent with spaces",
    )


def test_tab_inside_a_value_is_fine() -> None:
    assert load_positioned("a: 'x\ty'\n").data == {"a": "x\ty"}


def test_too_large_file() -> None:
    with pytest.raises(YamlProblem, match="larger than 16 MiB"):
        decode(b"a: 1\n" + b" " * (16 * 1024 * 1024))


# --- hostile structure ---------------------------------------------------------------------


def test_billion_laughs_is_refused_at_the_first_anchor() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for index in range(1, 9):
        prev, name = chr(ord("a") + index - 1), chr(ord("a") + index)
        lines.append(f"{name}: &{name} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]")
    text = "\n".join(lines) + "\n"
    with pytest.raises(NeedsStrictReader):
        load_fast(text)
    assert problem(text) == (1, 4, "anchors and aliases are not allowed; write the value out")


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("a: *x\n", (1, 4), "anchors and aliases are not allowed; write the value out"),
        ("? &k a\n: 1\n", (1, 3), "anchors and aliases are not allowed; write the value out"),
        ("a: !!int '5'\n", (1, 4), "tags like '!!int' are not allowed; remove the tag"),
        ("a: !!python/object:os.system x\n", (1, 4), None),
        ("a: !local x\n", (1, 4), "tags like '!local' are not allowed; remove the tag"),
        ("a: ! 5\n", (1, 4), "tags like '!' are not allowed; remove the tag"),
        ("!!map {a: 1}\n", (1, 1), "tags like '!!map' are not allowed; remove the tag"),
        ("%YAML 1.1\n---\na: 1\n", (1, 1), "YAML directives (%YAML, %TAG) are not allowed"),
        ("%YAML 1.2\n---\na: 1\n", (1, 1), "YAML directives (%YAML, %TAG) are not allowed"),
        ("%TAG ! tag:x,2026:\n---\na: 1\n", (1, 1), None),
        ("a: 1\n---\nb: 2\n", (2, 1), "more than one YAML document; keep one per file"),
        ("--- a\n--- b\n", (1, 5), None),
        ("- 1\n- 2\n", (1, 1), "the file must be a mapping of keys at the top level"),
        ("just text\n", (1, 1), "the file must be a mapping of keys at the top level"),
        ("'quoted'\n", (1, 1), "the file must be a mapping of keys at the top level"),
        ("[a, b]\n", (1, 1), "the file must be a mapping of keys at the top level"),
        ("? [a, b]\n: 1\n", (1, 3), "keys must be plain text"),
        ("{[a]: 1}\n", (1, 2), "keys must be plain text"),
        (
            "a: [1, 2\n",
            (1, 4),
            "not valid YAML (expected ',' or ']', but got '<stream end>'); this [ … ] list "
            "is not closed; add the ']'",
        ),
        (
            "a: b: c\n",
            (1, 5),
            "not valid YAML (mapping values are not allowed here); a ':' where no key can "
            "start; indent the line like the keys above it, or put a value that contains "
            "': ' in quotes",
        ),
        ("a: 'x\n", (1, 4), "a quoted value is never closed; add the closing quote on its line"),
        (
            "title: 'the team's board'\n",
            (1, 18),
            "text after a closing single quote; inside single quotes write '' for an "
            "apostrophe (it's → it''s), or use double quotes",
        ),
        (
            'a: "x" extra\n',
            (1, 8),
            "text after a closing double quote; put the whole value inside the quotes",
        ),
        (
            'objectives:\n  - id: a\n    title: "Win 3 customers\n    key_results:\n'
            '      - id: k\n        unit: "%"\n',
            (3, 12),
            "a quoted value is not closed on its line, so it runs on into the lines below; "
            "add the closing quote",
        ),
        (
            "x:\n  a: 1\n  b：2\n\n  c: 3\n",
            (3, 4),
            "full-width colon '：' where YAML needs ':' and a space; type an ASCII colon",
        ),
        (
            "x:\n  a: 1\n  b:2\n\n  # note\n  c: 3\n",
            (3, 4),
            "no space after the colon in 'b:'; write 'b: value'",
        ),
        # A quoted value on two lines, closed before the next key, is no open quote; nor is
        # a quote inside a block scalar. The real error is reported.
        ('name: "Sales\n  team"\nowner: A\nx:\n  - id: a\n     title: t\n', (6, 11), None),
        ('notes: |\n  "Quoted para\n  more\nowner: A\nx:\n  a: 1\n   b: 2\n', (7, 5), None),
        ('a:\n  - "a\n    b"\nc:\n  x: 1\n   y: 2\n', (6, 5), None),
        # A URL or a time is no `key:value` slip.
        ("links:\n  - https://x.com\n  - id: a\n   b: c\n", (4, 4), None),
        ("- 10:30\n", (1, 1), "the file must be a mapping of keys at the top level"),
        # '：' inside text is no slip: the line above the real error holds no key.
        ("x:\n  t: 文化\n    文化工作坊：覆盖80%\n   bad: 1\n", (4, 7), None),
        ("name：Sales\n", (1, 5), None),
        (
            "a: 1\nb c\nd: 2\n",
            (2, 1),
            "not valid YAML (could not find expected ':'); a key needs ':' and a space after it",
        ),
        (
            "a: {b: 1\nc: 2\n",
            (1, 4),
            "not valid YAML (expected ',' or '}', but got ':'); this { … } mapping is not "
            "closed; add the '}'",
        ),
        (
            'a: "x\n\nb: 1\n',
            (1, 4),
            "a quoted value is never closed; add the closing quote on its line",
        ),
        ('a: "\\q"\n', (1, 6), None),
    ],
)
def test_refused_structures(text: str, where: tuple[int, int], message: str | None) -> None:
    line, col, text_of_problem = problem(text)
    assert (line, col) == where
    if message is not None:
        assert text_of_problem == message


def test_fast_reader_declines_what_it_cannot_explain() -> None:
    for text in [
        "a: &x 1\n",
        "a: *x\n",
        "a: !t 1\n",
        "%YAML 1.2\n---\na: 1\n",
        "a: 1\na: 2\n",
        "- 1\n",
        "x\n",
        "~\n",
        "",
        "a: [1\n",
        "? a\n: 1\n",
        "a:\n\t- 1\n",
    ]:
        with pytest.raises(NeedsStrictReader):
            load_fast(text)


def test_empty_document_is_an_empty_mapping() -> None:
    assert load_positioned("").data == {}
    assert load_positioned("# just a comment\n").data == {}
    assert load_positioned("~\n").data == {}


@pytest.mark.parametrize("depth", [MAX_DEPTH - 1, MAX_DEPTH])
def test_nesting_up_to_the_limit_is_read(depth: int) -> None:
    # The root mapping is level 1, so `depth - 1` brackets reach level `depth`.
    text = "a: " + "[" * (depth - 1) + "]" * (depth - 1) + "\n"
    value = both(text)["a"]
    for _ in range(depth - 2):
        (value,) = value
    assert value == []


def test_nesting_beyond_the_limit_is_refused() -> None:
    text = "a: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n"
    with pytest.raises(NeedsStrictReader):
        load_fast(text)
    assert problem(text) == (1, 3 + MAX_DEPTH, f"nesting deeper than {MAX_DEPTH} levels")


def test_very_deep_nesting_is_refused_without_recursion_error() -> None:
    text = "a: " + "[" * 100_000 + "]" * 100_000 + "\n"
    assert problem(text)[2] == f"nesting deeper than {MAX_DEPTH} levels"
    block = "".join("  " * level + "k:\n" for level in range(200))
    assert problem(block)[2] == f"nesting deeper than {MAX_DEPTH} levels"


# --- positions and duplicates --------------------------------------------------------------

POSITIONED = """\
name: 行政人事部
objectives:
  - id: talent   # comment
    key_results:
      - id: offer-rate
        target: 75
      - {id: flow, done: false}
    empty:
"""


@pytest.mark.parametrize("strict", [False, True], ids=["libyaml", "ruamel"])
def test_positions_are_one_based_for_keys_and_values(strict: bool) -> None:
    result = load_positioned(strict=strict, text=POSITIONED)
    assert result.positions[("name",)] == (1, 1, 1, 7)
    assert result.positions[("objectives",)] == (2, 1, 3, 3)
    assert result.positions[("objectives", 0)] == (3, 5, 3, 5)
    assert result.positions[("objectives", 0, "id")] == (3, 5, 3, 9)
    assert result.positions[("objectives", 0, "key_results", 0, "target")] == (6, 9, 6, 17)
    flow = ("objectives", 0, "key_results", 1)
    assert result.positions[(*flow, "done")] == (7, 20, 7, 26)
    # An empty value has no text: findings about it point at its key.
    assert result.positions[("objectives", 0, "empty")] == (8, 5, 8, 5)


@pytest.mark.parametrize("strict", [False, True], ids=["libyaml", "ruamel"])
def test_position_of_a_missing_path_is_its_nearest_ancestor(strict: bool) -> None:
    result = load_positioned(strict=strict, text=POSITIONED)
    kr = ("objectives", 0, "key_results", 0)
    assert result.key_position((*kr, "baseline")) == (5, 9)
    assert result.value_position(("nothing", 3)) == (1, 1)


@pytest.mark.parametrize("strict", [False, True], ids=["libyaml", "ruamel"])
def test_positions_count_characters_not_bytes_and_survive_crlf(strict: bool) -> None:
    result = load_positioned(strict=strict, text=decode("\ufeff名前: 行政\r\nb: 1\r\n".encode()))
    assert result.positions[("名前",)] == (1, 1, 1, 5)
    assert result.positions[("b",)] == (2, 1, 2, 4)


def test_duplicate_keys_are_collected_and_the_first_wins() -> None:
    result = load_positioned("a: 1\nb:\n  c: 2\n  c: 3\na: 4\n")
    assert result.data == {"a": 1, "b": {"c": 2}}
    assert [(p.code, p.line, p.col) for p in result.duplicates] == [("E002", 4, 3), ("E002", 5, 1)]
    assert result.duplicates[0].message == (
        "duplicate key 'c'; the first one is used, remove or rename this one"
    )


def test_printable_removes_what_could_rewrite_a_terminal() -> None:
    hostile = "a\x1b[2Jb\u202ec\u2066d\u200be\r\nf\tg\x85h\u2028i"
    assert printable(hostile) == "a[2Jbcde f ghi"  # without ESC, "[2J" is just text
    assert printable("行政 [red]x[/red]") == "行政 [red]x[/red]"


# --- the two readers agree -----------------------------------------------------------------

SHAPES = [
    "0", "-12", "+3", "010", "0o17", "0x1F", "0X1F", "1_000", "1.5", "1e3", "-2.5E-3", ".5",
    "5.", ".inf", "-.Inf", ".nan", ".NaN", "NaN", "1e16", "-0", "00", "0b11",
    "null", "~", "Null", "NULL", "", "true", "True", "TRUE", "false", "yes", "Yes", "NO",
    "no", "on", "On", "off", "y", "n",
    "2026-01-01", "2026-1-1", "2026-01-01T10:00:00Z", "12:30", "1:30:00",
    "中文", "行政人事部", "提升至75%", "a: b", "a #b", "#x", "a#b", "x:y", "http://x.y/z",
    "- a", "? a", "[a]", "{a}", "'q'", '"dq"', "a'b", "@x", "`x", "%x", "!x", "&a", "*a",
    "|", ">", "a, b", "  padded  ",
]  # fmt: skip

_characters = st.characters(codec="utf-8", exclude_categories=["Cs"])
_scalar_texts = st.one_of(st.sampled_from(SHAPES), st.text(_characters, max_size=8))
_keys = st.one_of(
    st.sampled_from(["id", "title", "key_results", "中文", "x-y", "1", "null", "true", "a b"]),
    st.from_regex(r"[a-z][a-z0-9_-]{0,6}", fullmatch=True),
)


@st.composite
def _scalar(draw: st.DrawFn) -> str:
    text = draw(_scalar_texts)
    style = draw(st.sampled_from(["plain", "single", "double", "json"]))
    if style == "plain":
        return text
    if style == "single":
        return "'" + text.replace("'", "''") + "'"
    if style == "double":
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return json.dumps(text, ensure_ascii=draw(st.booleans()))


@st.composite
def _value(draw: st.DrawFn, indent: int, depth: int) -> str:
    """The text after `key:` or `-`: a scalar on the same line or a nested block."""
    kinds = ["scalar", "scalar", "comment", "block", "flow", "map", "seq"]
    kind = draw(st.sampled_from(kinds if depth < 4 else kinds[:4]))
    pad = " " * (indent + 2)
    if kind == "scalar":
        return " " + draw(_scalar())
    if kind == "comment":
        return " " + draw(_scalar()) + " # " + draw(st.text(_characters, max_size=5))
    if kind == "block":
        header = draw(st.sampled_from(["|", ">", "|-", ">-", "|+", ">+", "|2"]))
        body = draw(st.lists(st.one_of(st.just(""), _scalar_texts), min_size=1, max_size=3))
        return f" {header}\n" + "\n".join(pad + line if line else "" for line in body)
    if kind == "flow":
        if draw(st.booleans()):
            return " [" + ", ".join(draw(st.lists(_scalar(), max_size=3))) + "]"
        keys = draw(st.lists(_keys, max_size=3, unique=True))
        return " {" + ", ".join(f"{key}: {draw(_scalar())}" for key in keys) + "}"
    if kind == "map":
        keys = draw(st.lists(_keys, min_size=1, max_size=3, unique=True))
        return "".join(f"\n{pad}{key}:{draw(_value(indent + 2, depth + 1))}" for key in keys)
    count = draw(st.integers(1, 3))
    return "".join(f"\n{pad}-{draw(_value(indent + 2, depth + 1))}" for _ in range(count))


@st.composite
def yaml_documents(draw: st.DrawFn) -> str:
    keys = draw(st.lists(_keys, min_size=1, max_size=4, unique=True))
    text = "\n".join(f"{key}:{draw(_value(0, 1))}" for key in keys)
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return newline.join(text.split("\n")) + draw(st.sampled_from(["", newline]))


def assert_strict_reader_agrees(text: str, fast: Any) -> None:
    """What libyaml read, ruamel reads too, to the same values and the same positions."""
    try:
        strict = load_positioned(text, strict=True)
    except YamlProblem as exc:  # pragma: no cover - a failure report
        raise AssertionError(f"fast read {fast!r}, strict refused: {exc.message}") from None
    assert same(fast, strict.data), f"fast={fast!r} strict={strict.data!r}"
    assert load_positioned(text).positions == strict.positions


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(yaml_documents())
def test_fast_and_positioned_readers_agree(text: str) -> None:
    try:
        check_text(text)  # the guards run before either reader (decode)
    except YamlProblem:
        assume(False)
    try:
        fast = load_fast(text)
    except NeedsStrictReader:
        return
    assert_strict_reader_agrees(text, fast)


_tokens = st.sampled_from(
    ["a", "b", ":", ": ", " ", "  ", "\n", "\r\n", "- ", "-", "#", " #", "'", '"', "\\",
     "[", "]", "{", "}", ",", "|", ">", "---", "...", "1", ".5", "e3", "~", "中", "\xa0",
     "\u3000", "0x", "0o", ".inf", ".nan", "true", "NO"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_tokens, max_size=30).map("".join))
def test_readers_agree_on_token_soup(text: str) -> None:
    try:
        check_text(text)
        fast = load_fast(text)
    except (YamlProblem, NeedsStrictReader):
        return
    assert_strict_reader_agrees(text, fast)


# Lines people type into team files, whole and broken: keys with either colon, quotes opened
# and closed or not, brackets, dashes, comments, tabs, CJK text.
_PIECES = st.sampled_from(
    [
        "objectives:", "  - id: a", "    title: t", "    key_results:", "      - id: k",
        "        current: 5", "        current:5", "        current：5", '        title: "x',
        "        title: 'it's'", '        unit: "%"', "  aligns: [a, b", "  x: {a: 1",
        "\ttitle: t", "  # note", "", "    文化工作坊：覆盖80%", "- ", ":", "'", '"', "[", "{",
        "        title: \"a\" b", "---", "...", "  ? k", "&a x", "*a", "!!str x", "% x",
    ]
)  # fmt: skip


@settings(max_examples=400)
@given(st.lists(_PIECES, max_size=12))
def test_any_broken_file_is_a_positioned_problem_never_a_crash(lines: list[str]) -> None:
    text = "\n".join(lines) + "\n"
    try:
        load_positioned(text)
    except YamlProblem as problem:
        assert problem.code == "E001" or problem.code == "E002"
        assert 1 <= problem.line <= text.count("\n") + 1
        assert problem.col >= 1
        assert problem.message


_VALUES = st.sampled_from(
    ["5", '"70"', "70%", "７０", "~", "", '"true"', "true", "''", '"  "', "[1]", "{a: 1}", "x"]
)


@settings(max_examples=300)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["id", "title", "baseline", "target", "current", "done", "unit"]),
            _VALUES,
        ),
        max_size=7,
    )
)
def test_any_key_result_is_read_into_findings_never_a_crash(
    fields: list[tuple[str, str]],
) -> None:
    """A team file whose one KR holds any mix of keys and values: findings, never a crash."""
    from okrcli.files.teamfile import read_team_file

    kr = "".join(f"        {key}: {value}\n" for key, value in fields) or "        {}\n"
    text = f"objectives:\n  - id: o\n    title: O 1\n    key_results:\n      -\n{kr}"
    result = read_team_file("2026-Q3/team.yaml", text.encode(), None)
    lines = text.count("\n") + 1
    assert all(1 <= d.line <= lines and d.col >= 1 for d in result.diagnostics)
    assert (result.team is None) == any(d.severity == "error" for d in result.diagnostics)


def test_pyyaml_imported_by_the_fast_reader_finds_exactly_its_own_non_printables() -> None:
    """The fast reader has PyYAML's reader pattern compiled from a cheaper text: in a
    fresh interpreter, the pattern PyYAML ends up with matches the very characters its
    own text does, of all of Unicode."""
    script = """
import re
from okrcli.files import yaml_fast
assert yaml_fast.load_fast("a: 1\\n") == {"a": 1}
import yaml
used = yaml.reader.Reader.NON_PRINTABLE
own = re.compile(yaml_fast._PYYAML_NON_PRINTABLE, re.UNICODE)  # a flag: not the cached one
assert used.pattern != own.pattern, "PyYAML compiled its own text"
every = "".join(map(chr, range(0x110000)))
found = [m.start() for m in used.finditer(every)]
assert found == [m.start() for m in own.finditer(every)]
print(len(found))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    # C0 controls but tab and line breaks, DEL and C1 but NEL, surrogates, U+FFFE/U+FFFF.
    assert int(done.stdout) == 29 + 32 + 2048 + 2
