"""Snapshots of team file versions cached by blob id, read from git in batches.

A blob is reduced once to a snapshot (files/snapshot.py); blobs never change, so the
snapshot is cached under the blob's id and a warm run reads no blob at all. Versions of one
file are read newest first, each from the one after it where they can be (`patch`), in
batches of `git cat-file --batch`; the newest are the loader's own parses when it has them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from okrcli.files import cache, forked, yamlsource
from okrcli.files.snapshot import (
    LOG_FIELDS,
    REVISION_FIELDS,
    TEAM_KEY,
    VALUE_FIELDS,
    Fields,
    Parsed,
    Snapshot,
    is_team_file,
    parse,
    patch,
    plain,
    same,
    share,
    snapshot,
    snapshot_of,
)
from okrcli.files.workspace import git_blob_id
from okrcli.history import gitread, snapshot_codec

__all__ = [
    "LOG_FIELDS",
    "REVISION_FIELDS",
    "TEAM_KEY",
    "VALUE_FIELDS",
    "Fields",
    "Parsed",
    "Snapshot",
    "Snapshots",
    "is_team_file",
    "parse",
    "patch",
    "plain",
    "same",
    "share",
    "snapshot",
    "snapshot_of",
]


# --- snapshots, cached by blob id -----------------------------------------------------------


class Snapshots:
    """Snapshots of blobs by id: from the cache, else read from git and kept there.

    Blobs are read in batches, in the order they will be needed, bounded in number and in
    bytes (git tells their sizes first), so that a long history of a large file never sits
    in memory at once; a blob over the size limit is never read (it is no version okr
    reads). Versions of one file are read newest first, each from the one after it where it
    can be (see patch and read_back); the last few parsed versions are kept for that, up to
    a memory bound.
    """

    BATCH = 2048  # blobs per `git cat-file --batch`, at most (a process each: few of them)
    BATCH_BYTES = 32 * 1024 * 1024  # their content, at most (but at least one blob)
    KEEP_BYTES = 32 * 1024 * 1024  # text of parsed versions kept as bases for patching

    def __init__(
        self, top: Path, namespace: str, seeds: Mapping[str, Parsed] | None = None
    ) -> None:
        """`seeds` are versions parsed already, by blob id (the loader's, of the files as
        they stand): the history is read back from them rather than parsed again."""
        self.top = top
        self.store = cache.Store(f"history\0{top}\0{namespace}")
        # Under a replaced id git reads another object's content, and `git replace -d`
        # brings the original back: such an id is no name for one content, so its
        # snapshot is never cached.
        self._replaced = gitread.replaced_objects(top)
        self.known: dict[str, Snapshot | None] = {}
        self._missing: dict[str, int] = {}  # ids to read from git -> order of use
        self._queue: list[str] = []
        self._sizes: dict[str, int] = {}  # of the ids to read (0: missing in git)
        self._asked: tuple[gitread.BackgroundSizes, list[str]] | None = None  # sizes to come
        self._blobs: dict[str, bytes] = {}
        self._parsed: dict[str, tuple[Parsed, int]] = {}
        self._parsed_bytes = 0
        self._early: gitread.BackgroundBlobs | None = None
        self.seed(seeds or {})

    def seed(self, seeds: Mapping[str, Parsed]) -> None:
        """Know these versions, parsed already (see __init__). One known already (read
        from the cache by an earlier `plan`) keeps the snapshot it has: the versions read
        from the cache against it share its very dicts, and comparing versions relies on
        that (see snapshot_codec)."""
        for oid, parsed in seeds.items():
            if oid in self._replaced:
                continue
            self._missing.pop(oid, None)  # planned already (EarlyRead): never to be read now
            self._blobs.pop(oid, None)
            known = self.known.get(oid)
            if known is not None:
                self._keep(oid, replace(parsed, snapshot=known), sum(map(len, parsed.lines or ())))
                continue
            self._keep(oid, parsed, sum(map(len, parsed.lines or ())))
            self._remember(oid, parsed.snapshot)

    def plan(self, oids: Iterable[str], background: bool = False) -> None:
        """Look the ids up in the cache; those missing are read from git when first needed.
        Their sizes are asked of git now, or with `background` in a git process that runs
        while this one goes on (EarlyRead: reading the cycle's files), taken when needed."""
        new = []
        for oid in dict.fromkeys(oids):
            if snapshot_codec.load(self.store, oid, self.known, self._replaced):
                continue  # known already, or now from the cache
            if oid not in self._missing:
                self._missing[oid] = len(self._queue)
                self._queue.append(oid)
                new.append(oid)
        self._settle_sizes()
        if background and new:
            self._asked = gitread.BackgroundSizes(self.top, new), new
            return
        sizes = gitread.blob_sizes(self.top, new)
        self._sizes.update((oid, sizes.get(oid, 0)) for oid in new)

    def _settle_sizes(self) -> None:
        """The sizes asked in the background, taken (waiting for git if it is still at it)."""
        if self._asked is not None:
            (asked, new), self._asked = self._asked, None
            sizes = asked.result()
            self._sizes.update((oid, sizes.get(oid, 0)) for oid in new)

    def read_back(
        self,
        changes: Sequence[tuple[str, str | None, str | None]],
        tick: Callable[[int, int], None] | None = None,
    ) -> None:
        """Know every version these changes (path, old blob, new blob; newest first) name.

        The history is read from its newest end: the files as they stand are parsed already
        (the seeds), and each older version is read from the newer one where it can be (see
        patch), so a long history costs few full parses, most of them none. The newest
        version of a file not seeded is parsed ahead, on two cores when there are many.
        """
        heads: dict[str, str] = {}
        for path, old, new in changes:
            if path not in heads and (new or old):
                heads[path] = new or old or ""
        self.parse_ahead(heads.values())
        latest: dict[str, str] = {}  # per path, the version read last: the base of the next
        for done, (path, old, new) in enumerate(changes):
            if tick is not None:
                tick(done, len(changes))
            for oid, base in ((new, latest.get(path)), (old, new or latest.get(path))):
                if oid:
                    if oid not in self.known:
                        self.version(oid, base)
                    latest[path] = oid
        if tick is not None:
            tick(len(changes), len(changes))

    def parse_ahead(self, oids: Iterable[str]) -> None:
        """Parse these blobs now, on two cores when there are many: versions with no other
        version to read them from."""
        wanted = [
            oid
            for oid in dict.fromkeys(oids)
            if oid in self._missing and oid not in self.known and not self._too_large(oid)
        ]
        if not forked.worth_forking(len(wanted)):
            return  # read one by one, in order, as version() reads the rest
        self._collect_early()
        while wanted:
            batch: list[str] = []
            total = 0
            while wanted and (not batch or total + self._sizes[wanted[0]] <= self.BATCH_BYTES):
                total += self._sizes[wanted[0]]
                batch.append(wanted.pop(0))
            read = [oid for oid in batch if oid not in self._blobs]
            blobs = gitread.read_blobs(self.top, read) if read else {}
            blobs.update((oid, self._blobs.pop(oid)) for oid in batch if oid in self._blobs)
            raws = [blobs[oid] for oid in batch if oid in blobs]
            present = [oid for oid in batch if oid in blobs]
            for oid, raw, parsed in zip(present, raws, forked.map_split(parse, raws), strict=True):
                self._missing.pop(oid, None)
                self._keep(oid, parsed, len(raw))
                self._remember(oid, parsed.snapshot)

    def prefetch_start(self, skip: Collection[str] = ()) -> None:
        """Have git read every planned blob but those in `skip` in the background
        (gitread.BackgroundBlobs), when they fit BATCH_BYTES; `prefetch` takes them."""
        # _unread asks _too_large of each id, which takes the sizes asked in the background.
        wanted = [oid for oid in self._unread() if oid not in skip]
        if wanted and sum(self._sizes.get(oid, 0) for oid in wanted) <= self.BATCH_BYTES:
            self._early = gitread.BackgroundBlobs(self.top, wanted)

    def prefetch(self) -> bool:
        """Read every planned blob not read yet, through one git process, when their
        content fits BATCH_BYTES (so that two processes forked after share them instead of
        each asking git). False, reading nothing, when they do not fit. The ids stay
        planned: `_raw` and `parse_ahead` take the bytes from here."""
        self._collect_early()
        wanted = self._unread()
        if sum(self._sizes.get(oid, 0) for oid in wanted) > self.BATCH_BYTES:
            return False
        self._blobs.update(gitread.read_blobs(self.top, wanted))
        return True

    def close(self) -> None:
        """Stop git reading blobs (or their sizes) that nobody will take (the command failed
        meanwhile)."""
        if self._early is not None:
            self._early.close()
            self._early = None
        if self._asked is not None:
            self._asked[0].close()
            self._asked = None

    def _collect_early(self) -> None:
        if self._early is not None:
            early, self._early = self._early, None
            self._blobs.update(early.result())

    def _unread(self) -> list[str]:
        return [
            oid
            for oid in self._queue
            if oid in self._missing
            and oid not in self.known
            and oid not in self._blobs
            and not self._too_large(oid)
        ]

    def recall(self, oids: Iterable[str]) -> int:
        """Look the ids up in the cache only (never git), and say how many it had: what a
        warm read can do while git is still listing the commits."""
        return sum(snapshot_codec.load(self.store, oid, self.known, self._replaced) for oid in oids)

    def _raw(self, oid: str) -> bytes | None:
        """A blob's bytes, read with the next ones planned (each blob is read once)."""
        self._collect_early()
        if oid not in self._blobs:
            start = self._missing.get(oid)
            batch = [oid] if start is None else self._batch(start)
            self._blobs.update(gitread.read_blobs(self.top, batch))
            for read in batch:
                self._missing.pop(read, None)
        self._missing.pop(oid, None)  # read now (or prefetched)
        return self._blobs.pop(oid, None)

    def _batch(self, start: int) -> list[str]:
        """The blobs to read next, from the queue's `start` on: those not read yet, up to
        BATCH of them and BATCH_BYTES of content, and always the one at `start`."""
        batch: list[str] = []
        total = 0
        for oid in self._queue[start:]:
            if oid not in self._missing or oid in self._blobs or self._too_large(oid):
                continue
            size = self._sizes.get(oid, 0)
            if batch and (len(batch) == self.BATCH or total + size > self.BATCH_BYTES):
                break
            batch.append(oid)
            total += size
        return batch

    def _too_large(self, oid: str) -> bool:
        if self._asked is not None:  # tested here: this runs for every id of a history
            self._settle_sizes()
        if oid not in self._sizes:  # an id that was not planned
            self._sizes[oid] = gitread.blob_sizes(self.top, [oid]).get(oid, 0)
        return self._sizes[oid] > yamlsource.MAX_BYTES

    def version(self, oid: str, before: str | None = None) -> Snapshot | None:
        """The snapshot of blob `oid`, read from version `before` of the same file if it can."""
        if oid in self.known:
            return self.known[oid]
        if self._too_large(oid):  # no version okr reads, like one that does not parse
            self._missing.pop(oid, None)
            self._remember(oid, None)
            return None
        raw = self._raw(oid)
        if raw is None:  # not in this repository (a shallow clone): unknown, not remembered
            return None
        kept = self._parsed.get(before) if before else None
        base = kept[0] if kept is not None else None
        patched = patch(base, raw) if base is not None else None
        parsed = patched or parse(raw)
        previous = self.known.get(before) if before else None
        if patched is None and previous is not None and parsed.snapshot is not None:
            share(previous, parsed.snapshot)
        self._keep(oid, parsed, len(raw))
        self._remember(oid, parsed.snapshot, before, previous)
        return parsed.snapshot

    def _remember(
        self,
        oid: str,
        snapshot: Snapshot | None,
        before: str | None = None,
        previous: Snapshot | None = None,
    ) -> None:
        """Know the snapshot, and cache it (stored against `before`'s when that one is
        cached too) unless its id is replaced."""
        self.known[oid] = snapshot
        if oid in self._replaced:
            return
        if before in self._replaced:
            before = previous = None
        self.store.put(snapshot_codec.key(oid), snapshot_codec.encode(snapshot, before, previous))

    def _keep(self, oid: str, parsed: Parsed, size: int) -> None:
        if parsed.lines is None:
            return
        self._parsed[oid] = (parsed, size)
        self._parsed_bytes += size
        while self._parsed_bytes > self.KEEP_BYTES and len(self._parsed) > 1:
            oldest = next(iter(self._parsed))
            self._parsed_bytes -= self._parsed.pop(oldest)[1]

    def of_bytes(self, raw: bytes) -> Snapshot | None:
        oid = git_blob_id(raw)
        known: dict[str, Snapshot | None] = {}
        if snapshot_codec.load(self.store, oid, known, ()):
            return known[oid]
        result = snapshot(raw)
        self.store.put(snapshot_codec.key(oid), snapshot_codec.encode(result, None, None))
        return result

    def save(self) -> None:
        self.store.save()
