"""`okr site` (SPEC §20): the pages' structure, links, escaping and bytes; and every page
of the example's site in a real headless Chromium (Debian's `chromium`)."""

from __future__ import annotations

import html.parser
import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from tests.conftest import EXAMPLE, commit, edit, git, run_okr

HOSTILE_TITLE = '<script>alert(1)</script> "><img src=x onerror=alert(2)>'
HOSTILE_NOTE = "两位候选人接受了offer <script>alert(3)</script>"


@pytest.fixture
def okrs(tmp_path: Path) -> Path:
    """The example with a history: check-ins by two people, a revision, a hostile title."""
    repo = tmp_path / "acme"
    shutil.copytree(EXAMPLE, repo)
    git(repo, "init", "-q")
    commit(repo, "Import OKRs", "2026-07-01T09:00:00+00:00")
    edit(repo, "2026-Q3/hr-admin.yaml", "        current: 68\n", "        current: 70\n")
    commit(repo, HOSTILE_NOTE, "2026-07-20T09:00:00+08:00", author="王芳")
    edit(repo, "2026-Q3/hr-admin.yaml", "        target: 7.8\n", "        target: 7.6\n")
    commit(repo, "Monthly review: enps target", "2026-08-03T09:00:00+08:00", author="李雷")
    edit(
        repo,
        "2026-Q3/sales.yaml",
        "    title: Win our first customers in the new regions\n",
        f"    title: '{HOSTILE_TITLE}'\n",
    )
    commit(repo, "A title that tries to be markup", "2026-08-04T09:00:00+00:00")
    return repo


def build(repo: Path, out: Path, *args: str) -> dict[str, bytes]:
    result = run_okr("-C", str(repo), "--as-of", "2026-08-15", "site", "-o", str(out), *args)
    assert result.exit_code == 0, result.output
    return {
        p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()
    }


class Links(html.parser.HTMLParser):
    """Every href/src of a page, and every id it defines."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.links.append(value)
            if name == "id" and value is not None:
                self.ids.add(value)


def parsed(content: bytes) -> Links:
    parser = Links()
    parser.feed(content.decode("utf-8"))
    return parser


def test_the_site_has_its_pages(okrs: Path, tmp_path: Path) -> None:
    files = build(okrs, tmp_path / "site")
    assert {
        "index.html",
        "assets/style.css",
        "assets/app.js",
        "2026-Q3/index.html",
        "2026-Q3/map.html",
        "2026-Q3/map/company--growth.html",
        "2026-Q3/map/company--efficiency.html",
        "2026-Q3/teams/company.html",
        "2026-Q3/teams/hr-admin.html",
        "2026-Q3/teams/sales.html",
        "2026-Q3/people.html",
        "2026-Q3/people/王芳.html",
        "2026-Q3/people/李雷.html",
    } <= set(files)


def test_every_link_is_relative_and_leads_to_a_page_and_anchor_of_the_site(
    okrs: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    files = build(okrs, out)
    pages = {name: parsed(content) for name, content in files.items() if name.endswith(".html")}
    for name, page in pages.items():
        for link in page.links:
            parts = urlsplit(link)
            assert not parts.scheme and not parts.netloc, f"{name}: {link} leaves the site"
            assert not link.startswith("/"), f"{name}: {link} is not relative"
            target = (out / name).parent / unquote(parts.path) if parts.path else out / name
            target = target.resolve()
            assert target.is_relative_to(out.resolve()) and target.is_file(), f"{name}: {link}"
            if parts.fragment:
                page_of = target.relative_to(out.resolve()).as_posix()
                assert parts.fragment in pages[page_of].ids, f"{name}: {link}: no such anchor"


def test_every_map_node_links_to_its_objective(okrs: Path, tmp_path: Path) -> None:
    files = build(okrs, tmp_path / "site")
    page = files["2026-Q3/map.html"].decode()
    svg = page[page.index("<svg") : page.index("</svg>")]
    nodes = re.findall(r'<a href="([^"]+)" class="node', svg)
    objectives = re.findall(
        r"^  - id: ([a-z0-9-]+)",
        "".join(
            (EXAMPLE / "2026-Q3" / name).read_text()
            for name in ("company.yaml", "hr-admin.yaml", "sales.yaml")
        ),
        re.M,
    )
    assert len(nodes) >= len(objectives)
    assert all(link.startswith("teams/") and "#o-" in link for link in nodes)


def test_user_text_is_shown_as_text(okrs: Path, tmp_path: Path) -> None:
    files = build(okrs, tmp_path / "site")
    for name, content in files.items():
        if not name.endswith(".html"):
            continue
        text = content.decode()
        assert "<script>alert" not in text and "<img src=x" not in text, name
        # The only script of any page is the site's own.
        assert re.findall(r"<script[^>]*>", text) == [
            '<script src="' + "../" * name.count("/") + 'assets/app.js" defer>'
        ], name
    team = files["2026-Q3/teams/sales.html"].decode()
    shown = "&lt;script&gt;alert(1)&lt;/script&gt; {q}&gt;&lt;img src=x onerror=alert(2)&gt;"
    assert shown.format(q="&quot;") in team or shown.format(q="&#34;") in team
    hr = files["2026-Q3/teams/hr-admin.html"].decode()
    assert "两位候选人接受了offer &lt;script&gt;alert(3)&lt;/script&gt;" in hr


def test_the_same_input_writes_the_same_bytes(okrs: Path, tmp_path: Path) -> None:
    first = build(okrs, tmp_path / "one")
    second = build(okrs, tmp_path / "two")
    assert first == second


def test_no_page_shows_where_the_files_live(okrs: Path, tmp_path: Path) -> None:
    files = build(okrs, tmp_path / "site")
    for name, content in files.items():
        text = content.decode()
        assert str(tmp_path) not in text and ".yaml" not in text, name


def test_a_revision_and_the_history_of_a_kr_are_on_its_team_page(
    okrs: Path, tmp_path: Path
) -> None:
    team = build(okrs, tmp_path / "site")["2026-Q3/teams/hr-admin.html"].decode()
    enps = team[team.index('id="kr-hr-admin--engagement--enps"') :]
    enps = enps[: enps.index("</article>")]
    assert "⚑ target revised" in enps and "7.8 → 7.6" in enps and "李雷" in enps
    assert 'class="revision"' in enps  # marked on the chart's time axis too
    assert '<td data-label="Old → new">7.8 → 7.6</td>' in enps  # a card's label on a phone
    offer = team[team.index('id="kr-hr-admin--talent--offer-rate"') :]
    assert "<polyline" in offer[: offer.index("</article>")]


def test_a_commit_is_credited_to_the_person_okr_yaml_maps_its_email_to(
    okrs: Path, tmp_path: Path
) -> None:
    """SPEC §18, as `okr people` and `okr log` have it: 王芳 commits as "Fang Wang" with the
    email okr.yaml lists for her (in other letter case)."""
    edit(okrs, "2026-Q3/hr-admin.yaml", "        current: 70\n", "        current: 71\n")
    when = "2026-08-10T09:00:00+08:00"  # before the as-of date
    env = {
        **os.environ,
        **{"GIT_AUTHOR_NAME": "Fang Wang", "GIT_AUTHOR_EMAIL": "Wang.Fang@ACME.example"},
        **{"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when},
    }
    git(okrs, "add", "-A")
    message = ["git", "commit", "-q", "-m", "Offers from the new channel"]
    subprocess.run(message, cwd=okrs, env=env, check=True)
    pages = build(okrs, tmp_path / "site")
    assert not any("fang-wang" in path for path in pages)
    assert "Fang Wang" not in pages["2026-Q3/people.html"].decode()
    hers = [
        page.decode()
        for path, page in pages.items()
        if path.startswith("2026-Q3/people/") and "<h1>王芳" in page.decode()
    ]
    assert len(hers) == 1 and "Offers from the new channel" in hers[0]
    assert '<td data-label="Note">Offers from the new channel</td>' in hers[0]


def test_a_rerun_replaces_its_own_pages_and_refuses_a_folder_of_other_files(
    okrs: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    build(okrs, out)
    (okrs / "2026-Q3" / "sales.yaml").unlink()
    git(okrs, "commit", "-qam", "sales leaves")
    files = build(okrs, out)
    assert "2026-Q3/teams/sales.html" not in files
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    result = run_okr("-C", str(okrs), "site", "-o", str(other))
    assert result.exit_code == 1
    assert "did not write" in result.stderr
    assert (other / "notes.txt").read_text() == "mine"


def test_a_page_that_cannot_be_written_is_one_line_and_no_link_is_followed(
    okrs: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    build(okrs, out)
    page = out / "2026-Q3" / "teams" / "sales.html"
    page.unlink()
    page.mkdir()  # a folder where the page goes
    result = run_okr("-C", str(okrs), "--as-of", "2026-08-15", "site", "-o", str(out))
    assert result.exit_code == 1
    assert result.stderr == f"okr: cannot write the site into {out}: Is a directory\n"
    page.rmdir()
    elsewhere = tmp_path / "elsewhere.html"
    page.symlink_to(elsewhere)  # a planted link is not followed
    result = run_okr("-C", str(okrs), "--as-of", "2026-08-15", "site", "-o", str(out))
    assert result.exit_code == 1
    assert "cannot write the site into" in result.stderr
    assert not elsewhere.exists()


def test_a_cycle_with_errors_is_refused(okrs: Path, tmp_path: Path) -> None:
    edit(okrs, "2026-Q3/sales.yaml", "name: Sales\n", "name: Sales\nnmae: x\n")
    result = run_okr("-C", str(okrs), "--as-of", "2026-08-15", "site", "-o", str(tmp_path / "s"))
    assert result.exit_code == 1
    assert "E003" in result.stderr
    assert not (tmp_path / "s").exists()


def test_all_cycles_adds_a_switcher(okrs: Path, tmp_path: Path) -> None:
    assert (okrs / "2026-Q2").is_dir()  # the example's closed quarter
    files = build(okrs, tmp_path / "site", "--all-cycles")
    assert "2026-Q2/index.html" in files
    board = files["index.html"].decode()
    assert 'href="2026-Q2/index.html"' in board and 'aria-current="page">2026-Q3' in board


def test_outside_git_the_site_says_there_is_no_history(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "acme")
    result = run_okr(
        "-C", str(tmp_path / "acme"), "--as-of", "2026-08-15", "site", "-o", str(tmp_path / "s")
    )
    assert result.exit_code == 0
    assert "no history" in result.stderr
    assert "not in a git repository" in (tmp_path / "s/2026-Q3/teams/sales.html").read_text()
