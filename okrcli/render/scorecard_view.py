"""`okr scorecard` at a terminal: each objective and KR on one line of aligned figures,
its title on full-width lines under it.

Titles are what people read, so they get the whole width (broken by core.text.wrap, CJK by
its own rules) instead of a narrow column beside half-empty figure columns.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from okrcli.core.text import inert, value_text
from okrcli.render.tables import (
    STATUS_STYLE,
    bar,
    confidence_text,
    figure_style,
    kr_value,
    score_text,
    scorecard_header,
    team_header,
)
from okrcli.render.wrapped import Wrapped, column_widths, padded

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderableType
    from rich.text import Text

HEADERS = ("Objective / key result", "Value", "From → to", "Progress", "Score", "Status", "Conf")
RIGHT = {1, 2, 4, 6}
RANGE = 2


class TeamLines:
    """One team's objectives and KRs, laid out for the width the console gives."""

    def __init__(self, team: dict[str, Any], show_krs: bool) -> None:
        self.team = team
        self.show_krs = show_krs

    def _rows(self) -> list[tuple[list[Text], str, int]]:
        """(the figure cells, the title, its indent) for every objective and KR."""
        from rich.text import Text

        rows: list[tuple[list[Text], str, int]] = []
        closed = bool(self.team.get("closed"))
        for objective in self.team["objectives"]:
            style = figure_style(objective["status"], objective["score"], closed)
            cells = [
                Text(objective["address"], style="bold cyan"),
                Text(""),
                Text(""),
                bar(objective["progress"], style),
                score_text(objective["score"], style),
                Text(objective["status"], style=STATUS_STYLE[objective["status"]]),
                Text(""),
            ]
            rows.append((cells, inert(objective["title"]), 2))
            if not self.show_krs:
                continue
            for kr in objective["key_results"]:
                span = ""
                if kr["done"] is None:
                    span = (
                        f"{value_text(kr['baseline'], None)} → "
                        f"{value_text(kr['target'], kr['unit'])}"
                    )
                style = figure_style(kr["status"], kr["score"], closed)
                cells = [
                    Text("  " + kr["address"].rsplit("/", 1)[-1], style="cyan"),
                    Text(kr_value(kr)),
                    Text(span, style="dim"),
                    bar(kr["progress"], style),
                    score_text(kr["score"], style),
                    Text(kr["status"], style=STATUS_STYLE[kr["status"]]),
                    Text(confidence_text(kr["confidence"]), style="dim"),
                ]
                rows.append((cells, inert(kr["title"]), 4))
        return rows

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Any]:
        from rich.text import Text

        width = options.max_width
        rows = self._rows()
        headers = [Text(h, style="bold") for h in HEADERS]
        keep = list(range(len(HEADERS)))
        if not self.show_krs:
            keep = [0, 3, 4, 5]

        def fits(columns: list[int], gap: int) -> bool:
            widths = column_widths(
                [[headers[i] for i in columns]] + [[c[i] for i in columns] for c, _, _ in rows]
            )
            return sum(widths) + gap * (len(widths) - 1) <= width

        gap = 2
        if not fits(keep, gap):
            gap = 1
        range_below = self.show_krs and not fits(keep, gap)
        if range_below:  # too narrow: baseline → target joins the title line instead
            keep = [i for i in keep if i != RANGE]
        right = {keep.index(i) for i in RIGHT if i in keep}
        table = [[headers[i] for i in keep]] + [[c[i] for i in keep] for c, _, _ in rows]
        widths = column_widths(table)
        yield padded(table[0], widths, right, gap)
        yield Text("─" * min(width, sum(widths) + gap * (len(widths) - 1)), style="dim")
        for (cells, title, indent), line in zip(rows, table[1:], strict=True):
            text = padded(line, widths, right, gap)
            text.no_wrap = False  # too wide for the terminal: wrapped, never cut
            yield text
            if range_below and cells[RANGE].plain:
                title = f"{title} ({cells[RANGE].plain})"
            yield Wrapped(title, style="bold" if indent == 2 else "", indent=indent)


def scorecard_rich(
    card: dict[str, Any], organization: str, show_krs: bool, note: str | None = None
) -> RenderableType:
    """One block per team: each objective and KR on one line of figures, its title under it."""
    from rich.console import Group
    from rich.text import Text

    renderables: list[Any] = [Text(scorecard_header(card, organization), style="bold")]
    if note:
        renderables.append(Wrapped(note, style="yellow"))
    for team in card["teams"]:
        renderables += [Text(""), Text(team_header(team), style="bold"), TeamLines(team, show_krs)]
    return Group(*renderables)
