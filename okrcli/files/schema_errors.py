"""Why a mapping breaks its shape: the pydantic models built from schema.py's shapes
(strict, unknown keys forbidden), and the mapping of pydantic's errors to okr's findings.

checks.findings_for imports this only for a mapping that is not clean, so pydantic's
import is paid by runs that have something to report, not by every check-in.
"""

from __future__ import annotations

import difflib
import functools
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, create_model

from okrcli.core.findings import Finding, Path, missing_key
from okrcli.files.schema import Shape, describe, is_email

_STRICT = ConfigDict(extra="forbid", strict=True)
_TEXT_LISTS = frozenset(("aligns", "vague_words", "email"))


@functools.cache
def model_of(shape: Shape) -> type[BaseModel]:
    """The shape as a pydantic model. An "optional" field defaults to None without allowing
    it (pydantic never validates a default), so an explicit null still meets its rule.

    Each field is named by its place and takes the key as its alias, so a key that is also
    a name of BaseModel (`json` in a source) shadows nothing; errors name the key."""
    fields: dict[str, Any] = {}
    for place, (key, (rule, presence)) in enumerate(shape.fields.items()):
        checked = Annotated[Any, AfterValidator(rule)]
        if presence == "required":
            fields[f"field_{place}"] = (checked, Field(alias=key))
        elif presence == "optional":
            fields[f"field_{place}"] = (checked, Field(None, alias=key))
        else:
            fields[f"field_{place}"] = (checked | None, Field(None, alias=key))
    model: type[BaseModel] = create_model(shape.name, __config__=_STRICT, **fields)
    return model


def findings(shape: Shape, data: dict[str, Any], path: Path) -> list[Finding]:
    try:
        model_of(shape).model_validate(data)
    except ValidationError as exc:
        return [_finding(shape, data, path, error) for error in exc.errors()]
    return []


def _finding(shape: Shape, data: dict[str, Any], path: Path, error: Any) -> Finding:
    loc = tuple(error["loc"])
    key = loc[0] if loc else None
    where = (*path, key) if isinstance(key, str) else path
    kind = error["type"]
    if kind == "extra_forbidden" and isinstance(key, str):
        known = list(shape.fields)
        close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else f"; known keys: {', '.join(known)}"
        return Finding("E003", where, f"unknown key '{key}'{hint}", at="key")
    if kind == "missing":
        return missing_key(path, str(key))
    value = data.get(str(key))
    if kind == "value_error":
        message = str(error["ctx"]["error"])
        bad_item = _first_non_text(value) if key in _TEXT_LISTS else None
        bad_email = _first_non_email(value) if key == "email" else None
        if isinstance(value, list) and bad_item is not None:
            # A list of texts with one wrong entry: point at that entry, not the list.
            where = (*where, bad_item)
            message = f"entries must be text, not {describe(value[bad_item])}"
        elif isinstance(value, list) and bad_email is not None:
            where = (*where, bad_email)
            message = (
                "entries must be email addresses like wang.fang@acme.com, "
                f"not {describe(value[bad_email])}"
            )
    else:
        message = str(error["msg"]).lower()
    return Finding("E005", where, f"'{key}' {message}")


def _first_non_email(value: Any) -> int | None:
    for index, item in enumerate(value if isinstance(value, list) else ()):
        if not is_email(item):
            return index
    return None


def _first_non_text(value: Any) -> int | None:
    """The index of the first entry of a list that is not text (None if there is none)."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            if not isinstance(item, str):
                return index
    return None
