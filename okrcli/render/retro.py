"""Drawing the retrospective (SPEC §15): plain text when piped, rich in a terminal, markdown.

Each team is a table (score, grade, trend, first → last, check-ins, confidence, flags),
then where to look (each flag with its reason), the revised goalposts, and the retro texts.
Functions take retro.py's objects and return strings or renderables; they never print.
User text is made inert first; in markdown it is escaped too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from okrcli.core.scoring import grade
from okrcli.core.text import inert, value_text
from okrcli.render.history import ABSENT, sparkline
from okrcli.render.history import value_text as plain_value
from okrcli.render.tables import GRADE_STYLE, markdown_line, plain_table
from okrcli.render.tables import markdown_cell as md
from okrcli.services.retro import Flag, KrRetro, ObjectiveRetro, Retro, TeamRetro

if TYPE_CHECKING:
    from rich.console import RenderableType

HEADERS = (
    "ADDRESS",
    "TITLE",
    "SCORE",
    "GRADE",
    "TREND",
    "FIRST → LAST",
    "CHECK-INS",
    "CONF",
    "FLAGS",
)
_RIGHT = {2, 6}
GRADE_EMOJI = {"green": "🟢", "yellow": "🟡", "red": "🔴"}


def heading(result: Retro, organization: str) -> str:
    count = sum(len(team.objectives) for team in result.teams)
    where = f"{inert(organization)} · " if organization else ""
    score = f"score {result.score:.2f} over {count} objective(s)"
    return f"{where}{result.cycle} · retrospective · {score}"


def team_heading(team: TeamRetro) -> str:
    closed = f" · closed {team.closed}" if team.closed else " · not closed"
    return (
        f"{team.team} · {inert(team.name)}{closed} · score {team.score:.2f} ({grade(team.score)})"
    )


def _path_text(kr: KrRetro) -> str:
    return f"{value_text(kr.first, kr.unit, ABSENT)} → {value_text(kr.last, kr.unit, ABSENT)}"


def _confidence_text(kr: KrRetro) -> str:
    first, last = kr.confidence
    if first is None:
        return ABSENT
    return f"{plain_value(first)} → {plain_value(last)}"


def _flag_words(flags: Sequence[Flag]) -> str:
    return ", ".join(flag.word for flag in flags)


def _objective_row(objective: ObjectiveRetro) -> list[str]:
    words = _flag_words(objective.flags)
    score = f"{objective.score:.2f}"
    return [
        objective.address,
        inert(objective.title),
        score,
        grade(objective.score),
        "",
        "",
        "",
        "",
        words,
    ]


def _kr_row(kr: KrRetro) -> list[str]:
    return [
        "  " + kr.address.rsplit("/", 1)[1],
        inert(kr.title),
        f"{kr.score:.2f}",
        grade(kr.score),
        sparkline(kr.path) if len(kr.path) > 1 else "",
        _path_text(kr),
        str(kr.checkins),
        _confidence_text(kr),
        _flag_words(kr.flags),
    ]


def rows(team: TeamRetro) -> list[list[str]]:
    found = []
    for objective in team.objectives:
        found.append(_objective_row(objective))
        found += [_kr_row(kr) for kr in objective.key_results]
    return found


def _flagged(team: TeamRetro) -> list[tuple[str, str, str]]:
    """(address, flag, reason) of every flag of the team, in table order."""
    found = []
    for objective in team.objectives:
        found += [(objective.address, f.word, f.reason) for f in objective.flags]
        for kr in objective.key_results:
            found += [(kr.address, f.word, f.reason) for f in kr.flags]
    return found


def _revisions(team: TeamRetro) -> list[tuple[str, str, str, str]]:
    """(date, address, field old → new, note) of every revised baseline or target."""
    return [
        (r.date[:10], kr.address, f"{r.field} {plain_value(r.old)} → {plain_value(r.new)}", r.note)
        for objective in team.objectives
        for kr in objective.key_results
        for r in kr.revisions
    ]


def _retros(team: TeamRetro) -> list[tuple[str, str]]:
    """(address, text) of every retro text: the team's, then each objective's and KR's."""
    found = [(team.team, team.retro)] if team.retro else []
    for objective in team.objectives:
        if objective.retro:
            found.append((objective.address, objective.retro))
        found += [(kr.address, kr.retro) for kr in objective.key_results if kr.retro]
    return found


def _lines(text: str) -> list[str]:
    return [inert(line) for line in text.strip("\n").split("\n")]


# --- plain ----------------------------------------------------------------------------------


def plain(result: Retro, organization: str) -> str:
    parts = [heading(result, organization)]
    for team in result.teams:
        block = [team_heading(team), plain_table(HEADERS, rows(team), _RIGHT)]
        flagged = _flagged(team)
        if flagged:
            block.append(
                "Where to look\n"
                + "\n".join(f"  {a}  {word}: {inert(reason)}" for a, word, reason in flagged)
            )
        revisions = _revisions(team)
        if revisions:
            block.append(
                "Revisions\n"
                + "\n".join(f"  {d}  {a}  {c}  {inert(n)}".rstrip() for d, a, c, n in revisions)
            )
        retros = _retros(team)
        if retros:
            block.append("Retro\n" + "\n".join(_plain_retro(a, t) for a, t in retros))
        parts.append("\n\n".join(block))
    return "\n\n".join(parts) + "\n"


def _plain_retro(address: str, text: str) -> str:
    lines = _lines(text)
    if len(lines) == 1:
        return f"  {address}: {lines[0]}"
    return f"  {address}:\n" + "\n".join(f"    {line}".rstrip() for line in lines)


# --- rich -----------------------------------------------------------------------------------


def rich(result: Retro, organization: str) -> RenderableType:
    """Each team's table reads at 80 columns: the title and the flags sit under the
    address, the trend above first → last."""
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from okrcli.render.wrapped import Wrapped

    parts: list[RenderableType] = [Text(heading(result, organization), style="bold")]
    for team in result.teams:
        table = Table(
            title=Text(team_heading(team), style="bold"),
            title_justify="left",
            box=box.SIMPLE_HEAD,
        )
        table.add_column("Objective / key result", overflow="fold", min_width=24)
        table.add_column("Score", justify="right", no_wrap=True)
        table.add_column("Path", min_width=8)
        table.add_column("Check-ins", justify="right", no_wrap=True)
        table.add_column("Conf", min_width=4)
        for row in rows(team):
            is_kr = row[0].startswith("  ")
            if not is_kr and table.row_count:
                table.add_section()
            # The title is broken by CJK's rules (wrapped.Wrapped), not rich's.
            where: list[RenderableType] = [
                Text(row[0].strip(), style="cyan" if is_kr else "bold cyan"),
                Wrapped(row[1], style="dim"),
            ]
            if row[8]:
                where.append(Text(row[8], style="yellow"))
            score = Text(row[2], style=GRADE_STYLE.get(row[3], ""))
            path = Text(row[4], style="green")
            path.append(("\n" if row[4] else "") + row[5])
            table.add_row(Group(*where), score, path, Text(row[6]), Text(row[7]))
        parts.append(table)
        for label, lines in _sections(team):
            grid = Table.grid(padding=(0, 2))
            grid.add_column(style="cyan", no_wrap=True)
            grid.add_column(overflow="fold")
            for where_text, said in lines:
                grid.add_row(Text(where_text), Text(said))
            parts += [Text(label, style="bold"), grid, Text("")]
    return Group(*parts)


def _sections(team: TeamRetro) -> list[tuple[str, list[tuple[str, str]]]]:
    """Where to look, revisions and retro texts as (label, [(where, what)]) for rich."""
    sections = []
    flagged = _flagged(team)
    if flagged:
        sections.append(("Where to look", [(a, f"{w}: {inert(r)}") for a, w, r in flagged]))
    revisions = _revisions(team)
    if revisions:
        listed = [(f"{d}  {a}", f"{c}  {inert(n)}".rstrip()) for d, a, c, n in revisions]
        sections.append(("Revisions", listed))
    retros = _retros(team)
    if retros:
        sections.append(("Retro", [(a, "\n".join(_lines(t))) for a, t in retros]))
    return sections


# --- markdown -------------------------------------------------------------------------------


def markdown(result: Retro, organization: str) -> str:
    title = f"{md(organization)} — " if organization else ""
    count = sum(len(team.objectives) for team in result.teams)
    lines = [
        f"# {title}{result.cycle} retrospective",
        "",
        f"Score {result.score:.2f} over {count} objective(s).",
        "",
    ]
    for team in result.teams:
        lines += _markdown_team(team)
    return "\n".join(lines)


def _markdown_team(team: TeamRetro) -> list[str]:
    closed = f" · closed {team.closed}" if team.closed else " · not closed"
    lines = [
        f"## {md(team.name)} (`{team.team}`) — {team.score:.2f} "
        f"{GRADE_EMOJI[grade(team.score)]}{closed}",
        "",
        "| Objective / key result | Score | Trend | First → last | Check-ins | Confidence "
        "| Flags |",
        "|---|---:|---|---|---:|---|---|",
    ]
    for objective in team.objectives:
        lines.append(
            f"| **{md(objective.title)}** (`{objective.address}`) | "
            f"{_md_score(objective.score)} | | | | | {_flag_words(objective.flags)} |"
        )
        for kr in objective.key_results:
            trend = sparkline(kr.path) if len(kr.path) > 1 else ""
            lines.append(
                f"| {md(kr.title)} (`{kr.address}`) | {_md_score(kr.score)} | {trend} | "
                f"{md(_path_text(kr))} | {kr.checkins} | {_confidence_text(kr)} | "
                f"{_flag_words(kr.flags)} |"
            )
    lines.append("")
    flagged = _flagged(team)
    if flagged:
        lines += ["**Where to look**", ""]
        lines += [f"- `{a}` **{w}**: {md(r)}" for a, w, r in flagged]
        lines.append("")
    revisions = _revisions(team)
    if revisions:
        lines += ["**Revisions**", ""]
        lines += [f"- {d} `{a}` {md(c)}" + (f": {md(n)}" if n else "") for d, a, c, n in revisions]
        lines.append("")
    retros = _retros(team)
    if retros:
        lines += ["**What we learned**", ""]
        for address, text in retros:
            first, *rest = _lines(text)
            lines.append(f"- `{address}`: {md(first)}")
            lines += [f"  {markdown_line(line)}" if line else "" for line in rest]
        lines.append("")
    return lines


def _md_score(score: float) -> str:
    return f"{score:.2f} {GRADE_EMOJI[grade(score)]}"
