"""JSON on stdout (SPEC §6): indented for a person at a terminal, compact when piped.

Piped, the scorecard is assembled from one encoded fragment per team, kept in the cache
under the team file's content and everything else a team's row depends on (the team's
pace, of the as-of date or of its closing day, and the status thresholds). A warm run over
10,000 KRs then neither scores nor encodes them again; the text is the same as encoding
report.scorecard whole (tests hold the two equal).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from okrcli.files import cache
from okrcli.files.loader import CycleData
from okrcli.files.workspace import team_id_of
from okrcli.services import report

if TYPE_CHECKING:
    from okrcli.core.model import Team
    from okrcli.history.versions import Step

# Part of every fragment's key: bump when report.team_row's output changes shape, so a
# fragment encoded by older code is never spliced into newer output.
_FRAGMENT_FORMAT = "team-row-3"


def encode(value: Any, indent: bool) -> str:
    # The C encoder is many times faster on a company's worth of KRs, but only without
    # indent; people read the indented form, programs get the compact one.
    if indent:
        return json.dumps(value, ensure_ascii=False, indent=2)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def encode_tree(nodes: list[dict[str, Any]], indent: bool) -> str:
    """The nodes of report.tree, as encode() writes them, but without recursion: json's
    encoders recurse once per level, and an aligns chain can be deeper than the stack.
    Each node's own fields are encoded whole; `children`, its last key, is spliced in."""
    return _indented_tree(nodes) if indent else _compact_tree(nodes)


def _own_fields(node: dict[str, Any], indent: bool) -> str:
    return encode({key: value for key, value in node.items() if key != "children"}, indent)


def _compact_tree(nodes: list[dict[str, Any]]) -> str:
    out = ["["]
    levels = [iter(nodes)]
    first = [True]
    while levels:
        node = next(levels[-1], None)
        if node is None:
            levels.pop()
            first.pop()
            out.append("]}" if levels else "]")
            continue
        out.append("" if first[-1] else ",")
        first[-1] = False
        if "children" not in node:
            out.append(encode(node, indent=False))
            continue
        head = _own_fields(node, indent=False)
        out.append(head[:-1] + ("," if head != "{}" else "") + '"children":[')
        levels.append(iter(node["children"]))
        first.append(True)
    return "".join(out)


def _indented_tree(nodes: list[dict[str, Any]]) -> str:
    if not nodes:
        return "[]"
    out = ["["]
    levels = [(iter(nodes), 1)]  # the nodes of a list, and how deep they are indented
    first = [True]
    while levels:
        items, depth = levels[-1]
        node = next(items, None)
        if node is None:
            levels.pop()
            first.pop()
            out.append("\n" + "  " * (depth - 1) + "]")
            if levels:
                out.append("\n" + "  " * (depth - 2) + "}")
            continue
        # A JSON string never holds a raw line break: every "\n" is the encoder's own.
        pad = "\n" + "  " * depth
        out.append(("\n" if first[-1] else ",\n") + "  " * depth)
        first[-1] = False
        if "children" not in node:
            out.append(encode(node, indent=True).replace("\n", pad))
            continue
        head = _own_fields(node, indent=True).replace("\n", pad)
        opening = "{" if head == "{}" else head[: -len(pad) - 1] + ","
        out.append(opening + pad + '  "children": ')
        if not node["children"]:
            out.append("[]" + pad + "}")
            continue
        out.append("[")
        levels.append((iter(node["children"]), depth + 2))
        first.append(True)
    return "".join(out)


def scorecard(data: CycleData, as_of: dt.date, team_id: str | None, indent: bool) -> str:
    if indent:
        return encode(report.scorecard(data, as_of, team_id), indent=True)
    config = report.config_of(data)
    store = cache.Store(f"scorecard\0{data.workspace.root}")
    fragments: list[str] = []
    every_objective: list[float] = []
    # Keyed by the cycle's pace on the as-of date, which moves with it (so fragments are warm
    # within one day; a run for another day replaces them, they are labelled by file). A
    # closed team's own pace is that of its `closed:` day when earlier (report.team_pace);
    # the pace only grows, so it is the smaller of the two, and the content (which holds
    # `closed:`) with the cycle's pace decides it: a row is not built to find its key.
    settings = repr((report.expected(data, as_of), config.on_track, config.at_risk))
    for path in _selected_paths(data, team_id):
        content = data.workspace.source.blob_id(path, data.texts[path])
        entry_key = cache.key(_FRAGMENT_FORMAT, path, content, settings)
        entry = _fragment(store.get(entry_key))
        if entry is None:
            team = data.team(path)
            if team is None:
                continue
            pace = report.team_pace(data, as_of, team)
            row, progresses = report.team_row(team, pace, config)
            entry = (encode(row, indent=False), list(progresses))
            store.put(entry_key, encode(entry[1], indent=False) + entry[0], label=path)
        fragments.append(entry[0])
        every_objective += entry[1]
    store.save()
    # The card's fields come first and "teams" last, as in report.scorecard.
    return spliced(report.card(data, as_of, every_objective), "teams", fragments)


def spliced(head: dict[str, Any], key: str, fragments: Sequence[str]) -> str:
    """encode({**head, key: values}, indent=False) for values each encoded already (with
    encode, compact): their texts are joined, not the values encoded again."""
    text = encode(head, indent=False)
    return f"{text[:-1]}{',' if head else ''}{encode(key, False)}:[{','.join(fragments)}]}}"


def retro_team_texts(
    data: CycleData, teams: Sequence[Team], steps: Sequence[Step]
) -> dict[str, str]:
    """One group's part of `okr retro --format json`, piped: the compact JSON of each team
    these steps change, by id (split.load_reduced's reduce). Made in the process that read
    the group's history: text comes back from a forked child far cheaper than rows."""
    from okrcli.services import retro

    rows = retro.group_rows(data, teams, steps)
    return {row.team: encode(retro.team_json(row), indent=False) for row in rows}


def retro(data: CycleData, teams: Sequence[Team], parts: Sequence[dict[str, str]]) -> str:
    """encode(retro.as_json(...), indent=False) from the groups' texts (retro_team_texts);
    the teams no step changed are made here."""
    from okrcli.services import retro

    texts = {team_id: text for part in parts for team_id, text in part.items()}
    rest = [team for team in teams if team.id not in texts]
    for row in retro.rows_without_history(data, rest):
        texts[row.team] = encode(retro.team_json(row), indent=False)
    return spliced({"cycle": data.cycle.id}, "teams", [texts[team.id] for team in teams])


def _selected_paths(data: CycleData, team_id: str | None) -> list[str]:
    """report.selected_teams by path: a team whose row is cached need not be built."""
    if team_id is None:
        return data.team_paths
    paths = [path for path in data.team_paths if team_id_of(path) == team_id]
    return paths or [team.path for team in report.selected_teams(data, team_id)]  # its error


def _fragment(entry: object) -> tuple[str, list[float]] | None:
    """A cached team row: its objectives' exact progress as a JSON list, then the row's
    JSON text (one string: the cache reads a string many times faster than a list holding
    one); None for anything else.

    The row is what `encode` wrote for a dict: a cache file whose digest holds was written
    by okr (see cache.py), so this checks the row's ends rather than every byte between."""
    if type(entry) is not str or not entry.startswith("["):
        return None
    end = entry.find("]") + 1
    text = entry[end:]
    try:
        progresses = json.loads(entry[:end])
    except ValueError:
        return None
    if (
        text.startswith('{"')
        and text.endswith("}")
        and type(progresses) is list
        and all(type(p) in (int, float) and 0 <= p <= 1 for p in progresses)
    ):
        return text, progresses
    return None
