"""What the static site (SPEC §20) shows, as plain data: one cycle's board, alignment, teams,
KR histories and people.

Everything comes from the services the commands use — the scorecard (report), the log
entries (changes) and one read of the history (versions) — so a page can never disagree
with `okr scorecard` or `okr log`. The rendering is render/site.py's.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from okrcli.core import scoring
from okrcli.core.numbers import round_half
from okrcli.core.people import Identities
from okrcli.files.loader import CycleData
from okrcli.history import versions as history
from okrcli.history.snapshots import Fields
from okrcli.services import changes, report

STATUSES = ("done", "on-track", "at-risk", "off-track")
# Lists the files the last `okr site` wrote in a folder: only those are ever replaced or
# removed, so a folder of someone else's files is never touched.
MANIFEST = ".okr-site"


@dataclass
class CycleSite:
    """One cycle's pages' data."""

    organization: str
    cycle: str
    start: str
    end: str
    as_of: str
    card: dict[str, Any]  # the scorecard JSON of SPEC §6
    counts: dict[str, int]  # KRs per status, over the cycle
    team_counts: dict[str, dict[str, int]]  # KRs per status, per team
    owners: dict[str, str | None]  # KR address -> owner (KR's, else objective's, else team's)
    histories: dict[str, dict[str, Any]] = field(default_factory=dict)  # KR address -> history
    has_history: bool = False

    @property
    def objectives(self) -> list[dict[str, Any]]:
        return [o for team in self.card["teams"] for o in team["objectives"]]

    @property
    def key_results(self) -> list[dict[str, Any]]:
        return [kr for o in self.objectives for kr in o["key_results"]]

    def add_histories(self, kr_histories: dict[str, dict[str, Any]]) -> None:
        """What `histories` made of the cycle's history (a site outside git has none)."""
        self.histories = kr_histories
        self.has_history = True

    def people(self) -> list[str]:
        """Everyone who owns a KR or authored a change in the cycle, by name."""
        names = {owner for owner in self.owners.values() if owner}
        for kr_history in self.histories.values():
            names.update(entry["author"] for entry in kr_history["entries"])
        return sorted(names)


def cycle_site(data: CycleData, as_of: dt.date) -> CycleSite:
    """The cycle's data for its pages, without its history (see CycleSite.add_histories)."""
    card = report.scorecard(data, as_of)
    config = report.config_of(data)
    krs = [kr for team in card["teams"] for o in team["objectives"] for kr in o["key_results"]]
    team_counts = {
        team["team"]: _counts(kr for o in team["objectives"] for kr in o["key_results"])
        for team in card["teams"]
    }
    site = CycleSite(
        organization=config.organization,
        cycle=data.cycle.id,
        start=data.cycle.start.isoformat(),
        end=data.cycle.end.isoformat(),
        as_of=as_of.isoformat(),
        card=card,
        counts=_counts(krs),
        team_counts=team_counts,
        owners=_owners(card),
    )
    return site


def _counts(krs: Any) -> dict[str, int]:
    found = Counter(kr["status"] for kr in krs)
    return {status: found.get(status, 0) for status in STATUSES}


def _owners(card: dict[str, Any]) -> dict[str, str | None]:
    owners: dict[str, str | None] = {}
    for team in card["teams"]:
        for objective in team["objectives"]:
            for kr in objective["key_results"]:
                owners[kr["address"]] = kr["owner"] or objective["owner"] or team["owner"]
    return owners


def kr_progress(fields: Fields) -> float | None:
    """Progress from raw history fields (SPEC §5), None when they do not make a KR."""
    kr = changes.key_result(fields)
    return None if kr is None else round_half(scoring.kr_progress(kr), 4)


def histories(
    steps: list[history.Step], start: dt.date, end: dt.date, as_of: dt.date, people: Identities
) -> dict[str, dict[str, Any]]:
    """Per KR: its path (date, value, progress) at every commit that changed its fields, up
    to the as-of date, and its log entries (check-ins and revisions), each author the person
    okr.yaml's `people:` maps them to. Of some files' steps, their KRs'
    (split.load_reduced): the pages never depend on the keys' order."""
    found: dict[str, dict[str, Any]] = {}
    for step, address, old, fields in history.kr_versions(steps, as_of):
        if old == fields:
            continue
        entry = found.setdefault(address, {"points": [], "entries": []})
        progress = kr_progress(fields)
        if progress is not None:
            day = max(start, min(end, step.commit.day)).isoformat()
            entry["points"].append(
                {"date": day, "value": changes.kr_value(fields), "progress": progress}
            )
    for entry in changes.log_entries([s for s in steps if s.commit.day <= as_of], None, people):
        found.setdefault(entry["address"], {"points": [], "entries": []})["entries"].append(entry)
    return found


# A file of the site: its path inside the output folder, its size (a guess at the work of
# making it: KRs on the page) and how its bytes are made (render/site.py).
Page = tuple[str, int, Callable[[], bytes]]


def write_pages(output: Path, pages: Sequence[Page]) -> int:
    """Make and write the site into `output` (created if missing), replacing what the last
    run wrote and removing its pages that are gone; refuses a folder of other files; the
    number of bytes written. Each process writes the pages it makes (two cores when there
    are many, dealt out by size: a person's page may be a hundred teams'), so the pages
    never travel between them. Files are opened without following symbolic links, so a
    planted link cannot redirect a write."""
    from okrcli.core.errors import OkrError
    from okrcli.files import forked

    manifest = output / MANIFEST
    if output.exists() and not output.is_dir():
        raise OkrError(f"{output} is a file; give okr site a folder with -o")
    if output.is_dir() and any(output.iterdir()) and not manifest.is_file():
        raise OkrError(f"{output} holds files okr site did not write; give an empty or new folder")
    names = sorted(path for path, _, _ in pages)
    before = set(manifest.read_text("utf-8").splitlines()) if manifest.is_file() else set()
    for stale in sorted(before - set(names)):
        path = output / stale
        if path.is_file() and not path.is_symlink():
            path.unlink()
    for folder in sorted({(output / name).parent for name in names}):
        folder.mkdir(parents=True, exist_ok=True)  # here, not in two processes at once
    shares = forked.deal((page, page[1]) for page in pages)
    ordered = shares[0] + shares[1]
    child_share = (len(shares[1]) + 0.5) / max(len(ordered), 1)
    sizes = forked.map_split(
        lambda page: _write(output / page[0], page[2]()), ordered, child_share=child_share
    )
    _write(manifest, "".join(f"{name}\n" for name in names).encode("utf-8"))
    return sum(sizes)


def _write(path: Path, content: bytes) -> int:
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW
    with os.fdopen(os.open(path, flags, 0o644), "wb") as handle:
        handle.write(content)
    return len(content)
