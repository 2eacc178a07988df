"""The alignment tree (`okr tree`): rich at a terminal, plain text when piped.

Both walk the nodes of report.tree without recursion (an aligns chain may be longer than
Python's stack). A node with `see` is an objective drawn in full elsewhere (under the
objective `see` names); it is one line here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from okrcli.core.text import display_width, inert, percent, wrap
from okrcli.render.tables import (
    BAR_WIDTH,
    STATUS_STYLE,
    ascii_bar,
    bar,
    closed_text,
    figure_style,
)

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderableType, RenderResult

# At a terminal, each level indents by rich's guide (4 columns); a level deeper than
# leaves this many columns for its labels is not drawn (rich would cut it to nothing).
GUIDE = 4
LABEL_ROOM = 48


def reference_text(node: dict[str, Any]) -> str:
    return f"→ in full under {node['see']}"


def tree_plain(nodes: list[dict[str, Any]]) -> str:
    lines: list[str] = []
    # (node, prefix of its line, its branch mark, prefix of the lines below it)
    work = [(node, "", "", "") for node in reversed(nodes)]
    while work:
        node, prefix, branch, inner = work.pop()
        head = f"{prefix}{branch}{node['address']}  {inert(node['title'])}  "
        if "see" in node:
            lines.append(head + reference_text(node))
            continue
        lines.append(
            head
            + f"{ascii_bar(node['progress'])} {percent(node['progress'])}  {node['status']}"
            + closed_text(node, "  ")
        )
        children = node["children"]
        krs = node["key_results"]
        for index, kr in enumerate(krs):
            mark = "└── " if index == len(krs) - 1 and not children else "├── "
            lines.append(
                f"{inner}{mark}· {kr['address'].rsplit('/', 1)[-1]}  "
                f"{inert(kr['title'])}  {percent(kr['progress'])}"
            )
        for index in reversed(range(len(children))):
            last = index == len(children) - 1
            child_inner = inner + ("    " if last else "│   ")
            work.append((children[index], inner, "└── " if last else "├── ", child_inner))
    return "\n".join(lines) + ("\n" if lines else "")


def tree_rich(nodes: list[dict[str, Any]], heading: str) -> RenderableType:
    from rich.console import Group
    from rich.text import Text

    return Group(Text(heading, style="bold"), TreeLines(nodes))


Item = tuple[str, str, Any, str, Any]


def _tree_items(nodes: list[dict[str, Any]], levels: int) -> list[Item]:
    """(guide before the first line, guide before the next lines, address, title, figures)
    for every node and KR, in the order they are drawn; a level deeper than `levels` is
    one line saying what is below."""
    from rich.text import Text

    items: list[Item] = []
    # (node, guide before its line, guide before the lines below it, its level)
    work = [(node, "", "", 1) for node in reversed(nodes)]
    while work:
        node, first, inner, level = work.pop()
        address = Text(node["address"], style="bold cyan")
        if "see" in node:  # drawn in full elsewhere: one line, the reference after its title
            title = f"{inert(node['title'])}  {reference_text(node)}"
            items.append((first, inner + "    ", address, title, Text("")))
            continue
        closed = bool(node.get("closed"))
        figures = bar(node["progress"], figure_style(node["status"], node["score"], closed))
        figures.append("  ")
        figures.append(node["status"], style=STATUS_STYLE[node["status"]])
        figures.append(closed_text(node, "  "), style="dim")
        krs = node["key_results"]
        children = node["children"]
        below = inner + ("│   " if krs or children else "    ")
        items.append((first, below, address, inert(node["title"]), figures))
        deep = bool(children) and level >= levels
        for index, kr in enumerate(krs):
            last = index == len(krs) - 1 and not children
            mark, more = ("└── ", "    ") if last else ("├── ", "│   ")
            kr_address = Text("· " + kr["address"].rsplit("/", 1)[-1], style="cyan")
            # the KR's percentage sits under its objective's, right-aligned in that column
            kr_figures = Text(" " * (BAR_WIDTH + 1))
            style = figure_style(kr["status"], kr.get("score", kr["progress"]), closed)
            kr_figures.append(f"{percent(kr['progress']):>4}", style=style)
            items.append(
                (inner + mark, inner + more + "  ", kr_address, inert(kr["title"]), kr_figures)
            )
        if deep:
            items.append((inner + "└── ", inner + "    ", Text(""), _not_drawn(node), Text("")))
            continue
        for index in reversed(range(len(children))):
            last = index == len(children) - 1
            mark, more = ("└── ", "    ") if last else ("├── ", "│   ")
            work.append((children[index], inner + mark, inner + more, level + 1))
    return items


class TreeLines:
    """The tree laid out for the console's width: each node on one line where it fits, its
    bar, percentage and status in a column at the right; a long title wraps under itself."""

    def __init__(self, nodes: list[dict[str, Any]]) -> None:
        self.nodes = nodes

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.text import Text

        width = options.max_width
        # The objective's KRs sit one level below it: they need the room too.
        items = _tree_items(self.nodes, max(1, (width - LABEL_ROOM) // GUIDE - 1))
        figures = max((item[4].cell_len for item in items), default=0)
        heads = [display_width(first) + item.cell_len + 2 for first, _, item, _, _ in items]
        # the figures column starts after the widest one-line label that leaves room for it
        labels = [h + display_width(title) for h, (*_, title, _) in zip(heads, items, strict=True)]
        room = width - figures - 2
        left = max([w for w in labels if w <= room] or [min(room, max(heads, default=0))])
        for head, (first, below, address, title, figure) in zip(heads, items, strict=True):
            lines = wrap(title, max(2, left - display_width(below)), left - head)
            line = Text(first, style="dim")
            line.append_text(address)
            line.append(("  " if address.plain else "") + lines[0])
            if figure.plain:
                line.append(" " * max(0, left - line.cell_len) + "  ")
                line.append_text(figure)
            line.rstrip()
            yield line
            for rest in lines[1:]:
                yield Text(below, style="dim") + Text(rest)


def _not_drawn(node: dict[str, Any]) -> str:
    count = len({below["address"] for below in _descendants(node)})
    return f"⋯ {count} more objective(s) below, too deep to draw here: 'okr tree {node['address']}'"


def _descendants(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    work = list(node["children"])
    while work:
        below = work.pop()
        yield below
        work.extend(below.get("children", []))
