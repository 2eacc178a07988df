"""The alignment tree (`okr tree`): rich at a terminal, plain text when piped."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from okrcli.core.text import inert, percent
from okrcli.render.tables import GRADE_STYLE, STATUS_STYLE, ascii_bar, bar, closed_text, grade

if TYPE_CHECKING:
    from rich.console import RenderableType


def tree_plain(nodes: list[dict[str, Any]]) -> str:
    lines: list[str] = []

    def walk(node: dict[str, Any], prefix: str, last: bool, top: bool) -> None:
        branch = "" if top else ("└── " if last else "├── ")
        lines.append(
            f"{prefix}{branch}{node['address']}  {inert(node['title'])}  "
            f"{ascii_bar(node['progress'])} {percent(node['progress'])}  {node['status']}"
            + closed_text(node, "  ")
        )
        child_prefix = prefix + ("" if top else ("    " if last else "│   "))
        items: list[tuple[str, Any]] = [("kr", kr) for kr in node["key_results"]]
        items += [("node", child) for child in node["children"]]
        for index, (kind, item) in enumerate(items):
            is_last = index == len(items) - 1
            if kind == "node":
                walk(item, child_prefix, is_last, False)
            else:
                mark = "└── " if is_last else "├── "
                lines.append(
                    f"{child_prefix}{mark}· {item['address'].rsplit('/', 1)[-1]}  "
                    f"{inert(item['title'])}  {percent(item['progress'])}"
                )

    for node in nodes:
        walk(node, "", True, True)
    return "\n".join(lines) + ("\n" if lines else "")


def tree_rich(nodes: list[dict[str, Any]], heading: str) -> RenderableType:
    from rich.text import Text
    from rich.tree import Tree

    root = Tree(Text(heading, style="bold"), guide_style="dim")

    def label(node: dict[str, Any]) -> Any:
        text = Text(node["address"], style="bold cyan")
        text.append("  " + inert(node["title"]) + "  ")
        text.append_text(bar(node["progress"]))
        text.append("  ")
        text.append(node["status"], style=STATUS_STYLE[node["status"]])
        text.append(closed_text(node, "  "), style="dim")
        return text

    def walk(branch: Any, node: dict[str, Any]) -> None:
        child = branch.add(label(node))
        for kr in node["key_results"]:
            kr_text = Text("· " + kr["address"].rsplit("/", 1)[-1], style="cyan")
            kr_text.append("  " + inert(kr["title"]) + "  ")
            kr_text.append(percent(kr["progress"]), style=GRADE_STYLE[grade(kr["progress"])])
            child.add(kr_text)
        for sub in node["children"]:
            walk(child, sub)

    for node in nodes:
        walk(root, node)
    return root
