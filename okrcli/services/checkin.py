"""The check-in service (SPEC §8): resolve the KR, parse the value, splice it, prove it.

A check-in either lands whole (the file and its commit) or changes nothing: everything
that can be refused is refused before the first byte is written, and the writing and
committing follow `transaction`'s rules.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from okrcli.core import text
from okrcli.core.address import Target
from okrcli.core.errors import Diagnostic, InvalidFilesError, OkrError
from okrcli.core.model import KeyResult, Objective, Team
from okrcli.core.numbers import MAX_NUMBER_TEXT, format_number, over_the_limit, parse_number
from okrcli.core.scoring import kr_progress
from okrcli.core.text import inert
from okrcli.files import cache, loader, writer
from okrcli.files.loader import CycleData
from okrcli.files.positions import PositionsCache
from okrcli.history.message import CheckedIn, clean_note, format_message, sync_note
from okrcli.services import transaction

# A sync's share of the files for the forked child: this process checks the files with git
# and writes the commit message meanwhile (see write_updates).
_CHILD_SHARE = 0.6
DONE_WORDS = frozenset(("done", "true", "yes"))
NOT_DONE_WORDS = frozenset(("not-done", "false", "no"))


@dataclass(frozen=True, slots=True)
class Wanted:
    """What the user asked for one KR, as typed; None keeps what is there."""

    address: str
    value: str | None
    confidence: str | None = None
    note: str | None = None
    # (value, confidence) as the user saw them before answering, when okr showed them: a
    # check-in from elsewhere in the meantime must not be overwritten unseen.
    seen: tuple[object, object] | None = None


@dataclass(frozen=True, slots=True)
class Update:
    """One KR before and after a check-in."""

    cycle: str
    team: Team
    objective: Objective
    before: KeyResult
    after: KeyResult
    note: str | None = None
    confidence_given: bool = False  # typed by the user (then it is a trailer, changed or not)

    @property
    def address(self) -> str:
        return f"{self.team.id}/{self.objective.id}/{self.before.id}"

    @property
    def value_changed(self) -> bool:
        return self.before.value != self.after.value

    @property
    def confidence_changed(self) -> bool:
        return self.before.confidence != self.after.confidence

    @property
    def changed(self) -> bool:
        return self.value_changed or self.confidence_changed

    def edits(self) -> list[writer.Change]:
        found = []
        if self.value_changed:
            field: writer.Field = "done" if self.after.is_milestone else "current"
            value = self.after.value
            assert value is not None
            found.append(writer.Change(self.objective.id, self.before.id, field, value))
        if self.confidence_changed and self.after.confidence is not None:
            confidence = self.after.confidence
            found.append(writer.Change(self.objective.id, self.before.id, "confidence", confidence))
        return found


@dataclass(frozen=True, slots=True)
class Outcome:
    updates: list[Update]  # every KR asked about, changed or not
    commit: str | None  # the short id of the new commit; None when nothing was committed
    written: bool
    warnings: list[Diagnostic]


# --- values ---------------------------------------------------------------------------------


def parse_value(text: str, kr: KeyResult, address: str) -> int | float | bool:
    """VALUE for this KR: a number, or done/not-done for a milestone; else a clear error."""
    if kr.is_milestone:
        word = text.strip().lower()
        if word in DONE_WORDS:
            return True
        if word in NOT_DONE_WORDS:
            return False
        raise OkrError(
            f"'{text}' is not a value for {address}, a milestone; "
            "give done (or true, yes) or not-done (or false, no)"
        )
    # What a keyboard in Chinese or Japanese gives: full-width digits (７０), a full-width ％.
    written = unicodedata.normalize("NFKC", text).strip()
    if written.endswith("%") and parse_number(written[:-1]) is not None:
        unit = (kr.unit or "").strip()
        if unit != "%":
            measured = f"in {inert(unit)}" if unit else "in plain numbers"
            raise OkrError(
                f"'{inert(text)}' has a %, but {address} is measured {measured}; drop the %"
            )
        written = written[:-1]
    number = parse_number(written)
    if number is None and over_the_limit(written):
        raise OkrError(
            f"'{text}' is over the {MAX_NUMBER_TEXT} limit (okr takes numbers from "
            f"-{MAX_NUMBER_TEXT} to {MAX_NUMBER_TEXT}); give {address} a value in that range, "
            f"like {format_number(kr.target)}"
        )
    if number is None:
        raise OkrError(
            f"'{text}' is not a number; {address} is a numeric key result "
            f"(baseline {format_number(kr.baseline)}, target {format_number(kr.target)}), "
            f"so give a number like {format_number(kr.target)}"
        )
    return number


def parse_confidence(text: str) -> int | float:
    number = parse_number(text)
    if number is None or not 0 <= number <= 1:
        raise OkrError(
            f"confidence '{text}' is not a number from 0 to 1; write it as a fraction like 0.8"
        )
    return number


def updated(target: Target, cycle: str, wanted: Wanted) -> Update:
    kr = target.key_result
    assert kr is not None
    after = kr
    if wanted.value is not None:
        value = parse_value(wanted.value, kr, target.address)
        if isinstance(value, bool):
            after = replace(after, done=value)
        else:
            after = replace(after, current=value)
    if wanted.confidence is not None:
        after = replace(after, confidence=parse_confidence(wanted.confidence))
    note = clean_note(wanted.note or "") or None
    given = wanted.confidence is not None
    return Update(cycle, target.team, target.objective, kr, after, note, given)


# --- the service ----------------------------------------------------------------------------


def check_in(
    scope: transaction.Scope, wanted: Sequence[Wanted], refuse_typos: bool = False
) -> Outcome:
    """Resolve, validate, write and commit the wanted values, or refuse changing nothing.

    With `refuse_typos`, a new value far outside its KR's range (W104, most often a typed
    extra digit) stops the check-in before anything is written."""
    # Here, not at the top: `okr sync` writes through this module and needs neither.
    from okrcli.services import close, resolve

    with transaction.lock(scope):
        data = loader.load_cycle(scope.workspace, scope.cycle)
        found = [resolve.resolve_kr(data, w.address) for w in wanted]
        for target, w in zip(found, wanted, strict=True):
            require_valid(data, target.team.path)
            close.require_open(target.team)
            require_unchanged_since_seen(target, w)
        updates = [updated(t, scope.cycle.id, w) for t, w in zip(found, wanted, strict=True)]
        changed = [u for u in updates if u.changed]
        if not changed:
            return Outcome(updates, None, False, [])
        refuse = (lambda new: _refuse_typos(changed, new)) if refuse_typos else None
        commit, warnings = write_updates(scope, data, changed, commit_message(changed), refuse)
        return Outcome(updates, commit, True, warnings)


def write_updates(
    scope: transaction.Scope,
    data: CycleData,
    changed: Sequence[Update],
    message: str | Callable[[], str],
    check: Callable[[list[Diagnostic]], None] | None = None,
    keep_positions: bool = True,
) -> tuple[str | None, list[Diagnostic]]:
    """Splice, prove, write and commit changed KRs (`okr sync` writes through here too).

    The caller holds the lock and loaded `data` under it; `check` sees the new files'
    warnings before anything is written, and may refuse. Returns the new commit's short id
    (None when not committing) and the warnings the new files have that the old did not.
    `keep_positions`: start from, and keep, each file's parse for the next check-in of it
    (PositionsCache); a sync of many files does without, as storing and reading
    back a small file's parse costs more than parsing it. `message` may be a function that
    gives it: a sync's names a thousand KRs, and is then written while the files are spliced.
    """
    by_file: dict[str, list[Update]] = {}
    for update in changed:
        by_file.setdefault(update.team.path, []).append(update)
    files = sorted(by_file)
    checked: list[transaction.Head | None] = []
    texts: list[str] = []

    def require_writable() -> None:
        """The checks before the edits (their errors come first), and the message."""
        for path in files:
            transaction.require_regular(scope, path)
        checked.append(transaction.require_clean(scope, *files))
        transaction.forget_recovered(scope, *files)
        texts.append(message if isinstance(message, str) else message())

    positions = PositionsCache(scope.workspace) if keep_positions else None
    if positions is None:
        # A sync of many files: spliced and proven on two cores, the child taking more
        # while this process asks git about the files and writes the commit message.
        edits = cache.map_split_keeping(
            scope.workspace.store,
            lambda path: _edit(scope, data, path, by_file[path], None),
            files,
            meanwhile=require_writable,
            child_share=_CHILD_SHARE,
        )
    else:
        require_writable()
        edits = [_edit(scope, data, path, by_file[path], positions) for path in files]
    seen, text = checked[0], texts[0]
    warnings = [w for edit in edits for w in edit.warnings]
    if check is not None:
        check(warnings)
    commit = transaction.write_and_commit(scope, edits, text, seen)
    scope.workspace.store.save()
    if positions is not None:
        positions.save()
    return commit, warnings


def _refuse_typos(changed: list[Update], warnings: list[Diagnostic]) -> None:
    typos = [w for w in warnings if w.code == "W104"]
    if not typos:
        return
    first = next(u for u in changed if u.value_changed)
    address = f"{first.team.id}/{first.objective.id}/{first.before.id}"
    raise OkrError(
        f"{address}: {typos[0].message} (W104); nothing was written; if "
        f"{value_text(first.after.value, first.after.unit)} is right, run the check-in "
        "again with --force"
    )


def require_unchanged_since_seen(target: Target, wanted: Wanted) -> None:
    kr = target.key_result
    if wanted.seen is None or kr is None:
        return
    from okrcli.history.snapshots import same

    if same([kr.value, kr.confidence], list(wanted.seen)):
        return
    raise OkrError(
        f"{target.address} changed while you were answering (it is now "
        f"{value_text(kr.value, kr.unit)}, confidence {value_text(kr.confidence)}); nothing "
        "was written; start the check-in again to see the new values"
    )


def require_valid(data: CycleData, path: str) -> None:
    errors = [d for d in data.diagnostics if d.path == path and d.severity == "error"]
    if errors:
        raise InvalidFilesError(
            f"{path} does not validate ({len(errors)} error(s)); fix it first, then check in",
            errors,
        )


def _edit(
    scope: transaction.Scope,
    data: CycleData,
    path: str,
    changed: Sequence[Update],
    positions: PositionsCache | None,
) -> transaction.FileEdit:
    """One team file with its changes spliced in, re-parsed and re-validated."""
    original = data.texts[path]
    edits = [edit for u in changed for edit in u.edits()]
    spliced = _splice_from_cache(original, edits, path, positions)
    new = spliced.raw
    if positions is not None and spliced.positioned is not None:
        positions.put(path, new, spliced.positioned)
    # Through the cache, so the next command finds the new file already validated.
    valid, diagnostics = loader.team_file_findings(
        scope.workspace, path, new, spliced.positioned, spliced.data
    )
    errors = [d for d in diagnostics if d.severity == "error"]
    if errors or not valid:
        raise InvalidFilesError(
            f"the new values would make {path} invalid; nothing was written", errors
        )
    known = {(d.code, d.message) for d in data.diagnostics if d.path == path}
    warnings = [d for d in diagnostics if (d.code, d.message) not in known]
    return transaction.FileEdit(path, original, new, warnings)


def _splice_from_cache(
    original: bytes,
    edits: list[writer.Change],
    path: str,
    positions: PositionsCache | None,
) -> writer.Spliced:
    """writer.splice, starting from the cached parse of the file when there is one (and
    proving without positions when none is kept)."""
    if positions is None:
        return writer.splice(original, edits, path, positions=False)
    cached = positions.get(path, original)
    if cached is not None:
        try:
            return writer.splice(original, edits, path, cached)
        except Exception:
            # A wrong cached parse (an okr under development, a damaged entry) can fail in
            # any way, but cannot write a wrong byte: the proof checks every edit. Parse
            # afresh, so a bad entry never blocks a check-in.
            pass
    return writer.splice(original, edits, path)


# --- commit message and output --------------------------------------------------------------


def value_text(value: object, unit: str | None = None) -> str:
    return text.value_text(value, unit, missing="none")


def change_text(update: Update) -> str:
    """`68 → 70`, `confidence 0.7 → 0.8`, or both, for the commit's subject and body."""
    parts = []
    if update.value_changed:
        parts.append(f"{value_text(update.before.value)} → {value_text(update.after.value)}")
    if update.confidence_changed:
        parts.append(
            f"confidence {value_text(update.before.confidence)} → "
            f"{value_text(update.after.confidence)}"
        )
    return ", ".join(parts)


def commit_message(changed: Sequence[Update]) -> str:
    return format_message([checked_in(update) for update in changed])


def checked_in(update: Update, source: str | None = None) -> CheckedIn:
    """What the commit message says about one KR; with `source`, one `okr sync` read (its
    note is then sync_note(source))."""
    value = update.after.value
    assert value is not None
    # SPEC §8: OKR-Confidence whenever --confidence is given, even when it did not change.
    confidence = update.after.confidence
    shown = update.confidence_given or update.confidence_changed
    return CheckedIn(
        update.cycle,
        update.address,
        change_text(update),
        writer.scalar_text(value),
        writer.scalar_text(confidence) if shown and confidence is not None else None,
        (update.note or "") if source is None else sync_note(source) or "",
        source,
    )


def summary(update: Update, commit: str | None, written: bool) -> str:
    """One line: the KR, old → new value, progress old → new (and confidence, commit)."""
    unit = update.before.unit
    old, new = (text.percent(kr_progress(kr)) for kr in (update.before, update.after))
    line = (
        f"{update.address}: {value_text(update.before.value)} → "
        f"{value_text(update.after.value, unit)}, progress {old} → {new}"
    )
    if update.confidence_changed:
        line += (
            f", confidence {value_text(update.before.confidence)} → "
            f"{value_text(update.after.confidence)}"
        )
    if commit:
        line += f" [{commit}]"
    elif written:
        line += " (written, not committed)"
    return line


def unchanged_line(update: Update) -> str:
    confidence = update.before.confidence
    tail = "" if confidence is None else f", confidence {value_text(confidence)}"
    dropped = " (the note was not recorded: nothing changed to attach it to)" if update.note else ""
    return (
        f"{update.address}: already {value_text(update.before.value, update.before.unit)}"
        f"{tail}; nothing to check in{dropped}"
    )
