"""Drawing log, diff and stale: plain text when piped, rich in a terminal, markdown, csv.

Functions take the plain data of changes.py and return strings or rich renderables; they
never print. User text (notes, titles, authors, values) is made inert first.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from okrcli.core.numbers import format_number
from okrcli.core.text import inert, percent
from okrcli.history.snapshots import REVISION_FIELDS
from okrcli.render.tables import markdown_cell, markdown_code, plain_table
from okrcli.services.changes import revised_fields

if TYPE_CHECKING:
    from rich.console import RenderableType

SPARKS = "▁▂▃▄▅▆▇█"
ABSENT = "–"
WARNING = "⚠"
WARNING_EMOJI = "⚠\ufe0f"  # the emoji form, for markdown


def sparkline(values: Sequence[float]) -> str:
    """One block per value, scaled from the lowest (▁) to the highest (█)."""
    if not values:
        return ""
    low, high = min(values), max(values)
    if high == low:
        return SPARKS[3] * len(values)
    top = len(SPARKS) - 1
    return "".join(SPARKS[round((v - low) / (high - low) * top)] for v in values)


def value_text(value: object) -> str:
    if value is None:
        return ABSENT
    if isinstance(value, bool):
        return "done" if value else "not done"
    if isinstance(value, int | float):
        return format_number(value)
    if isinstance(value, list):
        return ", ".join(value_text(item) for item in value)
    return inert(value)


def change_text(old: object, new: object) -> str:
    return f"{value_text(old)} → {value_text(new)}"


def field_label(field: str) -> str:
    return f"{field} (revised)" if field in REVISION_FIELDS else field


def progress_text(progress: Sequence[float | None]) -> str:
    old, new = progress
    return f"{percent(old) or ABSENT} → {percent(new) or ABSENT}"


def _csv(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue()


# --- log ------------------------------------------------------------------------------------

TREND_HEADERS = ("KEY RESULT", "PROGRESS TREND", "FIRST → LAST")
LOG_HEADERS = ("DATE", "AUTHOR", "ADDRESS", "FIELD", "CHANGE", "NOTE")


def _log_rows(entries: list[dict[str, Any]]) -> list[list[str]]:
    return [
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


def _trend_rows(series: list[dict[str, Any]]) -> list[list[str]]:
    rows = []
    for item in series:
        first, last = item["values"][0], item["values"][-1]
        if item["milestone"]:  # done is 1, not done 0 on the sparkline
            first, last = bool(first), bool(last)
        # drawn as progress: a move towards the target goes up, a falling target's too
        towards = [-v for v in item["values"]] if item.get("decreasing") else item["values"]
        rows.append([item["address"], sparkline(towards), change_text(first, last)])
    return rows


def log_plain(entries: list[dict[str, Any]], series: list[dict[str, Any]], heading: str) -> str:
    if not entries:
        return f"{heading}: no check-ins or revisions yet\n"
    parts = [heading, plain_table(LOG_HEADERS, _log_rows(entries), set())]
    if series:
        parts.append(plain_table(TREND_HEADERS, _trend_rows(series), set()))
    return "\n\n".join(parts) + "\n"


def log_rich(
    entries: list[dict[str, Any]], series: list[dict[str, Any]], heading: str
) -> RenderableType:
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    if not entries:
        return Text(f"{heading}: no check-ins or revisions yet")
    from okrcli.render.logview import log_lines

    table = Group(Text(heading, style="bold"), Text(""), log_lines(entries, _log_rows(entries)))
    if not series:
        return table
    trends = Table(box=box.SIMPLE_HEAD)
    trends.add_column("Key result", style="cyan", no_wrap=True)
    trends.add_column("Progress trend", style="green", no_wrap=True)
    trends.add_column("First → last", no_wrap=True)
    for row in _trend_rows(series):
        trends.add_row(*(Text(cell) for cell in row))
    return Group(table, trends)


def log_markdown(entries: list[dict[str, Any]], series: list[dict[str, Any]], heading: str) -> str:
    lines = [f"## {markdown_cell(heading)}", ""]
    if not entries:
        return "\n".join([*lines, "No check-ins or revisions yet.", ""])
    lines += ["| Date | Author | Key result | Field | Change | Note |", "|---|---|---|---|---|---|"]
    for entry, row in zip(entries, _log_rows(entries), strict=True):
        mark = f"{WARNING} " if entry["field"] in REVISION_FIELDS else ""
        lines.append(
            f"| {row[0]} | {markdown_cell(row[1])} | `{row[2]}` | {mark}{row[3]} | "
            f"{markdown_cell(row[4])} | {markdown_cell(row[5])} |"
        )
    if series:
        lines += ["", "| Key result | Progress trend | First → last |", "|---|---|---|"]
        lines += [f"| `{a}` | {s} | {markdown_cell(c)} |" for a, s, c in _trend_rows(series)]
    return "\n".join([*lines, ""])


def log_csv(entries: list[dict[str, Any]]) -> str:
    headers = ("commit", "date", "author", "address", "field", "old", "new", "note")
    return _csv(headers, [[_csv_cell(entry[h]) for h in headers] for entry in entries])


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value_text(value)


# --- diff -----------------------------------------------------------------------------------

DIFF_HEADERS = ("CHANGE", "ADDRESS", "FIELD", "OLD → NEW", "PROGRESS")


def _diff_rows(change: dict[str, Any]) -> list[list[str]]:
    """One row per changed field of a modified entry; one row (its title) when added/removed."""
    kind, address = change["change"], change["address"]
    progress = progress_text(change["progress"])
    if kind != "modified":
        title = change["fields"].get("title", [None, None])
        return [[kind, address, "title", change_text(*title), progress]]
    revised = set(revised_fields(change))
    rows = []
    for index, (name, (old, new)) in enumerate(change["fields"].items()):
        label = f"{name} {WARNING} revised" if name in revised else name
        rows.append(
            [
                kind if index == 0 else "",
                address if index == 0 else "",
                label,
                change_text(old, new),
                progress if index == 0 else "",
            ]
        )
    return rows


def _diff_summary(result: dict[str, Any]) -> str:
    counts = {kind: 0 for kind in ("added", "removed", "modified")}
    for change in result["changes"]:
        counts[change["change"]] += 1
    return ", ".join(f"{n} {kind}" for kind, n in counts.items() if n) or "no changes"


def _diff_heading(result: dict[str, Any], cycle: str) -> str:
    return f"{cycle}: {inert(result['base'])} → {inert(result['head'])} · {_diff_summary(result)}"


def diff_plain(result: dict[str, Any], cycle: str) -> str:
    heading = _diff_heading(result, cycle)
    if not result["changes"]:
        return heading + "\n"
    rows = [row for change in result["changes"] for row in _diff_rows(change)]
    return heading + "\n\n" + plain_table(DIFF_HEADERS, rows, set()) + "\n"


_CHANGE_STYLE = {"added": "green", "removed": "red", "modified": "yellow"}


def diff_rich(result: dict[str, Any], cycle: str) -> RenderableType:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    heading = Text(_diff_heading(result, cycle), style="bold")
    if not result["changes"]:
        return heading
    table = Table(title=heading, title_justify="left", box=box.SIMPLE_HEAD)
    table.add_column("Change", no_wrap=True)
    table.add_column("Address / field", no_wrap=True)
    table.add_column("Old → new", overflow="fold")
    table.add_column("Progress", no_wrap=True)
    for change in result["changes"]:
        for row in _diff_rows(change):
            style = "bold yellow" if WARNING in row[2] else ""
            where = Text(row[1], style="cyan")
            if row[2]:
                where.append("\n" + row[2], style=style or "dim")
            table.add_row(
                Text(row[0], style=_CHANGE_STYLE[change["change"]]),
                where,
                Text(row[3], style=style),
                Text(row[4]),
            )
    return table


def diff_markdown(result: dict[str, Any], cycle: str) -> str:
    """A pull-request comment: a summary, moved goalposts called out, a table per kind."""
    changes = result["changes"]
    head = result["head"]
    head_text = head if head == "working tree" else markdown_code(head)
    lines = [
        f"## OKR changes in {cycle}",
        "",
        f"{markdown_code(result['base'])} → {head_text} · {_diff_summary(result)}",
        "",
    ]
    if not changes:
        return "\n".join([*lines, "No objective or key result changed.", ""])
    revisions = [
        f"> - `{c['address']}`: {name} {markdown_cell(change_text(*c['fields'][name]))}"
        for c in changes
        for name in revised_fields(c)
    ]
    if revisions:
        lines += [f"> {WARNING_EMOJI} **Goalposts moved** (baseline or target revised):", ">"]
        lines += [*revisions, ""]
    lines += _markdown_modified([c for c in changes if c["change"] == "modified"])
    for kind in ("added", "removed"):
        lines += _markdown_listed(kind, [c for c in changes if c["change"] == kind])
    return "\n".join(lines)


def _markdown_modified(changes: list[dict[str, Any]]) -> list[str]:
    if not changes:
        return []
    lines = [
        f"### Modified ({len(changes)})",
        "",
        "| Objective / key result | Field | Old | New | Progress |",
        "|---|---|---:|---:|---|",
    ]
    for change in changes:
        revised = set(revised_fields(change))
        for index, (name, (old, new)) in enumerate(change["fields"].items()):
            label = f"{WARNING_EMOJI} **{name}** (revised)" if name in revised else name
            first = index == 0
            lines.append(
                f"| {'`' + change['address'] + '`' if first else ''} | {label} | "
                f"{markdown_cell(value_text(old))} | {markdown_cell(value_text(new))} | "
                f"{progress_text(change['progress']) if first else ''} |"
            )
    return [*lines, ""]


def _markdown_listed(kind: str, changes: list[dict[str, Any]]) -> list[str]:
    if not changes:
        return []
    lines = [
        f"### {kind.capitalize()} ({len(changes)})",
        "",
        "| Objective / key result | Title | Progress |",
        "|---|---|---|",
    ]
    for change in changes:
        old, new = change["fields"].get("title", [None, None])
        title = new if kind == "added" else old
        progress = change["progress"][1 if kind == "added" else 0]
        lines.append(
            f"| `{change['address']}` | {markdown_cell(value_text(title))} | "
            f"{percent(progress) or ABSENT} |"
        )
    return [*lines, ""]


# --- stale ----------------------------------------------------------------------------------

STALE_HEADERS = ("ADDRESS", "OWNER", "LAST CHANGE", "DAYS")


def _stale_rows(rows: list[dict[str, Any]]) -> list[list[str]]:
    return [
        [row["address"], inert(row["owner"] or ""), row["last_change"], str(row["days"])]
        for row in rows
    ]


def stale_heading(cycle: str, as_of: str, days: int, count: int) -> str:
    found = f"{count} KR(s)" if count else "no KR"
    return f"{cycle} · as of {as_of} · {found} unchanged for more than {days} day(s)"


def stale_plain(rows: list[dict[str, Any]], heading: str) -> str:
    if not rows:
        return heading + "\n"
    return heading + "\n\n" + plain_table(STALE_HEADERS, _stale_rows(rows), {3}) + "\n"


def stale_rich(rows: list[dict[str, Any]], heading: str) -> RenderableType:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    if not rows:
        return Text(heading, style="bold")
    table = Table(title=Text(heading, style="bold"), title_justify="left", box=box.SIMPLE_HEAD)
    table.add_column("Key result", style="cyan", no_wrap=True)
    table.add_column("Owner")
    table.add_column("Last change", no_wrap=True)
    table.add_column("Days", justify="right", style="yellow")
    for row in _stale_rows(rows):
        table.add_row(*(Text(cell) for cell in row))
    return table


def stale_markdown(rows: list[dict[str, Any]], heading: str) -> str:
    lines = [f"## {markdown_cell(heading)}", ""]
    if rows:
        lines += ["| Key result | Owner | Last change | Days |", "|---|---|---|---:|"]
        lines += [f"| `{a}` | {markdown_cell(o)} | {d} | {n} |" for a, o, d, n in _stale_rows(rows)]
    return "\n".join([*lines, ""])


def stale_csv(rows: list[dict[str, Any]]) -> str:
    headers = ("address", "owner", "last_change", "days")
    return _csv(headers, [[_csv_cell(row[h]) for h in headers] for row in rows])
