"""A content-addressed cache of work derived from immutable inputs.

Entries are keyed by a hash of everything the value depends on (okr's version, the file's
path and its git blob id, the lint settings …), so an entry can never be stale: changed
input means a different key. The cache lives outside the work tree (XDG cache folder), one
pickle per namespace, replaced atomically. A missing, truncated or foreign file is simply a
miss. `OKR_NO_CACHE=1` (the `--no-cache` option) turns it off.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

from okrcli import __version__

_FORMAT = 1


def enabled() -> bool:
    return os.environ.get("OKR_NO_CACHE", "") in ("", "0")


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
    """One namespace of entries (e.g. the parsed files of one cycle of one repository)."""

    def __init__(self, namespace: str) -> None:
        self.path = cache_dir() / f"{key(namespace)}.pickle"
        self._entries: dict[str, Any] = {}
        self._used: dict[str, Any] = {}
        self._dirty = False
        if enabled():
            self._entries = self._read()

    def _read(self) -> dict[str, Any]:
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
        value = self._entries.get(entry_key)
        if value is not None:
            self._used[entry_key] = value
        return value

    def put(self, entry_key: str, value: Any) -> None:
        self._used[entry_key] = value
        self._dirty = True

    def save(self) -> None:
        """Keep the entries this run used; write only when something new was computed."""
        if not enabled() or not (self._dirty or len(self._used) != len(self._entries)):
            return
        temporary = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".tmp-")
            with os.fdopen(descriptor, "wb") as handle:
                pickle.dump((_FORMAT, __version__, self._used), handle, pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self.path)
        except OSError:
            # A read-only or full cache folder only costs speed.
            if temporary is not None:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
