"""Pure work over many items on two cores: the second half in a forked child process.

A company's cold run parses hundreds of team files, and a close or a new cycle splices and
proves hundreds more; each file is independent of the others, and CPython runs one thread
at a time. A forked child shares the parent's memory as it was, so the function and its
inputs need no pickling: only the child's results travel back, through a pipe.

Nothing here may change what a command does, only when it finishes: the child never
writes a file, prints or changes anything (the functions given are pure, though one may
read git's objects, as the history's does), and when it fails in any way its half is
computed again in the parent, so an error is raised there exactly as a run on one core
raises it. Serial instead, always, where forking is unavailable or unsafe:
one CPU, another thread running (a fork copies only the calling thread, and that thread's
locks may be held), few items, or OKR_JOBS=1 in the environment.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

MIN_ITEMS = 48  # below this, forking (a few milliseconds) costs more than it saves
JOBS_VARIABLE = "OKR_JOBS"


# Set while a split runs (in the parent computing its half, and in the child): work inside
# it is computed serially, so that two processes share two cores, never three.
_splitting = False


def worth_forking(count: int, min_items: int = MIN_ITEMS) -> bool:
    if count < min_items or _splitting or not hasattr(os, "fork"):
        return False
    if os.environ.get(JOBS_VARIABLE, "").strip() == "1":
        return False
    if threading.active_count() > 1:
        return False
    return len(os.sched_getaffinity(0)) > 1 if hasattr(os, "sched_getaffinity") else False


def deal(weighted: Iterable[tuple[Item, int]], second_share: float = 0.5) -> list[list[Item]]:
    """Items in two shares, the second with about `second_share` of the weight: the
    heaviest first, each to the share furthest below its part (for map_split's halves,
    when items differ in size)."""
    parts = (1 - second_share, second_share)
    shares: list[list[Item]] = [[], []]
    weights = [0, 0]
    for item, weight in sorted(weighted, key=lambda pair: -pair[1]):
        behind = 0 if weights[0] * parts[1] <= weights[1] * parts[0] else 1
        shares[behind].append(item)
        weights[behind] += weight
    return shares


def map_split(
    function: Callable[[Item], Result],
    items: Sequence[Item],
    *,
    meanwhile: Callable[[], object] | None = None,
    child_share: float = 0.5,
    then: Callable[[Item, Result], None] | None = None,
    min_items: int = MIN_ITEMS,
    waiting: Callable[[], None] | None = None,
) -> list[Result]:
    """[function(item) for item in items], the second half computed in a forked child when
    that is worth it and safe (see the module).

    `meanwhile`, when given, is called once before the first item, in this process always:
    work that must precede the results' use but not their computing (a check that asks git,
    say) runs while the child computes. Its exception is raised as a serial run raises it,
    before any of the items' own. `child_share` is the child's part of the items (more than
    half when the parent has `meanwhile` to do as well). `then(item, result)`, when given, is
    called in this process for every item in order, the first half's while the child
    finishes its own (the parent's share of the work afterwards: caching what was computed,
    say). `min_items`: fewer items than this are computed serially (a caller whose items
    are each a large piece of work sets it lower). `waiting`, when given, is called once in
    this process, when its own part is done and the child's may not be: work for after the
    results that can start early (asking git for what comes next); serially, last."""
    if not worth_forking(len(items), min_items):
        if meanwhile is not None:
            meanwhile()
        results = [function(item) for item in items]
        _then(then, items, results)
        if waiting is not None:
            waiting()
        return results
    share = min(max(child_share, 0.0), 1.0)
    middle = max(1, len(items) - int(len(items) * share))  # the parent's part (its first)
    first, second = items[:middle], items[middle:]
    import pickle  # noqa: F401  (for both processes, once: a command that never forks never needs it)

    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: compute, send, and leave without running any exit handler
        os.close(reader)
        _child(function, second, writer)
    os.close(writer)
    finished = False
    global _splitting
    _splitting = True
    try:
        if meanwhile is not None:
            meanwhile()
        mine = [function(item) for item in first]
        _then(then, first, mine)
        if waiting is not None:
            waiting()
        payload = _read_all(reader)
        os.waitpid(pid, 0)
        finished = True
    finally:
        _splitting = False
        os.close(reader)
        if not finished:  # the parent failed (or was interrupted): the child is not wanted
            _stop(pid)
    theirs: list[Result] | None = _unpacked(payload, len(second))
    if theirs is None:
        theirs = [function(item) for item in second]
    _then(then, second, theirs)
    return mine + theirs


def _then(
    then: Callable[[Item, Result], None] | None, items: Sequence[Item], results: list[Result]
) -> None:
    if then is not None:
        for item, result in zip(items, results, strict=True):
            then(item, result)


def _child(function: Callable[[Item], Result], items: Sequence[Item], writer: int) -> None:
    global _splitting
    _splitting = True
    status = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C: the parent decides
        import pickle  # imported already by map_split, before the fork

        payload = pickle.dumps([function(item) for item in items], pickle.HIGHEST_PROTOCOL)
        view = memoryview(payload)
        while view:
            view = view[os.write(writer, view) :]
    except BaseException:  # any failure at all: the parent computes this half itself
        status = 1
    finally:
        os._exit(status)


def _read_all(reader: int) -> bytes:
    chunks = []
    while chunk := os.read(reader, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)


def _unpacked(payload: bytes, count: int) -> list[Result] | None:
    """The child's results, or None when it sent none that fit (it failed)."""
    if not payload:
        return None
    import pickle

    try:
        results = pickle.loads(payload)  # our own child's bytes, through our own pipe
    except Exception:  # a cut-off payload: compute the half here
        return None
    return results if isinstance(results, list) and len(results) == count else None


def _stop(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass
