"""The model as plain JSON data for the cache, and back, checked.

The cache holds no objects, only lists, strings, numbers, booleans and None (see cache.py).
Each `encode_*` turns a value into that; each `decode_*` turns it back, and raises unless
what it reads is exactly what `encode_*` writes for a value okr could have built: the right
lengths and exact types (a boolean is no number), numbers finite and within okr's range,
each field within what schema.py's rule for it allows (a weight above 0, a confidence from
0 to 1, a kebab-case id, a title that is not blank …), text safe to print where okr prints
it as it is. Readers call them through `checked`, which turns any of that into None: a
damaged or foreign entry is a miss, never an exception, and never a value that could crash
a command later.

Records are lists in field order: about half the size of objects with names. A record's
types are checked as the tuple of its items' types, looked up rather than worked out each
time; a team's KRs are written a column per field and checked a column at a time, since a
warm run may read ten thousand of them.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import fields
from functools import partial
from itertools import islice
from operator import is_not
from typing import Any, TypeVar

from okrcli.core.errors import Diagnostic
from okrcli.core.model import (
    CARRIED_FROM_PATTERN,
    ID_PATTERN,
    SOURCE_PATTERN,
    Config,
    CycleSpan,
    KeyResult,
    Objective,
    Person,
    Team,
)
from okrcli.core.scalars import MAX_NUMBER
from okrcli.core.text import printable
from okrcli.files.alignment import AlignRef
from okrcli.files.yamlsource import MAX_DEPTH, Positioned, YamlProblem

T = TypeVar("T")
_NONE = type(None)
_NUMBER = (int, float)
_TEXT = (str,)
_MAYBE_TEXT = (str, _NONE)
_MAYBE_NUMBER = (int, float, _NONE)
_INT = (int,)
_LIST = (list,)
_ONLY_TEXT = frozenset((str,))


class Misshapen(Exception):
    """What was read is not what an encoder writes."""


def checked(decode: Callable[[Any], T]) -> Callable[[Any], T | None]:
    """A decoder that answers None instead of raising for anything misshapen. The
    `decode_*` functions raise; a reader of the cache calls them only through this."""

    def total(value: Any) -> T | None:
        try:
            return decode(value)
        except (Misshapen, TypeError, ValueError, IndexError, KeyError, RecursionError):
            return None

    total.__doc__ = decode.__doc__
    return total


class _Record:
    """Lists of a fixed length whose items have the given exact types."""

    def __init__(self, *allowed: tuple[type, ...]) -> None:
        self._allowed = allowed
        self._known: dict[tuple[type, ...], bool] = {}

    def fits(self, types: tuple[type, ...]) -> bool:
        """Whether a list whose items have these types is such a record."""
        known = self._known.get(types)
        if known is None:
            known = len(types) == len(self._allowed) and all(
                kind in allowed for kind, allowed in zip(types, self._allowed, strict=False)
            )
            if len(self._known) < 256:
                self._known[types] = known
        return known

    def check(self, value: Any) -> list[Any]:
        if type(value) is not list or not self.fits(tuple(map(type, value))):
            raise Misshapen
        return value


def require(condition: bool) -> None:
    """Raise Misshapen unless the condition holds."""
    if not condition:
        raise Misshapen


def _fraction(value: Any) -> bool:
    """From 0 to 1 (which excludes NaN); the type is checked already."""
    return value is None or 0 <= value <= 1


# Lines, columns and indexes of a file of at most yamlsource.MAX_BYTES are far below this.
_MAX_PLACE = 2**31


def _place(*values: int) -> bool:
    return all(1 <= value < _MAX_PLACE for value in values)


def _shown(value: str) -> bool:
    """Text okr prints as it is (diagnostics) holds nothing a terminal would act on."""
    return printable(value) == value


def items(value: Any, length: int) -> list[Any]:
    """A list of exactly `length` items."""
    require(type(value) is list and len(value) == length)
    return value  # type: ignore[no-any-return]


def _texts(value: Any) -> tuple[str, ...]:
    require(type(value) is list and set(map(type, value)) <= _ONLY_TEXT)
    return tuple(value)


# --- the model ------------------------------------------------------------------------------

# A team is written as [id, path, name, owner, objectives, key results, closed, retro]:
# each objective as [id, title, owner, kind, aligns, how many KRs it has, carried_from,
# retro], and the KRs of all objectives in file order as one list per field (these columns,
# in KeyResult's field order). Checking and building thousands of KRs a column at a time
# costs a fraction of doing it per KR.
_COLUMNS = (
    frozenset((str,)),  # id
    frozenset((str,)),  # title
    frozenset(_MAYBE_TEXT),  # owner
    frozenset(_MAYBE_TEXT),  # unit
    frozenset(_MAYBE_NUMBER),  # baseline
    frozenset(_MAYBE_NUMBER),  # target
    frozenset(_MAYBE_NUMBER),  # current
    frozenset((bool, _NONE)),  # done
    frozenset(_MAYBE_NUMBER),  # confidence
    frozenset(_NUMBER),  # weight
    frozenset(_MAYBE_NUMBER),  # score
    frozenset(_MAYBE_TEXT),  # retro
    frozenset(_MAYBE_TEXT),  # source
)
_OBJECTIVE = _Record(_TEXT, _TEXT, _MAYBE_TEXT, _TEXT, _LIST, _INT, _MAYBE_TEXT, _MAYBE_TEXT)
_TEAM = _Record(_TEXT, _TEXT, _MAYBE_TEXT, _MAYBE_TEXT, _LIST, _LIST, _MAYBE_TEXT, _MAYBE_TEXT)
_KINDS = frozenset(("committed", "aspirational"))
_ID_MATCH = ID_PATTERN.match
_SOURCE_MATCH = SOURCE_PATTERN.match
_CARRIED_FROM_MATCH = CARRIED_FROM_PATTERN.match
_LOW, _HIGH = -MAX_NUMBER, MAX_NUMBER
_PRESENT = partial(is_not, None)
_KR_FIELDS = tuple(f.name for f in fields(KeyResult))


def encode_team(team: Team) -> list[Any]:
    krs = [kr for o in team.objectives for kr in o.key_results]
    return [
        team.id,
        team.path,
        team.name,
        team.owner,
        [
            [
                o.id,
                o.title,
                o.owner,
                o.kind,
                list(o.aligns),
                len(o.key_results),
                o.carried_from,
                o.retro,
            ]
            for o in team.objectives
        ],
        [[getattr(kr, name) for kr in krs] for name in _KR_FIELDS],
        None if team.closed is None else team.closed.isoformat(),
        team.retro,
    ]


def _written(value: str | None) -> bool:
    """A title or a retro: text with something in it (schema.title, schema.prose)."""
    return value is None or (value != "" and not value.isspace())


def _check_columns(columns: list[Any], count: int) -> None:
    """The KR columns: one list per field, each of `count` values of that field's types and
    range. No NaN can be here (cache.decode_value refuses it), so min and max are exact; an
    infinity (a number too large for a float) is out of range like any other."""
    require(len(columns) == len(_COLUMNS))
    for column, allowed in zip(columns, _COLUMNS, strict=True):
        require(type(column) is list and len(column) == count and set(map(type, column)) <= allowed)
    if not count:
        return
    ids, titles, _, _, baselines, targets, currents, _, confidences, weights, scores = columns[:11]
    retros = list(filter(_PRESENT, columns[11]))
    sources = list(filter(_PRESENT, columns[12]))
    numbers = [
        *filter(_PRESENT, baselines),
        *filter(_PRESENT, targets),
        *filter(_PRESENT, currents),
    ]
    fractions = [*filter(_PRESENT, confidences), *filter(_PRESENT, scores)]
    require(
        all(map(_ID_MATCH, ids))
        and all(titles)
        and not any(map(str.isspace, titles))
        and (not numbers or (min(numbers) >= _LOW and max(numbers) <= _HIGH))
        and (not fractions or (min(fractions) >= 0 and max(fractions) <= 1))
        and min(weights) > 0
        and max(weights) <= _HIGH
        and all(retros)
        and not any(map(str.isspace, retros))
        and all(map(_SOURCE_MATCH, sources))
    )


def decode_team(value: Any) -> Team:
    """A Team from `encode_team`'s data."""
    team_id, path, name, owner, objectives, columns, closed, retro = _TEAM.check(value)
    require(_ID_MATCH(team_id) is not None and _written(retro))
    checked = list(map(_OBJECTIVE.check, objectives))
    for objective_id, title, _, kind, _, count, carried_from, objective_retro in checked:
        require(
            _ID_MATCH(objective_id) is not None
            and title != ""
            and _written(title)
            and kind in _KINDS
            and 0 <= count < _MAX_PLACE
            and (carried_from is None or _CARRIED_FROM_MATCH(carried_from) is not None)
            and _written(objective_retro)
        )
    _check_columns(columns, sum(objective[5] for objective in checked))
    made = map(KeyResult, *columns)
    return Team(
        team_id,
        path,
        tuple(
            Objective(o[0], o[1], tuple(islice(made, o[5])), o[2], o[3], _texts(o[4]), o[6], o[7])
            for o in checked
        ),
        name,
        owner,
        None if closed is None else dt.date.fromisoformat(closed),
        retro,
    )


_DIAGNOSTIC = _Record(_TEXT, _INT, _INT, _TEXT, _TEXT, _TEXT)
_SEVERITIES = frozenset(("error", "warning"))


def encode_diagnostic(d: Diagnostic) -> list[Any]:
    return [d.path, d.line, d.col, d.severity, d.code, d.message]


def _diagnostic(value: Any) -> Diagnostic:
    path, line, col, severity, code, message = _DIAGNOSTIC.check(value)
    require(
        _place(line, col)
        and severity in _SEVERITIES
        and _shown(path)
        and _shown(code)
        and _shown(message)
    )
    return Diagnostic(path, line, col, severity, code, message)


def decode_diagnostics(value: Any) -> tuple[Diagnostic, ...]:
    """Diagnostics from a list of `encode_diagnostic`'s data."""
    require(type(value) is list)
    return tuple(map(_diagnostic, value))


_ALIGN_REF = _Record(_INT, (int, _NONE), _TEXT, _TEXT)


def encode_align_ref(ref: AlignRef) -> list[Any]:
    return [ref.objective_index, ref.entry_index, ref.objective_id, ref.target]


def decode_align_refs(value: Any) -> tuple[AlignRef, ...]:
    """AlignRefs from a list of `encode_align_ref`'s data."""
    require(type(value) is list)
    refs = []
    for item in value:
        index, entry, objective_id, target = _ALIGN_REF.check(item)
        require(_place(index + 1) and (entry is None or _place(entry + 1)))
        refs.append(AlignRef(index, entry, objective_id, target))
    return tuple(refs)


def decode_texts(value: Any) -> tuple[str, ...]:
    """A tuple of strings from a list of them."""
    return _texts(value)


# --- okr.yaml -------------------------------------------------------------------------------

_SPAN = _Record(_TEXT, _TEXT, _TEXT)
_CONFIG = _Record(_TEXT, _LIST, _NUMBER, _NUMBER, _INT, _INT, _LIST, _LIST)
_PERSON = _Record(_TEXT, _LIST)
# schema.EMAIL_PATTERN (not imported: the warm path never loads the formats' rules).
_EMAIL = re.compile(r"\S+@[^\s@]+\Z")


def encode_span(span: CycleSpan) -> list[Any]:
    return [span.id, span.start.isoformat(), span.end.isoformat()]


def decode_span(value: Any) -> CycleSpan:
    """A CycleSpan from `encode_span`'s data."""
    cycle_id, start, end = _SPAN.check(value)
    span = CycleSpan(cycle_id, dt.date.fromisoformat(start), dt.date.fromisoformat(end))
    require(span.start <= span.end)
    return span


def encode_config(config: Config) -> list[Any]:
    """A Config without sources (ValueError for one with sources): what `okr sync` reads
    and runs is never taken from the cache."""
    if config.sources:
        raise ValueError("a config with sources is not cached")
    return [
        config.organization,
        [encode_span(span) for span in config.cycles],
        config.on_track,
        config.at_risk,
        config.max_objectives,
        config.max_key_results,
        list(config.vague_words),
        [[person.name, list(person.emails)] for person in config.people],
    ]


def _person(value: Any) -> Person:
    name, emails = _PERSON.check(value)
    found = _texts(emails)
    require(all(map(_EMAIL.match, found)))
    return Person(name, found)


def decode_config(value: Any) -> Config:
    """A Config from `encode_config`'s data (so one without sources)."""
    organization, cycles, on_track, at_risk, objectives, key_results, vague, people = _CONFIG.check(
        value
    )
    require(_fraction(on_track) and _fraction(at_risk) and objectives >= 1 and key_results >= 1)
    return Config(
        organization,
        tuple(map(decode_span, cycles)),
        on_track,
        at_risk,
        objectives,
        key_results,
        _texts(vague),
        tuple(map(_person, people)),
    )


# --- raw YAML data and positions ------------------------------------------------------------

_SCALARS = frozenset((str, int, bool, _NONE))
_NESTED = frozenset((dict, list))
_TREE_ITEMS = _SCALARS | _NESTED | {float}


def is_tree(value: Any, depth: int = 0) -> bool:
    """Data as okr's YAML readers build it from JSON: mappings (a JSON object's keys are
    text), lists, text, finite numbers, booleans and None, nested no deeper than they
    allow. Checked a mapping or list at a time: most hold only scalars."""
    kind = type(value)
    if kind is dict:
        items: Any = value.values()
    elif kind is list:
        items = value
    else:
        return kind in _SCALARS or (kind is float and math.isfinite(value))
    kinds = set(map(type, items))
    if kinds <= _SCALARS:
        return True
    if not kinds <= _TREE_ITEMS or depth >= MAX_DEPTH - 1:  # as deep as the readers go
        return False
    if float in kinds and not all(map(math.isfinite, [v for v in items if type(v) is float])):
        return False
    return kinds.isdisjoint(_NESTED) or all(
        is_tree(item, depth + 1) for item in items if type(item) in _NESTED
    )


_POSITION = _Record(_INT, _INT, _INT, _INT)
_PROBLEM = _Record(_TEXT, _INT, _INT, _TEXT)


def encode_positioned(positioned: Positioned) -> list[Any]:
    return [
        positioned.data,
        [[list(path), list(where)] for path, where in positioned.positions.items()],
        [[p.code, p.line, p.col, p.message] for p in positioned.duplicates],
    ]


def decode_positioned(value: Any) -> Positioned:
    """A Positioned from `encode_positioned`'s data."""
    data, positions, duplicates = items(value, 3)
    require(type(data) is dict and is_tree(data) and type(positions) is list)
    result = Positioned(data)
    for path, where in positions:
        require(type(path) is list and all(type(step) in (str, int) for step in path))
        line, col, value_line, value_col = _POSITION.check(where)
        require(_place(line, col, value_line, value_col))
        result.positions[tuple(path)] = (line, col, value_line, value_col)
    require(type(duplicates) is list)
    for item in duplicates:
        code, line, col, message = _PROBLEM.check(item)
        require(_place(line, col) and _shown(code) and _shown(message))
        result.duplicates.append(YamlProblem(code, line, col, message))
    return result
