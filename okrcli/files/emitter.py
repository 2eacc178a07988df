"""A new team file as text: block style, keys in the order given, every scalar written so it
reads back as itself.

Check-ins splice values into a file people wrote; a file okr writes from nothing (the next
cycle's, SPEC §16) is emitted here instead. The layout is okr's own (two-space indents, a
blank line between objectives, as in `okr init`'s example); each text scalar is quoted by
ruamel's emitter, which knows where YAML needs quotes (`: `, `#`, a leading `-`, quotes,
line breaks …). A scalar ruamel would leave plain but that okr's reader, or a YAML 1.1
reader, would take for something other than text (`1e5`, `yes`) is double-quoted.
`prove` re-reads the text with okr's own reader before anyone writes it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from functools import cache, lru_cache
from typing import Any

from okrcli.core.errors import OkrError
from okrcli.core.numbers import format_number
from okrcli.core.scalars import resolve_plain
from okrcli.files.writer import same_data
from okrcli.files.yaml_fast import load_fast
from okrcli.files.yaml_strict import load_positioned
from okrcli.files.yamlsource import NeedsStrictReader, YamlProblem, decode

INDENT = "  "
# Plain words a YAML 1.1 reader (PyYAML, many editors and linters) takes for a boolean or
# null although YAML 1.2 does not: quoted, so the file means the same to every tool.
_YAML11_WORDS = frozenset(("y", "n", "yes", "no", "on", "off"))
_NULL_OR_BOOL = frozenset(("null", "true", "false"))
# What YAML reads as the end of a line: ruamel folds a quoted scalar there, so text holding
# one is double-quoted, where each is an escape (`\N`, `\L` …).
_LINE_BREAKS = ("\n", "\r", "\x85", "\u2028", "\u2029")


class EmitError(OkrError):
    """The emitted text would not read back as the data it was made from."""


# --- scalars --------------------------------------------------------------------------------


@cache
def _dumper(style: str | None) -> Any:
    from ruamel.yaml import YAML

    dumper: Any = YAML(typ="safe", pure=True)
    dumper.width = 2**30  # never fold: a continuation line would need this file's indent
    dumper.allow_unicode = True
    dumper.default_flow_style = False
    dumper.default_style = style
    return dumper


def _emitted(text: str, style: str | None) -> str:
    out = io.StringIO()
    _dumper(style).dump({"k": text}, out)
    return out.getvalue().partition(": ")[2].removesuffix("\n")


# Text that starts with a letter and goes on with letters, digits, spaces and punctuation that
# mean nothing to YAML inside a plain scalar (so no number or date to any YAML version), or
# with a cycle's id such as `2026-Q3/`, is
# written as it is without asking ruamel: a carried company has tens of thousands of titles
# and ids, and ruamel's emitter costs a third of a millisecond a call. Anything else goes the
# long way; `prove` checks both, and a property test holds the short way to ruamel's answer.
_SURELY_PLAIN = re.compile(
    r"(?:[^\W\d_]|[0-9]{4}-[A-Za-z])[\w ().,/+%'\u3000-\u303f\uff01-\uff5e-]*(?<! )\Z"
)


@lru_cache(maxsize=4096)  # units such as '%' repeat on every other KR
def text_scalar(text: str) -> str:
    """`text` as one YAML scalar on one line: plain where that is safe, else quoted."""
    if _SURELY_PLAIN.match(text) and text.lower() not in _YAML11_WORDS | _NULL_OR_BOOL:
        return text
    shown = _emitted(text, None)
    plain = not shown.startswith(("'", '"'))
    if any(brk in shown for brk in _LINE_BREAKS) or (
        plain
        and (
            resolve_plain(text) != text
            or text.lower() in _YAML11_WORDS
            or not _text_to_yaml11(text)
        )
    ):
        return _emitted(text, '"')
    return shown


def _text_to_yaml11(text: str) -> bool:
    """Whether a YAML 1.1 reader (PyYAML) reads the plain scalar as text: `yes`, `1:0` (60,
    in base 60) and `1_000` it does not."""
    from yaml.nodes import ScalarNode
    from yaml.resolver import Resolver

    tag: str = Resolver().resolve(ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    return tag == Resolver.DEFAULT_SCALAR_TAG


def scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return format_number(value)
    if isinstance(value, str):
        return text_scalar(value)
    raise TypeError(f"no YAML scalar for {type(value).__name__}")


# --- documents ------------------------------------------------------------------------------


def document(data: Mapping[str, Any], comment: str, spaced: str = "objectives") -> str:
    """The mapping as a block-style document after a `# comment` line; the items of the
    list under `spaced` are set apart by a blank line. Keys keep the mapping's order; a
    None value leaves its key out."""
    lines = [f"# {comment}"] if comment else []
    lines += _mapping(data, 0, spaced)
    return "\n".join(lines) + "\n"


def _mapping(data: Mapping[str, Any], depth: int, spaced: str) -> list[str]:
    lines: list[str] = []
    pad = INDENT * depth
    for key, value in data.items():
        if value is None:
            continue
        if isinstance(value, Mapping):
            lines += [f"{pad}{key}:", *_mapping(value, depth + 1, spaced)]
        elif isinstance(value, Sequence) and not isinstance(value, str):
            if not value:
                lines.append(f"{pad}{key}: []")
            else:
                lines += [f"{pad}{key}:", *_sequence(value, depth + 1, spaced, key == spaced)]
        else:
            lines.append(f"{pad}{key}: {scalar(value)}")
    return lines


def _sequence(items: Sequence[Any], depth: int, spaced: str, blank_between: bool) -> list[str]:
    lines: list[str] = []
    pad = INDENT * depth
    for index, item in enumerate(items):
        if blank_between and index:
            lines.append("")
        if isinstance(item, Mapping):
            inner = _mapping(item, depth + 1, spaced)
            # The first key sits after the dash: `  - id: talent`.
            lines += [f"{pad}- {inner[0].lstrip()}", *inner[1:]] if inner else [f"{pad}- {{}}"]
        else:
            lines.append(f"{pad}- {scalar(item)}")
    return lines


# --- proof ----------------------------------------------------------------------------------


def prove(text: str, data: Mapping[str, Any], where: str) -> dict[str, Any]:
    """Read `text` back with okr's reader and return what it read; EmitError unless it is
    exactly `data` (None values left out, numbers as format_number writes them)."""
    try:
        decoded = decode(text.encode("utf-8"))
        tree: dict[str, Any]
        try:
            tree = load_fast(decoded)
        except NeedsStrictReader:
            tree = load_positioned(decoded).data
    except YamlProblem as problem:
        raise EmitError(f"{where}: okr wrote YAML it cannot read ({problem.message})") from None
    if not same_data(tree, as_written(data)):
        raise EmitError(f"{where}: the text okr wrote does not read back as what it carries")
    return tree


def as_written(data: Mapping[str, Any]) -> dict[str, Any]:
    """The data as the emitted text reads back: what `prove` compares the text with."""
    written: dict[str, Any] = _as_written(data)
    return written


def _as_written(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _as_written(v) for k, v in value.items() if v is not None}
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [_as_written(item) for item in value]
    if isinstance(value, float) and value.is_integer():
        return int(format_number(value))
    return value
