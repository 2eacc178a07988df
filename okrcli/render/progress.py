"""Progress for long work: a one-line counter on stderr, only at a terminal, only when slow.

Warm runs finish before the first update is due, so they never show it; piped or
redirected output never gets it at all.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

Tick = Callable[[int, int], None]  # (done, total)

SHOW_AFTER = 0.4  # seconds of work before the counter appears
EVERY = 0.1  # seconds between redraws


def reporter(label: str) -> Tick | None:
    """A tick function drawing `label done/total` on stderr, or None when not at a terminal."""
    stream = sys.stderr
    if not stream.isatty():
        return None
    started = time.monotonic()
    last_drawn = 0.0
    shown = False

    def tick(done: int, total: int) -> None:
        nonlocal last_drawn, shown
        now = time.monotonic()
        finished = done >= total
        if finished:
            if shown:
                stream.write("\r\x1b[K")
                stream.flush()
            return
        if now - started < SHOW_AFTER or now - last_drawn < EVERY:
            return
        stream.write(f"\r{label} {done}/{total}")
        stream.flush()
        last_drawn, shown = now, True

    return tick
