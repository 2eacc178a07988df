"""A snapshot as a cache entry: plain data, stored against the version before it.

Consecutive versions of a team file share the field dicts of the KRs that did not change
(see snapshots.patch and share), and comparing versions relies on that: an unchanged KR is
an identity check, not a comparison of its fields. An entry therefore writes a KR's fields
only when they differ from the version it is stored against; reading it back restores the
sharing. Where the version has that version's addresses in the same order (a check-in
changes a value, not the file's shape), the entry holds just the changed addresses: a warm
run reads thousands of entries, most of one KR each. Otherwise it holds every address,
with `0` where the fields are the other version's very dict. Reading the entry also checks
its shape (see files/codec.py): anything else is a miss.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from okrcli.files import cache, codec

Fields = dict[str, Any]
Snapshot = dict[str, Fields]
_SAME = 0  # in place of a KR's fields: the base version's very dict
_CHANGED = 1  # the third item of an entry that holds only the changed addresses
# Part of every entry's key: bump when what a snapshot holds changes shape.
_FORMAT = "snapshot-3"

# An entry as read: the snapshot (None: the blob is not YAML at all), with `_SAME` in
# place of the fields it shares with the base, or only its changed addresses (then the
# third item is True); and the base's blob id.
Entry = tuple[dict[str, Any] | None, str | None, bool]


def encode(snapshot: Snapshot | None, base_oid: str | None, base: Snapshot | None) -> list[Any]:
    """[snapshot or None, None]; [every address, 0 where shared, base blob id]; or
    [changed addresses, base blob id, 1] where `snapshot` has `base`'s addresses in order."""
    if snapshot is None or base is None or base_oid is None:
        return [snapshot, None]
    changed = {
        address: fields for address, fields in snapshot.items() if base.get(address) is not fields
    }
    if len(changed) == len(snapshot):  # nothing shared
        return [snapshot, None]
    if list(snapshot) == list(base):
        return [changed, base_oid, _CHANGED]
    written = {address: changed.get(address, _SAME) for address in snapshot}
    return [written, base_oid]


_ENTRY_ITEMS = frozenset((dict, int))


@codec.checked
def decode(value: Any) -> Entry:
    """An entry as `encode` writes it, checked; None for anything else."""
    if type(value) is list and len(value) == 3:
        changed, base_oid, marker = value
        codec.require(type(marker) is int and marker == _CHANGED and type(base_oid) is str)
        codec.require(type(changed) is dict and set(map(type, changed.values())) <= {dict})
        codec.require(_all_fields(changed))
        return changed, base_oid, True
    snapshot, base_oid = codec.items(value, 2)
    codec.require(base_oid is None or type(base_oid) is str)
    if snapshot is not None:
        codec.require(type(snapshot) is dict)
        items = snapshot.values()
        kinds = set(map(type, items))
        codec.require(kinds <= _ENTRY_ITEMS)
        if int in kinds:
            shared = {fields for fields in items if type(fields) is int}
            codec.require(shared == {_SAME} and base_oid is not None)
        codec.require(_all_fields(snapshot))
    return snapshot, base_oid, False


def _all_fields(written: dict[str, Any]) -> bool:
    """Whether every fields dict of an entry is data as the YAML readers build it: their
    values as one list, checked at once, are what codec.is_tree checks of each dict."""
    values = [
        value for fields in written.values() if type(fields) is dict for value in fields.values()
    ]
    return codec.is_tree(values)


def resolve(entry: Entry, base: Snapshot | None) -> Snapshot | None:
    """The snapshot of a decoded entry, its shared fields taken from the base's snapshot;
    raises codec.Misshapen when it shares fields the base does not have."""
    written, base_oid, changed_only = entry
    if written is None or base_oid is None:
        return written  # decode holds: nothing is shared without a base
    if base is None:
        raise codec.Misshapen
    if changed_only:
        if not written.keys() <= base.keys():
            raise codec.Misshapen
        snapshot = dict(base)  # the same addresses in the same order, the same dicts
        snapshot.update(written)
        return snapshot
    try:
        return {
            address: fields if type(fields) is dict else base[address]
            for address, fields in written.items()
        }
    except KeyError:
        raise codec.Misshapen from None


def key(oid: str) -> str:
    """The cache key of blob `oid`'s snapshot."""
    return cache.key(_FORMAT, oid)


def load(
    store: cache.Store, oid: str, known: dict[str, Snapshot | None], skip: Collection[str]
) -> bool:
    """Whether the store has blob `oid`'s snapshot, with the earlier versions it is stored
    against; what it finds is added to `known`. An id in `skip` is never read from it."""
    chain: dict[str, Entry] = {}
    wanted: str | None = oid
    while wanted is not None and wanted not in known:
        if wanted in chain or wanted in skip:
            return False  # stored against itself (damaged), or not to be read
        entry = decode(store.get(key(wanted)))
        if entry is None:
            return False
        chain[wanted] = entry
        wanted = entry[1]
    try:
        for found, entry in reversed(chain.items()):
            known[found] = resolve(entry, None if entry[1] is None else known.get(entry[1]))
    except codec.Misshapen:
        return False
    return True
