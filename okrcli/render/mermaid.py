"""`okr tree --format mermaid` (SPEC §20): the alignment map as Mermaid flowcharts for
markdown, which GitHub renders.

GitHub refuses a diagram over 50,000 characters or 500 edges; a map too big for one is
split into one diagram per top objective (and a branch still too big, into one per
objective below it). Labels are made inert: Mermaid's entity codes stand for the
characters that would start markup, so a title is always shown as the text it is.
"""

from __future__ import annotations

from typing import Any

from okrcli.render.tables import markdown_cell

MAX_CHARS = 50_000
MAX_EDGES = 500
_ENTITIES = {"&": "#amp;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "#": "#35;", "`": "#96;"}
ICONS = {"done": "✓", "on-track": "●", "at-risk": "▲", "off-track": "✕"}


def label(text: str) -> str:
    flat = " ".join(text.split())
    return "".join(_ENTITIES.get(ch, ch) for ch in flat)


def _graph(objectives: list[dict[str, Any]]) -> tuple[list[str], dict[str, list[str]]]:
    """Top objectives (aligned to none of the cycle's) and each objective's children."""
    known = {o["address"] for o in objectives}
    children: dict[str, list[str]] = {o["address"]: [] for o in objectives}
    tops = []
    for objective in objectives:
        parents = [
            p for p in objective.get("aligns", []) if p in known and p != objective["address"]
        ]
        for parent in parents:
            children[parent].append(objective["address"])
        if not parents:
            tops.append(objective["address"])
    return tops, children


def _below(roots: list[str], children: dict[str, list[str]]) -> list[str]:
    """Every objective reachable from `roots`, each once, in drawing order (no recursion)."""
    seen: dict[str, None] = {}
    stack = list(reversed(roots))
    while stack:
        address = stack.pop()
        if address in seen:
            continue
        seen[address] = None
        stack.extend(reversed(children[address]))
    return list(seen)


def diagram(
    roots: list[str], by_address: dict[str, dict[str, Any]], children: dict[str, list[str]]
) -> tuple[str, int]:
    """One flowchart of `roots` and all below them; and its number of edges."""
    members = _below(roots, children)
    ids = {address: f"n{number}" for number, address in enumerate(members)}
    lines = ["flowchart LR"]
    for address in members:
        o = by_address[address]
        status = o["status"]
        shown = f"{round(o['progress'] * 100)}% · {ICONS.get(status, '')} {status}"
        text = f"{label(o['title'])}<br/>{label(address)} · {shown}"
        lines.append(f'  {ids[address]}["{text}"]:::{status.replace("-", "_")}')
    edges = 0
    for address in members:
        for child in children[address]:
            if child in ids:
                lines.append(f"  {ids[address]} --> {ids[child]}")
                edges += 1
    lines += [
        "  classDef done stroke:#0072b2,stroke-width:2px",
        "  classDef on_track stroke:#009e73,stroke-width:2px",
        "  classDef at_risk stroke:#e69f00,stroke-width:2px",
        "  classDef off_track stroke:#d55e00,stroke-width:2px",
    ]
    return "\n".join(lines) + "\n", edges


def fits(text: str, edges: int) -> bool:
    return len(text) <= MAX_CHARS and edges <= MAX_EDGES


def diagrams(
    objectives: list[dict[str, Any]], start: str | None = None
) -> list[tuple[str | None, str]]:
    """(the objective a diagram starts at, or None for the whole map; the flowchart), for
    the whole map or the branch under `start`."""
    by_address = {o["address"]: o for o in objectives}
    tops, children = _graph(objectives)
    if start is not None:
        tops = [start]
    whole, edges = diagram(tops, by_address, children)
    if fits(whole, edges):
        return [(None, whole)]
    found: list[tuple[str | None, str]] = []
    queue = list(tops)
    split: set[str] = set()  # an objective below several split ones gets one diagram
    while queue:
        root = queue.pop(0)
        if root in split:
            continue
        split.add(root)
        text, edges = diagram([root], by_address, children)
        if fits(text, edges) or not children[root]:
            found.append((root, text))
        else:  # still too big for GitHub: its objective alone, then one per child
            alone, _ = diagram_alone(root, by_address)
            found.append((root, alone))
            queue[0:0] = children[root]
    return found


def diagram_alone(address: str, by_address: dict[str, dict[str, Any]]) -> tuple[str, int]:
    return diagram([address], by_address, {a: [] for a in by_address})


def markdown(objectives: list[dict[str, Any]], cycle: str, start: str | None = None) -> str:
    """The map as fenced ```mermaid blocks, with a heading per diagram when split."""
    parts = []
    found = diagrams(objectives, start)
    for first, text in found:
        if len(found) > 1 and first is not None:
            title = markdown_cell(by_title(objectives, first))
            parts.append(f"### {title} (`{first}`)\n")
        parts.append(f"```mermaid\n%% okr alignment map of {cycle}\n{text}```\n")
    return "\n".join(parts)


def by_title(objectives: list[dict[str, Any]], address: str | None) -> str:
    for objective in objectives:
        if objective["address"] == address:
            return str(objective["title"])
    return ""
