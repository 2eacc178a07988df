"""Drawing reports: rich tables and trees for a terminal, plain text when piped, markdown, csv.

Functions here take the plain data of report.py and return strings or rich renderables;
they never print. User text is made inert first (no rich markup, no control or bidi
characters), so a title can never restyle or rewrite the terminal.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from okrcli.core.numbers import format_number
from okrcli.core.text import display_width, inert, percent, value_text

if TYPE_CHECKING:
    from rich.console import RenderableType

BAR_WIDTH = 10
STATUS_STYLE = {"done": "bold green", "on-track": "green", "at-risk": "yellow", "off-track": "red"}
GRADE_STYLE = {"green": "green", "yellow": "yellow", "red": "red"}


def grade(score: float) -> str:
    from okrcli.core.scoring import grade as score_grade

    return score_grade(score)


def ascii_bar(progress: float) -> str:
    filled = round(max(0.0, min(1.0, progress)) * BAR_WIDTH)
    return "[" + "#" * filled + "-" * (BAR_WIDTH - filled) + "]"


def kr_value(kr: dict[str, Any]) -> str:
    if kr["done"] is not None:
        return value_text(kr["done"], None)
    return value_text(kr["current"], kr["unit"])


def confidence_text(confidence: float | None) -> str:
    return "" if confidence is None else format_number(confidence)


# --- plain text -----------------------------------------------------------------------------


def plain_table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: set[int]) -> str:
    """Columns padded by display width (CJK counts double), two spaces apart."""
    widths = [display_width(h) for h in headers]
    for row in rows:
        widths = [max(w, display_width(cell)) for w, cell in zip(widths, row, strict=True)]
    lines = []
    for row in (headers, *rows):
        cells = []
        for index, cell in enumerate(row):
            pad = " " * (widths[index] - display_width(cell))
            cells.append(pad + cell if index in right else cell + pad)
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


SCORECARD_HEADERS = (
    "ADDRESS",
    "TITLE",
    "BASELINE",
    "CURRENT",
    "TARGET",
    "PROGRESS",
    "",
    "SCORE",
    "STATUS",
    "CONF",
)
_SCORECARD_RIGHT = {2, 3, 4, 6, 7, 9}


def _scorecard_rows(team: dict[str, Any], show_krs: bool) -> list[list[str]]:
    rows = []
    for objective in team["objectives"]:
        rows.append(
            [
                objective["address"],
                inert(objective["title"]),
                "",
                "",
                "",
                ascii_bar(objective["progress"]),
                percent(objective["progress"]),
                f"{objective['score']:.2f}",
                objective["status"],
                "",
            ]
        )
        if not show_krs:
            continue
        for kr in objective["key_results"]:
            rows.append(
                [
                    "  " + kr["address"].rsplit("/", 1)[-1],
                    "  " + inert(kr["title"]),
                    value_text(kr["baseline"], kr["unit"]),
                    kr_value(kr),
                    value_text(kr["target"], kr["unit"]),
                    ascii_bar(kr["progress"]),
                    percent(kr["progress"]),
                    f"{kr['score']:.2f}",
                    kr["status"],
                    confidence_text(kr["confidence"]),
                ]
            )
    return rows


def scorecard_header(card: dict[str, Any], organization: str) -> str:
    return (
        f"{inert(organization)} · {card['cycle']} · as of {card['as_of']} · "
        f"expected {percent(card['expected'])} · progress {percent(card['progress'])}"
    )


def team_header(team: dict[str, Any]) -> str:
    return (
        f"{team['team']} · {inert(team['name'])}{closed_text(team, ' · ')} · "
        f"progress {percent(team['progress'])}"
    )


def closed_text(row: dict[str, Any], separator: str) -> str:
    """`closed 2026-10-08` after the separator for a closed team's row, else nothing."""
    closed = row.get("closed")
    return f"{separator}closed {closed}" if closed else ""


def scorecard_plain(card: dict[str, Any], organization: str, show_krs: bool) -> str:
    parts = [scorecard_header(card, organization)]
    if not show_krs:
        rows = []
        for team in card["teams"]:
            rows.append(
                [
                    team["team"],
                    inert(team["name"]) + closed_text(team, " · "),
                    ascii_bar(team["progress"]),
                    percent(team["progress"]),
                    "",
                    "",
                ]
            )
            rows.extend(
                [
                    "  " + o["address"],
                    "  " + inert(o["title"]),
                    ascii_bar(o["progress"]),
                    percent(o["progress"]),
                    f"{o['score']:.2f}",
                    o["status"],
                ]
                for o in team["objectives"]
            )
        headers = ("ADDRESS", "TITLE", "PROGRESS", "", "SCORE", "STATUS")
        parts.append(plain_table(headers, rows, {3, 4}))
        return "\n\n".join(parts) + "\n"
    for team in card["teams"]:
        table = plain_table(SCORECARD_HEADERS, _scorecard_rows(team, True), _SCORECARD_RIGHT)
        parts.append(team_header(team) + "\n" + table)
    return "\n\n".join(parts) + "\n"


# --- rich (terminal) ------------------------------------------------------------------------


def bar(progress: float) -> Any:
    from rich.text import Text

    filled = round(max(0.0, min(1.0, progress)) * BAR_WIDTH)
    bar = Text("█" * filled, style=GRADE_STYLE[grade(progress)])
    bar.append("░" * (BAR_WIDTH - filled), style="dim")
    bar.append(f" {percent(progress):>4}")
    return bar


def scorecard_rich(card: dict[str, Any], organization: str, show_krs: bool) -> RenderableType:
    """One table per team, laid out to read at 80 columns: the KR's address over its title,
    its current value over baseline → target, a bar, the score, the status over confidence."""
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    renderables: list[Any] = [Text(scorecard_header(card, organization), style="bold")]
    for team in card["teams"]:
        table = Table(
            title=Text(team_header(team), style="bold"),
            title_justify="left",
            box=box.SIMPLE_HEAD,
            expand=True,
        )
        table.add_column("Objective / key result", ratio=1, min_width=20, overflow="fold")
        if show_krs:
            table.add_column("Value", justify="right", no_wrap=True)
        table.add_column("Progress", no_wrap=True)
        table.add_column("Score", justify="right", no_wrap=True)
        table.add_column("Status", no_wrap=True)
        for objective in team["objectives"]:
            label = Text(objective["address"], style="bold cyan")
            label.append("\n" + inert(objective["title"]), style="bold")
            table.add_row(
                label,
                *([""] if show_krs else []),
                bar(objective["progress"]),
                _score(objective["score"]),
                Text(objective["status"], style=STATUS_STYLE[objective["status"]]),
            )
            if not show_krs:
                continue
            for kr in objective["key_results"]:
                table.add_row(
                    _kr_label(kr),
                    _kr_value_cell(kr),
                    bar(kr["progress"]),
                    _score(kr["score"]),
                    _kr_status_cell(kr),
                )
        renderables.append(table)
    return Group(*renderables)


def _kr_label(kr: dict[str, Any]) -> Any:
    from rich.padding import Padding
    from rich.text import Text

    label = Text(kr["address"].rsplit("/", 1)[-1], style="cyan")
    label.append("\n" + inert(kr["title"]))
    return Padding(label, (0, 0, 0, 2))  # indented under its objective, wrapped lines too


def _kr_value_cell(kr: dict[str, Any]) -> Any:
    from rich.text import Text

    cell = Text(kr_value(kr))
    if kr["done"] is None:
        span = f"{value_text(kr['baseline'], None)} → {value_text(kr['target'], kr['unit'])}"
        cell.append("\n" + span, style="dim")
    return cell


def _kr_status_cell(kr: dict[str, Any]) -> Any:
    from rich.text import Text

    cell = Text(kr["status"], style=STATUS_STYLE[kr["status"]])
    if kr["confidence"] is not None:
        cell.append(f"\nconf {confidence_text(kr['confidence'])}", style="dim")
    return cell


def _score(score: float) -> Any:
    from rich.text import Text

    return Text(f"{score:.2f}", style=GRADE_STYLE[grade(score)])


# --- markdown and csv -----------------------------------------------------------------------


def markdown_cell(text: object) -> str:
    return inert(text).replace("|", "\\|")


def scorecard_markdown(card: dict[str, Any], organization: str) -> str:
    lines = [
        f"# {markdown_cell(organization)} — {card['cycle']}",
        "",
        f"As of {card['as_of']}: expected {percent(card['expected'])}, "
        f"progress {percent(card['progress'])}.",
        "",
    ]
    for team in card["teams"]:
        lines += [
            f"## {markdown_cell(team['name'])} (`{team['team']}`) — {percent(team['progress'])}"
            + closed_text(team, " · "),
            "",
            "| Key result | Baseline | Current | Target | Progress | Score | Status | Conf |",
            "|---|---:|---:|---:|---:|---:|---|---:|",
        ]
        for objective in team["objectives"]:
            lines.append(
                f"| **{markdown_cell(objective['title'])}** (`{objective['address']}`) | | | | "
                f"{percent(objective['progress'])} | {objective['score']:.2f} | "
                f"{objective['status']} | |"
            )
            for kr in objective["key_results"]:
                lines.append(
                    f"| {markdown_cell(kr['title'])} (`{kr['address']}`) | "
                    f"{markdown_cell(value_text(kr['baseline'], kr['unit']))} | "
                    f"{markdown_cell(kr_value(kr))} | "
                    f"{markdown_cell(value_text(kr['target'], kr['unit']))} | "
                    f"{percent(kr['progress'])} | {kr['score']:.2f} | {kr['status']} | "
                    f"{confidence_text(kr['confidence'])} |"
                )
        lines.append("")
    return "\n".join(lines)


CSV_COLUMNS = (
    "cycle",
    "team",
    "objective",
    "address",
    "title",
    "owner",
    "unit",
    "baseline",
    "current",
    "target",
    "done",
    "progress",
    "raw_progress",
    "score",
    "status",
    "confidence",
    "weight",
)


def scorecard_csv(card: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for team in card["teams"]:
        for objective in team["objectives"]:
            for kr in objective["key_results"]:
                row = {
                    **kr,
                    "cycle": card["cycle"],
                    "team": team["team"],
                    "objective": objective["address"],
                }
                writer.writerow(["" if row[c] is None else _csv_value(row[c]) for c in CSV_COLUMNS])
    return out.getvalue()


def _csv_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return format_number(value)
    return inert(value)
