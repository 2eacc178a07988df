"""Validation rules (SPEC §7). Each rule is a small function over a file's plain data that
yields Findings; the registries at the bottom are tuples, so nothing can add rules behind
the reader's back. Rules never assume the data is well typed: a value of the wrong type is
the schema rule's business, and every other rule skips it.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from okrcli.core.findings import Finding, Path, missing_key
from okrcli.core.model import CYCLE_ID_PATTERN, ID_PATTERN
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


def check_team(
    data: dict[str, Any], lint: LintSettings, team_id: str, cycle_start: dt.date | None = None
) -> list[Finding]:
    """Every rule over a team file's data, E007 for its name (the team's id), and with the
    cycle's start (when the cycle is known) its `closed:` date."""
    findings = [finding for rule in TEAM_RULES for finding in rule(data, lint)]
    if cycle_start is not None:
        findings.extend(check_closed(data, cycle_start))
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


# --- okr.yaml -------------------------------------------------------------------------------


def check_config(data: dict[str, Any]) -> list[Finding]:
    """okr.yaml: a bad date is E005 (SPEC §7 lists it there); anything else wrong is E012."""
    findings = [
        Finding("E012", finding.path, f"okr.yaml: {finding.message}", at=finding.at)
        for finding in findings_for(schema.CONFIG, data, ())
    ]
    for key, section in (("status", schema.STATUS), ("lint", schema.LINT)):
        if isinstance(data.get(key), dict):
            findings.extend(
                Finding("E012", finding.path, f"okr.yaml: {finding.message}", at=finding.at)
                for finding in findings_for(section, data[key], (key,))
            )
    cycles = data.get("cycles")
    if isinstance(cycles, dict):
        for cycle_id, span in cycles.items():
            findings.extend(_check_cycle_span(str(cycle_id), span))
    people = data.get("people")
    if isinstance(people, dict):
        findings.extend(_check_people(people))
    status = data.get("status")
    if isinstance(status, dict):
        on_track, at_risk = status.get("on_track"), status.get("at_risk")
        if is_number(on_track) and is_number(at_risk) and on_track > at_risk:
            findings.append(
                Finding(
                    "E012",
                    ("status", "on_track"),
                    f"okr.yaml: on_track ({_show(on_track)}) is larger than at_risk "
                    f"({_show(at_risk)}); on_track must be the smaller tolerance",
                )
            )
    return findings


def _check_people(people: dict[str, Any]) -> Iterator[Finding]:
    """`people:` (SPEC §18): each entry a person's name over their emails; an email names
    one person only, or a commit would have two authors."""
    owners: dict[str, str] = {}
    for name, entry in people.items():
        path: Path = ("people", name)
        if not name.strip():
            yield Finding(
                "E012", path, "okr.yaml: a person's name must not be blank; write the name", "key"
            )
        if entry is None:
            continue
        if not isinstance(entry, dict):
            example = entry if schema.is_email(entry) else "wang.fang@acme.com"
            yield Finding(
                "E012",
                path,
                f"okr.yaml: person '{name}' must be a mapping of their git emails, like "
                f"{{email: [{example}]}}, not {schema.describe(entry)}",
            )
            continue
        for finding in findings_for(schema.PERSON, entry, path):
            yield Finding("E012", finding.path, f"okr.yaml: {finding.message}", at=finding.at)
        listed = entry.get("email")
        listed = [listed] if isinstance(listed, str) else listed
        for index, email in enumerate(listed if isinstance(listed, list) else ()):
            if not schema.is_email(email):
                continue
            first = owners.setdefault(email.casefold(), name)
            if first != name:
                where: Path = (*path, "email", index)
                if isinstance(entry.get("email"), str):
                    where = (*path, "email")
                yield Finding(
                    "E012",
                    where,
                    f"okr.yaml: email '{email}' is listed for {first} already; an email "
                    "belongs to one person, so remove it from one of them",
                )


def _check_cycle_span(cycle_id: str, span: Any) -> Iterator[Finding]:
    path: Path = ("cycles", cycle_id)
    if not CYCLE_ID_PATTERN.match(cycle_id):
        yield Finding(
            "E012",
            path,
            f"okr.yaml: cycle id '{cycle_id}' may use only letters, digits, '-', '_' and '.'",
            at="key",
        )
    for finding in findings_for(schema.CYCLE, span, path):
        code = "E005" if finding.code == "E005" and "date" in finding.message else "E012"
        yield Finding(code, finding.path, f"okr.yaml: {finding.message}", at=finding.at)
    if isinstance(span, dict):
        start, end = span.get("start"), span.get("end")
        dates = (start, end)
        if all(isinstance(d, str) and _is_date(d) for d in dates) and str(end) < str(start):
            yield Finding(
                "E012",
                (*path, "end"),
                f"okr.yaml: cycle '{cycle_id}' ends ({end}) before it starts ({start})",
            )


def _is_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10
