"""A page of titled sections, each a table or a list of names, drawn four ways: plain text
when piped, rich at a terminal, and markdown written to be pasted into a document.

Cells arrive as text already made inert (core.text.inert); markdown escapes its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from okrcli.core.text import display_width
from okrcli.render.tables import markdown_cell, markdown_line, plain_table

if TYPE_CHECKING:
    from rich.console import RenderableType


@dataclass(frozen=True)
class Section:
    title: str
    headers: Sequence[str] = ()  # capitalised, "\n" where a terminal may break; none:
    # `rows` are single items (names)
    rows: Sequence[Sequence[str]] = ()
    right: frozenset[int] = frozenset()  # columns aligned right (numbers)
    code: frozenset[int] = frozenset()  # columns shown as `code` in markdown (addresses)
    empty: str = "none"
    styles: dict[int, str] = field(default_factory=dict)  # rich style per column
    wrap: frozenset[int] = frozenset()  # columns of free text, which a terminal may wrap
    under: dict[int, int] = field(default_factory=dict)  # at a terminal: column -> below which


def _one_line(header: str) -> str:
    """A header as plain text and markdown show it; a terminal's table breaks it where
    it has a line break, to stay narrow."""
    return header.replace("-\n", "-").replace("\n", " ")


def _title(section: Section) -> str:
    return f"{section.title} ({len(section.rows)})"


def page_plain(heading: str, lines: Sequence[str], sections: Sequence[Section]) -> str:
    parts = ["\n".join([heading, *lines])]
    for section in sections:
        if not section.rows:
            parts.append(f"{_title(section)}: {section.empty}")
        elif not section.headers:
            parts.append("\n".join([_title(section), *(f"  {row[0]}" for row in section.rows)]))
        else:
            headers = [_one_line(header).upper() for header in section.headers]
            table = plain_table(headers, section.rows, set(section.right))
            parts.append(f"{_title(section)}\n{table}")
    return "\n\n".join(parts) + "\n"


def page_rich(heading: str, lines: Sequence[str], sections: Sequence[Section]) -> RenderableType:
    from rich.console import Group
    from rich.text import Text

    renderables: list[RenderableType] = [Text(heading, style="bold")]
    renderables += [Text(line) for line in lines]
    for section in sections:
        renderables.append(Text(""))
        if not section.rows:
            renderables.append(Text(f"{_title(section)}: {section.empty}", style="bold"))
            continue
        if not section.headers:
            renderables.append(Text(_title(section), style="bold"))
            renderables += [Text(f"  {row[0]}") for row in section.rows]
            continue
        renderables.append(_rich_table(section))
    return Group(*renderables)


def _rich_table(section: Section) -> RenderableType:
    """A section as a rich table that reads at 80 columns: a column named in `under` goes
    below another's text in the same cell; codes and numbers never wrap, free text does."""
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from okrcli.render.wrapped import Wrapped

    table = Table(
        title=Text(_title(section), style="bold"),
        title_justify="left",
        box=box.SIMPLE_HEAD,
        expand=bool(section.wrap),
        collapse_padding=True,  # one space between columns, none at the edges
        pad_edge=False,
        show_edge=False,
    )
    shown = [i for i in range(len(section.headers)) if i not in section.under]
    for index in shown:
        below = [section.headers[i] for i, above in section.under.items() if above == index]
        # A cell with text below its code wraps that text, never the code above it.
        widest = max((display_width(row[index]) for row in section.rows), default=0)
        wraps = index in section.wrap or bool(below)
        table.add_column(
            " / ".join([section.headers[index], *below]),
            justify="right" if index in section.right else "left",
            no_wrap=not wraps,
            overflow="fold",
            ratio=1 if index in section.wrap else None,
            min_width=widest if below else 8 if wraps else None,
        )
    for row in section.rows:
        cells: list[RenderableType] = []
        for index in shown:
            style = section.styles.get(index, "")
            below = [row[i] for i, above in section.under.items() if above == index and row[i]]
            if below:  # the code on its line, the text below it wrapped by the CJK rules
                head = Text(row[index], style=style, no_wrap=True, overflow="fold")
                cells.append(Group(head, *(Wrapped(text, style="dim") for text in below)))
            elif index in section.wrap:
                cells.append(Wrapped(row[index], style=style))
            else:
                cells.append(Text(row[index], style=style))
        table.add_row(*cells)
    return table


def page_markdown(
    heading: str, lines: Sequence[str], sections: Sequence[Section], level: int = 2
) -> str:
    """`heading` at `level`, each section one level below it."""
    out = [f"{'#' * level} {markdown_cell(heading)}", ""]
    for line in lines:
        out += [markdown_line(line), ""]
    for section in sections:
        out += [f"{'#' * (level + 1)} {markdown_cell(_title(section))}", ""]
        if not section.rows:
            out += [f"_{markdown_cell(section.empty).capitalize()}._", ""]
            continue
        if not section.headers:
            out += [*(f"- {markdown_line(row[0])}" for row in section.rows), ""]
            continue
        out.append("| " + " | ".join(markdown_cell(_one_line(h)) for h in section.headers) + " |")
        out.append(
            "|"
            + "|".join("---:" if i in section.right else "---" for i in range(len(section.headers)))
            + "|"
        )
        for row in section.rows:
            cells = [
                f"`{cell}`" if index in section.code and cell else markdown_cell(cell)
                for index, cell in enumerate(row)
            ]
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
    return "\n".join(out)
