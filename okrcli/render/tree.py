"""The alignment tree (`okr tree`): rich at a terminal, plain text when piped.

Both walk the nodes of report.tree without recursion (an aligns chain may be longer than
Python's stack). A node with `see` is an objective drawn in full elsewhere (under the
objective `see` names); it is one line here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from okrcli.core.text import inert, percent
from okrcli.render.tables import GRADE_STYLE, STATUS_STYLE, ascii_bar, bar, closed_text, grade

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
    return _TerminalTree(nodes, heading)


class _TerminalTree:
    """Built when rich knows the width: levels that would leave no room for a label end
    with a line saying what is below and how to see it."""

    def __init__(self, nodes: list[dict[str, Any]], heading: str) -> None:
        self.nodes = nodes
        self.heading = heading

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        # The objective's KRs sit one level below it: they need the room too.
        levels = max(1, (options.max_width - LABEL_ROOM) // GUIDE - 1)
        yield _build(self.nodes, self.heading, levels)


def _build(nodes: list[dict[str, Any]], heading: str, levels: int) -> Any:
    from rich.text import Text
    from rich.tree import Tree

    root = Tree(Text(heading, style="bold"), guide_style="dim")
    work: list[tuple[Any, dict[str, Any], int]] = [(root, node, 1) for node in reversed(nodes)]
    while work:
        branch, node, level = work.pop()
        child = branch.add(_label(node))
        if "see" in node:
            continue
        for kr in node["key_results"]:
            kr_text = Text("· " + kr["address"].rsplit("/", 1)[-1], style="cyan")
            kr_text.append("  " + inert(kr["title"]) + "  ")
            kr_text.append(percent(kr["progress"]), style=GRADE_STYLE[grade(kr["progress"])])
            child.add(kr_text)
        children = node["children"]
        if children and level >= levels:
            child.add(Text(_not_drawn(node), style="dim"))
            continue
        work.extend((child, sub, level + 1) for sub in reversed(children))
    return root


def _label(node: dict[str, Any]) -> Any:
    from rich.text import Text

    text = Text(node["address"], style="bold cyan")
    text.append("  " + inert(node["title"]) + "  ")
    if "see" in node:
        text.append(reference_text(node), style="dim")
        return text
    text.append_text(bar(node["progress"]))
    text.append("  ")
    text.append(node["status"], style=STATUS_STYLE[node["status"]])
    text.append(closed_text(node, "  "), style="dim")
    return text


def _not_drawn(node: dict[str, Any]) -> str:
    count = len({below["address"] for below in _descendants(node)})
    return f"⋯ {count} more objective(s) below, too deep to draw here: 'okr tree {node['address']}'"


def _descendants(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    work = list(node["children"])
    while work:
        below = work.pop()
        yield below
        work.extend(below.get("children", []))
