"""`okr tree --format mermaid` (SPEC §20): labels inert, big maps split under GitHub's
limits, and every diagram accepted by the real Mermaid parser (the npm package `mermaid`,
run in Debian's chromium) when both can be had here."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from okrcli.render import mermaid
from tests.conftest import run_okr

CACHE = Path(__file__).resolve().parent.parent / ".cache" / "mermaid"


def objective(address: str, aligns: list[str], title: str = "Grow 10%") -> dict[str, Any]:
    return {
        "address": address,
        "title": title,
        "aligns": aligns,
        "progress": 0.5,
        "status": "on-track",
    }


def company(teams: int, per_team: int) -> list[dict[str, Any]]:
    tops = [objective(f"company/top-{i}", []) for i in range(4)]
    below = [
        objective(f"team-{t}/o-{o}", [f"company/top-{(t + o) % 4}"], f"团队 {t} 目标 {o}: 增长")
        for t in range(teams)
        for o in range(per_team)
    ]
    return tops + below


def blocks(text: str) -> list[str]:
    return re.findall(r"```mermaid\n(.*?)```", text, re.S)


def test_the_example_is_one_diagram_with_every_objective(example_repo: Path) -> None:
    result = run_okr(
        "-C", str(example_repo), "--as-of", "2026-08-15", "tree", "--format", "mermaid"
    )
    assert result.exit_code == 0, result.output
    (diagram,) = blocks(result.stdout)
    assert diagram.splitlines()[1] == "flowchart LR"
    assert len(re.findall(r'^  n\d+\["', diagram, re.M)) == 7
    assert len(re.findall(r"^  n\d+ --> n\d+$", diagram, re.M)) == 5


def test_a_branch_alone(example_repo: Path) -> None:
    result = run_okr(
        "-C",
        str(example_repo),
        "--as-of",
        "2026-08-15",
        "tree",
        "company/efficiency",
        "--format",
        "mermaid",
    )
    (diagram,) = blocks(result.stdout)
    assert "company/efficiency" in diagram and "hr-admin/lean-ops" in diagram
    assert "company/growth" not in diagram


def test_titles_cannot_become_markup() -> None:
    hostile = objective("a/b", [], 'x"] --> evil["<img src=x onerror=alert(1)> `md` #1 & co')
    ((_, diagram),) = mermaid.diagrams([hostile])
    line = diagram.splitlines()[1]
    assert line.count('"') == 2  # the label's own quotes only
    assert "<img" not in line and "`" not in line
    assert (
        "#quot;] --#gt; evil[#quot;#lt;img src=x onerror=alert(1)#gt; #96;md#96; #35;1 #amp; co"
        in line
    )


def test_a_map_over_githubs_limits_is_split_per_top_objective() -> None:
    objectives = company(teams=200, per_team=3)  # 600 edges: over 500
    found = mermaid.diagrams(objectives)
    assert [start for start, _ in found] == [f"company/top-{i}" for i in range(4)]
    for _, text in found:
        assert len(text) <= mermaid.MAX_CHARS
        assert text.count(" --> ") <= mermaid.MAX_EDGES
    drawn = {a for _, text in found for a in re.findall(r"<br/>([\w/-]+) ·", text)}
    assert drawn == {o["address"] for o in objectives}


def test_a_branch_still_too_big_is_split_again() -> None:
    tops = [objective("company/top", [])]
    middle = [objective(f"dept-{d}/o", ["company/top"]) for d in range(3)]
    leaves = [objective(f"team-{d}-{t}/o", [f"dept-{d}/o"]) for d in range(3) for t in range(300)]
    found = mermaid.diagrams(tops + middle + leaves)
    assert [start for start, _ in found] == ["company/top", "dept-0/o", "dept-1/o", "dept-2/o"]
    assert all(text.count(" --> ") <= mermaid.MAX_EDGES for _, text in found)


# --- the real parser ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def mermaid_js() -> Path:
    """mermaid's browser bundle from the npm registry, kept in .cache/ between runs."""
    bundle = CACHE / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"
    if bundle.exists():
        return bundle
    if shutil.which("npm") is None:
        pytest.skip("npm is not installed, so the Mermaid parser cannot be fetched")
    done = subprocess.run(
        [
            "npm",
            "install",
            "--silent",
            "--no-audit",
            "--no-fund",
            "--prefix",
            str(CACHE),
            "mermaid@11",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    if done.returncode != 0 or not bundle.exists():
        pytest.skip(f"the npm package mermaid could not be installed: {done.stderr[-300:]}")
    return bundle


@pytest.fixture(scope="module")
def parser(mermaid_js: Path) -> Iterator[Any]:
    if shutil.which("chromium") is None:
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    from tests.test_site_browser import FLAGS

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=FLAGS)
        page = browser.new_page()
        page.set_content("<!DOCTYPE html><html><body></body></html>")
        page.add_script_tag(path=str(mermaid_js))
        page.evaluate("mermaid.initialize({startOnLoad: false, securityLevel: 'strict'})")
        yield page
        browser.close()


def parse(page: Any, text: str) -> Any:
    return page.evaluate(
        "async (text) => { try { await mermaid.parse(text); return true; }"
        " catch (e) { return String(e.message || e); } }",
        text,
    )


def test_the_real_parser_accepts_the_example(parser: Any, example_repo: Path) -> None:
    result = run_okr(
        "-C", str(example_repo), "--as-of", "2026-08-15", "tree", "--format", "mermaid"
    )
    for diagram in blocks(result.stdout):
        assert parse(parser, diagram) is True


def test_the_real_parser_accepts_hostile_titles_and_split_maps(parser: Any) -> None:
    hostile = objective("a/b", [], 'x"] --> evil["<b>bold</b> `md` #1 & 100% ; end')
    for _, text in mermaid.diagrams([hostile]):
        assert parse(parser, text) is True
    for _, text in mermaid.diagrams(company(teams=200, per_team=3)):
        assert parse(parser, text) is True


def test_the_real_parser_refuses_a_broken_diagram(parser: Any) -> None:
    assert parse(parser, 'flowchart LR\n  n0["unclosed]\n') is not True
