"""The JSON Schema (draft 2020-12) of a team file and of okr.yaml, for editors and CI.

Generated from the shapes of schema.py, the declaration validation itself uses: every key,
whether it is required, and the JSON Schema fragment that RULE_SCHEMAS gives each
rule. A rule without a fragment cannot be declared (a test holds it), so a change of the
format changes both. The schema is what an editor can check as you type: unknown keys,
wrong types, ids that are not kebab-case, a KR that is neither numeric nor a milestone.
Cross-file rules (aligns, duplicate ids) and the lint warnings stay `okr validate`'s.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from okrcli.core import model
from okrcli.core.model import ID_PATTERN
from okrcli.core.scalars import MAX_NUMBER
from okrcli.files import schema

DRAFT = "https://json-schema.org/draft/2020-12/schema"
Kind = Literal["team", "config"]
KINDS: tuple[Kind, ...] = ("team", "config")
FILE_NAMES: dict[Kind, str] = {"team": "team.schema.json", "config": "config.schema.json"}

# A key result is numeric (baseline and target) or a milestone (done), never both (E011).
_NUMERIC_OR_MILESTONE = {
    "oneOf": [
        {"required": ["baseline", "target"], "not": {"required": ["done"]}},
        {
            "required": ["done"],
            "not": {"anyOf": [{"required": ["baseline"]}, {"required": ["target"]}]},
        },
    ]
}


# What each rule of schema.py accepts, in JSON Schema (the editors' schema is built from
# these and schema.py's shapes; a rule missing here fails a test, so the two never part).
_BOUND = {"minimum": -MAX_NUMBER, "maximum": MAX_NUMBER}


def _ecma(pattern: re.Pattern[str]) -> str:
    # The model's patterns end in \Z (Python); JSON Schema's are ECMA-262, where that is $.
    return "^" + pattern.pattern.removesuffix(r"\Z") + "$"


RULE_SCHEMAS: dict[schema.Rule, dict[str, Any]] = {
    schema.number: {"type": "number", **_BOUND},
    schema.fraction: {"type": "number", "minimum": 0, "maximum": 1},
    schema.positive: {"type": "number", "exclusiveMinimum": 0, "maximum": MAX_NUMBER},
    schema.text: {"type": "string"},
    schema.title: {"type": "string", "pattern": r"\S"},
    schema.flag: {"type": "boolean"},
    schema.date: {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
    schema.count: {"type": "integer", "minimum": 1},
    schema.aligns: {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
    schema.kind: {"enum": ["committed", "aspirational"]},
    schema.mapping: {"type": "object"},
    schema.text_list: {"type": "array", "items": {"type": "string"}},
    schema.a_list: {"type": "array"},
    schema.emails: {
        "anyOf": [
            {"type": "string", "pattern": f"^{schema.EMAIL_PATTERN}$"},
            {"type": "array", "items": {"type": "string", "pattern": f"^{schema.EMAIL_PATTERN}$"}},
        ]
    },
    schema.prose: {"type": "string", "pattern": r"\S"},
    schema.carried_from: {"type": "string", "pattern": _ecma(model.CARRIED_FROM_PATTERN)},
    schema.source: {"type": "string", "pattern": _ecma(model.SOURCE_PATTERN)},
    schema.source_path: {"type": "string", "pattern": _ecma(model.SOURCE_PATH_PATTERN)},
    schema.argv: {"type": "array", "minItems": 1, "items": {"type": "string", "pattern": r"\S"}},
    schema.source_format: {"enum": ["json", "csv"]},
    schema.column: {"type": "string", "pattern": r"\S"},
    schema.seconds: {"type": "number", "exclusiveMinimum": 0, "maximum": schema.MAX_TIMEOUT},
}


def _without(*keys: str) -> dict[str, Any]:
    return {"not": {"anyOf": [{"required": [key]} for key in keys]}}


# A source reads one file or runs one command; CSV data names its key and value columns.
_ONE_SOURCE = {
    "oneOf": [
        {"required": ["csv", "key", "value"], **_without("json", "command", "format", "timeout")},
        {"required": ["json"], **_without("csv", "command", "key", "value", "format", "timeout")},
        {
            "required": ["command"],
            "properties": {"format": {"const": "json"}},
            **_without("csv", "json", "key", "value"),
        },
        {
            "required": ["command", "format", "key", "value"],
            "properties": {"format": {"const": "csv"}},
            **_without("csv", "json"),
        },
    ]
}


def _id_pattern() -> str:
    # ID_PATTERN ends in \Z (Python); JSON Schema patterns are ECMA-262, where that is $.
    return "^" + ID_PATTERN.pattern.removesuffix(r"\Z") + "$"


def _field(shape: schema.Shape, key: str, whole: bool) -> dict[str, Any]:
    rule, presence = shape.fields[key]
    fragment = dict(RULE_SCHEMAS[rule])
    nested = schema.NESTED.get((shape, key)) if whole else None
    if nested is not None:
        how, inner = nested
        reference = {"$ref": f"#/$defs/{inner.name}"}
        if how == "items":
            fragment["items"] = reference
        elif how == "values":
            fragment["additionalProperties"] = reference
        elif how == "values or null":
            fragment["additionalProperties"] = {"anyOf": [reference, {"type": "null"}]}
        else:
            fragment = reference
    if whole and key == "id" and shape in (schema.OBJECTIVE, schema.KEY_RESULT):
        fragment["pattern"] = _id_pattern()
    if presence == "nullable":
        return {"anyOf": [fragment, {"type": "null"}]}
    return fragment


def shape_schema(shape: schema.Shape, whole: bool = True) -> dict[str, Any]:
    """One shape as a JSON Schema object. `whole=False` gives only what the shape's own
    rules say (no nested shapes, no id pattern, no numeric-or-milestone rule): exactly
    what `Shape.is_clean` checks, which a property test holds equal."""
    result: dict[str, Any] = {
        "type": "object",
        "properties": {key: _field(shape, key, whole) for key in shape.fields},
        "additionalProperties": False,
    }
    required = [key for key, (_, presence) in shape.fields.items() if presence == "required"]
    if required:
        result["required"] = required
    if whole and shape is schema.KEY_RESULT:
        result.update(_NUMERIC_OR_MILESTONE)
    if whole and shape is schema.SOURCE:
        result.update(_ONE_SOURCE)
    return result


def _reachable(top: schema.Shape) -> list[schema.Shape]:
    found = [top]
    for shape in found:
        for key in shape.fields:
            nested = schema.NESTED.get((shape, key))
            if nested is not None and nested[1] not in found:
                found.append(nested[1])
    return found


def document(kind: Kind) -> dict[str, Any]:
    """The schema of a team file (`team`) or of okr.yaml (`config`)."""
    top = schema.TEAM if kind == "team" else schema.CONFIG
    title = "okr team file" if kind == "team" else "okr.yaml"
    shapes = _reachable(top)
    return {
        "$schema": DRAFT,
        "title": title,
        "description": f"The format of an {title} (okr validate checks the rest).",
        **shape_schema(top),
        "$defs": {shape.name: shape_schema(shape) for shape in shapes[1:]},
    }


def text(kind: Kind) -> str:
    """The schema as JSON text, the same bytes for the same okr."""
    return json.dumps(document(kind), ensure_ascii=False, indent=2) + "\n"
