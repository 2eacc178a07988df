"""Validation rules (SPEC §7). Each rule is a small function over a file's plain data that
yields Findings; the registries at the bottom are tuples, so nothing can add rules behind
the reader's back. Rules never assume the data is well typed: a value of the wrong type is
the schema rule's business, and every other rule skips it.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from typing import Any

from okrcli.core.findings import Finding, Path, missing_key
from okrcli.core.model import ID_PATTERN, SOURCE_PATTERN
from okrcli.core.scalars import is_number
from okrcli.files import schema

BUILTIN_VAGUE_WORDS = (
    "improve",
    "enhance",
    "strengthen",
    "optimize",
    "optimise",
    "better",
    "boost",
    "ensure",
    "support",
    "完善",
    "加强",
    "优化",
    "提升",
    "提高",
    "改善",
    "推进",
    "促进",
    "强化",
    "做好",
)
_DIGIT = re.compile(r"[0-9０-９]")


@dataclass(frozen=True, slots=True)
class LintSettings:
    max_objectives: int
    max_key_results: int
    vague_words: tuple[str, ...]

    @property
    def vague_pattern(self) -> re.Pattern[str]:
        return vague_word_pattern(self.vague_words)


def findings_for(shape: schema.Shape, data: Any, path: Path) -> list[Finding]:
    """Validate one mapping against one shape; nested lists are validated by the caller
    item by item, so one bad KR never hides the findings of the others."""
    if not isinstance(data, dict):
        return [
            Finding(
                "E005",
                path,
                f"{shape.entry} must be a mapping of keys, not {schema.describe(data)}",
            )
        ]
    if shape.is_clean(data):
        return []
    from okrcli.files import schema_errors

    return schema_errors.findings(shape, data, path)


@functools.cache
def vague_word_pattern(extra_words: tuple[str, ...]) -> re.Pattern[str]:
    """English words match whole, or with an -s/-d/-ed/-ing/-ment(s) ending; others anywhere.

    A word ending in a silent e takes -ed/-ing as English spells them: "improving" and
    "optimised" are the vague words as much as "improves" and "improvement" are.
    """
    alternatives = []
    for word in (*BUILTIN_VAGUE_WORDS, *extra_words):
        escaped = re.escape(word.lower())
        if not word.isascii():
            alternatives.append(escaped)
            continue
        alternatives.append(rf"\b{escaped}(?:s|d|ed|ing|ments?)?\b")
        if word.lower().endswith("e") and len(word) > 2:
            alternatives.append(rf"\b{re.escape(word.lower()[:-1])}(?:ed|ing)\b")
    return re.compile("|".join(alternatives), re.IGNORECASE)


# --- walking the raw data -------------------------------------------------------------------


def _objectives(data: dict[str, Any]) -> Iterator[tuple[Path, dict[str, Any]]]:
    objectives = data.get("objectives")
    if isinstance(objectives, list):
        for index, objective in enumerate(objectives):
            if isinstance(objective, dict):
                yield ("objectives", index), objective


def _key_results(
    data: dict[str, Any],
) -> Iterator[tuple[Path, dict[str, Any], dict[str, Any]]]:
    for objective_path, objective in _objectives(data):
        key_results = objective.get("key_results")
        if isinstance(key_results, list):
            for index, kr in enumerate(key_results):
                if isinstance(kr, dict):
                    yield (*objective_path, "key_results", index), kr, objective


# --- team-file rules ------------------------------------------------------------------------

TeamRule = Callable[[dict[str, Any], LintSettings], Iterator[Finding]]


def check_schema(data: dict[str, Any], lint: LintSettings) -> Iterator[Finding]:
    """E003 unknown keys, E004 missing keys, E005 wrong types and values."""
    yield from findings_for(schema.TEAM, data, ())
    objectives = data.get("objectives")
    if not isinstance(objectives, list):
        return
    for index, objective in enumerate(objectives):
        objective_path: Path = ("objectives", index)
        yield from findings_for(schema.OBJECTIVE, objective, objective_path)
        if not isinstance(objective, dict):
            continue
        key_results = objective.get("key_results")
        if key_results == []:
            yield Finding(
                "E004",
                (*objective_path, "key_results"),
                "an objective needs at least one key result under 'key_results'",
                at="key",
            )
        if isinstance(key_results, list):
            for kr_index, kr in enumerate(key_results):
                kr_path = (*objective_path, "key_results", kr_index)
                yield from findings_for(schema.KEY_RESULT, kr, kr_path)


def check_ids(data: dict[str, Any], lint: LintSettings) -> Iterator[Finding]:
    """E006 duplicate ids, E007 ids that are not kebab-case."""
    seen_objectives: set[str] = set()
    for objective_path, objective in _objectives(data):
        yield from _check_id(objective, objective_path, seen_objectives, "objective", "this file")
        key_results = objective.get("key_results")
        if not isinstance(key_results, list):
            continue
        seen_krs: set[str] = set()
        for index, kr in enumerate(key_results):
            if isinstance(kr, dict):
                kr_path = (*objective_path, "key_results", index)
                yield from _check_id(kr, kr_path, seen_krs, "key result", "this objective")


def _check_id(
    item: dict[str, Any], path: Path, seen: set[str], what: str, scope: str
) -> Iterator[Finding]:
    item_id = item.get("id")
    if not isinstance(item_id, str):
        return
    if not ID_PATTERN.match(item_id):
        yield Finding(
            "E007",
            (*path, "id"),
            f"{what} id '{item_id}' is not kebab-case; use lowercase letters, digits and "
            "hyphens, starting with a letter or digit",
        )
    if item_id in seen:
        yield Finding(
            "E006", (*path, "id"), f"duplicate {what} id '{item_id}' in {scope}; rename one"
        )
    seen.add(item_id)


def check_kr_kind(data: dict[str, Any], lint: LintSettings) -> Iterator[Finding]:
    """E011 milestone and numeric at once, or neither; E004 half a numeric KR; E008."""
    for kr_path, kr, _ in _key_results(data):
        # `current:` with no value is "no value yet" (schema.py), not a numeric key.
        numeric_keys = [
            key
            for key in ("baseline", "target", "current")
            if key in kr and (key != "current" or kr[key] is not None)
        ]
        if "done" in kr and numeric_keys:
            yield Finding(
                "E011",
                kr_path,
                f"key result has both 'done' and '{numeric_keys[0]}'; a milestone has only "
                "'done', a numeric KR only baseline/target/current",
            )
        elif "done" not in kr and "baseline" not in kr and "target" not in kr:
            yield Finding(
                "E011",
                kr_path,
                "key result has neither 'done' nor baseline/target; add 'done: false' for a "
                "milestone or 'baseline:' and 'target:' for a number",
            )
        elif "done" not in kr and ("baseline" in kr) != ("target" in kr):
            missing = "target" if "baseline" in kr else "baseline"
            yield missing_key(kr_path, missing)
        baseline, target = kr.get("baseline"), kr.get("target")
        if is_number(baseline) and is_number(target) and baseline == target:
            yield Finding(
                "E008",
                (*kr_path, "target"),
                f"target equals baseline ({_show(target)}); progress cannot be computed",
                at="key",
            )


def check_vague_titles(data: dict[str, Any], lint: LintSettings) -> Iterator[Finding]:
    """W101: a KR title with no digit that uses a vague word."""
    pattern = lint.vague_pattern
    for kr_path, kr, _ in _key_results(data):
        title = kr.get("title")
        if not isinstance(title, str) or _DIGIT.search(title):
            continue
        match = pattern.search(title)
        if match:
            yield Finding(
                "W101",
                (*kr_path, "title"),
                f"key result title uses the vague word '{match.group()}' and has no number; "
                "say how much, from what to what",
            )


def check_sizes(data: dict[str, Any], lint: LintSettings) -> Iterator[Finding]:
    """W102 too many KRs in an objective, W103 too many objectives in a file."""
    objectives = data.get("objectives")
    if isinstance(objectives, list) and len(objectives) > lint.max_objectives:
        yield Finding(
            "W103",
            ("objectives",),
            f"{len(objectives)} objectives, more than {lint.max_objectives}; focus on fewer",
            at="key",
        )
    for objective_path, objective in _objectives(data):
        key_results = objective.get("key_results")
        if isinstance(key_results, list) and len(key_results) > lint.max_key_results:
            yield Finding(
                "W102",
                (*objective_path, "key_results"),
                f"{len(key_results)} key results, more than {lint.max_key_results}; "
                "keep the few that matter",
                at="key",
            )


def check_current_range(data: dict[str, Any], lint: LintSettings) -> Iterator[Finding]:
    """W104: current far outside the baseline–target range (likely a typo)."""
    for kr_path, kr, _ in _key_results(data):
        baseline, target, current = kr.get("baseline"), kr.get("target"), kr.get("current")
        if not (is_number(baseline) and is_number(target) and is_number(current)):
            continue
        span = abs(target - baseline)
        low, high = min(baseline, target) - span, max(baseline, target) + span
        if span and not low <= current <= high:
            yield Finding(
                "W104",
                (*kr_path, "current"),
                f"current {_show(current)} lies far outside baseline {_show(baseline)} – "
                f"target {_show(target)}; check it for a typo",
            )


def _show(value: Any) -> str:
    from okrcli.core.numbers import format_number

    return format_number(value)


TEAM_RULES: tuple[TeamRule, ...] = (
    check_schema,
    check_ids,
    check_kr_kind,
    check_vague_titles,
    check_sizes,
    check_current_range,
)


def check_closed(data: dict[str, Any], cycle_start: dt.date) -> Iterator[Finding]:
    """E005: a `closed:` date before the cycle starts (SPEC §13)."""
    closed = data.get("closed")
    try:
        day = schema.date(closed)
    except ValueError:
        return  # not a date at all: the schema rule says so
    if day < cycle_start:
        yield Finding(
            "E005",
            ("closed",),
            f"'closed' ({closed}) is before the cycle starts ({cycle_start.isoformat()}); "
            "write the day the team closed the cycle",
        )


def check_sources(data: dict[str, Any], declared: Collection[str]) -> Iterator[Finding]:
    """E013: a KR's `source: NAME:KEY` names no source of okr.yaml (SPEC §19)."""
    for kr_path, kr, _ in _key_results(data):
        written = kr.get("source")
        match = SOURCE_PATTERN.match(written) if isinstance(written, str) else None
        if match is None or match.group(1) in declared:
            continue  # a malformed source is the schema rule's E005
        name = match.group(1)
        import difflib

        close = difflib.get_close_matches(name, sorted(declared), n=1, cutoff=0.6)
        hint = (
            f"did you mean '{close[0]}'?"
            if close
            else f"okr.yaml declares {', '.join(sorted(declared))}"
            if declared
            else "declare it under 'sources:' in okr.yaml"
        )
        yield Finding(
            "E013", (*kr_path, "source"), f"source '{name}' is not declared in okr.yaml; {hint}"
        )


def check_team(
    data: dict[str, Any],
    lint: LintSettings,
    team_id: str,
    cycle_start: dt.date | None = None,
    sources: Collection[str] | None = None,
) -> list[Finding]:
    """Every rule over a team file's data, E007 for its name (the team's id), with the
    cycle's start (when the cycle is known) its `closed:` date, and with the names of
    okr.yaml's sources (when okr.yaml is valid) its KRs' `source:`."""
    findings = [finding for rule in TEAM_RULES for finding in rule(data, lint)]
    if cycle_start is not None:
        findings.extend(check_closed(data, cycle_start))
    if sources is not None:
        findings.extend(check_sources(data, sources))
    if not ID_PATTERN.match(team_id):
        findings.append(
            Finding(
                "E007",
                (),
                f"team id '{team_id}' (the file name) is not kebab-case; rename the file",
                at="key",
            )
        )
    return findings
