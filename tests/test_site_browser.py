"""Every page of the example's site in a real headless Chromium (Debian's `chromium`, driven
by Playwright without a browser download): no console error, no request outside the site's
folder, the map's SVG with every node linked, user text shown as text, readable with
JavaScript off, and screenshots at 390 and 1440 px in the test's folder to look at."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.test_site import HOSTILE_NOTE, HOSTILE_TITLE, build
from tests.test_site import okrs as okrs  # the fixture, for this module's tests

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Debian's chromium is not installed (.ci/run installs it: apt-get install chromium)",
)
# As root, in a machine without a network: no sandbox, nothing phoning home.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def site(okrs: Path, tmp_path: Path) -> Path:
    out = tmp_path / "site"
    build(okrs, out)
    return out


def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def visit_every_page(browser: Any, site: Path, width: int, shots: Path) -> list[str]:
    """Load every page at `width` px, screenshot it, and return what went wrong: console
    errors, script errors, dialogs, requests outside the site, pages wider than the screen."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    site_url = site.resolve().as_uri() + "/"
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("dialog", lambda d: problems.append(f"dialog: {d.message}"))
    page.on(
        "request",
        lambda r: None if r.url.startswith(site_url) else problems.append(f"request {r.url}"),
    )
    for path in pages(site):
        page.goto(path.resolve().as_uri())
        page.wait_for_load_state("load")
        name = path.relative_to(site).as_posix().replace("/", "_")
        page.screenshot(path=str(shots / f"{width}-{name}.png"), full_page=True)
        # Nothing wider than the screen, even at a phone's width (the map scrolls in a frame).
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 1:
            problems.append(f"{path.name} is {overflow}px wider than {width}px")
    context.close()
    return problems


def test_every_page_loads_clean_and_asks_for_nothing_outside(
    browser: Any, site: Path, tmp_path: Path
) -> None:
    shots = tmp_path / "screenshots"
    shots.mkdir()
    for width in (390, 1440):
        assert visit_every_page(browser, site, width, shots) == []
    assert len(list(shots.iterdir())) == 2 * len(pages(site))


def test_the_map_is_an_svg_whose_nodes_all_link_to_their_objective(
    browser: Any, site: Path
) -> None:
    page = browser.new_page()
    page.goto((site / "2026-Q3" / "map.html").resolve().as_uri())
    links = page.eval_on_selector_all(
        "svg.map a", "nodes => nodes.map(n => new URL(n.getAttribute('href'), location).href)"
    )
    assert len(links) == 7  # the example's objectives: company 2, hr-admin 3, sales 2
    for link in links:
        assert "/2026-Q3/teams/" in link and "#o-" in link
        page.goto(link)
        anchor = link.rsplit("#", 1)[1]
        assert page.locator(f"#{anchor}").count() == 1
    page.close()


def test_user_text_is_text_in_the_browser(browser: Any, site: Path) -> None:
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto((site / "2026-Q3" / "teams" / "sales.html").resolve().as_uri())
    assert HOSTILE_TITLE in page.inner_text("main")
    assert page.locator("main img").count() == 0
    page.goto((site / "2026-Q3" / "teams" / "hr-admin.html").resolve().as_uri())
    assert HOSTILE_NOTE in page.inner_text("main")
    assert dialogs == []
    page.close()


def test_readable_with_javascript_off(browser: Any, site: Path) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto((site / "index.html").resolve().as_uri())
    text = page.inner_text("main")
    assert "行政人事部" in text and "Teams" in text
    assert page.locator(".filter").is_hidden()  # the search needs the script
    page.goto((site / "2026-Q3" / "map.html").resolve().as_uri())
    assert page.locator("svg.map").is_visible()
    context.close()


def test_the_search_filters_the_teams(browser: Any, site: Path) -> None:
    page = browser.new_page()
    page.goto((site / "index.html").resolve().as_uri())
    page.fill("input[type=search]", "sales")
    visible = page.locator("#team-list tbody tr:visible")
    assert visible.count() == 1
    assert "Sales" in visible.inner_text()
    page.close()


def test_the_print_stylesheet_leaves_the_navigation_out(browser: Any, site: Path) -> None:
    page = browser.new_page()
    page.goto((site / "2026-Q3" / "teams" / "hr-admin.html").resolve().as_uri())
    page.emulate_media(media="print")
    assert page.locator("header nav").first.is_hidden()
    assert page.locator("main h1").is_visible()
    page.close()


def test_at_a_phones_width_no_label_stands_without_its_value(browser: Any, site: Path) -> None:
    """The KR tables become one block per KR, each cell under its label; a cell with nothing
    in it (a KR with no trend yet) shows no bare "Trend:"."""
    context = browser.new_context(viewport={"width": 390, "height": 900})
    page = context.new_page()
    page.goto((site / "2026-Q3" / "teams" / "hr-admin.html").resolve().as_uri())
    cells = page.locator(".krs td[data-label]")
    empty = [i for i in range(cells.count()) if not cells.nth(i).inner_html().strip()]
    assert empty, "the example has a KR whose trend cell is empty"
    assert all(cells.nth(i).is_hidden() for i in empty)
    assert all(cells.nth(i).is_visible() for i in range(cells.count()) if i not in empty)
    context.close()
