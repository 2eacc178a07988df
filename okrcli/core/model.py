"""The domain: what a validated okr.yaml and team file mean, as plain frozen dataclasses.

These are built from files that passed validation (see schema.py), so they carry no checks
of their own. They are deliberately free of pydantic: the warm path loads them from the
cache without importing the validation machinery.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, fields
from typing import Literal

from okrcli.core.records import pickled_as_call

Number = int | float
Kind = Literal["committed", "aspirational"]
Status = Literal["done", "on-track", "at-risk", "off-track"]
# Team (file name), objective and KR ids: lower-case kebab-case.
_ID = r"[a-z0-9][a-z0-9-]*"
_CYCLE_ID = r"[A-Za-z0-9][A-Za-z0-9._-]*"
ID_PATTERN = re.compile(rf"{_ID}\Z")
# Cycle ids are folder names: quarters (2026-Q3) and declared ones (FY27-Q1, 2026-H2).
CYCLE_ID_PATTERN = re.compile(rf"{_CYCLE_ID}\Z")
# `carried_from` (SPEC §13): CYCLE/TEAM/OBJECTIVE, a record of where an objective came from.
CARRIED_FROM_PATTERN = re.compile(rf"{_CYCLE_ID}/{_ID}/{_ID}\Z")
# `source` (SPEC §19): NAME:KEY, the source's name as okr.yaml declares it and the key read
# there (a CSV row's key or a JSON dot path: any text without blanks at its ends).
_SOURCE_NAME = r"[A-Za-z0-9][A-Za-z0-9_-]*"
SOURCE_PATTERN = re.compile(rf"({_SOURCE_NAME}):(\S(?:.*\S)?)\Z")
# A source's name in okr.yaml's `sources:`.
SOURCE_NAME_PATTERN = re.compile(rf"{_SOURCE_NAME}\Z")
# A source file's path (SPEC §19): relative to the OKR root and never climbing out of it by
# its text (no leading / or \, no drive letter, no `..` part); symbolic links are checked
# when the file is read.
SOURCE_PATH_PATTERN = re.compile(
    # `$` inside: `.+\Z` takes no line break, so there it means \Z, and JSON Schema's
    # ECMA-262 patterns know only `$`.
    r"(?![/\\]|[A-Za-z]:)(?!(?:[^/\\]*[/\\])*\.\.(?:[/\\]|$))(?=.*\S).+\Z"
)


def layout(*classes: type) -> str:
    """The field names and types of dataclasses: part of a cache key, so entries written
    for a different layout are never read back."""
    return repr([(c.__name__, [(f.name, str(f.type)) for f in fields(c)]) for c in classes])


DEFAULT_ON_TRACK = 0.10
DEFAULT_AT_RISK = 0.25
DEFAULT_MAX_OBJECTIVES = 5
DEFAULT_MAX_KEY_RESULTS = 5
DEFAULT_SOURCE_TIMEOUT = 30  # seconds a source's command may run (SPEC §19)


@pickled_as_call
@dataclass(frozen=True, slots=True)
class KeyResult:
    id: str
    title: str
    owner: str | None = None
    unit: str | None = None
    baseline: Number | None = None
    target: Number | None = None
    current: Number | None = None
    done: bool | None = None
    confidence: Number | None = None
    weight: Number = 1
    score: Number | None = None  # the final grade (SPEC §3, written by `okr close`)
    retro: str | None = None  # what the team learned from this KR
    source: str | None = None  # NAME:KEY, where `okr sync` reads the value

    @property
    def is_milestone(self) -> bool:
        return self.done is not None

    @property
    def value(self) -> Number | bool | None:
        """The KR's present value: `done` for a milestone, else current (default baseline)."""
        if self.is_milestone:
            return self.done
        return self.baseline if self.current is None else self.current


@pickled_as_call
@dataclass(frozen=True, slots=True)
class Objective:
    id: str
    title: str
    key_results: tuple[KeyResult, ...]
    owner: str | None = None
    kind: Kind = "aspirational"
    aligns: tuple[str, ...] = ()
    carried_from: str | None = None  # CYCLE/TEAM/OBJECTIVE (written by `okr next`)
    retro: str | None = None


@pickled_as_call
@dataclass(frozen=True, slots=True)
class Team:
    id: str  # the file's stem
    path: str  # relative to the OKR root
    objectives: tuple[Objective, ...]
    name: str | None = None
    owner: str | None = None
    closed: dt.date | None = None  # the day the team closed the cycle (SPEC §14)
    retro: str | None = None  # the team's retrospective

    @property
    def display_name(self) -> str:
        return self.name or self.id

    @property
    def is_closed(self) -> bool:
        return self.closed is not None


@dataclass(frozen=True, slots=True)
class CycleSpan:
    id: str
    start: dt.date
    end: dt.date


@dataclass(frozen=True, slots=True)
class Person:
    """A person of okr.yaml's `people:` and the git emails they commit with (SPEC §18)."""

    name: str
    emails: tuple[str, ...] = ()


SourceKind = Literal["csv", "json", "command"]
SourceFormat = Literal["csv", "json"]


@dataclass(frozen=True, slots=True)
class DataSource:
    """One entry of okr.yaml's `sources:` (SPEC §19): where `okr sync` reads values."""

    name: str
    kind: SourceKind
    format: SourceFormat  # how the data is read: the file's kind, or the command's `format`
    path: str | None = None  # a csv or json file, relative to the OKR root
    command: tuple[str, ...] = ()  # the program and its arguments, run with no shell
    key: str | None = None  # csv: the column that holds KEY
    value: str | None = None  # csv: the column that holds the value
    timeout: Number = DEFAULT_SOURCE_TIMEOUT  # a command's, in seconds

    @property
    def label(self) -> str:
        """What the source reads, for messages: its file, or its command line."""
        if self.kind == "command":
            import shlex

            return shlex.join(self.command)
        return self.path or ""


@dataclass(frozen=True, slots=True)
class Config:
    organization: str
    cycles: tuple[CycleSpan, ...] = ()
    on_track: float = DEFAULT_ON_TRACK
    at_risk: float = DEFAULT_AT_RISK
    max_objectives: int = DEFAULT_MAX_OBJECTIVES
    max_key_results: int = DEFAULT_MAX_KEY_RESULTS
    vague_words: tuple[str, ...] = field(default=())
    people: tuple[Person, ...] = ()
    sources: tuple[DataSource, ...] = ()

    def source(self, name: str) -> DataSource | None:
        return next((source for source in self.sources if source.name == name), None)
