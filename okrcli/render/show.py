"""Drawing `okr show`: a key result or objective as labelled lines, its history below."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from okrcli.core.text import inert, percent, value_text
from okrcli.render.history import change_text, field_label
from okrcli.render.logview import shorten
from okrcli.render.tables import confidence_text

if TYPE_CHECKING:
    from rich.console import RenderableType


def _facts(item: dict[str, Any]) -> list[tuple[str, str]]:
    facts = [("owner", inert(item.get("owner") or "none"))]
    if item["type"] == "key_result":
        if item["done"] is not None:
            facts.append(("value", value_text(item["done"], None) + " (milestone)"))
        else:
            facts.append(("unit", inert(item["unit"] or "none")))
            facts.append(
                (
                    "value",
                    f"{value_text(item['baseline'], None)} → {value_text(item['current'], None)}"
                    f" → {value_text(item['target'], item['unit'])} (baseline → current → target)",
                )
            )
    facts += [
        (
            "progress",
            f"{percent(item['progress'])}, expected {percent(item['expected'])} by {item['as_of']}",
        ),
        ("score", f"{item['score']:.2f}"),
        ("status", item["status"]),
    ]
    if item["type"] == "key_result":
        facts.append(("confidence", confidence_text(item["confidence"]) or "not given"))
    return facts


def _krs(item: dict[str, Any]) -> list[str]:
    return [
        f"  {kr['address'].rsplit('/', 1)[-1]}  {percent(kr['progress'])}  {kr['status']}"
        for kr in item.get("key_results", [])
    ]


def _history(item: dict[str, Any]) -> list[tuple[str, str]]:
    """(the entry's line, its note) for each recent check-in or revision."""
    return [
        (
            f"{e['date'][:10]}  {shorten(inert(e['author']), 20)}  "
            f"{e['address'].rsplit('/', 1)[-1]} {field_label(e['field'])}  "
            f"{change_text(e['old'], e['new'])}",
            inert(e["note"]),
        )
        for e in item["history"]
    ]


def heading(item: dict[str, Any]) -> str:
    kind = "key result" if item["type"] == "key_result" else "objective"
    return f"{item['address']} · {kind} · {item['cycle']}"


def show_plain(item: dict[str, Any]) -> str:
    lines = [heading(item), inert(item["title"]), ""]
    lines += [f"{label:<11}{text}" for label, text in _facts(item)]
    if item.get("key_results"):
        lines += ["", "key results:", *_krs(item)]
    lines += ["", "last check-ins and revisions:" if item["history"] else "no check-ins yet"]
    for line, note in _history(item):
        lines.append(f"  {line}")
        if note:
            lines.append(f"      {note}")
    return "\n".join(lines) + "\n"


def show_rich(item: dict[str, Any]) -> RenderableType:
    from rich.console import Group
    from rich.text import Text

    from okrcli.render.wrapped import Wrapped

    parts: list[Any] = [
        Text(heading(item), style="bold cyan"),
        Wrapped(inert(item["title"]), "bold"),
        Text(""),
    ]
    for label, text in _facts(item):
        fact = Text(f"{label:<11}", style="dim")
        fact.append(text)
        parts.append(fact)
    if item.get("key_results"):
        parts += [Text(""), Text("key results:", style="bold")]
        parts += [Text(kr_line) for kr_line in _krs(item)]
    parts += [
        Text(""),
        Text(
            "last check-ins and revisions:" if item["history"] else "no check-ins yet", style="bold"
        ),
    ]
    for line, note in _history(item):
        parts.append(Wrapped(line, indent=2))
        if note:
            parts.append(Wrapped(note, indent=6))
    return Group(*parts)
