"""How to fix a YAML syntax error: the parser's complaint turned into a hint, shown where the
fix goes (an unclosed quote where it opens, a full-width colon where it was typed)."""

from __future__ import annotations

import re
from typing import Any

from okrcli.files.yamlsource import YamlProblem

# How to fix what the parser says most often, by the start of its message, and whether the
# place to show is where the parser's context began (the key, the bracket) rather than where
# it gave up.
_SYNTAX_HINTS = (
    (
        "mapping values are not allowed",
        "a ':' where no key can start; indent the line like the keys above it, or put a "
        "value that contains ': ' in quotes",
        False,
    ),
    (
        "expected <block end>",
        "the line is indented unlike the entries beside it; line it up",
        False,
    ),
    ("expected ',' or ']'", "this [ … ] list is not closed; add the ']'", True),
    ("expected ',' or '}'", "this { … } mapping is not closed; add the '}'", True),
    ("could not find expected ':'", "a key needs ':' and a space after it", True),
    ("expected the node content", "a value was due here; close any open '[' or '{'", False),
    (
        "found unknown escape character",
        "in double quotes a backslash starts an escape; write \\\\ for one, or use single quotes",
        False,
    ),
)


def syntax_problem(exc: Any, text: str, line: int, col: int) -> YamlProblem:
    """The parser's complaint with a way to fix it, where the fix goes. An unclosed quote is
    shown where it opens: the parser only notices at the end of the file, or (when a later
    quote closes it) somewhere after, in a line that is fine."""
    context, start, problem = exc.context or "", exc.context_mark, exc.problem or ""
    unclosed = "end of stream" in problem or "document separator" in problem
    if "quoted scalar" in context and unclosed and start is not None:
        return YamlProblem(
            "E001",
            start.line + 1,
            start.column + 1,
            "a quoted value is never closed; add the closing quote on its line",
        )
    opened = _quote_left_open(text, line)
    if opened is not None:
        return YamlProblem(
            "E001",
            *opened,
            "a quoted value is not closed on its line, so it runs on into the lines below; "
            "add the closing quote",
        )
    problem = problem or context or "syntax error"
    if problem.startswith("expected <block end>, but found '<scalar>'"):
        return YamlProblem("E001", line, col, _text_after_value(text, line, col))
    for opening, hint, at_context in _SYNTAX_HINTS:
        if problem.startswith(opening):
            if at_context and start is not None:
                line, col = start.line + 1, start.column + 1
            return YamlProblem("E001", line, col, f"not valid YAML ({problem}); {hint}")
    return YamlProblem(
        "E001", line, col, f"not valid YAML ({problem}); check the indentation and quoting here"
    )


def _text_after_value(text: str, line: int, col: int) -> str:
    lines = text.splitlines()
    before = lines[line - 1][: col - 1].rstrip() if line <= len(lines) else ""
    if before.endswith("'"):
        return (
            "text after a closing single quote; inside single quotes write '' for an "
            "apostrophe (it's → it''s), or use double quotes"
        )
    if before.endswith('"'):
        return "text after a closing double quote; put the whole value inside the quotes"
    return "text after a complete value; put the whole value in quotes"


# A value that opens a quote: `key: "…` or `- '…` (group 1: the line's indentation).
_OPENING_QUOTE = re.compile(r"""^([ ]*)(?:- |[A-Za-z0-9_-]+:[ ]+)(["'])""")
_CLOSING = {'"': re.compile(r'(?<!\\)(?:\\\\)*"'), "'": re.compile(r"'(?!')")}
_KEY_LINE = re.compile(r"^([ ]*)(?:- )?[A-Za-z0-9_-]+:(?:[ ]|$)")
_BLOCK_SCALAR = re.compile(r"^([ ]*)(?:- )?(?:[A-Za-z0-9_-]+:[ ]+)?[|>][-+0-9]*[ ]*(?:#.*)?$")


def _quote_left_open(text: str, error_line: int) -> tuple[int, int] | None:
    """(line, col) of a quote above the error that its line does not close and whose value
    then swallowed a line shaped like a key at the same or a shallower indentation.

    A quoted value may span lines in YAML; one that runs over the next key is a missing
    quote that some later quote closed, far from where the parser complains.
    """
    lines = text.splitlines()
    end = min(error_line, len(lines))
    block_indent: int | None = None  # inside a `|` or `>` block: its key's indentation
    for number in range(1, end):
        line = lines[number - 1]
        indent = len(line) - len(line.lstrip(" "))
        if block_indent is not None:
            if not line.strip() or indent > block_indent:
                continue
            block_indent = None
        block = _BLOCK_SCALAR.match(line)
        if block:
            block_indent = len(block.group(1))
            continue
        opening = _OPENING_QUOTE.match(line)
        if opening is None:
            continue
        quote = opening.group(2)
        rest = line[opening.end() :]
        if quote == "'":
            rest = rest.replace("''", "")
        if _CLOSING[quote].search(rest):
            continue
        own_indent = len(opening.group(1))
        for later in lines[number:end]:
            key = _KEY_LINE.match(later)
            if key and len(key.group(1)) <= own_indent:
                return number, opening.start(2) + 1  # swallowed a key while open
            if _CLOSING[quote].search(later.replace("''", "") if quote == "'" else later):
                break  # a value on several lines, closed before any key: fine
    return None


# `key:value`; not a URL (`https://…`) nor a time (`10:30`): keys start with a letter.
_NO_SPACE_AFTER_COLON = re.compile(r"^[ ]*(?:- )?([A-Za-z_][A-Za-z0-9_-]*):(?=[^\s/])")
# A key typed with an IME's colon; keys are ASCII, so '：' inside text never matches.
_FULL_WIDTH_COLON = re.compile(r"^[ ]*(?:- )?[A-Za-z0-9_-]+[ ]*(：)")


def common_slip(text: str, error_line: int) -> YamlProblem | None:
    """The likely typo behind a syntax error: parsers report it where they gave up, often
    a line or two later (past blank lines and comments). A full-width colon (an IME slip)
    or `key:value` without a space."""
    lines = text.splitlines()
    for number in _lines_up_to(lines, error_line):
        line = lines[number - 1]
        full_width = _FULL_WIDTH_COLON.match(line)
        if full_width:
            return YamlProblem(
                "E001",
                number,
                full_width.start(1) + 1,
                "full-width colon '：' where YAML needs ':' and a space; type an ASCII colon",
            )
        no_space = _NO_SPACE_AFTER_COLON.match(line)
        if no_space:
            key = no_space.group(1)
            return YamlProblem(
                "E001",
                number,
                no_space.end(),
                f"no space after the colon in '{key}:'; write '{key}: value'",
            )
    return None


def _lines_up_to(lines: list[str], error_line: int, before: int = 2) -> list[int]:
    """The error's line and the `before` lines with content above it, top down."""
    found = [error_line] if 0 < error_line <= len(lines) else []
    wanted = len(found) + before
    number = min(error_line, len(lines) + 1) - 1
    while number >= 1 and len(found) < wanted:
        stripped = lines[number - 1].strip()
        if stripped and not stripped.startswith("#"):
            found.append(number)
        number -= 1
    return sorted(found)
