"""User text in every markdown output (PR comments, pasted retros and reviews) is only text:
rendered as a pull request renders it, a title, note or name makes no tag, link, image,
emphasis, code span, entity or table cell of its own."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from conftest import commit, edit, imported_example, markdown_html, run_okr

KR_TITLE = "关键岗位Offer接受率从60%提升至75%以上"
# Every construct markdown would act on, between plain words.
LOUD = "a <img src=x onerror=alert(1)> *b* _c_ [d](https://e.example) ~~f~~ &copy; g|h `i` \\j"
# git drops < and > from an author's name: the name has the rest.
LOUD_NAME = "[Ann](https://e.example) *b* &copy; g|h `i`"
CONSTRUCTS = ("<img", "<a ", "<del>", "<code>i", "©")  # emphasis: the exact text says


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
    assert html.escape(written, quote=False) in shown, shown
    for construct in CONSTRUCTS:
        assert construct not in shown, (construct, shown)
