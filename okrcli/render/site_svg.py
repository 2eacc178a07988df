"""The site's pictures as inline SVG: the alignment map and a KR's values against the pace.

Pure functions of plain data; every piece of user text goes through `html.escape` (an SVG
inside HTML is parsed as HTML's foreign content, where the same escaping holds). Walks are
iterative, so a chain of any depth draws without recursion.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from typing import Any

NODE_W, NODE_H, GAP_X, GAP_Y, MARGIN = 240, 62, 56, 14, 8
TITLE_COLUMNS = 30  # East Asian wide characters count two


def _width(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def shorten(text: str, columns: int = TITLE_COLUMNS) -> str:
    """Text cut to `columns` display columns, with an ellipsis when cut."""
    if len(text) * 2 <= columns:
        return text  # fits however wide its characters are
    used, kept = 0, list[str]()
    for ch in text:
        used += _width(ch)
        if used > columns:
            return "".join(kept).rstrip() + "…"
        kept.append(ch)
    return text


@dataclass
class MapNode:
    address: str
    title: str
    progress: float
    status: str
    see: str | None = None  # drawn in full elsewhere: this is a reference to it
    children: list[MapNode] = field(default_factory=list)
    x: int = 0
    y: int = 0


def forest(objectives: list[dict[str, Any]]) -> list[MapNode]:
    """The alignment as trees: each objective in full under the first objective it aligns to
    (or as a root when it aligns to none of the cycle's), and as a reference under each
    other parent, so an objective serving several is drawn once (never exponentially)."""
    by_address = {o["address"]: o for o in objectives}
    full: dict[str, MapNode] = {
        o["address"]: MapNode(o["address"], o["title"], o["progress"], o["status"])
        for o in objectives
    }
    first_parent = {}
    for objective in objectives:
        parents = [p for p in objective.get("aligns", []) if p in by_address]
        first_parent[objective["address"]] = parents
    roots = []
    for objective in objectives:
        node = full[objective["address"]]
        parents = [
            p for p in first_parent[node.address] if not _circles(p, node.address, first_parent)
        ]
        if not parents:
            roots.append(node)
            continue
        full[parents[0]].children.append(node)
        for other in parents[1:]:
            reference = MapNode(node.address, node.title, node.progress, node.status, node.address)
            full[other].children.append(reference)
    return roots


def _circles(parent: str, child: str, parents: dict[str, list[str]]) -> bool:
    """Whether hanging `child` under `parent` closes a circle of first parents (validate
    refuses aligns circles, E010; the map must still never loop)."""
    seen = set()
    while parent not in seen:
        if parent == child:
            return True
        seen.add(parent)
        above = parents.get(parent) or []
        if not above:
            return False
        parent = above[0]
    return False


def walk(roots: list[MapNode]) -> list[MapNode]:
    """Every node, depth first in drawing order, without recursion."""
    found, stack = [], list(reversed(roots))
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(reversed(node.children))
    return found


def layout(roots: list[MapNode]) -> tuple[int, int]:
    """Positions every node (depth left to right, leaves top to bottom in drawing order, a
    parent beside the middle of its children); returns the picture's width and height.
    Every node object sits under one parent (references are nodes of their own), so this is
    a tree."""
    depth: dict[int, int] = {}
    order: list[MapNode] = []
    stack = [(root, 0) for root in reversed(roots)]
    while stack:
        node, level = stack.pop()
        depth[id(node)] = level
        order.append(node)
        stack.extend((child, level + 1) for child in reversed(node.children))
    rows = 0
    for node in order:
        node.x = MARGIN + depth[id(node)] * (NODE_W + GAP_X)
        if not node.children:
            node.y = MARGIN + rows * (NODE_H + GAP_Y)
            rows += 1
    for node in reversed(order):  # children before their parents
        if node.children:
            node.y = (node.children[0].y + node.children[-1].y) // 2
    width = MARGIN * 2 + (max(depth.values(), default=0) + 1) * (NODE_W + GAP_X) - GAP_X
    height = MARGIN * 2 + max(rows, 1) * (NODE_H + GAP_Y) - GAP_Y
    return width, height


STATUS_ICON = {"done": "✓", "on-track": "●", "at-risk": "▲", "off-track": "✕"}


def map_svg(roots: list[MapNode], link: Callable[[MapNode], str], label: str) -> str:
    """The alignment map of `roots`; every node links to `link(node)`."""
    width, height = layout(roots)
    parts = [
        f'<svg class="map" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-label="{escape(label)}">'
    ]
    for node in walk(roots):
        for child in node.children:
            x1, y1 = node.x + NODE_W, node.y + NODE_H // 2
            x2, y2 = child.x, child.y + NODE_H // 2
            mid = (x1 + x2) // 2
            dashed = ' class="ref"' if child.see else ""
            parts.append(f'<path{dashed} d="M{x1},{y1} C{mid},{y1} {mid},{y2} {x2},{y2}"/>')
    for node in walk(roots):
        parts.append(_node(node, link(node)))
    parts.append("</svg>")
    return "".join(parts)


def _node(node: MapNode, href: str) -> str:
    status = escape(node.status)
    percent = round(node.progress * 100)
    bar = round(max(0.0, min(1.0, node.progress)) * (NODE_W - 20))
    if node.see:
        line1 = f"→ see {node.see}"
        kind = "node ref"
    else:
        line1 = node.title
        kind = f"node s-{status}"
    line2 = f"{node.address} · {percent}% · {STATUS_ICON.get(node.status, '')} {node.status}"
    return (
        f'<a href="{escape(href)}" class="{kind}">'
        f"<title>{escape(node.title)} ({escape(node.address)}, {percent}%, {status})</title>"
        f'<rect x="{node.x}" y="{node.y}" width="{NODE_W}" height="{NODE_H}" rx="6"/>'
        f'<text x="{node.x + 10}" y="{node.y + 20}">{escape(shorten(line1))}</text>'
        f'<text class="sub" x="{node.x + 10}" y="{node.y + 38}">'
        f"{escape(shorten(line2, 36))}</text>"
        f'<rect class="track" x="{node.x + 10}" y="{node.y + 47}" '
        f'width="{NODE_W - 20}" height="6"/>'
        f'<rect class="fill" x="{node.x + 10}" y="{node.y + 47}" width="{bar}" height="6"/>'
        "</a>"
    )


def chart_svg(
    points: list[dict[str, Any]], start: str, end: str, revisions: list[str], label: str
) -> str:
    """A KR's progress at each change, over the cycle, against the straight pace line from
    nothing at the start to everything at the end; revisions are marked on the time axis."""
    width, height, pad = 560, 180, 28
    first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    span = max(1, (last - first).days + 1)

    def x(day: str) -> float:
        return pad + (dt.date.fromisoformat(day) - first).days / span * (width - 2 * pad)

    def y(progress: float) -> float:
        return height - pad - max(0.0, min(1.2, progress)) / 1.2 * (height - 2 * pad)

    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {width} {height}" aria-label="{escape(label)}">',
        f'<line class="axis" x1="{pad}" y1="{y(0):.1f}" x2="{width - pad}" y2="{y(0):.1f}"/>',
        f'<line class="goal" x1="{pad}" y1="{y(1):.1f}" x2="{width - pad}" y2="{y(1):.1f}"/>',
        f'<line class="pace" x1="{pad}" y1="{y(0):.1f}" x2="{width - pad}" y2="{y(1):.1f}"/>',
        f'<text class="tick" x="{pad}" y="{height - 8}">{escape(start)}</text>',
        f'<text class="tick end" x="{width - pad}" y="{height - 8}">{escape(end)}</text>',
        f'<text class="tick" x="2" y="{y(1) + 4:.1f}">100%</text>',
    ]
    for day in revisions:
        parts.append(
            f'<line class="revision" x1="{x(day):.1f}" y1="{pad - 10}" '
            f'x2="{x(day):.1f}" y2="{y(0):.1f}"><title>revised {escape(day)}</title></line>'
        )
    if points:
        path = " ".join(f"{x(p['date']):.1f},{y(p['progress']):.1f}" for p in points)
        parts.append(f'<polyline class="values" points="{path}"/>')
        for p in points:
            percent = round(p["progress"] * 100)
            parts.append(
                f'<circle cx="{x(p["date"]):.1f}" cy="{y(p["progress"]):.1f}" r="3.5">'
                f"<title>{escape(p['date'])}: {percent}%</title></circle>"
            )
    parts.append("</svg>")
    return "".join(parts)
