"""The static site's pages (SPEC §20), from services/site.py's data: path -> bytes.

Jinja2 templates with autoescaping (every value is HTML-escaped unless it is markup this
module built, itself from escaped parts), relative links only, no timestamp but the as-of
date, so the same input writes the same bytes and the pages work from disk or any host.

    index.html                 the selected cycle's board
    assets/style.css, app.js   shared (the script only adds filtering)
    CYCLE/index.html           the cycle's board
    CYCLE/map.html             the alignment map (whole when small; else the top objectives)
    CYCLE/map/TEAM--OBJ.html   one top objective's branch of the map
    CYCLE/teams/TEAM.html      a team's objectives and KRs, and each KR's history
    CYCLE/people.html, CYCLE/people/NAME.html   who owns what, who checked in
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache, partial
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from okrcli import __version__
from okrcli.core.text import percent
from okrcli.render import site_rows as rows
from okrcli.render import site_svg
from okrcli.services.site import CycleSite, Page

WHOLE_MAP_LIMIT = 200  # objectives drawn on the overview map; beyond it, top objectives only


def prepare() -> None:
    """Compile every template now (pages() would): `okr site` does it while the history
    is read, before the pages are rendered on two cores (a forked child inherits them
    rather than compiling its own)."""
    _environment()


@cache
def _environment() -> Environment:
    """The templates' environment, every template compiled, once."""
    env = Environment(
        loader=PackageLoader("okrcli.render", "site"),
        auto_reload=False,  # the package's templates do not change while okr runs
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.update(
        percent=percent,
        status=rows.status,
        bar=rows.bar,
        counts=rows.counts,
        values=rows.values,
        version=__version__,
        lang="en",
    )
    for name in env.list_templates(extensions=["j2"]):
        env.get_template(name)
    return env


def slug(name: str, taken: set[str]) -> str:
    """A file name for a person's page: their name with what a path cannot hold replaced
    (CJK names stay as they are), made unique."""
    base = re.sub(r"[^\w-]+", "-", name).strip("-").lower() or "person"
    found, number = base, 2
    while found in taken:
        found, number = f"{base}-{number}", number + 1
    taken.add(found)
    return found


def asset(name: str) -> bytes:
    return resources.files("okrcli.render").joinpath("site", name).read_bytes()


def pages(sites: list[CycleSite], selected: str) -> list[Page]:
    """Every file of the site: its path inside the output folder, its size (KRs on it, as a
    guess at its work) and how it is made (services.site.write_pages makes and writes each,
    on two cores)."""
    cycles = sorted(site.cycle for site in sites)
    _environment()
    jobs: list[Page] = [
        ("assets/style.css", 1, partial(asset, "style.css")),
        ("assets/app.js", 1, partial(asset, "app.js")),
    ]
    for site in sites:
        jobs += _cycle_pages(site, cycles, f"{site.cycle}/")
        if site.cycle == selected:
            jobs.append(_board(site, cycles, "index.html", root="", here=f"{site.cycle}/"))
    return jobs


def _render(site: CycleSite, cycles: list[str], template: str, **values: Any) -> bytes:
    page = template.split(".", 1)[0]
    template_of = _environment().get_template(template)
    return template_of.render(site=site, cycles=cycles, page=page, **values).encode("utf-8")


def _board(site: CycleSite, cycles: list[str], path: str, **links: str) -> Page:
    return path, len(site.key_results), lambda: _render(site, cycles, "board.html.j2", **links)


def _cycle_pages(site: CycleSite, cycles: list[str], into: str) -> list[Page]:
    top = {"root": "../", "here": ""}
    one_down = {"root": "../../", "here": "../"}
    jobs = [_board(site, cycles, f"{into}index.html", **top)]
    roots = site_svg.forest(site.objectives)
    count = len(site_svg.walk(roots))

    def link_from(here: str) -> Callable[[site_svg.MapNode], str]:
        def link(node: site_svg.MapNode) -> str:
            team, objective = node.address.split("/", 1)
            return f"{here}teams/{team}.html#o-{objective}"

        return link

    def whole_map() -> bytes:
        overview = roots if count <= WHOLE_MAP_LIMIT else _tops(roots)
        svg = site_svg.map_svg(overview, link_from(""), f"Alignment map of {site.cycle}")
        return _render(
            site, cycles, "map.html.j2", svg=Markup(svg), branch=None, roots=_branches(roots), **top
        )

    def branch_map(root: site_svg.MapNode) -> Callable[[], bytes]:
        def render() -> bytes:
            svg = site_svg.map_svg([root], link_from("../"), f"Alignment of {root.address}")
            return _render(
                site, cycles, "map.html.j2", svg=Markup(svg), branch=root, roots=[], **one_down
            )

        return render

    jobs.append((f"{into}map.html", count, whole_map))
    for root in roots:
        if root.children:  # a top objective that nothing serves links to its team page
            name = root.address.replace("/", "--")
            size = len(site_svg.walk([root]))
            jobs.append((f"{into}map/{name}.html", size, branch_map(root)))

    def team_page(team: dict[str, Any]) -> Callable[[], bytes]:
        return lambda: _render(
            site,
            cycles,
            "team.html.j2",
            team=team,
            objectives=lambda team: _objectives(site, team),
            histories=lambda team: Markup(
                "".join(_history(site, kr) for o in team["objectives"] for kr in o["key_results"])
            ),
            **one_down,
        )

    for team in site.card["teams"]:
        size = sum(len(o["key_results"]) for o in team["objectives"])
        jobs.append((f"{into}teams/{team['team']}.html", size, team_page(team)))
    people = _people(site)
    jobs.append(
        (
            f"{into}people.html",
            len(people),
            lambda: _render(site, cycles, "people.html.j2", people=people, **top),
        )
    )

    def person_page(person: dict[str, Any]) -> Callable[[], bytes]:
        return lambda: _render(
            site,
            cycles,
            "person.html.j2",
            person=person,
            person_changes=lambda person: _person_changes(site, person),
            owned=lambda person: rows.owned_rows(person["owned"], site.card["expected"], "../"),
            **one_down,
        )

    for person in people:
        size = len(person["owned"]) + len(person["changes"])
        jobs.append((f"{into}people/{person['slug']}.html", size, person_page(person)))
    return jobs


def _tops(roots: list[site_svg.MapNode]) -> list[site_svg.MapNode]:
    """The top objectives alone (their branches have pages of their own)."""
    return [site_svg.MapNode(r.address, r.title, r.progress, r.status, r.see) for r in roots]


def _branches(roots: list[site_svg.MapNode]) -> list[dict[str, Any]]:
    found = []
    for root in roots:
        below = site_svg.walk([root])[1:]
        found.append(
            {
                "address": root.address,
                "title": root.title,
                "count": sum(1 for node in below if node.see is None),
                "children": [c for c in root.children if c.see is None],
                "text": " ".join(f"{n.address} {n.title}" for n in below),
            }
        )
    return found


def _objectives(site: CycleSite, team: dict[str, Any]) -> Markup:
    expected = site.card["expected"]
    sections = []
    for objective in team["objectives"]:
        krs = "".join(
            rows.kr_row(kr, site.owners[kr["address"]], expected, _spark(site, kr["address"]))
            for kr in objective["key_results"]
        )
        sections.append(rows.objective_section(objective, expected, krs, "../"))
    return Markup("".join(sections))


def _history(site: CycleSite, kr: dict[str, Any]) -> Markup:
    history = site.histories.get(kr["address"], {"entries": [], "points": []})
    if site.has_history:
        note = "No check-in yet."
    else:
        note = "No history: the OKR files are not in a git repository."
    # A KR that never moved has no path to draw: its note says so, without a chart.
    chart = _chart(site, kr["address"]) if len(history["points"]) > 1 or history["entries"] else ""
    return rows.kr_history(kr, history["entries"], Markup(chart), note)


def _person_changes(site: CycleSite, person: dict[str, Any]) -> Markup:
    """The check-ins and revisions a person made, each KR linked, another's marked."""
    found = []
    for e in person["changes"]:
        team = e["address"].split("/", 1)[0]
        owner = site.owners.get(e["address"])
        other = (
            ' <span class="contribution">contribution</span>'
            if owner and owner != person["name"]
            else ""
        )
        found.append(
            f'<tr><td data-label="Date">{escape(e["date"][:10])}</td>'
            f'<td data-label="Key result"><a href="../teams/{escape(team)}.html#'
            f'{rows.anchor(e["address"])}">{escape(e["address"])}</a>{other}</td>'
            f'<td data-label="What">{escape(e["field"])}</td>'
            f'<td data-label="Old → new">{escape(rows.shown(e["old"]))} → '
            f"{escape(rows.shown(e['new']))}</td>"
            f'<td data-label="Note">{escape(e["note"])}</td></tr>\n'
        )
    return Markup("".join(found))


def _chart(site: CycleSite, address: str) -> Markup:
    history = site.histories.get(address, {"points": [], "entries": []})
    revisions = sorted(
        {e["date"][:10] for e in history["entries"] if e["field"] in ("baseline", "target")}
    )
    label = f"Progress of {address} over {site.cycle} against the pace line"
    svg = site_svg.chart_svg(history["points"], site.start, site.end, revisions, label)
    return Markup(svg)


def _spark(site: CycleSite, address: str) -> Markup:
    points = site.histories.get(address, {"points": []})["points"]
    if len(points) < 2:
        return Markup("")
    width, height = 80, 20
    step = width / (len(points) - 1)
    path = " ".join(
        f"{i * step:.1f},{height - 2 - max(0.0, min(1.0, p['progress'])) * (height - 4):.1f}"
        for i, p in enumerate(points)
    )
    return Markup(
        f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="trend of progress, towards the target is up">'
        f'<polyline points="{path}"/></svg>'
    )


def _people(site: CycleSite) -> list[dict[str, Any]]:
    taken: set[str] = set()
    by_kr = {kr["address"]: kr for kr in site.key_results}
    entries = [e for h in site.histories.values() for e in h["entries"]]
    entries.sort(key=lambda e: (e["date"], e["address"], e["field"]))
    found = []
    for name in site.people():
        found.append(
            {
                "name": name,
                "slug": slug(name, taken),
                "owned": [by_kr[a] for a, owner in site.owners.items() if owner == name],
                "changes": [e for e in entries if e["author"] == name],
            }
        )
    return found
