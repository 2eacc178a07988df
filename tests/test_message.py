"""The check-in commit message (okrcli/message.py): written and read back, text for text."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path
from typing import Any

from conftest import HR_KRS, git, run_okr
from hypothesis import given, settings
from hypothesis import strategies as st

from okrcli.core.numbers import format_number
from okrcli.history.message import CheckedIn, Message, clean_note, format_message, parse_message
from okrcli.services import checkin, transaction

# --- generated check-ins --------------------------------------------------------------------

IDS = st.from_regex(r"[a-z0-9][a-z0-9-]{0,12}", fullmatch=True)
CYCLES = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,10}", fullmatch=True)
NUMBERS = st.one_of(
    st.integers(-(10**12), 10**12), st.floats(allow_nan=False, allow_infinity=False)
).map(format_number)
VALUES = st.one_of(NUMBERS, st.sampled_from(["true", "false"]))
CONFIDENCES = st.one_of(st.none(), st.floats(0, 1).map(format_number))
SHOWN = st.one_of(NUMBERS, st.sampled_from(["done", "not done", "none"]))
# Any printable text, with line breaks, blank lines, spaces at line ends, and the characters
# that mean something in a message or a trailer.
NOTE_TEXT = st.lists(
    st.one_of(
        st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=8),
        st.sampled_from(["\n", "\n\n", "\n\n\n", " ", "\t", "\r\n", "#", ":", ": ", "关键岗位"]),
        st.sampled_from(["OKR-Check-In: 2026-Q3/a/b/c", "\n  indented", "x: y\n", "\n \n"]),
    ),
    max_size=12,
).map("".join)
NOTES = st.one_of(st.just(""), NOTE_TEXT.map(clean_note))


@st.composite
def changes(draw: st.DrawFn) -> str:
    """A change as checkin writes it: the value's, the confidence's, or both."""
    parts = []
    value = draw(st.booleans())
    if value:
        parts.append(f"{draw(SHOWN)} → {draw(SHOWN)}")
    if not value or draw(st.booleans()):
        parts.append(f"confidence {draw(SHOWN)} → {draw(SHOWN)}")
    return ", ".join(parts)


# NAME:KEY, as `okr sync` writes it (SPEC §19): KEY may hold spaces, colons and dots.
SOURCES = st.one_of(
    st.none(),
    st.tuples(
        st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_-]{0,8}", fullmatch=True),
        st.from_regex(r"[a-z0-9.:_-]([a-z0-9 .:_-]{0,10}[a-z0-9.:_-])?", fullmatch=True),
    ).map(":".join),
)


@st.composite
def checked_ins(draw: st.DrawFn) -> CheckedIn:
    address = "/".join(draw(st.lists(IDS, min_size=3, max_size=3)))
    source = draw(SOURCES)
    note = draw(NOTES) or (f"sync {source}" if source else "")
    return CheckedIn(
        draw(CYCLES),
        address,
        draw(changes()),
        draw(VALUES),
        draw(CONFIDENCES),
        note,
        source,
    )


CHECK_INS = st.lists(checked_ins(), min_size=1, max_size=4, unique_by=lambda kr: kr.address)


@settings(max_examples=200, deadline=None)
@given(krs=CHECK_INS)
def test_a_message_reads_back_as_written(krs: list[CheckedIn]) -> None:
    message = parse_message(format_message(krs))
    assert message.checked_in == tuple(krs)
    for kr in krs:
        assert message.note_for(kr.address) == kr.note


def stripspace(text: str) -> str:
    """git's cleanup of a commit message (what `git commit --cleanup=whitespace` keeps)."""
    done = subprocess.run(
        ["git", "stripspace"], input=text.encode(), capture_output=True, check=True
    )
    return done.stdout.decode()


@settings(max_examples=50, deadline=None)
@given(krs=CHECK_INS)
def test_git_keeps_every_byte_of_a_message(krs: list[CheckedIn]) -> None:
    message = format_message(krs)
    assert stripspace(message) == message


@settings(max_examples=50, deadline=None)
@given(text=NOTE_TEXT)
def test_a_clean_note_is_what_git_keeps_of_it(text: str) -> None:
    note = clean_note(text)
    assert clean_note(note) == note
    assert stripspace(note) == (note + "\n" if note else "")


# --- the format, as SPEC §8 and §12 pin it --------------------------------------------------


def test_one_kr_has_the_note_as_body_and_its_trailers_last() -> None:
    kr = CheckedIn("2026-Q3", "hr-admin/talent/offer-rate", "68 → 70", "70", "0.7", "a\n\nb")
    assert format_message([kr]) == (
        "checkin hr-admin/talent/offer-rate: 68 → 70\n\na\n\nb\n\n"
        "OKR-Check-In: 2026-Q3/hr-admin/talent/offer-rate\nOKR-Value: 70\n"
        "OKR-Confidence: 0.7\n"
    )


def test_several_krs_list_each_change_with_its_note_indented() -> None:
    krs = [
        CheckedIn("2026-Q3", "hr-admin/talent/offer-rate", "68 → 70", "70", None, "a\n\nb"),
        CheckedIn("2026-Q3", "sales/growth/pipeline", "1 → 2", "2", "0.5"),
    ]
    assert format_message(krs) == (
        "checkin 2 teams: 2 key results\n\n"
        "hr-admin/talent/offer-rate: 68 → 70\n  a\n\n  b\nsales/growth/pipeline: 1 → 2\n\n"
        "OKR-Check-In: 2026-Q3/hr-admin/talent/offer-rate\nOKR-Value: 70\n"
        "OKR-Check-In: 2026-Q3/sales/growth/pipeline\nOKR-Value: 2\nOKR-Confidence: 0.5\n"
    )


def test_a_sync_names_its_sources_and_each_kr_its_source() -> None:
    krs = [
        CheckedIn("2026-Q3", "hr-admin/talent/offer-rate", "68 → 70", "70", None, "", "hris:x"),
        CheckedIn("2026-Q3", "sales/growth/deals", "1 → 2", "2", None, "", "crm:a.b"),
        CheckedIn("2026-Q3", "hr-admin/talent/dashboard", "not done → done", "true", None, "",
                  "hris:dash board"),
    ]  # fmt: skip
    text = format_message(krs)
    assert text == (
        "sync: 3 key results from crm, hris\n\n"
        "hr-admin/talent/offer-rate: 68 → 70\nsales/growth/deals: 1 → 2\n"
        "hr-admin/talent/dashboard: not done → done\n\n"
        "OKR-Check-In: 2026-Q3/hr-admin/talent/offer-rate\nOKR-Value: 70\nOKR-Source: hris:x\n"
        "OKR-Check-In: 2026-Q3/sales/growth/deals\nOKR-Value: 2\nOKR-Source: crm:a.b\n"
        "OKR-Check-In: 2026-Q3/hr-admin/talent/dashboard\nOKR-Value: true\n"
        "OKR-Source: hris:dash board\n"
    )
    message = parse_message(text)
    assert [(kr.address, kr.source, kr.note) for kr in message.checked_in] == [
        ("hr-admin/talent/offer-rate", "hris:x", "sync hris:x"),
        ("sales/growth/deals", "crm:a.b", "sync crm:a.b"),
        ("hr-admin/talent/dashboard", "hris:dash board", "sync hris:dash board"),
    ]
    one = parse_message(format_message(krs[:1]))
    assert one.subject == "sync: 1 key result from hris"
    assert (one.checked_in[0].change, one.note_for("hr-admin/talent/offer-rate")) == (
        "68 → 70",
        "sync hris:x",
    )


def test_another_commit_has_its_subject_as_note() -> None:
    message = parse_message("Raise the\n target\n\nBecause.\n\nSigned-off-by: A <a@b.c>\n")
    assert message == Message("Raise the target", "Raise the target")
    assert message.note_for("hr-admin/talent/offer-rate") == "Raise the target"


def test_a_hand_written_body_listing_no_kr_is_the_note_of_each() -> None:
    message = parse_message(
        "checkin by hand\n\nboth moved\n\n"
        "okr-check-in: 2026-Q3/a/b/c\nOKR-Value: 1\nOKR-Check-In: 2026-Q3/a/b/d\nOKR-Value: 2\n"
    )
    assert [(kr.address, kr.value, kr.note) for kr in message.checked_in] == [
        ("a/b/c", "1", "both moved"),
        ("a/b/d", "2", "both moved"),
    ]
    assert message.note_for("a/b/e") == "both moved"


# --- through the real CLI and git -----------------------------------------------------------


def log_notes(repo: Path) -> dict[str, Any]:
    result = run_okr("-C", str(repo), "log", "--format", "json")
    assert result.exit_code == 0, result
    return {entry["address"]: entry["note"] for entry in json.loads(result.stdout)}


def test_a_multi_line_note_of_one_kr_comes_back_from_okr_log(example_repo: Path) -> None:
    note = "line one\n\nline three\n# 4: 关键岗位"
    result = run_okr("-C", str(example_repo), "checkin", "offer-rate", "70", "-m", note)
    assert result.exit_code == 0, result
    assert log_notes(example_repo) == {"hr-admin/talent/offer-rate": note}


def test_notes_of_a_walk_come_back_from_okr_log(example_repo: Path) -> None:
    given = {
        "offer-rate": ("70", "", "# 12 accepted: 关键岗位"),
        "enps": ("", "0.5", "OKR-Value: 9"),
        "dashboard": ("done", "", ""),
    }
    lines = [line for kr in HR_KRS for line in given.get(kr, ("", "", ""))] + [""]
    result = run_okr(
        "-C", str(example_repo), "checkin", "-i", "hr-admin", input="\n".join(lines) + "\n"
    )
    assert result.exit_code == 0, result
    assert log_notes(example_repo) == {
        "hr-admin/talent/offer-rate": "# 12 accepted: 关键岗位",
        "hr-admin/engagement/enps": "OKR-Value: 9",
        "hr-admin/talent/dashboard": "",
    }


def test_a_blank_line_in_the_note_of_one_of_several_krs_survives(example_repo: Path) -> None:
    # `okr checkin -i` reads a note as one line, so the check-in service writes this one.
    scope = transaction.open_scope(example_repo, "2026-Q3", dt.date(2026, 7, 15), None, True)
    wanted = [
        checkin.Wanted("offer-rate", "70", note="line one\n\nline three"),
        checkin.Wanted("onboarding-days", "8", note="  kept  \n   \n\n\n  indented\n"),
    ]
    outcome = checkin.check_in(scope, wanted)
    assert outcome.commit is not None
    assert git(example_repo, "log", "-1", "--format=%s").strip() == (
        "checkin hr-admin: 2 key results"
    )
    assert log_notes(example_repo) == {
        "hr-admin/talent/offer-rate": "line one\n\nline three",
        "hr-admin/talent/onboarding-days": "kept\n\n  indented",
    }
