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
from okrcli.services.people import CycleHistory, day_of, is_checkin
from okrcli.services.stale import Owned

# Worse means further down this list.
_RANK: dict[Status, int] = {"done": 0, "on-track": 1, "at-risk": 2, "off-track": 3}


def digest(cycle: CycleHistory, as_of: dt.date, days: int) -> dict[str, Any]:
    first = as_of - dt.timedelta(days=days - 1)
    before = first - dt.timedelta(days=1)
    window = [entry for entry in cycle.entries if first <= day_of(entry) <= as_of]
    checkins = [entry for entry in window if is_checkin(entry)]
    krs_at = stale_service.KrsAt(cycle.data.teams)
    then = krs_at(history.rewound(cycle.steps, before))
    now = krs_at(history.rewound(cycle.steps, as_of))
    status_then, status_now = statuses(cycle, then, before, now), statuses(cycle, now, as_of)
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


def krs_on(cycle: CycleHistory, day: dt.date) -> dict[str, Owned]:
    """Every KR as it stood at the end of `day`, in file order (see stale.KrsAt)."""
    return stale_service.KrsAt(cycle.data.teams)(history.rewound(cycle.steps, day))


def statuses(
    cycle: CycleHistory, krs: dict[str, Owned], day: dt.date, only: dict[str, Owned] | None = None
) -> dict[str, Status]:
    """The status (§5) of each KR that can be scored, at the pace of `day`; of those also
    in `only`, where given. kr_numbers' status, without the figures it makes besides."""
    config = report.config_of(cycle.data)
    pace = scoring.expected_progress(cycle.data.cycle.start, cycle.data.cycle.end, day)
    found: dict[str, Status] = {}
    for address, (_, kr) in krs.items():
        if kr is None or (only is not None and address not in only):
            continue
        confidence = None if kr.confidence is None else float(kr.confidence)
        progress = scoring.kr_progress(kr)
        found[address] = scoring.status(progress, pace, config.on_track, config.at_risk, confidence)
    return found


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
