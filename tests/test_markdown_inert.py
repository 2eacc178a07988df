"""User text in every markdown output (PR comments, pasted retros and reviews) is only text:
rendered as a pull request renders it, a title, note or name makes no tag, link, image,
emphasis, code span, entity or table cell of its own."""

from __future__ import annotations

import html
import html.parser
import re
from pathlib import Path

import pytest
from conftest import commit, edit, imported_example, markdown_html, run_okr
from hypothesis import given
from hypothesis import strategies as st

from okrcli.render.tables import markdown_cell, markdown_line

KR_TITLE = "关键岗位Offer接受率从60%提升至75%以上"
# Every construct markdown would act on, between plain words.
LOUD = "a <img src=x onerror=alert(1)> *b* _c_ [d](https://e.example) ~~f~~ &copy; g|h `i` \\j"
# git drops < and > from an author's name: the name has the rest.
LOUD_NAME = "[Ann](https://e.example) *b* &copy; g|h `i`"
# Emphasis would change the text itself, which the test compares whole.
CONSTRUCTS = ("<img", "<del>", "<code>i", "©")
LINK = re.compile(r'<a href="([^"]*)">(.*?)</a>')


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = imported_example(tmp_path_factory.mktemp("md"))
    edit(root, "2026-Q3/hr-admin.yaml", f"title: {KR_TITLE}", f"title: '{LOUD}'")
    edit(root, "2026-Q3/hr-admin.yaml", "current: 68\n", "current: 70\n")
    commit(root, f"Check in offer-rate\n\n{LOUD}", "2026-07-10T09:00:00+00:00", author=LOUD_NAME)
    return root


@pytest.mark.parametrize(
    ("args", "written"),
    [
        (("scorecard",), LOUD),
        (("log",), LOUD_NAME),
        (("diff", "HEAD~1", "HEAD"), LOUD),
        (("retro",), LOUD),
        (("people",), LOUD_NAME),
        (("digest", "--days", "30"), LOUD_NAME),
        (("person", LOUD_NAME), LOUD_NAME),
    ],
    ids=["scorecard", "log", "diff", "retro", "people", "digest", "person"],
)
def test_user_text_in_markdown_is_shown_as_written(
    repo: Path, args: tuple[str, ...], written: str
) -> None:
    as_of = ("--as-of", "2026-07-20")
    result = run_okr("-C", str(repo), "--cycle", "2026-Q3", *as_of, *args, "--format", "markdown")
    assert result.exit_code == 0, result
    shown = markdown_html(result.stdout)
    assert written in text_of(shown), shown
    for construct in CONSTRUCTS:
        assert construct not in shown, (construct, shown)
    # The only links are the URLs written in the text, each linked to itself (GitHub's own).
    assert all(href == text for href, text in LINK.findall(shown)), shown


def text_of(page: str) -> str:
    """What a reader sees of an HTML fragment: its text, without the tags."""
    parser = _Text()
    parser.feed(page)
    return "".join(parser.parts)


class _Text(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


URL = "https://jira.example/browse/HR_12?a=1&b=2"


@pytest.fixture(scope="module")
def marked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Text that starts a line with a block marker, a URL in a note, a ref with a tilde."""
    root = imported_example(tmp_path_factory.mktemp("lines"))
    edit(root, "2026-Q3/hr-admin.yaml", "owner: 韩梅梅", "owner: 1986. Ann")
    retro = "retro: |\n  1) first\n  # second\n  - third\n  1986. fourth\n  === fifth\n"
    edit(root, "2026-Q3/hr-admin.yaml", "name: 行政人事部\n", f"name: 行政人事部\n{retro}")
    commit(root, "Owners and a retro", "2026-07-05T09:00:00+00:00")
    checked = run_okr(
        "-C", str(root), "--as-of", "2026-07-10", "checkin", "offer-rate", "70", "-m", f"see {URL}"
    )
    assert checked.exit_code == 0, checked
    return root


def markdown_of(root: Path, *args: str) -> str:
    where = ("-C", str(root), "--cycle", "2026-Q3", "--as-of", "2026-07-20")
    result = run_okr(*where, *args, "--format", "markdown")
    assert result.exit_code == 0, result
    return markdown_html(result.stdout)


def test_text_that_starts_a_line_makes_no_heading_list_or_underline(marked: Path) -> None:
    digest = markdown_of(marked, "digest", "--days", "30")
    assert "<li>1986. Ann</li>" in digest and "<ol" not in digest
    retro = markdown_of(marked, "retro")
    for line in ("1) first", "# second", "- third", "1986. fourth", "=== fifth"):
        assert line in text_of(retro), retro
    assert "<ol" not in retro and "<h1>second" not in retro and "<li>third" not in retro


def test_a_url_in_a_note_is_linked_as_written(marked: Path) -> None:
    log = markdown_of(marked, "log")
    assert f'<a href="{html.escape(URL)}">{html.escape(URL, quote=False)}</a>' in log, log


def test_a_revision_is_a_code_span_shown_as_typed(marked: Path) -> None:
    diff = markdown_of(marked, "diff", "HEAD~1", "HEAD")
    assert "<code>HEAD~1</code> → <code>HEAD</code>" in diff, diff


# Letters, digits, the space and every character markdown may act on; URLs are left out
# (GitHub links them, as test_a_url_in_a_note_is_linked_as_written shows).
MARKDOWN_TEXT = st.text(alphabet="ab1 *_[]()<>|`~&\\#@!-+=.:;/\"'{}", min_size=1, max_size=30)
# The zero-width space okr puts after a mention's or an issue reference's sign.
ZWSP = "\u200b"


@given(MARKDOWN_TEXT)
def test_any_text_in_a_table_cell_shows_as_written(text: str) -> None:
    table = markdown_html(f"| head |\n|---|\n| {markdown_cell(text)} |\n")
    cell = table.split("<td>", 1)[1].split("</td>", 1)[0] if "<td>" in table else ""
    assert "<" not in cell.replace("&lt;", "")  # no tag of its own
    assert html.unescape(cell).replace(ZWSP, "") == text.strip()


@given(MARKDOWN_TEXT.filter(str.strip))  # a blank line is no line of text
def test_any_text_that_starts_a_line_shows_as_written(text: str) -> None:
    shown = markdown_html(f"- {markdown_line(text)}\n\n{markdown_line(text)}\n")
    assert shown.count("<li>") == 1 and shown.count("<p>") == 1, shown
    inner = re.findall(r"<(?:li|p)>(.*?)</(?:li|p)>", shown, re.DOTALL)
    assert [html.unescape(item).replace(ZWSP, "") for item in inner] == [text.strip()] * 2, shown


def test_a_mention_or_an_issue_reference_in_user_text_notifies_no_one() -> None:
    """GitHub links `@name`, `@org/team` and `#12` in a comment's text (a notification, a
    reference on that issue): a zero-width space after the sign keeps them text, which
    reads the same; an email address stays one."""
    text = "ping @everyone, @acme/hr-team and #12 (see acme/okr#7); mail a.b@acme.example"
    cell = markdown_cell(text)
    for sign in ("@everyone", "@acme", "#12", "#7"):
        assert f"{sign[0]}{ZWSP}{sign[1:]}" in cell, cell
    shown = markdown_html(f"{markdown_line(text)}\n")
    assert html.unescape(re.sub("<[^>]+>", "", shown)).replace(ZWSP, "").strip() == text
    assert '<a href="mailto:a.b@acme.example">a.b@acme.example</a>' in shown, shown
    # GitHub's rule is ASCII: after punctuation or CJK text an `@` still mentions.
    for loud in ("see -@bob", "a.@bob", "+@team", "王芳@bob"):
        assert f"@{ZWSP}" in markdown_cell(loud), loud
    assert ZWSP not in markdown_cell("x@y")  # no mention after a letter (nor an email)
