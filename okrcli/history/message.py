"""The check-in commit message (SPEC §8, §12), written and read back: text only, no git.

checkin writes a message with `format_message`; history reads every commit's message with
`parse_message`, hand-written ones included. A check-in of one KR:

    checkin hr-admin/talent/offer-rate: 68 → 70, confidence 0.7 → 0.8

    two offers accepted

    OKR-Check-In: 2026-Q3/hr-admin/talent/offer-rate
    OKR-Value: 70
    OKR-Confidence: 0.8

A check-in of several KRs lists each one in the body as `ADDRESS: change`, with its note
below it indented by two spaces (an empty line of a note stays empty, as git would keep
it). The final paragraph holds the trailers, one OKR-Check-In group per KR.

`okr sync` (SPEC §19) writes the same, with a subject naming its sources and an
OKR-Source line in each KR's group; such a KR's note is `sync NAME:KEY`:

    sync: 2 key results from hris

    hr-admin/talent/offer-rate: 68 → 70
    hr-admin/engagement/attrition: 7.6 → 7.2

    OKR-Check-In: 2026-Q3/hr-admin/talent/offer-rate
    OKR-Value: 70
    OKR-Source: hris:offer-rate
    OKR-Check-In: 2026-Q3/hr-admin/engagement/attrition
    OKR-Value: 7.2
    OKR-Source: hris:attrition

The cycle's close (SPEC §14) and a revision of a KR's goalposts (§17) are written here too:

    close 2026-Q3: hr-admin 0.44, sales 0.51

    OKR-Close: 2026-Q3/hr-admin
    OKR-Score: 0.44
    OKR-Close: 2026-Q3/sales
    OKR-Score: 0.51

    revise hr-admin/engagement/enps: target 7.8 → 7.6

    the survey changed its scale

    OKR-Revision: 2026-Q3/hr-admin/engagement/enps
    OKR-Target: 7.6

A revision's note (what `okr log` shows beside its new target or baseline) is its reason.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

CHECKIN_KEY = "OKR-Check-In"
VALUE_KEY = "OKR-Value"
CONFIDENCE_KEY = "OKR-Confidence"
CLOSE_KEY = "OKR-Close"
SCORE_KEY = "OKR-Score"
REVISION_KEY = "OKR-Revision"
TARGET_KEY = "OKR-Target"
BASELINE_KEY = "OKR-Baseline"
SOURCE_KEY = "OKR-Source"
NOTE_INDENT = "  "

_TRAILER_LINE = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*:[ \t]")
# What git's message cleanup removes at the end of each line (not \v, \f or Unicode spaces).
_GIT_TRAILING_SPACE = " \t\r"


@dataclass(frozen=True, slots=True)
class CheckedIn:
    """One KR of a check-in, as its commit message tells it."""

    cycle: str
    address: str  # TEAM/OBJECTIVE/KR within the cycle
    change: str  # for people, on one line: `68 → 70, confidence 0.7 → 0.8`
    value: str  # the new value as the file has it: `70`, `true`
    confidence: str | None = None  # only when the check-in gave one
    note: str = ""  # as clean_note leaves it
    source: str | None = None  # NAME:KEY, when `okr sync` read the value there; then the
    # note is never empty: it is sync_note(source) unless said otherwise


@dataclass(frozen=True, slots=True)
class Message:
    subject: str
    # For a KR the commit changed without naming it: the check-in's note, else the subject.
    note: str
    checked_in: tuple[CheckedIn, ...] = ()  # empty for a commit that is not a check-in

    def note_for(self, address: str) -> str:
        for kr in self.checked_in:
            if kr.address == address:
                return kr.note
        return self.note


def clean_note(text: str) -> str:
    """A note as git keeps it in a commit message: without space at either end or at the
    end of a line, and with no two empty lines in a row. Reading the commit back gives
    exactly this text."""
    lines = [line.rstrip(_GIT_TRAILING_SPACE) for line in text.strip().split("\n")]
    return "\n".join(
        line for number, line in enumerate(lines) if line or (number and lines[number - 1])
    )


# --- writing --------------------------------------------------------------------------------


def format_message(checked_in: Sequence[CheckedIn]) -> str:
    """Subject naming the KR and the change, the note as body, trailers last; for several
    KRs, each one's change and note in the body (notes must be as clean_note leaves them).
    KRs that all have a source are a sync: the subject names the sources."""
    if checked_in and all(kr.source for kr in checked_in):
        names = sorted({str(kr.source).split(":", 1)[0] for kr in checked_in})
        count = f"{len(checked_in)} key result{'s' if len(checked_in) > 1 else ''}"
        subject = f"sync: {count} from {', '.join(names)}"
        body = ["\n".join(_listed(kr) for kr in checked_in)]
    elif len(checked_in) == 1:
        kr = checked_in[0]
        subject = f"checkin {kr.address}: {kr.change}"
        body = [kr.note] if kr.note else []
    else:
        teams = sorted({kr.address.split("/", 1)[0] for kr in checked_in})
        where = teams[0] if len(teams) == 1 else f"{len(teams)} teams"
        subject = f"checkin {where}: {len(checked_in)} key results"
        body = ["\n".join(_listed(kr) for kr in checked_in)]
    trailers = [line for kr in checked_in for line in _trailers(kr)]
    return "\n\n".join([subject, *body, "\n".join(trailers)]) + "\n"


def _listed(kr: CheckedIn) -> str:
    lines = [f"{kr.address}: {kr.change}"]
    if kr.note and kr.note != sync_note(kr.source):
        lines += [NOTE_INDENT + line if line else "" for line in kr.note.split("\n")]
    return "\n".join(lines)


def sync_note(source: str | None) -> str | None:
    """The note of a value `okr sync` wrote (SPEC §19): read from its OKR-Source trailer, so
    the body need not repeat it."""
    return None if source is None else f"sync {source}"


def _trailers(kr: CheckedIn) -> list[str]:
    lines = [f"{CHECKIN_KEY}: {kr.cycle}/{kr.address}", f"{VALUE_KEY}: {kr.value}"]
    if kr.confidence is not None:
        lines.append(f"{CONFIDENCE_KEY}: {kr.confidence}")
    if kr.source is not None:
        lines.append(f"{SOURCE_KEY}: {kr.source}")
    return lines


@dataclass(frozen=True, slots=True)
class ClosedTeam:
    """One team of a close, as its commit message tells it."""

    cycle: str
    team: str
    score: str  # two decimals: `0.44`


def format_close(cycle: str, closed: Sequence[ClosedTeam], body: str = "") -> str:
    """`close 2026-Q3: hr-admin 0.44, sales 0.51`, the body, and an OKR-Close/OKR-Score
    pair per team."""
    subject = f"close {cycle}: " + ", ".join(f"{team.team} {team.score}" for team in closed)
    trailers = [
        line
        for team in closed
        for line in (f"{CLOSE_KEY}: {team.cycle}/{team.team}", f"{SCORE_KEY}: {team.score}")
    ]
    return "\n\n".join([subject, *([body] if body else []), "\n".join(trailers)]) + "\n"


@dataclass(frozen=True, slots=True)
class Revised:
    """A revision of one KR's target and/or baseline."""

    cycle: str
    address: str  # TEAM/OBJECTIVE/KR within the cycle
    change: str  # `target 7.8 → 7.6`
    reason: str  # as clean_note leaves it (not empty)
    target: str | None = None  # the new values as the file has them
    baseline: str | None = None


def format_revision(revised: Revised) -> str:
    trailers = [f"{REVISION_KEY}: {revised.cycle}/{revised.address}"]
    if revised.target is not None:
        trailers.append(f"{TARGET_KEY}: {revised.target}")
    if revised.baseline is not None:
        trailers.append(f"{BASELINE_KEY}: {revised.baseline}")
    subject = f"revise {revised.address}: {revised.change}"
    return "\n\n".join([subject, revised.reason, "\n".join(trailers)]) + "\n"


# --- reading --------------------------------------------------------------------------------


def parse_message(text: str) -> Message:
    """The subject, note(s) and check-ins of a commit message.

    A check-in carries OKR-Check-In in its final paragraph of git trailers; its note is the
    body before that paragraph. Any other commit's note is its subject.
    """
    paragraphs = _paragraphs(text)
    if not paragraphs:
        return Message("", "")
    subject = " ".join(line.strip() for line in paragraphs[0].split("\n"))
    body = paragraphs[1:]
    checked_in = _trailer_groups(body[-1]) if body else []
    if not checked_in:
        if body and _names(body[-1], REVISION_KEY):
            # A revision: its reason is the note of the target and baseline it moved.
            return Message(subject, "\n\n".join(body[:-1]).strip() or subject)
        return Message(subject, subject)
    note = "\n\n".join(body[:-1]).strip()
    if len(checked_in) == 1 and checked_in[0].source is None:
        return _one_kr(subject, note, checked_in[0])
    return _several_krs(subject, note, checked_in)


def _one_kr(subject: str, note: str, kr: CheckedIn) -> Message:
    named = f"checkin {kr.address}: "
    change = subject[len(named) :] if subject.startswith(named) else ""
    return Message(subject, note, (replace(kr, change=change, note=note),))


def _several_krs(subject: str, body: str, checked_in: list[CheckedIn]) -> Message:
    listed = _listed_krs(body, {kr.address for kr in checked_in})
    # A body that lists none of the KRs (a hand-written one) is the note of each of them.
    other_note = "" if listed else body
    found = []
    for kr in checked_in:
        change, note = listed.get(kr.address, (kr.change, other_note))
        note = note or sync_note(kr.source) or ""
        found.append(replace(kr, change=change, note=note))
    return Message(subject, other_note, tuple(found))


def _paragraphs(text: str) -> list[str]:
    """The message's paragraphs: runs of lines that are not empty (nor only spaces)."""
    paragraphs: list[list[str]] = [[]]
    for line in text.strip().split("\n"):
        if line.strip(_GIT_TRAILING_SPACE):
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            paragraphs.append([])
    return ["\n".join(lines) for lines in paragraphs if lines]


def _trailer_groups(paragraph: str) -> list[CheckedIn]:
    """One CheckedIn (no change or note yet) per OKR-Check-In line of a trailer paragraph,
    with the OKR-Value, OKR-Confidence and OKR-Source after it; [] when the paragraph is not
    all trailers or names no check-in."""
    found: list[CheckedIn] = []
    for line in paragraph.split("\n"):
        if line[:1] in (" ", "\t"):
            continue  # a folded trailer value
        if not _TRAILER_LINE.match(line):
            return []
        key, _, value = line.partition(":")
        key, value = key.lower(), value.strip()
        if key == CHECKIN_KEY.lower():
            cycle, address = value.split("/", 1) if "/" in value else ("", value)
            found.append(CheckedIn(cycle, address, "", ""))
        elif key == VALUE_KEY.lower() and found:
            found[-1] = replace(found[-1], value=value)
        elif key == CONFIDENCE_KEY.lower() and found:
            found[-1] = replace(found[-1], confidence=value)
        elif key == SOURCE_KEY.lower() and found:
            found[-1] = replace(found[-1], source=value)
    return found


def _names(paragraph: str, key: str) -> bool:
    """A paragraph of git trailers, one of them `key`."""
    lines = [line for line in paragraph.split("\n") if line[:1] not in (" ", "\t")]
    return all(_TRAILER_LINE.match(line) for line in lines) and any(
        line.partition(":")[0].lower() == key.lower() for line in lines
    )


def _listed_krs(body: str, addresses: set[str]) -> dict[str, tuple[str, str]]:
    """(change, note) of each KR the body lists as `ADDRESS: change`, its note below."""
    changes: dict[str, str] = {}
    notes: dict[str, list[str]] = {}
    lines: list[str] | None = None
    for line in body.split("\n"):
        head, _, change = line.partition(": ")
        if not line.startswith(" ") and head in addresses:
            changes.setdefault(head, change)
            lines = notes.setdefault(head, [])
        elif lines is not None and (line.startswith(NOTE_INDENT) or not line):
            lines.append(line[len(NOTE_INDENT) :])
    # An empty line is part of a note only between two of its lines.
    return {
        address: (changes[address], "\n".join(notes[address]).strip("\n")) for address in changes
    }
