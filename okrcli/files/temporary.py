"""Temporary files beside the files they replace, named as `tempfile.mkstemp` names them.

Made here rather than by the tempfile module, whose import (with random's) every check-in
would pay for these two lines.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

_LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789_"  # mkstemp's
_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
_ATTEMPTS = 100


def create(folder: Path, prefix: str, suffix: str) -> tuple[int, str]:
    """A new file PREFIX + eight random letters + SUFFIX in `folder`, for the user alone
    (mode 0600): its descriptor and path. O_EXCL: never a file that exists, nor one that a
    link planted under the name points at."""
    for _ in range(_ATTEMPTS):
        letters = "".join(_LETTERS[byte % len(_LETTERS)] for byte in os.urandom(8))
        path = os.path.join(folder, f"{prefix}{letters}{suffix}")
        try:
            return os.open(path, _FLAGS, 0o600), path
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free name for a temporary file", str(folder))
