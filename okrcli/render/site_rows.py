"""The site's repeated pieces, written in Python: a KR's row, its history, a log's rows.

A company's site draws them tens of thousands of times, and a template macro or a call
from a template costs ten times a Python call; every user string goes through `escape`,
as the templates' autoescaping would do.
"""

from __future__ import annotations

from html import escape  # a str, not a Markup per value: this runs ~10^5 times
from typing import Any

from markupsafe import Markup

from okrcli.core.numbers import format_number
from okrcli.core.text import percent

ICONS = {"done": "✓", "on-track": "●", "at-risk": "▲", "off-track": "✕"}
REVISIONS = ("baseline", "target")


def status(word: str) -> Markup:
    """A status as its icon and word (never colour alone)."""
    shown = escape(word)
    return Markup(
        f'<span class="status s-{shown}"><span aria-hidden="true">{ICONS.get(word, "")}'
        f"</span> {shown}</span>"
    )


def _width(progress: float) -> str:
    return f"{max(0.0, min(1.0, progress)) * 100:.1f}"


def bar(progress: float, expected: float | None = None) -> Markup:
    """A progress bar with the expected pace marked, and the percentage beside it."""
    said = f"progress {percent(progress)}"
    pace = ""
    if expected is not None:
        said += f", expected {percent(expected)}"
        pace = f'<span class="pace" style="left: {_width(expected)}%"></span>'
    return Markup(
        f'<span class="bar" role="img" aria-label="{said}">'
        f'<span class="fill" style="width: {_width(progress)}%"></span>{pace}</span>'
        f'<span class="pct">{percent(progress)}</span>'
    )


def counts(numbers: dict[str, int]) -> Markup:
    items = "".join(f"<li>{status(word)} <b>{n}</b></li>" for word, n in numbers.items())
    return Markup(f'<ul class="counts">{items}</ul>')


def shown(value: object) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "done" if value else "not done"
    return format_number(value)


def values(kr: dict[str, Any]) -> str:
    """`60 % → 68 % → 75 %`, or `done` / `not done` for a milestone."""
    if kr["done"] is not None:
        return "done" if kr["done"] else "not done"
    unit = f" {kr['unit']}" if kr["unit"] else ""
    return " → ".join(format_number(kr[key]) + unit for key in ("baseline", "current", "target"))


def anchor(address: str) -> str:
    return "kr-" + address.replace("/", "--")


def kr_row(kr: dict[str, Any], owner: str | None, expected: float, spark: str) -> Markup:
    confidence = "" if kr["confidence"] is None else format_number(kr["confidence"])
    return Markup(
        f'<tr><th scope="row"><a href="#{anchor(kr["address"])}">{escape(kr["title"])}</a>'
        f'<br><span class="id">{escape(kr["address"].rsplit("/", 1)[-1])}</span></th>'
        f'<td data-label="Baseline → current → target">{escape(values(kr))}</td>'
        f'<td data-label="Progress">{bar(kr["progress"], expected)}</td>'
        f'<td data-label="Status">{status(kr["status"])}</td>'
        f'<td data-label="Confidence">{confidence}</td>'
        f'<td data-label="Owner">{escape(owner or "")}</td>'
        f'<td data-label="Trend">{spark}</td></tr>\n'
    )


def change_rows(entries: list[dict[str, Any]], with_author: bool = True) -> Markup:
    """A log's rows: date, (who,) what, old → new, note; revisions marked."""
    rows = []
    for e in entries:
        revised = e["field"] in REVISIONS
        what = f"<strong>⚑ {escape(e['field'])} revised</strong>" if revised else escape(e["field"])
        who = f'<td data-label="Who">{escape(e["author"])}</td>' if with_author else ""
        marked = ' class="revision"' if revised else ""
        rows.append(
            f'<tr{marked}><td data-label="Date">{escape(e["date"][:10])}</td>'
            f'{who}<td data-label="What">{what}</td>'
            f'<td data-label="Old → new">{escape(shown(e["old"]))} → {escape(shown(e["new"]))}</td>'
            f'<td data-label="Note">{escape(e["note"])}</td></tr>\n'
        )
    return Markup("".join(rows))


def kr_history(kr: dict[str, Any], entries: list[dict[str, Any]], chart: str, note: str) -> Markup:
    """A KR's history: its chart, then every check-in and revision (or why there is none)."""
    name = anchor(kr["address"])
    if entries:
        log = (
            '<table class="log"><thead><tr><th scope="col">Date</th><th scope="col">Who</th>'
            '<th scope="col">What</th><th scope="col">Old → new</th><th scope="col">Note</th>'
            f"</tr></thead><tbody>\n{change_rows(entries)}</tbody></table>"
        )
    else:
        log = f"<p>{escape(note)}</p>"
    return Markup(
        f'<article class="history" id="{name}" aria-labelledby="t-{name}">'
        f'<h3 id="t-{name}">{escape(kr["title"])} <span class="id">{escape(kr["address"])}'
        f"</span></h3>\n{chart}\n{log}</article>\n"
    )


def objective_section(objective: dict[str, Any], expected: float, krs: str, here: str) -> Markup:
    """An objective with its KRs' rows (`krs`, already markup)."""
    oid = objective["address"].split("/", 1)[1]
    serves = ", ".join(
        f'<a href="{here}teams/{escape(a.split("/")[0])}.html#o-{escape(a.split("/")[-1])}">'
        f"{escape(a)}</a>"
        for a in objective["aligns"]
    )
    meta = [f'<span class="id">{escape(objective["address"])}</span>', escape(objective["kind"])]
    if objective["owner"]:
        meta.append(escape(objective["owner"]))
    if serves:
        meta.append(f"serves {serves}")
    retro = objective.get("retro")
    retro_part = f'<p class="retro">{escape(retro)}</p>' if retro else ""
    return Markup(
        f'<section class="objective" id="o-{escape(oid)}" aria-labelledby="h-{escape(oid)}">'
        f'<h2 id="h-{escape(oid)}">{escape(objective["title"])}</h2>\n'
        f'<p class="meta">{" · ".join(meta)}</p>\n'
        f"<p>{bar(objective['progress'], expected)} · score {objective['score']:.2f} · "
        f"{status(objective['status'])}</p>{retro_part}\n"
        '<table class="krs"><thead><tr><th scope="col">Key result</th>'
        '<th scope="col">Baseline → current → target</th><th scope="col">Progress</th>'
        '<th scope="col">Status</th><th scope="col">Confidence</th><th scope="col">Owner</th>'
        f'<th scope="col">Trend</th></tr></thead><tbody>\n{krs}</tbody></table></section>\n'
    )


def owned_rows(krs: list[dict[str, Any]], expected: float, here: str) -> Markup:
    """A person's KRs: title (linked to its history), values, progress, score, status."""
    return Markup(
        "".join(
            f'<tr><th scope="row"><a href="{here}teams/{escape(kr["address"].split("/")[0])}.html'
            f'#{anchor(kr["address"])}">{escape(kr["title"])}</a><br>'
            f'<span class="id">{escape(kr["address"])}</span></th>'
            f"<td>{escape(values(kr))}</td><td>{bar(kr['progress'], expected)}</td>"
            f"<td>{kr['score']:.2f}</td><td>{status(kr['status'])}</td></tr>\n"
            for kr in krs
        )
    )
