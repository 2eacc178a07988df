"""The rules of okr.yaml (SPEC §2, §19): a bad date is E005 (SPEC §7 lists it there); every
other problem is E012, each at the key or value it concerns. Like checks.py's rules, each
is a small function that never assumes the data is well typed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from okrcli.core.findings import Finding, Path
from okrcli.core.model import CYCLE_ID_PATTERN, SOURCE_NAME_PATTERN
from okrcli.core.numbers import format_number
from okrcli.core.scalars import is_number
from okrcli.files import schema
from okrcli.files.checks import findings_for


def check_config(data: dict[str, Any]) -> list[Finding]:
    """Every finding of okr.yaml's data."""
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
    sources = data.get("sources")
    if isinstance(sources, dict):
        for name, entry in sources.items():
            findings.extend(check_source(name, entry))
    status = data.get("status")
    if isinstance(status, dict):
        on_track, at_risk = status.get("on_track"), status.get("at_risk")
        if is_number(on_track) and is_number(at_risk) and on_track > at_risk:
            findings.append(
                Finding(
                    "E012",
                    ("status", "on_track"),
                    f"okr.yaml: on_track ({format_number(on_track)}) is larger than at_risk "
                    f"({format_number(at_risk)}); on_track must be the smaller tolerance",
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


_SOURCE_KINDS = ("csv", "json", "command")


def check_source(name: Any, entry: Any) -> Iterator[Finding]:
    """One entry of `sources:` (SPEC §19), all E012: its name, its keys' values, and which
    keys go together: one of csv, json and command; key and value exactly for CSV data."""
    path: Path = ("sources", name)
    if not isinstance(name, str) or not SOURCE_NAME_PATTERN.match(name):
        yield Finding(
            "E012",
            path,
            f"okr.yaml: source name '{name}' may use only letters, digits, '-' and '_', "
            "starting with a letter or digit (a KR names it in source: NAME:KEY)",
            at="key",
        )
    for finding in findings_for(schema.SOURCE, entry, path):
        yield Finding("E012", finding.path, f"okr.yaml: {finding.message}", at=finding.at)
    if not isinstance(entry, dict):
        return
    kinds = [kind for kind in _SOURCE_KINDS if kind in entry]
    said = f"okr.yaml: source '{name}'"
    if not kinds:
        yield Finding(
            "E012",
            path,
            f"{said} says nothing to read; give it csv: PATH, json: PATH or command: [...]",
            at="key",
        )
        return
    kind = kinds[0]
    if len(kinds) > 1:
        yield Finding(
            "E012",
            (*path, kinds[1]),
            f"{said} has both '{kind}' and '{kinds[1]}'; a source reads one file or runs "
            "one command, so declare two sources",
            at="key",
        )
    for key in ("format", "timeout"):
        if kind != "command" and key in entry:
            yield Finding(
                "E012",
                (*path, key),
                f"{said}: '{key}' is for a command; a {kind} file is read as {kind}",
                at="key",
            )
    form = kind if kind != "command" else entry.get("format", "json")
    if form == "csv":
        yield from _csv_columns(said, path, entry)
    elif form == "json":
        hint = "; add format: csv if the command writes CSV" if kind == "command" else ""
        for key in ("key", "value"):
            if key in entry:
                yield Finding(
                    "E012",
                    (*path, key),
                    f"{said}: '{key}' is for CSV data; a KR names a JSON value by its dot "
                    f"path (source: {name}:regions.east.customers){hint}",
                    at="key",
                )


def _csv_columns(said: str, path: Path, entry: dict[str, Any]) -> Iterator[Finding]:
    for key, holds in (("key", "KEY"), ("value", "the value")):
        if key not in entry:
            yield Finding(
                "E012",
                path,
                f"{said} reads CSV, so it needs '{key}:', the column that holds {holds}",
                at="key",
            )
    if isinstance(entry.get("key"), str) and entry.get("key") == entry.get("value"):
        yield Finding(
            "E012",
            (*path, "value"),
            f"{said}: 'key' and 'value' are both the column '{entry['value']}'; name two columns",
        )
