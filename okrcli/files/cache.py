"""A content-addressed cache of work derived from immutable inputs, kept as plain data.

Entries are keyed by a hash of everything the value depends on (okr's version, the file's
path and its git blob id, the lint settings …), so an entry can never be stale: changed
input means a different key. The cache lives outside the work tree, in the XDG cache folder
(`$XDG_CACHE_HOME/okr`, else `~/.cache/okr`; a relative XDG_CACHE_HOME is ignored, as the
XDG spec says), one file per namespace, replaced atomically. `--no-cache` (or
`OKR_NO_CACHE=1`) turns it off.

The cache is data, never code: a file holds JSON and text (no pickle, nothing that can
construct an object), and every reader of an entry checks the entry's shape (see codec.py),
so a file of any content can cost speed but cannot run anything, crash a command or feed it
a value of the wrong kind. A file whose checksum does not match its body (truncated,
damaged) or that another version wrote is a miss as a whole. Only a folder and files that
are the user's alone are used: the folder must be a real folder (not a link) owned by the
user and writable by nobody else, a file must be a regular file owned by the user and
writable by nobody else; anything else is ignored (with one warning on stderr) and never
written into. Files are opened without following links and without blocking, so a FIFO or
a device in the folder cannot hang a command.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import sys
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from okrcli import __version__

# The file's own layout; what an entry holds is keyed by its reader's format constant.
_FORMAT = 3
_MAGIC = "okr-cache"
_MAX_BYTES = 512 * 1024 * 1024  # far above any real cache file; more is not read
_FOLDER_MODE = 0o700
_FILE_MODE = 0o600

_option_disabled = False
_warned = False

Item = TypeVar("Item")
Result = TypeVar("Result")


def configure(use_cache: bool) -> None:
    """Set by the `--no-cache` option for this run (OKR_NO_CACHE=1 works too)."""
    global _option_disabled, _warned
    _option_disabled = not use_cache
    _warned = False


def enabled() -> bool:
    return not _option_disabled and os.environ.get("OKR_NO_CACHE", "") in ("", "0")


def cache_dir() -> Path | None:
    """Where the cache lives, or None when there is no absolute place for it."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # unset, empty or relative (`.cache` would be the work tree)
        home = os.path.expanduser("~")
        if not os.path.isabs(home):
            return None
        base = os.path.join(home, ".cache")
    return Path(base) / "okr"


def key(*parts: str) -> str:
    digest = hashlib.sha1(usedforsecurity=False)
    digest.update(__version__.encode())
    for part in parts:
        digest.update(b"\0")
        digest.update(part.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _warn(what: Path, why: str) -> None:
    """Once per run: an unsafe cache costs only speed, but its owner should hear of it."""
    global _warned
    if not _warned:
        _warned = True
        from okrcli.core.text import inert

        print(f"okr: not using the cache {inert(what)}: {why}", file=sys.stderr)


def _unsafe(status: os.stat_result) -> str | None:
    if status.st_uid != os.geteuid():
        return "it belongs to another user; remove it"
    if status.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return "others can write to it; remove it or make it yours alone (chmod go-w)"
    return None


def _open_folder(folder: Path, create: bool) -> int | None:
    """A descriptor of the cache folder when it is safe to use (made if `create`), else None."""
    try:
        if create:
            folder.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(FileExistsError):
                os.mkdir(folder, _FOLDER_MODE)
        descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as error:
        if os.path.islink(folder):
            _warn(folder, "it is a symbolic link; remove it")
        elif not isinstance(error, FileNotFoundError) and not create:
            _warn(folder, f"{error.strerror or error}")
        return None
    why = _unsafe(os.fstat(descriptor))
    if why is not None:
        os.close(descriptor)
        _warn(folder, why)
        return None
    return descriptor


def _read_file(folder: int, name: str, shown: Path) -> bytes | None:
    """A cache file's bytes, if it is a regular file that is the user's alone."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        descriptor = os.open(name, flags, dir_fd=folder)
    except OSError:  # missing (a miss), a link (refused), unreadable
        return None
    with open(descriptor, "rb", closefd=True) as handle:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            _warn(shown, "it is not a regular file; remove it")
            return None
        why = _unsafe(status)
        if why is not None:
            _warn(shown, why)
            return None
        if status.st_size > _MAX_BYTES:
            return None
        return handle.read(_MAX_BYTES + 1)


def _header(body: bytes | memoryview) -> bytes:
    # CRC-32 finds what damage does (a truncated or corrupted file) at memory speed; the
    # file's trust comes from who owns it, so no cryptographic digest is needed.
    return f"{_MAGIC} {_FORMAT} {__version__} {zlib.crc32(body):08x}\n".encode("ascii", "replace")


# An entry as it is in the file: its label, and its value still encoded (see encode_value).
Stored = tuple[str | None, bytes]
_RAW_TEXT = b"'"  # a value field starting so is a string written as it is
_TEXT_ERRORS = "surrogatepass"  # a file name that is not UTF-8 goes through as it was


def encode_value(value: Any) -> bytes:
    """One entry's value as one line: JSON, or a string without a line break as it is
    (prefixed), which reads back many times faster than the same string escaped. NaN and
    the infinities are not plain data: such a value raises ValueError."""
    if type(value) is str and "\n" not in value:
        return _RAW_TEXT + value.encode("utf-8", _TEXT_ERRORS)
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.encode("utf-8", _TEXT_ERRORS)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not plain data")


# One decoder for every entry: json.loads with an option builds a new one (and its scanner)
# on each call, which a warm history of thousands of entries would pay thousands of times.
_DECODER = json.JSONDecoder(parse_constant=_no_constant)


def decode_value(field: bytes) -> Any:
    """An entry's value from its line; raises ValueError (or RecursionError) if damaged.
    NaN and the infinities are refused, as when encoding: no reader has to expect them."""
    text = field.decode("utf-8", _TEXT_ERRORS)
    if field.startswith(_RAW_TEXT):
        return text[1:]
    return _DECODER.decode(text)


def _encode_label(label: str | None) -> bytes:
    if label is None:
        return b""
    if label and "\t" not in label and "\n" not in label and not label.startswith('"'):
        return label.encode("utf-8", _TEXT_ERRORS)
    return json.dumps(label).encode("ascii")


def _decode_label(field: bytes) -> str | None:
    if not field:
        return None
    if not field.startswith(b'"'):
        return field.decode("utf-8", _TEXT_ERRORS)
    label = json.loads(field)
    if type(label) is not str:
        raise ValueError("a label is text")
    return label


def encode_file(entries: dict[str, Stored]) -> bytes:
    """A cache file: a header line (format, okr's version, the body's checksum), then one
    line per entry: `key TAB label TAB value` (the label as it is, or as JSON when it could
    be mistaken; empty for none)."""
    lines = []
    for entry_key, (label, field) in entries.items():
        if "\t" not in entry_key and "\n" not in entry_key and b"\n" not in field:
            written = entry_key.encode("utf-8", _TEXT_ERRORS)
            lines.append(b"%s\t%s\t%s\n" % (written, _encode_label(label), field))
    body = b"".join(lines)
    return _header(body) + body


def decode_file(data: bytes) -> dict[str, Stored]:
    """The entries of a cache file, values still encoded; {} for a file that is not exactly
    as this version of okr wrote it."""
    end = data.find(b"\n") + 1
    if data[:end] != _header(memoryview(data)[end:]):
        return {}
    entries: dict[str, Stored] = {}
    for line in data[end:].split(b"\n")[:-1]:
        entry_key, _, rest = line.partition(b"\t")
        label, _, field = rest.partition(b"\t")
        try:
            entries[entry_key.decode("utf-8", _TEXT_ERRORS)] = (_decode_label(label), field)
        except ValueError:
            continue
    return entries


class Store:
    """One namespace of entries (e.g. the parsed files of one repository).

    Values are plain JSON data (dicts, lists, strings, finite numbers, booleans, None),
    decoded only when asked for; whoever reads one checks its shape (see codec.py) and
    treats a wrong one as a miss.

    An entry may carry a label (a file's path). When a run stores an entry under a label,
    the entries it held for older contents of that label are dropped on save: a team file
    checked in a hundred times keeps one cached version, not a hundred. Entries whose label
    this run did not touch are kept (another cycle, command, branch or `--team` wants them).
    Unlabelled entries (history, by blob id) have no such bound, so the ones a run did not
    use are dropped once they outnumber the used ones by far.
    """

    _MAX_UNLABELLED_SPARE = 4  # unused unlabelled entries kept, as a multiple of used ones

    def __init__(self, namespace: str) -> None:
        self.name = f"{key(namespace)}.okrcache"
        folder = cache_dir()
        self.path = None if folder is None else folder / self.name
        self._entries: dict[str, Stored] = {}
        self._used: dict[str, Stored] = {}
        self._put: list[tuple[str, Stored]] = []  # in the order put (see puts_since)
        self._dirty = False
        if enabled():
            self._entries = self._read()

    def _read(self) -> dict[str, Stored]:
        if self.path is None:
            return {}
        folder = _open_folder(self.path.parent, create=False)
        if folder is None:
            return {}
        try:
            data = _read_file(folder, self.name, self.path)
        finally:
            os.close(folder)
        return {} if data is None else decode_file(data)

    def get(self, entry_key: str) -> Any:
        """The entry's plain value, or None when there is none (or it does not decode)."""
        entry = self._entries.get(entry_key)
        if entry is None:
            return None
        try:
            value = decode_value(entry[1])
        except (ValueError, RecursionError):
            return None
        self._used[entry_key] = entry
        return value

    def put(self, entry_key: str, value: Any, label: str | None = None) -> None:
        """Keep a plain value (see the class) under the key; one that is not plain data
        (or holds NaN or an infinity) is not kept."""
        try:
            entry = (label, encode_value(value))
        except (TypeError, ValueError, RecursionError):
            return
        self._used[entry_key] = entry
        self._put.append((entry_key, entry))
        self._dirty = True

    def puts(self) -> int:
        """How many entries this process has put so far: a mark for puts_since."""
        return len(self._put)

    def puts_since(self, mark: int) -> list[tuple[str, Stored]]:
        """The entries put since `mark`, as they are stored: what a forked child computed,
        to be handed to its parent's store (adopt), which saves them."""
        return self._put[mark:]

    def adopt(self, entries: Sequence[tuple[str, Stored]]) -> None:
        """Keep entries put by a forked child of this process (puts_since) as if put here."""
        for entry_key, entry in entries:
            self._used[entry_key] = entry
            self._dirty = True

    def save(self) -> None:
        """Write when something new was computed (see the class for what is kept)."""
        if not enabled() or not self._dirty or self.path is None:
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
        data = encode_file({**kept, **self._used})
        folder = _open_folder(self.path.parent, create=True)
        if folder is not None:
            try:
                _replace(folder, self.name, data)
            finally:
                os.close(folder)


def _replace(folder: int, name: str, data: bytes) -> None:
    """Write a file of the folder atomically: a new private file, renamed over the old one."""
    temporary = f".tmp-{os.urandom(8).hex()}"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        descriptor = os.open(temporary, flags, _FILE_MODE, dir_fd=folder)
    except OSError:  # a read-only or full cache folder only costs speed
        return
    try:
        with open(descriptor, "wb", closefd=True) as handle:
            handle.write(data)
        os.replace(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary, dir_fd=folder)


def map_split_keeping(
    store: Store,
    function: Callable[[Item], Result],
    items: Sequence[Item],
    then: Callable[[Item, Result], None] | None = None,
    **options: Any,
) -> list[Result]:
    """forked.map_split (options as it takes them), keeping what `function` puts into
    `store` in the forked child too: the child's entries come back with its results,
    encoded already, and are kept here as `then` hears of each result, so the next command
    finds every file it validated, not this process's half."""
    from okrcli.files import forked

    def with_entries(item: Item) -> tuple[Result, list[tuple[str, Stored]]]:
        mark = store.puts()
        return function(item), store.puts_since(mark)

    def kept(item: Item, got: tuple[Result, list[tuple[str, Stored]]]) -> None:
        store.adopt(got[1])  # in this process: put already, kept the same
        if then is not None:
            then(item, got[0])

    return [result for result, _ in forked.map_split(with_entries, items, then=kept, **options)]
