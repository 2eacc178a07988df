"""A finding before it has a position: a code, a path into the file's data and a message.

Rules work on plain data and say *where* as a path (`("objectives", 0, "key_results", 1,
"target")`); the loader turns paths into line:col only for files that have findings, so a
clean file never needs the slower position-keeping reader.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from okrcli.core.errors import Severity
from okrcli.core.records import pickled_as_call

# Where in a file's data: keys and list indexes from the root.
Path = tuple[str | int, ...]


@pickled_as_call
@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    path: Path
    message: str
    at: Literal["key", "value"] = "value"

    @property
    def severity(self) -> Severity:
        return "warning" if self.code.startswith("W") else "error"


def missing_key(path: Path, key: str) -> Finding:
    """E004 at the mapping that lacks `key`."""
    return Finding("E004", path, f"missing required key '{key}'; add a line '{key}: …'", at="key")
