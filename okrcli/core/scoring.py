"""Progress, score, expected pace and status (SPEC §5): pure functions, no I/O.

Everything here is computed in float and never rounded; rounding belongs to the output.
Inputs are assumed to have passed validation (schema.py); where an invalid input would
otherwise crash (target equal to baseline, a cycle that ends before it starts, an
objective with no KRs), the functions return a defined value instead of raising.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Sequence
from typing import Literal, NamedTuple

from okrcli.core.model import CycleSpan, KeyResult, Number, Objective, Status, Team

__all__ = [
    "TOLERANCE",
    "clamp",
    "cycle_progress",
    "expected_progress",
    "grade",
    "kr_progress",
    "kr_raw_progress",
    "kr_score",
    "kr_status",
    "mean",
    "objective_progress",
    "objective_score",
    "objective_status",
    "quarter_span",
    "status",
    "team_progress",
    "weighted_mean",
]

TOLERANCE = 1e-9

Grade = Literal["green", "yellow", "red"]

_QUARTER = re.compile(r"([0-9]{4})-Q([1-4])")
_LOW_CONFIDENCE = 0.5
_GREEN = 0.7
_YELLOW = 0.4


def _at_least(x: float, y: float) -> bool:
    """`x >= y` with the §5 tolerance: a tie (within 1e-9) counts upwards."""
    return x >= y - TOLERANCE


def clamp(x: float, low: float = 0.0, high: float = 1.0) -> float:
    return min(max(x, low), high)


def weighted_mean(pairs: Sequence[tuple[float, float]]) -> float:
    """Weighted mean of (value, weight) pairs; 0.0 when there are none (or no weight).

    The result is clamped to [min, max] of the values, where the exact mean lies, so float
    rounding can never push it outside (e.g. all KRs done gives exactly 1.0).
    """
    total = math.fsum(weight for _, weight in pairs)
    if not pairs or total <= 0:
        return 0.0
    values = [value for value, _ in pairs]
    result = math.fsum(value * weight for value, weight in pairs) / total
    return clamp(result, min(values), max(values))


def kr_raw_progress(kr: KeyResult) -> float:
    """Unclamped progress: (c − b) / (t − b); a milestone is 1.0 when done, else 0.0.

    An absent current means the baseline (progress 0). Over-achievement gives more than
    1.0 and regression less than 0.0. A decreasing KR (target < baseline) needs nothing
    special. An invalid KR (no baseline/target, or target equal to baseline) gives 0.0.
    """
    if kr.is_milestone:
        return 1.0 if kr.done else 0.0
    if kr.baseline is None or kr.target is None:
        return 0.0
    return numeric_raw_progress(kr.baseline, kr.target, kr.current)


def numeric_raw_progress(baseline: Number, target: Number, current: Number | None) -> float:
    """kr_raw_progress of a numeric KR with these numbers."""
    start = float(baseline)
    span = float(target) - start
    if span == 0:
        return 0.0
    value = start if current is None else float(current)
    return (value - start) / span


def kr_progress(kr: KeyResult) -> float:
    """Progress clamped to [0, 1]."""
    return clamp(kr_raw_progress(kr))


def kr_score(kr: KeyResult) -> float:
    """The manual `score:` when set, else the computed progress."""
    return kr_numbers(kr, 0.0, 0.0, 0.0).score


def objective_progress(objective: Objective) -> float:
    """Weighted mean of the KRs' progress (weight default 1); 0.0 with no KRs."""
    return weighted_mean([(kr_progress(kr), float(kr.weight)) for kr in objective.key_results])


def objective_score(objective: Objective) -> float:
    """Weighted mean of the KRs' scores; 0.0 with no KRs."""
    return weighted_mean([(kr_score(kr), float(kr.weight)) for kr in objective.key_results])


def mean(values: Iterable[float]) -> float:
    """Arithmetic mean; 0.0 for no values."""
    items = list(values)
    if not items:
        return 0.0
    return clamp(math.fsum(items) / len(items), min(items), max(items))


def team_progress(team: Team) -> float:
    """Mean of the team's objectives' progress; 0.0 with no objectives."""
    return mean(objective_progress(objective) for objective in team.objectives)


def cycle_progress(teams: Sequence[Team]) -> float:
    """Mean over all objectives of all teams (not the mean of the team means)."""
    return mean(objective_progress(objective) for team in teams for objective in team.objectives)


def expected_progress(start: dt.date, end: dt.date, as_of: dt.date) -> float:
    """Elapsed fraction of the cycle: clamp((as_of − start + 1) / (end − start + 1), 0, 1).

    Both ends are inclusive: the first day gives 1/length, the last day 1.0. A cycle that
    ends before it starts (invalid) gives 0.0 before its start, else 1.0.
    """
    length = (end - start).days + 1
    if length <= 0:
        return 0.0 if as_of < start else 1.0
    return clamp(((as_of - start).days + 1) / length)


def status(
    progress: float,
    expected: float,
    on_track: float,
    at_risk: float,
    confidence: float | None = None,
) -> Status:
    """The §5 status; a confidence below 0.5 caps it at 'at-risk' ('done' stays 'done')."""
    if _at_least(progress, 1.0):
        return "done"
    low_confidence = confidence is not None and confidence < _LOW_CONFIDENCE
    if _at_least(progress, expected - on_track):
        return "at-risk" if low_confidence else "on-track"
    if _at_least(progress, expected - at_risk):
        return "at-risk"
    return "off-track"


class Numbers(NamedTuple):
    """Everything §5 says about one KR or objective at one pace, computed once (a named
    tuple: a scorecard makes one per KR, and tuples are the cheapest to make)."""

    raw: float
    progress: float
    score: float
    status: Status


def kr_numbers(kr: KeyResult, expected: float, on_track: float, at_risk: float) -> Numbers:
    """A KR's raw progress, progress, score (the manual one if set) and status (capped at
    'at-risk' by a confidence below 0.5)."""
    raw = kr_raw_progress(kr)
    progress = clamp(raw)
    score = progress if kr.score is None else float(kr.score)
    confidence = None if kr.confidence is None else float(kr.confidence)
    return Numbers(raw, progress, score, status(progress, expected, on_track, at_risk, confidence))


def objective_numbers(
    key_results: Sequence[tuple[Numbers, float]], expected: float, on_track: float, at_risk: float
) -> Numbers:
    """An objective's numbers from its KRs' numbers and weights: weighted means, and a
    status from the progress alone (no confidence cap)."""
    progress = weighted_mean([(numbers.progress, weight) for numbers, weight in key_results])
    score = weighted_mean([(numbers.score, weight) for numbers, weight in key_results])
    return Numbers(progress, progress, score, status(progress, expected, on_track, at_risk))


def kr_status(kr: KeyResult, expected: float, on_track: float, at_risk: float) -> Status:
    """Status of a KR from its clamped progress and its confidence."""
    return kr_numbers(kr, expected, on_track, at_risk).status


def objective_status(
    objective: Objective, expected: float, on_track: float, at_risk: float
) -> Status:
    """Status of an objective from its progress (no confidence cap)."""
    pairs = [
        (kr_numbers(kr, expected, on_track, at_risk), float(kr.weight))
        for kr in objective.key_results
    ]
    return objective_numbers(pairs, expected, on_track, at_risk).status


# The last days of March, June, September and December, leap years or not.
_QUARTER_LAST_DAY = (31, 30, 30, 31)


def quarter_span(cycle_id: str) -> CycleSpan | None:
    """The calendar quarter named `YYYY-QN` (N in 1..4), else None."""
    match = _QUARTER.fullmatch(cycle_id)
    if match is None:
        return None
    year, quarter = int(match.group(1)), int(match.group(2))
    if year < dt.MINYEAR:
        return None
    first_month = 3 * (quarter - 1) + 1
    last_month = first_month + 2
    start = dt.date(year, first_month, 1)
    end = dt.date(year, last_month, _QUARTER_LAST_DAY[quarter - 1])
    return CycleSpan(cycle_id, start, end)


def grade(score: float) -> Grade:
    """Display band: ≥ 0.7 green, ≥ 0.4 yellow, else red (same tolerance as status)."""
    if _at_least(score, _GREEN):
        return "green"
    if _at_least(score, _YELLOW):
        return "yellow"
    return "red"
