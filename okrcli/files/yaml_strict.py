"""The strict reader: ruamel.yaml's event stream, every key and value positioned, every
problem explained as a positioned `YamlProblem` (E001, E002)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from okrcli.core.findings import Path
from okrcli.core.scalars import resolve_plain
from okrcli.files.yaml_fast import compose_fast, positioned_from_node
from okrcli.files.yamlsource import (
    MAX_DEPTH,
    NON_PRINTABLE,
    NeedsStrictReader,
    Positioned,
    YamlProblem,
    check_text,
    line_col,
)


def load_positioned(text: str, *, strict: bool = False) -> Positioned:
    """Plain data and positions from text, or a positioned YamlProblem (E001).

    Clean text is positioned from libyaml's marks (fast enough for a 1,000-KR file on every
    check-in); anything the fast reader declines, or `strict=True`, goes through ruamel's
    event stream, which explains every problem. Both give the same data and positions.
    """
    check_text(text)
    if not strict:
        try:
            return positioned_from_node(compose_fast(text))
        except NeedsStrictReader:
            pass
    return _positioned_strict(text)


def _positioned_strict(text: str) -> Positioned:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    result = Positioned(data=None)
    # "safe", not "rt": the round-trip parser marks folds in `>` scalars with U+0007.
    events = YAML(typ="safe", pure=True).parse(text)
    try:
        _build(text, iter(events), result)
    except MarkedYAMLError as exc:
        from okrcli.files.yaml_hints import common_slip, syntax_problem  # only to explain

        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        slip = common_slip(text, line)
        if slip is not None:
            raise slip from None
        raise syntax_problem(exc, text, line, col) from None
    except (YAMLError, RecursionError) as exc:
        raise YamlProblem("E001", 1, 1, f"not valid YAML: {exc}") from None
    return result


def _mark(event: Any) -> tuple[int, int]:
    return event.start_mark.line + 1, event.start_mark.column + 1


def _refuse_decorations(event: Any) -> None:
    line, col = _mark(event)
    if getattr(event, "anchor", None) is not None:
        raise YamlProblem(
            "E001", line, col, "anchors and aliases are not allowed; write the value out"
        )
    tag = getattr(event, "tag", None)
    if tag is not None:
        written = tag.replace("tag:yaml.org,2002:", "!!", 1)
        raise YamlProblem(
            "E001", line, col, f"tags like '{written}' are not allowed; remove the tag"
        )


def _refuse_escaped_controls(event: Any) -> None:
    """A double-quoted escape (`"\\0"`, `"\\e"`) can put into a value the non-printable
    characters that check_text refuses in the file itself; they are refused alike."""
    bad = NON_PRINTABLE.search(event.value)
    if bad:
        line, col = _mark(event)
        raise YamlProblem(
            "E001",
            line,
            col,
            f"non-printable character U+{ord(bad.group()):04X} (written as an escape); remove it",
        )


def _build(text: str, events: Iterator[Any], result: Positioned) -> None:
    from ruamel.yaml import events as ev

    next(events)  # StreamStart
    start = next(events)
    if isinstance(start, ev.StreamEndEvent):
        result.data = {}  # an empty file is an empty mapping: its missing keys are reported
        return
    if getattr(start, "version", None) is not None or getattr(start, "tags", None):
        directive = re.search(r"^%", text, re.MULTILINE)
        line, col = line_col(text, directive.start()) if directive else _mark(start)
        raise YamlProblem("E001", line, col, "YAML directives (%YAML, %TAG) are not allowed")
    root_event = next(events)
    result.data = _build_node(root_event, events, result, (), 1)
    if result.data is None:
        result.data = {}
    if not isinstance(result.data, dict):
        line, col = _mark(root_event)
        # `name：Sales` alone is text, not a key: the slip explains it better.
        from okrcli.files.yaml_hints import common_slip

        raise common_slip(text, line) or YamlProblem(
            "E001", line, col, "the file must be a mapping of keys at the top level"
        )
    next(events)  # DocumentEnd
    after = next(events)
    if not isinstance(after, ev.StreamEndEvent):
        line, col = _mark(after)
        raise YamlProblem("E001", line, col, "more than one YAML document; keep one per file")


def _is_empty(event: Any) -> bool:
    from ruamel.yaml import events as ev

    return isinstance(event, ev.ScalarEvent) and event.value == "" and event.style is None


def _build_node(
    event: Any, events: Iterator[Any], result: Positioned, path: Path, depth: int
) -> Any:
    from ruamel.yaml import events as ev

    if isinstance(event, ev.AliasEvent):
        line, col = _mark(event)
        raise YamlProblem(
            "E001", line, col, "anchors and aliases are not allowed; write the value out"
        )
    _refuse_decorations(event)
    if isinstance(event, ev.ScalarEvent):
        if event.implicit[0]:
            return resolve_plain(event.value)
        _refuse_escaped_controls(event)
        return event.value
    if depth > MAX_DEPTH:
        line, col = _mark(event)
        raise YamlProblem("E001", line, col, f"nesting deeper than {MAX_DEPTH} levels")
    if isinstance(event, ev.SequenceStartEvent):
        items: list[Any] = []
        while not isinstance(item_event := next(events), ev.SequenceEndEvent):
            line, col = _mark(item_event)
            item_path = (*path, len(items))
            result.positions[item_path] = (line, col, line, col)
            items.append(_build_node(item_event, events, result, item_path, depth + 1))
        return items
    mapping: dict[str, Any] = {}
    while True:
        key_event = next(events)
        if isinstance(key_event, ev.MappingEndEvent):
            return mapping
        key_line, key_col = _mark(key_event)
        if not isinstance(key_event, ev.ScalarEvent):
            raise YamlProblem("E001", key_line, key_col, "keys must be plain text")
        _refuse_decorations(key_event)
        _refuse_escaped_controls(key_event)
        key = key_event.value
        value_event = next(events)
        value_line, value_col = _mark(value_event)
        if _is_empty(value_event):
            # An empty value has no text of its own; the parser marks wherever the next
            # token starts (often the next line), so a finding about it points at its key.
            value_line, value_col = key_line, key_col
        if key in mapping:
            result.duplicates.append(
                YamlProblem(
                    "E002",
                    key_line,
                    key_col,
                    f"duplicate key '{key}'; the first one is used, remove or rename this one",
                )
            )
            _build_node(value_event, events, Positioned(None), (), depth + 1)
            continue
        key_path = (*path, key)
        result.positions[key_path] = (key_line, key_col, value_line, value_col)
        mapping[key] = _build_node(value_event, events, result, key_path, depth + 1)
