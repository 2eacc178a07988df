"""Running a source's command (SPEC §19): the only place okr runs a program other than git.

Only okr.yaml, the reviewed configuration, declares commands (a team file that tries is
E003 and nothing runs). A command runs as its argument list says, with no shell: no
globbing, no variables, no `;`. It runs in the OKR root with standard input closed, in a
process group of its own, so that at the timeout (or once its output passes the cap) the
whole group is killed, grandchildren included, and the command is reaped: no process
outlives `okr sync`, none is left a zombie. Its standard output is read up to the cap
(plus one byte, to know it was passed), never whole into memory; the end of its standard
error is kept to show when it fails.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

_CHUNK = 65536
STDERR_KEPT = 4096  # bytes of a command's standard error kept to show (its end)


class CommandError(Exception):
    """The command could not run, failed, timed out or wrote too much; nothing it wrote is
    used. `stderr` is the end of what it said there."""

    def __init__(self, message: str, stderr: bytes = b"") -> None:
        super().__init__(message)
        self.message = message
        self.stderr = stderr


def run(argv: Sequence[str], cwd: Path, timeout: float, limit: int) -> bytes:
    """The command's standard output, if it exits 0 within `timeout` seconds having written
    at most `limit` bytes there; else CommandError."""
    try:
        process = subprocess.Popen(
            list(argv),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own process group, killed as a whole
        )
    except FileNotFoundError:
        raise CommandError(f"{argv[0]} was not found (not installed, or not on PATH)") from None
    except PermissionError:
        raise CommandError(f"{argv[0]} cannot be run (permission denied)") from None
    except OSError as exc:
        raise CommandError(f"{argv[0]} cannot be run: {exc.strerror or exc}") from None
    out, err = bytearray(), bytearray()
    deadline = time.monotonic() + timeout
    try:
        _read_both(process, out, err, deadline, limit, timeout)
        _wait_for_exit(process, deadline, timeout, err)
    finally:
        _end_group(process)
    if process.returncode != 0:
        how = (
            f"was stopped by signal {-process.returncode}"
            if process.returncode < 0
            else f"exited with status {process.returncode}"
        )
        raise CommandError(how, bytes(err))
    return bytes(out)


def _read_both(
    process: subprocess.Popen[bytes],
    out: bytearray,
    err: bytearray,
    deadline: float,
    limit: int,
    timeout: float,
) -> None:
    """Read standard output and error as they come, until both are closed."""
    assert process.stdout is not None and process.stderr is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ, out)
        selector.register(process.stderr, selectors.EVENT_READ, err)
        while selector.get_map():
            left = deadline - time.monotonic()
            if left <= 0:
                raise _timed_out(timeout, err)
            for key, _ in selector.select(left):
                chunk = os.read(key.fd, _CHUNK)
                if not chunk:
                    selector.unregister(key.fileobj)
                    continue
                buffer: bytearray = key.data
                buffer += chunk
                if buffer is err:
                    del err[:-STDERR_KEPT]
                elif len(out) > limit:
                    raise CommandError(
                        f"wrote more than {limit // (1024 * 1024)} MiB to its standard output "
                        "and was stopped",
                        bytes(err),
                    )


def _wait_for_exit(
    process: subprocess.Popen[bytes], deadline: float, timeout: float, err: bytearray
) -> None:
    """Wait, until the deadline, for the command to exit, without reaping it yet: while it
    is unreaped its process group id cannot be reused, so _end_group kills only its own."""
    if not hasattr(os, "waitid"):  # no way to wait without reaping: reap now
        try:
            process.wait(max(deadline - time.monotonic(), 0))
        except subprocess.TimeoutExpired:
            raise _timed_out(timeout, err) from None
        return
    pause = 0.001
    while os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None:
        left = deadline - time.monotonic()
        if left <= 0:
            raise _timed_out(timeout, err)
        time.sleep(min(pause, left))
        pause = min(pause * 2, 0.05)


def _end_group(process: subprocess.Popen[bytes]) -> None:
    """Kill whatever is left of the command's process group, then reap the command."""
    if process.returncode is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    for stream in (process.stdout, process.stderr):
        if stream is not None:
            stream.close()


def _timed_out(timeout: float, err: bytearray) -> CommandError:
    seconds = f"{timeout:g}"
    return CommandError(
        f"did not finish within {seconds} s and was stopped (if it needs longer, raise its "
        "'timeout:' in okr.yaml)",
        bytes(err),
    )
