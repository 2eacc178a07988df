"""Drawing reports: rich tables and trees for a terminal, plain text when piped, markdown, csv.

Functions here take the plain data of report.py and return strings or rich renderables;
they never print. User text is made inert first (no rich markup, no control or bidi
characters), so a title can never restyle or rewrite the terminal.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from okrcli.core.numbers import format_number
from okrcli.core.text import display_width, inert, percent, value_text

if TYPE_CHECKING:
    pass

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


def scorecard_plain(
    card: dict[str, Any], organization: str, show_krs: bool, note: str | None = None
) -> str:
    parts = [scorecard_header(card, organization) + (f"\n{note}" if note else "")]
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


def figure_style(status: str, score: float, closed: bool = False) -> str:
    """The colour of a bar or score: by status (pace and confidence) while a cycle runs, by
    grade (red below 0.4) once the team is closed, so one row never says two things."""
    return GRADE_STYLE[grade(score)] if closed else STATUS_STYLE[status]


def bar(progress: float, style: str = "") -> Any:
    from rich.text import Text

    filled = round(max(0.0, min(1.0, progress)) * BAR_WIDTH)
    bar = Text("█" * filled, style=style)
    bar.append("░" * (BAR_WIDTH - filled), style="dim")
    bar.append(f" {percent(progress):>4}")
    return bar


def score_text(score: float, style: str = "") -> Any:
    from rich.text import Text

    return Text(f"{score:.2f}", style=style)


# --- markdown and csv -----------------------------------------------------------------------


# Backslash escapes every character that could start emphasis, a link, an image, a code
# span, an HTML tag, an entity, a strikethrough or a table cell break (CommonMark lets any
# ASCII punctuation be escaped), so user text in a PR comment or a pasted retro is only text.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")
# What GitHub links by itself (a URL, www., an email address): a backslash there would be
# shown and break the link, so only a cell break is escaped inside one. It ends before any
# character that could make a link, a tag, a code span or emphasis of the text after it.
_AUTOLINKED = re.compile(r"(?:https?://|www\.)[^\s<>\[\]`*]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# What GitHub acts on beyond markdown: `@name` and `@org/team` notify, `#12` (and
# `owner/repo#12`) put a reference on that issue. A zero-width space after the sign, which
# no one sees, keeps user text from doing either. GitHub's rule is ASCII: an `@` after
# any other character (CJK text included) may mention; emails are taken out before.
_NOTIFYING = re.compile(r"(?<![A-Za-z0-9_])@(?=[A-Za-z0-9])|#(?=[0-9])")
_SIGN_UNLINKED = "\\g<0>\u200b"  # the sign, then a zero-width space
# At a line's start: a heading, a list item, a quote, a setext underline or a numbered item.
_LINE_MARKER = re.compile(r"( *)(?:([#+=-])|(\d+)([.)]))")


def markdown_cell(text: object) -> str:
    """User text that markdown shows as it is: no emphasis, link, HTML or cell break, and
    on GitHub no mention or issue reference."""
    shown = inert(text)
    parts = []
    at = 0
    for link in _AUTOLINKED.finditer(shown):
        parts.append(_plain_markdown(shown[at : link.start()]))
        parts.append(link.group().replace("|", "\\|"))
        at = link.end()
    parts.append(_plain_markdown(shown[at:]))
    return "".join(parts)


def _plain_markdown(text: str) -> str:
    return _NOTIFYING.sub(_SIGN_UNLINKED, _MARKDOWN_SPECIAL.sub(r"\\\1", text))


def markdown_line(text: object) -> str:
    """markdown_cell of text that starts a line (of a paragraph or a list item): no
    heading, list, quote or underline of its own either."""
    escaped = markdown_cell(text)
    marker = _LINE_MARKER.match(escaped)
    if marker is None:
        return escaped
    indent, sign, number, closing = marker.groups()
    if sign is not None:
        return f"{indent}\\{escaped[len(indent) :]}"
    return f"{indent}{number}\\{closing}{escaped[marker.end() :]}"  # `1\.`: `\1` is no escape


def markdown_code(text: object) -> str:
    """Text as a code span, shown as it is: fenced by more backticks than it holds in a
    row (CommonMark shows no escape inside one)."""
    shown = inert(text)
    longest = max((len(run) for run in re.findall(r"`+", shown)), default=0)
    fence = "`" * (longest + 1)
    padded = f" {shown} " if shown.startswith("`") or shown.endswith("`") else shown
    return f"{fence}{padded}{fence}"


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
