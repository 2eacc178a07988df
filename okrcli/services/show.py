"""`okr show ADDRESS`: one key result or objective in full, with its recent history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from okrcli.core.address import resolve, targets
from okrcli.files.loader import CycleData
from okrcli.services import report

RECENT = 10  # the last check-ins and revisions shown; `okr log ADDRESS` has them all


def show(
    data: CycleData, as_of: dt.date, text: str, entries: list[dict[str, Any]]
) -> dict[str, Any]:
    """The KR's (or objective's) scorecard row, the pace it is measured against, and the
    last RECENT log entries about it (oldest first)."""
    target = resolve(text, data.cycle.id, targets(data.teams), "objective or key result")
    card = report.scorecard(data, as_of, target.team.id)
    rows = [o for team in card["teams"] for o in team["objectives"]]
    found: dict[str, Any] = {}
    kind = "key_result" if target.key_result is not None else "objective"
    for objective in rows:
        if objective["address"] == target.address:
            found = objective
        for kr in objective["key_results"]:
            if kr["address"] == target.address:
                found = kr
    prefix = target.address + ("/" if kind == "objective" else "")
    history = [
        e for e in entries if e["address"] == target.address or e["address"].startswith(prefix)
    ]
    # "type", not "kind": an objective's row has its own `kind` (committed, aspirational).
    return {
        "type": kind,
        "cycle": card["cycle"],
        "as_of": card["as_of"],
        "expected": card["expected"],
        **found,
        "history": history[-RECENT:],
    }
