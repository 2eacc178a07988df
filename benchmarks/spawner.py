"""Runs the benchmarked processes and measures them, on behalf of run.py.

Why a separate process: on Linux, a child's ru_maxrss starts at the high-water mark of the
memory of the process that forked it (exec records the old address space's peak). Forked
from the harness, which parses large JSON outputs, every child would report at least the
harness's own peak. This small process stays small, so the peaks it reports are the
children's own (or its ~10 MiB, whichever is larger).

Protocol: one JSON request per line on stdin, {"argv", "env", "cwd", "timeout", "out",
"err"}; one JSON reply per line on stdout, {"seconds", "maxrss_kib", "rc", "timed_out"}.
The child's stdout and stderr are pipes, drained as it runs into the files "out" and "err".
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from typing import Any, BinaryIO


def _drain(source: BinaryIO, path: str) -> None:
    with open(path, "wb") as sink:
        while chunk := source.read(1 << 16):
            sink.write(chunk)
    source.close()


def _kill(pid: int, killed: threading.Event) -> None:
    killed.set()
    with contextlib.suppress(OSError):  # already gone
        os.killpg(pid, signal.SIGKILL)


def spawn(request: dict[str, Any]) -> dict[str, Any]:
    """Run one process: wall time from before the fork to the reaping, and its ru_maxrss."""
    argv: list[str] = request["argv"]
    start = time.perf_counter()
    try:
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=request["env"],
            cwd=request.get("cwd"),
            start_new_session=True,
            bufsize=0,
        )
    except OSError as error:
        with open(request["out"], "wb"), open(request["err"], "w") as err:
            err.write(f"cannot run {argv[0]}: {error.strerror or error}\n")
        return {"seconds": 0.0, "maxrss_kib": 0, "rc": 127, "timed_out": False}
    assert proc.stdout is not None and proc.stderr is not None
    readers = [
        threading.Thread(target=_drain, args=(proc.stdout, request["out"]), daemon=True),
        threading.Thread(target=_drain, args=(proc.stderr, request["err"]), daemon=True),
    ]
    for reader in readers:
        reader.start()
    killed = threading.Event()
    timer = threading.Timer(request["timeout"], _kill, args=(proc.pid, killed))
    timer.start()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    timer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    for reader in readers:
        reader.join(timeout=10)  # a daemonized grandchild may hold the pipe: don't hang
    maxrss = usage.ru_maxrss // 1024 if sys.platform == "darwin" else usage.ru_maxrss
    return {
        "seconds": seconds,
        "maxrss_kib": maxrss,
        "rc": proc.returncode,
        "timed_out": killed.is_set(),
    }


def main() -> None:
    for line in sys.stdin:
        if line.strip():
            sys.stdout.write(json.dumps(spawn(json.loads(line))) + "\n")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
