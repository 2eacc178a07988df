"""From clean file data to the domain: okr.yaml's Config and a team file's Team.

Called only for data that produced no error findings (schema.py's shapes and checks.py's
rules passed), so nothing here validates again: the rules return values unchanged (but for
`aligns`, dates and sources), and doubling the checks would double the cold path's cost.
"""

from __future__ import annotations

from typing import Any

from okrcli.core import model
from okrcli.files.schema import CYCLE, date, emails


def declared_cycles(data: dict[str, Any]) -> dict[str, model.CycleSpan | None]:
    """The cycles declared under `cycles:`, each None when its own entry is invalid."""
    cycles = data.get("cycles")
    if not isinstance(cycles, dict):
        return {}
    declared: dict[str, model.CycleSpan | None] = {}
    for cycle_id, span in cycles.items():
        declared[cycle_id] = None
        if isinstance(span, dict) and CYCLE.is_clean(span):
            start, end = date(span["start"]), date(span["end"])
            if start <= end:
                declared[cycle_id] = model.CycleSpan(cycle_id, start, end)
    return declared


def to_config(data: dict[str, Any]) -> model.Config:
    """A Config from okr.yaml data that produced no findings."""
    cycles = tuple(
        model.CycleSpan(cycle_id, date(span["start"]), date(span["end"]))
        for cycle_id, span in (data.get("cycles") or {}).items()
    )
    status = data.get("status") or {}
    lint = data.get("lint") or {}
    on_track, at_risk = status.get("on_track"), status.get("at_risk")
    return model.Config(
        organization=data["organization"],
        cycles=cycles,
        on_track=model.DEFAULT_ON_TRACK if on_track is None else float(on_track),
        at_risk=model.DEFAULT_AT_RISK if at_risk is None else float(at_risk),
        max_objectives=lint.get("max_objectives") or model.DEFAULT_MAX_OBJECTIVES,
        max_key_results=lint.get("max_key_results") or model.DEFAULT_MAX_KEY_RESULTS,
        vague_words=tuple(lint.get("vague_words") or ()),
        people=tuple(
            model.Person(name, emails(entry["email"]) if entry and entry.get("email") else ())
            for name, entry in (data.get("people") or {}).items()
        ),
        sources=tuple(
            to_source(name, entry) for name, entry in (data.get("sources") or {}).items()
        ),
    )


def to_source(name: str, entry: dict[str, Any]) -> model.DataSource:
    """A DataSource from a clean `sources:` entry (checks.check_source found nothing)."""
    kind: model.SourceKind = next(k for k in ("csv", "json", "command") if k in entry)
    form: model.SourceFormat = "json" if kind == "json" else "csv"
    if kind == "command":
        form = entry.get("format", "json")
    return model.DataSource(
        name=name,
        kind=kind,
        format=form,
        path=entry.get(kind) if kind != "command" else None,
        command=tuple(entry.get("command", ())),
        key=entry.get("key"),
        value=entry.get("value"),
        timeout=entry.get("timeout", model.DEFAULT_SOURCE_TIMEOUT),
    )


def to_team(team_id: str, path: str, data: dict[str, Any]) -> model.Team:
    """A Team from team-file data that produced no error findings, read as it is."""
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
                carried_from=raw.get("carried_from"),
                retro=raw.get("retro"),
            )
        )
    closed = data.get("closed")
    return model.Team(
        id=team_id,
        path=path,
        objectives=tuple(objectives),
        name=data.get("name"),
        owner=data.get("owner"),
        closed=None if closed is None else date(closed),
        retro=data.get("retro"),
    )
