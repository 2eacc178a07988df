"""`okr log` at a terminal: one line per change, its note on full-width lines under it.

A note is what a person typed, so it is never cut: it gets the whole width below its entry
(wrapped between words, CJK by its own rules), and the author is what gets shortened.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from okrcli.core.text import display_width
from okrcli.render.wrapped import Wrapped, column_widths, padded

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderableType
    from rich.text import Text

AUTHOR_MIN = 8
AUTHOR_MAX = 20
NOTE_INDENT = 4
HEADERS = ("Date", "Author", "Key result", "Field", "Change")


def shorten(text: str, width: int) -> str:
    """`text` cut to `width` columns, an ellipsis marking the cut."""
    if display_width(text) <= width:
        return text
    out, used = "", 0
    for ch in text:
        if used + display_width(ch) > width - 1:
            break
        out, used = out + ch, used + display_width(ch)
    return out.rstrip() + "…"


class LogLines:
    """The log's entries laid out for the width the console gives at render time."""

    def __init__(self, entries: Sequence[dict[str, Any]], rows: Sequence[Sequence[str]]) -> None:
        self.entries = entries
        self.rows = rows  # date, author, address, field, change, note (inert)

    def _cells(self, author_width: int) -> list[list[Text]]:
        from rich.text import Text

        from okrcli.history.snapshots import REVISION_FIELDS

        cells = [[Text(h, style="bold") for h in HEADERS]]
        for entry, row in zip(self.entries, self.rows, strict=True):
            revised = entry["field"] in REVISION_FIELDS
            cells.append(
                [
                    Text(row[0], style="dim"),
                    Text(shorten(row[1], author_width)),
                    Text(row[2], style="cyan"),
                    Text(row[3], style="yellow" if revised else "dim"),
                    Text(row[4], style="yellow" if revised else "bold"),
                ]
            )
        return cells

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Any]:
        from rich.text import Text

        width = options.max_width
        authors = max((display_width(row[1]) for row in self.rows), default=0)
        author_width = max(AUTHOR_MIN, min(authors, AUTHOR_MAX))
        cells = self._cells(author_width)
        widths = column_widths(cells)
        overflow = sum(widths) + 2 * (len(widths) - 1) - width
        if overflow > 0 and author_width > AUTHOR_MIN:
            author_width = max(AUTHOR_MIN, author_width - overflow)
            cells = self._cells(author_width)
            widths = column_widths(cells)
        yield padded(cells[0], widths, set())
        yield Text("─" * min(width, sum(widths) + 2 * (len(widths) - 1)), style="dim")
        for line, row in zip(cells[1:], self.rows, strict=True):
            text = padded(line, widths, set())
            text.no_wrap = False  # too wide for the terminal: wrapped, never cut
            yield text
            if row[5]:
                yield Wrapped(row[5], indent=NOTE_INDENT)


def log_lines(entries: Sequence[dict[str, Any]], rows: Sequence[Sequence[str]]) -> RenderableType:
    return LogLines(entries, rows)
