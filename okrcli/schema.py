"""The file formats as pydantic models (strict, unknown keys forbidden), and the mapping of
pydantic's errors to okr's findings.

Only the cold path imports this module: validated files are cached as domain objects
(model.py), so a warm run never pays for pydantic.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError

from okrcli import model
from okrcli.findings import Finding
from okrcli.yamlsource import MAX_NUMBER, Path, is_number

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MAX_NUMBER_TEXT = f"{MAX_NUMBER:.0e}".replace("+", "")  # "1e15"
_SHOWN_CHARS = 40


def _number(value: Any) -> float | int:
    if not is_number(value):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"must be a finite number, not {value}")
        if is_number_like(value):
            raise ValueError(
                f"must be a number from -{_MAX_NUMBER_TEXT} to {_MAX_NUMBER_TEXT}, "
                f"not {describe(value)}"
            )
        raise ValueError(f"must be a number, not {describe(value)}")
    return value


def is_number_like(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _fraction(value: Any) -> float | int:
    number = _number(value)
    if not 0 <= number <= 1:
        raise ValueError(f"must be between 0.0 and 1.0, not {number}")
    return number


def _positive(value: Any) -> float | int:
    number = _number(value)
    if number <= 0:
        raise ValueError(f"must be greater than 0, not {number}")
    return number


def _text(value: Any) -> str:
    if not isinstance(value, str):
        # Quoting helps only a scalar YAML read as something else (`title: 2026`, `no`).
        hint = "; put it in quotes" if isinstance(value, int | float) else ""
        raise ValueError(f"must be text, not {describe(value)}{hint}")
    return value


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"must be true or false, not {describe(value)}")
    return value


def _date(value: Any) -> dt.date:
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"must be a real date written YYYY-MM-DD, not {describe(value)}")


def _count(value: Any) -> int:
    if isinstance(value, float) and value.is_integer():
        # describe() would show 5.0 as "5", which reads like a valid count.
        raise ValueError(f"must be a whole number written without a decimal point, not {value}")
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"must be a whole number of at least 1, not {describe(value)}")
    return value


def _aligns(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise ValueError(
        "must be an objective address or a list of them, like company/growth, "
        f"not {describe(value)}"
    )


def _kind(value: Any) -> str:
    if value not in ("committed", "aspirational"):
        raise ValueError(f"must be one of 'committed' or 'aspirational', not {describe(value)}")
    return str(value)


def _mapping(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"must be a mapping of keys, not {describe(value)}")
    return value


def _text_list(value: Any) -> tuple[str, ...]:
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise ValueError(f"must be a list of words, not {describe(value)}")


def describe(value: object) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, str):
        return f"the text '{_shorten(value)}'"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if is_number_like(value):
        from okrcli.numbers import format_number

        return _shorten(format_number(value))
    return _shorten(repr(value))


def _shorten(text: str) -> str:
    """A value quoted in a message stays short: a 10 kB title or a 5000-digit number is cut."""
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 1] + "…"


Number = Annotated[Any, AfterValidator(_number)]
Fraction = Annotated[Any, AfterValidator(_fraction)]
Positive = Annotated[Any, AfterValidator(_positive)]
Text = Annotated[Any, AfterValidator(_text)]
Flag = Annotated[Any, AfterValidator(_flag)]
Date = Annotated[Any, AfterValidator(_date)]
Count = Annotated[Any, AfterValidator(_count)]
Aligns = Annotated[Any, AfterValidator(_aligns)]
TextList = Annotated[Any, AfterValidator(_text_list)]
Kind = Annotated[Any, AfterValidator(_kind)]
Mapping = Annotated[Any, AfterValidator(_mapping)]

_STRICT = ConfigDict(extra="forbid", strict=True)


# A key written with no value (`owner:`, `current: ~`) counts as absent: "no value yet"
# is what people mean by it. The keys that decide what a KR is (`baseline`, `target`,
# `done`) are the exception: they have no default, so a null there is refused (E005).
# (Pydantic never validates a default, so `= None` without `| None` refuses an explicit
# null while still allowing the key to be left out.)


class KeyResultIn(BaseModel):
    model_config = _STRICT
    id: Text
    title: Text
    owner: Text | None = None
    unit: Text | None = None
    baseline: Number = None
    target: Number = None
    current: Number | None = None
    done: Flag = None
    confidence: Fraction | None = None
    weight: Positive | None = None
    score: Fraction | None = None


class ObjectiveIn(BaseModel):
    model_config = _STRICT
    id: Text
    title: Text
    owner: Text | None = None
    kind: Kind | None = None
    aligns: Aligns | None = None
    key_results: list[Any]


class TeamIn(BaseModel):
    model_config = _STRICT
    name: Text | None = None
    owner: Text | None = None
    objectives: list[Any]


class CycleIn(BaseModel):
    model_config = _STRICT
    start: Date
    end: Date


class StatusIn(BaseModel):
    model_config = _STRICT
    on_track: Fraction | None = None
    at_risk: Fraction | None = None


class LintIn(BaseModel):
    model_config = _STRICT
    max_objectives: Count | None = None
    max_key_results: Count | None = None
    vague_words: TextList | None = None


class ConfigIn(BaseModel):
    model_config = _STRICT
    organization: Text
    # The nested mappings are validated one by one (checks.check_config), so a finding
    # names the inner key ('lint' -> 'max_objectives') and points at it.
    cycles: Mapping | None = None
    status: Mapping | None = None
    lint: Mapping | None = None


# --- validation: raw data -> findings -----------------------------------------------------

# How a message names a list item or mapping entry that is not a mapping at all.
_ENTRY_NAMES: dict[type[BaseModel], str] = {
    KeyResultIn: "a key result",
    ObjectiveIn: "an objective",
    CycleIn: "a cycle (start and end)",
    StatusIn: "'status'",
    LintIn: "'lint'",
}


def findings_for(model_type: type[BaseModel], data: Any, path: Path) -> list[Finding]:
    """Validate one mapping of a file against one model; nested lists are validated by the
    caller item by item, so one bad KR never hides the findings of the others."""
    if not isinstance(data, dict):
        what = _ENTRY_NAMES.get(model_type, "this entry")
        return [Finding("E005", path, f"{what} must be a mapping of keys, not {describe(data)}")]
    try:
        model_type.model_validate(data)
    except ValidationError as exc:
        return [_finding(model_type, data, path, error) for error in exc.errors()]
    return []


def _finding(model_type: type[BaseModel], data: dict[str, Any], path: Path, error: Any) -> Finding:
    loc = tuple(error["loc"])
    key = loc[0] if loc else None
    where = (*path, key) if isinstance(key, str) else path
    kind = error["type"]
    if kind == "extra_forbidden" and isinstance(key, str):
        known = list(model_type.model_fields)
        close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else f"; known keys: {', '.join(known)}"
        return Finding("E003", where, f"unknown key '{key}'{hint}", at="key")
    if kind == "missing":
        return Finding("E004", path, f"missing required key '{key}'", at="key")
    value = data.get(str(key))
    if kind == "value_error":
        message = str(error["ctx"]["error"])
        bad_item = _first_non_text(value) if key in _TEXT_LISTS else None
        if isinstance(value, list) and bad_item is not None:
            # A list of texts with one wrong entry: point at that entry, not the list.
            where = (*where, bad_item)
            message = f"entries must be text, not {describe(value[bad_item])}"
    elif kind == "list_type":
        message = f"must be a list, not {describe(value)}"
    else:
        message = str(error["msg"]).lower()
    return Finding("E005", where, f"'{key}' {message}")


_TEXT_LISTS = frozenset(("aligns", "vague_words"))


def _first_non_text(value: Any) -> int | None:
    """The index of the first entry of a list that is not text (None if there is none)."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            if not isinstance(item, str):
                return index
    return None


def declared_cycles(data: dict[str, Any]) -> dict[str, model.CycleSpan | None]:
    """The cycles declared under `cycles:`, each None when its own entry is invalid."""
    cycles = data.get("cycles")
    if not isinstance(cycles, dict):
        return {}
    declared: dict[str, model.CycleSpan | None] = {}
    for cycle_id, span in cycles.items():
        declared[cycle_id] = None
        if isinstance(span, dict) and not findings_for(CycleIn, span, ()):
            parsed = CycleIn.model_validate(span)
            if parsed.start <= parsed.end:
                declared[cycle_id] = model.CycleSpan(cycle_id, parsed.start, parsed.end)
    return declared


def to_config(data: dict[str, Any]) -> model.Config:
    """A Config from okr.yaml data that produced no findings."""
    parsed = ConfigIn.model_validate(data)
    spans = {
        cycle_id: CycleIn.model_validate(span) for cycle_id, span in (parsed.cycles or {}).items()
    }
    cycles = tuple(
        model.CycleSpan(cycle_id, span.start, span.end) for cycle_id, span in spans.items()
    )
    status = StatusIn.model_validate(parsed.status or {})
    lint = LintIn.model_validate(parsed.lint or {})
    return model.Config(
        organization=parsed.organization,
        cycles=cycles,
        on_track=model.DEFAULT_ON_TRACK if status.on_track is None else float(status.on_track),
        at_risk=model.DEFAULT_AT_RISK if status.at_risk is None else float(status.at_risk),
        max_objectives=lint.max_objectives or model.DEFAULT_MAX_OBJECTIVES,
        max_key_results=lint.max_key_results or model.DEFAULT_MAX_KEY_RESULTS,
        vague_words=lint.vague_words or (),
    )


def to_team(team_id: str, path: str, data: dict[str, Any]) -> model.Team:
    """A Team from team-file data that produced no error findings.

    The data passed the models above, whose validators return values unchanged (but for
    `aligns`), so it is read as it is: validating again would double the cold path's cost.
    """
    objectives = []
    for raw in data["objectives"]:
        key_results = tuple(
            model.KeyResult(**{key: value for key, value in kr.items() if value is not None})
            for kr in raw["key_results"]
        )
        aligns = raw.get("aligns")
        parents = (aligns,) if isinstance(aligns, str) else tuple(aligns or ())
        objectives.append(
            model.Objective(
                id=raw["id"],
                title=raw["title"],
                key_results=key_results,
                owner=raw.get("owner"),
                kind=raw.get("kind") or "aspirational",
                # Naming a parent twice means nothing more than naming it once.
                aligns=tuple(dict.fromkeys(parents)),
            )
        )
    return model.Team(
        id=team_id,
        path=path,
        objectives=tuple(objectives),
        name=data.get("name"),
        owner=data.get("owner"),
    )
