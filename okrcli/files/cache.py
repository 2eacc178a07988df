"""A content-addressed cache of work derived from immutable inputs.

Entries are keyed by a hash of everything the value depends on (okr's version, the file's
path and its git blob id, the lint settings …), so an entry can never be stale: changed
input means a different key. The cache lives outside the work tree (XDG cache folder), one
pickle per namespace, replaced atomically. A missing, truncated or foreign file is simply a
miss. `--no-cache` (or `OKR_NO_CACHE=1`) turns it off.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
from pathlib import Path
from typing import Any

from okrcli import __version__

_FORMAT = 2


_option_disabled = False


def configure(use_cache: bool) -> None:
    """Set by the `--no-cache` option for this run (OKR_NO_CACHE=1 works too)."""
    global _option_disabled
    _option_disabled = not use_cache


def enabled() -> bool:
    return not _option_disabled and os.environ.get("OKR_NO_CACHE", "") in ("", "0")


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "okr"


def key(*parts: str) -> str:
    digest = hashlib.sha1(usedforsecurity=False)
    digest.update(__version__.encode())
    for part in parts:
        digest.update(b"\0")
        digest.update(part.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


class Store:
    """One namespace of entries (e.g. the parsed files of one repository).

    An entry may carry a label (a file's path). When a run stores an entry under a label,
    the entries it held for older contents of that label are dropped on save: a team file
    checked in a hundred times keeps one cached version, not a hundred. Entries whose label
    this run did not touch are kept (another cycle, command, branch or `--team` wants them).
    Unlabelled entries (history, by blob id) have no such bound, so the ones a run did not
    use are dropped once they outnumber the used ones by far.
    """

    _MAX_UNLABELLED_SPARE = 4  # unused unlabelled entries kept, as a multiple of used ones

    def __init__(self, namespace: str) -> None:
        self.path = cache_dir() / f"{key(namespace)}.pickle"
        self._entries: dict[str, tuple[str | None, Any]] = {}
        self._used: dict[str, tuple[str | None, Any]] = {}
        self._dirty = False
        if enabled():
            self._entries = self._read()

    def _read(self) -> dict[str, tuple[str | None, Any]]:
        try:
            with open(self.path, "rb") as handle:
                stored = pickle.load(handle)
        except Exception:  # missing, truncated, corrupt or from another version: a miss
            return {}
        if (
            isinstance(stored, tuple)
            and len(stored) == 3
            and stored[0] == _FORMAT
            and stored[1] == __version__
            and isinstance(stored[2], dict)
        ):
            return stored[2]
        return {}

    def get(self, entry_key: str) -> Any:
        entry = self._entries.get(entry_key)
        if not isinstance(entry, tuple) or len(entry) != 2:
            return None
        self._used[entry_key] = entry
        return entry[1]

    def put(self, entry_key: str, value: Any, label: str | None = None) -> None:
        self._used[entry_key] = (label, value)
        self._dirty = True

    def save(self) -> None:
        """Write when something new was computed (see the class for what is kept)."""
        if not enabled() or not self._dirty:
            return
        touched = {label for label, _ in self._used.values() if label is not None}
        kept = {
            entry_key: entry
            for entry_key, entry in self._entries.items()
            if entry_key not in self._used and (entry[0] is None or entry[0] not in touched)
        }
        spare = [entry_key for entry_key, entry in kept.items() if entry[0] is None]
        if len(spare) > self._MAX_UNLABELLED_SPARE * len(self._used) + 256:
            for entry_key in spare:
                del kept[entry_key]
        merged = {**kept, **self._used}
        import tempfile  # only a run that computed something new writes

        temporary = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".tmp-")
            with os.fdopen(descriptor, "wb") as handle:
                pickle.dump((_FORMAT, __version__, merged), handle, pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self.path)
        except OSError:
            # A read-only or full cache folder only costs speed.
            if temporary is not None:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
