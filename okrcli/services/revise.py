"""The monthly review's revision of a numeric KR's goalposts (SPEC §17).

A reason is required, at least one of target and baseline is given, and the file, commit
and refusals follow the check-in's rules (§8) through `transaction`; a milestone, a closed
team and a revision that makes the target equal the baseline are refused too.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from okrcli.core.errors import InvalidFilesError, OkrError, UsageError
from okrcli.core.model import KeyResult, Number
from okrcli.core.numbers import MAX_NUMBER_TEXT, format_number, over_the_limit, parse_number
from okrcli.core.scoring import kr_progress
from okrcli.core.text import percent
from okrcli.files import loader, writer
from okrcli.history.message import Revised, clean_note, format_revision
from okrcli.services import checkin, close, resolve, transaction


@dataclass(frozen=True, slots=True)
class Outcome:
    address: str
    before: KeyResult
    after: KeyResult
    commit: str | None
    written: bool
    warnings: list[str]
    changed: bool = True


def _number(text: str | None, option: str) -> Number | None:
    if text is None:
        return None
    value = parse_number(text)
    if value is None and over_the_limit(text):
        raise OkrError(
            f"{option} '{text}' is over the {MAX_NUMBER_TEXT} limit (okr takes numbers from "
            f"-{MAX_NUMBER_TEXT} to {MAX_NUMBER_TEXT}); give a number in that range"
        )
    if value is None:
        raise OkrError(f"{option} '{text}' is not a number; give it as a number like 7.6")
    return value


def revise(
    scope: transaction.Scope,
    address: str,
    target: str | None,
    baseline: str | None,
    reason: str,
) -> Outcome:
    """Write the new target and/or baseline and commit them with the reason, or refuse
    changing nothing."""
    note = clean_note(reason)
    if not note:
        raise UsageError("give the reason for the revision with -m REASON (it cannot be blank)")
    if target is None and baseline is None:
        raise UsageError("give --target T, --baseline B or both: what the revision changes")
    new_target, new_baseline = _number(target, "--target"), _number(baseline, "--baseline")
    with transaction.lock(scope):
        data = loader.load_cycle(scope.workspace, scope.cycle)
        found = resolve.resolve_kr(data, address, action="revise")
        checkin.require_valid(data, found.team.path)
        close.require_open(found.team)
        kr = found.key_result
        assert kr is not None
        if kr.is_milestone:
            raise OkrError(
                f"{found.address} is a milestone (done or not), so it has no target or "
                "baseline to revise"
            )
        after = replace(
            kr,
            target=kr.target if new_target is None else new_target,
            baseline=kr.baseline if new_baseline is None else new_baseline,
        )
        if after.target == after.baseline:
            raise OkrError(
                f"the revision would make the target of {found.address} equal its baseline "
                f"({format_number(after.target)}), and progress could not be computed; "
                "choose other values"
            )
        if _same(kr, after):
            return Outcome(found.address, kr, kr, None, False, [], changed=False)
        path = found.team.path
        transaction.require_regular(scope, path)
        transaction.require_clean(scope, path)
        transaction.forget_recovered(scope, path)
        given: list[tuple[writer.Field, Number | None]] = [
            ("target", new_target),
            ("baseline", new_baseline),
        ]
        changes = [
            writer.Change(found.objective.id, kr.id, name, value)
            for name, value in given
            if value is not None
        ]
        original = data.texts[path]
        spliced = writer.splice(original, changes, path, positions=False)
        result = loader.team_file_result(scope.workspace, path, spliced.raw, tree=spliced.data)
        errors = [d for d in result.diagnostics if d.severity == "error"]
        if errors or result.team is None:
            raise InvalidFilesError(
                f"the revision would make {path} invalid; nothing was written", errors
            )
        known = {(d.code, d.message) for d in data.diagnostics if d.path == path}
        warnings = [d.format() for d in result.diagnostics if (d.code, d.message) not in known]
        edit = transaction.FileEdit(path, original, spliced.raw, [])
        revised = Revised(
            scope.cycle.id,
            found.address,
            change_text(kr, after),
            note,
            None if new_target is None else writer.scalar_text(new_target),
            None if new_baseline is None else writer.scalar_text(new_baseline),
        )
        commit = transaction.write_and_commit(scope, [edit], format_revision(revised))
        scope.workspace.store.save()
    return Outcome(found.address, kr, after, commit, True, warnings)


def _same(before: KeyResult, after: KeyResult) -> bool:
    return all(
        writer.scalar_text(getattr(before, name)) == writer.scalar_text(getattr(after, name))
        for name in ("target", "baseline")
    )


def change_text(before: KeyResult, after: KeyResult) -> str:
    """`target 7.8 → 7.6`, `baseline 7 → 7.1`, or both (target first)."""
    parts = [
        f"{name} {format_number(getattr(before, name))} → {format_number(getattr(after, name))}"
        for name in ("target", "baseline")
        if writer.scalar_text(getattr(before, name)) != writer.scalar_text(getattr(after, name))
    ]
    return ", ".join(parts)


def summary(outcome: Outcome) -> str:
    if not outcome.changed:
        kr = outcome.before
        return (
            f"{outcome.address}: already target {format_number(kr.target)}, baseline "
            f"{format_number(kr.baseline)}; nothing to revise"
        )
    old, new = percent(kr_progress(outcome.before)), percent(kr_progress(outcome.after))
    line = (
        f"{outcome.address}: {change_text(outcome.before, outcome.after)}, progress {old} → {new}"
    )
    if outcome.commit:
        line += f" [{outcome.commit}]"
    elif outcome.written:
        line += " (written, not committed)"
    return line
