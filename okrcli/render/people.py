"""Drawing `okr people`, `okr person` and `okr digest` (SPEC §18) from their plain data:
plain text when piped, rich at a terminal, markdown to paste into a document, csv.

People appear in the order the data lists them (by name): nothing here sorts by a figure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from okrcli.core.text import inert, percent
from okrcli.render.history import change_text, field_label, value_text
from okrcli.render.sections import Section, page_markdown, page_plain, page_rich

if TYPE_CHECKING:
    from rich.console import RenderableType

Page = tuple[str, list[str], list[Section]]  # heading, lines under it, sections
ABSENT = "–"


def draw(page: Page, style: str) -> str:
    """A page as plain text or markdown (`style`)."""
    if style == "markdown":
        return page_markdown(*page)
    return page_plain(*page)


def draw_rich(page: Page) -> RenderableType:
    return page_rich(*page)


def _percent(value: float | None) -> str:
    return ABSENT if value is None else percent(value)


def _score(value: float | None) -> str:
    return ABSENT if value is None else f"{value:.2f}"


# --- okr people -----------------------------------------------------------------------------

PEOPLE_HEADERS = (
    "Person",
    "KRs",
    "Progress",
    "On\ntrack",
    "At\nrisk",
    "Off\ntrack",
    "Done",
    "Check-\nins",
    "Last\ncheck-in",
    "Stale",
)
PEOPLE_COLUMNS = (
    "person",
    "krs",
    "progress",
    "on_track",
    "at_risk",
    "off_track",
    "done",
    "checkins",
    "last_checkin",
    "stale",
)


def people_page(rows: list[dict[str, Any]], cycle: str, as_of: str) -> Page:
    table = [
        [
            inert(row["person"]),
            str(row["krs"]),
            _percent(row["progress"]),
            str(row["on_track"]),
            str(row["at_risk"]),
            str(row["off_track"]),
            str(row["done"]),
            str(row["checkins"]),
            row["last_checkin"] or ABSENT,
            str(row["stale"]),
        ]
        for row in rows
    ]
    section = Section(
        "People",
        PEOPLE_HEADERS,
        table,
        right=frozenset(range(1, 10)) - {8},
        empty="nobody owns a key result or checked one in yet",
        wrap=frozenset({0}),
    )
    lines = ["Key results owned by each person, their status and check-ins, listed by name."]
    return f"{cycle} · as of {as_of}", lines, [section]


def people_csv(rows: list[dict[str, Any]]) -> str:
    import csv
    import io

    from okrcli.core.numbers import format_number

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(PEOPLE_COLUMNS)
    for row in rows:
        writer.writerow(
            [
                "" if row[c] is None else format_number(row[c]) if c == "progress" else row[c]
                for c in PEOPLE_COLUMNS
            ]
        )
    return out.getvalue()


# --- okr person -----------------------------------------------------------------------------


def person_page(result: dict[str, Any], as_of: str) -> Page:
    summary = result["summary"]
    cycles = ", ".join(c["cycle"] for c in result["cycles"]) or "no cycle"
    lines = [
        f"As of {as_of}: {summary['krs']} key result(s) owned, mean score "
        f"{_score(summary['mean_score'])}, {summary['checkins']} check-in(s).",
    ]
    sections = []
    for cycle in result["cycles"]:
        sections.append(_owned_section(cycle))
        sections.append(_authored_section(cycle))
    return f"{inert(result['person'])} · {cycles}", lines, sections


def _owned_section(cycle: dict[str, Any]) -> Section:
    rows = []
    for row in cycle["owned"]:
        is_kr = row["address"].count("/") == 2
        path = (
            f"{value_text(row['baseline'])} → {value_text(row['last'])} → "
            f"{value_text(row['target'])}"
            if is_kr and row["baseline"] is not None
            else value_text(row["last"])
            if is_kr
            else ""
        )
        rows.append(
            [
                row["address"],
                inert(row["title"]),
                path,
                _percent(row["progress"]),
                _score(row["score"]),
                row["status"],
                inert(row["retro"] or ""),
            ]
        )
    headers = ["Address", "Title", "Baseline →\nlast →\ntarget", "Progress", "Score", "Status"]
    if any(row["retro"] for row in cycle["owned"]):
        headers.append("Retro")
    else:
        rows = [row[:-1] for row in rows]
    return Section(
        f"Objectives and key results owned in {cycle['cycle']}",
        headers,
        rows,
        right=frozenset({3, 4}),
        code=frozenset({0}),
        empty="none",
        styles={0: "cyan"},
        wrap=frozenset({6}),
        under={1: 0},
    )


def _authored_section(cycle: dict[str, Any]) -> Section:
    rows = [
        [
            entry["date"][:10],
            entry["address"],
            field_label(entry["field"]),
            change_text(entry["old"], entry["new"]),
            inert(entry["note"]),
            "contribution" if entry["contribution"] else "own",
        ]
        for entry in cycle["authored"]
    ]
    return Section(
        f"Check-ins and revisions authored in {cycle['cycle']}",
        ("Date", "Key result", "Field", "Old → new", "Note", "Whose"),
        rows,
        code=frozenset({1}),
        empty="none",
        styles={1: "cyan"},
        wrap=frozenset({4}),
        under={2: 1},
    )


# --- okr digest -----------------------------------------------------------------------------


def digest_page(result: dict[str, Any]) -> Page:
    first, last = dt.date.fromisoformat(result["from"]), dt.date.fromisoformat(result["to"])
    days = (last - first).days + 1
    before = (first - dt.timedelta(days=1)).isoformat()
    heading = f"{result['cycle']} · {result['from']} – {result['to']} ({days} day(s))"
    lines = [
        f"{len(result['checkins'])} check-in change(s), {len(result['revisions'])} revision(s), "
        f"{len(result['worse'])} key result(s) worse than on {before}, "
        f"{len(result['stale'])} stale, {len(result['silent'])} owner(s) without a check-in."
    ]
    sections = [
        _entries_section("Check-ins", result["checkins"]),
        _entries_section("Revisions (baseline or target moved)", result["revisions"]),
        _pairs_section(f"Status worse than on {before}", result["worse"], str),
        _pairs_section("Confidence dropped", result["confidence_drops"], value_text),
        Section(
            f"Stale: value unchanged for more than {days} day(s)",
            ("Key result", "Owner", "Last change", "Days"),
            [
                [row["address"], inert(row["owner"] or ""), row["last_change"], str(row["days"])]
                for row in result["stale"]
            ],
            right=frozenset({3}),
            code=frozenset({0}),
            styles={0: "cyan", 3: "yellow"},
            wrap=frozenset({1}),
        ),
        Section(
            "Owners of open key results with no check-in in the window",
            rows=[[inert(name)] for name in result["silent"]],
            empty="none: every owner checked in",
        ),
    ]
    return heading, lines, sections


def _entries_section(title: str, entries: Sequence[dict[str, Any]]) -> Section:
    rows = [
        [
            entry["date"][:10],
            inert(entry["author"]),
            entry["address"],
            field_label(entry["field"]),
            change_text(entry["old"], entry["new"]),
            inert(entry["note"]),
        ]
        for entry in entries
    ]
    return Section(
        title,
        ("Date", "Who", "Key result", "Field", "Old → new", "Note"),
        rows,
        code=frozenset({2}),
        styles={2: "cyan"},
        wrap=frozenset({5}),
        under={3: 2},
    )


def _pairs_section(
    title: str, pairs: Sequence[dict[str, Any]], show: Callable[[Any], str]
) -> Section:
    rows = [[pair["address"], show(pair["old"]), show(pair["new"])] for pair in pairs]
    return Section(
        title,
        ("Key result", "Was", "Now"),
        rows,
        code=frozenset({0}),
        styles={0: "cyan", 2: "bold"},
    )
