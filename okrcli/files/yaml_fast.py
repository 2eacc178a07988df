"""The fast reader: libyaml through PyYAML's C parser, the bulk path for hundreds of files.

It declines (raises `NeedsStrictReader`) whenever a file contains anything unusual, so it
never has to explain a problem; the strict reader does that.
"""

from __future__ import annotations

import re
from typing import Any

from okrcli.core.findings import Path
from okrcli.core.scalars import resolve_plain
from okrcli.files.yamlsource import (
    MAX_DEPTH,
    NON_PRINTABLE,
    NeedsStrictReader,
    Position,
    Positioned,
)

# Characters that introduce anchors, aliases, tags, directives, complex keys or tabs: a file
# with any of them goes to the strict reader, which can explain them.
_COMPLEX_KEY = re.compile(r"^\s*\?", re.MULTILINE)


def _needs_strict_reader(text: str) -> bool:
    # Plain `in` tests first: they scan at memchr speed, the regex only when '?' is there.
    return (
        "&" in text
        or "*" in text
        or "!" in text
        or "\t" in text
        or text.startswith("%")
        or "\n%" in text
        or ("?" in text and _COMPLEX_KEY.search(text) is not None)
    )


_PLAIN = "okr:plain"
_MAP_TAG = "tag:yaml.org,2002:map"

_fast_loader: Any = None

# PyYAML's pure-Python reader (libyaml reads for okr) compiles this negated class over all
# of Unicode when `yaml` is imported: ~4 ms of every start that reads YAML. Written as its
# complement, the same set compiles at once.
_PYYAML_NON_PRINTABLE = "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
_SAME_SET = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]"


def _prime_pyyaml() -> None:
    """Before PyYAML's first import: its reader's pattern compiled from the cheaper text.
    re finds compiled patterns by their text in its cache, so the equivalent one is put
    there under PyYAML's text (where re keeps no such cache, PyYAML compiles its own)."""
    import sys

    compiled = getattr(re, "_cache", None)
    if "yaml" not in sys.modules and isinstance(compiled, dict):
        compiled[(str, _PYYAML_NON_PRINTABLE, 0)] = re.compile(_SAME_SET)


def _make_fast_loader() -> Any:
    _prime_pyyaml()
    import yaml

    plain_tag, str_tag = _PLAIN, "tag:yaml.org,2002:str"
    map_tag, seq_tag = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
    scalar_kind, mapping_kind = yaml.ScalarNode, yaml.MappingNode

    class FastLoader(yaml.CSafeLoader):
        # libyaml's composer calls these two back for every node, for PyYAML's path
        # resolvers, which okr never adds; a no-op in C of the same arity (the results are
        # not used) instead of a Python method takes a tenth off composing a file. A
        # builtin is not bound to the loader: it is called with the hooks' own arguments.
        descend_resolver = {}.get  # type: ignore[assignment,var-annotated]
        ascend_resolver = {}.clear

        # Resolution is ours (YAML 1.2); libyaml only has to say plain or quoted.
        def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
            if kind is scalar_kind:
                return plain_tag if implicit[0] else str_tag
            return map_tag if kind is mapping_kind else seq_tag

    return FastLoader


def compose_fast(text: str) -> Any:
    """libyaml's node tree of clean text (tags say plain or quoted, marks say where), or
    NeedsStrictReader for anything out of the ordinary."""
    if _needs_strict_reader(text):
        raise NeedsStrictReader
    global _fast_loader
    if _fast_loader is None:
        _fast_loader = _make_fast_loader()
    import yaml

    try:
        loader = _fast_loader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.YAMLError:
        raise NeedsStrictReader from None
    if node is None or node.tag != _MAP_TAG:
        raise NeedsStrictReader  # the strict reader positions "must be a mapping"
    return node


def load_fast(text: str) -> Any:
    """Plain data from clean text, or NeedsStrictReader for anything out of the ordinary."""
    return load_fast_node(compose_fast(text))


def _escaped_control(key_node: Any) -> bool:
    """A quoted key whose escapes spell a non-printable character (plain keys cannot)."""
    return key_node.tag != _PLAIN and NON_PRINTABLE.search(key_node.value) is not None


def load_fast_node(node: Any) -> Any:
    """Plain data from a tree of `compose_fast`."""
    return _from_node(node, 1)


def plain_scalar(node: Any) -> Any:
    """The value of a scalar node of `compose_fast`'s tree."""
    return resolve_plain(node.value) if node.tag == _PLAIN else node.value


# The two walks of libyaml's tree (with and without positions) share these rules; anything
# they decline goes to the strict reader, which reports duplicates (E002), tags and escaped
# control characters (E001) with their positions.


def _fast_scalar(node: Any) -> Any:
    value = node.value
    if node.tag == _PLAIN:
        return resolve_plain(value)
    # isprintable() is a quick yes for almost every string; the regex decides the rest.
    if node.tag == "tag:yaml.org,2002:str" and (
        value.isprintable() or not NON_PRINTABLE.search(value)
    ):
        return value
    raise NeedsStrictReader


def _fast_key(key_node: Any, mapping: dict[str, Any]) -> str:
    key = key_node.value
    if not isinstance(key, str) or key in mapping or _escaped_control(key_node):
        raise NeedsStrictReader
    return key


def _from_node(node: Any, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise NeedsStrictReader
    value = node.value
    if isinstance(value, str):
        return _fast_scalar(node)
    if node.tag == _MAP_TAG:
        mapping: dict[str, Any] = {}
        for key_node, value_node in value:
            mapping[_fast_key(key_node, mapping)] = _from_node(value_node, depth + 1)
        return mapping
    return [_from_node(item, depth + 1) for item in value]


def positioned_from_node(root: Any) -> Positioned:
    """Plain data and positions from a tree of `compose_fast`."""
    result = Positioned(data=None)
    result.data = _walk_positioned(root, (), 1, result.positions)
    return result


def _walk_positioned(node: Any, path: Path, depth: int, positions: dict[Path, Position]) -> Any:
    if depth > MAX_DEPTH:
        raise NeedsStrictReader
    value = node.value
    if isinstance(value, str):
        return _fast_scalar(node)
    if node.tag == _MAP_TAG:
        mapping: dict[str, Any] = {}
        for key_node, value_node in value:
            key = _fast_key(key_node, mapping)
            key_line, key_col = key_node.start_mark.line + 1, key_node.start_mark.column + 1
            if value_node.tag == _PLAIN and value_node.value == "":
                value_line, value_col = key_line, key_col  # as the strict reader: see there
            else:
                mark = value_node.start_mark
                value_line, value_col = mark.line + 1, mark.column + 1
            key_path = (*path, key)
            positions[key_path] = (key_line, key_col, value_line, value_col)
            mapping[key] = _walk_positioned(value_node, key_path, depth + 1, positions)
        return mapping
    items = []
    for index, item in enumerate(value):
        item_path = (*path, index)
        line, col = item.start_mark.line + 1, item.start_mark.column + 1
        positions[item_path] = (line, col, line, col)
        items.append(_walk_positioned(item, item_path, depth + 1, positions))
    return items
