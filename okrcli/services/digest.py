"""The week in one page (SPEC §18's `okr digest`) as plain data: the JSON it prints.

The window is the N days ending at the as-of date, both ends included; "N days earlier"
is the evening before the window starts, so what changed between the two states is what
the window's commits did (and what the pace did).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from okrcli.core import scoring
from okrcli.core.model import Status
from okrcli.history import versions as history
from okrcli.services import report
from okrcli.services import stale as stale_service
from okrcli.services.changes import KeyResults
from okrcli.services.people import CycleHistory, day_of, is_checkin
from okrcli.services.stale import Owned

# Worse means further down this list.
_RANK: dict[Status, int] = {"done": 0, "on-track": 1, "at-risk": 2, "off-track": 3}


def digest(cycle: CycleHistory, as_of: dt.date, days: int) -> dict[str, Any]:
    first = as_of - dt.timedelta(days=days - 1)
    before = first - dt.timedelta(days=1)
    window = [entry for entry in cycle.entries if first <= day_of(entry) <= as_of]
    checkins = [entry for entry in window if is_checkin(entry)]
    scorable = KeyResults()
    then, now = krs_on(cycle, before, scorable), krs_on(cycle, as_of, scorable)
    status_then, status_now = statuses(cycle, then, before), statuses(cycle, now, as_of)
    worse = [
        {"address": address, "old": status_then[address], "new": status}
        for address, status in status_now.items()
        if address in status_then and _RANK[status] > _RANK[status_then[address]]
    ]
    checked_in = {entry["author"] for entry in checkins}
    silent = {
        owner
        for address, (owner, _) in now.items()
        if owner is not None and address in status_now and status_now[address] != "done"
    }
    data = cycle.data
    return {
        "cycle": data.cycle.id,
        "from": first.isoformat(),
        "to": as_of.isoformat(),
        "checkins": checkins,
        "revisions": [entry for entry in window if not is_checkin(entry)],
        "worse": worse,
        "confidence_drops": confidence_drops(then, now),
        "stale": stale_service.stale(data.teams, cycle.steps, as_of, days, cycle.committed, now),
        "silent": sorted(silent - checked_in),
    }


def krs_on(
    cycle: CycleHistory, day: dt.date, scorable: KeyResults | None = None
) -> dict[str, Owned]:
    """Every KR as it stood at the end of `day`, in file order (see stale.krs_at)."""
    then = history.rewound(cycle.steps, day)
    return stale_service.krs_at(cycle.data.teams, then, scorable or KeyResults())


def statuses(cycle: CycleHistory, krs: dict[str, Owned], day: dt.date) -> dict[str, Status]:
    """The status (§5) of each KR that can be scored, at the pace of `day`."""
    config = report.config_of(cycle.data)
    pace = scoring.expected_progress(cycle.data.cycle.start, cycle.data.cycle.end, day)
    return {
        address: scoring.kr_numbers(kr, pace, config.on_track, config.at_risk).status
        for address, (_, kr) in krs.items()
        if kr is not None
    }


def confidence_drops(then: dict[str, Owned], now: dict[str, Owned]) -> list[dict[str, Any]]:
    """KRs whose confidence is lower than at the window's start (any fall counts)."""
    drops = []
    for address, (_, kr) in now.items():
        old_kr = then.get(address, (None, None))[1]
        old = None if old_kr is None else old_kr.confidence
        new = None if kr is None else kr.confidence
        if old is not None and new is not None and new < old - scoring.TOLERANCE:
            drops.append({"address": address, "old": old, "new": new})
    return drops
