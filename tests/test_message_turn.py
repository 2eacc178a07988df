"""The close and revision commit messages (SPEC §14, §17), written and read back."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from test_message import CYCLES, IDS, NOTE_TEXT

from okrcli.history.message import (
    ClosedTeam,
    Revised,
    clean_note,
    format_close,
    format_revision,
    parse_message,
)


def test_a_close_names_each_team_and_its_score() -> None:
    message = format_close(
        "2026-Q3",
        [ClosedTeam("2026-Q3", "hr-admin", "0.44"), ClosedTeam("2026-Q3", "sales", "0.51")],
        "hr-admin: closed 2026-10-08",
    )
    assert message == (
        "close 2026-Q3: hr-admin 0.44, sales 0.51\n\n"
        "hr-admin: closed 2026-10-08\n\n"
        "OKR-Close: 2026-Q3/hr-admin\nOKR-Score: 0.44\n"
        "OKR-Close: 2026-Q3/sales\nOKR-Score: 0.51\n"
    )
    # Not a check-in: a hand edit of a value in that commit would be noted by its subject.
    parsed = parse_message(message)
    assert parsed.checked_in == () and parsed.note == "close 2026-Q3: hr-admin 0.44, sales 0.51"


def test_a_revision_has_its_reason_as_body_and_note() -> None:
    revised = Revised(
        "2026-Q3",
        "hr-admin/engagement/enps",
        "target 7.8 → 7.6, baseline 7 → 7.1",
        "the survey moved\n\nto a new scale",
        "7.6",
        "7.1",
    )
    message = format_revision(revised)
    assert message == (
        "revise hr-admin/engagement/enps: target 7.8 → 7.6, baseline 7 → 7.1\n\n"
        "the survey moved\n\nto a new scale\n\n"
        "OKR-Revision: 2026-Q3/hr-admin/engagement/enps\nOKR-Target: 7.6\nOKR-Baseline: 7.1\n"
    )
    parsed = parse_message(message)
    assert parsed.note_for("hr-admin/engagement/enps") == "the survey moved\n\nto a new scale"
    assert parsed.checked_in == ()


def test_a_hand_written_message_with_other_trailers_keeps_its_subject_as_note() -> None:
    message = "Raise the bar\n\nwhy not\n\nSigned-off-by: A <a@example.com>\n"
    assert parse_message(message).note == "Raise the bar"
    revision_mentioned = "Raise the bar\n\nOKR-Revision: maybe\nnot a trailer line\n"
    assert parse_message(revision_mentioned).note == "Raise the bar"


@given(cycle=CYCLES, address=st.lists(IDS, min_size=3, max_size=3).map("/".join), reason=NOTE_TEXT)
def test_any_revision_reason_reads_back_as_its_note(cycle: str, address: str, reason: str) -> None:
    note = clean_note(reason)
    if not note:
        return  # revise refuses a blank reason
    message = format_revision(Revised(cycle, address, "target 1 → 2", note, "2"))
    assert parse_message(message).note_for(address) == note
