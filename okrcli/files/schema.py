"""The file formats: what each mapping of okr.yaml and a team file may hold.

Each format is a Shape: its keys, whether each is required, and the rule its value must
pass. A mapping that breaks no rule is checked here in plain Python; only one that breaks
something is handed to the pydantic models built from the same shapes (schema_errors.py),
whose errors become okr's findings. So a clean file, which is nearly every file and every
file a check-in writes, never imports pydantic.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from okrcli.core import model
from okrcli.core.scalars import MAX_NUMBER, is_number, resolve_plain

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# An address git records (`name@host`): no blanks, an @ between text; said once, for the
# rule and for the JSON Schema.
EMAIL_PATTERN = r"\S+@[^\s@]+"
_MAX_NUMBER_TEXT = f"{MAX_NUMBER:.0e}".replace("+", "")  # "1e15"
_SHOWN_CHARS = 40


def number(value: Any) -> float | int:
    if not is_number(value):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"must be a finite number, not {value}")
        if is_number_like(value):
            raise ValueError(
                f"must be a number from -{_MAX_NUMBER_TEXT} to {_MAX_NUMBER_TEXT}, "
                f"not {describe(value)}"
            )
        raise ValueError(f"must be a number, not {describe(value)}{_number_hint(value)}")
    return value


def _number_hint(value: Any) -> str:
    if value is None:
        # Only `baseline` and `target` refuse an empty number (`current:` may be empty).
        return "; write the number, or for a yes/no KR replace baseline and target by done: false"
    if not isinstance(value, str):
        return ""
    written = value.strip()
    if is_number(resolve_plain(written)):
        return "; write it as a plain number, without quotes"
    ascii_form = unicodedata.normalize("NFKC", written)  # ７０％ -> 70%
    if ascii_form.endswith("%") and is_number(resolve_plain(ascii_form[:-1].strip())):
        return "; write the number alone (a percentage KR puts '%' in 'unit:')"
    if is_number(resolve_plain(ascii_form)):
        return "; write it with ASCII digits"
    return ""


def is_number_like(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def fraction(value: Any) -> float | int:
    percent = unicodedata.normalize("NFKC", value).strip() if isinstance(value, str) else ""
    share = resolve_plain(percent[:-1].strip()) if percent.endswith("%") else None
    if is_number(share):  # `confidence: 70%` means 0.7
        raise ValueError(
            f"must be a number from 0.0 to 1.0, not {describe(value)}; write {share / 100:g}"
        )
    if is_number_like(value) and not 0 <= value <= 1 and value == value:  # NaN: number() says
        # 1e16 is out of okr's range too, but what a share needs is 0.0 to 1.0.
        raise ValueError(f"must be between 0.0 and 1.0, not {describe(value)}")
    amount = number(value)
    if not 0 <= amount <= 1:
        raise ValueError(f"must be between 0.0 and 1.0, not {amount}")
    return amount


def positive(value: Any) -> float | int:
    amount = number(value)
    if amount <= 0:
        raise ValueError(f"must be greater than 0, not {amount}")
    return amount


def text(value: Any) -> str:
    if not isinstance(value, str):
        # Quoting helps only a scalar YAML read as something else (`title: 2026`, `no`).
        hint = "; put it in quotes" if isinstance(value, int | float) else ""
        raise ValueError(f"must be text, not {describe(value)}{hint}")
    return value


def title(value: Any) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError("must say what it is, not be blank; write the title")
    return text(value)


def prose(value: Any) -> str:
    """A `retro` text (SPEC §13): any text with something in it."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError("must say what was learned, not be blank; write it or remove the line")
    return text(value)


def carried_from(value: Any) -> str:
    if isinstance(value, str) and model.CARRIED_FROM_PATTERN.match(value):
        return value
    raise ValueError(
        "must be the objective's address in its cycle, CYCLE/TEAM/OBJECTIVE made of ids "
        f"like 2026-Q2/hr-admin/talent, not {describe(value)}"
    )


def source(value: Any) -> str:
    if isinstance(value, str) and model.SOURCE_PATTERN.match(value):
        return value
    raise ValueError(
        "must be NAME:KEY, a source declared in okr.yaml and the key to read there, "
        f"like hris:offer-rate, not {describe(value)}"
    )


def source_path(value: Any) -> str:
    """A source file (SPEC §19): a path relative to the OKR root that stays inside it."""
    if isinstance(value, str) and model.SOURCE_PATH_PATTERN.match(value):
        return value
    written = value.strip() if isinstance(value, str) else ""
    hint = (
        "; '..' would leave it"
        if ".." in re.split(r"[/\\]", written)
        else "; write it relative to the folder of okr.yaml"
        if written.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", written)
        else ""
    )
    raise ValueError(
        "must be a file's path inside the OKR root, relative to it, like "
        f"exports/hr-metrics.csv, not {describe(value)}{hint}"
    )


def argv(value: Any) -> tuple[str, ...]:
    """A source's command: the program and its arguments as a list (no shell runs it)."""
    if (
        isinstance(value, list)
        and value
        and all(isinstance(item, str) and item.strip() for item in value)
    ):
        return tuple(value)
    if value == []:
        raise ValueError("must name the program to run, like [python3, scripts/report.py]")
    if isinstance(value, list):
        raise ValueError("must list the program and its arguments as texts that are not blank")
    hint = "; okr runs no shell, so write it as a list" if isinstance(value, str) else ""
    raise ValueError(
        "must be the program and its arguments as a list of texts, like "
        f"[python3, scripts/report.py], not {describe(value)}{hint}"
    )


def source_format(value: Any) -> str:
    if value not in ("json", "csv"):
        raise ValueError(f"must be one of 'json' or 'csv', not {describe(value)}")
    return str(value)


def column(value: Any) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError("must name a column of the CSV's header, not be blank")
    return text(value)


MAX_TIMEOUT = 3600


def seconds(value: Any) -> float | int:
    amount = positive(value)
    if amount > MAX_TIMEOUT:
        raise ValueError(f"must be at most {MAX_TIMEOUT} seconds, not {describe(value)}")
    return amount


def flag(value: Any) -> bool:
    if not isinstance(value, bool):
        word = value.strip().lower() if isinstance(value, str) else None
        hint = (
            "; write it without quotes"
            if word in ("true", "false")
            else "; write true or false"
            if word in ("yes", "no", "done", "not done", "y", "n")
            else ""
        )
        raise ValueError(f"must be true or false, not {describe(value)}{hint}")
    return value


def date(value: Any) -> dt.date:
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"must be a real date written YYYY-MM-DD, not {describe(value)}")


def count(value: Any) -> int:
    if isinstance(value, float) and value.is_integer():
        # describe() would show 5.0 as "5", which reads like a valid count.
        raise ValueError(f"must be a whole number written without a decimal point, not {value}")
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"must be a whole number of at least 1, not {describe(value)}")
    return value


def aligns(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise ValueError(
        "must be an objective address or a list of them, like company/growth, "
        f"not {describe(value)}"
    )


def kind(value: Any) -> str:
    if value not in ("committed", "aspirational"):
        raise ValueError(f"must be one of 'committed' or 'aspirational', not {describe(value)}")
    return str(value)


def mapping(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"must be a mapping of keys, not {describe(value)}")
    return value


def text_list(value: Any) -> tuple[str, ...]:
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise ValueError(f"must be a list of words, not {describe(value)}")


def emails(value: Any) -> tuple[str, ...]:
    """One email address or a list of them (`email: [wang.fang@acme.com]`)."""
    found = [value] if isinstance(value, str) else value
    if not isinstance(found, list) or not all(isinstance(item, str) for item in found):
        raise ValueError(
            f"must be a list of email addresses, like [wang.fang@acme.com], not {describe(value)}"
        )
    for item in found:
        if not is_email(item):
            raise ValueError(f"must hold email addresses, and {describe(item)} is not one")
    return tuple(found)


def is_email(item: object) -> bool:
    return isinstance(item, str) and re.fullmatch(EMAIL_PATTERN, item) is not None


def a_list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise ValueError(f"must be a list, not {describe(value)}")
    return value


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
        from okrcli.core.numbers import format_number

        return _shorten(format_number(value))
    return _shorten(repr(value))


def _shorten(text: str) -> str:
    """A value quoted in a message stays short: a 10 kB title or a 5000-digit number is cut."""
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 1] + "…"


# --- the shapes ---------------------------------------------------------------------------

Rule = Callable[[Any], Any]  # returns the value as the model holds it; ValueError if wrong
# "optional": may be left out, but a null is refused; "nullable": a null counts as absent.
Presence = Literal["required", "optional", "nullable"]


# Compared and hashed by identity: each shape is one module constant (and a cache key).
@dataclass(frozen=True, eq=False)
class Shape:
    name: str  # the model's name
    entry: str  # how a message names an entry of this shape that is not a mapping
    fields: dict[str, tuple[Rule, Presence]]

    def is_clean(self, data: dict[Any, Any]) -> bool:
        """True exactly when the pydantic model finds nothing wrong (tests hold the two
        equal): every key known, every required key present, every value passing its rule."""
        for key, value in data.items():
            field = self.fields.get(key) if isinstance(key, str) else None
            if field is None:
                return False
            rule, presence = field
            if value is None and presence == "nullable":
                continue
            try:
                rule(value)
            except ValueError:
                return False
        return all(key in data for key, (_, p) in self.fields.items() if p == "required")


# A key written with no value (`owner:`, `current: ~`) counts as absent: "no value yet"
# is what people mean by it. The keys that decide what a KR is (`baseline`, `target`,
# `done`) are the exception: they are "optional", so a null there is refused (E005).
KEY_RESULT = Shape(
    "KeyResultIn",
    "a key result",
    {
        "id": (text, "required"),
        "title": (title, "required"),
        "owner": (text, "nullable"),
        "unit": (text, "nullable"),
        "baseline": (number, "optional"),
        "target": (number, "optional"),
        "current": (number, "nullable"),
        "done": (flag, "optional"),
        "confidence": (fraction, "nullable"),
        "weight": (positive, "nullable"),
        "score": (fraction, "nullable"),
        # SPEC §13's keys are "optional": written with no value, they are refused.
        "retro": (prose, "optional"),
        "source": (source, "optional"),
    },
)
OBJECTIVE = Shape(
    "ObjectiveIn",
    "an objective",
    {
        "id": (text, "required"),
        "title": (title, "required"),
        "owner": (text, "nullable"),
        "kind": (kind, "nullable"),
        "aligns": (aligns, "nullable"),
        "carried_from": (carried_from, "optional"),
        "retro": (prose, "optional"),
        "key_results": (a_list, "required"),
    },
)
TEAM = Shape(
    "TeamIn",
    "this entry",
    {
        "name": (text, "nullable"),
        "owner": (text, "nullable"),
        "closed": (date, "optional"),
        "retro": (prose, "optional"),
        "objectives": (a_list, "required"),
    },
)
CYCLE = Shape(
    "CycleIn", "a cycle (start and end)", {"start": (date, "required"), "end": (date, "required")}
)
STATUS = Shape(
    "StatusIn", "'status'", {"on_track": (fraction, "nullable"), "at_risk": (fraction, "nullable")}
)
LINT = Shape(
    "LintIn",
    "'lint'",
    {
        "max_objectives": (count, "nullable"),
        "max_key_results": (count, "nullable"),
        "vague_words": (text_list, "nullable"),
    },
)
# One entry of `people:`, under the person's name; `王芳:` with no value is a person with
# no email listed (matched by name alone).
PERSON = Shape("PersonIn", "a person", {"email": (emails, "nullable")})
# One entry of `sources:` (SPEC §19). Which keys go together (one of csv, json and command;
# key and value for CSV) is checks.check_source's business.
SOURCE = Shape(
    "SourceIn",
    "a source (csv, json or command)",
    {
        "csv": (source_path, "optional"),
        "json": (source_path, "optional"),
        "command": (argv, "optional"),
        "format": (source_format, "optional"),
        "key": (column, "optional"),
        "value": (column, "optional"),
        "timeout": (seconds, "optional"),
    },
)
# The nested mappings are validated one by one (config_checks.check_config), so a finding names
# the inner key ('lint' -> 'max_objectives') and points at it.
CONFIG = Shape(
    "ConfigIn",
    "this entry",
    {
        "organization": (text, "required"),
        "cycles": (mapping, "nullable"),
        "status": (mapping, "nullable"),
        "lint": (mapping, "nullable"),
        "people": (mapping, "nullable"),
        "sources": (mapping, "nullable"),
    },
)


# Which shape the entries of a list ("items"), the values of a mapping ("values") or a
# mapping itself ("object") follow; checks.py validates them one by one in this layout.
NESTED: dict[
    tuple[Shape, str], tuple[Literal["items", "values", "values or null", "object"], Shape]
] = {
    (TEAM, "objectives"): ("items", OBJECTIVE),
    (OBJECTIVE, "key_results"): ("items", KEY_RESULT),
    (CONFIG, "cycles"): ("values", CYCLE),
    (CONFIG, "status"): ("object", STATUS),
    (CONFIG, "lint"): ("object", LINT),
    (CONFIG, "people"): ("values or null", PERSON),  # `韩梅梅:` alone is a person too
    (CONFIG, "sources"): ("values", SOURCE),
}
