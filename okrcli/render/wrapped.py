"""Rich renderables that lay text out by the terminal's width at render time.

`Wrapped` breaks user text with core.text.wrap (words kept whole, CJK closing punctuation
never at a line's start); `Columns` pads styled cells by display width so a row stays on one
line and its figures line up, whatever the width of the CJK text beside them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from okrcli.core.text import display_width, wrap

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions
    from rich.measure import Measurement
    from rich.text import Text


class Wrapped:
    """Text wrapped to the width it is given, every line indented by `indent` columns."""

    def __init__(self, text: str, style: str = "", indent: int = 0) -> None:
        self.text = text
        self.style = style
        self.indent = indent

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Text]:
        from rich.text import Text

        for line in wrap(self.text, options.max_width - self.indent):
            yield Text(" " * self.indent + line, style=self.style, no_wrap=True, overflow="fold")

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        from rich.measure import Measurement

        widest = max((display_width(line) for line in wrap(self.text, 10)), default=0)
        full = display_width(self.text)
        return Measurement(min(widest, full) + self.indent, full + self.indent)


def column_widths(rows: Sequence[Sequence[Text]]) -> list[int]:
    widths: list[int] = []
    for row in rows:
        for index, cell in enumerate(row):
            if index == len(widths):
                widths.append(0)
            widths[index] = max(widths[index], cell.cell_len)
    return widths


def padded(row: Sequence[Text], widths: Sequence[int], right: set[int], gap: int = 2) -> Text:
    """One line: each cell padded to its column (right-aligned where asked), `gap` apart."""
    from rich.text import Text

    line = Text(no_wrap=True, overflow="fold")
    for index, cell in enumerate(row):
        pad = " " * (widths[index] - cell.cell_len)
        if index:
            line.append(" " * gap)
        if index in right:
            line.append(pad)
        line.append_text(cell)
        if index not in right and index < len(row) - 1:
            line.append(pad)
    line.rstrip()
    return line
